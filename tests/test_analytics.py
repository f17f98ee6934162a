"""Analytics on hand-built snapshots: no ledger, no files. Every expectation is computed by hand."""

from __future__ import annotations

import pytest
import yaml

from pipeline.analytics.build import build_report
from pipeline.analytics.ranking import competition_ranks
from pipeline.analytics.report import Light, Status
from pipeline.analytics.schedule import indicator_schedule, year_schedule
from pipeline.config_load import parse_config
from pipeline.model import Entry, ReturnStatus, RowValues, Snapshot, Source, UnitReturn, ValueStatus
from pipeline.periods import parse_period


def cfg_of(extra_projects=(), areas=(), units=(), **top):
    data = {
        "year": 2023,
        "office": {"name": "某县专班办公室"},
        "reporting": {"documents": [{"period": "month", "name": "月通报", "kind": "notice"}]},
        "deadlines": {"month": {"after_end_days": 5}},
        "units": [
            {"code": "rsj", "name": "某县人社局"},
            {"code": "mzj", "name": "某县民政局"},
            {"code": "hbj", "name": "某县环保局"},
            {"code": "jyj", "name": "某县教育局"},
            *units,
        ],
        "areas": list(areas),
        "projects": list(extra_projects),
        **top,
    }
    return parse_config(yaml.safe_dump(data, allow_unicode=True))


def project(pid, lead, *indicators, number=1, category="省级重点民生实事"):
    return {
        "id": pid,
        "category": category,
        "number": number,
        "title": pid,
        "lead": lead,
        "indicators": list(indicators),
    }


def entry(period, value, status=ValueStatus.ok, cell="H6"):
    p = parse_period(period)
    number = value if isinstance(value, float | int) else None
    stage = value if isinstance(value, str) else None
    return Entry(
        ValueStatus(status),
        float(number) if number is not None else None,
        stage,
        p.code,
        p.end,
        False,
        Source("a.xlsx", "archive/x.xlsx", "填报表", cell, str(value)),
    )


def snap(period, rows: dict, units=("rsj", "mzj", "hbj", "jyj"), history: dict | None = None, missing=()):
    """rows: key → (unit, value or None for not reported, status); history: key → earlier entry."""
    out = {}
    for key, (unit, value, *status) in rows.items():
        st = status[0] if status else ValueStatus.ok
        cur = None if value is None and not status else entry(period, value, st)
        last = cur if cur is not None and cur.ok else (history or {}).get(key)
        out[key] = RowValues(key, unit, cur, last)
    for key, e in (history or {}).items():
        out.setdefault(key, RowValues(key, "", None, e))
    returns = {
        u: UnitReturn(u, ReturnStatus.missing if u in missing else ReturnStatus.on_time, period=period) for u in units
    }
    return Snapshot(2023, period, out, returns)


def line(report, ind_id):
    return report.indicator(ind_id).total


# -- schedule -----------------------------------------------------------------------------------
def test_year_schedule_is_months_over_twelve_and_cutoff_is_a_choice():
    cfg = cfg_of([project("p", "rsj", {"id": "a", "name": "甲", "unit": "人", "target": 10})])
    assert year_schedule(cfg, parse_period("2023-05")) == pytest.approx(5 / 12)
    at_20 = cfg.model_copy(update={"reporting": cfg.reporting.model_copy(update={"cutoff_day": 20})})
    assert year_schedule(at_20, parse_period("2023-05")) == pytest.approx(5 / 12)  # figures at the 20th, 序时 5/12
    counts = at_20.model_copy(update={"reporting": at_20.reporting.model_copy(update={"schedule_at_cutoff": True})})
    assert year_schedule(counts, parse_period("2023-05")) == pytest.approx((4 + 20 / 31) / 12)


@pytest.mark.parametrize(
    "period, expected",
    [
        ("2023-02-3", 2 / 12),
        ("2024-02-3", 2 / 12),
        ("2023-04-3", 4 / 12),
        ("2023-05-3", 5 / 12),
        ("2023-05-2", (4 + 20 / 31) / 12),
    ],
)
def test_last_dekad_ends_the_month_whatever_its_length(period, expected):
    year = int(period[:4])
    cfg = cfg_of([project("p", "rsj", {"id": "a", "name": "甲", "unit": "人", "target": 10})]).model_copy(
        update={"year": year}
    )
    assert year_schedule(cfg, parse_period(period)) == pytest.approx(expected)


