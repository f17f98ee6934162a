"""Each idiom a 分解方案 uses: the config snippet loads, the form shows it, a return is checked right.

The snippets are the ones docs/config.md shows.
"""

from __future__ import annotations

import os

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import fill_by_spec

from pipeline.cli import cli
from pipeline.config_load import parse_config
from pipeline.errors import UserError
from pipeline.forms import write_forms
from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger
from pipeline.periods import parse_period

APRIL, MAY, JUNE = parse_period("2023-04"), parse_period("2023-05"), parse_period("2023-06")


def config(indicators, **top):
    data = {
        "year": 2023,
        "source": {
            "title": "某县2023年重点民生实事项目实施方案",
            "number": "某政办发〔2023〕3号",
            "date": "2023-03-01",
        },
        "office": {"name": "某县民生实事办公室"},
        "reporting": {"documents": [{"period": "month", "name": "月专报", "kind": "notice"}], "returns": ["month"]},
        "deadlines": {"month": {"day": 25}},
        "categories": [{"code": "xj", "name": "县级民生实事"}],
        "units": [{"code": "rsj", "name": "某县人社局"}, {"code": "ybj", "name": "某县医保局"}],
        "areas": [{"code": "jia", "name": "甲镇"}, {"code": "yi", "name": "乙镇"}],
        "projects": [
            {"id": "p", "category": "xj", "number": 1, "title": "民生项目", "lead": "rsj", "indicators": indicators}
        ],
        **top,
    }
    return parse_config(yaml.safe_dump(data, allow_unicode=True))


def form_cells(cfg, period, tmp_path):
    """Row key → (measure, target cell value) of the rsj form."""
    (path,) = [p for p in write_forms(cfg, period, tmp_path / "forms" / period.code) if "人社局" in p.name]
    ws = openpyxl.load_workbook(path)["填报表"]
    out = {
        ws[f"M{r}"].value: (ws[f"E{r}"].value, ws[f"F{r}"].value) for r in range(6, ws.max_row + 1) if ws[f"M{r}"].value
    }
    return path, ws["A1"].value, out


def ingest(cfg, tmp_path, fills):
    inputs = tmp_path / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    for i, (period, values, notes) in enumerate(fills):
        blank, _, _ = form_cells(cfg, period, tmp_path)
        target = inputs / f"{period.code}-{i}.xlsx"
        fill_by_spec(blank, values, notes, target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))
    return run_ingest(cfg, inputs, tmp_path / "out")


def codes(result):
    return [(f.code, f.row_key) for f in result.findings]


