"""Parts of the 季总结's context: the comparison with the previous quarter, 主要做法 from the units'
典型经验, 存在问题 from their 存在问题, the tasks due next quarter and the 附件 table.

Pure; every figure through the `Basis`, every unit's words through `Basis.quote`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..analytics.report import LAGGING, IndicatorProgress, ProgressReport, Status
from ..config import Config, Kind
from ..model import ReturnStatus
from ..numbers import fixed, fmt_number, round_half_up
from ..periods import Period, cn_date
from .basis import Basis
from .common import annex_table, cn_number, display_names, gap_behind, is_level, join, short_name
from .render import clean_text

Lead = Callable[[Config, IndicatorProgress], str]

PRACTICES_MAX = 6  # 主要做法 printed; more are in the units' files
PRACTICE_CHARS = 160  # a 典型经验's text is cut at a sentence end within this many characters
PROBLEMS_MAX = 6  # groups of units' 存在问题 printed
PROBLEM_CHARS = 80
INCREMENTS_MAX = 5  # 本季度新增较多的指标
DONE_STATES = (Status.done, Status.ahead, Status.on_track)
_PUNCT = re.compile(r"[\s\u3000，。、；：！？,.;:!?“”\"'‘’（）()【】《》<>—…-]")


def excerpt(text: str, limit: int) -> str:
    """A unit's text cut to fit: whole sentences within `limit` characters, else cut with 「……」."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("。"), cut.rfind("；"), cut.rfind("！"))
    if end >= limit // 2:
        return cut[: end + 1]
    return cut.rstrip("，、；：,;: ") + "……"


def _key(text: str) -> str:
    """Two units' write-ups are the same when they differ only in spaces and punctuation."""
    return _PUNCT.sub("", text)


def _seq(i: int) -> str:
    return f"{cn_number(i)}是"


# -- 与上季度相比 -------------------------------------------------------------------------------
def _count_change(b: Basis, what: str, before: int, after: int) -> str:
    item = "与上季度相比"
    a = b.count(after, item=item, what=f"本季度末{what}项数", how=f"本季度末状态为{what}的指标数")
    z = b.count(before, item=item, what=f"上季度末{what}项数", how=f"上季度末状态为{what}的指标数")
    if after == before:
        return f"与上季度持平（均为{a}项）"
    word, verb = ("增加", "增至") if after > before else ("减少", "减至")
    diff = b.count(abs(after - before), item=item, what=f"{what}项数的变化", how=f"{after} − {before}")
    return f"{word}{diff}项（由{z}项{verb}{a}项）"


def _completion_change(b: Basis, report: ProgressReport, previous: ProgressReport) -> str:
    d, now, before = report.decimals, report.overall, previous.overall
    if now.completion_pct is None or before.completion_pct is None:
        return "暂无可比数据"
    item = "与上季度相比"
    how = "有完成率的指标（其中项、目标待定除外）完成率的平均，单项超过100%的按100%计"
    a = b.add(fixed(now.completion_pct, d) + "%", item=item, what="本季度末整体完成率", value=now.completion, how=how)
    z = b.add(
        fixed(before.completion_pct, d) + "%", item=item, what="上季度末整体完成率", value=before.completion, how=how
    )
    diff = round_half_up(now.completion_pct - before.completion_pct, d)
    if diff == 0:
        return f"与上季度持平（均为{a}）"
    shown = b.add(
        fixed(abs(diff), d), item=item, what="整体完成率的变化（百分点）", value=diff,
        how=f"{fixed(now.completion_pct, d)} − {fixed(before.completion_pct, d)}",
    )  # fmt: skip
    word = "提高" if diff > 0 else "下降"
    return f"{word}{shown}个百分点（由{z}{'提高' if diff > 0 else '降'}到{a}）"


