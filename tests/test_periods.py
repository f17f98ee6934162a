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
    lambda kind, y, m, d, q: {
        "dekad": Period.of_dekad(y, m, d),
        "month": Period.of_month(y, m),
        "quarter": Period.of_quarter(y, q),
        "year": Period.of_year(y),
    }[kind],
    st.sampled_from(["dekad", "month", "quarter", "year"]),
    st.integers(2000, 2100),
    st.integers(1, 12),
    st.integers(1, 3),
    st.integers(1, 4),
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
