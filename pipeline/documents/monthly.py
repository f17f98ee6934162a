"""The 月通报: its context (pure, from the config and the ProgressReport) and its rendering.

The wording is the template's (templates/月通报.docx); this module supplies the facts, every
number already printed the Chinese way (pipeline.numbers). docs/bulletins.md documents each
context variable. Entry point: `render_notice`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analytics.report import LAGGING, ProgressReport, Status
from ..config import Config
from ..errors import UserError
from ..forms import safe_filename
from ..ledger import Ledger
from ..model import ReturnStatus
from ..periods import cn_date, parse_period
from .basis import Basis
from .basis_workbook import write_basis
from .common import (
    annex_table,
    cn_number,
    config_names,
    display_names,
    facts,
    gap_behind,
    investment,
    join,
    new_basis,
    office_context,
    ranking,
    source_context,
    tally_context,
    unit_names,
    unit_words,
    year_schedule,
)
from .numbering import Numbering, choose, numbering_for
from .render import render_docx

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NUMBER_KIND = "notice-month"  # the ledger's numbering series of the 月通报

# What the follow-up paragraph says of an item flagged last time, by its status now.
OUTCOMES = {
    Status.done: "已完成全年目标任务",
    Status.ahead: "已赶上并超过序时进度",
    Status.on_track: "已赶上序时进度",
    Status.missing: "本期未报送",
    Status.invalid: "本期所报数据有误",
    Status.unfilled: "本期未填报",
    Status.pending: "目标任务待定",
}


def _lagging(b: Basis, cfg: Config, report: ProgressReport) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for ip in report.indicators:
        line = ip.total
        if ip.parent or line.status not in LAGGING:
            continue
        g = groups.setdefault(
            ip.project_id,
            {
                "seq": len(groups) + 1,
                "title": ip.project_title,
                "leads": [],
                "indicators": [],
                "unit_codes": [],
                "areas": [],
            },
        )
        gap, ref = gap_behind(b, report, ip, line)
        g["leads"].append(ip.lead)
        g["indicators"].append(
            {
                "name": ip.name,
                "lead": ip.lead,
                "figures": facts(b, cfg, report, ip, line),
                "gap": gap,
                "gap_ref": ref,
                "severe": line.status == Status.severe,
                "status": line.status.value,
                "reason": unit_words(b, report, line.key, "problems", ip.name),
                "key": line.key,
            }
        )
        g["areas"].extend(a.label for a in ip.areas if a.status in LAGGING)
        leads = set(ip.lead_codes)
        for u in report.units:
            if u.code not in leads and any(k.split("@")[0] == ip.indicator_id for k in u.lagging):
                g["unit_codes"].append(u.code)
    out = []
    for g in groups.values():
        out.append(
            {
                "seq": g["seq"],
                "title": g["title"],
                "lead": join(g["leads"]),
                "indicators": g["indicators"],
                "units": join([*g["areas"], *unit_names(cfg, g["unit_codes"])]),
            }
        )
    return out


def _followup(
    b: Basis, cfg: Config, report: ProgressReport, previous: ProgressReport | None
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The items the previous 月通报 named as lagging, with where each stands now."""
    if report.previous_period is None and previous is None:
        return {"code": "", "label": ""}, []
    prev_code = previous.period if previous is not None else report.previous_period
    prev = parse_period(prev_code)
    info = {"code": prev.code, "label": prev.label}
    current = {ip.total.key: ip for ip in report.indicators if not ip.parent}
    if previous is not None:
        flagged = [ip.total.key for ip in previous.indicators if not ip.parent and ip.total.status in LAGGING]
    else:
        newly = {c.key for c in report.changes.newly_lagging}
        still = [k for k, ip in current.items() if ip.total.status in LAGGING and k not in newly]
        recovered = [c.key for c in report.changes.recovered]
        flagged = [k for k in current if k in set(still) | set(recovered)]
    shown = display_names(report)
    items = []
    for key in flagged:
        ip = current.get(key)
        if ip is None:
            continue
        line = ip.total
        if line.status in LAGGING:
            gap, ref = gap_behind(b, report, ip, line)
            word = "仍严重滞后" if line.status == Status.severe else "仍滞后"
            outcome = f"{word}，低于{ref}{gap}个百分点" if gap else word
        else:
            outcome = OUTCOMES.get(line.status, line.status.value)
        items.append(
            {
                "name": shown[ip.indicator_id],
                "lead": ip.lead,
                "figures": facts(b, cfg, report, ip, line),
                "status": line.status.value,
                "recovered": line.status not in LAGGING,
                "outcome": outcome,
                "key": key,
            }
        )
    return info, items


