"""`make all`: the office's end-of-month routine in one command.

One ingest, then for the month: the 旬简报 of its latest 旬 (from the monthly returns where units
send no 旬 forms) or the 周简报 of its latest week, the 月通报, and the 季总结 when the month closes
a quarter; each document with
its 汇总表 and 数据依据 in outputs/<period>/, as `make dekad`, `make monthly` and `make quarterly`
write them. Documents the office does not issue are left out, saying so once.
"""

from __future__ import annotations

from pathlib import Path

from .analytics.schedule import as_of
from .config import Config
from .errors import UserError
from .jobs import JobReport, demo_inputs, document_name, finish, intake, latest_period, materials, monthly_brief
from .ledger import Ledger
from .periods import Period, parse_period_in

KINDS = ("dekad", "week", "month", "quarter")
DEMO_MONTH = 6  # the demo's month closes a quarter, so all three documents show


def run_all(
    cfg: Config, inputs: Path, period: str | None, outputs: Path = Path("outputs"), pdf: bool = False
) -> JobReport:
    wanted = parse_period_in(cfg.year, period) if period else None
    if wanted is not None and wanted.kind != "month":
        raise UserError(f"「{wanted.label}」不是月份；月末材料请写月份，如 {cfg.year}-06。")
    issued = [k for k in KINDS if document_name(cfg, k)]
    if not issued:
        return JobReport(["本办公室的调度机制中没有旬、月、季材料，无需运行此命令。"])
    names = "、".join(document_name(cfg, k) for k in issued)
    job = JobReport([f"{cfg.office.name}（{cfg.year}年）· 月末材料：{names}"])
    demo_month = wanted or Period.of_month(cfg.year, DEMO_MONTH)
    outputs = intake(cfg, inputs, outputs, job, lambda into: demo_returns(cfg, demo_month, into))
    with Ledger.for_config(cfg, outputs) as ledger:
        month = wanted or latest_period(ledger, "month", cfg.year)
        dekad = None if month is None else brief_period(cfg, ledger, month)
        week = None if month is None else latest_within(ledger, "week", month, cfg.year)
    if month is None:
        job.lines.append("台账中还没有任何月报，暂不能生成月末材料。")
        return job
    reports = {}
    for kind in issued:
        target = {"dekad": dekad, "week": week, "month": month, "quarter": closed_quarter(month)}[kind]
        if target is None:
            job.lines.append(_skipped(cfg, kind, month))
            continue
        if materials(cfg, kind, outputs, target, job):
            reports[kind] = job.report
    job.report = reports.get("month", job.report)
    finish(job, pdf)
    return job


def brief_period(cfg: Config, ledger: Ledger, month: Period) -> Period | None:
    """The 旬 of the month's 旬简报: the 旬 of its cut-off where units send only monthly forms,
    else the month's latest 旬 with returns (None: no 旬 return of the month has come yet)."""
    if monthly_brief(cfg, "dekad"):
        day = as_of(cfg, month)
        return next(p for p in month.sub_periods("dekad") if p.contains(day))
    return latest_within(ledger, "dekad", month, cfg.year)


def latest_within(ledger: Ledger, kind: str, month: Period, year: int) -> Period | None:
    """The latest 旬 (or week) with returns, if it lies in the month."""
    latest = latest_period(ledger, kind, year)
    return latest if latest is not None and month.contains(latest) else None


def closed_quarter(month: Period) -> Period | None:
    quarter = month.parent("quarter")
    return quarter if quarter.end == month.end else None


def _skipped(cfg: Config, kind: str, month: Period) -> str:
    name = document_name(cfg, kind)
    if kind == "quarter":
        return f"{month.label}不是季末，不出{name}。"
    word = "周" if kind == "week" else "旬"
    return f"{month.label}各{word}还没有收到{word}报，不出{name}。"


def demo_returns(cfg: Config, month: Period, into: Path) -> None:
    """Simulated returns for the demo: the month and the one before (the later with mistakes planted),
    the month closing the quarter before (for the 季总结's comparison) and the month's 旬 if units send them."""
    kinds = cfg.reporting.return_kinds()
    months = [m for m in (month.previous().previous().previous(), month.previous(), month) if m.year == month.year]
    if closed_quarter(month) is None:
        months = months[1:]
    periods = [m for m in months if "month" in kinds]
    if "dekad" in kinds:
        periods += month.sub_periods("dekad")
    from .simulate import simulate  # openpyxl: only when the demo returns are made

    if not periods:  # units send only weeks: the demo's own choice of weeks
        demo_inputs(cfg, "month", into)
        return
    for p in periods:
        target = into / p.code
        if not target.exists():
            simulate(cfg, p, target, seed=2023, messy=p in (month, month.sub_periods("dekad")[-1]))
