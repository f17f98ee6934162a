"""Issue 17: what staff see must be true, values that must not be kept or lost, faults.

Each test builds its own returns (forms written by the pipeline, filled and spoiled with
openpyxl or by editing the zip), runs ingest and reads back what a clerk reads: the rows of
校验报告.xlsx and 催报名单.xlsx, the stored values, the screen.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SAMPLE, convert, fill_by_spec

from pipeline.cli import cli, previous_values
from pipeline.config_load import parse_config
from pipeline.errors import UserError
from pipeline.forms import write_forms
from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger, StoredValue, Submission, SubmissionStatus
from pipeline.lock import outputs_lock
from pipeline.model import ValueStatus
from pipeline.periods import parse_period

APRIL, MAY, JUNE = parse_period("2023-04"), parse_period("2023-05"), parse_period("2023-06")
RSJ = "某县人力资源和社会保障局_{}_重点民生实事进展填报表.xlsx"
JYJ = "某县教育局_{}_重点民生实事进展填报表.xlsx"
HBJ = "某县生态环境分局_{}_重点民生实事进展填报表.xlsx"
MZJ = "某县民政局_{}_重点民生实事进展填报表.xlsx"


def config(**changes):
    data = copy.deepcopy(SAMPLE)
    for key, value in changes.items():
        data[key] = value
    return parse_config(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="t.yaml")


def config_file(tmp_path: Path, data: dict, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def forms(sample_config, tmp_path):
    """Blank forms of April, May and June, by file name."""
    out = {}
    for p in (APRIL, MAY, JUNE):
        out.update({f.name: f for f in write_forms(sample_config, p, tmp_path / "blank" / p.code)})
    return out


def filled(forms, name: str, values: dict, notes: dict | None = None, out: Path | None = None, when: int = 0):
    """A filled return written to `out` (its mtime set so that batch order is known)."""
    fill_by_spec(forms[name], values, notes or {}, out)
    os.utime(out, (1_700_000_000 + when, 1_700_000_000 + when))
    return out


def edit(path: Path, change) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def patch_sheet_xml(path: Path, change) -> None:
    """Rewrite the 填报表 sheet's XML in place (openpyxl saves it as sheet1.xml)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    tmp.replace(path)


def rows_of(path: Path, sheet: str | None = None) -> list[list]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.active
    return [[c.value for c in r] for r in ws.iter_rows(min_row=4)]


def subtitle(path: Path) -> str:
    return openpyxl.load_workbook(path).active["A2"].value


def stored(out: Path, period: str = "2023-05", year: int = 2023) -> dict:
    with Ledger(out / f"ledger-{year}.sqlite") as ledger:
        return {(u, v.row_key): v for u, v in ledger.values_for(period)}


def findings(result, code: str) -> list:
    return [f for f in result.findings + result.run_notes if f.code == code]


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# -- 1. a rejected file is on the record ----------------------------------------------------


def test_rejected_files_are_on_the_record_in_both_workbooks(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 500}, out=inputs / MZJ.format("2023年5月"))
    # 教育局's return arrives cut in half: unreadable, but its name says who and when.
    truncate(filled(forms, JYJ.format("2023年5月"), {"jisu": 1}, out=inputs / JYJ.format("2023年5月"), when=1))
    # A file that says nothing about itself.
    (inputs / "新建文件.xlsx").write_bytes(b"")
    result = run_ingest(sample_config, inputs, out)
    assert {o.relative: o.status for o in result.outcomes}[JYJ.format("2023年5月")] == "rejected"

    report = out / "2023-05" / "校验报告.xlsx"
    assert "拒收 1 份" in subtitle(report) and "另有 1 份无法确定期别" in subtitle(report)
    body = rows_of(report)
    corrupt = [r for r in body if r[11] == "F-CORRUPT"]
    assert corrupt and corrupt[0][1] == "错误" and corrupt[0][3] == "某县教育局"
    assert corrupt[0][4] == JYJ.format("2023年5月") and "可能没有传完整" in corrupt[0][9]
    heading = next(i for i, r in enumerate(body) if r[0] and "无法确定所属期别" in str(r[0]))
    assert [r[4] for r in body[heading + 1 :] if r[4]] == ["新建文件.xlsx"]
    assert body[heading + 1][11] == "F-EMPTY"

    chase = rows_of(out / "2023-05" / "催报名单.xlsx")
    (edu,) = [r for r in chase if r[1] == "某县教育局"]
    assert edu[2] == "被拒收" and "可能没有传完整" in edu[7] and "重新发送" in edu[7]
    tally = {r[1]: r[2] for r in rows_of(report, "按单位汇总")}
    assert tally["某县教育局"] == "被拒收" and tally["某县民政局"] == "按时报送"


