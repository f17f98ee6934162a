"""What the three documents (旬简报, 月通报, 季总结) print alike, every figure through a `Basis`.

Pure: config and ProgressReport in, texts and dicts out. The office's parts (版头 facts, the
分解方案 cited), the overall tally, a line's facts in the usual order, the ranking, investment,
returns not received, and the units' words, each figure traced (pipeline.documents.basis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from ..analytics.report import IndicatorProgress, Line, ProgressReport, Status, Tally
from ..config import Config, Kind
from ..model import ReturnStatus
from ..numbers import fixed, fmt_number
from ..periods import parse_period
from .basis import Basis, LineFigures, year_schedule_how
from .render import LONG_TEXT, clean_text


def new_basis(cfg: Config, document: str) -> Basis:
    """A marking basis for rendering one document (its numbers traced into the 数据依据)."""
    return Basis(document=document, marking=True, units={u.code: u.name for u in cfg.units})


def config_names(cfg: Config) -> list[str]:
    """Names from the config whose digits are names, not figures (「5G基站」「60岁以上」)."""
    names = [cfg.office.name, cfg.office.short_name or "", cfg.office.doc_prefix or ""]
    names += [*cfg.office.recipients, *cfg.office.cc, *cfg.office.report_to]
    if cfg.source is not None:
        names += [cfg.source.title, cfg.source.number or "", cfg.source.issuer or ""]
    for u in cfg.units:
        names += [u.name, *u.aliases]
    names += [a.name for a in cfg.areas]
    names += [c.name for c in cfg.categories] + list(cfg.bulletins.category_names.values())
    for p, ind in cfg.indicators():
        names += [p.title, ind.name, ind.target_text or "", ind.unit]
    names += [d.name for d in cfg.reporting.documents]
    names += [*cfg.bulletins.requirements, *cfg.bulletins.measures.values(), cfg.bulletins.brief_title]
    names += [cfg.bulletins.issuer_mark or "", cfg.bulletins.editor or ""]
    # a title quoted inside a quotation gets single marks: 「“启动省定县域普通高中‘徐特立项目’建设”」
    names += [n.replace("“", "‘").replace("”", "’") for n in names if "“" in n]
    return [n for n in names if n]


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
    """Percent shares of the counts that add up to 100 at the printed precision, equal counts equal.

    Largest remainder: each share is rounded down, and the units left go to the largest
    remainders, earlier first on ties; counts that are equal take a unit together or not at all,
    so 1, 1, 1 of 3 print 33.3% each (summing to 99.9) rather than one of them 33.4%."""
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    unit = Decimal(1).scaleb(-decimals)
    exact = [Decimal(c) * 100 / Decimal(total) for c in counts]
    floors = [(e / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for e in exact]
    left = int(((Decimal(100) - sum(floors)) / unit).to_integral_value())
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(counts):
        groups.setdefault(c, []).append(i)
    for members in sorted(groups.values(), key=lambda g: (-(exact[g[0]] - floors[g[0]]), g[0])):
        if 0 < len(members) <= left and exact[members[0]] > floors[members[0]]:
            for i in members:
                floors[i] += unit
            left -= len(members)
    return [float(f) for f in floors]


def unit_names(cfg: Config, codes: Iterable[str]) -> list[str]:
    known = {u.code: u.name for u in cfg.units}
    return [known.get(c, c) for c in codes]


def short_name(cfg: Config, code: str) -> str:
    """A unit as the documents write it in tables and brackets: its shortest local short form
    (市人社局, 县教育局), else its name.

    Only an alias that starts with 市 / 县 / 区 counts: an alias such as 邵阳供电公司 may be how a
    source document spelt it, not how the office names the unit."""
    try:
        unit = cfg.unit(code)
    except KeyError:
        return code
    local = [a for a in unit.aliases if a[:1] in "市县区" and len(a) < len(unit.name)]
    return min(local, key=len) if local else unit.name


def join(items: Iterable[str], sep: str = "、") -> str:
    """Items joined once each, in order, empty ones left out."""
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return sep.join(seen)


def lead_of(cfg: Config, ip: IndicatorProgress) -> str:
    """An indicator's lead unit(s) as the documents write them: 市人社局、市医保局."""
    return join(short_name(cfg, c) for c in ip.lead_codes) or ip.lead


TABLE_NOTES = {
    "provisional": "目标任务前注“暂定”的，以上级最终下达数为准。",
    "stale": "累计完成后括注时间的，为该单位本期未报送、沿用最近一期的数据。",
}


