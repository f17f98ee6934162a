"""`minsheng status`: the progress report as a terminal table, or as JSON (shape in docs/analytics.md)."""

from __future__ import annotations

import datetime as dt

from .analytics.report import LAGGING, NO_FIGURE, IndicatorProgress, Line, ProgressReport, Status
from .numbers import fmt_number, fmt_pct
from .periods import cn_date
from .textfmt import fit

COLUMNS = [("项目", 18), ("指标", 22), ("目标", 14), ("累计", 10), ("完成率", 8), ("序时", 7), ("差距", 7), ("状态", 8)]


def gap_text(gap: float | None, decimals: int) -> str:
    return "—" if gap is None else f"{gap:+.{decimals}f}"


def value_text(line: Line) -> str:
    if line.stage is not None:
        return line.stage
    if line.value is None:
        return line.status.value if line.status in NO_FIGURE else "—"
    text = fmt_number(line.value)
    return text + ("*" if line.stale or line.incomplete else "")


def _row(item: IndicatorProgress, line: Line, d: int) -> str:
    cells = [
        item.project_title,
        item.name + (f"（{line.label}）" if line.area_code else ""),
        line.target_text,
        value_text(line),
        fmt_pct(line.rate_pct, d) if line.rate_pct is not None else "—",
        fmt_pct(line.schedule_pct, d) if line.schedule_pct is not None else "—",
        gap_text(line.gap_pp, d),
        line.status.value,
    ]
    right = {3, 4, 5, 6}
    return "  ".join(fit(c, w, i in right) for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True)))


def summary_lines(report: ProgressReport) -> list[str]:
    o = report.overall
    d = report.decimals
    counts = "，".join(f"{s.value} {o.counts[s]}" for s in Status if o.counts[s])
    completion = f"；整体完成率 {fmt_pct(o.completion_pct, d)}" if o.completion_pct is not None else ""
    return [
        f"{report.period_label}（截至{cn_date(dt.date.fromisoformat(report.as_of))}，序时进度 {fmt_pct(report.schedule_pct, d)}）："
        f"{o.projects} 件 {o.indicators} 项指标 — {counts}{completion}"
    ]


def render_status(report: ProgressReport, lagging_first: bool = False) -> str:
    """Lines grouped by category, each indicator's total (areas under it); `*` marks a figure not current."""
    d = report.decimals
    lines = summary_lines(report)
    header = "  ".join(fit(name, w) for name, w in COLUMNS)
    for tally in report.categories:
        items = [i for i in report.indicators if i.category == tally.name]
        if lagging_first:
            items.sort(key=lambda i: (i.status not in LAGGING, i.status != Status.severe))
        lines += ["", f"【{tally.name}】{tally.projects} 件 {tally.indicators} 项", header]
        for item in items:
            lines.append(_row(item, item.total, d))
            lines.extend(_row(item, a, d) for a in item.areas)
    lines.append("")
    lines.append("* 为非本期数字（单位本期未报送或合计不完整），括注见汇总表。")
    return "\n".join(lines)


def _line_json(line: Line) -> dict:
    return {
        "key": line.key,
        "area": line.area_code,
        "label": line.label,
        "target": line.target,
        "target_text": line.target_text,
        "provisional": line.provisional,
        "value": line.value,
        "stage": line.stage,
        "value_period": line.value_period,
        "stale": line.stale,
        "incomplete": line.incomplete,
        "increment": line.increment,
        "rate_pct": line.rate_pct,
        "schedule_pct": line.schedule_pct,
        "gap_pp": line.gap_pp,
        "status": line.status.value,
        "light": line.light.value,
        "note": line.note,
        "how": line.how,
        "sources": [{"file": s.file, "sheet": s.sheet, "cell": s.cell, "raw": s.raw} for s in line.sources],
    }


def status_json(report: ProgressReport) -> dict:
    """The same numbers as the table, for other programs (docs/analytics.md)."""
    return {
        "period": report.period,
        "as_of": report.as_of,
        "schedule_pct": report.schedule_pct,
        "overall": {
            "projects": report.overall.projects,
            "indicators": report.overall.indicators,
            "counts": {s.value: n for s, n in report.overall.counts.items()},
            "completion_pct": report.overall.completion_pct,
        },
        "indicators": [
            {
                "id": i.indicator_id,
                "category": i.category,
                "project": i.project_title,
                "name": i.name,
                "measure": i.measure,
                "lead": i.lead,
                "total": _line_json(i.total),
                "areas": [_line_json(a) for a in i.areas],
            }
            for i in report.indicators
        ],
        "units": [
            {"code": u.code, "name": u.name, "rank": u.rank, "score": u.score, "on_time_rate": u.on_time_rate}
            for u in report.units
        ],
    }
