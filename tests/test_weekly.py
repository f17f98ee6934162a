"""A weekly mechanism (周简报; 「每周一前报送上周进展」): forms for a week, a weekly return read back and
judged late by its weekday rule, the months it counts for, the simulator, `minsheng weekly`, and
what check-config says. An office without weeks sees none of it.
"""

from __future__ import annotations

import os

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import fill_by_spec

from pipeline.analytics.build import build_report
from pipeline.cli import cli
from pipeline.config_load import parse_config
from pipeline.errors import UserError
from pipeline.forms import write_forms
from pipeline.formspec import rows_by_unit
from pipeline.ingest import run_ingest
from pipeline.jobs import latest_period
from pipeline.ledger import Ledger
from pipeline.periods import parse_period
from pipeline.simulate import simulate, simulated_value
from pipeline.snapshot import read_snapshot
from pipeline.summary_workbook import write_summary

W20, W21, W22 = (parse_period(f"2023-W{n}") for n in (20, 21, 22))
MAY, JUNE = parse_period("2023-05"), parse_period("2023-06")
FORM = "某县人社局_2023年第21周_重点民生实事进展填报表.xlsx"


def data(**top) -> dict:
    return {
        "year": 2023,
        "source": {"title": "某县2023年重点民生实事项目实施方案"},
        "office": {"name": "某县民生实事办公室"},
        "reporting": {
            "documents": [
                {"period": "week", "name": "周简报", "kind": "brief"},
                {"period": "month", "name": "月通报", "kind": "notice"},
            ],
            "returns": ["week"],
        },
        "deadlines": {"week": {"weekday": 1, "week_offset": 1}},  # 「每周一前报送上周进展」
        "units": [{"code": "rsj", "name": "某县人社局"}],
        "projects": [
            {
                "id": "p",
                "category": "本级重点民生实事",
                "number": 1,
                "title": "促进就业",
                "lead": "rsj",
                "indicators": [{"id": "jy", "name": "城镇新增就业", "unit": "人", "target": 1000}],
            }
        ],
        **top,
    }


def config(**top):
    return parse_config(yaml.safe_dump(data(**top), allow_unicode=True))


def test_a_week_form_names_the_week_its_days_and_its_monday_deadline(tmp_path):
    (path,) = write_forms(config(), W21, tmp_path)
    assert path.name == FORM
    wb = openpyxl.load_workbook(path)
    ws = wb["填报表"]
    assert ws["F2"].value == "填报期别：2023年第21周（5月22日至5月28日）"
    assert ws["J2"].value == "报送截止：2023年5月29日"  # the Monday after Sunday 28 May
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    assert (meta["period"], meta["period_label"], meta["deadline"]) == ("2023-W21", "2023年第21周", "2023-05-29")


def test_templates_command_takes_a_week(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data(), allow_unicode=True), "utf-8")
    result = CliRunner().invoke(
        cli, ["templates", "--config", str(path), "--outputs", str(tmp_path / "out"), "--period", "2023年第21周"]
    )
    assert result.exit_code == 0, result.output
    assert "已为 1 个填报单位生成2023年第21周填报表" in result.output
    assert (tmp_path / "out" / "templates" / "2023-W21" / FORM).exists()