def test_own_deadline_and_plan_replace_the_year():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "a", "name": "甲", "unit": "个", "target": 10, "deadline": "2023-06-30"},
                {"id": "b", "name": "乙", "unit": "个", "target": 100, "plan": [{"by": "2023-03-31", "value": 50}]},
            )
        ]
    )
    may = parse_period("2023-05")
    assert indicator_schedule(cfg, cfg.indicator("a")[1], may) == pytest.approx(5 / 6)
    # 50 by the end of March, then linear to 100 by December: May is 50 + 50 × 2/9 → 61.1%
    assert indicator_schedule(cfg, cfg.indicator("b")[1], may) == pytest.approx(0.5 + 0.5 * 2 / 9)


# -- kinds --------------------------------------------------------------------------------------
def test_count_rate_schedule_gap_and_statuses():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "a", "name": "甲", "unit": "人", "target": 4980},
                {"id": "b", "name": "乙", "unit": "人", "target": 1000},
                {"id": "c", "name": "丙", "unit": "人", "target": 1000},
                {"id": "d", "name": "丁", "unit": "人", "target": 1000},
                {"id": "e", "name": "戊", "unit": "人", "target": 1000},
            )
        ]
    )
    r = build_report(
        cfg,
        snap(
            "2023-05", {"a": ("rsj", 3120), "b": ("rsj", 400), "c": ("rsj", 360), "d": ("rsj", 200), "e": ("rsj", 1000)}
        ),
    )
    a = line(r, "a")
    # 3120 ÷ 4980 = 62.65% → 62.7; 序时 5/12 = 41.67% → 41.7; gap printed 62.7 − 41.7 = 21.0
    assert (a.rate_pct, a.schedule_pct, a.gap_pp, a.status, a.light) == (62.7, 41.7, 21.0, Status.ahead, Light.green)
    assert a.how == "3120 ÷ 4980" and a.sources[0].cell == "H6"
    b = line(r, "b")  # 40.0 − 41.7 = −1.7 ≥ −5: 按序时, below 序时 → yellow (near_pp 0)
    assert (b.gap_pp, b.status, b.light) == (-1.7, Status.on_track, Light.yellow)
    c = line(r, "c")  # 36.0 − 41.7 = −5.7: 滞后
    assert (c.gap_pp, c.status, c.light) == (-5.7, Status.lagging, Light.yellow)
    d = line(r, "d")  # 20.0 − 41.7 = −21.7: 严重滞后
    assert (d.gap_pp, d.status, d.light) == (-21.7, Status.severe, Light.red)
    assert line(r, "e").status == Status.done
    assert sum(r.overall.counts.values()) == r.overall.indicators == 5


def test_increment_is_against_the_previous_period_of_the_same_kind():
    cfg = cfg_of([project("p", "rsj", {"id": "a", "name": "甲", "unit": "人", "target": 4980})])
    r = build_report(cfg, snap("2023-05", {"a": ("rsj", 3120)}), snap("2023-04", {"a": ("rsj", 2500)}))
    assert line(r, "a").increment == 620 and line(r, "a").previous == 2500


def test_missing_excluded_and_blank_are_never_zero():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "a", "name": "甲", "unit": "人", "target": 100},
                {"id": "b", "name": "乙", "unit": "人", "target": 100},
            ),
            project("q", "mzj", {"id": "c", "name": "丙", "unit": "人", "target": 100}, number=2),
        ]
    )
    history = {"c": entry("2023-04-3", 30)}
    s = snap(
        "2023-05",
        {"a": ("rsj", 50, ValueStatus.excluded), "b": ("rsj", None, ValueStatus.empty)},
        history=history,
        missing=("mzj",),
    )
    r = build_report(cfg, s)
    a, b, c = line(r, "a"), line(r, "b"), line(r, "c")
    assert (a.status, a.value, a.rate) == (Status.invalid, None, None)
    assert (b.status, b.value, b.rate) == (Status.unfilled, None, None)
    # the unit sent nothing in May: 未报送, the last figure shown with its period, not as current
    assert (c.status, c.value, c.stale, c.value_period, c.rate) == (Status.missing, 30, True, "2023-04-3", None)
    assert "截至4月下旬为30" in c.note
    assert (
        r.overall.counts[Status.invalid] == r.overall.counts[Status.unfilled] == r.overall.counts[Status.missing] == 1
    )
    assert r.overall.completion is None  # nothing with a rate: no overall figure, not 0


