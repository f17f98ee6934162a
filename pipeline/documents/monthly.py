"""The 月通报: its context (pure, from the config and the ProgressReport) and its rendering.

The wording is the template's (templates/月通报.docx); this module supplies the facts, every
number already printed the Chinese way (pipeline.numbers). docs/bulletins.md documents each
context variable. Entry point: `render_notice`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..analytics.report import LAGGING, IndicatorProgress, Line, ProgressReport, Status
from ..config import Config, Kind
from ..errors import UserError
from ..ledger import Ledger
from ..model import ReturnStatus
from ..numbers import fixed, fmt_number, fmt_pct, fmt_pp, pct
from ..periods import cn_date, parse_period
from .numbering import Numbering, choose, numbering_for
from .render import LONG_TEXT, clean_text, render_docx

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
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (as headings and ranks are written)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def shares(counts: list[int], decimals: int) -> list[float]:
    """Percent shares of the counts that add up to exactly 100 at the printed precision.

    Largest remainder: each share is rounded down, and the units left go to the largest
    remainders (earlier categories first on ties), so a reader's sum of the printed shares is 100."""
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    unit = Decimal(1).scaleb(-decimals)
    exact = [Decimal(c) * 100 / Decimal(total) for c in counts]
    floors = [(e / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for e in exact]
    left = int(((Decimal(100) - sum(floors)) / unit).to_integral_value())
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += unit
    return [float(f) for f in floors]


def _names(cfg: Config, codes: Iterable[str]) -> list[str]:
    known = {u.code: u.name for u in cfg.units}
    return [known.get(c, c) for c in codes]


def short_name(cfg: Config, code: str) -> str:
    """The shortest way the documents write a unit (市人社局), for table cells."""
    try:
        unit = cfg.unit(code)
    except KeyError:
        return code
    return min([unit.name, *unit.aliases], key=len)


def _join(items: Iterable[str], sep: str = "、") -> str:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return sep.join(seen)


def _quantity(x: float | None, measure: str, scale_by: float | None = None) -> str:
    """A figure with its unit as text writes it: 4980人, 47.7万, 1.39亿元 (万元 from 10000 on, or
    when `scale_by`, the figure it is compared with, is that large: 0.56亿元 beside 1.39亿元)."""
    if x is None:
        return "—"
    if measure == "万元" and abs(scale_by if scale_by is not None else x) >= 10000:
        return fixed(x / 10000, 2) + "亿元"
    return fmt_number(x) + measure


def _target_text(line: Line, measure: str) -> str:
    text = line.target_text or (fmt_number(line.target) if line.target is not None else "")
    bare = text.removeprefix("暂定")
    try:
        float(bare)
    except ValueError:
        return text
    return text + measure


def _is_level(cfg: Config, ip: IndicatorProgress) -> bool:
    try:
        return cfg.indicator(ip.indicator_id)[1].is_level
    except KeyError:
        return ip.kind in (Kind.rate, Kind.standard)


def figures(cfg: Config, ip: IndicatorProgress, line: Line, decimals: int) -> str:
    """The facts of one line in the usual order: 目标…，累计完成…，完成率…（no gap: the template adds it）."""
    target = _target_text(line, ip.measure)
    if ip.kind == Kind.milestone:
        return f"目标{target}，目前处于“{line.stage}”阶段" if line.stage else f"目标{target}，尚无进度"
    if line.value is None:
        return f"目标{target}，{line.status.value}"
    if _is_level(cfg, ip):
        return f"目标{target}，当前为{_quantity(line.value, ip.measure)}"
    text = f"目标{target}，累计完成{_quantity(line.value, ip.measure)}"
    if line.rate_pct is not None:
        text += f"，完成率{fmt_pct(line.rate_pct, decimals)}"
    if line.note:
        text += f"（{line.note}）"
    return text


def _gap(ip: IndicatorProgress, line: Line, decimals: int) -> tuple[str, str]:
    """(gap in 百分点 as printed, what it is measured against) for a line behind; ("", "") otherwise."""
    if line.gap_pp is None or line.gap_pp >= 0:
        return "", ""
    ref = "目标" if ip.kind == Kind.rate else "序时进度"
    return fmt_pp(line.gap_pp, decimals), ref


def display_names(report: ProgressReport) -> dict[str, str]:
    """Indicator id → its name, with the category added where two indicators share a name
    (困难残疾人家庭无障碍改造 is both a 省级 and a 市级 实事: 省级重点民生实事“…”)."""
    count: dict[str, int] = {}
    for ip in report.indicators:
        count[ip.name] = count.get(ip.name, 0) + 1
    return {
        ip.indicator_id: ip.name if count[ip.name] == 1 else f"{ip.category}“{ip.name}”" for ip in report.indicators
    }


def _reason(report: ProgressReport, key: str) -> str:
    texts = [n.text for n in report.narratives if n.row_key == key and n.field == "problems" and n.text.strip()]
    return clean_text(texts[-1], LONG_TEXT).rstrip("。；;，,.！!　 ") if texts else ""


def _signed(gap: float | None, decimals: int) -> str:
    if gap is None:
        return "—"
    text = fmt_pp(gap, decimals)
    return ("+" if gap > 0 else "-" if gap < 0 else "") + text if float(text) != 0 else text


def _value_cell(ip: IndicatorProgress, line: Line) -> str:
    if line.value is not None:
        text = fmt_number(line.value)
    elif line.stage:
        text = line.stage
    elif line.status == Status.pending:
        text = "—"
    else:
        text = line.status.value
    if line.stale and line.note:
        text += f"（{line.note}）"
    return text


def _table(cfg: Config, report: ProgressReport) -> tuple[list[dict[str, Any]], list[str]]:
    d = report.decimals
    categories: list[dict[str, Any]] = []
    notes: list[str] = []
    number = 0
    for ip in sorted(report.indicators, key=lambda i: (i.category_order, i.project_number)):
        if not categories or categories[-1]["name"] != ip.category:
            categories.append({"name": ip.category, "projects": []})
        projects = categories[-1]["projects"]
        if not projects or projects[-1]["id"] != ip.project_id:
            projects.append({"id": ip.project_id, "number": ip.project_number, "title": ip.project_title, "rows": []})
        lead = _join(short_name(cfg, c) for c in ip.lead_codes) or ip.lead
        for line in (ip.total, *ip.areas):
            is_total = line is ip.total
            if is_total:
                number += 1
            name = ip.name if is_total else f"—{line.label}"
            if is_total and ip.parent:
                name = "其中：" + ip.name
            projects[-1]["rows"].append(
                {
                    "no": str(number) if is_total else "",
                    "name": name,
                    "measure": ip.measure,
                    "target": line.target_text or "—",
                    "value": _value_cell(ip, line),
                    "rate": fmt_pct(line.rate_pct, d),
                    "schedule": fmt_pct(line.schedule_pct, d),
                    "gap": _signed(line.gap_pp, d),
                    "status": line.status.value,
                    "lead": lead if is_total else "",
                    "key": line.key,
                }
            )
            if line.provisional and "provisional" not in notes:
                notes.append("provisional")
            if line.stale and "stale" not in notes:
                notes.append("stale")
    texts = {
        "provisional": "目标任务前注“暂定”的，以上级最终下达数为准。",
        "stale": "累计完成后括注时间的，为该单位本期未报送、沿用最近一期的数据。",
    }
    return categories, [texts[n] for n in notes]


def _lagging(cfg: Config, report: ProgressReport) -> list[dict[str, Any]]:
    d = report.decimals
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
        gap, ref = _gap(ip, line, d)
        g["leads"].append(ip.lead)
        g["indicators"].append(
            {
                "name": ip.name,
                "lead": ip.lead,
                "figures": figures(cfg, ip, line, d),
                "gap": gap,
                "gap_ref": ref,
                "severe": line.status == Status.severe,
                "status": line.status.value,
                "reason": _reason(report, line.key),
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
                "lead": _join(g["leads"]),
                "indicators": g["indicators"],
                "units": _join([*g["areas"], *_names(cfg, g["unit_codes"])]),
            }
        )
    return out


def _followup(
    cfg: Config, report: ProgressReport, previous: ProgressReport | None
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
    d = report.decimals
    shown = display_names(report)
    items = []
    for key in flagged:
        ip = current.get(key)
        if ip is None:
            continue
        line = ip.total
        if line.status in LAGGING:
            gap, ref = _gap(ip, line, d)
            word = "仍严重滞后" if line.status == Status.severe else "仍滞后"
            outcome = f"{word}，低于{ref}{gap}个百分点" if gap else word
        else:
            outcome = OUTCOMES.get(line.status, line.status.value)
        items.append(
            {
                "name": shown[ip.indicator_id],
                "lead": ip.lead,
                "figures": figures(cfg, ip, line, d),
                "status": line.status.value,
                "recovered": line.status not in LAGGING,
                "outcome": outcome,
                "key": key,
            }
        )
    return info, items


def _ranking(cfg: Config, report: ProgressReport) -> dict[str, Any]:
    d = report.decimals
    groups: list[dict[str, Any]] = []
    for u in report.units:
        if u.rank is None:
            continue
        if groups and groups[-1]["rank"] == u.rank:
            groups[-1]["names"].append(u.name)
            continue
        groups.append({"rank": u.rank, "rank_cn": cn_number(u.rank), "names": [u.name],
                       "score": fixed(u.score, d) if u.score is not None else "—"})  # fmt: skip
    for g in groups:
        g["units"] = "、".join(g.pop("names"))
    reporting = {c for ip in report.indicators for c in ip.reporters} | {
        c for ip in report.indicators for c in ip.lead_codes
    }
    unranked = [u.name for u in report.units if u.rank is None and u.code in reporting]
    return {"groups": groups, "unranked": "、".join(unranked)}


def _praise(cfg: Config, report: ProgressReport) -> dict[str, Any]:
    shown = display_names(report)
    done = [shown[ip.indicator_id] for ip in report.indicators if not ip.parent and ip.total.status == Status.done]
    return {
        "units": "、".join(u.name for u in report.praised),
        "top": cfg.bulletins.praise_top,
        "done": "、".join(done),
        "done_count": len(done),
    }


def _criticism(cfg: Config, report: ProgressReport) -> list[dict[str, Any]]:
    measures = cfg.bulletins.measures
    groups: list[tuple[str, str, str, str]] = []  # (reason, measure key, units, detail)
    shown = display_names(report)
    severe = [ip for ip in report.indicators if not ip.parent and ip.total.status == Status.severe]
    if severe:
        groups.append(
            ("严重滞后", "严重滞后", _join(ip.lead for ip in severe), _join(shown[ip.indicator_id] for ip in severe))
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
        f"{unit_name.get(r.unit_code, r.unit_code)}（逾期{r.late_days}天）"
        for r in returns
        if r.status == ReturnStatus.late
    ]
    if late:
        groups.append(("逾期报送", "逾期报送", "、".join(late), ""))
    errors = [
        f"{unit_name.get(r.unit_code, r.unit_code)}（{r.errors}处错误经告知后仍未更正）"
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


def _investment(report: ProgressReport) -> dict[str, Any] | None:
    items = [ip for ip in report.indicators if ip.kind == Kind.investment and not ip.parent]
    if not items or any(ip.measure != items[0].measure for ip in items):
        return None
    if any(ip.total.target is None or ip.total.value is None for ip in items):
        return None
    plan = sum(ip.total.target for ip in items)
    done = sum(ip.total.value for ip in items)
    measure = items[0].measure
    return {
        "count": len(items),
        "plan": _quantity(plan, measure),
        "done": _quantity(done, measure, scale_by=plan),
        "rate": fmt_pct(pct(done / plan, report.decimals), report.decimals) if plan else "—",
    }


def notice_context(
    cfg: Config,
    report: ProgressReport,
    numbering: Numbering,
    *,
    previous: ProgressReport | None = None,
    issued: dt.date | None = None,
) -> dict[str, Any]:
    """Everything templates/月通报.docx may name (docs/bulletins.md). Pure: no files, no clock
    unless `issued` is left out (then today is the 成文日期)."""
    d = report.decimals
    period = parse_period(report.period)
    as_of = dt.date.fromisoformat(report.as_of)
    issued = issued or dt.date.today()
    office = cfg.office
    spec = cfg.reporting.document("month")
    preprinted = cfg.bulletins.letterhead == "preprinted"
    mark = cfg.bulletins.issuer_mark or office.name + "文件"

    tally = report.overall
    present = [s for s in Status if tally.counts.get(s, 0)]
    share_values = shares([tally.counts[s] for s in present], d)
    statuses = [
        {"name": s.value, "code": s.name, "count": tally.counts[s], "share": fixed(v, d) + "%"}
        for s, v in zip(present, share_values, strict=True)
    ]
    by_status = {s.name: {"name": s.value, "count": 0, "share": fixed(0, d) + "%"} for s in Status}
    by_status.update({s["code"]: s for s in statuses})

    lagging = _lagging(cfg, report)
    previous_info, followup = _followup(cfg, report, previous)
    table, table_notes = _table(cfg, report)
    source = cfg.source
    cited = ""
    if source is not None:
        cited = f"《{source.title}》" + (f"（{source.number}）" if source.number else "")

    return {
        "office": {
            "name": office.name,
            "short_name": office.short_name or office.name,
            "mark": "" if preprinted else mark,
            "printer": office.name,
            "seal_unit": office.seal_unit or "",
        },
        "doc": {
            "name": spec.name if spec else "月通报",
            "number": numbering.doc_number or "",
            "issue": numbering.issue,
            "seq": numbering.seq,
            "date": cn_date(issued),
            "print_date": cn_date(issued),
            "recipients": "、".join(office.recipients) or "各有关单位",
            "cc": "，".join(office.cc),
            "preprinted": preprinted,
        },
        "source": {
            "title": source.title if source else "",
            "number": (source.number or "") if source else "",
            "issuer": (source.issuer or "") if source else "",
            "cited": cited,
        },
        "period": {
            "code": period.code,
            "label": period.label,
            "year": period.year,
            "month": period.month,
            "as_of": cn_date(as_of),
        },
        "previous": previous_info,
        "schedule": fmt_pct(report.schedule_pct, d),
        "overall": {
            "projects": tally.projects,
            "indicators": tally.indicators,
            "completion": fmt_pct(tally.completion_pct, d),
            "statuses": statuses,
            "by_status": by_status,
        },
        "investment": _investment(report),
        "ranking": _ranking(cfg, report),
        "lagging": lagging,
        "lagging_count": sum(len(p["indicators"]) for p in lagging),
        "severe_count": sum(1 for p in lagging for i in p["indicators"] if i["severe"]),
        "followup": followup,
        "praise": _praise(cfg, report),
        "criticism": _criticism(cfg, report),
        "requirements": [{"seq": cn_number(i), "text": t} for i, t in enumerate(cfg.bulletins.requirements, 1)],
        "table": table,
        "table_note": "".join(table_notes),
    }


def notice_template(cfg: Config, templates: Path = TEMPLATES) -> Path:
    """templates/<document name>.docx, or 月通报.docx when the office renamed the document."""
    spec = cfg.reporting.document("month")
    own = templates / f"{spec.name}.docx" if spec else None
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
    context = notice_context(cfg, report, numbering, previous=previous, issued=issued)
    out = out_dir / report.period / f"{spec.name}.docx"
    return render_docx(
        template or notice_template(cfg), context, out, preprinted=cfg.bulletins.letterhead == "preprinted"
    )
