"""`make bench`: ingest and the period's materials at city scale, against pandas and a bare unzip.

Scenarios come from the shipped config (pipeline.bench_scale): 150 reporting units × 8 months
= 1,200 returns, 300 units for the growth point (2,400), and with `--scale province` 1,500 units
(12,000). The simulator's time is in no figure. Each scenario runs in a process of its own, so
its peak memory is its own: ingest into an empty outputs folder (stage by stage, pipeline.stages),
then the 校验报告/催报名单, the analytics, the 汇总表 of the latest month and each document in
DOCUMENTS (旬简报, 月通报, 季总结) for the period run_cycle would pick. This process then times the floors on the same files: `pandas.read_excel` (default
engine) and a bare `zipfile` read of every part; and `minsheng monthly` on the embedded default
(empty inputs: the demo) in a subprocess, PDF off. One table is printed; the figures go to
outputs/bench/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from .bench_scale import BASE, GROWTH, PROVINCE, Scenario, make_inputs, scaled_config
from .bench_table import render, total_rss

PANDAS_SAMPLE = 300  # files pandas reads (a fixed random sample), scaled to the whole set
OUT = Path("outputs/bench")


# The documents timed after the 汇总表: (period kind, renderer as module:function, called as
# jobs.render_document calls it). A new document adds its line here.
DOCUMENTS = [
    ("dekad", "pipeline.documents.brief:render_brief"),
    ("month", "pipeline.documents.monthly:render_notice"),
    ("quarter", "pipeline.documents.summary:render_summary"),
]


def _renderer(spec: str):
    import importlib

    module, function = spec.split(":")
    return getattr(importlib.import_module(module), function)


# -- one scenario, in a process of its own -----------------------------------------------------


def run_scenario(config: Path, inputs: Path, materials: bool = True) -> dict:
    """Ingest `inputs` into a fresh outputs folder, then (with `materials`) the period's materials."""
    from . import stages, workers
    from .config_load import load_config
    from .ingest import ingest, write_reports
    from .readers import discover

    cfg = load_config(config)
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Path(tmp) / "outputs"
        stages.take()
        began = time.perf_counter()
        files = discover(inputs)
        times["discovery"] = time.perf_counter() - began
        result = ingest(cfg, inputs, outputs, files=files)
        times["ingest"] = time.perf_counter() - began
        times.update(stages.take())
        workers_used = workers.worker_count()
        workers.stop()  # reaped, so that their peak memory is counted; the report half needs none
        at_ingest = _peak_rss()
        times["reports"] = _timed(lambda: write_reports(cfg, outputs, result))[0]
        docs = _materials(cfg, outputs, times) if materials else {}
        counts = {s: result.count(s) for s in ("accepted", "rejected", "duplicate", "already")}
    at_end = _peak_rss()
    return {
        "files": len(result.outcomes),
        "counts": counts,
        "findings": len(result.findings),
        "times": times,
        "documents": docs,
        "workers": workers_used,
        "rss_ingest_main_mb": at_ingest["rss_main_mb"],
        # the workers' peak as it stood when they were reaped; a child started later (a first run
        # on a new machine once showed one of 446 MB, not seen again) is its own figure, not a worker's
        "rss_worker_mb": at_ingest["rss_worker_mb"],
        "rss_main_mb": at_end["rss_main_mb"],
        "rss_later_child_mb": at_end["rss_worker_mb"],
    }


def _materials(cfg, outputs: Path, times: dict[str, float]) -> dict[str, float]:
    """The analytics, the month's 汇总表 and each document of DOCUMENTS, timed; seconds by document
    (times["basis"]: the part of them spent writing the documents' 数据依据 workbooks)."""
    from . import stages
    from .jobs import document_name, document_periods, progress_reports, write_materials
    from .ledger import Ledger

    docs: dict[str, float] = {}
    reports: dict[str, tuple] = {}
    times["analytics"] = 0.0
    with Ledger.for_config(cfg, outputs) as ledger:

        def report_of(kind: str) -> tuple | None:
            """The reports a document of `kind` stands on, as run_cycle picks them (None: none yet)."""
            periods = document_periods(cfg, ledger, kind, None)
            if periods is None:
                return None
            source = periods[1]
            if source.code not in reports:
                seconds, reports[source.code] = _timed(lambda: progress_reports(cfg, outputs, source))
                times["analytics"] += seconds
            return reports[source.code]

        now, _ = report_of("month")
        times["summary"] = _timed(lambda: write_materials(cfg, now, outputs / now.period))[0]
        for kind, spec in DOCUMENTS:
            name, found = document_name(cfg, kind), report_of(kind)
            if name is None or found is None:
                continue
            render, (now, before) = _renderer(spec), found
            stages.take()
            docs[name] = _timed(lambda: render(cfg, now, outputs, ledger=ledger, previous=before))[0]  # noqa: B023
            times["basis"] = times.get("basis", 0.0) + stages.take().get("basis", 0.0)
    return docs


def _timed(fn):
    began = time.perf_counter()
    out = fn()
    return time.perf_counter() - began, out


