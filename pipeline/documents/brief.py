"""The 旬简报: its context (pure, from the config and the ProgressReport) and its rendering.

The wording is the template's (templates/旬简报.docx, built by build_brief); this module supplies
the facts, every figure through a `Basis` (the 数据依据). An office whose units return only monthly
forms still issues its 旬简报: from the month's report, for the 旬 the month's figures stand at
(「截至5月20日」 with a cut-off on the 20th falls in 5月中旬). docs/bulletins.md documents each
variable. Entry point: `render_brief`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analytics.report import ProgressReport
from ..analytics.schedule import as_of as cutoff_date
from ..analytics.schedule import year_schedule as schedule_of
from ..config import Config
from ..errors import UserError
from ..forms import safe_filename
from ..ledger import Ledger
from ..numbers import fixed, pct
from ..periods import Period, cn_date, parse_period
from . import brief_parts as parts
from .basis import Basis
from .basis_workbook import write_basis
from .common import config_names, new_basis, office_context, tally_context, year_schedule
from .numbering import Numbering, choose
from .render import render_docx

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NUMBER_KIND = "brief-dekad"  # the ledger's numbering series of the 旬简报 (期数 by year)
# A 周简报 is the same brief for a week (「周简报…」 mechanisms): its own series, name and template.
KIND_NUMBERS = {"dekad": NUMBER_KIND, "week": "brief-week"}
LABELS = {"dekad": "本旬", "week": "本周", "month": "本月"}


def brief_kind(report: ProgressReport) -> str:
    """The document a brief is: the 周简报 of a week's report, else the 旬简报."""
    return "week" if report.period_kind == "week" else "dekad"


def brief_period(report: ProgressReport) -> Period:
    """The 旬 (or week) a brief is for: the report's own, or for a month's report the 旬 its cut-off falls in."""
    period = parse_period(report.period)
    if period.kind in ("dekad", "week"):
        return period
    if period.kind == "month":
        day = dt.date.fromisoformat(report.as_of)
        return next(p for p in period.sub_periods("dekad") if p.contains(day))
    raise UserError(f"旬简报按旬（或按各单位的月报）编发，收到的是「{report.period_label}」的进度。")


def _short_date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _span(start: dt.date, end: dt.date) -> str:
    """5月11日至20日, or 4月21日至5月20日 across a month."""
    if start.month == end.month:
        return f"{start.month}月{start.day}日至{end.day}日"
    return f"{_short_date(start)}至{_short_date(end)}"


def _previous(cfg: Config, report: ProgressReport, previous: ProgressReport | None) -> tuple[Period | None, str]:
    code = previous.period if previous is not None else report.previous_period
    if code is None:
        return None, ""
    prev = parse_period(code)
    before = previous.schedule_pct if previous is not None else pct(schedule_of(cfg, prev), report.decimals)
    return prev, fixed(before, report.decimals)


def _schedule_step(b: Basis, report: ProgressReport, before: str) -> str:
    if not before:
        return ""
    d = report.decimals
    now = fixed(report.schedule_pct, d)
    step = float(now) - float(before)
    how = f"{now} − {before}（本期序时进度 − 上期序时进度）"
    return b.add(fixed(step, d), item="序时进度", what="本期序时进度推进（百分点）", value=step, how=how)