def test_an_office_without_weeks_gets_no_week_forms_and_no_weekly_document(tmp_path):
    monthly = data(
        reporting={"documents": [{"period": "month", "name": "月通报", "kind": "notice"}]},
        deadlines={"month": {"after_end_days": 5}},
    )
    cfg = parse_config(yaml.safe_dump(monthly, allow_unicode=True))
    with pytest.raises(UserError, match="各单位只报月报"):
        write_forms(cfg, W21, tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(monthly, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(cli, ["weekly", "--config", str(path), "--outputs", str(tmp_path / "out")])
    assert result.exit_code == 0 and "本办公室的调度机制（月通报）中没有周材料，无需运行此命令" in result.output


def _returns(cfg, tmp_path, values_by_week, strip_meta=False):
    inputs = tmp_path / "inputs"
    inputs.mkdir(exist_ok=True)
    for i, (week, value) in enumerate(values_by_week):
        (blank,) = write_forms(cfg, week, tmp_path / "blank" / week.code)
        target = inputs / f"{week.code}.xlsx"
        fill_by_spec(blank, {"jy": value}, {}, target)  # 填报日期 2023-06-03
        if strip_meta:
            wb = openpyxl.load_workbook(target)
            del wb["_meta"]
            wb.save(target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))
    return run_ingest(cfg, inputs, tmp_path / "out")


def test_a_weekly_return_is_read_back_and_late_by_its_weekday_rule(tmp_path):
    cfg = config()
    result = _returns(cfg, tmp_path, [(W21, 420)])
    assert [(o.status, o.period) for o in result.outcomes] == [("accepted", "2023-W21")]
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        (sub,) = ledger.submissions("2023-W21")
        (value,) = [v for _, v in ledger.values_for("2023-W21")]
    # due Monday 29 May, 填报日期 3 June: late
    assert (sub["late"], sub["received_date"], value.value_num) == (1, "2023-06-03", 420.0)
    assert (tmp_path / "out" / "2023-W21" / "校验报告.xlsx").exists()


def test_a_weekly_return_that_lost_its_hidden_sheet_is_known_by_its_title(tmp_path):
    cfg = config()
    result = _returns(cfg, tmp_path, [(W21, 420)], strip_meta=True)
    assert [(o.status, o.period) for o in result.outcomes] == [("accepted", "2023-W21")]
    assert any(f.code == "F-META-MISSING" for f in result.findings)


def test_a_month_takes_its_last_whole_week_and_a_week_across_two_months_counts_for_neither(tmp_path):
    cfg = config()
    _returns(cfg, tmp_path, [(W20, 300), (W21, 400), (W22, 450)])  # W22: 29 May – 4 June
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        may, june = read_snapshot(ledger, cfg, MAY), read_snapshot(ledger, cfg, JUNE)
        assert latest_period(ledger, "week", 2023) == W22
        assert latest_period(ledger, "month", 2023) == MAY  # not June: no week of June is over yet
        assert latest_period(ledger, "quarter", 2023).code == "2023-Q2"  # W22 ends in June, inside Q2
    assert (may.rows["jy"].current.number, may.rows["jy"].current.period) == (400.0, "2023-W21")
    assert june.rows["jy"].current is None and june.rows["jy"].last_ok.period == "2023-W22"
    report = build_report(cfg, may)
    line = report.indicator("jy").total
    assert (line.value, line.value_period, line.rate_pct) == (400.0, "2023-W21", 40.0)
    ws = openpyxl.load_workbook(write_summary(cfg, report, tmp_path / "5月.xlsx"))["总表"]
    assert (ws["O3"].value, ws["O4"].value) == ("数据期别", "第21周")
    week = build_report(cfg, read_snapshot_at(cfg, tmp_path, W22), read_snapshot_at(cfg, tmp_path, W21))
    total = week.indicator("jy").total
    assert (week.period_label, total.value, total.increment) == ("2023年第22周", 450.0, 50.0)
    assert week.as_of == "2023-06-04"


def read_snapshot_at(cfg, tmp_path, period):
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        return read_snapshot(ledger, cfg, period)


def test_the_simulator_fills_weekly_returns_that_grow_week_by_week(tmp_path):
    cfg = config()
    sim = simulate(cfg, W21, tmp_path / "sim", seed=3)
    assert [f.name for f in sim.files] == [FORM]
    wb = openpyxl.load_workbook(sim.files[0])
    assert wb["填报表"]["F2"].value == "填报期别：2023年第21周（5月22日至5月28日）"
    (row,) = rows_by_unit(cfg)["rsj"]
    assert simulated_value(3, "rsj", row, W20) <= simulated_value(3, "rsj", row, W21)


def three_units(tmp_path):
    """A config file of three units: the demo leaves one unit's return out, and the week still has returns."""
    three = data()
    three["units"] += [{"code": "mzj", "name": "某县民政局"}, {"code": "jyj", "name": "某县教育局"}]
    for i, unit in enumerate(("mzj", "jyj")):
        project = {**three["projects"][0], "id": f"p{i}", "number": i + 2, "lead": unit}
        three["projects"].append(
            {**project, "indicators": [{"id": f"x{i}", "name": f"指标{i}", "unit": "个", "target": 50}]}
        )
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(three, allow_unicode=True), "utf-8")
    empty = tmp_path / "inputs"
    empty.mkdir()
    return ["--config", str(path), "--inputs", str(empty), "--outputs", str(tmp_path / "out")]


