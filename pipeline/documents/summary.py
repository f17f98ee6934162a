"""The 季总结: its context (pure, from the config and the quarter's ProgressReport) and its rendering.

A 事务文书, not a 公文 (build_summary explains the layout): it carries no 文号 or 期数, so nothing
is numbered in the ledger. The Q4 总结 is the year's: it says 全年. The wording is the template's
(templates/季总结.docx); every figure goes through the `Basis`, and the chart's bars are listed
in the 数据依据 too. docs/bulletins.md documents each context variable. Entry: `render_summary`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analytics.report import LAGGING, NO_FIGURE, IndicatorProgress, ProgressReport, Status
from ..config import Config, Kind
from ..errors import UserError
from ..forms import safe_filename
from ..ledger import Ledger
from ..numbers import fixed, fmt_number
from ..periods import Period, cn_date, parse_period
from . import chart as charts
from .basis import Basis, Figure
from .basis_workbook import write_basis
from .common import (
    cn_number,
    config_names,
    display_names,
    gap_behind,
    investment,
    is_level,
    join,
    lead_of,
    new_basis,
    office_context,
    quantity,
    short_name,
    source_context,
    tally_context,
    year_schedule,
)
from .numbering import Numbering
from .render import render_docx
from .summary_parts import comparison, due_next, practices, problems, table
from .trace import Occurrence, Place

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
QUARTERS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
SPANS = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}  # what the cumulative figures cover
CHART_NAME = "图1"
# The template's own words that carry digits but are no figures: the chart's name, the rule it states.
NOT_FIGURES = [CHART_NAME, "超过100%的按100%计"]


def _period(report: ProgressReport) -> tuple[Period, dict[str, Any]]:
    period = parse_period(report.period)
    q = period.quarter
    return period, {
        "code": period.code,
        "label": period.label,
        "year": period.year,
        "quarter_no": q,
        "quarter": QUARTERS[q],
        "span": SPANS[q],
        "is_year": q == 4,
        "as_of": cn_date(dt.date.fromisoformat(report.as_of)),
    }


def _neighbours(period: Period, previous: ProgressReport | None) -> tuple[dict[str, str], dict[str, str]]:
    prev = {"code": "", "label": "", "quarter": "", "as_of": ""}
    if previous is not None:
        p = parse_period(previous.period)
        as_of = cn_date(dt.date.fromisoformat(previous.as_of))
        prev = {"code": p.code, "label": p.label, "quarter": QUARTERS[p.quarter], "as_of": as_of}
    nxt = period.next()
    following = {"code": "", "quarter": ""}
    if nxt.year == period.year:
        following = {"code": nxt.code, "quarter": QUARTERS[nxt.quarter]}
    return prev, following


def _reached(b: Basis, cfg: Config, report: ProgressReport, ip: IndicatorProgress) -> str:
    """What a done indicator reached, for 「农村危房改造（206户，市住建局）」."""
    line = ip.total
    if ip.kind == Kind.milestone or line.value is None:
        return line.stage or line.status.value
    return b.line(report, ip, line).value(with_measure=True)


def _short_facts(b: Basis, cfg: Config, report: ProgressReport, ip: IndicatorProgress) -> str:
    """「完成率37.1%」 for an indicator behind (its target and cumulative figure are in the 附件)."""
    line = ip.total
    lf = b.line(report, ip, line)
    if ip.kind == Kind.milestone:
        return f"目前处于“{line.stage}”阶段" if line.stage else line.status.value
    if line.rate_pct is None or is_level(cfg, ip):
        return f"当前为{lf.value(with_measure=True)}" if line.value is not None else line.status.value
    return f"完成率{lf.rate()}"


def _category(b: Basis, cfg: Config, report: ProgressReport, tally, seq: int) -> dict[str, Any]:
    shown = display_names(report)
    items = [ip for ip in report.indicators if ip.category == tally.name and not ip.parent]
    out = {"seq": cn_number(seq), **tally_context(b, report, tally, item=tally.name)}
    by = {s: [ip for ip in items if ip.status == s] for s in Status}
    out["done"] = "、".join(
        f"{shown[ip.indicator_id]}（{_reached(b, cfg, report, ip)}，{lead_of(cfg, ip)}）" for ip in by[Status.done]
    )
    # on or ahead of 序时: named with their unit only; their figures are in the 附件 table, and a
    # 总结 that gives every indicator's figures in its text reads as a table written out
    for key, status in (("ahead", Status.ahead), ("on_track", Status.on_track)):
        out[key] = "、".join(f"{shown[ip.indicator_id]}（{lead_of(cfg, ip)}）" for ip in by[status])
    behind = sorted((ip for ip in items if ip.status in LAGGING), key=lambda i: i.total.gap_pp or 0)
    out["behind"] = [_behind(b, cfg, report, ip, shown) for ip in behind]
    out["no_figure"] = "、".join(
        f"{shown[ip.indicator_id]}（{lead_of(cfg, ip)}，{ip.status.value}）"
        for ip in items
        if ip.status in (*NO_FIGURE, Status.pending)
    )
    return out


def _behind(b: Basis, cfg: Config, report: ProgressReport, ip: IndicatorProgress, shown) -> dict[str, Any]:
    line = ip.total
    gap, ref = gap_behind(b, report, ip, line)
    areas = [a.label for a in ip.areas if a.status in LAGGING]
    leads = set(ip.lead_codes)
    others = [u.code for u in report.units if u.code not in leads and any(k.split("@")[0] == ip.indicator_id
                                                                             for k in u.lagging)]  # fmt: skip
    return {
        "name": shown[ip.indicator_id],
        "lead": lead_of(cfg, ip),
        "figures": _short_facts(b, cfg, report, ip),
        "gap": gap,
        "gap_ref": ref,
        "severe": line.status == Status.severe,
        "status": line.status.value,
        "units": join([*areas, *(short_name(cfg, c) for c in others)]),
        "key": line.key,
    }


def _investment(b: Basis, report: ProgressReport) -> dict[str, Any] | None:
    inv = investment(b, report)
    if inv is None:
        return None
    items = [ip for ip in report.indicators if ip.kind == Kind.investment and not ip.parent]
    inv["quarter"] = ""
    if all(ip.total.increment is not None for ip in items) and sum(ip.total.increment for ip in items) > 0:
        total = sum(ip.total.increment for ip in items)
        plan = sum(ip.total.target for ip in items)
        how = (
            " + ".join(f"({fmt_number(ip.total.value)} − {fmt_number(ip.total.previous)})" for ip in items)
            + "（各投资类指标本季度末累计 − 上季度末累计）"
        )
        sources = tuple(s for ip in items for s in ip.total.sources)
        inv["quarter"] = b.add(
            quantity(total, items[0].measure, scale_by=plan), item="投资", what="本季度完成投资",
            value=total, how=how, sources=sources,
        )  # fmt: skip
    return inv


def _chart(b: Basis, cfg: Config, report: ProgressReport, out: Path | None) -> dict[str, Any] | None:
    from docx.shared import Mm
    from docxtpl import InlineImage

    bars = charts.project_bars(report, cfg.thresholds.lagging_pp, cfg.thresholds.severe_pp)
    if not any(bar.rate_pct is not None for bar in bars):
        return None
    left_out = [bar.title for bar in bars if bar.rate_pct is None]
    image = charts.draw(bars, report.schedule_pct, report.decimals, out)
    descriptor = str(image) if isinstance(image, Path) else image
    picture: Any = charts.NO_FONT if image is None else InlineImage(None, descriptor, width=Mm(charts.WIDTH_MM))
    return {
        "picture": picture,
        "drawn": image is not None,
        "bars": bars,
        "left_out": "、".join("“" + t.replace("“", "‘").replace("”", "’") + "”" for t in left_out[:3]),
        "left_out_count": b.count(len(left_out), item=CHART_NAME, what="未列入的项目件数", how="没有完成率的项目数"),
    }


def summary_context(
    cfg: Config,
    report: ProgressReport,
    numbering: Numbering | None = None,
    *,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
    basis: Basis | None = None,
    chart_file: Path | None = None,
) -> dict[str, Any]:
    """Everything templates/季总结.docx may name (docs/bulletins.md). Pure but for the chart, drawn
    into `chart_file` (in memory without it); today is the 成文日期 unless `issued` is given.
    `numbering` is unused: a 季总结 carries no 文号 or 期数 (accepted like the other documents')."""
    b = basis if basis is not None else Basis()
    period, period_ctx = _period(report)
    prev_ctx, next_ctx = _neighbours(period, previous)
    issued = issued or dt.date.today()
    spec = cfg.reporting.document("quarter")
    office = office_context(cfg, issued)
    categories = [_category(b, cfg, report, t, i) for i, t in enumerate(report.categories, 1)]
    overall = tally_context(b, report, report.overall)
    open_count = report.overall.indicators - report.overall.counts.get(Status.done, 0)
    plans = cfg.bulletins.plans or cfg.bulletins.requirements
    due, rest = due_next(b, cfg, report, period)
    body, table_notes = table(b, cfg, report)
    return {
        "office": {k: office[k] for k in ("name", "short_name", "scope", "mechanism")},
        "doc": {"name": spec.name if spec else "季总结", "date": office["date"]},
        "source": source_context(cfg),
        "period": period_ctx,
        "previous": prev_ctx,
        "next": next_ctx,
        "schedule": year_schedule(b, report),
        "overall": overall,
        "year": {
            "open": b.count(open_count, item="全年", what="未完成全年目标的指标项数", how="指标项数 − 已完成项数"),
        },
        "investment": _investment(b, report),
        "chart": _chart(b, cfg, report, chart_file),
        "categories": categories,
        "compare": comparison(b, cfg, report, previous, seq=len(categories) + 1),
        **practices(b, cfg, report),
        "problems": problems(b, cfg, report, lead_of),
        "due_next": due,
        "due_rest": rest,
        "year_end": cn_date(dt.date(period.year, 12, 31)),
        "plans": [{"seq": cn_number(i), "text": t} for i, t in enumerate(plans, 1)],
        "table": body,
        "table_note": "".join(table_notes),
    }


def summary_template(cfg: Config, templates: Path = TEMPLATES) -> Path:
    spec = cfg.reporting.document("quarter")
    own = templates / f"{safe_filename(spec.name)}.docx" if spec else None
    return own if own is not None and own.exists() else templates / "季总结.docx"


def chart_occurrences(ctx: dict[str, Any], basis: Basis, decimals: int) -> list[Occurrence]:
    """The chart's bars as rows of the 数据依据: the numbers inside the picture are figures too."""
    chart = ctx.get("chart")
    if not chart or not chart["drawn"]:
        return []
    section = f"{CHART_NAME}  {ctx['period']['year']}年{ctx['period']['span']}各实事项目完成率"
    out = []
    for i, bar in enumerate((x for x in chart["bars"] if x.rate_pct is not None), 1):
        printed = fixed(bar.rate_pct, decimals) + "%"
        fig = Figure(bar.title, "项目完成率（图中条形）", printed, bar.rate, bar.how, bar.sources)
        basis.figures.append(fig)
        place = Place(section, f"{CHART_NAME}第{i}条「{bar.label}」", f"{bar.label}：{printed}")
        out.append(Occurrence(place, printed.rstrip("%"), place.text, fig))
    return out


def render_summary(
    cfg: Config,
    report: ProgressReport,
    out_dir: Path,
    *,
    ledger: Ledger | None = None,
    numbering: Numbering | None = None,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
    template: Path | None = None,
) -> Path:
    """Write outputs/<period>/<document name>.docx (e.g. outputs/2023-Q2/季总结.docx), its chart
    (季总结_图1.png) and its 数据依据, and return the .docx path. `ledger` and `numbering` are
    accepted like the other documents' renderers and unused: the 季总结 is not numbered."""
    spec = cfg.reporting.document("quarter")
    if spec is None:
        raise UserError(
            "配置中没有按季度印发的材料（reporting.documents 中缺少 period: quarter 的一项），无法生成季总结。"
        )
    if report.period_kind != "quarter":
        raise UserError(f"季总结只能按季度生成，收到的是「{report.period_label}」的进度。")
    out = out_dir / report.period / f"{safe_filename(spec.name)}.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    basis = new_basis(cfg, spec.name)
    ctx = summary_context(
        cfg, report, numbering, previous=previous, issued=issued, basis=basis,
        chart_file=out.with_name(f"{safe_filename(spec.name)}_{CHART_NAME}.png"),
    )  # fmt: skip
    names = [*config_names(cfg), *cfg.bulletins.plans, *NOT_FIGURES]
    render_docx(template or summary_template(cfg), ctx, out, basis=basis, names=names)
    basis.occurrences += chart_occurrences(ctx, basis, report.decimals)
    write_basis(out, basis)
    return out