def _peak_rss() -> dict:
    """This process's peak resident memory and its largest child's, in MB (None where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return {"rss_main_mb": None, "rss_worker_mb": None}
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KB elsewhere
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return {"rss_main_mb": round(own, 1), "rss_worker_mb": round(child, 1)}


def _child(args: argparse.Namespace) -> None:
    figures = run_scenario(Path(args.config), Path(args.inputs), materials=args.materials)
    print(json.dumps(figures, ensure_ascii=False))


# -- the floors, in this process ---------------------------------------------------------------


def unzip_floor(files: list[Path]) -> float:
    began = time.perf_counter()
    for f in files:
        with zipfile.ZipFile(f) as z:
            for name in z.namelist():
                z.read(name)
    return time.perf_counter() - began


def pandas_floor(files: list[Path], sample: int | None) -> tuple[float, int]:
    """Seconds for pandas.read_excel on all of `files`: measured on a fixed random sample when
    `sample` is smaller than the set, and scaled by the number of files. Also the sample size."""
    import pandas as pd

    chosen = files if sample is None or sample >= len(files) else random.Random(16).sample(files, sample)
    with warnings.catch_warnings():  # openpyxl warns about data validation it cannot read
        warnings.simplefilter("ignore")
        seconds, _ = _timed(lambda: [pd.read_excel(f, sheet_name=None, header=None) for f in chosen])
    return seconds * len(files) / len(chosen), len(chosen)


def monthly_default(config: Path) -> float:
    """Wall time of `minsheng monthly` on the embedded default: empty inputs, so the demo, PDF off."""
    here = Path(sys.executable).parent
    exe = shutil.which("minsheng", path=str(here)) or shutil.which("minsheng")
    command = [exe] if exe else [sys.executable, "-m", "pipeline.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "inputs").mkdir()
        args = ["monthly", "--config", str(config), "--inputs", str(Path(tmp) / "inputs")]
        args += ["--outputs", str(Path(tmp) / "outputs")]
        env = {k: v for k, v in os.environ.items() if k != "MINSHENG_WORKERS"}
        seconds, done = _timed(lambda: subprocess.run(command + args, capture_output=True, env=env, check=False))
    if done.returncode != 0:
        raise SystemExit("minsheng monthly 运行失败：\n" + done.stdout.decode() + done.stderr.decode())
    return seconds


# -- the run -----------------------------------------------------------------------------------


def _scenario_run(cfg_text: str, inputs: Path, cache: Path, name: str, materials: bool) -> dict:
    cfg_path = cache / f"{name}.yaml"
    cfg_path.write_text(cfg_text, encoding="utf-8")
    command = [sys.executable, "-m", "pipeline.bench", "--child", "--config", str(cfg_path), "--inputs", str(inputs)]
    command += ["--materials"] if materials else []
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"性能测试场景 {name} 运行失败：\n" + done.stderr.decode("utf-8", "replace")[-3000:])
    return json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])


def run(config: Path, scale: str | None, pandas_sample: int | None, full: bool = False, out: Path = OUT) -> dict:
    """The scenarios; the materials (汇总表, documents) at 1,200 returns, at every scale with `full`."""
    scenarios: list[Scenario] = [BASE, GROWTH] + ([PROVINCE] if scale == "province" else [])
    cache = out / "inputs"
    cache.mkdir(parents=True, exist_ok=True)
    runs: dict[str, dict] = {}
    for sc in scenarios:
        cfg, text = scaled_config(config, sc.units)
        inputs, made_s = make_inputs(cfg, text, sc, cache, progress=_say)
        files = sorted(p for p in inputs.rglob("*.xlsx"))
        print(f"场景 {sc.units} 个填报单位 × {sc.periods} 期：{len(files)} 份报表，正在测试……", flush=True)
        figures = _scenario_run(text, inputs, cache, sc.name, materials=full or sc is BASE)
        figures["unzip_s"] = unzip_floor(files)
        figures["simulate_s"] = made_s
        if sc is BASE:
            figures["pandas_read_s"], figures["pandas_sample"] = pandas_floor(files, pandas_sample)
        runs[sc.name] = figures
    monthly = monthly_default(config)
    return _summary(runs, monthly)


def _say(text: str) -> None:
    print(text, flush=True)


def _summary(runs: dict[str, dict], monthly: float) -> dict:
    base, growth = runs[BASE.name], runs[GROWTH.name]
    ingest_s = base["times"]["ingest"]
    report_s = base["times"]["analytics"] + base["times"]["summary"] + sum(base["documents"].values())
    figures = {
        "files": base["files"],
        "ingest_s": round(ingest_s, 3),
        "files_per_s": round(base["files"] / ingest_s, 1),
        "pandas_read_s": round(base["pandas_read_s"], 3),
        "pandas_sample": base["pandas_sample"],
        "unzip_s": round(base["unzip_s"], 3),
        "ratio_vs_pandas": round(base["pandas_read_s"] / ingest_s, 2),
        "ratio_vs_unzip": round(ingest_s / base["unzip_s"], 2),
        "report_s": round(report_s, 3),
        "basis_s": round(base["times"].get("basis", 0.0), 3),
        "growth_2x": round(growth["times"]["ingest"] / ingest_s, 2),
        "monthly_default_s": round(monthly, 3),
        "peak_rss_mb": total_rss(base),
        "peak_rss_mb_2x": total_rss(growth),
        "peak_rss_ingest_mb_2x": total_rss(growth, "rss_ingest_main_mb"),
        "materials_2x": bool(growth["documents"]),
        "workers": base["workers"],
        "scenarios": runs,
    }
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench")
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--scale", choices=["province"], default=None)
    parser.add_argument("--pandas", default=str(PANDAS_SAMPLE), help="pandas 抽样份数，all 为全部")
    parser.add_argument("--full", action="store_true", help="每个场景都出汇总表和材料（默认只在 1,200 份时）")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--materials", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return

    sample = None if args.pandas == "all" else int(args.pandas)
    figures = run(Path(args.config), args.scale, sample, full=args.full)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render(figures))
    print(f"结果已写入 {OUT / 'latest.json'}")


if __name__ == "__main__":
    main()
