"""The shipped configs load cleanly and say what the source documents say (hand-transcribed)."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT

from pipeline.cli import cli
from pipeline.config import Category, Kind
from pipeline.config_load import load_config


def test_shaodong_default_config():
    cfg = load_config(ROOT / "config.yaml")
    by_cat = {c: [p for p in cfg.projects if p.category == c] for c in Category}
    # 24 实事: 10 provincial, 6 of 邵阳市, 8 of 邵东's own; plus 邵东's column of the 监测 table.
    assert [len(by_cat[c]) for c in Category] == [10, 6, 8, 4]
    assert cfg.category_name(Category.city) == "邵阳市级重点民生实事"
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
