"""The certification chain (`chain`: 乡镇填报 → 牵头单位审核汇总 → 统计局核验认定): the doc's snippet loads
and every form prints it; the reviewing unit's form carries the 合计 and its figure is the total; the
汇总表 says the chain; check-config turns each contradiction into one sentence. No chain: no change.
"""

from __future__ import annotations

import copy
import os

import openpyxl
import pytest
import yaml
from conftest import fill_by_spec
from test_config_doc import DOC, SNIPPETS

from pipeline.analytics.build import build_report
from pipeline.config import Chain
from pipeline.config_load import parse_config
from pipeline.errors import UserError
from pipeline.forms import write_forms
from pipeline.formspec import rows_by_unit
from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger
from pipeline.periods import parse_period
from pipeline.simulate import simulate
from pipeline.snapshot import read_snapshot
from pipeline.summary_workbook import write_summary

MAY = parse_period("2023-05")
CHAIN = {"fill": "areas", "review": "lead", "certify": "tjj"}
LINE = "数据流程：填报：甲镇人民政府、乙镇人民政府 → 审核汇总：某县人社局 → 核验认定：某县统计局。"


def data(chain=CHAIN) -> dict:
    d = {
        "year": 2023,
        "source": {"title": "某县2023年重点民生实事项目实施方案"},
        "office": {"name": "某县民生实事办公室", "short_name": "县实事办"},
        "reporting": {"documents": [{"period": "month", "name": "月通报", "kind": "notice"}]},
        "deadlines": {"month": {"day": 5, "month_offset": 1}},
        "units": [
            {"code": "rsj", "name": "某县人社局"},
            {"code": "tjj", "name": "某县统计局", "role": "certifier"},
            {"code": "wjj", "name": "某县卫健局"},
            {"code": "jia", "name": "甲镇人民政府", "kind": "area", "area": "jia"},
            {"code": "yi", "name": "乙镇人民政府", "kind": "area", "area": "yi"},
        ],
        "areas": [{"code": "jia", "name": "甲镇", "kind": "镇"}, {"code": "yi", "name": "乙镇", "kind": "镇"}],
        "projects": [
            {
                "id": "p",
                "category": "本级重点民生实事",
                "number": 1,
                "title": "促进就业",
                "lead": "rsj",
                "indicators": [
                    {
                        "id": "jy",
                        "name": "城镇新增就业",
                        "unit": "人",
                        "target": 100,
                        "area_targets": {"jia": 60, "yi": 40},
                    },
                    {"id": "px", "name": "职业技能培训", "unit": "人次", "target": 50},
                ],
            }
        ],
    }
    if chain is not None:
        d["reporting"]["chain"] = chain
    return d


def load(d: dict):
    return parse_config(yaml.safe_dump(d, allow_unicode=True))


def keys(cfg) -> dict[str, list[str]]:
    return {unit: [r.key for r in rows] for unit, rows in rows_by_unit(cfg).items()}


def notes(path) -> str:
    return openpyxl.load_workbook(path)["填报表"]["A4"].value


# -- the doc's snippet, on the forms ------------------------------------------------------------
DOC_SNIPPET = next(src for _, src, _ in SNIPPETS if "review: lead, certify: tjj" in src and "kind: area" in src)


def test_the_docs_snippet_puts_the_total_on_the_reviewers_form_and_the_chain_on_every_form(tmp_path):
    cfg = parse_config(DOC_SNIPPET)
    assert keys(cfg) == {"rsj": ["jiuye"], "jia": ["jiuye@jia"], "yi": ["jiuye@yi"], "bing": ["jiuye@bing"]}
    paths = {p.name.split("_")[0]: p for p in write_forms(cfg, MAY, tmp_path)}
    line = "数据流程：填报：甲镇人民政府、乙镇人民政府、丙街道办事处 → 审核汇总：某县人力资源和社会保障局 → 核验认定：某县统计局。"
    assert f"「{line}」" in DOC  # what the doc says each form prints
    for path in paths.values():
        assert notes(path).startswith(line + "\n说明："), path.name
    ws = openpyxl.load_workbook(paths["某县人力资源和社会保障局"])["填报表"]
    assert [ws[f"{c}6"].value for c in "ACDFM"] == ["1", "城镇新增就业", "合计", 1000, "jiuye"]
    prompt = {str(v.sqref): v.prompt for v in ws.data_validations.dataValidation}["H6"]
    assert "审核汇总各区域报来的数后的合计" in prompt