def comparison(
    b: Basis, cfg: Config, report: ProgressReport, previous: ProgressReport | None, seq: int
) -> dict[str, Any] | None:
    """How the quarter moved against the previous one: counts, completion, changes, increments."""
    if previous is None:
        return None
    shown = display_names(report)
    before = {ip.indicator_id: ip.total.status for ip in previous.indicators if not ip.parent}
    now = [ip for ip in report.indicators if not ip.parent and ip.indicator_id in before]
    n_done = (previous.overall.counts.get(Status.done, 0), report.overall.counts.get(Status.done, 0))
    n_behind = tuple(sum(t.counts.get(s, 0) for s in LAGGING) for t in (previous.overall, report.overall))

    def names(test) -> str:
        return "、".join(shown[ip.indicator_id] for ip in now if test(before[ip.indicator_id], ip.total.status))

    return {
        "seq": cn_number(seq),
        "done": _count_change(b, "已完成", *n_done),
        "behind": _count_change(b, "滞后（含严重滞后）", *n_behind),
        "completion": _completion_change(b, report, previous),
        "newly_done": names(lambda was, st: st == Status.done and was != Status.done),
        "recovered": names(lambda was, st: was in LAGGING and st in DONE_STATES and st != Status.done),
        "newly_lagging": names(lambda was, st: st in LAGGING and was not in LAGGING),
        "increments": _increments(b, cfg, report),
    }


def _increments(b: Basis, cfg: Config, report: ProgressReport) -> list[dict[str, str]]:
    """The indicators that moved most this quarter, by the share of the year's target added."""
    shown = display_names(report)
    moved = []
    for ip in report.indicators:
        line = ip.total
        if ip.parent or is_level(cfg, ip) or ip.kind not in (Kind.count, Kind.investment, Kind.share):
            continue
        if line.increment is None or line.increment <= 0 or not line.target or line.rate_pct is None:
            continue
        moved.append((line.increment / line.target, ip))
    moved.sort(key=lambda t: -t[0])
    out = []
    for _, ip in moved[:INCREMENTS_MAX]:
        lf = b.line(report, ip, ip.total)
        out.append(
            {
                "name": shown[ip.indicator_id],
                "increment": lf.increment(with_measure=True),
                "value": lf.value(with_measure=True),
                "rate": lf.rate(),
            }
        )
    return out


