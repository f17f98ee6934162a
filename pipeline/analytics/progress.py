"""Per-line progress: 累计完成, 本期新增, 完成率, 序时进度, gap and status, for every target kind.

Pure functions of (config, snapshot). docs/analytics.md states each rule; the thresholds are the
config's (lagging_pp, severe_pp, near_pp). A value that is missing, excluded or blank never enters a
rate or a sum: the line says 未报送 / 数据有误 / 未填, and a total that would need it is incomplete.

What every line of an indicator shares is worked out once, not per line: a row's target and its
printed forms once per config (`Row`, `indicator_rows`), 序时 and a milestone's status once per
indicator and period (`Frame`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from ..config import Config, Direction, Indicator, Kind, Project
from ..formspec import TOTAL_LABEL, rows_by_unit
from ..measures import factor
from ..model import Entry, ReturnStatus, Snapshot, ValueStatus
from ..numbers import fmt_number, pct, round_half_up
from ..periods import Period, parse_period
from ..targets import numeric_target, target_text
from .report import NO_FIGURE, Light, Line, Status
from .schedule import as_of, indicator_schedule, planned_stage, schedule_date

PERCENT_UNITS = {"%", "％"}
NO_RATE = dict(rate=None, schedule=None, rate_pct=None, schedule_pct=None, gap_pp=None)  # a line not judged by share
WORST_FIRST = [
    Status.missing,
    Status.invalid,
    Status.unfilled,
    Status.severe,
    Status.lagging,
    Status.on_track,
    Status.ahead,
    Status.done,
    Status.pending,
]


@dataclass(frozen=True)
class Row:
    """Where one line's value comes from (its key, reporter and label) and what it is measured
    against: the config's part of a line, the same in every period."""

    key: str
    unit_code: str
    area_code: str | None
    label: str
    target: float | None  # numeric_target
    target_text: str
    provisional: bool  # 暂定: the total's number, not an area's
    staged: bool  # the value is a stage: a milestone, or one named site of a count
    unit: str  # the unit of measure of the value (an area row's may be the indicator's area_unit)

    @cached_property
    def figure(self) -> str:
        """The target as the 计算方法 writes it (4980 in 「3120 ÷ 4980」)."""
        return fmt_number(self.target)


def line_row(ind: Indicator, key: str, unit_code: str, area_code: str | None, label: str) -> Row:
    """The row of an indicator's line: its own row, an area's, or the 合计 the office adds up."""
    return Row(
        key,
        unit_code,
        area_code,
        label,
        numeric_target(ind, area_code),
        target_text(ind, area_code),
        bool(ind.provisional) and area_code is None,
        _staged(ind, area_code),
        ind.row_unit if area_code else ind.unit,
    )


_ROWS: dict[int, tuple[Config, dict[str, tuple[Row, ...]]]] = {}


def indicator_rows(cfg: Config) -> dict[str, tuple[Row, ...]]:
    """Indicator id → its reported rows (合计 first when reported), from the form contract.

    Worked out once per config (frozen; held so that its id stays its own): every report of
    every period asks for them."""
    hit = _ROWS.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        if len(_ROWS) > 8:
            _ROWS.clear()
        out: dict[str, list[Row]] = {}
        for unit, rows in rows_by_unit(cfg).items():
            for r in rows:
                out.setdefault(r.indicator.id, []).append(line_row(r.indicator, r.key, unit, r.area_code, r.area_name))
        hit = _ROWS[id(cfg)] = (cfg, {ind_id: tuple(rows) for ind_id, rows in out.items()})
    return dict(hit[1])


class Frame:
    """One indicator in one period: what all its lines share, worked out once for them."""

    def __init__(self, cfg: Config, period: Period, ind: Indicator):
        self.cfg, self.period, self.ind = cfg, period, ind
        self.decimals = cfg.bulletins.percent_decimals
        self.milestone = ind.kind == Kind.milestone
        self.level = _judged_as_level(ind)
        self._schedules: dict[float, tuple[float, float]] = {}
        self._stages: dict[str | None, Status] = {}

    def schedule(self, target: float) -> tuple[float, float]:
        """序时 of a line with this target: as a fraction, and in % as printed."""
        hit = self._schedules.get(target)
        if hit is None:
            schedule = indicator_schedule(self.cfg, self.ind, self.period, target)
            hit = self._schedules[target] = (schedule, pct(schedule, self.decimals))
        return hit

    def milestone_status(self, stage: str | None) -> Status:
        if stage not in self._stages:
            self._stages[stage] = _milestone_status(self.cfg, self.period, self.ind, stage)
        return self._stages[stage]


