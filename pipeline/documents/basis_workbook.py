"""`<文档名>_数据依据.xlsx`: one row per number a document prints, and where each came from.

Sheet 数据依据: where the number stands (section, paragraph or table cell, the words around it),
the number as printed, what it is, how it was computed and the first inputs (unit, file, sheet,
cell, what was typed, archive copy). Sheet 全部来源: every input of every number, one per row,
for a sum over many units. A number nothing explains is listed too, marked, never left out.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import stages
from ..model import Source
from ..reports import save_workbook
from .basis import Basis
from .trace import Occurrence

SHOWN_SOURCES = 3  # inputs listed on the 数据依据 row; the rest on 全部来源

COLUMNS = [
    ("序号", 6),
    ("章节", 22),
    ("位置", 30),
    ("所在文字", 44),
    ("印出的数", 10),
    ("含义", 30),
    ("计算方法", 36),
    ("计算值", 12),
    ("依据单位", 18),
    ("报表文件", 30),
    ("工作表", 10),
    ("单元格", 8),
    ("原始填写", 14),
    ("存档路径", 40),
]
SOURCE_COLUMNS = [("序号", 6), ("印出的数", 10), ("含义", 30), *COLUMNS[8:]]


def basis_path(document: Path) -> Path:
    return document.with_name(f"{document.stem}_数据依据.xlsx")


def write_basis(document: Path, basis: Basis) -> Path:
    """The workbook of `basis.occurrences` (traced while `document` was rendered), beside it."""
    rows = basis.occurrences
    path = basis_path(document)
    began = stages.clock()  # make bench shows it apart: at city scale it is half a document's time
    # WORKBOOK_OPTIONS (through save_workbook): a unit's 「=cmd|…」 stays text, never a formula
    saved = save_workbook(path, lambda wb: _build(wb, document, basis, rows))
    stages.add("basis", began)
    return saved


def _build(wb, document: Path, basis: Basis, rows) -> None:
    head = wb.add_format({"bold": True, "font_name": "宋体", "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    cell = wb.add_format({"font_name": "宋体", "border": 1, "text_wrap": True, "valign": "top"})
    alert = wb.add_format(
        {"font_name": "宋体", "border": 1, "text_wrap": True, "valign": "top", "font_color": "#C00000"}
    )
    title = wb.add_format({"bold": True, "font_name": "黑体", "font_size": 14})
    main = wb.add_worksheet("数据依据")
    main.write(0, 0, f"{document.stem}：文中每个数字的来源与计算方法", title)
    _header(main, COLUMNS, head)
    everything = wb.add_worksheet("全部来源")
    everything.write(0, 0, "每个数字用到的全部填报单元格（合计、计数等由多个单元格得出的，逐格列出）", title)
    _header(everything, SOURCE_COLUMNS, head)
    row_all = 2
    for i, occ in enumerate(rows, start=1):
        meaning, how, value, sources = _explain(occ, basis)
        fmt = alert if meaning.startswith("未找到") else cell
        _put_row(
            main, i + 1, 0, [i, occ.place.section, occ.place.where, occ.snippet, occ.number, meaning, how, value], fmt
        )
        shown = sources[:SHOWN_SOURCES]
        more = f"\n（另有{len(sources) - len(shown)}格，见「全部来源」第{i}号）" if len(sources) > len(shown) else ""
        cols = list(zip(*[_source_cells(s, basis) for s in shown], strict=True)) if shown else [("",)] * 6
        texts = ["\n".join(c) for c in cols]
        texts[0] += more
        _put_row(main, i + 1, 8, texts, fmt)
        for s in sources:
            _put_row(everything, row_all, 0, [i, occ.number, meaning, *_source_cells(s, basis)], cell)
            row_all += 1
    for ws in (main, everything):  # printed: A4 landscape, all columns on one page width, header on each page
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
    main.freeze_panes(2, 1)
    main.autofilter(1, 0, len(rows) + 1, len(COLUMNS) - 1)
    everything.freeze_panes(2, 1)


def _put_row(ws, row: int, col: int, values: list, fmt) -> None:
    """write_row without its per-value type dispatch (a city's 数据依据 has half a million cells):
    the values here are text or numbers, and text is never a formula or a link (WORKBOOK_OPTIONS)."""
    text, number, blank = ws.write_string, ws.write_number, ws.write_blank
    for c, v in enumerate(values, start=col):
        if v == "":
            blank(row, c, None, fmt)  # as write() does: a formatted empty cell, not an empty string
        elif isinstance(v, str):
            text(row, c, v, fmt)
        else:
            number(row, c, v, fmt)


def _header(ws, columns, fmt) -> None:
    for c, (name, width) in enumerate(columns):
        ws.write(1, c, name, fmt)
        ws.set_column(c, c, width)


def _explain(occ: Occurrence, basis: Basis) -> tuple[str, str, float | str, tuple[Source, ...]]:
    """(what the number is, how it was computed, the unrounded value, its inputs)."""
    f = occ.figure
    if f is None:
        return "未找到计算依据（可能是模板中的固定文字）", "", "", ()
    if f.quote:
        unit = basis.units.get(f.sources[0].unit_code, "单位") if f.sources else "单位"
        return f"{unit}报送的文字（{f.item}）中的数字", "原文照录", "", f.sources
    value = "" if f.value is None else f.value  # unrounded, as analytics computed it
    return f"{f.item}·{f.what}", f.how, value, f.sources


def _source_cells(s: Source, basis: Basis) -> tuple[str, str, str, str, str, str]:
    raw = _SURROGATE.sub("", s.raw)  # a lone surrogate cannot be written to a workbook
    return (basis.units.get(s.unit_code, s.unit_code), s.file, s.sheet, s.cell, raw, s.archive_path)


_SURROGATE = re.compile(r"[\ud800-\udfff]")
