"""The two ingest workbooks staff print and phone from: 校验报告.xlsx and 催报名单.xlsx.

Each is written to a temporary file beside its place and then moved there, so a report open in
Excel/WPS (which locks it on Windows) raises `ReportLocked` and leaves the old copy whole.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from . import messages
from .collector import collector_paused
from .config import Config
from .findings import ERROR, Finding
from .forms import WORKBOOK_OPTIONS, display_width
from .model import ReturnStatus
from .periods import Period, due_text, report_deadline

_replace = os.replace  # the last step of writing a report (tests stand in a locked file here)


class ReportLocked(Exception):
    """A report could not be written, usually because it is open in Excel or WPS."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def save_workbook(path: Path, build: Callable[[xlsxwriter.Workbook], None]) -> Path:
    """Build a workbook in a temporary file beside `path`, then put it in place: a copy held open
    in Excel/WPS raises `ReportLocked` and stays whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"~tmp-{path.name}")
    try:
        with collector_paused():  # a city's workbooks hold 100,000s of cells until close()
            wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
            try:
                build(wb)
            finally:
                wb.close()
        _replace(tmp, path)
    except (PermissionError, FileCreateError):
        tmp.unlink(missing_ok=True)
        raise ReportLocked(path) from None
    return path


FINDING_COLUMNS = [
    ("序号", 6),
    ("严重程度", 9),
    ("问题类型", 16),
    ("填报单位", 20),
    ("文件", 30),
    ("工作表", 10),
    ("单元格", 9),
    ("指标", 22),
    ("所填内容", 14),
    ("问题说明", 50),
    ("处理建议", 32),
    ("规则代码", 16),
]


@dataclass
class ChaseRow:
    unit_code: str
    unit_name: str
    status: ReturnStatus  # 未报送, 逾期报送, 被拒收
    person: str
    phone: str
    deadline: dt.date | None
    received: str
    note: str


def _sheet_setup(wb, ws, title: str, subtitle: str, columns: list[tuple[str, float]], n_rows: int) -> dict:
    f = {
        "title": wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"}),
        "sub": wb.add_format({"font_name": "宋体", "font_size": 10, "align": "center"}),
        "head": wb.add_format(
            {
                "font_name": "宋体",
                "font_size": 10,
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#D9E1F2",
                "text_wrap": True,
            }
        ),
        "cell": wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "valign": "top", "text_wrap": True}),
        "section": wb.add_format({"font_name": "黑体", "font_size": 11, "bold": True, "text_wrap": True}),
        "err": wb.add_format(
            {
                "font_name": "宋体",
                "font_size": 10,
                "border": 1,
                "valign": "top",
                "bold": True,
                "font_color": "#C00000",
                "text_wrap": True,
            }
        ),
    }
    last = len(columns) - 1
    ws.merge_range(0, 0, 0, last, title, f["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, subtitle, f["sub"])
    for c, (name, width) in enumerate(columns):
        ws.write_string(2, c, name, f["head"])
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, 2 + max(n_rows, 0), last)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    ws.set_footer("&C第 &P 页，共 &N 页")
    return f


@dataclass
class UnitTally:
    """One line of the per-unit sheet: who sent what, and how many problems it has."""

    unit_name: str
    status: ReturnStatus
    file: str
    errors: int
    warnings: int
    person: str
    phone: str


TALLY_COLUMNS = [
    ("序号", 6),
    ("填报单位", 28),
    ("报送情况", 14),
    ("文件", 44),
    ("错误", 8),
    ("警告", 8),
    ("联系人", 10),
    ("联系电话", 16),
]


def write_findings_report(
    path: Path,
    cfg: Config,
    period: Period,
    findings: list[Finding],
    summary: str,
    tally: list[UnitTally] = (),
    unplaced: list[Finding] = (),
) -> Path:
    """The period's findings, errors first; then, under their own heading, files tied to no period."""
    order = _ordered(findings)
    title = f"{period.label}重点民生实事报表校验报告"

    def build(wb) -> None:
        ws = wb.add_worksheet("校验问题")
        f = _sheet_setup(wb, ws, title, summary, FINDING_COLUMNS, len(order))
        row = 3
        for i, item in enumerate(order, start=1):
            _finding_row(ws, f, row, i, item)
            row += 1
        if not order:
            ws.merge_range(row, 0, row, len(FINDING_COLUMNS) - 1, messages.NO_FINDINGS, f["cell"])
            row += 1
        if unplaced:
            row += 1
            files = len({x.file for x in unplaced})
            ws.merge_range(
                row, 0, row, len(FINDING_COLUMNS) - 1, messages.UNPLACED_HEADING.format(n=files), f["section"]
            )
            row += 1
            for i, item in enumerate(_ordered(unplaced), start=1):
                _finding_row(ws, f, row, i, item)
                row += 1
        if tally:
            _tally_sheet(wb, wb.add_worksheet("按单位汇总"), period, tally)
        wb.set_properties({"title": title, "author": cfg.office.name})

    return save_workbook(path, build)


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.unit_name or "~", f.file, _cell_order(f.cell)))