def annex_table(
    b: Basis,
    cfg: Config,
    report: ProgressReport,
    extra: Callable[[LineFigures], dict[str, str]] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The 附件 progress table: category → project → rows (each line of each indicator), and the
    table note's sentences its rows call for. `extra` adds a document's own columns to a row."""
    categories: list[dict[str, Any]] = []
    notes: list[str] = []
    number = 0
    for ip in sorted(report.indicators, key=lambda i: (i.category_order, i.project_number)):
        if not categories or categories[-1]["name"] != ip.category:
            categories.append({"name": ip.category, "projects": []})
        projects = categories[-1]["projects"]
        if not projects or projects[-1]["id"] != ip.project_id:
            projects.append({"id": ip.project_id, "number": ip.project_number, "title": ip.project_title, "rows": []})
        for line in (ip.total, *ip.areas):
            lf = b.line(report, ip, line)
            is_total = line is ip.total
            number += is_total
            name = ip.name if is_total else f"—{line.label}"
            projects[-1]["rows"].append(
                {
                    "no": str(number) if is_total else "",
                    "name": ("其中：" + name) if is_total and ip.parent else name,
                    "measure": ip.measure,
                    "target": lf.target() if line.target_text or line.target is not None else "—",
                    **(extra(lf) if extra else {}),
                    "value": value_cell(lf),
                    "rate": lf.rate(),
                    "schedule": lf.schedule(),
                    "gap": lf.gap(signed=True),
                    "status": line.status.value,
                    "lead": lead_of(cfg, ip) if is_total else "",
                    "key": line.key,
                }
            )
            for flag, on in (("provisional", line.provisional), ("stale", line.stale)):
                if on and flag not in notes:
                    notes.append(flag)
    return categories, [TABLE_NOTES[n] for n in notes]


def is_level(cfg: Config, ip: IndicatorProgress) -> bool:
    try:
        return cfg.indicator(ip.indicator_id)[1].is_level
    except KeyError:
        return ip.kind in (Kind.rate, Kind.standard)


def facts(b: Basis, cfg: Config, report: ProgressReport, ip: IndicatorProgress, line: Line) -> str:
    """A line's facts in the usual order: 目标…，累计完成…，完成率… (the gap is the caller's)."""
    lf = b.line(report, ip, line)
    target = lf.target(with_measure=True)
    if ip.kind == Kind.milestone:
        return f"目标{target}，目前处于“{line.stage}”阶段" if line.stage else f"目标{target}，尚无进度"
    if line.value is None:
        return f"目标{target}，{line.status.value}"
    if is_level(cfg, ip):
        return f"目标{target}，当前为{lf.value(with_measure=True, scale_by=line.target)}"
    # the value is written in the target's unit: 目标2.50亿元，累计完成0.56亿元, never 25000万元 beside 亿元
    text = f"目标{target}，累计完成{lf.value(with_measure=True, scale_by=line.target)}"
    if line.rate_pct is not None:
        text += f"，完成率{lf.rate()}"
    if line.note:
        text += f"（{lf.note()}）"
    return text


def value_cell(lf: LineFigures) -> str:
    """A table's 累计完成 cell: the value, the stage, or why there is none; a value carried forward
    from an earlier return gets its date only (「2511（截至6月中旬）」): the 状态 column says why,
    and the table's note what the date means."""
    line = lf.line
    if line.value is not None:
        text = lf.value()
    elif line.stage:
        text = line.stage
    elif line.status == Status.pending:
        text = "—"
    else:
        text = line.status.value
    if line.stale and line.value_period:
        text += f"（截至{parse_period(line.value_period).short_label}）"
    return text


def gap_behind(b: Basis, report: ProgressReport, ip: IndicatorProgress, line: Line) -> tuple[str, str]:
    """(gap in 百分点 as printed, what it is measured against) for a line behind; ("", "") otherwise."""
    if line.gap_pp is None or line.gap_pp >= 0:
        return "", ""
    ref = "目标" if ip.kind == Kind.rate else "序时进度"
    return b.line(report, ip, line).gap(), ref


def display_names(report: ProgressReport) -> dict[str, str]:
    """Indicator id → its name, with the category added where two indicators share a name
    (困难残疾人家庭无障碍改造 is both a 省级 and a 市级 实事: 省级重点民生实事“…”)."""
    count: dict[str, int] = {}
    for ip in report.indicators:
        count[ip.name] = count.get(ip.name, 0) + 1
    return {
        ip.indicator_id: ip.name if count[ip.name] == 1 else f"{ip.category}“{ip.name}”" for ip in report.indicators
    }