def test_a_rejected_form_of_another_county_is_recorded_for_the_unit_it_names(sample_config, forms, tmp_path):
    """F-WRONG-CONFIG keeps the unit from the metadata; 催报名单 says why and what to do."""
    from pipeline.config_load import load_config
    from pipeline.forms import write_form
    from pipeline.formspec import rows_by_unit

    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    anhua = load_config(ROOT / "examples" / "anhua-2023.yaml")
    write_form(anhua, MAY, "rsj", rows_by_unit(anhua)["rsj"], inputs, {})
    run_ingest(sample_config, inputs, out)
    chase = {r[1]: r for r in rows_of(out / "2023-05" / "催报名单.xlsx")}
    row = chase["某县人力资源和社会保障局"]
    assert row[2] == "被拒收" and "不是按本分解方案生成的" in row[7] and "重新下发" in row[7]


# -- 2. re-read when the config changes -------------------------------------------------------


def test_a_file_rejected_for_the_config_is_read_again_when_the_config_changes(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 2, "youeryuan": 1}, out=inputs / "教体局5月.xlsx")

    def retitled(wb):  # pasted into a form of its own: no metadata, the unit's new name
        del wb["_meta"]
        wb["填报表"]["A2"] = "填报单位：某县教育体育局"

    edit(path, retitled)
    first = run_ingest(sample_config, inputs, out)
    assert [o.status for o in first.outcomes] == ["rejected"] and findings(first, "F-UNKNOWN-UNIT")
    again = run_ingest(sample_config, inputs, out)  # same config: nothing changes
    assert [o.status for o in again.outcomes] == ["already"]

    data = copy.deepcopy(SAMPLE)
    next(u for u in data["units"] if u["code"] == "jyj")["aliases"].append("某县教育体育局")
    cfg = parse_config(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    later = run_ingest(cfg, inputs, out)
    assert [o.status for o in later.outcomes] == ["accepted"]
    assert stored(out)[("jyj", "jisu")].value_num == 2
    body = rows_of(out / "2023-05" / "校验报告.xlsx")
    assert any(r[11] == "F-REREAD" and r[9] == "此前拒收，已按新的分解方案重新读取" for r in body)
    assert not any(r[11] == "F-UNKNOWN-UNIT" for r in body)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        assert [s["status"] for s in ledger.submissions()] == ["accepted"]


# -- 3. one year, one office per ledger ------------------------------------------------------


def test_two_years_two_ledgers_and_january_is_not_compared_with_december(tmp_path):
    y22 = config(year=2022)
    y23 = config()
    out = tmp_path / "out"
    dec, jan = parse_period("2022-12"), parse_period("2023-01")
    blanks = {f.name: f for f in write_forms(y22, dec, tmp_path / "b22")}
    blanks.update({f.name: f for f in write_forms(y23, jan, tmp_path / "b23")})
    (tmp_path / "in22").mkdir()
    (tmp_path / "in23").mkdir()
    filled(blanks, RSJ.format("2022年12月"), {"peixun": 480}, out=tmp_path / "in22" / "a.xlsx")
    filled(blanks, RSJ.format("2023年1月"), {"peixun": 40}, out=tmp_path / "in23" / "b.xlsx")
    run_ingest(y22, tmp_path / "in22", out)
    result = run_ingest(y23, tmp_path / "in23", out)
    assert not findings(result, "V-DECREASE") and not findings(result, "V-DECREASE-EXPLAINED")
    assert stored(out, "2023-01")[("rsj", "peixun")].status == ValueStatus.ok
    assert (out / "ledger-2022.sqlite").exists() and (out / "ledger-2023.sqlite").exists()
    with Ledger(out / "ledger-2022.sqlite") as last_year:  # last year's stays readable
        assert last_year.owner()["year"] == "2022" and last_year.periods() == ["2022-12"]
    # 上期累计 of February comes from January 2023, never from December 2022.
    assert previous_values(y23, parse_period("2023-02"), out)["rsj"]["peixun"] == 40
    assert previous_values(y23, jan, out) == {}


def test_a_legacy_ledger_holding_two_years_is_read_one_year_at_a_time(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        for i, (code, value) in enumerate([("2022-12", 480.0), ("2023-01", 40.0)]):
            sub = Submission(f"h{i}", "x.xlsx", "x.xlsx", 1, "2023-01-01T00:00:00", "a", SubmissionStatus.accepted)
            sub.unit_code, sub.period, sub.period_end = "rsj", code, parse_period(code).end.isoformat()
            v = StoredValue("peixun", "peixun", None, "填报表", "H9", str(value), value, None, ValueStatus.ok, False)
            ledger.record(sub, [v])
        assert ledger.history("rsj", 2023) == {"peixun": [(parse_period("2023-01").end, "2023-01", 40.0)]}
        assert len(ledger.history("rsj")["peixun"]) == 2  # unscoped read: both years


def test_another_offices_ledger_is_neither_read_nor_written(sample_config_path, sample_config, forms, tmp_path):
    out = tmp_path / "out"
    (tmp_path / "in").mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 500}, out=tmp_path / "in" / "m.xlsx")
    run_ingest(sample_config, tmp_path / "in", out)
    before = (out / "ledger-2023.sqlite").read_bytes()
    other = copy.deepcopy(SAMPLE)
    other["office"]["name"] = "另一县打好重点民生保障仗工作专班办公室"
    cfg = config_file(tmp_path, other)
    runner = CliRunner()
    for args in (
        ["ingest", "--config", str(cfg), "--inputs", str(tmp_path / "in"), "--outputs", str(out)],
        ["templates", "--config", str(cfg), "--outputs", str(out), "--period", "2023-06"],
    ):
        res = runner.invoke(cli, args)
        assert res.exit_code == 2, res.output
        assert "不读取也不写入该台账" in res.output and "某县打好重点民生保障仗工作专班办公室" in res.output
        assert "Traceback" not in res.output
    assert (out / "ledger-2023.sqlite").read_bytes() == before
    assert not (out / "templates").exists()


