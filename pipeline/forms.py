"""Writing one 填报表 (.xlsx) per reporting unit and period, with xlsxwriter.

Layout and keys come from `formspec`; docs/template-spec.md describes the result. Every cell is
locked except the inputs; the hidden `_meta` sheet and the custom document properties carry
what the reader needs to trust the file (unit, period, template version, config fingerprint,
each row's key).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from . import __version__
from .chain import form_chain_line
from .config import Config
from .errors import UserError
from .formspec import (
    COL,
    COLUMNS,
    DATE_CELL,
    DEADLINE_CELL,
    EXP_TEXT_CELL,
    EXP_TITLE_CELL,
    FILLER_CELL,
    FIRST_DATA_ROW,
    FORM_TYPE,
    HEADER_ROW,
    PERIOD_CELL,
    PHONE_CELL,
    REVIEWER_CELL,
    SHEET_EXPERIENCE,
    SHEET_FORM,
    SHEET_META,
    TEMPLATE_VERSION,
    UNIT_CELL,
    FormRow,
    col_index,
    rows_by_unit,
)
from .numbers import number_decimals
from .periods import RETURN_NAMES, Period, due_text, report_deadline
from .textfmt import display_width

NOTE_WIDTH = 180  # characters (CJK counting 2) of 9-point text across the merged notes cell A4:L4
NOTE_LINE = 13  # points a line of notes takes
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
META_ROWS_COL = 3  # the row table on _meta starts in column D


def form_filename(unit_name: str, period: Period, form_name: str = "重点民生实事进展填报表") -> str:
    return safe_filename(f"{unit_name}_{period.label}_{form_name}.xlsx")


def safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)


def write_forms(cfg: Config, period: Period, out_dir: Path, previous: dict | None = None) -> list[Path]:
    """Write every reporting unit's form for the period; `previous` maps unit → {row key: value}."""
    if period.kind not in cfg.reporting.return_kinds():
        kinds = "、".join(RETURN_NAMES[k] for k in cfg.reporting.return_kinds())
        raise UserError(
            f"按分解方案，各单位只报{kinds}（reporting.returns），不需要为{period.label}生成填报表。"
            "如确需收取，请在配置的 reporting.returns 中加上该期别。"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for unit_code, rows in rows_by_unit(cfg).items():
        prev = (previous or {}).get(unit_code, {})
        paths.append(write_form(cfg, period, unit_code, rows, out_dir, prev))
    return paths


def write_form(cfg: Config, period: Period, unit_code: str, rows: list[FormRow], out_dir: Path, previous: dict) -> Path:
    unit = cfg.unit(unit_code)
    path = out_dir / form_filename(unit.name, period, cfg.reporting.form_name)
    deadline = report_deadline(period, getattr(cfg.deadlines, period.kind))
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        fmt = _formats(wb)
        ws = wb.add_worksheet(SHEET_FORM)
        exp = wb.add_worksheet(SHEET_EXPERIENCE)
        meta = wb.add_worksheet(SHEET_META)
        _title_block(ws, fmt, cfg, unit.name, period, deadline, form_chain_line(cfg, rows))
        _data_rows(ws, fmt, rows, previous, meta)
        _page_setup(ws, len(rows))
        _experience_sheet(exp, fmt, unit.name, period)
        _metadata(wb, meta, cfg, unit_code, unit.name, period, deadline, rows)
        ws.activate()
    finally:
        wb.close()
    return path


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
    inp = {**base, "locked": False, "bg_color": "#FFF2CC"}
    return {
        "title": wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"}),
        "label": wb.add_format(
            {
                "font_name": "宋体",
                "font_size": 10,
                "bold": True,
                "align": "right",
                "valign": "vcenter",
                "text_wrap": True,
            }
        ),
        "value": wb.add_format({"font_name": "宋体", "font_size": 10, "valign": "vcenter", "bottom": 1}),
        "input_head": wb.add_format({**inp, "border": 1}),
        "input_date": wb.add_format({**inp, "num_format": "yyyy-mm-dd"}),
        "note": wb.add_format(
            {"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top", "font_color": "#595959"}
        ),
        "header": wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
        "cell": wb.add_format(base),
        "center": wb.add_format({**base, "align": "center"}),
        # Targets and 上期累计 show the decimals they have (106.643, 4,980): never 「16.」.
        "number": _number_formats(wb, base),
        "pending": wb.add_format({**base, "align": "center", "font_color": "#C00000"}),
        "input_num": wb.add_format({**inp, "num_format": "General"}),  # shows exactly what was typed
        "input_text": wb.add_format({**inp, "align": "left", "valign": "top"}),
        "input_stage": wb.add_format({**inp, "align": "center"}),
        "percent": wb.add_format({**base, "num_format": "0.0%"}),
        "key": wb.add_format({**base, "font_color": "#808080", "font_size": 8}),
    }


def _number_formats(wb, base: dict):
    made: dict[int, object] = {}

    def get(decimals: int):
        if decimals not in made:
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            made[decimals] = wb.add_format({**base, "num_format": pattern})
        return made[decimals]

    return get


def _title_block(ws, fmt, cfg: Config, unit_name: str, period: Period, deadline, chain_line: str) -> None:
    last = COL["plans"].letter
    ws.merge_range(f"A1:{last}1", f"{cfg.year}年{cfg.reporting.form_name}", fmt["title"])
    ws.set_row(0, 30)
    ws.merge_range(f"{UNIT_CELL}:E2", f"填报单位：{unit_name}", fmt["value"])
    ws.merge_range(f"{PERIOD_CELL}:I2", f"填报期别：{period.dated_label}", fmt["value"])
    ws.merge_range(f"{DEADLINE_CELL}:L2", f"报送截止：{due_text(deadline)}", fmt["value"])
    inputs = [
        ("A3:B3", "填报人：", FILLER_CELL, None),
        ("D3:E3", "联系电话：", PHONE_CELL, "F3:G3"),
        ("H3:I3", "审核（分管领导）：", REVIEWER_CELL, None),
        ("K3", "填报日期：", DATE_CELL, None),
    ]
    for label_range, label, cell, merged in inputs:
        if ":" in label_range:
            ws.merge_range(label_range, label, fmt["label"])
        else:
            ws.write_string(label_range, label, fmt["label"])
        style = fmt["input_date"] if cell == DATE_CELL else fmt["input_head"]
        if merged:
            ws.merge_range(merged, "", style)
        else:
            ws.write_blank(cell, None, style)
    ws.data_validation(
        DATE_CELL,
        {
            "validate": "date",
            "criteria": ">=",
            "value": dt.date(cfg.year, 1, 1),
            "input_title": "填报日期",
            "input_message": "填写报送日期，如 2023-05-21",
            "error_title": "日期格式不对",
            "error_message": "请填写日期，如 2023-05-21。",
        },
    )
    ws.set_row(1, 28)
    ws.set_row(2, 28)
    notes = (
        "说明：黄色单元格为填写区，其余单元格已锁定。「本期累计完成」填本年1月1日至本期末的累计数，只填数字，"
        "不要带单位；未开展的填 0，暂无数据的留空并在「存在问题」中说明。节点类指标从下拉列表中选择所处阶段。"
        "完成率由表格自动计算，仅供参考。滞后的指标请在「存在问题」中说明原因；累计数比上期少的，请写明更正原因。"
        "报送前可用「minsheng check 本表文件名」自查（或请实事办代查），没有错误再报送。"
    )
    ws.merge_range(f"A4:{last}4", f"{chain_line}\n{notes}" if chain_line else notes, fmt["note"])
    chain_lines = -(-display_width(chain_line) // NOTE_WIDTH)  # 0 without a chain
    ws.set_row(3, 54 + NOTE_LINE * chain_lines)


def _data_rows(ws, fmt, rows: list[FormRow], previous: dict, meta) -> None:
    header_idx = HEADER_ROW - 1
    for c in COLUMNS:
        ws.write_string(header_idx, col_index(c.letter), c.header, fmt["header"])
    ws.set_row(header_idx, 30)
    stage_lists_row = 0
    for i, row in enumerate(rows):
        r = FIRST_DATA_ROW - 1 + i
        ind = row.indicator
        ws.write_string(r, col_index("A"), row.seq, fmt["center"])
        ws.write_string(r, col_index("B"), row.project.title if row.seq else "", fmt["cell"])
        ws.write_string(r, col_index("C"), ind.name if (row.seq or row.area_code is None) else "", fmt["cell"])
        ws.write_string(r, col_index("D"), row.area_name, fmt["center"])
        ws.write_string(r, col_index("E"), row.measure, fmt["center"])
        target_col = col_index(COL["target"].letter)
        if row.target_is_plain_number:
            ws.write_number(r, target_col, row.target, fmt["number"](number_decimals(row.target)))
        else:
            pending = row.target is None and not row.staged
            ws.write_string(r, target_col, row.target_text(), fmt["pending"] if pending else fmt["center"])
        prev_col = col_index(COL["previous"].letter)
        prev = previous.get(row.key)
        if isinstance(prev, (int, float)):
            ws.write_number(r, prev_col, prev, fmt["number"](number_decimals(prev)))
        else:
            ws.write_string(r, prev_col, "" if prev is None else str(prev), fmt["center"])
        value_col = col_index(COL["value"].letter)
        value_cell = xl_rowcol_to_cell(r, value_col)
        if row.staged:
            ws.write_blank(r, value_col, None, fmt["input_stage"])
            ws.data_validation(value_cell, _stage_validation(ind.stages, meta, stage_lists_row))
            stage_lists_row += 1
        else:
            ws.write_blank(r, value_col, None, fmt["input_num"])
            ws.data_validation(value_cell, _number_validation(row))
        rate_col = col_index(COL["rate"].letter)
        target_cell = xl_rowcol_to_cell(r, target_col)
        if row.staged or row.target is None:
            ws.write_string(r, rate_col, "", fmt["percent"])
        else:
            ws.write_formula(
                r,
                rate_col,
                f'=IF(AND(ISNUMBER({value_cell}),ISNUMBER({target_cell}),{target_cell}<>0),{value_cell}/{target_cell},"")',
                fmt["percent"],
                "",
            )
        for field in ("progress", "problems", "plans"):
            ws.write_blank(r, col_index(COL[field].letter), None, fmt["input_text"])
        ws.write_string(r, col_index(COL["key"].letter), row.key, fmt["key"])
        ws.set_row(r, _row_height(row))


def _row_height(row: FormRow) -> float:
    """Room for two lines of notes on an indicator row; an area row under its 合计 stays compact."""
    if row.area_code and not row.seq:
        return 22

    def lines(text: str, field: str) -> int:
        return -(-display_width(text) // int(COL[field].width - 2))

    shown = [(row.indicator.name, "indicator")] + ([(row.project.title, "project")] if row.seq else [])
    return max(36, 14 * max(1, *(lines(text, field) for text, field in shown)))


def _number_validation(row: FormRow) -> dict:
    ind = row.indicator
    lo, hi = ind.value_range()
    unit = f"（{row.measure}）" if row.measure else ""
    if ind.is_level:
        what = f"填写本期末达到的数值{unit}，只填数字"
    else:
        what = f"填写本年1月1日至本期末的累计数{unit}，只填数字，不带单位"
    if row.aggregates:
        what += "；这是审核汇总各区域报来的数后的合计"
    if row.is_pending:
        what += "；目标待定，仍请如实填报"
    v = {"validate": "decimal", "ignore_blank": True, "input_title": "本期累计完成", "input_message": what[:255]}
    if hi is None:
        v.update(criteria=">=", value=lo if lo is not None else 0)
        err = f"请填写不小于 {lo:g} 的数字，不要带单位或文字。"
    else:
        v.update(criteria="between", minimum=lo if lo is not None else 0, maximum=hi)
        err = f"请填写 {lo:g} 到 {hi:g} 之间的数字，不要带单位或文字。"
    v.update(error_title="请填写数字", error_message=err)
    return v


def _stage_validation(stages: list[str], meta, list_row: int) -> dict:
    v = {
        "validate": "list",
        "input_title": "所处阶段",
        "input_message": "从下拉列表中选择本期末所处的阶段",
        "error_title": "请从列表中选择",
        "error_message": "只能填写下拉列表中的阶段名称：" + "、".join(stages),
    }
    inline = ",".join(stages)
    if len(inline) <= 200 and not any("," in s for s in stages):
        v["source"] = stages
    else:  # long lists live on the hidden sheet (inline lists are limited to 255 characters)
        first = 20 + list_row
        for j, s in enumerate(stages):
            meta.write_string(first, 12 + j, s)
        start, end = xl_rowcol_to_cell(first, 12, True, True), xl_rowcol_to_cell(first, 11 + len(stages), True, True)
        v["source"] = f"='{SHEET_META}'!{start}:{end}"
    v["error_message"] = v["error_message"][:255]
    return v


def _page_setup(ws, n_rows: int) -> None:
    for c in COLUMNS:
        ws.set_column(f"{c.letter}:{c.letter}", c.width, None, {"hidden": c.field == "key"})
    ws.freeze_panes(HEADER_ROW, col_index("D"))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.print_area(0, 0, HEADER_ROW - 1 + n_rows, col_index(COL["plans"].letter))
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.protect(
        "", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True, "format_rows": True}
    )


def _experience_sheet(ws, fmt, unit_name: str, period: Period) -> None:
    ws.set_column("A:A", 14)
    ws.set_column("B:B", 90)
    ws.merge_range("A1:B1", "典型经验材料", fmt["title"])
    ws.set_row(0, 30)
    ws.write_string("A2", "报送单位：", fmt["label"])
    ws.write_string("B2", f"{unit_name}（{period.label}）", fmt["value"])
    ws.write_string("A3", "材料标题：", fmt["label"])
    ws.set_row(2, 26)
    ws.write_blank(EXP_TITLE_CELL, None, fmt["input_head"])
    ws.write_string("A4", "材料正文：", fmt["label"])
    ws.write_blank(EXP_TEXT_CELL, None, fmt["input_text"])
    ws.set_row(3, 400)
    ws.write_string("A5", "说明：", fmt["label"])
    ws.write_string("B5", "每月至少报送 1 篇典型经验材料，正文可直接粘贴，800 字左右为宜。", fmt["note"])
    ws.data_validation(
        EXP_TITLE_CELL,
        {"validate": "any", "input_title": "材料标题", "input_message": "如：××镇推行就业服务“一站式”办理"},
    )
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_rows": True})


def _metadata(wb, meta, cfg: Config, unit_code: str, unit_name: str, period: Period, deadline, rows) -> None:
    pairs = metadata_pairs(cfg, unit_code, unit_name, period, deadline, len(rows))
    for i, (k, v) in enumerate(pairs):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    header = ["row_key", "excel_row", "indicator_id", "area_code", "kind"]
    for j, h in enumerate(header):
        meta.write_string(0, META_ROWS_COL + j, h)
    for i, row in enumerate(rows, start=1):
        values = [row.key, str(FIRST_DATA_ROW + i - 1), row.indicator.id, row.area_code or "", row.kind.value]
        for j, v in enumerate(values):
            meta.write_string(i, META_ROWS_COL + j, v)
    meta.hide()
    meta.protect("")
    for k, v in pairs:
        wb.set_custom_property(f"minsheng_{k}", v)
    wb.set_properties(
        {
            "title": f"{unit_name} {period.label} 重点民生实事进展填报表",
            "author": cfg.office.name,
            "company": cfg.office.name,
            "comments": f"minsheng {__version__}",
        }
    )


def metadata_pairs(cfg: Config, unit_code: str, unit_name: str, period: Period, deadline, n_rows: int) -> list:
    return [
        ("form_type", FORM_TYPE),
        ("template_version", str(TEMPLATE_VERSION)),
        ("config_fingerprint", cfg.fingerprint()),
        ("year", str(cfg.year)),
        ("unit_code", unit_code),
        ("unit_name", unit_name),
        ("period", period.code),
        ("period_label", period.label),
        ("deadline", deadline.isoformat() if deadline else ""),
        ("row_count", str(n_rows)),
    ]