def test_without_a_chain_nothing_changes(tmp_path):
    cfg = load(data(chain=None))
    # areas with their own units fill them, nobody fills the 合计 (the office adds up): as before
    assert keys(cfg) == {"rsj": ["px"], "jia": ["jy@jia"], "yi": ["jy@yi"]}
    assert all(notes(p).startswith("说明：") for p in write_forms(cfg, MAY, tmp_path))
    assert build_report(cfg, read_snapshot_of(cfg, tmp_path)).indicator("jy").chain == ""


def read_snapshot_of(cfg, tmp_path):
    with Ledger.for_config(cfg, tmp_path / "empty-ledger") as ledger:
        return read_snapshot(ledger, cfg, MAY)


@pytest.mark.parametrize(
    "chain, expected",
    [
        (CHAIN, {"rsj": ["jy", "px"], "jia": ["jy@jia"], "yi": ["jy@yi"]}),
        ({"fill": "lead"}, {"rsj": ["jy", "jy@jia", "jy@yi", "px"]}),  # the lead fills it all, 合计 too
        ({"fill": "lead", "review": "office"}, {"rsj": ["jy@jia", "jy@yi", "px"]}),  # the office adds up
        ({"fill": "lead", "review": "wjj"}, {"wjj": ["jy"], "rsj": ["jy@jia", "jy@yi", "px"]}),
    ],
)
def test_who_has_which_row_follows_the_chain(chain, expected):
    assert keys(load(data(chain))) == expected


def test_keys_come_from_the_nearest_level_and_the_certifier_from_the_most_specific():
    d = data()
    d["projects"][0]["chain"] = {"review": "wjj"}
    d["projects"][0]["indicators"][1]["certifier"] = "rsj"
    cfg = load(d)
    p, jy = cfg.indicator("jy")
    _, px = cfg.indicator("px")
    assert cfg.chain_of(p, jy) == Chain(fill="areas", review="wjj", certify="tjj")
    assert cfg.chain_of(p, px).certify == "rsj" and cfg.reviewer_of(p, px) == "wjj"


# -- a return, the total, the 汇总表 ----------------------------------------------------------------
def _ingest(cfg, tmp_path, values: dict[str, dict]):
    inputs = tmp_path / "inputs"
    inputs.mkdir(parents=True)
    blanks = {p.name.split("_")[0]: p for p in write_forms(cfg, MAY, tmp_path / "blank")}
    for i, (unit, vals) in enumerate(values.items()):
        target = inputs / f"{i}.xlsx"
        fill_by_spec(blanks[cfg.unit(unit).name], vals, {}, target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))
    result = run_ingest(cfg, inputs, tmp_path / "out")
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        return result, build_report(cfg, read_snapshot(ledger, cfg, MAY))


def test_the_reviewed_total_stands_and_a_gap_with_the_areas_is_noted(tmp_path):
    cfg = load(data())
    towns = {"jia": {"jy@jia": 30}, "yi": {"jy@yi": 20}}
    _, agreed = _ingest(cfg, tmp_path / "a", {**towns, "rsj": {"jy": 50, "px": 20}})
    total = agreed.indicator("jy").total
    assert (total.value, total.rate_pct, total.note) == (50.0, 50.0, "")
    result, report = _ingest(cfg, tmp_path / "b", {**towns, "rsj": {"jy": 55, "px": 20}})
    total = report.indicator("jy").total
    assert (total.value, total.rate_pct) == (55.0, 55.0)  # the reviewing unit's figure is the total
    assert total.note == "各区域填报之和为50，与审核汇总的合计55不一致"
    assert not [f for f in result.findings if f.code == "V-AREA-SUM"]  # no area rows on its form to add up
    path = write_summary(cfg, report, tmp_path / "汇总表.xlsx")
    ws = openpyxl.load_workbook(path)["总表"]
    remark = next(ws.cell(r, 16).value for r in range(4, ws.max_row + 1) if ws.cell(r, 4).value == "城镇新增就业")
    assert LINE.rstrip("。") in remark and "不一致" in remark and "数据认定：" not in remark