def unit_words(b: Basis, report: ProgressReport, key: str, field: str, item: str, limit: int = LONG_TEXT) -> str:
    """A unit's latest text of `field` (progress / problems / plans) on a row, cleaned, trimmed, traced."""
    found = [n for n in report.narratives if n.row_key == key and n.field == field and n.text.strip()]
    if not found:
        return ""
    text = clean_text(found[-1].text, limit).rstrip("。；;，,.！!　 ")
    return b.quote(text, item=item, source=found[-1].source)


def tally_context(b: Basis, report: ProgressReport, tally: Tally, item: str = "") -> dict[str, Any]:
    """Counts by status with shares that add up to 100, projects, indicators, overall completion."""
    d = report.decimals
    scope = item or "全部指标"
    present = [s for s in Status if tally.counts.get(s, 0)]
    values = shares([tally.counts[s] for s in present], d)
    statuses = []
    for s, v in zip(present, values, strict=True):
        n = tally.counts[s]
        statuses.append(
            {
                "name": s.value,
                "code": s.name,
                "count": b.count(n, item=scope, what=f"{s.value}项数", how=f"状态为「{s.value}」的指标数"),
                "share": b.add(
                    fixed(v, d) + "%",
                    item=scope,
                    what=f"{s.value}占比",
                    value=n / tally.indicators,
                    how=f"{n} ÷ {tally.indicators}（各项占比按最大余数法取整，合计为100%）",
                ),  # fmt: skip
            }
        )
    by_status = {s.name: {"name": s.value, "count": "0", "share": fixed(0, d) + "%"} for s in Status}
    by_status.update({s["code"]: s for s in statuses})
    completion = "—"
    if tally.completion_pct is not None:
        completion = b.add(
            fixed(tally.completion_pct, d) + "%", item=scope, what="整体完成率", value=tally.completion,
            how="有完成率的指标（其中项、目标待定除外）完成率的平均，单项超过100%的按100%计",
        )  # fmt: skip
    return {
        "name": tally.name,
        "projects": b.count(tally.projects, item=scope, what="项目件数", how="配置中的项目数"),
        "indicators": b.count(tally.indicators, item=scope, what="指标项数", how="配置中的指标数（其中项不计）"),
        "completion": completion,
        "statuses": statuses,
        "by_status": by_status,
    }


def year_schedule(b: Basis, report: ProgressReport) -> str:
    return b.add(
        fixed(report.schedule_pct, report.decimals) + "%", item="序时进度", what="全年序时进度",
        value=report.schedule, how=year_schedule_how(report.schedule),
    )  # fmt: skip


def quantity(x: float, measure: str, scale_by: float | None = None) -> str:
    """A figure with its unit as text writes it: 4980人, 47.7万, 1.39亿元 (万元 from 10000 on, or
    when `scale_by`, the figure it is compared with, is that large: 0.56亿元 beside 1.39亿元)."""
    if measure == "万元" and abs(scale_by if scale_by is not None else x) >= 10000:
        return fixed(x / 10000, 2) + "亿元"
    return fmt_number(x) + measure


def investment(b: Basis, report: ProgressReport) -> dict[str, Any] | None:
    """The investment indicators' plan, done and rate together; None when they cannot be added."""
    items = [ip for ip in report.indicators if ip.kind == Kind.investment and not ip.parent]
    if not items or any(ip.measure != items[0].measure for ip in items):
        return None
    if any(ip.total.target is None or ip.total.value is None for ip in items):
        return None
    plan = sum(ip.total.target for ip in items)
    done = sum(ip.total.value for ip in items)
    measure = items[0].measure
    plan_how = " + ".join(fmt_number(ip.total.target) for ip in items)
    done_how = " + ".join(fmt_number(ip.total.value) for ip in items)
    sources = tuple(s for ip in items for s in ip.total.sources)
    d = report.decimals
    rate = "—"
    if plan:
        rate = b.add(
            fixed(done / plan * 100, d) + "%", item="投资", what="投资完成率", value=done / plan,
            how=f"({done_how}) ÷ ({plan_how})", sources=sources,
        )  # fmt: skip
    return {
        "count": b.count(len(items), item="投资", what="投资类指标项数", how="配置中计划投资类的指标数"),
        "plan": b.add(quantity(plan, measure), item="投资", what="计划投资合计", value=plan, how=plan_how),
        "done": b.add(
            quantity(done, measure, scale_by=plan),
            item="投资",
            what="完成投资合计",
            value=done,
            how=done_how,
            sources=sources,
        ),  # fmt: skip
        "rate": rate,
    }


