"""Ingest on simulated returns: clean values in, every planted problem found at its cell,
re-runs and interrupted runs give the same ledger, resubmissions supersede, inputs untouched."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT

from pipeline.cli import cli
from pipeline.formspec import rows_by_unit
from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger
from pipeline.periods import parse_period
from pipeline.simulate import SPECIAL_NOTE, filled_values, simulate

APRIL, MAY = parse_period("2023-04"), parse_period("2023-05")

PLANT_CODES = {
    "text_separators": "V-NORMALISED",
    "fullwidth": "V-NORMALISED",
    "with_unit": "V-NORMALISED",
    "decrease": "V-DECREASE",
    "empty": "V-EMPTY",
    "child_exceeds": "V-CHILD-EXCEEDS",
    "area_sum": "V-AREA-SUM",
}


def dump(ledger_path: Path) -> dict[str, list]:
    """Every row of every ledger table, for comparing two ledgers."""
    db = sqlite3.connect(ledger_path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    out = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in tables}
    db.close()
    return out


@pytest.fixture
def messy(sample_config, tmp_path):
    inputs = tmp_path / "inputs"
    simulate(sample_config, APRIL, inputs / "4月", seed=5)
    sim = simulate(sample_config, MAY, inputs / "5月", seed=5, messy=True)
    return inputs, sim


def test_clean_returns_are_accepted_with_their_values(sample_config, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "outputs"
    simulate(sample_config, MAY, inputs, seed=3)
    result = run_ingest(sample_config, inputs, out)
    assert result.count("accepted") == len(rows_by_unit(sample_config))
    assert not [f for f in result.findings if f.is_error]
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        stored = {(u, v.row_key): v for u, v in ledger.values_for("2023-05")}
    for unit, rows in rows_by_unit(sample_config).items():
        expected_values = filled_values(3, unit, rows, MAY)
        for r in rows:
            expected = expected_values[r.key]
            v = stored[(unit, r.key)]
            assert v.status == "ok"
            assert (v.value_text if isinstance(expected, str) else v.value_num) == expected, r.key


def test_every_planted_problem_is_reported_at_its_cell(sample_config, messy, tmp_path):
    inputs, sim = messy
    out = tmp_path / "outputs"
    result = run_ingest(sample_config, inputs, out)
    findings = result.findings + result.run_notes
    for plant in sim.planted:
        if plant.kind in PLANT_CODES:
            hits = [
                f
                for f in findings
                if f.code == PLANT_CODES[plant.kind]
                and f.cell == plant.cell
                and f.unit_code == plant.unit_code
                and f.period == "2023-05"
            ]
            assert hits, f"{plant} not reported"
            assert all(f.file for f in hits) and hits[0].sheet == "填报表"
    kinds = {p.kind: p for p in sim.planted}
    late = kinds["late"]
    assert any(f.code == "F-LATE" and f.unit_code == late.unit_code for f in findings)
    renamed = kinds["renamed"]
    assert any(o.relative.endswith(renamed.file) and o.status == "accepted" for o in result.outcomes)
    stale = kinds["stale_copy"]
    assert any(o.relative.endswith(stale.file) and o.status in ("duplicate", "already") for o in result.outcomes)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        texts = [r[0] for r in ledger.db.execute("SELECT text FROM narratives")]
        stored = {(u, v.row_key): v for u, v in ledger.values_for("2023-05")}
    assert SPECIAL_NOTE in texts  # & < > and the line break kept exactly
    # Planted errors are excluded (shown as 数据有误 later), never turned into 0.
    for kind in ("decrease", "child_exceeds", "area_sum"):
        p = kinds[kind]
        assert stored[(p.unit_code, p.row_key)].status == "excluded"
    empty = kinds["empty"]
    assert stored[(empty.unit_code, empty.row_key)].status == "empty"
    assert stored[(empty.unit_code, empty.row_key)].value_num is None
    fullwidth = kinds["fullwidth"]
    assert stored[(fullwidth.unit_code, fullwidth.row_key)].raw_text == fullwidth.value
    # The missing unit is on the chase list with its deadline.
    chase = openpyxl.load_workbook(out / "2023-05" / "催报名单.xlsx").active
    rows = [[c.value for c in r] for r in chase.iter_rows(min_row=4)]
    missing = sample_config.unit(kinds["missing_unit"].unit_code).name
    assert [missing, "未报送"] in [r[1:3] for r in rows]
    assert any(r[2] == "逾期报送" for r in rows)


def test_findings_report_lists_every_finding(sample_config, messy, tmp_path):
    inputs, _ = messy
    out = tmp_path / "outputs"
    run_ingest(sample_config, inputs, out)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        expected = ledger.findings_for("2023-05")
    ws = openpyxl.load_workbook(out / "2023-05" / "校验报告.xlsx").active
    assert ws.title == "校验问题"
    header = [c.value for c in ws[3]]
    assert header[:4] == ["序号", "严重程度", "问题类型", "填报单位"]
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(body) >= len(expected) > 0
    assert ws.auto_filter.ref and ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    errors_first = [r[1] for r in body]
    assert errors_first == sorted(errors_first, key=lambda s: s != "错误")
    # The per-unit sheet: every reporting unit once, the missing one marked, error counts that add up.
    tally = openpyxl.load_workbook(out / "2023-05" / "校验报告.xlsx")["按单位汇总"]
    lines = [[c.value for c in r] for r in tally.iter_rows(min_row=4)]
    assert len(lines) == len(rows_by_unit(sample_config))
    assert sum(int(r[4]) for r in lines) == sum(1 for f in expected if f.is_error)
    assert [r[2] for r in lines].count("未报送") == 1
    assert int(lines[0][4]) == max(int(r[4]) for r in lines)  # most errors first


def test_rerun_changes_nothing(sample_config, messy, tmp_path):
    inputs, _ = messy
    out = tmp_path / "outputs"
    run_ingest(sample_config, inputs, out)
    before = dump(out / "ledger-2023.sqlite")
    again = run_ingest(sample_config, inputs, out)
    assert dump(out / "ledger-2023.sqlite") == before
    assert again.count("accepted") == 0 and again.count("already") > 0


def test_inputs_are_never_touched_and_archived_byte_for_byte(sample_config, messy, tmp_path):
    inputs, _ = messy
    files = sorted(p for p in inputs.rglob("*") if p.is_file())
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in files}
    out = tmp_path / "outputs"
    run_ingest(sample_config, inputs, out)
    assert sorted(p for p in inputs.rglob("*") if p.is_file()) == files
    assert {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in files} == before
    archived = {p.stem for p in (out / "archive").rglob("*.xlsx")}
    assert {h for h, _ in before.values()} == archived


def test_resubmission_supersedes_and_keeps_history(sample_config, tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "outputs"
    sim = simulate(sample_config, MAY, inputs, seed=2)
    run_ingest(sample_config, inputs, out)
    path = next(p for p in sim.files if "民政局" in p.name)
    wb = openpyxl.load_workbook(path)
    wb["填报表"]["H7"] = 777  # 适老化改造, corrected by the unit
    second = tmp_path / "later"
    second.mkdir()
    wb.save(second / "民政局更正版.xlsx")
    result = run_ingest(sample_config, second, out)
    assert any(f.code == "F-RESUBMITTED" and f.unit_code == "mzj" for f in result.findings)
    with Ledger(out / "ledger-2023.sqlite") as ledger:
        subs = [s for s in ledger.submissions("2023-05") if s["unit_code"] == "mzj"]
        current = {(u, v.row_key): v.value_num for u, v in ledger.values_for("2023-05")}
    assert [s["status"] for s in subs] == ["superseded", "accepted"]
    assert current[("mzj", "shelao")] == 777


def _ingest_cmd(config: Path, inputs: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from pipeline.cli import main; main()",
        "ingest",
        "--config",
        str(config),
        "--inputs",
        str(inputs),
        "--outputs",
        str(out),
    ]


def _count(ledger: Path) -> int:
    try:
        db = sqlite3.connect(ledger)
        try:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # not created yet, or mid-write
        return 0


def _kill_after(cmd: list[str], env: dict, ledger: Path, files: int) -> int:
    """Start an ingest, SIGKILL it once `files` files are in the ledger; return how many stayed."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if ledger.exists() and _count(ledger) >= files:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return _count(ledger)


