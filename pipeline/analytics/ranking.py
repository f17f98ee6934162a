"""Rankings of reporting units and of areas, with ties sharing a rank (1, 2, 2, 4).

Score (ranking.score = schedule, the default): for each line a unit answers for, 完成率 ÷ 序时进度
× 100, capped at ranking.cap × 100; with `completion`, 完成率 × 100, capped likewise. A level
(rate, standard) scores its value ÷ target; a milestone 100 when on or ahead of plan, 50 one stage
behind, 0 further behind; a line with no figure (未报送, 数据有误, 未填) scores 0; 目标待定 and lines
whose window has not begun are left out. The unit's score is the mean, rounded to one decimal; equal
rounded scores share a rank. A unit with no line to score is listed, not ranked.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import Config, Direction, Kind
from ..formspec import rows_by_unit
from ..model import Snapshot
from ..numbers import round_half_up
from .report import LAGGING, NO_FIGURE, IndicatorProgress, Line, Ranked, Status

MILESTONE_POINTS = {Status.done: 100.0, Status.ahead: 100.0, Status.on_track: 100.0, Status.lagging: 50.0}


def line_points(cfg: Config, item: IndicatorProgress, line: Line, ind=None) -> float | None:
    """One line's points, or None when it does not enter the score (`ind`: the item's indicator, if known)."""
    cap = cfg.ranking.cap * 100
    if line.status in NO_FIGURE:
        return 0.0
    if line.status == Status.pending:
        return None
    if item.kind == Kind.milestone.value or line.rate is None:
        return MILESTONE_POINTS.get(line.status, 0.0)
    ind = ind if ind is not None else cfg.indicator(item.indicator_id)[1]
    if ind.direction == Direction.at_most:
        return 100.0 if line.status in (Status.done, Status.on_track) else 0.0
    if line.schedule is None or cfg.ranking.score == "completion":
        return min(line.rate * 100, cap)
    if line.schedule <= 0:
        return None
    return min(line.rate / line.schedule * 100, cap)


def competition_ranks(scores: list[float]) -> list[int]:
    """Ranks for scores sorted high to low: equal scores share a rank, the next is skipped."""
    ranks, last = [], None
    for i, s in enumerate(scores):
        ranks.append(ranks[-1] if last is not None and s == last else i + 1)
        last = s
    return ranks


def _ranked(
    entries: list[tuple[str, str, list[tuple[IndicatorProgress, Line]]]], cfg: Config, extra=None
) -> list[Ranked]:
    scored, listed = [], []
    indicators = {ind.id: ind for _, ind in cfg.indicators()}
    for code, name, lines in entries:
        points = [(line, line_points(cfg, item, line, indicators[item.indicator_id])) for item, line in lines]
        counted = [p for _, p in points if p is not None]
        score = round_half_up(sum(counted) / len(counted), 1) if counted else None
        done = sum(1 for line, _ in points if line.status == Status.done)
        lagging = tuple(line.key for line, _ in points if line.status in LAGGING)
        missing = tuple(line.key for line, _ in points if line.status in NO_FIGURE)
        more = extra(code) if extra else {}
        ranked = Ranked(code, name, score, None, len(counted), done, lagging, missing, **more)
        (scored if score is not None else listed).append(ranked)
    scored.sort(key=lambda r: -r.score)
    ranks = competition_ranks([r.score for r in scored])
    return [_with_rank(r, k) for r, k in zip(scored, ranks, strict=True)] + listed


def _with_rank(r: Ranked, rank: int) -> Ranked:
    return replace(r, rank=rank)


def rank_units(cfg: Config, items: list[IndicatorProgress], snap: Snapshot) -> list[Ranked]:
    """Reporting units by their lines: the total when they report it, else their area rows."""
    by_key = {line.key: (i, line) for i in items for line in (i.total, *i.areas)}
    entries = []
    names = {u.code: u.name for u in cfg.units}
    for unit, rows in rows_by_unit(cfg).items():
        keys = {r.key for r in rows}
        lines = []
        for r in rows:
            if r.is_site:  # scored once, as the count of its sites
                if r.indicator.sites[0].code == r.area_code:
                    lines.append(by_key[r.indicator.id])
                continue
            if r.area_code is not None and r.indicator.id in keys:
                continue  # it reports the 合计: the areas are the townships' record, not its own
            if r.key in by_key:
                lines.append(by_key[r.key])
        entries.append((unit, names[unit], lines))

    def extra(code: str) -> dict:
        on_time, due = snap.on_time.get(code, (0, 0))
        ret = snap.returns.get(code)
        return {"on_time_rate": on_time / due if due else None, "return_status": ret.status.value if ret else ""}

    order = {u.code: i for i, u in enumerate(cfg.units)}
    entries.sort(key=lambda e: order.get(e[0], 0))
    return _ranked(entries, cfg, extra)


def rank_areas(cfg: Config, items: list[IndicatorProgress]) -> list[Ranked]:
    """Areas (townships, counties) over the area lines that have a target; empty when nothing is broken down."""
    by_area: dict[str, list] = {}  # in the order of the items, then of their areas
    for i in items:
        for line in i.areas:
            if line.target is not None:
                by_area.setdefault(line.area_code, []).append((i, line))
    entries = [(area.code, area.name, by_area[area.code]) for area in cfg.areas if area.code in by_area]
    return _ranked(entries, cfg)