def test_area_units_sum_to_the_total_and_a_missing_area_makes_it_incomplete():
    areas = [
        {"code": "jia", "name": "甲镇"},
        {"code": "yi", "name": "乙镇"},
        {"code": "sz", "name": "县直", "kind": "县直"},
    ]
    units = [
        {"code": "t1", "name": "甲镇政府", "kind": "area", "area": "jia"},
        {"code": "t2", "name": "乙镇政府", "kind": "area", "area": "yi"},
    ]
    ind = {"id": "a", "name": "甲", "unit": "人", "target": 100, "area_targets": {"jia": 40, "yi": 40, "sz": 20}}
    cfg = cfg_of([project("p", "rsj", ind)], areas=areas, units=units)
    rows = {"a@jia": ("t1", 20), "a@yi": ("t2", 16), "a@sz": ("rsj", 6)}
    r = build_report(cfg, snap("2023-05", rows, units=("rsj", "t1", "t2")))
    total = line(r, "a")
    assert total.value == 42 and total.how == "20 + 16 + 6" and total.rate_pct == 42.0
    jia = next(x for x in r.indicator("a").areas if x.area_code == "jia")
    assert (jia.target, jia.rate_pct, jia.gap_pp) == (40, 50.0, 8.3)
    r = build_report(
        cfg, snap("2023-05", {"a@jia": ("t1", 20), "a@sz": ("rsj", 6)}, units=("rsj", "t1", "t2"), missing=("t2",))
    )
    total = line(r, "a")
    assert total.incomplete and total.rate is None and total.status == Status.missing and "乙镇未报送" in total.note
    assert [a.name for a in r.areas if a.rank == 1] == ["甲镇"]


def test_township_scale_is_converted_to_the_total_unit():
    areas = [{"code": "jia", "name": "甲镇"}, {"code": "yi", "name": "乙镇"}]
    ind = {
        "id": "a",
        "name": "参保",
        "unit": "万人",
        "area_unit": "人",
        "target": 2,
        "area_targets": {"jia": 12000, "yi": 8000},
    }
    cfg = cfg_of([project("p", "rsj", ind)], areas=areas)
    r = build_report(cfg, snap("2023-05", {"a": ("rsj", 1.0), "a@jia": ("rsj", 6000), "a@yi": ("rsj", 4000)}))
    assert line(r, "a").value == 1.0  # the lead reports the 合计 in 万人
    assert r.indicator("a").areas[0].rate_pct == 50.0