def test_killed_mid_batch_then_rerun_gives_the_same_ledger(sample_config, sample_config_path, tmp_path):
    inputs = tmp_path / "inputs"
    for m in range(1, 13):
        simulate(sample_config, parse_period(f"2023-{m:02d}"), inputs / f"{m:02d}", seed=4)
    total = sum(1 for _ in inputs.rglob("*.xlsx"))
    whole = tmp_path / "whole"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(_ingest_cmd(sample_config_path, inputs, whole), check=True, env=env, capture_output=True)
    for attempt in range(3):  # the kill must land mid-batch; on a very fast run, try again
        killed = tmp_path / f"killed-{attempt}"
        stored = _kill_after(_ingest_cmd(sample_config_path, inputs, killed), env, killed / "ledger-2023.sqlite", 3)
        if 0 < stored < total:
            break
    assert 0 < stored < total, "the kill should land mid-batch"
    subprocess.run(_ingest_cmd(sample_config_path, inputs, killed), check=True, env=env, capture_output=True)
    assert dump(killed / "ledger-2023.sqlite") == dump(whole / "ledger-2023.sqlite")


def test_cli_exit_codes_json_and_summary(sample_config_path, sample_config, messy, tmp_path):
    inputs, _ = messy
    runner = CliRunner()
    base = ["ingest", "--config", str(sample_config_path), "--inputs", str(inputs)]
    result = runner.invoke(cli, [*base, "--outputs", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output  # findings are reported, not fatal
    assert "本次新发现问题" in result.output and "[错误]" in result.output and "校验报告.xlsx" in result.output
    strict = runner.invoke(cli, [*base, "--outputs", str(tmp_path / "b"), "--strict"])
    assert strict.exit_code == 1
    as_json = runner.invoke(cli, [*base, "--outputs", str(tmp_path / "c"), "--json"])
    data = json.loads(as_json.output)
    assert set(data) == {"files", "summary", "periods", "findings", "values", "reports"}
    assert data["periods"] == ["2023-04", "2023-05"]
    f = next(x for x in data["findings"] if x["code"] == "V-DECREASE")
    assert {"severity", "file", "sheet", "cell", "unit_code", "indicator_id", "raw", "message", "hint"} <= set(f)
    assert f["severity"] == "错误"
    assert any(v["status"] == "excluded" for v in data["values"]["2023-05"])
    missing = runner.invoke(cli, ["ingest", "--config", str(sample_config_path), "--inputs", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "找不到报表目录" in missing.output
    bad_period = runner.invoke(cli, [*base, "--period", "五月"])
    assert bad_period.exit_code == 2 and "无法识别的期别「五月」" in bad_period.output


def test_period_filter_leaves_other_periods_out(sample_config, messy, tmp_path):
    inputs, _ = messy
    result = run_ingest(sample_config, inputs, tmp_path / "out", period=MAY)
    april = [o for o in result.outcomes if o.period == "2023-04"]
    assert april and all(o.status in ("other-period", "duplicate") for o in april)
    assert any(f.code == "F-WRONG-PERIOD" for f in result.run_notes)
    assert result.periods == ["2023-05"]


def test_monthly_job_demo_on_an_empty_inputs_folder(sample_config_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    result = CliRunner().invoke(cli, ["monthly", "--config", str(sample_config_path)])
    assert result.exit_code == 0, result.output
    assert "本次用随附的模拟报表演示" in result.output
    assert (tmp_path / "outputs" / "demo" / "2023-05" / "校验报告.xlsx").exists()
    assert (tmp_path / "outputs" / "demo" / "2023-05" / "催报名单.xlsx").exists()
    assert not (tmp_path / "outputs" / "ledger-2023.sqlite").exists()  # the real ledger stays clean
    summary = tmp_path / "outputs" / "demo" / "2023-05" / "重点民生实事进展汇总表.xlsx"
    assert f"已生成：{Path('outputs') / 'demo' / '2023-05' / summary.name}" in result.output
    assert "2023年5月（截至2023年5月31日，序时进度 41.7%）" in result.output and "绿灯" in result.output
    ws = openpyxl.load_workbook(summary)["总表"]
    assert ws["A1"].value.startswith("2023年5月")
    notice = tmp_path / "outputs" / "demo" / "2023-05" / "月通报.docx"
    assert f"已生成：{Path('outputs') / 'demo' / '2023-05' / notice.name}" in result.output
    import docx

    text = "\n".join(p.text for p in docx.Document(notice).paragraphs)
    assert "关于2023年5月份" in text and "通报" in text
    (school,) = [r for r in ws.iter_rows(values_only=True) if r[3] == "乡镇标准化寄宿制学校"]
    assert "责任单位：某县人力资源和社会保障局" in school[-1]  # the project's co, in 备注
    again = CliRunner().invoke(cli, ["monthly", "--config", str(sample_config_path)])
    assert again.exit_code == 0 and "此前已处理" in again.output


def test_dekad_job_of_an_office_without_dekads_says_so(tmp_path, monkeypatch):
    from pipeline.config_load import load_config

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["dekad", "--config", str(ROOT / "examples" / "xiaoxian-2023.yaml")])
    assert result.exit_code == 0 and "没有旬材料，无需运行此命令" in result.output
    assert not (tmp_path / "outputs").exists()
    assert load_config(ROOT / "examples" / "xiaoxian-2023.yaml").reporting.return_kinds() == ["month"]


def test_monthly_job_on_real_returns(sample_config, sample_config_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    simulate(sample_config, MAY, tmp_path / "inputs", seed=9)
    result = CliRunner().invoke(cli, ["monthly", "--config", str(sample_config_path), "--period", "2023-05"])
    assert result.exit_code == 0, result.output
    assert "演示" not in result.output
    assert (tmp_path / "outputs" / "ledger-2023.sqlite").exists()
    assert (tmp_path / "outputs" / "2023-05" / "校验报告.xlsx").exists()


@pytest.mark.parametrize(
    "config", ["config.yaml", *sorted(f"examples/{p.name}" for p in (ROOT / "examples").glob("*.yaml"))]
)
def test_messy_returns_of_every_shipped_config(config, tmp_path):
    from pipeline.config_load import load_config

    cfg = load_config(ROOT / config)
    inputs = tmp_path / "inputs"
    simulate(cfg, APRIL, inputs / "04", seed=2023)
    sim = simulate(cfg, MAY, inputs / "05", seed=2023, messy=True)
    result = run_ingest(cfg, inputs, tmp_path / "out")
    findings = result.findings + result.run_notes
    for plant in sim.planted:
        if plant.kind in PLANT_CODES:
            assert any(
                f.code == PLANT_CODES[plant.kind] and f.cell == plant.cell and f.unit_code == plant.unit_code
                for f in findings
            ), plant
    missing = next(p for p in sim.planted if p.kind == "missing_unit")
    accepted = {o.unit_code for o in result.outcomes if o.status == "accepted" and o.period == "2023-05"}
    assert missing.unit_code not in accepted
    assert len(accepted) == len(rows_by_unit(cfg)) - 1
    # Clean units raise no errors: every 错误 is one the simulator planted.
    planted_cells = {(p.unit_code, p.cell) for p in sim.planted}
    assert all((f.unit_code, f.cell) in planted_cells for f in findings if f.is_error)


def test_the_demo_follows_the_config(sample_config_path, tmp_path, monkeypatch):
    """Another county's config (or an edited one) gets a fresh demo, not the old county's ledger."""
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["monthly", "--config", str(sample_config_path)])
    assert first.exit_code == 0, first.output
    import yaml

    data = yaml.safe_load(sample_config_path.read_text(encoding="utf-8"))
    data["office"]["name"] = "另一个县民生实事办公室"
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    second = CliRunner().invoke(cli, ["monthly", "--config", str(other)])
    assert second.exit_code == 0, second.output
    assert "另一个县民生实事办公室" in second.output and "版本不同" not in second.output


def test_a_summary_held_open_is_a_plain_message(sample_config_path, tmp_path, monkeypatch):
    """On Windows a workbook open in Excel/WPS cannot be replaced: say which file, no traceback."""
    import pipeline.summary_workbook as sw

    monkeypatch.chdir(tmp_path)

    def locked(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sw, "write_summary", locked)
    result = CliRunner().invoke(cli, ["monthly", "--config", str(sample_config_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "重点民生实事进展汇总表.xlsx」：文件可能正在 Excel、Word 或 WPS 中打开" in result.output