def _base(row: Row, ind: Indicator, previous: float | None) -> dict:
    """The fields of a line that are its row's, and the previous period's value."""
    return dict(
        key=row.key,
        indicator_id=ind.id,
        area_code=row.area_code,
        label=row.label,
        target=row.target,
        target_text=row.target_text,
        provisional=row.provisional,
        previous=previous,
    )


# -- one line ---------------------------------------------------------------------------------
def _staged(ind: Indicator, area: str | None) -> bool:
    """The row's value is a stage: a milestone, or one named site of a count."""
    return ind.kind == Kind.milestone or ind.site(area) is not None


def _shown(entry: Entry | None, staged: bool) -> tuple[float | None, str | None]:
    if entry is None:
        return None, None
    return (None, entry.stage) if staged else (entry.number, None)


def _period_note(code: str | None) -> str:
    return f"截至{parse_period(code).short_label}" if code else ""


def figure_line(frame: Frame, snap: Snapshot, row: Row, previous: float | None) -> Line:
    """The line of one reported row (an indicator's own row, its 合计 or an area's)."""
    rv = snap.rows.get(row.key)
    current = rv.current if rv else None
    if current is None or current.status != ValueStatus.ok:
        last = rv.last_ok if rv else None
        if current is None:
            status = Status.missing
            unit_return = snap.returns.get(row.unit_code)
            rejected = unit_return is not None and unit_return.status == ReturnStatus.rejected
            note = "报表被拒收" if rejected else "本期未报送"
        elif current.status in (ValueStatus.invalid, ValueStatus.excluded):
            status, note = Status.invalid, "数据有误，未入账"
        else:
            status, note = Status.unfilled, "本期未填"
        value, stage = _shown(last, row.staged)
        if last is not None:
            note += f"；{_period_note(last.period)}为{fmt_number(value) if value is not None else stage}"
        # the cell the shown value came from first, then this period's cell that had none
        sources = tuple(e.source for e in (last, current) if e is not None)
        return Line(
            **_base(row, frame.ind, previous),
            value=value,
            stage=stage,
            value_period=last.period if last else None,
            stale=last is not None,
            increment=None,
            **NO_RATE,
            status=status,
            light=Light.none,
            note=note,
            sources=sources,
        )
    value, stage = _shown(current, row.staged)
    return judge(frame, row, previous, value, stage, current.period, (current.source,))


def judge(
    frame: Frame,
    row: Row,
    previous: float | None,
    value: float | None,
    stage: str | None,
    value_period: str | None,
    sources: tuple,
    how: str = "",
) -> Line:
    """Completion, 序时, gap and status of a line whose value is known."""
    cfg, ind, d = frame.cfg, frame.ind, frame.decimals
    target = row.target
    increment = None
    if value is not None and previous is not None and not ind.is_level:
        increment = round_half_up(value - previous, 6)
    out = dict(
        _base(row, ind, previous),
        value=value,
        stage=stage,
        value_period=value_period,
        stale=False,
        increment=increment,
        sources=sources,
        incomplete=False,
    )
    if row.staged or frame.milestone:
        status = frame.milestone_status(stage)
        return Line(
            **out,
            **NO_RATE,
            status=status,
            light=_light(cfg, status, None),
            how=how,
        )
    if target is None or value is None:
        status = Status.pending
        return Line(
            **out,
            **NO_RATE,
            status=status,
            light=Light.none,
            how=how,
        )
    if frame.level:
        return _level_line(frame, row, out, value, how)
    # Cumulative (or stock with a baseline): share of the target against 序时.
    start = ind.baseline if ind.stock and ind.baseline is not None and row.unit == ind.unit else 0.0
    span = target - start
    rate = (value - start) / span if span > 0 else (1.0 if value >= target else 0.0)
    schedule, schedule_pct = frame.schedule(target)
    rate_pct = pct(rate, d)
    gap = round_half_up(rate_pct - schedule_pct, d)
    how = how or (
        f"{fmt_number(value)} ÷ {row.figure}"
        if not start
        else f"({fmt_number(value)} − {fmt_number(start)}) ÷ ({row.figure} − {fmt_number(start)})"
    )
    if ind.direction == Direction.at_most:
        status = Status.severe if value > target else (Status.done if schedule >= 1 else Status.on_track)
    else:
        status = _schedule_status(cfg, rate, gap)
    return Line(
        **out,
        rate=rate,
        schedule=schedule,
        rate_pct=rate_pct,
        schedule_pct=schedule_pct,
        gap_pp=gap,
        status=status,
        light=_light(cfg, status, gap),
        how=how,
    )


