"""Scale scenarios for `make bench`: configs derived from the shipped one, and their returns.

A city collects the same form from every county (or a county from every 乡镇): the derived config
adds N areas, each reported by its own area unit, and breaks the shipped plan's first
`AREA_INDICATORS` additive indicators down to every area (each area's target is the shipped
figure, the whole is their sum). The rest stay with the departments; units return monthly forms
(the 旬简报 then stands on them). N is chosen so that the config has exactly the wanted number of
reporting units; each area unit's form then has ~40 indicator rows. Returns are made by the simulator (the later periods with its planted mistakes)
in worker processes and kept under outputs/bench/inputs/, keyed by everything that shapes them,
so a second run does not make them again. Simulation time is in no figure.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import Config, Kind
from .config_load import parse_config
from .periods import Period, parse_period

AREA_INDICATORS = 40
PERIODS = 8  # January to August: eight monthly returns per unit
SEED = 7


@dataclass(frozen=True)
class Scenario:
    name: str
    units: int  # reporting units
    periods: int = PERIODS

    @property
    def returns(self) -> int:
        return self.units * self.periods


BASE = Scenario("city150", 150)  # 1,200 returns
GROWTH = Scenario("city300", 300)  # 2,400 returns
PROVINCE = Scenario("province1500", 1500)  # 12,000 returns, only with SCALE=province


def _decomposable(ind: dict) -> bool:
    kind = ind.get("kind", "count")
    return (
        kind in (Kind.count, Kind.investment)
        and isinstance(ind.get("target"), (int, float))
        and not ind.get("pending")
        and not ind.get("sites")
        and not ind.get("stock")
        and not ind.get("area_targets")
    )


def scaled_config(source: Path, units: int) -> tuple[Config, str]:
    """The shipped plan at `units` reporting units, as a Config and as the YAML it was parsed from."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    # units return monthly forms (the simulated ones): the 旬简报 stands on them, as for such offices
    data["reporting"] = {**data.get("reporting", {}), "returns": ["month"]}
    chosen = []
    for project in data["projects"]:
        for ind in project["indicators"]:
            if _decomposable(ind) and len(chosen) < AREA_INDICATORS:
                chosen.append(ind)
    ids = {ind["id"] for ind in chosen}
    for ind in chosen:  # a 其中 goes to the areas only with its parent
        if ind.get("parent") and ind["parent"] not in ids:
            ids.discard(ind["id"])
    chosen = [ind for ind in chosen if ind["id"] in ids]
    probe = parse_config(yaml.safe_dump({**data, **_with_areas(data, chosen, 1)}, allow_unicode=True), "bench")
    from .formspec import reporting_units

    departments = len(reporting_units(probe)) - 1
    if units <= departments:
        raise ValueError(f"a scenario needs more than {departments} reporting units")
    text = yaml.safe_dump({**data, **_with_areas(data, chosen, units - departments)}, allow_unicode=True)
    cfg = parse_config(text, source=f"bench-{units}.yaml")
    assert len(reporting_units(cfg)) == units, "the derived config has the wrong number of reporting units"
    return cfg, text


def _with_areas(data: dict, chosen: list[dict], n: int) -> dict:
    areas = [{"code": f"a{i:04d}", "name": f"第{i}县区", "kind": "县"} for i in range(1, n + 1)]
    units = list(data["units"]) + [
        {"code": f"x{i:04d}", "name": f"第{i}县区人民政府", "kind": "area", "area": a["code"]}
        for i, a in enumerate(areas, 1)
    ]
    projects = []
    ids = {ind["id"] for ind in chosen}
    for project in data["projects"]:
        indicators = []
        for ind in project["indicators"]:
            if ind["id"] in ids:
                target = ind["target"]
                ind = {**ind, "target": round(target * n, 4), "area_targets": {a["code"]: target for a in areas}}
                ind.pop("target_text", None)  # the shipped wording names the county's figure
            indicators.append(ind)
        projects.append({**project, "indicators": indicators})
    return {"areas": areas, "units": units, "projects": projects}


def periods(cfg: Config, scenario: Scenario) -> list[Period]:
    return [parse_period(f"{cfg.year}-{m:02d}") for m in range(1, scenario.periods + 1)]


def _simulate_period(args: tuple[str, str, str, bool]) -> int:
    text, code, into, messy = args
    from .simulate import simulate

    cfg = parse_config(text, source="bench.yaml")
    return len(simulate(cfg, parse_period(code), Path(into), seed=SEED, messy=messy).files)


def _inputs_key(text: str, scenario: Scenario) -> str:
    """Everything that shapes the simulated files: the config, the scenario, the simulator's code."""
    here = Path(__file__).parent
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(f"{scenario}|{SEED}".encode())
    for name in ("simulate.py", "forms.py", "formspec.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def make_inputs(
    cfg: Config, text: str, scenario: Scenario, cache: Path, workers: int = 2, progress=None
) -> tuple[Path, float]:
    """The scenario's returns (made once, then reused) and the seconds spent making them now."""
    import time

    target = cache / f"{scenario.name}-{_inputs_key(text, scenario)}"
    done = target / ".complete"
    if done.exists():
        return target, 0.0
    for old in cache.glob(f"{scenario.name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    if progress is not None:
        progress(f"正在生成 {scenario.returns} 份模拟报表（只在第一次运行时生成，之后重复使用；不计入任何测时）……")
    start = time.perf_counter()
    jobs = [(text, p.code, str(target / p.code), i >= 1) for i, p in enumerate(periods(cfg, scenario))]
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_simulate_period, jobs))
    else:
        for job in jobs:
            _simulate_period(job)
    done.write_text("ok", encoding="utf-8")
    return target, time.perf_counter() - start
