"""The 填报表: structure, protection, validation, metadata, printing, and LibreOffice opening it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, convert

from pipeline.config_load import load_config
from pipeline.forms import form_filename, write_forms
from pipeline.formspec import FIRST_DATA_ROW, HEADER_ROW, SHEET_EXPERIENCE, SHEET_FORM, SHEET_META, rows_by_unit
from pipeline.periods import parse_period

MAY = parse_period("2023-05")


@pytest.fixture
def forms(sample_config, tmp_path) -> dict[str, Path]:
    paths = write_forms(sample_config, MAY, tmp_path / "forms")
    return {p.name: p for p in paths}


def test_one_form_per_reporting_unit_named_for_people(sample_config, forms):
    expected = {form_filename(sample_config.unit(u).name, MAY) for u in rows_by_unit(sample_config)}
    assert set(forms) == expected
    assert "某县人力资源和社会保障局_2023年5月_重点民生实事进展填报表.xlsx" in forms


def test_sheets_protection_and_inputs(forms):
    wb = openpyxl.load_workbook(forms["某县人力资源和社会保障局_2023年5月_重点民生实事进展填报表.xlsx"])
    assert wb.sheetnames == [SHEET_FORM, SHEET_EXPERIENCE, SHEET_META]
    assert wb[SHEET_META].sheet_state == "hidden"
    ws = wb[SHEET_FORM]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # nobody can be locked out
    assert wb[SHEET_EXPERIENCE].protection.sheet is True
    first = FIRST_DATA_ROW
    for col in "HJKL":
        assert ws[f"{col}{first}"].protection.locked is False, col
    for col in "ABCDEFGIM":
        assert ws[f"{col}{first}"].protection.locked is True, col
    for ref in ("C3", "F3", "J3", "L3"):
        assert ws[ref].protection.locked is False, ref
    assert wb[SHEET_EXPERIENCE]["B3"].protection.locked is False
    assert wb[SHEET_EXPERIENCE]["B4"].protection.locked is False


def test_header_title_block_and_rows(forms):
    ws = openpyxl.load_workbook(forms["某县人力资源和社会保障局_2023年5月_重点民生实事进展填报表.xlsx"])[SHEET_FORM]
    header = [ws.cell(HEADER_ROW, c).value for c in range(1, 14)]
    assert header == [
        "序号",
        "项目",
        "指标",
        "区域",
        "计量单位",
        "年度目标",
        "上期累计",
        "本期累计完成",
        "完成率",
        "进展情况",
        "存在问题",
        "下步打算",
        "行键",
    ]
    assert ws["A2"].value == "填报单位：某县人力资源和社会保障局"
    assert ws["F2"].value == "填报期别：2023年5月"
    assert ws["J2"].value == "报送截止：2023年6月20日"  # day 20 of the next month in the sample config
    rows = [[ws.cell(r, c).value or "" for c in (1, 3, 4, 6, 13)] for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 5)]
    assert rows == [
        ["1", "城镇新增就业", "合计", 1000, "jiuye"],
        ["", "", "乙镇", 600, "jiuye@yi"],
        ["", "", "丙乡", 400, "jiuye@bing"],
        ["2", "补贴性职业技能培训", "", 500, "peixun"],
        ["3", "创业培训", "", 100, "chuangye"],
    ]
    assert ws.column_dimensions["M"].hidden is True
    # The completion rate is a formula for the filler's convenience, with no stale cached number.
    assert str(ws[f"I{FIRST_DATA_ROW}"].value).startswith("=IF(")


def test_validation_messages_and_drop_downs(forms):
    ws = openpyxl.load_workbook(forms["某县卫生健康局_2023年5月_重点民生实事进展填报表.xlsx"])[SHEET_FORM]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    stage = by_cell[f"H{FIRST_DATA_ROW}"]
    assert stage.type == "list"
    assert stage.formula1 == '"未启动,前期工作,开工建设,主体完工,全面完成"'
    assert stage.showErrorMessage and stage.errorTitle and "阶段" in stage.error
    count = by_cell[f"H{FIRST_DATA_ROW + 1}"]
    assert count.type == "decimal" and count.operator == "greaterThanOrEqual"
    assert "只填数字" in count.prompt and count.promptTitle == "本期累计完成"
    env = openpyxl.load_workbook(forms["某县生态环境分局_2023年5月_重点民生实事进展填报表.xlsx"])[SHEET_FORM]
    rate = {str(dv.sqref): dv for dv in env.data_validations.dataValidation}[f"H{FIRST_DATA_ROW}"]
    assert rate.type == "decimal" and rate.operator in (None, "between")  # "between" is the default, left out
    assert (float(rate.formula1), float(rate.formula2)) == (0, 100)
    assert "目标待定" in rate.prompt
    assert env[f"F{FIRST_DATA_ROW}"].value == "目标待定"


def test_metadata_sheet_and_properties(sample_config, forms):
    wb = openpyxl.load_workbook(forms["甲镇人民政府_2023年5月_重点民生实事进展填报表.xlsx"])
    meta = wb[SHEET_META]
    pairs = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 11)}
    assert pairs["form_type"] == "minsheng-return"
    assert pairs["template_version"] == "1"
    assert pairs["unit_code"] == "town1"
    assert pairs["period"] == "2023-05"
    assert pairs["config_fingerprint"] == sample_config.fingerprint()
    assert [meta.cell(r, c).value for r in (1, 2) for c in range(4, 9)] == [
        "row_key",
        "excel_row",
        "indicator_id",
        "area_code",
        "kind",
        "shuizhi@jia",
        str(FIRST_DATA_ROW),
        "shuizhi",
        "jia",
        "rate",
    ]
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["minsheng_unit_code"] == "town1"
    assert props["minsheng_period"] == "2023-05"
    assert props["minsheng_template_version"] == "1"


def test_print_setup(forms):
    ws = openpyxl.load_workbook(forms["某县民政局_2023年5月_重点民生实事进展填报表.xlsx"])[SHEET_FORM]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$5:$5"
    assert "&P" in ws.oddFooter.center.text
    assert ws.freeze_panes == "D6"


def test_previous_values_are_prefilled(sample_config, tmp_path):
    paths = write_forms(sample_config, MAY, tmp_path, previous={"rsj": {"jiuye": 420.0, "peixun": 210.0}})
    rsj = next(p for p in paths if "人力资源" in p.name)
    ws = openpyxl.load_workbook(rsj)[SHEET_FORM]
    assert ws[f"G{FIRST_DATA_ROW}"].value == 420
    assert ws[f"G{FIRST_DATA_ROW + 3}"].value == 210
    assert ws[f"G{FIRST_DATA_ROW + 1}"].value in (None, "")


SHIPPED = [ROOT / "config.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


def test_every_form_of_every_shipped_config_opens_in_libreoffice(libreoffice, sample_config, tmp_path):
    paths = write_forms(sample_config, MAY, tmp_path / "sample")
    for cfg_path in SHIPPED:
        if cfg_path.exists():
            cfg = load_config(cfg_path)
            code = f"{cfg.year}-05-2" if "dekad" in cfg.reporting.return_kinds() else f"{cfg.year}-05"
            paths += write_forms(cfg, parse_period(code), tmp_path / cfg_path.stem)
    pdf_dir = tmp_path / "pdf"
    # One soffice call for all files: ~0.5 s a file instead of ~1.6 s.
    flat = tmp_path / "all"
    flat.mkdir()
    copies = []
    for i, p in enumerate(paths):
        target = flat / f"{i:03d}.xlsx"
        target.write_bytes(p.read_bytes())
        copies.append(target)
    convert(libreoffice, copies, pdf_dir)
    for c in copies:
        pdf = pdf_dir / f"{c.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 1000, f"LibreOffice could not open {c.name}"
        assert pdf.read_bytes().startswith(b"%PDF")
    for p in paths:
        wb = openpyxl.load_workbook(p)  # and openpyxl reads them back
        assert wb.sheetnames[0] == SHEET_FORM