def test_the_simulated_reviewer_reports_what_the_townships_add_up_to(tmp_path):
    cfg = load(data())
    simulate(cfg, MAY, tmp_path / "in", seed=4)
    run_ingest(cfg, tmp_path / "in", tmp_path / "out")
    with Ledger.for_config(cfg, tmp_path / "out") as ledger:
        line = build_report(cfg, read_snapshot(ledger, cfg, MAY)).indicator("jy")
    assert line.total.value == sum(a.value for a in line.areas) and "不一致" not in line.total.note


# -- check-config -----------------------------------------------------------------------------
def mutated(change) -> dict:
    d = copy.deepcopy(data())
    change(d)
    return d


def _project(d):
    return d["projects"][0]


ERRORS = [
    (
        lambda d: d["reporting"]["chain"].update(review="牵头单位"),
        "reporting.chain.review: 应写 lead（牵头单位审核汇总）、office（办公室汇总）或单位编码，实际为「牵头单位」",
    ),
    (
        lambda d: d["reporting"]["chain"].update(review="bgs"),
        "reporting.chain.review: 审核汇总单位「bgs」不在 units 列表中；请写单位编码，或写 lead（牵头单位审核汇总）、office（办公室汇总）",
    ),
    (
        lambda d: d["reporting"]["chain"].update(certify="bgs"),
        "reporting.chain.certify: 核验认定单位「bgs」不在 units 列表中",
    ),
    (
        lambda d: _project(d).update(certifier="tjj", chain={"certify": "rsj"}),
        "projects[0].chain.certify: 数据认定单位写了两处且不一致：certifier 是「tjj」，chain.certify 是「rsj」",
    ),
    (
        lambda d: (_project(d).pop("lead"), [i.update(reported_by="rsj") for i in _project(d)["indicators"]]),
        "reporting.chain.review: chain.review 写的是 lead（牵头单位审核汇总），但指标「城镇新增就业」没有牵头单位",
    ),
    (
        lambda d: _project(d).update(chain={"review": "jia"}),
        "projects[0].chain.review: 指标「城镇新增就业」的审核汇总单位「甲镇人民政府」是以区域身份填报的单位（kind: area），不能汇总各区域",
    ),
    (
        lambda d: d.update(units=d["units"][:3]),
        "reporting.chain.fill: chain.fill 写的是 areas（各区域填报），但指标「城镇新增就业」的区域都没有登记 kind: area 的填报单位",
    ),
]


@pytest.mark.parametrize("change, message", ERRORS)
def test_a_chain_the_rows_cannot_follow_is_one_sentence(change, message):
    with pytest.raises(UserError) as err:
        load(mutated(change))
    assert message in err.value.render()


def test_chain_warnings():
    by_certifier = load(mutated(lambda d: d["reporting"]["chain"].update(review="tjj")))
    assert any("审核汇总单位「某县统计局」的 role 是数据认定单位（不填报）" in w.message for w in by_certifier.warnings)
    by_other = load(mutated(lambda d: _project(d).update(chain={"review": "wjj"})))
    (w,) = [w for w in by_other.warnings if "不分区域" in w.message]
    assert w.path == "projects[0].chain.review"
    assert "指标「职业技能培训」不分区域，填报表上没有合计行，由「某县人社局」填报" in w.message
    assert "请写 reported_by: wjj" in w.message
    assert not [w for w in load(data()).warnings if "chain" in w.path]


def test_the_config_summary_counts_a_reviewing_unit_among_those_who_return_forms():
    from pipeline.cli import render_config_summary

    cfg = load(mutated(lambda d: _project(d).update(chain={"fill": "lead", "review": "wjj"})))
    assert "5 个单位（其中填报单位 4 个）" in render_config_summary(cfg)  # rsj, jia, yi and the reviewer wjj


def test_named_sites_are_filled_by_their_reporter_whatever_the_default_chain_says():
    from pipeline.chain import chain_text

    sites = {"id": "zz", "name": "中职学校", "unit": "所", "sites": [{"code": "s1", "name": "一职中"}]}
    cfg = load(mutated(lambda d: _project(d)["indicators"].append(sites)))
    p, ind = cfg.indicator("zz")
    assert chain_text(cfg, p, ind) == "填报：某县人社局 → 审核汇总：某县人社局 → 核验认定：某县统计局"


def test_the_messy_simulator_plants_no_area_sum_error_on_a_reviewers_total(tmp_path):
    sim = simulate(load(data()), MAY, tmp_path / "in", seed=4, messy=True)
    assert "area_sum" not in {p.kind for p in sim.planted}  # its areas are on other forms: nothing to add up there