def test_make_targets_take_outputs():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("monthly", "dekad", "quarterly", "ingest", "templates"):
        recipe = text.split(f"\n{target}: ")[1].split("\n\n")[0]
        assert "--outputs $(OUTPUTS)" in recipe, target
    dry = subprocess.run(
        ["make", "-n", "monthly", "OUTPUTS=outputs-安化"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "--outputs outputs-安化" in dry.stdout


def test_templates_prefill_previous_values_from_the_ledger(sample_config_path, sample_config, forms, tmp_path):
    out = tmp_path / "out"
    (tmp_path / "in").mkdir()
    filled(
        forms,
        RSJ.format("2023年5月"),
        {"jiuye": 400, "jiuye@yi": 250, "jiuye@bing": 150, "peixun": 210},
        out=tmp_path / "in" / "r.xlsx",
    )
    run_ingest(sample_config, tmp_path / "in", out)
    res = CliRunner().invoke(
        cli, ["templates", "--config", str(sample_config_path), "--outputs", str(out), "--period", "2023-06"]
    )
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out / "templates" / "2023-06" / RSJ.format("2023年6月"))["填报表"]
    prefilled = {ws[f"M{r}"].value: ws[f"G{r}"].value for r in range(6, 11)}
    assert prefilled == {"jiuye": 400, "jiuye@yi": 250, "jiuye@bing": 150, "peixun": 210, "chuangye": ""}


# -- 4. a decrease is explained only by an explanation ----------------------------------------


@pytest.mark.parametrize(
    "note, code",
    [
        ("各项工作稳步推进，按计划开展培训。", "V-DECREASE"),
        ("经核实，4月重复统计50人次，本月已核减。", "V-DECREASE-EXPLAINED"),
    ],
)
def test_a_decrease_is_explained_only_by_text_about_the_change(sample_config, forms, tmp_path, note, code):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    filled(forms, RSJ.format("2023年4月"), {"peixun": 300}, out=inputs / "4.xlsx")
    filled(forms, RSJ.format("2023年5月"), {"peixun": 250}, {"peixun": note}, out=inputs / "5.xlsx", when=1)
    result = run_ingest(sample_config, inputs, out)
    assert [f.row_key for f in findings(result, code)] == ["peixun"]
    expected = ValueStatus.excluded if code == "V-DECREASE" else ValueStatus.ok
    assert stored(out)[("rsj", "peixun")].status == expected
    rows = [r for r in rows_of(out / "2023-05" / "校验报告.xlsx") if r[11] == code]
    assert rows and rows[0][1] == ("错误" if code == "V-DECREASE" else "警告")


# -- 5. the screen tells the state of the period ----------------------------------------------


def test_a_rerun_says_what_is_still_open(sample_config_path, sample_config, tmp_path):
    from pipeline.simulate import simulate

    inputs = tmp_path / "inputs"
    simulate(sample_config, APRIL, inputs / "4", seed=5)
    simulate(sample_config, MAY, inputs / "5", seed=5, messy=True)
    args = ["ingest", "--config", str(sample_config_path), "--inputs", str(inputs), "--outputs", str(tmp_path / "o")]
    first = CliRunner().invoke(cli, args)
    open_errors = int(re.search(r"2023年5月：.*?目前该期尚有错误 (\d+) 条", first.output).group(1))
    assert open_errors > 0
    again = CliRunner().invoke(cli, args)
    assert "错误 0 条" in re.search(r"本次新发现问题.*", again.output).group(0)  # only the duplicate note again
    line = next(x for x in again.output.splitlines() if x.strip().startswith("2023年5月："))
    assert "本次没有新增报表" in line and f"目前该期尚有错误 {open_errors} 条" in line
    assert "未报送 1 个单位" in line
    assert line.index("错误") < line.index("警告")


# -- 6. merged text cells ---------------------------------------------------------------------


def test_a_note_merged_over_a_total_and_its_areas_keeps_their_numbers(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    values = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 210, "chuangye": 40}
    path = filled(
        forms,
        RSJ.format("2023年5月"),
        values,
        {"jiuye": "全县新增就业稳步推进，各乡镇均已过序时"},
        out=inputs / "r.xlsx",
    )
    edit(path, lambda wb: wb["填报表"].merge_cells("J6:J8"))
    result = run_ingest(sample_config, inputs, out)
    assert not findings(result, "R-MERGED")
    (merged,) = findings(result, "R-MERGED-TEXT")
    assert merged.cell == "J6:J8" and "数值照常入账" in merged.message
    got = stored(out)
    assert [got[("rsj", k)].value_num for k in ("jiuye", "jiuye@yi", "jiuye@bing")] == [420, 250, 170]
    assert all(got[("rsj", k)].status == ValueStatus.ok for k in ("jiuye", "jiuye@yi", "jiuye@bing"))
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        notes = list(ledger.db.execute("SELECT row_key, text FROM narratives WHERE field = 'progress'"))
    assert notes == [("jiuye", "全县新增就业稳步推进，各乡镇均已过序时")]


# -- 7. Excel error values ------------------------------------------------------------------


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!"])
def test_excel_error_values_are_reported_as_such(sample_config, forms, tmp_path, error):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 1}, out=inputs / "j.xlsx")
    edit(path, lambda wb: wb["填报表"].__setitem__("H6", "=A1/0"))

    def to_error(xml: bytes) -> bytes:
        cell = re.search(rb'<c r="H6"[^>]*>.*?</c>', xml, re.S).group(0)
        style = re.search(rb's="\d+"', cell)
        new = (
            b'<c r="H6" ' + (style.group(0) if style else b"") + b' t="e"><f>A1/0</f><v>' + error.encode() + b"</v></c>"
        )
        return xml.replace(cell, new)

    patch_sheet_xml(path, to_error)
    result = run_ingest(sample_config, inputs, out)
    (f,) = findings(result, "V-EXCEL-ERROR")
    assert f.cell == "H6" and error in f.message and f.raw == error
    assert not [x for x in findings(result, "V-EMPTY") if x.cell == "H6"]
    v = stored(out)[("jyj", "jisu")]
    assert v.status == ValueStatus.excluded and v.value_num is None and v.raw_text == error