def test_stock_rate_with_baseline_standard_share_and_improve():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "canbao", "name": "参保人数", "unit": "万人", "stock": True, "target": 106.6, "baseline": 105},
                {"id": "ybl", "name": "优良率", "unit": "%", "kind": "rate", "target": 95},
                {
                    "id": "dibao",
                    "name": "低保标准",
                    "unit": "元/月",
                    "kind": "standard",
                    "target": 650,
                    "baseline": 600,
                },
                {
                    "id": "icu",
                    "name": "ICU床位占比",
                    "unit": "%",
                    "kind": "share",
                    "share_percent": 4,
                    "share_of": "总床位",
                },
                {"id": "kq", "name": "空气", "unit": "%", "kind": "rate", "improve": True, "baseline": 88.2},
            )
        ]
    )
    rows = {
        "canbao": ("rsj", 105.8),
        "ybl": ("rsj", 93.5),
        "dibao": ("rsj", 600),
        "icu": ("rsj", 4.2),
        "kq": ("rsj", 88.2),
    }
    r = build_report(cfg, snap("2023-05", rows), snap("2023-04", {"canbao": ("rsj", 106.0)}))
    canbao = line(r, "canbao")
    # (105.8 − 105) ÷ (106.6 − 105) = 50.0% against 序时 41.7; a level: no 本期新增
    assert (canbao.rate_pct, canbao.gap_pp, canbao.increment, canbao.status) == (50.0, 8.3, None, Status.ahead)
    ybl = line(r, "ybl")  # 93.5 − 95 = −1.5 百分点: within 5 → 按序时
    assert (ybl.gap_pp, ybl.status, ybl.schedule) == (-1.5, Status.on_track, None)
    dibao = line(r, "dibao")  # 600 of 650: 7.7% short → 滞后 (5 < 7.7 ≤ 15)
    assert (dibao.rate_pct, dibao.status) == (92.3, Status.lagging)
    icu = line(r, "icu")
    assert (icu.target_text, icu.status, icu.gap_pp) == ("≥4%（占总床位）", Status.done, 0.2)
    kq = line(r, "kq")  # not improved on 88.2
    assert (kq.target_text, kq.status) == ("在88.2%基础上持续改善", Status.on_track)
    r2 = build_report(cfg, snap("2023-05", {**rows, "kq": ("rsj", 88.5)}))
    assert line(r2, "kq").status == Status.done


def test_coverage_investment_pending_provisional_and_at_most():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {
                    "id": "cov",
                    "name": "结算覆盖",
                    "unit": "家",
                    "kind": "coverage",
                    "target": 12,
                    "coverage_of": "二级以上医院",
                },
                {
                    "id": "inv",
                    "name": "投资",
                    "unit": "万元",
                    "kind": "investment",
                    "target": 3000,
                    "total_investment": 7000,
                },
                {"id": "pend", "name": "待定", "unit": "人", "pending": "待国家方案明确后另行制定"},
                {
                    "id": "prov",
                    "name": "暂定",
                    "unit": "户",
                    "target": 200,
                    "provisional": "具体以市级确定的数量为依据",
                },
                {"id": "cap", "name": "事故", "unit": "起", "target": 10, "direction": "at_most"},
            )
        ]
    )
    rows = {"cov": ("rsj", 6), "inv": ("rsj", 1500), "pend": ("rsj", 30), "prov": ("rsj", 80), "cap": ("rsj", 12)}
    r = build_report(cfg, snap("2023-05", rows))
    assert line(r, "cov").target_text == "12（二级以上医院全覆盖）" and line(r, "cov").rate_pct == 50.0
    inv = line(r, "inv")
    assert inv.target_text == "3000（总投资7000）" and inv.rate_pct == 50.0 and inv.how == "1500 ÷ 3000"
    pend = line(r, "pend")
    assert (pend.status, pend.value, pend.rate, pend.target_text) == (Status.pending, 30, None, "目标待定")
    prov = line(r, "prov")
    assert prov.provisional and prov.target_text == "暂定200" and prov.rate_pct == 40.0
    assert line(r, "cap").status == Status.severe  # 12 against a cap of 10: lower is better


def test_milestone_against_plan_and_deadline():
    stages = ["未启动", "前期工作", "开工建设", "主体完工", "全面完成"]
    ms = {"kind": "milestone", "stages": stages, "target_stage": "全面完成"}
    cfg = cfg_of(
        [
            project(
                "p",
                "jyj",
                {"id": "m1", "name": "学校", **ms, "deadline": "2023-04-30"},
                {"id": "m2", "name": "医院", **ms, "plan": [{"by": "2023-03-31", "stage": "开工建设"}]},
                {"id": "m3", "name": "水库", **ms, "plan": [{"by": "2023-03-31", "stage": "主体完工"}]},
                {"id": "m4", "name": "默认阶段", "kind": "milestone"},
            )
        ]
    )
    rows = {"m1": ("jyj", "主体完工"), "m2": ("jyj", "开工建设"), "m3": ("jyj", "前期工作"), "m4": ("jyj", "实施中")}
    r = build_report(cfg, snap("2023-05", rows))
    assert line(r, "m1").status == Status.severe  # past its 4月30日 deadline, unfinished
    assert line(r, "m2").status == Status.on_track  # at the planned stage
    assert line(r, "m3").status == Status.severe  # two stages behind plan
    assert cfg.indicator("m4")[1].stages == ["未启动", "前期工作", "实施中", "已完成"]
    assert line(r, "m4").status == Status.on_track and line(r, "m1").target_text == "全面完成（2023年4月30日前）"