def test_mechanism_without_dekads_has_no_dekad_forms_and_says_so(tmp_path):
    cfg = config([{"id": "a", "name": "甲", "unit": "人", "target": 10}])
    with pytest.raises(UserError, match="只报月报"):
        write_forms(cfg, parse_period("2023-05-2"), tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json", exclude_defaults=True), allow_unicode=True), "utf-8")
    result = CliRunner().invoke(cli, ["dekad", "--config", str(path)])
    assert result.exit_code == 0 and "没有旬材料" in result.output and "月专报" in result.output


def test_source_document_without_doc_prefix_loads():
    cfg = config([{"id": "a", "name": "甲", "unit": "人", "target": 10}])
    assert cfg.office.doc_prefix is None and cfg.source.number == "某政办发〔2023〕3号"
    assert cfg.category_name("xj") == "县级民生实事"


def test_stock_falls_with_a_warning_not_an_error(tmp_path):
    cfg = config([{"id": "cb", "name": "参保人数", "unit": "万人", "kind": "count", "stock": True, "target": 106.6}])
    result = ingest(cfg, tmp_path, [(APRIL, {"cb": 105.9}, {}), (MAY, {"cb": 105.7}, {})])
    assert ("V-LEVEL-DOWN", "cb") in codes(result) and ("V-DECREASE", "cb") not in codes(result)
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        (may,) = [v for _, v in ledger.values_for("2023-05")]
    assert (may.value_num, may.status) == (105.7, "ok")


def test_township_rows_in_ren_under_a_total_in_wanren(tmp_path):
    ind = {
        "id": "cb",
        "name": "参保",
        "unit": "万人",
        "area_unit": "人",
        "target": 2,
        "area_targets": {"jia": 12000, "yi": 8000},
    }
    cfg = config([ind])
    _, _, cells = form_cells(cfg, MAY, tmp_path)
    assert cells["cb"] == ("万人", 2) and cells["cb@jia"] == ("人", 12000)
    ok = ingest(cfg, tmp_path / "ok", [(MAY, {"cb": 1.0, "cb@jia": 6000, "cb@yi": 4000}, {})])
    assert not [c for c in codes(ok) if c[0] == "V-AREA-SUM"]  # 6000 + 4000 人 = 1.0 万人
    bad = ingest(cfg, tmp_path / "bad", [(MAY, {"cb": 1.2, "cb@jia": 6000, "cb@yi": 4000}, {})])
    assert ("V-AREA-SUM", "cb") in codes(bad)


def test_child_in_ren_under_a_parent_in_wanren_still_caught(tmp_path):
    cfg = config(
        [
            {"id": "jy", "name": "城镇新增就业", "unit": "万人", "target": 0.5},
            {"id": "kn", "name": "困难人员就业", "unit": "人", "target": 800, "parent": "jy"},
        ]
    )
    fine = ingest(cfg, tmp_path / "fine", [(MAY, {"jy": 0.2, "kn": 300}, {})])
    assert not [c for c in codes(fine) if c[0] == "V-CHILD-EXCEEDS"]
    over = ingest(cfg, tmp_path / "over", [(MAY, {"jy": 0.02, "kn": 300}, {})])  # 300 人 > 200 人
    assert ("V-CHILD-EXCEEDS", "kn") in codes(over)


def test_child_of_another_quantity_is_refused_by_check_config():
    with pytest.raises(UserError) as err:
        config(
            [
                {"id": "jy", "name": "就业", "unit": "人", "target": 10},
                {"id": "hh", "name": "户数", "unit": "户", "target": 5, "parent": "jy"},
            ]
        )
    assert "不是同一种量，无法比较大小" in err.value.render()


def test_milestone_past_its_deadline_is_flagged_and_kept(tmp_path):
    ms = {"id": "xx", "name": "学校建设", "kind": "milestone", "stages": ["未启动", "开工建设", "竣工投用"]}
    cfg = config([{**ms, "target_stage": "竣工投用", "deadline": "2023-05-31"}])
    _, _, cells = form_cells(cfg, JUNE, tmp_path)
    assert cells["xx"][1] == "竣工投用（2023年5月31日前）"
    result = ingest(cfg, tmp_path, [(JUNE, {"xx": "开工建设"}, {})])
    (f,) = [f for f in result.findings if f.code == "V-OVERDUE"]
    assert f.severity == "错误" and "2023年5月31日" in f.message
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        (v,) = [v for _, v in ledger.values_for("2023-06")]
    assert (v.value_text, v.status) == ("开工建设", "ok")


@pytest.mark.parametrize(
    "indicator, shown",
    [
        ({"unit": "户", "target": 200, "provisional": "具体以市级确定的数量为依据"}, "暂定200"),
        ({"unit": "%", "kind": "rate", "improve": True, "baseline": 88.2}, "在88.2%基础上持续改善"),
        ({"unit": "%", "kind": "share", "share_percent": 4, "share_of": "总床位"}, "≥4%（占总床位）"),
        ({"unit": "家", "kind": "coverage", "target": 12, "coverage_of": "二级以上医院"}, "12（二级以上医院全覆盖）"),
        ({"unit": "万元", "kind": "investment", "target": 3000, "total_investment": 7000}, "3000（总投资7000）"),
        ({"unit": "所", "target": 1, "deadline": "2023-09-01"}, "1（2023年9月1日前）"),
        ({"unit": "人", "pending": "待国家方案明确后另行制定"}, "目标待定"),
    ],
)
def test_the_target_column_says_what_the_config_says(tmp_path, indicator, shown):
    cfg = config([{"id": "a", "name": "甲", **indicator}])
    _, _, cells = form_cells(cfg, MAY, tmp_path)
    assert cells["a"][1] == shown


def test_numbers_keep_their_precision_and_the_form_title_comes_from_the_config(tmp_path):
    cfg = config(
        [{"id": "a", "name": "甲", "unit": "万人", "target": 106.643}],
        reporting={
            "documents": [{"period": "month", "name": "月通报", "kind": "notice"}],
            "form_name": "重点监测民生项目进展填报表",
        },
    )
    path, title, cells = form_cells(cfg, MAY, tmp_path)
    assert title == "2023年重点监测民生项目进展填报表" and path.name.endswith("重点监测民生项目进展填报表.xlsx")
    ws = openpyxl.load_workbook(path)["填报表"]
    row = next(r for r in range(6, ws.max_row + 1) if ws[f"M{r}"].value == "a")
    assert ws[f"F{row}"].number_format == "#,##0.000"  # 106.643, not 106.64
    assert ws[f"H{row}"].number_format == "General"  # input shows exactly what was typed


@pytest.mark.parametrize(
    "indicator, message",
    [
        ({"unit": "户", "provisional": "以市定为准"}, "provisional（暂定），还须写暂定的数 target"),
        ({"unit": "%", "kind": "rate", "improve": True}, "须写基数 baseline"),
        ({"unit": "家", "kind": "coverage", "target": 12}, "coverage_of 写覆盖对象"),
        ({"unit": "人", "target": 5, "coverage_of": "村"}, "请把 kind 写成 coverage"),
        ({"unit": "%", "kind": "rate", "target": 90, "stock": True}, "stock（存量、达到某一水平）只用于 count 类"),
        ({"unit": "人", "target": 100, "area_unit": "户"}, "不是同一种量，无法换算"),
    ],
)
def test_misused_idioms_are_one_plain_sentence(indicator, message):
    with pytest.raises(UserError) as err:
        config([{"id": "a", "name": "甲", **indicator}])
    assert message in err.value.render()


def test_default_deadline_and_early_due_day_are_warned():
    cfg = config([{"id": "a", "name": "甲", "unit": "人", "target": 10}], deadlines={"month": {"day": 20}})
    warned = " ".join(w.render() for w in cfg.warnings)
    assert "报送日（1月20日）早于该期结束（1月31日）" in warned and "cutoff_day: 20" in warned
    cut = config(
        [{"id": "a", "name": "甲", "unit": "人", "target": 10}],
        deadlines={"month": {"day": 20}},
        reporting={"documents": [{"period": "month", "name": "月通报", "kind": "notice"}], "cutoff_day": 20},
    )
    assert not [w for w in cut.warnings if "早于" in w.message]
    silent = config([{"id": "a", "name": "甲", "unit": "人", "target": 10}], deadlines={})
    assert any("未写月报的报送时限" in w.message for w in silent.warnings)


def test_joint_leads_and_legacy_title():
    cfg = config([{"id": "a", "name": "甲", "unit": "人", "target": 10, "lead": ["rsj", "ybj"]}])
    p, ind = cfg.indicator("a")
    assert cfg.leads_of(p, ind) == ["rsj", "ybj"] and cfg.reporter_of(p, ind) == "rsj"
    old = yaml.safe_load(yaml.safe_dump(cfg.model_dump(mode="json", exclude_defaults=True), allow_unicode=True))
    old.pop("source")
    old["title"] = "旧写法的方案标题"
    assert parse_config(yaml.safe_dump(old, allow_unicode=True)).source.title == "旧写法的方案标题"


SITES = {
    "id": "zz",
    "name": "新增标准化中职学校",
    "unit": "所",
    "stages": ["未启动", "在建", "建成"],
    "target_stage": "建成",
    "sites": [
        {"code": "s1", "name": "第一职中"},
        {"code": "s2", "name": "第二职中"},
        {"code": "s3", "name": "卫生职校"},
        {"code": "s4", "name": "工贸职校"},
    ],
}


def test_named_sites_each_have_a_row_and_the_count_is_the_sites_that_reached_the_stage(tmp_path):
    from pipeline.analytics.build import build_report
    from pipeline.snapshot import read_snapshot

    cfg = config([SITES])
    assert cfg.indicator("zz")[1].target == 4  # 「4所」: the number of sites named
    _, _, cells = form_cells(cfg, MAY, tmp_path)
    assert [k for k in cells if k.startswith("zz")] == ["zz@s1", "zz@s2", "zz@s3", "zz@s4"]
    assert cells["zz@s1"] == ("", "建成")
    values = {"zz@s1": "建成", "zz@s2": "在建", "zz@s3": "建成", "zz@s4": "快好了"}
    result = ingest(cfg, tmp_path, [(MAY, values, {})])
    assert ("V-NOT-STAGE", "zz@s4") in codes(result)
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        snap = read_snapshot(ledger, cfg, MAY)
    total = build_report(cfg, snap).indicator("zz").total
    # two schools 建成, one in progress, one 数据有误: counted 2, marked incomplete, no rate
    assert (total.value, total.incomplete, total.rate, total.status.value) == (2.0, True, None, "数据有误")
    assert "第一职中、卫生职校" in total.how
    fixed = ingest(cfg, tmp_path / "fixed", [(MAY, {**values, "zz@s4": "建成"}, {})])
    assert not [c for c in codes(fixed) if c[0] == "V-NOT-STAGE"]
    with Ledger.for_config(cfg, tmp_path / "fixed" / "out") as ledger:
        total = build_report(cfg, read_snapshot(ledger, cfg, MAY)).indicator("zz").total
    assert (total.value, total.rate_pct, total.status.value) == (3.0, 75.0, "超序时")


def test_sites_on_a_milestone_are_refused():
    with pytest.raises(UserError) as err:
        config([{**SITES, "kind": "milestone"}])
    assert "sites（逐个列出的学校、项目）只用于数量类" in err.value.render()


def test_roles_that_do_not_report_and_co_unit_groups():
    from pipeline.analytics.build import build_report
    from pipeline.model import Snapshot

    cfg = config(
        [{"id": "a", "name": "甲", "unit": "人", "target": 10}],
        units=[{"code": "rsj", "name": "某县人社局", "role": "convenor"}, {"code": "ybj", "name": "某县医保局"}],
    )
    assert any("role 是召集人（不填报）" in w.message for w in cfg.warnings)
    data = cfg.model_dump(mode="json", exclude_defaults=True)
    data["projects"][0]["co"] = ["ybj"]
    data["projects"][0]["co_group"] = "各乡镇（街道）"
    cfg = parse_config(yaml.safe_dump(data, allow_unicode=True))
    report = build_report(cfg, Snapshot(2023, "2023-05"))
    assert report.indicator("a").co == "某县医保局、各乡镇（街道）"