# -- 8. digits with spaces ------------------------------------------------------------------


def test_a_space_is_only_a_thousands_separator(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    values = {"jiuye": "1 234", "jiuye@yi": "3 5", "jiuye@bing": "120\n45", "peixun": "300 人次"}
    filled(forms, RSJ.format("2023年5月"), values, out=inputs / "r.xlsx")
    result = run_ingest(sample_config, inputs, out)
    got = stored(out)
    assert got[("rsj", "jiuye")].value_num == 1234 and got[("rsj", "jiuye")].status == ValueStatus.ok
    assert got[("rsj", "peixun")].value_num == 300
    for key in ("jiuye@yi", "jiuye@bing"):
        assert got[("rsj", key)].status == ValueStatus.excluded and got[("rsj", key)].value_num is None
    bad = {f.cell: f.message for f in findings(result, "V-NOT-NUMBER")}
    assert set(bad) == {"H7", "H8"} and "空格只能用作千分位" in bad["H7"]


# -- 9. absurd values -------------------------------------------------------------------------


def test_absurd_values_are_errors_and_doubtful_ones_never_prefilled_plainly(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    # 1e308 people, 56.8 km of pipes against 4.5, a rate of 0.969 on a % form.
    filled(
        forms,
        HBJ.format("2023年5月"),
        {"kongqi": 0.969, "shuiyuan": 1e308, "wushui": 56.8, "shuizhi@yi": 100},
        out=inputs / "h.xlsx",
    )
    result = run_ingest(sample_config, inputs, out)
    absurd = {f.row_key: f for f in findings(result, "V-ABSURD")}
    assert set(absurd) == {"shuiyuan", "wushui"} and "10 倍" not in absurd["wushui"].message
    assert "12.6 倍" in absurd["wushui"].message
    got = stored(out)
    assert got[("hbj", "shuiyuan")].status == got[("hbj", "wushui")].status == ValueStatus.excluded
    rate = got[("hbj", "kongqi")]
    assert rate.status == ValueStatus.ok and rate.flagged and rate.suspect
    for f in result.findings:  # never a 309-digit number
        assert not re.search(r"\d{16}", f.message), f.message
    # June's form: the doubted rate shows with its mark; the excluded ones are not prefilled at all.
    prev = previous_values(sample_config, JUNE, out)["hbj"]
    assert prev["kongqi"] == "0.969（待核实）" and "wushui" not in prev and "shuiyuan" not in prev
    # The correct June figures do not look like a decrease.
    (tmp_path / "june").mkdir()
    filled(
        forms,
        HBJ.format("2023年6月"),
        {"kongqi": 96.9, "wushui": 2.1, "shuiyuan": 8, "shuizhi@yi": 100},
        out=tmp_path / "june" / "h.xlsx",
    )
    june = run_ingest(sample_config, tmp_path / "june", out)
    assert not findings(june, "V-DECREASE") and not findings(june, "V-ABSURD")


# -- 10. the title block by its labels, dates as typed ------------------------------------------


def _fill_date(ws, label_col: str, value) -> None:
    """Put a date in the cell right of the 填报日期 label, wherever the label now is."""
    for row in ws.iter_rows(min_row=1, max_row=4):
        for c in row:
            if c.value == "填报日期：":
                ws.cell(c.row, c.column + 1).value = value
                return
    raise AssertionError("label not found")


def test_title_block_found_by_its_labels_after_an_inserted_column(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 2}, out=inputs / "j.xlsx")

    def insert(wb):
        ws = wb["填报表"]
        for rng in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(rng))
        ws.insert_cols(1)
        _fill_date(ws, "M", "6月28日")

    edit(path, insert)
    result = run_ingest(sample_config, inputs, out)
    assert [o.status for o in result.outcomes] == ["accepted"]
    moved = [f for f in findings(result, "F-HEADER-EDITED") if "标题区" in f.message]
    assert any("填报日期" in f.message and f.cell == "L3" for f in moved)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        sub = ledger.submissions("2023-05")[0]
    assert sub["filled_date"] == "6月28日" and sub["received_date"] == "2023-06-28" and sub["filler"] == "张三"
    assert stored(out)[("jyj", "youeryuan")].value_num == 2