def test_make_monthly_of_an_office_that_collects_only_weeks_demonstrates_on_weekly_returns(tmp_path):
    result = CliRunner().invoke(cli, ["monthly", *three_units(tmp_path)])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "out" / "demo"
    assert sorted(p.name for p in (demo / "示例报表").iterdir()) == ["2023-W17", "2023-W21"]  # 4月、5月的最后整周
    assert (demo / "2023-05" / "重点民生实事进展汇总表.xlsx").exists() and (demo / "2023-05" / "月通报.docx").exists()


def test_make_weekly_runs_the_demo_and_writes_the_weeks_summary_and_brief(tmp_path):
    args = ["weekly", *three_units(tmp_path)]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = out / "demo" / "2023-W21" / "重点民生实事进展汇总表.xlsx"
    assert summary.exists()
    brief = docx.Document(str(out / "demo" / "2023-W21" / "周简报.docx"))
    text = "\n".join(p.text for p in brief.paragraphs)
    assert "第1期" in text and "二、本周新增" in text and "旬" not in text
    assert (out / "demo" / "2023-W21" / "周简报_数据依据.xlsx").exists()
    assert openpyxl.load_workbook(summary)["总表"]["A1"].value == "2023年第21周重点民生实事进展汇总表"
    wrong = CliRunner().invoke(cli, [*args, "--period", "2023-05"])
    assert wrong.exit_code == 2 and "「2023年5月」不是周期别；周简报请写如 2023-W21 的期别" in wrong.output


@pytest.mark.parametrize(
    "deadlines, message",
    [
        ({"week": {"day": 5}}, "deadlines.week.day: 周报的报送时限不用 day（某月几日）：「每周五前」写 weekday: 5"),
        ({"week": {"weekday": 5, "after_end_days": 2}}, "deadlines.week: 周报的报送时限须在 after_end_days"),
        (
            {"week": {"weekday": 5}, "month": {"weekday": 5}},
            "deadlines.month.weekday: weekday（每周周几报送）只用于周报",
        ),
        (
            {"week": {"after_end_days": 2, "week_offset": 1}},
            "deadlines.week.week_offset: week_offset 要和 weekday 一起写",
        ),
    ],
)
def test_week_deadline_misuse_is_one_sentence_naming_the_key(deadlines, message):
    with pytest.raises(UserError) as err:
        config(deadlines=deadlines)
    assert message in err.value.render()


def test_week_mechanism_warnings():
    friday = " ".join(w.render() for w in config(deadlines={"week": {"weekday": 5}}).warnings)
    assert (
        "周报的报送日（周五，如第2周为1月13日）早于该周结束（周日，1月15日）" in friday and "week_offset: 1" in friday
    )
    assert not [w for w in config().warnings if "早于" in w.message]  # 下周一前: after the week
    unsaid = " ".join(w.message for w in config(deadlines={}).warnings)
    assert "未写周报的报送时限，按默认（期末后 2 天）判断逾期" in unsaid
    no_returns = config(
        reporting={**data()["reporting"], "returns": ["month"]}, deadlines={"month": {"after_end_days": 5}}
    )
    (w,) = [w for w in no_returns.warnings if w.path == "reporting.returns"]
    assert "报送机制中有周材料「周简报」，但 reporting.returns 中没有 week" in w.message


def test_a_config_without_the_new_keys_keeps_the_fingerprint_its_issued_forms_carry():
    """Forms issued before weeks (and chains) existed must not all turn into 「另一版本的分解方案」."""
    monthly = data(
        reporting={"documents": [{"period": "month", "name": "月通报", "kind": "notice"}]},
        deadlines={"month": {"after_end_days": 5}},
    )
    # computed with the config model of 436960b, before `week`, `weekday`, `week_offset` and `chain`
    assert parse_config(yaml.safe_dump(monthly, allow_unicode=True)).fingerprint() == "68187dcfb35c4981"
    friday = config(deadlines={"week": {"weekday": 5}})
    assert friday.fingerprint() != config().fingerprint()  # a key that is written does count


def test_the_docs_weekly_snippet_renders_what_the_doc_says(tmp_path):
    from test_config_doc import DOC, MINIMAL, SNIPPETS

    src = next(src for _, src, _ in SNIPPETS if "period: week" in src and "week_offset: 1" in src)
    cfg = parse_config(yaml.safe_dump({**MINIMAL, **yaml.safe_load(src)}, allow_unicode=True))
    (path,) = write_forms(cfg, W21, tmp_path)
    assert f"文件名「{path.name}」" in DOC
    ws = openpyxl.load_workbook(path)["填报表"]
    assert f"表头「{ws['F2'].value}」「{ws['J2'].value}」（下周一）" in DOC
