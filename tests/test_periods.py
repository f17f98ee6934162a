"""Period arithmetic: bounds, parsing (codes and Chinese), order, 序时进度 and deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config import DeadlineRule
from pipeline.errors import UserError
from pipeline.periods import (
    Period,
    parse_period,
    periods_of_year,
    report_deadline,
    schedule_progress,
    scheduled_share,
)

D = dt.date


@pytest.mark.parametrize(
    "year, month, last",
    [(2023, 2, 28), (2024, 2, 29), (2100, 2, 28), (2000, 2, 29), (2023, 4, 30), (2023, 5, 31), (2023, 12, 31)],
)
def test_last_dekad_runs_to_month_end(year, month, last):
    p = Period.of_dekad(year, month, 3)
    assert p.start == D(year, month, 21)
    assert p.end == D(year, month, last)


def test_bounds_of_each_kind():
    assert (Period.of_dekad(2023, 5, 1).start, Period.of_dekad(2023, 5, 1).end) == (D(2023, 5, 1), D(2023, 5, 10))
    assert (Period.of_dekad(2023, 5, 2).start, Period.of_dekad(2023, 5, 2).end) == (D(2023, 5, 11), D(2023, 5, 20))
    assert Period.of_month(2023, 2).end == D(2023, 2, 28)
    assert (Period.of_quarter(2023, 2).start, Period.of_quarter(2023, 2).end) == (D(2023, 4, 1), D(2023, 6, 30))
    assert Period.of_quarter(2023, 4).end == D(2023, 12, 31)
    assert (Period.of_year(2023).start, Period.of_year(2023).end) == (D(2023, 1, 1), D(2023, 12, 31))


@pytest.mark.parametrize(
    "p, prev",
    [
        (Period.of_dekad(2023, 1, 1), Period.of_dekad(2022, 12, 3)),
        (Period.of_dekad(2023, 3, 1), Period.of_dekad(2023, 2, 3)),
        (Period.of_dekad(2023, 3, 3), Period.of_dekad(2023, 3, 2)),
        (Period.of_month(2023, 1), Period.of_month(2022, 12)),
        (Period.of_quarter(2023, 1), Period.of_quarter(2022, 4)),
        (Period.of_year(2023), Period.of_year(2022)),
    ],
)
def test_previous_and_next_cross_boundaries(p, prev):
    assert p.previous() == prev
    assert prev.next() == p


@pytest.mark.parametrize(
    "text, code",
    [
        ("2023-05-1", "2023-05-1"),
        ("2023-5-2", "2023-05-2"),
        ("2023-05-3", "2023-05-3"),
        ("2023-05", "2023-05"),
        ("2023-5", "2023-05"),
        ("2023-Q2", "2023-Q2"),
        ("2023Q2", "2023-Q2"),
        ("2023-q4", "2023-Q4"),
        ("2023", "2023"),
        ("2023年5月上旬", "2023-05-1"),
        ("2023年05月中旬", "2023-05-2"),
        ("2023年5月下旬", "2023-05-3"),
        ("2023年5月", "2023-05"),
        ("2023年第二季度", "2023-Q2"),
        ("2023年二季度", "2023-Q2"),
        ("2023年第2季度", "2023-Q2"),
        ("2023年一季度", "2023-Q1"),
        ("2023年", "2023"),
        ("2023年度", "2023"),
        ("２０２３年５月", "2023-05"),
        ("  2023年 5月 中旬 ", "2023-05-2"),
    ],
)
def test_parse_accepted_forms(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize("text", ["2023-05-01", "2023-13", "2023-05-4", "2023-Q5", "五月", "2023年13月", "", "2023/05"])
def test_parse_rejects_with_a_chinese_hint(text):
    with pytest.raises(UserError) as err:
        parse_period(text)
    assert f"无法识别的期别「{text}」" in err.value.summary
    assert "2023-05-1（5月上旬）" in err.value.summary


def test_labels():
    assert Period.of_dekad(2023, 5, 2).label == "2023年5月中旬"
    assert Period.of_month(2023, 5).label == "2023年5月"
    assert Period.of_quarter(2023, 2).label == "2023年第二季度"
    assert Period.of_year(2023).label == "2023年"
    assert Period.of_dekad(2023, 5, 2).short_label == "5月中旬"


def test_containment_and_sub_periods():
    q2 = Period.of_quarter(2023, 2)
    assert q2.contains(Period.of_month(2023, 4)) and q2.contains(Period.of_dekad(2023, 6, 3))
    assert not q2.contains(Period.of_month(2023, 7))
    assert q2.contains(D(2023, 6, 30)) and not q2.contains(D(2023, 7, 1))
    assert [p.code for p in q2.sub_periods("month")] == ["2023-04", "2023-05", "2023-06"]
    assert len(q2.sub_periods("dekad")) == 9
    assert Period.of_month(2023, 5).sub_periods("quarter") == []
    assert Period.of_dekad(2023, 5, 2).parent("quarter") == q2


def test_mixed_periods_sort_chronologically():
    ps = [Period.of_quarter(2023, 2), Period.of_month(2023, 4), Period.of_dekad(2023, 4, 1), Period.of_year(2022)]
    assert [p.code for p in sorted(ps)] == ["2022", "2023-04-1", "2023-04", "2023-Q2"]


def test_schedule_is_month_based():
    # The end of May is 5/12 of the year, as offices compute it (not 151/365).
    assert scheduled_share(Period.of_month(2023, 5)) == pytest.approx(5 / 12)
    assert scheduled_share(Period.of_dekad(2023, 5, 1)) == pytest.approx((4 + 10 / 31) / 12)
    assert scheduled_share(Period.of_dekad(2024, 2, 3)) == pytest.approx(2 / 12)
    assert scheduled_share(Period.of_quarter(2023, 4)) == 1.0


def test_schedule_with_own_deadline_window():
    # 「9月1日前竣工」: the window ends on 31 August, so the end of June is 6/8 of it.
    assert scheduled_share(Period.of_month(2023, 6), deadline=D(2023, 8, 31)) == pytest.approx(6 / 8)
    assert scheduled_share(Period.of_month(2023, 9), deadline=D(2023, 8, 31)) == 1.0
    assert scheduled_share(Period.of_month(2023, 3), window_start=D(2023, 4, 1)) == 0.0
    assert scheduled_share(Period.of_month(2023, 6), window_start=D(2023, 4, 1)) == pytest.approx(3 / 9)
    # A window running into the next year.
    assert schedule_progress(D(2023, 12, 31), D(2023, 1, 1), D(2024, 6, 30)) == pytest.approx(12 / 18)


def test_report_deadlines():
    may = Period.of_month(2023, 5)
    assert report_deadline(may, DeadlineRule(after_end_days=5)) == D(2023, 6, 5)
    assert report_deadline(may, DeadlineRule(day=20)) == D(2023, 5, 20)
    assert report_deadline(may, DeadlineRule(day=20, month_offset=1)) == D(2023, 6, 20)
    assert report_deadline(Period.of_month(2023, 12), DeadlineRule(day=10, month_offset=1)) == D(2024, 1, 10)
    assert report_deadline(Period.of_month(2024, 1), DeadlineRule(day=31, month_offset=1)) == D(2024, 2, 29)
    assert report_deadline(Period.of_dekad(2023, 2, 3), DeadlineRule(after_end_days=2)) == D(2023, 3, 2)


periods = st.builds(
    lambda kind, y, m, d, q, w: {
        "dekad": Period.of_dekad(y, m, d),
        "week": Period.of_week(y, w),
        "month": Period.of_month(y, m),
        "quarter": Period.of_quarter(y, q),
        "year": Period.of_year(y),
    }[kind],
    st.sampled_from(["dekad", "week", "month", "quarter", "year"]),
    st.integers(2000, 2100),
    st.integers(1, 12),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 52),
)


@given(periods)
def test_codes_and_labels_round_trip(p):
    assert parse_period(p.code) == p
    assert parse_period(p.label) == p
    assert p.next().previous() == p
    assert p.start <= p.end
    assert p.next().start == p.end + dt.timedelta(days=1)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_dekads_tile_their_month(y, m):
    dekads = Period.of_month(y, m).sub_periods("dekad")
    assert len(dekads) == 3
    assert dekads[0].start == D(y, m, 1) and dekads[-1].end == Period.of_month(y, m).end
    for a, b in zip(dekads, dekads[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
    assert len(periods_of_year("dekad", y)) == 36


def test_period_must_fall_in_the_config_year():
    from pipeline.periods import parse_period_in

    assert parse_period_in(2023, "2023-05").code == "2023-05"
    with pytest.raises(UserError) as err:
        parse_period_in(2023, "2024年5月")
    assert "期别「2024年5月」不在分解方案的年度（2023年）内" in err.value.summary


# -- weeks ---------------------------------------------------------------------------------------
def test_week_bounds_follow_the_calendar_week_and_stay_in_the_year():
    w21 = Period.of_week(2023, 21)
    assert (w21.start, w21.end, w21.code) == (D(2023, 5, 22), D(2023, 5, 28), "2023-W21")
    # 1 January 2023 is a Sunday (ISO puts it in 2022's week 52): it joins week 1, which runs to the 8th.
    assert (Period.of_week(2023, 1).start, Period.of_week(2023, 1).end) == (D(2023, 1, 1), D(2023, 1, 8))
    assert (Period.of_week(2023, 52).start, Period.of_week(2023, 52).end) == (D(2023, 12, 25), D(2023, 12, 31))
    # 2026 starts on a Thursday and has 53 weeks: week 1 is 1–4 January, week 53 is 28–31 December.
    assert (Period.of_week(2026, 1).end, Period.of_week(2026, 53).start) == (D(2026, 1, 4), D(2026, 12, 28))
    # 30–31 December 2024 are ISO 2025-W01: they join 2024's last week.
    assert (Period.of_week(2024, 52).start, Period.of_week(2024, 52).end) == (D(2024, 12, 23), D(2024, 12, 31))
    with pytest.raises(ValueError):
        Period.of_week(2023, 53)


def test_week_labels_and_parsing():
    w21 = Period.of_week(2023, 21)
    assert (w21.label, w21.short_label) == ("2023年第21周", "第21周")
    assert w21.dated_label == "2023年第21周（5月22日至5月28日）"
    assert Period.of_month(2023, 5).dated_label == "2023年5月"  # only weeks carry their days
    for text in ("2023-W21", "2023w21", "2023-w21", "2023年第21周", "2023年21周", "２０２３年第２１周"):
        assert parse_period(text) == w21, text
    assert parse_period("2023-W05") == parse_period("2023年第5周") == Period.of_week(2023, 5)
    for bad in ("2023-W53", "2023-W00", "2023年第60周"):
        with pytest.raises(UserError):
            parse_period(bad)


def test_weeks_cross_years_by_their_own_count():
    assert Period.of_week(2023, 1).previous() == Period.of_week(2022, 52)
    assert Period.of_week(2020, 53).next() == Period.of_week(2021, 1)
    assert Period.week_of(D(2023, 1, 1)) == Period.of_week(2023, 1)
    assert Period.week_of(D(2024, 12, 31)) == Period.of_week(2024, 52)
    assert Period.week_of(D(2023, 5, 24)) == Period.of_week(2023, 21)


def test_a_week_is_inside_a_month_only_when_all_its_days_are():
    may = Period.of_month(2023, 5)
    assert [w.code for w in may.sub_periods("week")] == ["2023-W18", "2023-W19", "2023-W20", "2023-W21"]
    w22 = Period.of_week(2023, 22)  # 29 May – 4 June
    assert not may.contains(w22) and w22.within("month") is None and w22.within("quarter").code == "2023-Q2"
    assert Period.of_week(2023, 21).within("month") == may
    assert Period.of_week(2023, 26).within("quarter") is None  # 26 June – 2 July
    assert Period.of_year(2023).within("quarter") is None
    assert sorted([Period.of_month(2023, 5), w22, Period.of_week(2023, 21)]) == [Period.of_week(2023, 21), may, w22]


@given(st.integers(2000, 2100))
def test_weeks_tile_the_year_with_the_calendar_numbers(y):
    weeks = periods_of_year("week", y)
    assert weeks[0].start == D(y, 1, 1) and weeks[-1].end == D(y, 12, 31)
    for a, b in zip(weeks, weeks[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
    for w in weeks[1:-1]:  # every week but the first and last: Monday to Sunday, the ISO number
        assert (w.start.isoweekday(), w.end.isoweekday(), w.start.isocalendar()[1]) == (1, 7, w.week)


def test_week_deadlines_and_schedule():
    w21 = Period.of_week(2023, 21)
    assert report_deadline(w21, DeadlineRule(weekday=5)) == D(2023, 5, 26)  # 每周五前: that week's Friday
    assert report_deadline(w21, DeadlineRule(weekday=1, week_offset=1)) == D(2023, 5, 29)  # 下周一前
    assert report_deadline(w21, DeadlineRule(after_end_days=2)) == D(2023, 5, 30)
    # The last week of 2024 ends on Tuesday 31 December: 「周五前」 is Friday 3 January 2025.
    assert report_deadline(Period.of_week(2024, 52), DeadlineRule(weekday=5)) == D(2025, 1, 3)
    assert scheduled_share(w21) == pytest.approx((4 + 28 / 31) / 12)