def _judged_as_level(ind: Indicator) -> bool:
    """Judged as a level reached or not, not as a share of the year against 序时."""
    return ind.kind in (Kind.rate, Kind.standard) or ind.is_share_percent or (ind.stock and ind.baseline is None)


def _schedule_status(cfg: Config, rate: float, gap: float) -> Status:
    t = cfg.thresholds
    if rate >= 1 - 1e-12:
        return Status.done
    if gap > 0:
        return Status.ahead
    if gap >= -t.lagging_pp:
        return Status.on_track
    if gap >= -t.severe_pp:
        return Status.lagging
    return Status.severe


def _level_line(frame: Frame, row: Row, out: dict, value: float, how: str) -> Line:
    """Rate, standard, share in %, stock without baseline: the latest level against the target.

    Not reached: within lagging_pp (百分点 for a % unit, % of the target otherwise) it is 按序时,
    within severe_pp 滞后, beyond 严重滞后; before an indicator's own deadline it is 按序时.
    """
    cfg, period, ind, d = frame.cfg, frame.period, frame.ind, frame.decimals
    target = row.target
    t = cfg.thresholds
    at_most = ind.direction == Direction.at_most
    percent_unit = row.unit.strip() in PERCENT_UNITS or ind.is_share_percent
    rate = value / target if target else None
    if percent_unit:
        gap = round_half_up(value - target, d)
        shortfall = -gap if not at_most else gap
    else:
        gap = None
        shortfall = (
            ((target - value) / target * 100 if not at_most else (value - target) / target * 100) if target else 0
        )
    reached = (
        value < target
        if at_most and ind.improve
        else value <= target
        if at_most
        else (value > target if ind.improve else value >= target - 1e-12)
    )
    if reached:
        status = Status.done
    elif ind.deadline is not None and schedule_date(cfg, period) < ind.deadline or shortfall <= t.lagging_pp:
        status = Status.on_track
    elif shortfall <= t.severe_pp:
        status = Status.lagging
    else:
        status = Status.severe
    rate_pct = pct(rate, d) if rate is not None else None
    how = how or (f"{fmt_number(value)} − {row.figure}" if percent_unit else f"{fmt_number(value)} ÷ {row.figure}")
    light = _light(cfg, status, -shortfall)
    return Line(
        **out,
        rate=rate,
        schedule=None,
        rate_pct=rate_pct,
        schedule_pct=None,
        gap_pp=gap,
        status=status,
        light=light,
        how=how,
    )


def _milestone_status(cfg: Config, period: Period, ind: Indicator, stage: str | None) -> Status:
    if stage is None or ind.target_stage is None:
        return Status.pending
    now = ind.stages.index(stage) if stage in ind.stages else -1
    goal = ind.stages.index(ind.target_stage)
    day = as_of(cfg, period)
    if now >= goal:
        return Status.done
    if ind.deadline is not None and day > ind.deadline:
        return Status.severe  # past its deadline, unfinished
    planned = planned_stage(ind, day)
    if planned is None:
        return Status.on_track
    expected = ind.stages.index(planned)
    if now > expected:
        return Status.ahead
    if now == expected:
        return Status.on_track
    return Status.lagging if expected - now == 1 else Status.severe


def _light(cfg: Config, status: Status, gap: float | None) -> Light:
    if status in (Status.done, Status.ahead):
        return Light.green
    if status == Status.on_track:
        near = cfg.thresholds.near_pp
        return Light.green if gap is None or gap >= -near else Light.yellow
    if status == Status.lagging:
        return Light.yellow
    if status == Status.severe:
        return Light.red
    return Light.none


# -- totals -----------------------------------------------------------------------------------
def _incomplete(base: dict, value: float | None, period: str | None, lacking: list[Line],
                how: str, sources: tuple, what: str) -> Line:  # fmt: skip
    """A total that lacks some part: the known part shown with the mark, status of the worst missing part."""
    worst = min((a.status for a in lacking), key=WORST_FIRST.index)
    names = "、".join(a.label for a in lacking)
    return Line(**base, value=value, stage=None, value_period=period, stale=False, increment=None, **NO_RATE,
                status=worst, light=Light.none, incomplete=True, how=how, sources=sources,
                note=f"{names}{worst.value}，{what}不完整")  # fmt: skip


def _latest(lines: list[Line]) -> str | None:
    """The latest period the lines' values come from: by end date, then by start date (a 5月下旬
    after the 5月 that ends the same day), so the answer never rests on a set's order."""
    periods = {a.value_period for a in lines if a.value_period}
    return max(periods, key=lambda c: (*parse_period(c).sort_key(), c)) if periods else None


