"""The periodic jobs behind `make monthly` / `make dekad` / `make quarterly`.

With an empty inputs/ the job runs a demonstration on simulated returns under outputs/demo/,
so a fresh clone shows what the tool does without touching the real ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .ingest import render_result, run_ingest
from .periods import Period, parse_period, parse_period_in
from .readers import discover
from .simulate import simulate

KIND_WORDS = {"dekad": "旬简报", "month": "月通报", "quarter": "季总结"}
DEMO_PERIODS = {"dekad": ["05-1", "05-2"], "month": ["04", "05"], "quarter": ["04", "05"]}


@dataclass
class JobReport:
    lines: list[str] = field(default_factory=list)

    def render(self) -> str:
        return "\n".join(self.lines)


def demo_inputs(cfg: Config, kind: str, into: Path) -> list[Period]:
    """Simulated returns for two periods, the later one with the usual mistakes planted."""
    periods = [parse_period(f"{cfg.year}-{suffix}") for suffix in DEMO_PERIODS[kind]]
    for i, p in enumerate(periods):
        target = into / p.code
        if not target.exists():
            simulate(cfg, p, target, seed=2023, messy=i == len(periods) - 1)
    return periods


def run_cycle(cfg: Config, kind: str, inputs: Path, period: str | None, outputs: Path = Path("outputs")) -> JobReport:
    """Ingest what is in inputs/ (or the demo returns), then report where everything is."""
    report = JobReport([f"{cfg.office.name}（{cfg.year}年）· {KIND_WORDS[kind]}"])
    wanted = parse_period_in(cfg.year, period) if period else None
    has_returns = inputs.is_dir() and any(d.kind == "spreadsheet" for d in discover(inputs))
    if not has_returns:
        outputs = outputs / "demo"
        inputs = outputs / "示例报表"
        demo_inputs(cfg, kind, inputs)
        report.lines.append("「inputs」文件夹中还没有报表，本次用随附的模拟报表演示，结果在 " + str(outputs) + "。")
    result = run_ingest(cfg, inputs, outputs, wanted)  # takes the outputs lock; refuses another office's ledger
    report.lines.append(render_result(result, inputs, outputs))
    latest = wanted.code if wanted else (result.periods[-1] if result.periods else "")
    if latest:
        returns = parse_period(latest)
        covered = returns.parent("quarter") if kind == "quarter" and returns.kind != "year" else returns
        report.lines.append(
            f"本期（{covered.label}）的{KIND_WORDS[kind]}将在汇总与印发功能上线后生成；"
            f"校验报告和催报名单已在 {outputs / latest}。"
        )
    return report
