"""The shipped configs load cleanly and say what the source documents say (hand-transcribed)."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT

from pipeline.cli import cli
from pipeline.config import Kind
from pipeline.config_load import load_config


def test_shaodong_default_config():
    cfg = load_config(ROOT / "config.yaml")
    by_cat = {c.code: [p for p in cfg.projects if cfg.category(p.category) == c] for c in cfg.categories}
    # 24 实事: 10 provincial, 6 of 邵阳市, 8 of 邵东's own; plus 邵东's column of the 监测 table.
    assert [len(v) for v in by_cat.values()] == [10, 6, 8, 4]
    assert cfg.category_name("city") == "邵阳市级重点民生实事"
    assert cfg.source.title == "2023年全市重点民生实事项目实施意见" and cfg.source.number is None
    assert [d.name for d in cfg.reporting.documents] == ["旬简报", "月通报", "季总结"]
    ind = {i.id: i for _, i in cfg.indicators()}
    assert ind["jiuye"].target == 4980  # 邵东's own column, not the province's 4.5万
    assert ind["peixun"].target == 3530
    assert ind["peixun-chuangye"].target == 530 and ind["peixun-chuangye"].parent == "peixun"
    assert ind["dibao-cs"].kind == Kind.standard and (ind["dibao-cs"].target, ind["dibao-cs"].baseline) == (650, 600)
    assert ind["yiyuan"].kind == Kind.milestone and ind["yiyuan"].target_stage == "全面完成"
    assert str(ind["yiyuan"].deadline) == "2023-12-31"  # 「2023年全面完成」 is a milestone, not a count of 2023
    assert ind["xutl"].pending.startswith("待省打好重点民生保障仗工作专班")
    assert ind["dianwang-110"].kind == Kind.investment and ind["dianwang-110"].target == 9577
    assert ind["icu"].kind == Kind.share and ind["icu"].target == 60 and ind["icu"].share_percent == 4
    assert ind["kongqi"].baseline == 96.4 and ind["kongqi"].is_pending
    # 序号6's lead is blank in 附件1; the body names 市民政局.
    sj06 = next(p for p in cfg.projects if p.id == "sj-06")
    assert cfg.unit(sj06.lead).name == "邵东市民政局"
    # One unit, one code, its spellings as aliases.
    names = {n: u.code for u in cfg.units for n in [u.name, *u.aliases]}
    assert names["市行政审批局"] == names["市行政审批服务局"]
    assert names["国网邵东供电公司"] == names["国网邵阳供电公司"] == names["国网邵东市供电公司"]
    assert cfg.warnings == []


def test_check_config_summary_on_the_default():
    result = CliRunner().invoke(cli, ["check-config", "--config", str(ROOT / "config.yaml")])
    assert result.exit_code == 0, result.output
    assert "28 个项目，58 个指标" in result.output
    assert "目标待定 4 个" in result.output


def test_shaoyang_city_to_county_decomposition():
    cfg = load_config(ROOT / "examples" / "shaoyang-2023.yaml")
    ind = {i.id: i for _, i in cfg.indicators()}
    zz = ind["zhongzhi"]
    assert zz.target == 20 and zz.area_targets["shizhi"] == 5 and zz.area_targets["shaodong"] == 3
    assert zz.area_targets["daxiang"] == "/"  # not applicable, not 0
    assert "daxiang" not in zz.applicable_areas()
    assert ind["kongqi"].area_baselines["beita"] == 88.9 and ind["kongqi"].area_baselines["shaodong"] == 96.4
    assert ind["shuizhi"].area_targets["wugang"] == "/" and ind["shuizhi"].area_targets["daxiang"] == 100
    assert ind["shebao"].pending == "待国家方案明确后，相关责任单位另行制定指标任务分解方案，各县市区遵照执行。"
    assert ind["icu"].kind == Kind.share and ind["icu"].area_targets["shizhi"] == 112 and ind["icu"].target is None
    # 市直 is an area, not a county: no area unit reports it; the indicator's lead does.
    assert cfg.area("shizhi").kind == "市直" and cfg.area_reporter("shizhi") is None
    assert cfg.area_reporter("wugang") == "wugang"
    assert cfg.warnings == []


def test_anhua_township_breakdown():
    cfg = load_config(ROOT / "examples" / "anhua-2023.yaml")
    ind = {i.id: i for _, i in cfg.indicators()}
    assert ind["peixun"].target == 2975
    assert {ind["peixun-jineng"].parent, ind["peixun-chuangye"].parent} == {"peixun"}
    assert ind["peixun-jineng"].target + ind["peixun-chuangye"].target == 2975  # 其中: parts, never added on
    p1 = next(p for p in cfg.projects if p.number == 1 and p.category == "省级重点民生实事")
    assert p1.leader is None  # blank in the document: left blank, not guessed
    assert ind["wuzhangai"].area_targets["taoxi"] == 21 and "taoxi" not in ind["xushui"].area_targets
    assert ind["jiuye"].area_targets["dongping"] == 1200
    assert sum(ind["jiuye"].area_targets.values()) == 5000
    assert sum(ind["liangai"].area_targets.values()) == 20402 and ind["liangai"].target == 20400
    assert len(cfg.areas) == 24 and not any(u.kind == "area" for u in cfg.units)
    (warning,) = cfg.warnings
    assert "20402" in warning.message and "20400" in warning.message
    assert cfg.deadlines.month.day == 20


def test_township_rows_go_to_the_lead_unit_with_a_total():
    from pipeline.formspec import rows_by_unit

    cfg = load_config(ROOT / "examples" / "anhua-2023.yaml")
    rsj = [r for r in rows_by_unit(cfg)["rsj"] if r.indicator.id == "jiuye"]
    assert rsj[0].key == "jiuye" and rsj[0].area_name == "合计"
    assert [r.area_name for r in rsj[1:4]] == ["高明乡", "清塘铺镇", "梅城镇"]
    assert len(rsj) == 1 + 24


def test_a_changed_copy_has_its_own_fingerprint():
    from pipeline.config_load import load_config

    cfg = load_config(ROOT / "config.yaml")
    before = cfg.fingerprint()
    changed = cfg.model_copy(update={"year": 2024})
    assert changed.fingerprint() != before and cfg.fingerprint() == before
    assert cfg.model_copy().fingerprint() == before