@pytest.mark.parametrize(
    "typed, received, source",
    [
        ("2023/6/18", "2023-06-18", "填报日期"),
        ("6.18", "2023-06-18", "填报日期"),
        (45095, "2023-06-18", "填报日期"),
        ("下周一", "2023-06-30", "收到文件的时间"),
        ("2027-01-01", "2023-06-30", "收到文件的时间"),
    ],
)
def test_dates_as_staff_type_them_and_no_false_lateness(sample_config, forms, tmp_path, typed, received, source):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 2}, out=inputs / "j.xlsx")
    edit(path, lambda wb: wb["填报表"].__setitem__("L3", typed))
    stamp = 1_688_083_200  # 2023-06-30 00:00 UTC: the file came in late
    os.utime(path, (stamp + 43200, stamp + 43200))
    result = run_ingest(sample_config, inputs, out)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        sub = ledger.submissions("2023-05")[0]
    assert (sub["received_date"], sub["received_source"]) == (received, source)
    late = findings(result, "F-LATE")
    unclear = findings(result, "F-DATE-UNCLEAR")
    if source == "填报日期":
        assert not late and not unclear
    else:
        assert unclear and unclear[0].cell == "L3"
        (f,) = late
        assert "按收到文件的时间" in f.message and "逾期 10 天" in f.message  # not 「逾期 1275 天」


# -- 11. text as typed ----------------------------------------------------------------------


def test_hyperlinks_and_character_references_are_decoded(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 2}, out=inputs / "j.xlsx")

    def formulas(wb):
        wb["填报表"]["K6"] = '=HYPERLINK("http://example.com/a?b=1","点击查看")'
        wb["填报表"]["L7"] = '=CONCATENATE("XREF","附件")'

    edit(path, formulas)
    patch_sheet_xml(path, lambda xml: xml.replace(b"XREF", b"&#35814;&#x89c1;"))  # 详见
    result = run_ingest(sample_config, inputs, out)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        texts = dict(ledger.db.execute("SELECT cell, text FROM narratives"))
    assert texts["K6"] == "点击查看（http://example.com/a?b=1）"
    assert texts["L7"].startswith('=CONCATENATE("详见","附件")')
    assert [f.cell for f in findings(result, "T-FORMULA")] == ["L7"]


def test_a_long_note_said_to_be_kept_whole_is_kept_whole(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    note = "第一阶段完成摸底。\n" + "各乡镇逐户核实，建立台账。" * 600 + "结尾"
    filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 2}, {"jisu": note}, out=inputs / "j.xlsx")
    result = run_ingest(sample_config, inputs, out)
    (f,) = findings(result, "T-LONG")
    assert "已完整保存" in f.message
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        (text,) = ledger.db.execute("SELECT text FROM narratives WHERE cell = 'J6'").fetchone()
    assert text == note


