"""build_report: (config, snapshot, previous snapshot) → ProgressReport. Pure; no I/O.

Overall completion (整体完成率): the mean, over indicators that have a 完成率 this period, of their
完成率 capped at 100%; 其中 children, 目标待定 and lines without a figure are left out. Ranking
score: docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..chain import chain_text
from ..config import Config
from ..model import Snapshot
from ..numbers import pct
from ..periods import Period, parse_period
from .progress import indicator_rows, project_lines
from .ranking import rank_areas, rank_units
from .report import LAGGING, Change, Changes, IndicatorProgress, Line, ProgressReport, Status, Tally
from .schedule import as_of, year_schedule


def _lines(cfg: Config, snap: Snapshot, previous: dict[str, Line]) -> list[IndicatorProgress]:
    period = parse_period(snap.period)
    rows = indicator_rows(cfg)
    units = {u.code: u.name for u in cfg.units}
    out = []
    for p, ind in cfg.indicators():
        total, areas = project_lines(cfg, snap, period, p, ind, rows.get(ind.id, []), previous)
        leads = cfg.leads_of(p, ind)
        out.append(
            IndicatorProgress(
                category=cfg.category_name(p.category),
                category_order=cfg.category_order(p.category),
                project_id=p.id,
                project_number=p.number,
                project_title=p.title,
                indicator_id=ind.id,
                name=ind.name,
                measure=ind.unit,
                kind=ind.kind.value,
                lead="、".join(units.get(c, c) for c in leads),
                lead_codes=tuple(leads),
                reporters=tuple(dict.fromkeys(r.unit_code for r in rows.get(ind.id, []))),
                parent=ind.parent,
                total=total,
                areas=areas,
                co="、".join([*(units.get(c, c) for c in (ind.co or p.co)), *([p.co_group] if p.co_group else [])]),
                leader=ind.leader or p.leader or "",
                certifier=units.get(cfg.certifier_of(p, ind) or "", ""),
                chain=chain_text(cfg, p, ind),
                wording=ind.target_text or "",
            )
        )
    return out


def tally(name: str, items: list[IndicatorProgress], decimals: int) -> Tally:
    counted = [i for i in items if i.parent is None]
    counts = {s: 0 for s in Status}
    for i in counted:
        counts[i.status] += 1
    rates = [min(i.total.rate, 1.0) for i in counted if i.total.rate is not None and i.total.status != Status.pending]
    completion = sum(rates) / len(rates) if rates else None
    return Tally(
        name=name,
        projects=len({i.project_id for i in counted}),
        indicators=len(counted),
        counts=counts,
        completion=completion,
        completion_pct=pct(completion, decimals) if completion is not None else None,
    )


def _changes(now: list[IndicatorProgress], before: list[IndicatorProgress] | None) -> Changes:
    if before is None:
        return Changes()
    old = {line.key: line.status for i in before for line in (i.total, *i.areas)}
    done, lagging, recovered = [], [], []
    for i in now:
        for line in (i.total, *i.areas):
            was = old.get(line.key)
            if was is None or was == line.status:
                continue
            label = i.name + (f"（{line.label}）" if line.area_code else "")
            change = Change(line.key, i.indicator_id, label, was, line.status)
            if line.status == Status.done:
                done.append(change)
            if line.status in LAGGING and was not in LAGGING:
                lagging.append(change)
            if was in LAGGING and line.status in (Status.done, Status.ahead, Status.on_track):
                recovered.append(change)
    return Changes(tuple(done), tuple(lagging), tuple(recovered))


def build_report(cfg: Config, snap: Snapshot, previous: Snapshot | None = None) -> ProgressReport:
    """Every number the 汇总表 and the documents print, for the snapshot's period."""
    return build_reports(cfg, [snap, previous])[0]


def build_reports(cfg: Config, snaps: Sequence[Snapshot | None]) -> list[ProgressReport]:
    """The reports of a chain of snapshots, newest first, each with the next one as its previous
    period: build_report(cfg, snaps[i], snaps[i + 1]) for all but the last, which (or None, in the
    first period of the year) only serves as the previous one.

    Each snapshot's lines are worked out once: a report takes from its previous period's lines
    only their figures and statuses, which do not depend on the period before that."""
    lines: list[list[IndicatorProgress] | None] = [None] * len(snaps)
    for i in reversed(range(len(snaps))):
        if snaps[i] is not None:
            before = lines[i + 1] if i + 1 < len(snaps) else None
            prev_lines = {line.key: line for item in before for line in (item.total, *item.areas)} if before else {}
            lines[i] = _lines(cfg, snaps[i], prev_lines)
    return [_report(cfg, snaps[i], snaps[i + 1], lines[i], lines[i + 1]) for i in range(len(snaps) - 1)]


def _report(
    cfg: Config,
    snap: Snapshot,
    previous: Snapshot | None,
    items: list[IndicatorProgress],
    before: list[IndicatorProgress] | None,
) -> ProgressReport:
    period = parse_period(snap.period)
    d = cfg.bulletins.percent_decimals
    categories = []
    for c in cfg.categories:
        mine = [i for i in items if i.category_order == cfg.categories.index(c)]
        if mine:
            categories.append(tally(cfg.category_name(c.code), mine, d))
    schedule = year_schedule(cfg, period)
    units = rank_units(cfg, items, snap)
    ranked = [u for u in units if u.rank is not None]
    return ProgressReport(
        period=period.code,
        period_kind=period.kind,
        period_label=period.label,
        previous_period=previous.period if previous is not None else None,
        as_of=as_of(cfg, period).isoformat(),
        schedule=schedule,
        schedule_pct=pct(schedule, d),
        decimals=d,
        indicators=tuple(items),
        overall=tally("全部", items, d),
        categories=tuple(categories),
        units=tuple(units),
        areas=tuple(rank_areas(cfg, items)),
        praised=_top(ranked, cfg.bulletins.praise_top),
        named=_bottom(ranked, cfg.bulletins.name_bottom),
        changes=_changes(items, before),
        returns=dict(snap.returns),
        findings=snap.findings,
        narratives=snap.narratives,
        experiences=snap.experiences,
        series=dict(snap.series),
    )


def _top(ranked: list, n: int) -> tuple:
    """The first n by rank; a tie at the edge brings all who share that rank."""
    if n <= 0 or not ranked:
        return ()
    edge = ranked[min(n, len(ranked)) - 1].rank
    return tuple(u for u in ranked if u.rank <= edge)


def _bottom(ranked: list, n: int) -> tuple:
    if n <= 0 or not ranked:
        return ()
    rev = list(reversed(ranked))
    edge = rev[min(n, len(rev)) - 1].rank
    return tuple(u for u in rev if u.rank >= edge)


def previous_period(period: Period) -> Period | None:
    """The previous period of the same kind within the year, if any."""
    prev = period.previous()
    return prev if prev.year == period.year else None
