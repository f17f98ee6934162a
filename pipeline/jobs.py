"""The periodic jobs behind `make monthly` / `make dekad` / `make weekly` / `make quarterly`, and `status`.

ingest → snapshot → progress report → 汇总表 and the period's document. With an empty inputs/ the
job runs a demonstration on simulated returns under outputs/demo/, so a fresh clone shows what the
tool does without touching the real ledger.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .analytics.build import build_reports, previous_period
from .analytics.report import ProgressReport
from .analytics.schedule import as_of
from .collector import collector_paused
from .config import Config
from .errors import UserError
from .ingest import render_result, run_ingest
from .ledger import Ledger
from .periods import Period, cn_date, parse_period, parse_period_in
from .readers import discover
from .reports import ReportLocked
from .snapshot import counts_for, read_snapshots
from .status import summary_lines

KIND_WORDS = {"dekad": "旬", "week": "周", "month": "月", "quarter": "季度", "year": "年度"}
DEMO_PERIODS = {"dekad": ["05-1", "05-2"], "week": ["W20", "W21"], "month": ["04", "05"], "quarter": ["03", "06"]}


@dataclass
class JobReport:
    lines: list[str] = field(default_factory=list)
    report: ProgressReport | None = None
    outputs: list[Path] = field(default_factory=list)

    def render(self) -> str:
        return "\n".join(self.lines)


def document_name(cfg: Config, kind: str) -> str | None:
    doc = cfg.reporting.document(kind)
    return doc.name if doc else None


def demo_inputs(cfg: Config, kind: str, into: Path, wanted: Period | None = None) -> list[Period]:
    """Simulated returns for two periods, the later one with the usual mistakes planted.

    A quarter asked for by name (2023-Q4) gets the last months of it and of the quarter before."""
    # an office whose units return no 旬 (周) forms gets monthly demo returns for its 旬简报 (周简报) too
    key = "month" if kind in ("dekad", "week") and kind not in cfg.reporting.return_kinds() else kind
    suffixes = DEMO_PERIODS[key]
    if kind == "quarter" and wanted is not None and wanted.kind == "quarter":
        suffixes = [f"{q.end.month:02d}" for q in (wanted.previous(), wanted) if q.year == wanted.year]
    periods = [parse_period(f"{cfg.year}-{suffix}") for suffix in suffixes]
    if periods[0].kind not in cfg.reporting.return_kinds() and "week" in cfg.reporting.return_kinds():
        # units return only weeks: the last week wholly inside each period stands for it
        periods = [p.sub_periods("week")[-1] for p in periods if p.sub_periods("week")]
    # absolute: the workers outlive a call and keep the folder they started in
    todo = [(p.code, str((into / p.code).resolve()), i == len(periods) - 1) for i, p in enumerate(periods)]
    todo = [t for t in todo if not Path(t[1]).exists()]
    if todo:  # one period per reading worker (the same files as made here: they follow the seed)
        from .prepare import intake_job
        from .workers import run_ordered

        made = run_ordered(todo, lambda t: t, _simulate_demo, intake_job(cfg), lambda timed_out: None)
        for (code, target, messy), done in list(made):
            if done is None:  # its worker died: make it here
                _simulate_demo(intake_job(cfg).local, code, target, messy)
    return periods


def _simulate_demo(intake, code: str, target: str, messy: bool) -> bool:
    from .simulate import simulate  # openpyxl: only when the demo returns are made

    simulate(intake.cfg, parse_period(code), Path(target), seed=2023, messy=messy)
    return True


def fresh_demo(cfg: Config, demo: Path) -> None:
    """The demo is remade when the config changed (or is another county's): its returns follow the config."""
    marker = demo / ".config"
    stamp = f"{cfg.office.name}|{cfg.year}|{cfg.fingerprint()}"
    if demo.exists() and (not marker.exists() or marker.read_text(encoding="utf-8") != stamp):
        shutil.rmtree(demo)
    demo.mkdir(parents=True, exist_ok=True)
    marker.write_text(stamp, encoding="utf-8")


def latest_period(ledger: Ledger, kind: str, year: int) -> Period | None:
    """The latest period of `kind` that some accepted return counts for."""
    found = []
    for s in ledger.submissions():
        if s["status"] != "accepted" or not s["period"]:
            continue
        p = parse_period(s["period"])
        if p.year != year:
            continue
        # None: a year's return says nothing about the latest quarter, nor a week across two months about a month
        enclosing = p.within(kind)
        if enclosing is not None and counts_for(enclosing, p):
            found.append(enclosing)
    return max(found, key=lambda q: q.end) if found else None


def monthly_brief(cfg: Config, kind: str) -> bool:
    """A 旬简报 whose units return no 旬 forms: it stands on their monthly returns."""
    return kind == "dekad" and "dekad" not in cfg.reporting.return_kinds()


def document_periods(cfg: Config, ledger: Ledger, kind: str, wanted: Period | None) -> tuple[Period, Period] | None:
    """(the period the document is for, the period whose returns it stands on); None when there is none.

    Where units return only monthly forms, the 旬简报 is made from the month whose figures stand
    at a day of the 旬 (the cut-off: 5月20日 → 5月中旬; the month's end without one → 下旬)."""
    if not monthly_brief(cfg, kind):
        target = wanted or latest_period(ledger, kind, cfg.year)
        return (target, target) if target is not None else None
    month = Period.of_month(wanted.year, wanted.month) if wanted else latest_period(ledger, "month", cfg.year)
    if month is None:
        return None
    day = as_of(cfg, month)
    dekad = next(p for p in month.sub_periods("dekad") if p.contains(day))
    if wanted is not None and wanted != dekad:
        raise UserError(
            f"本办公室各单位只报月报，旬简报按月报编发：{month.label}的数据截至{cn_date(day)}，"
            f"属{dekad.short_label}，请写 {dekad.code}。"
        )
    return dekad, month


def progress_report(cfg: Config, outputs: Path, period: Period) -> ProgressReport:
    """The report for a period, with the previous period of the same kind for 本期新增 and changes."""
    return progress_reports(cfg, outputs, period)[0]


def progress_reports(cfg: Config, outputs: Path, period: Period) -> tuple[ProgressReport, ProgressReport | None]:
    """The period's report and the previous period's (None in the first period of the year).

    Three snapshots from one read of the ledger: the period, the one before, and the figures of
    the one before that (for the previous report's own 本期新增). At city scale the snapshots and
    reports are ~150,000 small objects, all alive until the reports are returned: the collector
    is paused meanwhile (pipeline.collector), as it is for a workbook or a document."""
    chain = [period]
    while len(chain) < 3 and (earlier := previous_period(chain[-1])) is not None:
        chain.append(earlier)
    with collector_paused():
        with Ledger.for_config(cfg, outputs) as ledger:
            snaps = read_snapshots(ledger, cfg, chain, figures_only=chain[2:])
        # the last snapshot only serves as a previous one, unless the year began before it
        reports = build_reports(cfg, snaps if len(snaps) == 3 else [*snaps, None])
    return reports[0], reports[1] if len(reports) > 1 else None


def run_cycle(
    cfg: Config, kind: str, inputs: Path, period: str | None, outputs: Path = Path("outputs"), pdf: bool = False
) -> JobReport:
    """Ingest what is in inputs/ (or the demo returns), then the period's report and materials."""
    name = document_name(cfg, kind)
    if name is None:
        issued = "、".join(d.name for d in cfg.reporting.documents)
        return JobReport([f"本办公室的调度机制（{issued}）中没有{KIND_WORDS[kind]}材料，无需运行此命令。"])
    job = JobReport([f"{cfg.office.name}（{cfg.year}年）· {name}"])
    wanted = parse_period_in(cfg.year, period) if period else None
    if wanted is not None and wanted.kind != kind:
        raise UserError(
            f"「{wanted.label}」不是{KIND_WORDS[kind]}期别；{name}请写如 {_example(cfg.year, kind)} 的期别。"
        )
    outputs = intake(cfg, inputs, outputs, job, lambda into: demo_inputs(cfg, kind, into, wanted))
    if materials(cfg, kind, outputs, wanted, job):
        finish(job, pdf)
    return job


def intake(cfg: Config, inputs: Path, outputs: Path, job: JobReport, demo: Callable[[Path], object]) -> Path:
    """Ingest inputs/; when it holds no returns, `demo` simulates some under outputs/demo/ (which is returned)."""
    files = discover(inputs) if inputs.is_dir() else []  # walked once: ingest takes this list
    if not any(d.kind == "spreadsheet" for d in files):
        from .prepare import intake_job
        from .workers import start

        start(intake_job(cfg))  # the reading workers boot while the demo returns are made
        outputs = outputs / "demo"
        inputs = outputs / "示例报表"
        fresh_demo(cfg, outputs)
        demo(inputs)
        job.lines.append("「inputs」文件夹中还没有报表，本次用随附的模拟报表演示，结果在 " + str(outputs) + "。")
        files = discover(inputs)
    result = run_ingest(cfg, inputs, outputs, None, files=files)
    job.lines.append(render_result(result, inputs, outputs))
    return outputs


def materials(cfg: Config, kind: str, outputs: Path, wanted: Period | None, job: JobReport) -> bool:
    """The period's 汇总表 and document into outputs/<period>/; False when the ledger has nothing for it."""
    name = document_name(cfg, kind) or KIND_WORDS[kind]
    with Ledger.for_config(cfg, outputs) as ledger:
        periods = document_periods(cfg, ledger, kind, wanted)
    if periods is None:
        word = KIND_WORDS["month" if monthly_brief(cfg, kind) else kind]
        job.lines.append(f"台账中还没有任何{word}的报表，暂不能生成{name}。")
        return False
    target, source = periods
    job.report, before = progress_reports(cfg, outputs, source)
    job.outputs.append(write_materials(cfg, job.report, outputs / target.code))
    renderer = RENDERERS.get(kind)
    if renderer is None:
        job.lines.append(f"{name}正在开发中，本次先生成进展汇总表。")
    else:
        job.outputs += render_document(cfg, renderer, job.report, before, outputs, name)
    return True


def finish(job: JobReport, pdf: bool) -> None:
    """PDFs when asked, the overall line of the last report, and the files made."""
    if pdf:
        from .documents.pdf import to_pdf

        job.outputs.extend(to_pdf([p for p in job.outputs if p.suffix == ".docx"]))
    job.lines.append("")
    if job.report is not None:
        job.lines.extend(summary_lines(job.report))
    job.lines.extend(f"已生成：{path}" for path in job.outputs)
    job.lines.append(LIGHTS_HINT)


# The document of each period kind: "module:function", imported only when that document is made
# (python-docx and docxtpl stay out of `status` and `ingest`). Each function takes
# (cfg, report, outputs, *, ledger, previous) and returns the .docx path it wrote.
RENDERERS = {
    "dekad": "pipeline.documents.brief:render_brief",
    "week": "pipeline.documents.brief:render_brief",
    "month": "pipeline.documents.monthly:render_notice",
    "quarter": "pipeline.documents.summary:render_summary",
}


def render_document(
    cfg: Config, renderer: str, report: ProgressReport, previous: ProgressReport | None, outputs: Path, name: str
) -> list[Path]:
    """The period's document and its 数据依据; a file held open in Word/WPS is a plain message."""
    import importlib

    from .documents.basis_workbook import basis_path

    module, function = renderer.split(":")
    render = getattr(importlib.import_module(module), function)
    with Ledger.for_config(cfg, outputs) as ledger:
        try:
            doc = render(cfg, report, outputs, ledger=ledger, previous=previous)
        except PermissionError as exc:
            raise UserError(held_open(Path(exc.filename or outputs / report.period / f"{name}.docx"))) from None
        except ReportLocked as locked:  # the document was written; its 数据依据 is held open
            raise UserError(held_open(locked.path)) from None
    return [doc, basis_path(doc)]


LIGHTS_HINT = "汇总表中：绿灯为已完成或达到序时进度，黄灯为略低于序时或滞后，红灯为严重滞后；「—」为未报送、数据有误、未填或目标待定。"


def write_materials(cfg: Config, report: ProgressReport, out_dir: Path) -> Path:
    """The 汇总表 of the period; a file held open in Excel/WPS is a plain message, not a traceback."""
    from .summary_workbook import summary_filename, write_summary

    path = out_dir / summary_filename(cfg)
    try:
        return write_summary(cfg, report, path)
    except (PermissionError, ReportLocked):
        raise UserError(held_open(path)) from None


def held_open(path: Path) -> str:
    return f"无法写入「{path}」：文件可能正在 Excel、Word 或 WPS 中打开。请关闭该文件后重新运行。"


def _example(year: int, kind: str) -> str:
    return {
        "dekad": f"{year}-05-2",
        "week": f"{year}-W21",
        "month": f"{year}-05",
        "quarter": f"{year}-Q2",
        "year": f"{year}",
    }[kind]
