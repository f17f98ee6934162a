"""序时进度 as published notices compute it, and the cut-off date a period's figures stand at.

Month-based: the end of May is 5/12. With a monthly cut-off day (「截至5月20日」) the figures stand
at the 20th; `reporting.schedule_at_cutoff` says whether 序时 then counts to the 20th
((4 + 20/31)/12) or stays at the month's share (5/12). An indicator's own window (window_start,
deadline) or its 节点目标 (plan) replaces the year.
"""

from __future__ import annotations

import datetime as dt

from ..config import Config, Indicator
from ..periods import Period, indicator_window, schedule_progress


def as_of(cfg: Config, period: Period) -> dt.date:
    """The date the period's figures stand at: its end, or the cut-off day of its last month (not for 旬, 周)."""
    day = cfg.reporting.cutoff_day
    if day is None or period.kind in ("dekad", "week"):
        return period.end
    return dt.date(period.end.year, period.end.month, day)


def schedule_date(cfg: Config, period: Period) -> dt.date:
    """The date 序时 is measured at."""
    return as_of(cfg, period) if cfg.reporting.schedule_at_cutoff else period.end


def year_schedule(cfg: Config, period: Period) -> float:
    """The year's 序时进度 used by default, as a fraction."""
    start, end = indicator_window(cfg.year, None, None)
    return schedule_progress(schedule_date(cfg, period), start, end)


def indicator_schedule(cfg: Config, ind: Indicator, period: Period, target: float | None = None) -> float:
    """序时 for one indicator: its window, or its plan points interpolated when it has a plan."""
    day = schedule_date(cfg, period)
    start, end = indicator_window(cfg.year, ind.window_start, ind.deadline)
    points = [p for p in ind.plan if p.value is not None]
    goal = target if target is not None else ind.target
    if not points or not goal:
        return schedule_progress(day, start, end)
    # Piecewise linear through (start, 0), each 节点目标, and (deadline, target), month-based.
    knots = [(start - dt.timedelta(days=1), 0.0)] + [(p.by, p.value / goal) for p in points]
    if knots[-1][0] < end:
        knots.append((end, 1.0))
    if day <= knots[0][0]:
        return 0.0
    for (d0, v0), (d1, v1) in zip(knots, knots[1:], strict=False):
        if day <= d1:
            share = schedule_progress(day, d0 + dt.timedelta(days=1), d1)
            return v0 + (v1 - v0) * share
    return min(1.0, knots[-1][1])


def planned_stage(ind: Indicator, day: dt.date) -> str | None:
    """The stage a milestone's plan expects by `day` (None: no plan point has passed)."""
    passed = [p for p in ind.plan if p.stage and p.by <= day]
    return passed[-1].stage if passed else None