def summed_total(frame: Frame, areas: list[Line], previous: float | None) -> Line:
    """The total of an indicator whose areas are reported separately: the sum of its areas.

    Summable kinds only; rates and standards are never summed: their total takes the worst area
    status. A total that lacks an area (未报送, 数据有误, 未填) is incomplete: the partial sum is shown
    with the mark, never as the total.
    """
    ind = frame.ind
    row = line_row(ind, ind.id, "", None, TOTAL_LABEL)
    base = _base(row, ind, previous)
    if frame.level or frame.milestone:
        worst = min((a.status for a in areas), key=WORST_FIRST.index) if areas else Status.missing
        return Line(
            **base,
            value=None,
            stage=None,
            value_period=None,
            stale=False,
            increment=None,
            **NO_RATE,
            status=worst,
            light=_light(frame.cfg, worst, None) if worst not in NO_FIGURE else Light.none,
            note="按各区域中进度最差的计",
        )
    scale = factor(ind.row_unit, ind.unit) or 1.0
    lacking = [a for a in areas if a.status in NO_FIGURE]
    known = [a for a in areas if a.status not in NO_FIGURE and a.value is not None]
    partial = sum(a.value for a in known) * scale if known else None
    sources = tuple(s for a in known for s in a.sources)
    how = " + ".join(fmt_number(a.value) for a in known)
    if scale != 1.0 and known:
        how = f"({how}) × {fmt_number(scale)}"
    if lacking:
        return _incomplete(base, partial, _latest(known), lacking, how, sources, "合计")
    return judge(frame, row, previous, partial, None, _latest(known), sources, how=how)


def sites_total(frame: Frame, sites: list[Line], previous: float | None) -> Line:
    """A count of named sites: how many reached the target stage. A site without a figure leaves it incomplete."""
    ind = frame.ind
    row = line_row(ind, ind.id, "", None, "")
    base = _base(row, ind, previous)
    lacking = [s for s in sites if s.status in NO_FIGURE]
    reached = [s for s in sites if s.status == Status.done]
    sources = tuple(src for s in sites for src in s.sources)
    names_done = "、".join(s.label for s in reached) or "无"
    how = f"{len(reached)} ÷ {fmt_number(base['target'])}（达到「{ind.target_stage}」的：{names_done}）"
    if lacking:
        return _incomplete(base, float(len(reached)), None, lacking, how, sources, "计数")
    return judge(frame, row, previous, float(len(reached)), None, _latest(sites), sources, how=how)


def _checked_against_areas(ind: Indicator, total: Line, areas: list[Line]) -> Line:
    """A reviewing unit's 合计 (chain.review) over areas other units filled: say so when they disagree.

    The reviewed figure stands (审核汇总 is that unit's job); the note lets the office see the gap."""
    if _judged_as_level(ind) or ind.kind == Kind.milestone or total.value is None or total.status in NO_FIGURE:
        return total
    if not areas or any(a.status in NO_FIGURE or a.value is None for a in areas):
        return total
    summed = sum(a.value for a in areas) * (factor(ind.row_unit, ind.unit) or 1.0)
    if abs(summed - total.value) <= 1e-6 * max(1.0, abs(summed)):
        return total
    note = f"各区域填报之和为{fmt_number(round_half_up(summed, 6))}，与审核汇总的合计{fmt_number(total.value)}不一致"
    return replace(total, note="；".join(n for n in (total.note, note) if n))


def project_lines(
    cfg: Config,
    snap: Snapshot,
    period: Period,
    project: Project,
    ind: Indicator,
    rows: tuple[Row, ...],
    previous: dict[str, Line],
) -> tuple[Line, tuple[Line, ...]]:
    """An indicator's total line and its area lines."""
    frame = Frame(cfg, period, ind)

    def prev_value(key: str) -> float | None:
        line = previous.get(key)
        return line.value if line is not None and line.status not in NO_FIGURE else None

    own = next((r for r in rows if r.area_code is None), None)
    areas = tuple(figure_line(frame, snap, r, prev_value(r.key)) for r in rows if r.area_code)
    if ind.sites:
        total = sites_total(frame, list(areas), prev_value(ind.id))
    elif own is not None:
        total = figure_line(frame, snap, own, prev_value(own.key))
        if any(r.unit_code != own.unit_code for r in rows if r.area_code):
            total = _checked_against_areas(ind, total, list(areas))
    elif areas:
        total = summed_total(frame, list(areas), prev_value(ind.id))
    else:  # nobody reports it (a config check forbids this; keep the count honest anyway)
        total = figure_line(frame, snap, line_row(ind, ind.id, "", None, ""), None)
    return total, areas