# -- 12. formats the docs promise -------------------------------------------------------------


def test_ods_is_read_with_its_values(sample_config, forms, tmp_path, libreoffice):
    staging, inputs, out = tmp_path / "staging", tmp_path / "inputs", tmp_path / "out"
    staging.mkdir()
    inputs.mkdir()
    values = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 210.5, "chuangye": 40}
    filled(forms, RSJ.format("2023年5月"), values, out=staging / "人社局.xlsx")
    convert(libreoffice, [staging / "人社局.xlsx"], inputs, to="ods", profile=tmp_path / "lo")
    result = run_ingest(sample_config, inputs, out)
    assert [(o.relative, o.status) for o in result.outcomes] == [("人社局.ods", "accepted")]
    got = {k: v.value_num for (u, k), v in stored(out).items()}
    assert got == values
    assert not [f for f in result.findings if f.is_error]


def test_libreoffice_resave_keeps_the_values(sample_config, forms, tmp_path, libreoffice):
    staging, inputs, out = tmp_path / "staging", tmp_path / "inputs", tmp_path / "out"
    staging.mkdir()
    inputs.mkdir()
    values = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 1234.5, "chuangye": 40}
    filled(forms, RSJ.format("2023年5月"), values, {"peixun": "培训 & 就业 <专项>"}, out=staging / "人社局.xlsx")
    convert(libreoffice, [staging / "人社局.xlsx"], inputs, to="xlsx:Calc MS Excel 2007 XML", profile=tmp_path / "lo")
    run_ingest(sample_config, inputs, out)
    got = {k: (v.status, v.value_num) for (u, k), v in stored(out).items()}
    assert got == {k: (ValueStatus.ok, float(x)) for k, x in values.items()}
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        assert dict(ledger.db.execute("SELECT row_key, text FROM narratives"))["peixun"] == "培训 & 就业 <专项>"
        assert ledger.submissions("2023-05")[0]["received_date"] == "2023-06-03"