def finding_cells(item: Finding, unit_name: str = "") -> list[str]:
    """A finding as the cells of FINDING_COLUMNS after 序号 (severity … rule code)."""
    return [
        str(item.severity),
        item.title,
        item.unit_name or unit_name or item.unit_code,
        item.file,
        item.sheet,
        item.cell,
        item.indicator_name,
        item.raw[:500],
        item.message,
        item.hint,
        item.code,
    ]


def _finding_row(ws, f: dict, r: int, i: int, item: Finding) -> None:
    style = f["err"] if item.severity == ERROR else f["cell"]
    values = [str(i), *finding_cells(item)]
    for c, v in enumerate(values):
        ws.write_string(r, c, v, style if c < 2 else f["cell"])
    ws.set_row(r, _height(item.message, 50))


def _tally_sheet(wb, ws, period: Period, tally: list[UnitTally]) -> None:
    """Units with errors first: the order in which staff pick up the phone."""
    rows = sorted(tally, key=lambda t: (-t.errors, t.status != ReturnStatus.missing, -t.warnings))
    f = _sheet_setup(wb, ws, f"{period.label}各单位报表校验情况", "错误多的单位排在前面", TALLY_COLUMNS, len(rows))
    for i, t in enumerate(rows, start=1):
        values = [str(i), t.unit_name, str(t.status), t.file, str(t.errors), str(t.warnings), t.person, t.phone]
        for c, v in enumerate(values):
            ws.write_string(2 + i, c, v, f["err"] if c == 4 and t.errors else f["cell"])


def _height(text: str, width: float) -> float:
    lines = max(1, -(-display_width(text) // int(width)))
    return min(400, 15 * lines + 3)


def _cell_order(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in ref.split(":")[0] if ch.isdigit())
    return (int(digits) if digits else 0, ref)


CHASE_COLUMNS = [
    ("序号", 6),
    ("填报单位", 26),
    ("情况", 10),
    ("联系人", 10),
    ("联系电话", 16),
    ("报送截止", 14),
    ("收到日期", 14),
    ("说明", 50),
]


def write_chase_list(path: Path, cfg: Config, period: Period, rows: list[ChaseRow]) -> Path:
    deadline = report_deadline(period, getattr(cfg.deadlines, period.kind))
    title = f"{period.label}重点民生实事报表催报名单"

    def build(wb) -> None:
        ws = wb.add_worksheet("催报名单")
        missing = sum(1 for r in rows if r.status == ReturnStatus.missing)
        rejected = sum(1 for r in rows if r.status == ReturnStatus.rejected)
        late = sum(1 for r in rows if r.status == ReturnStatus.late)
        subtitle = f"报送截止：{due_text(deadline)}　未报送 {missing} 个单位，被拒收 {rejected} 个，逾期 {late} 个"
        f = _sheet_setup(wb, ws, title, subtitle, CHASE_COLUMNS, len(rows))
        for i, r in enumerate(rows, start=1):
            values = [
                str(i),
                r.unit_name,
                str(r.status),
                r.person,
                r.phone,
                f"{r.deadline:%Y-%m-%d}" if r.deadline else "不定期",
                r.received,
                r.note,
            ]
            urgent = r.status in (ReturnStatus.missing, ReturnStatus.rejected)
            for c, v in enumerate(values):
                ws.write_string(2 + i, c, v, f["err"] if c == 2 and urgent else f["cell"])
            ws.set_row(2 + i, _height(r.note, 50))
        if not rows:
            ws.merge_range(3, 0, 3, len(CHASE_COLUMNS) - 1, "各单位均已按时报送。", f["cell"])
        wb.set_properties({"title": title, "author": cfg.office.name})

    return save_workbook(path, build)