def _praise(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    shown = display_names(report)
    done = [shown[ip.indicator_id] for ip in report.indicators if not ip.parent and ip.total.status == Status.done]
    return {
        "units": "、".join(u.name for u in report.praised),
        "top": b.count(cfg.bulletins.praise_top, item="表扬", what="通报表扬的名次", how="配置 bulletins.praise_top"),
        "done": "、".join(done),
        "done_count": b.count(
            len(done), item="已完成", what="已完成全年目标的指标项数", how="状态为「已完成」的指标数"
        ),
    }


def _criticism(b: Basis, cfg: Config, report: ProgressReport) -> list[dict[str, Any]]:
    measures = cfg.bulletins.measures
    groups: list[tuple[str, str, str, str]] = []  # (reason, measure key, units, detail)
    shown = display_names(report)
    severe = [ip for ip in report.indicators if not ip.parent and ip.total.status == Status.severe]
    if severe:
        groups.append(
            ("严重滞后", "严重滞后", join(ip.lead for ip in severe), join(shown[ip.indicator_id] for ip in severe))
        )
    if report.named:
        groups.append(("排名靠后", "滞后", "、".join(u.name for u in report.named), ""))
    unit_name = {u.code: u.name for u in cfg.units}
    returns = sorted(report.returns.values(), key=lambda r: [u.code for u in cfg.units].index(r.unit_code)
                     if r.unit_code in unit_name else 0)  # fmt: skip
    missing = [unit_name.get(r.unit_code, r.unit_code) for r in returns if r.status == ReturnStatus.missing]
    rejected = [
        unit_name.get(r.unit_code, r.unit_code) + "（报表被退回，未重新报送）"
        for r in returns
        if r.status == ReturnStatus.rejected
    ]
    if missing or rejected:
        groups.append(("未报送", "未报送", "、".join(missing + rejected), ""))
    late = [
        f"{unit_name.get(r.unit_code, r.unit_code)}（逾期{_late_days(b, unit_name, r)}天）"
        for r in returns
        if r.status == ReturnStatus.late
    ]
    if late:
        groups.append(("逾期报送", "逾期报送", "、".join(late), ""))
    errors = [
        f"{unit_name.get(r.unit_code, r.unit_code)}（{_errors(b, unit_name, r)}处错误经告知后仍未更正）"
        for r in returns
        if r.errors and r.status in (ReturnStatus.on_time, ReturnStatus.late)
    ]
    if errors:
        groups.append(("报错未改", "报错未改", "、".join(errors), ""))
    out = []
    for reason, key, units, detail in groups:
        measure = measures.get(key)
        if not measure:
            continue
        out.append({"seq": len(out) + 1, "reason": reason, "measure": measure, "units": units, "detail": detail})
    return out


def _late_days(b: Basis, names: dict[str, str], r) -> str:
    how = f"收到日期{r.received} − 截止日期{r.deadline}（{r.file}）"
    return b.count(r.late_days, item=names.get(r.unit_code, r.unit_code), what="逾期天数", how=how)


def _errors(b: Basis, names: dict[str, str], r) -> str:
    how = f"校验报告中该单位本期报表未更正的错误（{r.file}）"
    return b.count(r.errors, item=names.get(r.unit_code, r.unit_code), what="未更正的错误处数", how=how)


def notice_context(
    cfg: Config,
    report: ProgressReport,
    numbering: Numbering,
    *,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
    basis: Basis | None = None,
) -> dict[str, Any]:
    """Everything templates/月通报.docx may name (docs/bulletins.md). Pure: no files, no clock
    unless `issued` is left out (then today is the 成文日期). Every figure goes through `basis`
    (a plain one when none is given), which the 数据依据 is written from."""
    b = basis if basis is not None else Basis()
    period = parse_period(report.period)
    as_of = dt.date.fromisoformat(report.as_of)
    issued = issued or dt.date.today()
    office = cfg.office
    spec = cfg.reporting.document("month")
    preprinted = cfg.bulletins.letterhead == "preprinted"
    mark = cfg.bulletins.issuer_mark or office.name + "文件"
    lagging = _lagging(b, cfg, report)
    previous_info, followup = _followup(b, cfg, report, previous)
    table, table_notes = annex_table(b, cfg, report)
    behind = sum(len(p["indicators"]) for p in lagging)
    severe = sum(1 for p in lagging for i in p["indicators"] if i["severe"])
    office_facts = office_context(cfg, issued)
    return {
        "office": {
            **{k: office_facts[k] for k in ("name", "short_name", "scope", "printer", "seal_unit")},
            "mark": "" if preprinted else mark,
        },
        "doc": {
            "name": spec.name if spec else "月通报",
            "number": numbering.doc_number or "",
            "issue": numbering.issue,
            "seq": numbering.seq,
            "date": cn_date(issued),
            "print_date": cn_date(issued),
            "recipients": office_facts["recipients"],
            "cc": office_facts["cc"],
            "preprinted": preprinted,
        },
        "source": source_context(cfg),
        "period": {
            "code": period.code,
            "label": period.label,
            "year": period.year,
            "month": period.month,
            "as_of": cn_date(as_of),
        },
        "previous": previous_info,
        "schedule": year_schedule(b, report),
        "overall": tally_context(b, report, report.overall),
        "investment": investment(b, report),
        "ranking": ranking(b, cfg, report),
        "lagging": lagging,
        "lagging_count": b.count(behind, item="低于序时进度", what="滞后指标项数", how="状态为滞后或严重滞后的指标数"),
        "severe_count": b.count(severe, item="严重滞后", what="严重滞后指标项数", how="状态为严重滞后的指标数"),
        "followup": followup,
        "followup_count": b.count(
            len(followup),
            item="通报的滞后指标",
            what="上期通报的滞后指标项数",
            how="上期月通报中滞后或严重滞后的指标数",
        ),
        "praise": _praise(b, cfg, report),
        "criticism": _criticism(b, cfg, report),
        "requirements": [{"seq": cn_number(i), "text": t} for i, t in enumerate(cfg.bulletins.requirements, 1)],
        "table": table,
        "table_note": "".join(table_notes),
    }


def notice_template(cfg: Config, templates: Path = TEMPLATES) -> Path:
    """templates/<document name>.docx, or 月通报.docx when the office renamed the document."""
    spec = cfg.reporting.document("month")
    own = templates / f"{safe_filename(spec.name)}.docx" if spec else None
    return own if own is not None and own.exists() else templates / "月通报.docx"


def assign_number(cfg: Config, report: ProgressReport, ledger: Ledger) -> Numbering:
    """The period's 期数 (and 文号): kept in the ledger, reused on re-rendering, restarting each year."""
    year = parse_period(report.period).year
    seq = ledger.document_number(NUMBER_KIND, year, report.period, lambda existing: choose(existing, report.period))
    return numbering_for(cfg, year, seq)


def render_notice(
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
    """Write outputs/<period>/<document name>.docx (e.g. outputs/2023-05/月通报.docx) and return its path.

    `out_dir` is the outputs folder; the number comes from `numbering`, else from `ledger`, else
    from the ledger in `out_dir`. PDF: pass the returned path(s) to `pipeline.documents.pdf.to_pdf`."""
    spec = cfg.reporting.document("month")
    if spec is None:
        raise UserError("配置中没有按月印发的文件（reporting.documents 中缺少 period: month 的一项），无法生成月通报。")
    if report.period_kind != "month":
        raise UserError(f"月通报只能按月生成，收到的是「{report.period_label}」的进度。")
    if numbering is None:
        if ledger is not None:
            numbering = assign_number(cfg, report, ledger)
        else:
            with Ledger.for_config(cfg, out_dir) as own:
                numbering = assign_number(cfg, report, own)
    basis = new_basis(cfg, spec.name)
    context = notice_context(cfg, report, numbering, previous=previous, issued=issued, basis=basis)
    out = out_dir / report.period / f"{safe_filename(spec.name)}.docx"
    preprinted = cfg.bulletins.letterhead == "preprinted"
    render_docx(
        template or notice_template(cfg), context, out, preprinted=preprinted, basis=basis, names=config_names(cfg)
    )
    write_basis(out, basis)
    return out