def test_csv_gets_a_hint_and_other_period_files_are_archived(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    (inputs / "教育局数据.csv").write_text("指标,本期累计完成\n寄宿制学校,2\n", encoding="gbk")
    april = filled(forms, JYJ.format("2023年4月"), {"jisu": 1}, out=inputs / "四月.xlsx")
    filled(forms, JYJ.format("2023年5月"), {"jisu": 2}, out=inputs / "五月.xlsx", when=1)
    result = run_ingest(sample_config, inputs, out, period=MAY)
    (csv,) = findings(result, "F-IGNORED")
    assert "CSV" in csv.hint and ".xlsx" in csv.hint
    assert {o.relative: o.status for o in result.outcomes}["四月.xlsx"] == "other-period"
    import hashlib

    digest = hashlib.sha256(april.read_bytes()).hexdigest()
    assert (out / "archive" / digest[:2] / f"{digest}.xlsx").read_bytes() == april.read_bytes()


# -- 13. false alarms ---------------------------------------------------------------------------


def test_no_false_alarms_for_big_targets_and_small_steps(tmp_path):
    data = copy.deepcopy(SAMPLE)
    data["projects"][0]["indicators"][1]["target"] = 1234567  # 补贴性职业技能培训
    cfg = parse_config(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    blanks = {}
    for p in (APRIL, MAY):
        blanks.update({f.name: f for f in write_forms(cfg, p, tmp_path / "b" / p.code)})
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    filled(blanks, RSJ.format("2023年5月"), {"peixun": 500000}, out=inputs / "r.xlsx")
    filled(blanks, JYJ.format("2023年4月"), {"jisu": 1, "youeryuan": 1}, out=inputs / "j4.xlsx", when=1)
    filled(blanks, JYJ.format("2023年5月"), {"jisu": 2, "youeryuan": 2}, out=inputs / "j5.xlsx", when=2)
    result = run_ingest(cfg, inputs, tmp_path / "out")
    assert not findings(result, "R-LOCKED-EDITED")
    assert not findings(result, "V-OUTLIER")
    ws = openpyxl.load_workbook(blanks[RSJ.format("2023年5月")])["填报表"]
    assert ws["F9"].value == 1234567


# -- 14. faults: a lock, a report open in Excel -------------------------------------------------


def test_a_second_run_on_the_same_outputs_is_told_to_wait(sample_config_path, sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 500}, out=inputs / "m.xlsx")
    with outputs_lock(out):  # another ingest holds the folder
        script = (
            "from pipeline.cli import main; import sys; "
            f"sys.argv = ['minsheng', 'ingest', '--config', {str(sample_config_path)!r}, "
            f"'--inputs', {str(inputs)!r}, '--outputs', {str(out)!r}]; main()"
        )
        proc = subprocess.run(
            [os.sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert proc.returncode == 2
    assert "另一个任务正在使用台账，请稍后再试" in proc.stderr and "Traceback" not in proc.stderr
    assert not (out / "ledger-2023.sqlite").exists()
    assert run_ingest(sample_config, inputs, out).count("accepted") == 1  # free again afterwards


def test_a_report_open_in_excel_is_named_and_the_rest_is_written(
    sample_config_path, sample_config, forms, tmp_path, monkeypatch
):
    import pipeline.reports as reports

    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 500}, out=inputs / "m.xlsx")
    real = reports._replace

    def locked(src, dst):
        if Path(dst).name == "催报名单.xlsx":
            raise PermissionError(13, "Permission denied", str(dst))  # what Windows says for a file open in WPS
        return real(src, dst)

    monkeypatch.setattr(reports, "_replace", locked)
    res = CliRunner().invoke(
        cli, ["ingest", "--config", str(sample_config_path), "--inputs", str(inputs), "--outputs", str(out)]
    )
    assert res.exit_code == 0 and "Traceback" not in res.output
    assert f"无法写入「{out / '2023-05' / '催报名单.xlsx'}」" in res.output and "Excel 或 WPS 中打开" in res.output
    assert (out / "2023-05" / "校验报告.xlsx").exists() and not (out / "2023-05" / "催报名单.xlsx").exists()
    assert not list((out / "2023-05").glob("~tmp-*"))
    assert stored(out)[("mzj", "shelao")].value_num == 500


# -- 15. one bad file never stops the batch ----------------------------------------------------


def test_a_reader_crash_costs_only_its_file(sample_config, forms, tmp_path, capfd):
    import crashers

    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    names = ["a-panic.xlsx", "b-abort.xlsx", "c-good.xlsx"] + (["d-hog.xlsx"] if os.name == "posix" else [])
    for i, name in enumerate(names):
        filled(forms, MZJ.format("2023年5月"), {"shelao": 100 + i}, out=inputs / name, when=i)
    result = run_ingest(sample_config, inputs, out, reader=crashers.reader)
    status = {o.relative: o.status for o in result.outcomes}
    assert status["c-good.xlsx"] == "accepted"
    assert status["a-panic.xlsx"] == status["b-abort.xlsx"] == "rejected"
    codes = {f.file: f.code for f in result.findings if f.is_error}
    assert codes["a-panic.xlsx"] == codes["b-abort.xlsx"] == "F-CORRUPT"
    if os.name == "posix":
        assert codes["d-hog.xlsx"] == "F-TOO-BIG"
    assert "panicked" not in capfd.readouterr().err
    # Rejected, but on the record for its unit: the good file was accepted, so nothing to chase.
    assert stored(out)[("mzj", "shelao")].value_num == 102


def test_a_panic_in_this_process_is_a_corrupt_file_too(sample_config, forms, tmp_path, monkeypatch):
    import crashers

    import pipeline.readers as readers

    monkeypatch.setenv("MINSHENG_WORKERS", "0")
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 1}, out=inputs / "m.xlsx")

    def panics(*a, **k):
        raise crashers.PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(readers.pc.CalamineWorkbook, "from_filelike", panics)
    result = run_ingest(sample_config, inputs, tmp_path / "out")
    (f,) = result.findings
    assert f.code == "F-CORRUPT" and "读取程序无法处理" in f.message