def ranking(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    """Ranked units grouped by rank (equal scores share one), and those with nothing to rank."""
    d = report.decimals
    cap = fmt_number(cfg.ranking.cap * 100)
    rule = "完成率 ÷ 序时进度 × 100" if cfg.ranking.score == "schedule" else "完成率 × 100"
    groups: list[dict[str, Any]] = []
    for u in report.units:
        if u.rank is None:
            continue
        score = b.add(
            fixed(u.score, d), item=u.name, what="排名得分", value=u.score,
            how=f"所负责{u.indicators}项指标得分的平均；每项得分 = {rule}，最高{cap}分",
        )  # fmt: skip
        if groups and groups[-1]["rank"] == u.rank:
            groups[-1]["names"].append(u.name)
            continue
        groups.append({"rank": u.rank, "rank_cn": cn_number(u.rank), "names": [u.name], "score": score})
    for g in groups:
        g["units"] = "、".join(g.pop("names"))
    reporting = {c for ip in report.indicators for c in (*ip.reporters, *ip.lead_codes)}
    unranked = [u.name for u in report.units if u.rank is None and u.code in reporting]
    return {"groups": groups, "unranked": "、".join(unranked)}


def not_received(cfg: Config, report: ProgressReport) -> dict[str, list[str]]:
    """Units whose return for the period is missing or was refused, in the config's order."""
    order = {u.code: i for i, u in enumerate(cfg.units)}
    names = {u.code: u.name for u in cfg.units}
    returns = sorted(report.returns.values(), key=lambda r: order.get(r.unit_code, len(order)))
    return {
        "missing": [names.get(r.unit_code, r.unit_code) for r in returns if r.status == ReturnStatus.missing],
        "rejected": [names.get(r.unit_code, r.unit_code) for r in returns if r.status == ReturnStatus.rejected],
    }


def scope_word(cfg: Config) -> str:
    """全县 / 全市 / 全区: the last of 县 市 区 in the place name that opens the office's name
    (长沙市岳麓区… → 全区; 邵东市打好… → 全市); empty when there is none."""
    name = cfg.office.name
    cut = min([name.find(w) for w in OFFICE_WORDS if w in name] or [len(name)])
    place = name[:cut]
    hits = [i for i, ch in enumerate(place) if ch in "县市区"]
    return "全" + place[max(hits)] if hits else ""


# Where an office's own words begin after its place name.
OFFICE_WORDS = ("人民政府", "打好", "重点", "民生", "实事", "工作", "领导小组", "委员会", "办公室", "专班")


PERIOD_CHARS = {"dekad": "旬", "week": "周", "month": "月", "quarter": "季", "year": "年"}
KIND_VERBS = {"brief": "调度", "notice": "通报", "summary": "总结"}


def mechanism(cfg: Config) -> str:
    """The office's mechanism as documents say it: 旬调度、月通报、季总结, or 月专报、季总结."""
    words = []
    for d in cfg.reporting.documents:
        ch = PERIOD_CHARS[d.period]
        words.append(d.name if d.name.startswith(ch) and d.kind != "brief" else ch + KIND_VERBS[d.kind])
    return "、".join(words)


def office_context(cfg: Config, issued: dt.date) -> dict[str, Any]:
    """The office's facts every document prints (版头, 落款, 版记)."""
    from ..periods import cn_date

    office = cfg.office
    return {
        "name": office.name,
        "short_name": office.short_name or office.name,
        "scope": scope_word(cfg),
        "mechanism": mechanism(cfg),
        "printer": office.name,
        "seal_unit": office.seal_unit or "",
        "editor": cfg.bulletins.editor or office.name,
        "date": cn_date(issued),
        "recipients": "、".join(office.recipients) or "各有关单位",
        "report_to": "、".join(office.report_to),
        "cc": "，".join(office.cc),
    }


def source_context(cfg: Config) -> dict[str, str]:
    source = cfg.source
    if source is None:
        return {"title": "", "number": "", "issuer": "", "cited": ""}
    cited = f"《{source.title}》" + (f"（{source.number}）" if source.number else "")
    return {"title": source.title, "number": source.number or "", "issuer": source.issuer or "", "cited": cited}
