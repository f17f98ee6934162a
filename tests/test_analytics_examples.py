"""Analytics on the two shipped examples: 安化's townships ranked, 邵阳's counties reporting their own
rows with 「/」 cells. Snapshots are built by hand; expectations computed by hand."""

from __future__ import annotations

from conftest import ROOT
from test_analytics import entry, snap

from pipeline.analytics.build import build_report
from pipeline.config_load import load_config
from pipeline.model import RowValues


def test_anhua_township_lines_and_ranking():
    cfg = load_config(ROOT / "examples" / "anhua-2023.yaml")
    # 人社局 reports the 合计 and every township of 城镇新增就业 (target 5000; 东坪镇 1200, 梅城镇 570).
    rows = {"jiuye": ("rsj", 2100), "jiuye@dongping": ("rsj", 600), "jiuye@meicheng": ("rsj", 114)}
    r = build_report(cfg, snap("2023-05", rows, units=("rsj",)))
    total = r.indicator("jiuye").total
    assert (total.value, total.rate_pct, total.gap_pp) == (2100, 42.0, 0.3)  # the 合计 as reported, not re-added
    areas = {a.area_code: a for a in r.indicator("jiuye").areas}
    assert (areas["dongping"].rate_pct, areas["dongping"].status.value) == (50.0, "超序时")
    assert (areas["meicheng"].rate_pct, areas["meicheng"].status.value) == (20.0, "严重滞后")
    assert areas["gaoming"].status.value == "未报送"  # no figure for 高明乡: never 0
    by = {a.code: a for a in r.areas}
    # 东坪 has 5 lines with a target (就业, 两癌, 适老化, 康复, 蓄水): 就业 50 / 41.667 × 100 = 120 (the cap),
    # the 4 unreported score 0 → 120 / 5 = 24.0. 梅城 also 5: 48.0 / 5 = 9.6. 高明 reported nothing: 0.
    assert (by["dongping"].rank, by["dongping"].score, by["dongping"].indicators) == (1, 24.0, 5)
    assert (by["meicheng"].rank, by["meicheng"].score) == (2, 9.6)
    assert by["gaoming"].score == 0.0 and by["gaoming"].rank == 3  # all others tie at 0 and share rank 3
    # 人社局 is ranked on its 合计 rows only, not on the townships' record
    rsj = next(u for u in r.units if u.code == "rsj")
    assert "jiuye@meicheng" not in rsj.lagging


def test_shaoyang_counties_report_their_rows_and_slash_cells_have_no_line():
    cfg = load_config(ROOT / "examples" / "shaoyang-2023.yaml")
    ind = cfg.indicator("shuizhi")[1]
    assert "wugang" not in ind.applicable_areas()  # 「/」: not applicable, not 0
    rows = {"shuizhi@shaodong": ("shaodong", 100), "shuizhi@beita": ("beita", 92.5)}
    r = build_report(cfg, snap("2023-05", rows, units=("shaodong", "beita")))
    item = r.indicator("shuizhi")
    assert "wugang" not in {a.area_code for a in item.areas}
    areas = {a.area_code: a for a in item.areas}
    assert areas["shaodong"].status.value == "已完成"
    assert (areas["beita"].gap_pp, areas["beita"].status.value) == (-7.5, "滞后")  # 92.5 − 100, in 百分点
    # nobody reports a city total of a rate: it takes the worst county (未报送 ones included), never a sum
    assert item.total.value is None and item.total.status.value == "未报送"
    # 空气质量 is judged against each county's own 2022 baseline (北塔区 88.9)
    kq = {"kongqi@beita": ("beita", 89.0), "kongqi@shaodong": ("shaodong", 96.0)}
    r = build_report(cfg, snap("2023-05", kq, units=("shaodong", "beita")))
    lines = {a.area_code: a for a in r.indicator("kongqi").areas}
    assert lines["beita"].target_text == "在88.9%基础上持续改善" and lines["beita"].status.value == "已完成"
    assert lines["shaodong"].status.value == "按序时"  # 96.0 below its 96.4: within 5 百分点


def test_a_stale_rows_values_are_kept_in_the_snapshot_entry():
    e = entry("2023-04", 7)
    assert RowValues("k", "u", None, e).last_ok.number == 7