def test_a_sheet_reaching_a_million_rows_is_refused_before_reading(sample_config, forms, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    path = filled(forms, JYJ.format("2023年5月"), {"jisu": 1}, out=inputs / "j.xlsx")
    edit(path, lambda wb: wb["填报表"].__setitem__("A1048576", "x"))
    result = run_ingest(sample_config, inputs, tmp_path / "out")
    (f,) = [x for x in result.findings if x.is_error]
    assert f.code == "F-TOO-BIG" and "写到了第 1048576 行" in f.message and f.unit_code == "jyj"


# -- missing tests the issue lists ------------------------------------------------------------


def test_rows_re_sorted_by_the_unit_are_matched_by_key(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    values = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 210, "chuangye": 40}
    path = filled(forms, RSJ.format("2023年5月"), values, out=inputs / "r.xlsx")

    def reverse(wb):
        ws = wb["填报表"]
        rows = [[c.value for c in ws[r]] for r in range(6, 11)]
        for r, values_ in zip(range(6, 11), reversed(rows), strict=True):
            for col, v in enumerate(values_, start=1):
                ws.cell(r, col).value = v

    edit(path, reverse)
    result = run_ingest(sample_config, inputs, out)
    got = stored(out)
    assert {k: got[("rsj", k)].value_num for k in values} == values
    assert got[("rsj", "chuangye")].cell == "H6"
    assert not [f for f in result.findings if f.is_error]


def test_same_batch_resubmission_the_later_file_wins(sample_config, forms, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    filled(forms, MZJ.format("2023年5月"), {"shelao": 777}, out=inputs / "z-更正版.xlsx", when=5)
    filled(forms, MZJ.format("2023年5月"), {"shelao": 500}, out=inputs / "a-初稿.xlsx", when=1)
    result = run_ingest(sample_config, inputs, out)
    assert stored(out)[("mzj", "shelao")].value_num == 777  # by time received, not by name
    (f,) = findings(result, "F-RESUBMITTED")
    assert f.file == "z-更正版.xlsx" and "a-初稿.xlsx" in f.message


# -- 17. a unit checks its own return ----------------------------------------------------------


def test_check_command_reads_and_checks_without_a_ledger(sample_config_path, forms, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = filled(forms, JYJ.format("2023年5月"), {"jisu": 1, "youeryuan": 2}, out=tmp_path / "good.xlsx")
    bad = filled(forms, JYJ.format("2023年5月"), {"jisu": "约3所", "youeryuan": 2}, out=tmp_path / "bad.xlsx")
    before = {p: p.read_bytes() for p in (good, bad)}
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", "--config", str(sample_config_path), str(good)])
    assert ok.exit_code == 0, ok.output
    assert (
        "自查「good.xlsx」（某县教育局，2023年5月）：错误 0 条" in ok.output and "没有发现错误，可以报送" in ok.output
    )
    res = runner.invoke(cli, ["check", "--config", str(sample_config_path), str(good), str(bad)])
    assert res.exit_code == 1
    assert "[错误] 「bad.xlsx」，填报表，H6：「乡镇标准化寄宿制学校」填的是「约3所」" in res.output
    assert "请按以上说明改正后再报送" in res.output
    truncate(bad)
    broken = runner.invoke(cli, ["check", "--config", str(sample_config_path), str(bad)])
    assert broken.exit_code == 1 and "不能入账" in broken.output and "F-" not in broken.output
    assert not (tmp_path / "outputs").exists() and not list(tmp_path.glob("*.sqlite"))
    assert good.read_bytes() == before[good]
    # The form tells units about it.
    note = openpyxl.load_workbook(forms[JYJ.format("2023年5月")])["填报表"]["A4"].value
    assert "minsheng check" in note


def test_check_of_a_missing_file_says_so(sample_config_path, tmp_path):
    res = CliRunner().invoke(cli, ["check", "--config", str(sample_config_path), str(tmp_path / "无.xlsx")])
    assert res.exit_code == 1 and "找不到文件" in res.output


def test_unknown_ledger_owner_message_is_a_user_error(sample_config, tmp_path):
    out = tmp_path / "out"
    with Ledger.for_config(sample_config, out):
        pass
    other = config(office={**SAMPLE["office"], "name": "别的办公室"})
    with pytest.raises(UserError) as err:
        Ledger.for_config(other, out)
    assert "别的办公室" in err.value.render()
    db = sqlite3.connect(out / "ledger-2023.sqlite")
    assert dict(db.execute("SELECT key, value FROM ledger_meta"))["office"] == SAMPLE["office"]["name"]
    db.close()
    assert shutil.which("make")


# -- 16. .xlsb ---------------------------------------------------------------------------------


def test_xlsb_is_read_like_the_other_formats(sample_config, forms, tmp_path):
    from xlsb import xlsx_to_xlsb

    staging, inputs, out = tmp_path / "staging", tmp_path / "inputs", tmp_path / "out"
    staging.mkdir()
    inputs.mkdir()
    values = {"jiuye": 420, "jiuye@yi": 250, "jiuye@bing": 170, "peixun": 210.5, "chuangye": 40}
    filled(forms, RSJ.format("2023年5月"), values, {"peixun": "培训稳步推进"}, out=staging / "r.xlsx")
    xlsx_to_xlsb(staging / "r.xlsx", inputs / "人社局.xlsb")
    result = run_ingest(sample_config, inputs, out)
    assert [(o.relative, o.status) for o in result.outcomes] == [("人社局.xlsb", "accepted")]
    assert not findings(result, "F-IGNORED") and not [f for f in result.findings if f.is_error]
    assert {k: v.value_num for (u, k), v in stored(out).items()} == values
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        sub = ledger.submissions("2023-05")[0]
        assert dict(ledger.db.execute("SELECT row_key, text FROM narratives"))["peixun"] == "培训稳步推进"
    assert (sub["unit_code"], sub["identified_by"], sub["filler"]) == ("rsj", "meta", "张三")
    assert (out / sub["archive_path"]).suffix == ".xlsb"