def brief_context(
    cfg: Config,
    report: ProgressReport,
    numbering: Numbering,
    *,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
    basis: Basis | None = None,
) -> dict[str, Any]:
    """Everything templates/旬简报.docx may name (docs/bulletins.md). Pure: no files, no clock unless
    `issued` is left out (then today is the date in the 报头). Every figure goes through `basis`."""
    b = basis if basis is not None else Basis()
    period = brief_period(report)
    data = parse_period(report.period)
    as_of = dt.date.fromisoformat(report.as_of)
    issued = issued or dt.date.today()
    spec = cfg.reporting.document(brief_kind(report))
    office = office_context(cfg, issued)
    prev, prev_schedule = _previous(cfg, report, previous)
    label = LABELS[data.kind]
    span = _span(cutoff_date(cfg, prev) + dt.timedelta(days=1), as_of) if prev is not None else ""
    lag = parts.lagging(b, cfg, report)
    severe = sum(1 for p in lag for i in p["indicators"] if i["severe"])
    changed = parts.changes(b, cfg, report)
    in_full = {i["key"] for p in lag for i in p["indicators"]} | set(changed.pop("keys"))
    copies = cfg.bulletins.copies
    return {
        "office": {
            "name": office["name"],
            "short_name": office["short_name"],
            "editor": office["editor"],
            "scope": office["scope"],
        },
        "brief": {
            "title": cfg.bulletins.brief_title,
            "name": spec.name if spec else ("周简报" if brief_kind(report) == "week" else "旬简报"),
            "issue": numbering.issue,
            "seq": numbering.seq,
            "date": cn_date(issued),
        },
        "period": {
            "code": period.code,
            "label": period.label,
            "short": period.short_label,
            "year": period.year,
            "month": period.month,
            "as_of": cn_date(as_of),
            "as_of_short": _short_date(as_of),
            "monthly": data.kind == "month",
            "data_label": data.label,
            "data_short": data.short_label,
        },
        "previous": {"code": prev.code if prev else "", "label": prev.label if prev else ""},
        "schedule": year_schedule(b, report),
        "overall": tally_context(b, report, report.overall),
        "increment": {
            "label": label,
            "span": span,
            **parts.increments(b, cfg, report, _schedule_step(b, report, prev_schedule)),
        },
        "lagging": lag,
        "lagging_count": b.count(
            sum(len(p["indicators"]) for p in lag),
            item="低于序时进度",
            what="滞后指标项数",
            how="状态为滞后或严重滞后的指标数",
        ),  # fmt: skip
        "severe_count": b.count(severe, item="严重滞后", what="严重滞后指标项数", how="状态为严重滞后的指标数"),
        "has_severe": severe > 0,
        "changes": changed,
        "others": parts.others(b, cfg, report, in_full),
        "dynamics": parts.dynamics(b, cfg, report),
        "attention": parts.attention(b, cfg, report),
        "summary_name": cfg.reporting.summary_name,
        "tail": {
            "report_to": "，".join(cfg.office.report_to),
            "cc": "，".join(cfg.office.cc),
            "recipients": "，".join(cfg.office.recipients) or "各有关单位",
            "copies": b.add(
                str(copies), item="印数", what="印数（份）", value=float(copies), how="配置 bulletins.copies"
            )
            if copies
            else "",
        },  # fmt: skip
    }


def brief_template(cfg: Config, templates: Path = TEMPLATES, kind: str = "dekad") -> Path:
    """templates/<document name>.docx, or 旬简报.docx when the office renamed the document (or
    issues a 周简报 without a template of its own)."""
    spec = cfg.reporting.document(kind)
    own = templates / f"{safe_filename(spec.name)}.docx" if spec else None
    return own if own is not None and own.exists() else templates / "旬简报.docx"


def assign_number(cfg: Config, report: ProgressReport, ledger: Ledger) -> Numbering:
    """The brief's 期数: kept in the ledger by year, reused on re-rendering, no 文号."""
    period = brief_period(report)
    series = KIND_NUMBERS[brief_kind(report)]
    seq = ledger.document_number(series, period.year, period.code, lambda existing: choose(existing, period.code))
    return Numbering(year=period.year, seq=seq, prefix=None)


def render_brief(
    cfg: Config,
    report: ProgressReport,
    outputs: Path,
    *,
    ledger: Ledger | None = None,
    numbering: Numbering | None = None,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
    template: Path | None = None,
) -> Path:
    """Write outputs/<旬>/<document name>.docx (e.g. outputs/2023-05-2/旬简报.docx) and its 数据依据.

    The 期数 comes from `numbering`, else from `ledger`, else from the ledger in `outputs`."""
    kind = brief_kind(report)
    spec = cfg.reporting.document(kind)
    if spec is None:
        word = "周" if kind == "week" else "旬"
        raise UserError(
            f"配置中没有按{word}印发的材料（reporting.documents 中缺少 period: {kind} 的一项），无需生成{word}简报。"
        )
    period = brief_period(report)
    if numbering is None:
        if ledger is not None:
            numbering = assign_number(cfg, report, ledger)
        else:
            with Ledger.for_config(cfg, outputs) as own:
                numbering = assign_number(cfg, report, own)
    basis = new_basis(cfg, spec.name)
    context = brief_context(cfg, report, numbering, previous=previous, issued=issued, basis=basis)
    out = outputs / period.code / f"{safe_filename(spec.name)}.docx"
    render_docx(template or brief_template(cfg, kind=kind), context, out, basis=basis, names=config_names(cfg))
    write_basis(out, basis)
    return out