# -- 主要做法 -----------------------------------------------------------------------------------
def practices(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    """The units' 典型经验: one item per write-up, duplicates across units merged (units listed),
    those most units sent first, each title and text quoted and cut to fit."""
    order = {u.code: i for i, u in enumerate(cfg.units)}
    groups: dict[str, dict[str, Any]] = {}
    sent = 0
    for e in report.experiences:
        title, text = clean_text(e.title, 60), clean_text(e.text)
        if not title and not text:
            continue
        sent += 1
        if not title:  # no title: the first sentence stands for it
            first, _, rest = text.partition("。")
            title, text = excerpt(first, 40), rest
        g = groups.setdefault(_key(title), {"title": title, "text": text, "units": [], "sources": []})
        if e.unit_code not in g["units"]:
            g["units"].append(e.unit_code)
        g["sources"].append(e.source)
    ranked = sorted(groups.values(), key=lambda g: (-len(g["units"]), min(order.get(u, 99) for u in g["units"])))
    out = []
    for i, g in enumerate(ranked[:PRACTICES_MAX], 1):
        units = sorted(g["units"], key=lambda u: order.get(u, 99))
        names = join(short_name(cfg, u) for u in units)
        first, more = g["sources"][0], tuple(g["sources"][1:])
        title = re.sub(r"[ \u3000]+", "，", g["title"]).rstrip("。！!.，, ")
        text = excerpt(g["text"], PRACTICE_CHARS).rstrip("。；;，, ")
        item = f"典型经验（{names}）"
        out.append(
            {
                "seq": _seq(i),
                "title": b.quote(title, item=item, source=first, also=more),
                "text": b.quote(text, item=item, source=first, also=more),
                "units": names,
                "unit_count": len(units),
            }
        )
    how = "本季度各单位报表「典型经验材料」表中有内容的篇数"
    count = b.count(sent, item="典型经验", what="典型经验材料篇数", how=how)
    return {"practices": out, "practices_count": count}


# -- 存在问题 -----------------------------------------------------------------------------------
def problems(b: Basis, cfg: Config, report: ProgressReport, lead_of: Lead) -> dict[str, Any]:
    """Named and specific: the indicators behind, the difficulties units reported (by whom, on
    what), and the returns missing, late or left wrong; each present part gets 一是/二是/三是."""
    parts: dict[str, Any] = {"behind": _behind(b, cfg, report, lead_of), "reported": _reported(b, cfg, report),
                             "returns": _returns(b, cfg, report)}  # fmt: skip
    n = 0
    for key in ("behind", "reported", "returns"):
        if parts[key]:
            n += 1
            parts[key]["seq"] = _seq(n)
    return parts


def _behind(b: Basis, cfg: Config, report: ProgressReport, lead_of: Lead) -> dict[str, Any] | None:
    shown = display_names(report)
    items = sorted(
        (ip for ip in report.indicators if not ip.parent and ip.status in LAGGING), key=lambda i: i.total.gap_pp or 0
    )
    if not items:
        return None
    texts = []
    for ip in items:
        gap, ref = gap_behind(b, report, ip, ip.total)
        detail = f"低于{ref}{gap}个百分点" if gap else f"处于“{ip.total.stage}”阶段" if ip.total.stage else "滞后"
        texts.append(f"{shown[ip.indicator_id]}（{lead_of(cfg, ip)}，{detail}）")
    severe = sum(1 for ip in items if ip.status == Status.severe)
    return {
        "count": b.count(len(items), item="低于序时进度", what="滞后指标项数", how="状态为滞后或严重滞后的指标数"),
        "severe": b.count(severe, item="严重滞后", what="严重滞后指标项数", how="状态为严重滞后的指标数")
        if severe
        else "",
        "names": "、".join(texts),
    }


def _reported(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any] | None:
    shown = display_names(report)
    known = {ip.indicator_id for ip in report.indicators}
    order = {u.code: i for i, u in enumerate(cfg.units)}
    groups: dict[str, dict[str, Any]] = {}
    for n in report.narratives:
        ind = n.row_key.split("@")[0]
        text = excerpt(clean_text(n.text), PROBLEM_CHARS).rstrip("。；;，, ")
        if n.field != "problems" or not text or ind not in known:
            continue
        g = groups.setdefault(_key(text), {"text": text, "rows": [], "sources": []})
        g["rows"].append((n.unit_code, shown[ind]))
        g["sources"].append(n.source)
    if not groups:
        return None
    ranked = sorted(groups.values(), key=lambda g: -len(g["rows"]))[:PROBLEMS_MAX]
    items = []
    for g in ranked:
        by_unit: dict[str, list[str]] = {}
        for unit, name in sorted(g["rows"], key=lambda r: order.get(r[0], 99)):
            by_unit.setdefault(unit, []).append(name)
        where = "；".join(f"{short_name(cfg, u)}：{join(names)}" for u, names in by_unit.items())
        first, more = g["sources"][0], tuple(g["sources"][1:])
        items.append({"text": b.quote(g["text"], item="存在问题", source=first, also=more), "where": where})
    return {"groups": items}


def _returns(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any] | None:
    order = {u.code: i for i, u in enumerate(cfg.units)}
    rets = sorted(report.returns.values(), key=lambda r: order.get(r.unit_code, 99))

    def name(r) -> str:
        return short_name(cfg, r.unit_code)

    parts = [f"{name(r)}未报送进展情况" for r in rets if r.status == ReturnStatus.missing]
    parts += [f"{name(r)}的报表被退回后未重新报送" for r in rets if r.status == ReturnStatus.rejected]
    for r in rets:
        if r.status == ReturnStatus.late:
            how = f"收到日期{r.received} − 截止日期{r.deadline}（{r.file}）"
            parts.append(f"{name(r)}逾期{b.count(r.late_days, item=name(r), what='逾期天数', how=how)}天报送")
    for r in rets:
        if r.errors and r.status in (ReturnStatus.on_time, ReturnStatus.late):
            how = f"校验报告中该单位本期报表未更正的错误（{r.file}）"
            n = b.count(r.errors, item=name(r), what="未更正的错误处数", how=how)
            parts.append(f"{name(r)}报表中有{n}处错误经告知后仍未更正")
    return {"text": "；".join(parts)} if parts else None


# -- 下季度到期的任务 ---------------------------------------------------------------------------
def due_next(b: Basis, cfg: Config, report: ProgressReport, period: Period) -> tuple[list[dict[str, str]], str]:
    """Indicators with a deadline or a 节点目标 in the next quarter (not yet done), and in the
    third quarter's 总结 the count of the others that fall due at the year's end."""
    nxt = period.next()
    if nxt.year != period.year:
        return [], ""
    shown = display_names(report)
    by_id = {ip.indicator_id: ip for ip in report.indicators}
    items, listed = [], set()
    for _, ind in cfg.indicators():
        ip = by_id.get(ind.id)
        if ip is None or ind.parent or ip.status in (Status.done, Status.pending):
            continue
        points = []
        if ind.deadline and nxt.start <= ind.deadline <= nxt.end:
            points.append((ind.deadline, None))
        points += [(pt.by, pt) for pt in ind.plan if nxt.start <= pt.by <= nxt.end]
        if not points:
            continue
        when, pt = min(points, key=lambda t: t[0])
        lf = b.line(report, ip, ip.total)
        if pt is not None and pt.stage:
            what = f"达到“{pt.stage}”阶段"
        elif pt is not None and pt.value is not None:
            value = b.add(fmt_number(pt.value) + ind.unit, item=ip.name, what="节点目标", value=pt.value,
                          how=f"配置的节点目标：{cn_date(pt.by)}前累计完成")  # fmt: skip
            what = f"累计完成{value}"
        elif ind.kind == Kind.milestone:
            what = f"达到“{ind.target_stage}”"
        else:
            what = f"完成目标任务{lf.target(with_measure=True)}"
        items.append(
            {
                "name": shown[ind.id],
                "lead": join(short_name(cfg, c) for c in ip.lead_codes) or ip.lead,
                "date": cn_date(when),
                "what": what,
                "now": _now(b, report, ip),
            }
        )
        listed.add(ind.id)
    rest = ""
    if nxt.quarter == 4:
        open_rest = [
            ip for ip in report.indicators
            if not ip.parent and ip.indicator_id not in listed and ip.status not in (Status.done, Status.pending)
        ]  # fmt: skip
        if open_rest:
            rest = b.count(len(open_rest), item="全年", what="尚未完成的其余指标项数",
                           how="状态不是已完成、目标待定，且未在上文列出的指标数")  # fmt: skip
    return items, rest


def _now(b: Basis, report: ProgressReport, ip: IndicatorProgress) -> str:
    line = ip.total
    if ip.kind == Kind.milestone:
        return f"目前处于“{line.stage}”阶段" if line.stage else "目前尚无进度"
    if line.value is None:
        return f"目前{line.status.value}"
    lf = b.line(report, ip, line)
    text = f"目前累计完成{lf.value(with_measure=True)}"
    return text + (f"，完成率{lf.rate()}" if line.rate_pct is not None else "")


# -- 附件 table ---------------------------------------------------------------------------------
def table(b: Basis, cfg: Config, report: ProgressReport) -> tuple[list[dict[str, Any]], list[str]]:
    """附件: the 月通报's table with last quarter's cumulative and this quarter's increment."""

    def quarter_columns(lf) -> dict[str, str]:
        line = lf.line
        previous = "—"
        if line.previous is not None:
            previous = b.add(fmt_number(line.previous), item=lf.item, what="上季度末累计", value=line.previous,
                             how="上季度末的累计完成（或当时的水平）", key=line.key)  # fmt: skip
        return {"previous": previous, "increment": lf.increment()}

    return annex_table(b, cfg, report, quarter_columns)