def test_children_are_never_added_to_their_parent_nor_counted_twice():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "px", "name": "培训", "unit": "人次", "target": 3530},
                {"id": "cy", "name": "创业培训", "unit": "人次", "target": 530, "parent": "px"},
            )
        ]
    )
    r = build_report(cfg, snap("2023-05", {"px": ("rsj", 1500), "cy": ("rsj", 300)}))
    assert line(r, "px").value == 1500
    assert r.overall.indicators == 1  # 其中 is not an indicator of its own in the counts


# -- rankings -----------------------------------------------------------------------------------
def test_competition_ranks_share_and_skip():
    assert competition_ranks([90.0, 80.0, 80.0, 70.0]) == [1, 2, 2, 4]


def test_unit_ranking_scores_against_schedule_with_cap_and_lists_units_with_nothing_due():
    cfg = cfg_of(
        [
            project("a", "rsj", {"id": "a", "name": "甲", "unit": "人", "target": 100}),
            project("b", "mzj", {"id": "b", "name": "乙", "unit": "人", "target": 120}, number=2),
            project("c", "hbj", {"id": "c", "name": "丙", "unit": "人", "target": 100}, number=3),
            project("d", "jyj", {"id": "d", "name": "丁", "unit": "人", "pending": "待定"}, number=4),
        ]
    )
    # 序时 5/12. rsj 60/100 → 0.6/0.41667 = 144% capped at 120; mzj 60/120 = 0.5 → 120 (capped too);
    # hbj 25/100 → 60.0. jyj has only a pending target: listed, not ranked.
    r = build_report(cfg, snap("2023-05", {"a": ("rsj", 60), "b": ("mzj", 60), "c": ("hbj", 25), "d": ("jyj", 5)}))
    by = {u.code: u for u in r.units}
    assert (by["rsj"].score, by["rsj"].rank) == (120.0, 1)
    assert (by["mzj"].score, by["mzj"].rank) == (120.0, 1)
    assert (by["hbj"].score, by["hbj"].rank) == (60.0, 3)
    assert (by["jyj"].score, by["jyj"].rank) == (None, None)
    assert [u.code for u in r.units][-1] == "jyj"
    assert {u.code for u in r.praised} >= {"rsj", "mzj"} and r.named[0].code == "hbj"


def test_changes_since_the_previous_period():
    cfg = cfg_of(
        [
            project(
                "p",
                "rsj",
                {"id": "a", "name": "甲", "unit": "人", "target": 100},
                {"id": "b", "name": "乙", "unit": "人", "target": 100},
                {"id": "c", "name": "丙", "unit": "人", "target": 100},
            )
        ]
    )
    before = snap("2023-04", {"a": ("rsj", 90), "b": ("rsj", 20), "c": ("rsj", 33)})  # 序时 33.3
    now = snap("2023-05", {"a": ("rsj", 100), "b": ("rsj", 45), "c": ("rsj", 34)})  # 序时 41.7
    r = build_report(cfg, now, before)
    assert [c.key for c in r.changes.newly_done] == ["a"]
    assert [c.key for c in r.changes.recovered] == ["b"]  # 20.0 − 33.3 严重滞后 → 45.0 − 41.7 超序时
    assert [c.key for c in r.changes.newly_lagging] == ["c"]  # −0.3 按序时 → −7.7 滞后


def test_a_total_takes_its_latest_period_by_end_then_start_date_whatever_the_order():
    from itertools import permutations
    from types import SimpleNamespace

    from pipeline.analytics.progress import _latest

    # 5月 and 5月下旬 both end on 31 May; the 下旬 starts later, so it is the latest; 中旬 ends on the 20th
    codes = ["2023-05", "2023-05-3", "2023-05-2", None]
    for order in permutations(codes):
        assert _latest([SimpleNamespace(value_period=c) for c in order]) == "2023-05-3"
    assert _latest([SimpleNamespace(value_period=None)]) is None
