"""Value and structure rules, each on a form filled by program with hand-chosen numbers.

Sample targets: 城镇新增就业 1000 (乙镇 600, 丙乡 400), 培训 500, 其中创业 100; at the end of May
序时进度 is 5/12 = 41.7%; lagging is more than 5 points behind.
"""

from __future__ import annotations

import os

import openpyxl
import pytest
from conftest import fill_by_spec

from pipeline.forms import write_forms
from pipeline.ingest import run_ingest
from pipeline.periods import parse_period

RSJ = "某县人力资源和社会保障局_{}_重点民生实事进展填报表.xlsx"
ENV = "某县生态环境分局_2023年5月_重点民生实事进展填报表.xlsx"


@pytest.fixture
def blanks(sample_config, tmp_path):
    out = {}
    for code in ("2023-04", "2023-05"):
        p = parse_period(code)
        out.update({f.name: f for f in write_forms(sample_config, p, tmp_path / "blank" / code)})
    return out


def ingest_filled(cfg, tmp_path, blanks, fills, name="x"):
    """fills: list of (form name, values, notes); each becomes one file in a fresh inputs dir."""
    inputs = tmp_path / f"inputs-{name}"
    inputs.mkdir()
    for i, (form, values, notes) in enumerate(fills):
        target = inputs / f"{i:02d}.xlsx"
        fill_by_spec(blanks[form], values, notes, target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))
    return run_ingest(cfg, inputs, tmp_path / "out")


def codes(result, code):
    return [f for f in result.findings + result.run_notes if f.code == code]


def may_values(**kw):
    base = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 210, "chuangye": 40}
    base.update(kw)
    return base


def test_lagging_without_reason_is_a_warning_that_keeps_the_value(sample_config, tmp_path, blanks):
    # 丙乡 100 / 400 = 25% against 41.7%: 16.7 points behind, and 存在问题 empty.
    result = ingest_filled(
        sample_config,
        tmp_path,
        blanks,
        [(RSJ.format("2023年5月"), may_values(**{"jiuye@bing": 100, "jiuye": 350}), {})],
    )
    (lag,) = [f for f in codes(result, "V-LAG-NO-REASON") if f.row_key == "jiuye@bing"]
    assert lag.cell == "K8" and "完成率 25.0%" in lag.message and "落后序时进度（41.7%）16.7 个百分点" in lag.message
    assert not [f for f in result.findings if f.is_error]


def test_outlier_jump_against_the_previous_period(sample_config, tmp_path, blanks):
    april = (RSJ.format("2023年4月"), may_values(peixun=160, chuangye=30), {})
    # 培训 160 → 2160 in one month: the usual pace is ~500/12 ≈ 42 a month.
    may = (RSJ.format("2023年5月"), may_values(peixun=2160), {})
    result = ingest_filled(sample_config, tmp_path, blanks, [april, may])
    (outlier,) = [f for f in codes(result, "V-OUTLIER") if f.row_key == "peixun"]
    assert outlier.cell == "H9" and "本期比上期（2023-04）增加 2,000" in outlier.message


def test_outlier_on_a_first_return(sample_config, tmp_path, blanks):
    result = ingest_filled(sample_config, tmp_path, blanks, [(RSJ.format("2023年5月"), may_values(peixun=5000), {})])
    (outlier,) = [f for f in codes(result, "V-OUTLIER") if f.row_key == "peixun"]
    assert "是年度目标 500 的 10.0 倍" in outlier.message


def test_decrease_with_explanation_is_kept_as_a_warning(sample_config, tmp_path, blanks):
    april = (RSJ.format("2023年4月"), may_values(peixun=300), {})
    may = (RSJ.format("2023年5月"), may_values(peixun=250), {"peixun": "4月多报了50人次，已更正"})
    result = ingest_filled(sample_config, tmp_path, blanks, [april, may])
    assert [f.row_key for f in codes(result, "V-DECREASE-EXPLAINED")] == ["peixun"]
    assert not codes(result, "V-DECREASE")


def test_rate_typed_as_a_fraction_is_flagged_not_rescaled(sample_config, tmp_path, blanks):
    result = ingest_filled(sample_config, tmp_path, blanks, [(ENV, {"kongqi": 0.965, "shuizhi@yi": 100}, {})])
    (flag,) = codes(result, "V-PERCENT-FORMAT")
    assert flag.cell == "H6" and "已按 0.965 入账，未作换算" in flag.message


def test_rows_added_and_locked_cells_edited(sample_config, tmp_path, blanks):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    fill_by_spec(blanks[RSJ.format("2023年5月")], may_values(), {}, inputs / "rsj.xlsx")
    wb = openpyxl.load_workbook(inputs / "rsj.xlsx")
    ws = wb["填报表"]
    ws["F9"] = 400  # 培训 target 500 changed by the unit
    ws["C12"], ws["D12"], ws["H12"] = "自行增加的指标", "", 88  # a row the form did not have
    wb.save(inputs / "rsj.xlsx")
    result = run_ingest(sample_config, inputs, tmp_path / "out")
    (edited,) = codes(result, "R-LOCKED-EDITED")
    assert edited.cell == "F9" and "以分解方案的 500 为准" in edited.message
    (extra,) = codes(result, "R-ROW-EXTRA")
    assert extra.cell == "A12" and "其数据未入账" in extra.message


def test_two_files_for_one_unit_in_one_batch(sample_config, tmp_path, blanks):
    first = (RSJ.format("2023年5月"), may_values(peixun=200), {})
    second = (RSJ.format("2023年5月"), may_values(peixun=220), {})
    result = ingest_filled(sample_config, tmp_path, blanks, [first, second])
    (resub,) = codes(result, "F-RESUBMITTED")
    assert resub.file == "01.xlsx" and "已报送过「00.xlsx」，以本次报送为准" in resub.message


def test_cached_formula_result_is_used_and_said(sample_config, tmp_path, blanks):
    """A unit typed =200+220 and Excel saved the result 420: the value is 420, with a note."""
    import zipfile

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    fill_by_spec(blanks[RSJ.format("2023年5月")], may_values(), {}, tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as zin, zipfile.ZipFile(inputs / "rsj.xlsx", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<c r="H6"')
                end = data.index(b"</c>", start) + 4
                data = data[:start] + b'<c r="H6"><f>200+220</f><v>420</v></c>' + data[end:]
            zout.writestr(info, data)
    result = run_ingest(sample_config, inputs, tmp_path / "out")
    (note,) = [f for f in codes(result, "V-NORMALISED") if f.cell == "H6"]
    assert "单元格是公式「=200+220」，取其计算结果" in note.message and "按 420 入账" in note.message


def test_every_rule_code_is_documented_with_its_severity():
    from conftest import ROOT

    from pipeline.findings import RULES

    doc = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    for code, (severity, _) in RULES.items():
        assert f"| {code} | {severity} |" in doc, code
