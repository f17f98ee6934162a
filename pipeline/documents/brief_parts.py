"""The 旬简报's sections as context pieces, every figure through the `Basis`. Pure.

本旬新增 ranks units by how far their indicators moved this period (本期新增 ÷ 年度目标, in
百分点, averaged over the unit's indicators); 分项进展 gives lagging and changed items in full and
groups the rest by status, so that every counted indicator is in exactly one place; 工作动态
quotes each unit's most concrete 进展情况; 需关注事项 states what is missing, without judgement.
"""

from __future__ import annotations

import re
from typing import Any

from ..analytics.report import LAGGING, NO_FIGURE, IndicatorProgress, Line, ProgressReport, Status
from ..config import Config
from ..model import ReturnStatus
from ..numbers import fixed, fmt_number
from ..periods import parse_period
from .basis import Basis
from .common import display_names, facts, gap_behind, is_level, join, lead_of, short_name
from .render import clean_text

DYNAMICS_MAX = 3  # units quoted in each column of 工作动态
DYNAMICS_LIMIT = 60  # characters of a unit's text quoted there
# Words that only restate figures (the brief prints those itself): a text made of nothing else is not 动态.
FIGURE_WORDS = re.compile(
    r"截至本期末|截至目前|截止目前|本期新增|本旬新增|本月新增|累计完成|完成年度目标的|完成年度任务的|完成率|"
    r"各项工作按计划推进|各项工作有序推进|[\d.,，、%％（）()—\-]+"
)
HAN = re.compile(r"[\u4e00-\u9fff]")


def name_list(names: list[str]) -> str:
    """Names joined with 、, or with ； when a name has a 、 of its own (基本养老、工伤和失业保险参保人数)."""
    return ("；" if any("、" in n for n in names) else "、").join(names)


def counted(report: ProgressReport) -> list[IndicatorProgress]:
    """The indicators the counts cover (其中 items are part of their parent)."""
    return [ip for ip in report.indicators if not ip.parent]


def has_increment(cfg: Config, ip: IndicatorProgress, line: Line) -> bool:
    """A cumulative figure with a 本期新增 of its own (not carried forward, not a level or a rate)."""
    return line.increment is not None and not line.stale and not is_level(cfg, ip)


def _gain_lines(cfg: Config, report: ProgressReport) -> list[tuple[str, IndicatorProgress, Line]]:
    """(reporting unit, indicator, line) of every line with a 本期新增 against a target: a township
    (an area's unit) is measured on its own area's line, any other unit on the indicator's total."""
    area_unit = {u.area: u.code for u in cfg.units if u.kind == "area" and u.area}
    township = set(area_unit.values())
    out = []
    for ip in counted(report):
        for a in ip.areas:
            code = area_unit.get(a.area_code or "")
            if code in ip.reporters and has_increment(cfg, ip, a) and a.target and a.target > 0:
                out.append((code, ip, a))
        line = ip.total
        if not has_increment(cfg, ip, line) or not line.target or line.target <= 0:
            continue
        for code in ip.reporters or ip.lead_codes:
            if code not in township:
                out.append((code, ip, line))
    return out


def _gain(b: Basis, item: str, lines: list[Line], d: int, what: str) -> tuple[float, str]:
    gains = [ln.increment / ln.target * 100 for ln in lines]
    mean = sum(gains) / len(gains)
    parts = " + ".join(f"{fmt_number(ln.increment)} ÷ {fmt_number(ln.target)}" for ln in lines)
    how = f"（{parts}）÷ {len(lines)} × 100（各项指标本期新增 ÷ 年度目标，取平均）"
    if len(lines) == 1:
        how = f"{parts} × 100（本期新增 ÷ 年度目标）"
    sources = tuple(s for ln in lines for s in ln.sources)
    return mean, b.add(fixed(abs(mean), d), item=item, what=what, value=mean, how=how, sources=sources)


def _period_end(code: str):
    p = parse_period(code)
    return (p.end, p.start)


def increments(b: Basis, cfg: Config, report: ProgressReport, schedule_step: str) -> dict[str, Any]:
    """Units from the one whose indicators moved most to the least; units with no 新增 grouped."""
    d = report.decimals
    rows = _gain_lines(cfg, report)
    order = {u.code: i for i, u in enumerate(cfg.units)}
    by_unit: dict[str, list[Line]] = {}
    for code, _, line in rows:
        by_unit.setdefault(code, []).append(line)
    ranked, zeros = [], []
    for code in sorted(by_unit, key=lambda c: order.get(c, len(order))):
        lines = by_unit[code]
        if all(ln.increment == 0 for ln in lines):
            zeros.append(short_name(cfg, code))
            continue
        mean, printed = _gain(b, short_name(cfg, code), lines, d, "本期完成率提高（百分点）")
        ranked.append((-mean, order.get(code, len(order)), {"name": short_name(cfg, code), "gain": printed,
                                                            "down": mean < 0}))  # fmt: skip
    ranked.sort(key=lambda r: r[:2])
    average, direction = "", "提高"
    totals = list({line.key: line for _, ip, line in rows if line is ip.total}.values())
    if totals:
        mean, average = _gain(b, "全部指标", totals, d, "本期完成率平均提高（百分点）")
        direction = "下降" if mean < 0 else "提高"
    return {
        "units": [r[2] for r in ranked],
        "zeros": "、".join(zeros),
        "average": average,
        "direction": direction,
        "compared": bool(rows),  # some line has a 本期新增 (even if all are 0): 上期 figures exist
        "schedule_step": schedule_step,
    }


def lagging(b: Basis, cfg: Config, report: ProgressReport) -> list[dict[str, Any]]:
    """Lagging indicators in full, by project in the config's order."""
    shown = display_names(report)
    was = {c.key: c.before for c in report.changes.newly_lagging}
    groups: dict[str, dict[str, Any]] = {}
    for ip in counted(report):
        line = ip.total
        if line.status not in LAGGING:
            continue
        g = groups.setdefault(
            ip.project_id, {"seq": len(groups) + 1, "title": ip.project_title, "leads": [], "indicators": []}
        )
        gap, ref = gap_behind(b, report, ip, line)
        before = was.get(line.key)
        g["leads"].append(lead_of(cfg, ip))
        g["indicators"].append(
            {
                "name": shown[ip.indicator_id],
                "figures": facts(b, cfg, report, ip, line),
                "gap": gap,
                "gap_ref": ref,
                "severe": line.status == Status.severe,
                "status": line.status.value,
                "increment": b.line(report, ip, line).increment(with_measure=True)
                if has_increment(cfg, ip, line)
                else "",
                "was": before.value if before in (Status.done, Status.ahead, Status.on_track) else "",
                "key": line.key,
            }
        )
    out = []
    for g in groups.values():
        single = len(g["indicators"]) == 1  # one lagging indicator: it heads the sentence, not its project
        head = g["indicators"][0]["name"] if single else g["title"]
        out.append({**{k: v for k, v in g.items() if k != "leads"}, "lead": join(g["leads"]), "head": head,
                    "single": single})  # fmt: skip
    return out


def _done_figures(b: Basis, cfg: Config, report: ProgressReport, ip: IndicatorProgress) -> str:
    """A completed item's figures, short: 累计完成1所，完成率100.0% / 达到650元/月."""
    line = ip.total
    lf = b.line(report, ip, line)
    if line.value is None:
        return facts(b, cfg, report, ip, line)
    if is_level(cfg, ip):
        return f"达到{lf.value(with_measure=True)}"
    text = f"累计完成{lf.value(with_measure=True)}"
    return text + (f"，完成率{lf.rate()}" if line.rate_pct is not None else "")


def changes(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    """Indicators newly done this period, and those that caught up with 序时, in full."""
    shown = display_names(report)
    by_key = {ip.total.key: ip for ip in counted(report)}
    done_keys = [c.key for c in report.changes.newly_done if c.key in by_key]
    back_keys = [c.key for c in report.changes.recovered if c.key in by_key and c.key not in done_keys]
    done = [
        {"name": shown[by_key[k].indicator_id], "lead": lead_of(cfg, by_key[k]),
         "figures": _done_figures(b, cfg, report, by_key[k]), "key": k}
        for k in done_keys
    ]  # fmt: skip
    recovered = []
    for k in back_keys:
        ip = by_key[k]
        line = ip.total
        recovered.append(
            {
                "name": shown[ip.indicator_id],
                "lead": lead_of(cfg, ip),
                "figures": facts(b, cfg, report, ip, line),
                "gap": b.line(report, ip, line).gap() if line.gap_pp and line.gap_pp > 0 else "",
                "key": k,
            }
        )
    return {
        "done": done,
        "done_count": b.count(
            len(done), item="本期新完成", what="新完成的指标项数", how="上期未完成、本期已完成的指标数"
        ),
        "recovered": recovered,
        "recovered_count": b.count(
            len(recovered), item="赶上序时", what="赶上序时进度的指标项数", how="上期滞后、本期达到序时进度的指标数"
        ),
        "keys": [*done_keys, *back_keys],
    }


def _rate_range(b: Basis, report: ProgressReport, items: list[IndicatorProgress]) -> tuple[str, str]:
    """The lowest and the highest 完成率 of a group, as printed ("" when fewer than two have one)."""
    rated = [ip for ip in items if ip.total.rate_pct is not None and ip.kind not in ("rate", "standard")]
    if len(rated) < 2:
        return "", ""
    low = min(rated, key=lambda ip: ip.total.rate_pct)
    high = max(rated, key=lambda ip: ip.total.rate_pct)
    if low.total.rate_pct == high.total.rate_pct:
        return "", ""
    return b.line(report, low, low.total).rate(), b.line(report, high, high.total).rate()


def others(b: Basis, cfg: Config, report: ProgressReport, shown_keys: set[str]) -> dict[str, Any]:
    """The indicators not given in full, grouped by status: names, and the range of their 完成率."""
    shown = display_names(report)
    groups: dict[str, list[IndicatorProgress]] = {s: [] for s in ("done", "ahead", "on_track", "pending")}
    for ip in counted(report):
        status = ip.total.status
        if ip.total.key not in shown_keys and status.name in groups:
            groups[status.name].append(ip)
    out: dict[str, Any] = {"any": any(groups.values())}
    for key, items in groups.items():
        if not items:
            out[key] = None
            continue
        word = Status[key].value
        out[key] = {
            "count": b.count(len(items), item="其他指标", what=f"{word}项数", how=f"未单独列出的「{word}」指标数"),
            "names": name_list([shown[ip.indicator_id] for ip in items]),
        }
        if key in ("ahead", "on_track"):
            out[key]["low"], out[key]["high"] = _rate_range(b, report, items)
    return out


def _substance(text: str) -> int:
    """How much a text says beyond figures: its Chinese characters once figure words are taken out."""
    return len(HAN.findall(FIGURE_WORDS.sub("", text)))


def dynamics(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    """专班 figures of the period's 调度; per unit its most concrete 进展情况, quoted and attributed."""
    shown = display_names(report)
    by_key = {line.key: (ip, line) for ip, line in report.lines()}
    best: dict[str, tuple[int, Any]] = {}
    for n in report.narratives:
        if n.field != "progress" or n.row_key not in by_key:
            continue
        score = _substance(n.text)
        if score >= 4 and score > best.get(n.unit_code, (0, None))[0]:
            best[n.unit_code] = (score, n)
    kinds = {u.code: u.kind for u in cfg.units}
    order = {u.code: i for i, u in enumerate(cfg.units)}
    columns: dict[str, list[dict[str, str]]] = {"departments": [], "areas": []}
    for kind, column in (("department", "departments"), ("area", "areas")):
        mine = [c for c in best if kinds.get(c, "department") == kind]
        picked = sorted(mine, key=lambda c: (-best[c][0], order.get(c, len(order))))[:DYNAMICS_MAX]
        for code in sorted(picked, key=lambda c: order.get(c, len(order))):
            n = best[code][1]
            ip, line = by_key[n.row_key]
            item = shown[ip.indicator_id] + (f"·{line.label}" if line is not ip.total and line.label else "")
            text = clean_text(n.text, DYNAMICS_LIMIT).rstrip("。；;，,.！!　 ")
            columns[column].append(
                {"unit": short_name(cfg, code), "item": item, "text": b.quote(text, item=item, source=n.source)}
            )
    return {"office": _office_work(b, report), **columns, "areas_heading": areas_heading(cfg)}


TOWNSHIPS = {"乡", "镇", "乡镇", "街道", "乡镇（街道）"}
COUNTIES = {"县", "市", "区", "县级市", "市辖区", "县市区"}


def areas_heading(cfg: Config) -> str:
    """What the brief calls the areas whose governments report: 乡镇, 乡镇（街道）, 县市区, else 区域."""
    reporting = {u.area for u in cfg.units if u.kind == "area" and u.area}
    kinds = {a.kind for a in cfg.areas if a.code in reporting} or {a.kind for a in cfg.areas}
    if kinds and kinds <= TOWNSHIPS:
        return "乡镇（街道）" if "街道" in kinds or "乡镇（街道）" in kinds else "乡镇"
    if kinds and kinds <= COUNTIES:
        return "县市区"
    return "区域"


def _office_work(b: Basis, report: ProgressReport) -> dict[str, Any]:
    rets = list(report.returns.values())
    received = [r for r in rets if r.status != ReturnStatus.missing]
    kept = [r for r in received if r.status != ReturnStatus.rejected]
    errors, warnings = sum(r.errors for r in kept), sum(r.warnings for r in kept)
    return {
        "units": b.count(len(rets), item="填报单位", what="应报单位数", how="本期应报送进展情况的单位数"),
        "received": b.count(len(received), item="收到的报表", what="收到报表份数", how="本期收到的报表（含被拒收的）"),
        "errors": b.count(errors, item="校验", what="尚未更正的错误处数", how="各单位本期报表校验出的错误，未更正的"),
        "warnings": b.count(warnings, item="校验", what="待核实的疑点处数", how="各单位本期报表校验出的警告"),
        "has_errors": errors > 0,
        "has_warnings": warnings > 0,
        "checked": bool(errors or warnings),
    }


def attention(b: Basis, cfg: Config, report: ProgressReport) -> dict[str, Any]:
    """Returns missing, refused or late, and indicators without a figure this period: facts only.

    An indicator whose unit sent nothing is counted under that unit, not listed again."""
    shown = display_names(report)
    order = {u.code: i for i, u in enumerate(cfg.units)}
    rets = sorted(report.returns.values(), key=lambda r: order.get(r.unit_code, len(order)))
    absent = {r.unit_code for r in rets if r.status in (ReturnStatus.missing, ReturnStatus.rejected)}
    carried: dict[str, list[Line]] = {}
    no_figure = []
    for ip in counted(report):
        line = ip.total
        if line.status not in NO_FIGURE:
            continue
        units = ip.reporters or ip.lead_codes
        if units and all(c in absent for c in units):
            carried.setdefault(units[0], []).append(line)
            continue
        note = b.line(report, ip, line).note() if line.note else ""
        # the status says why there is no figure, unless the note already says it (本期未填，截至…)
        says_why = line.stale or any(w in line.note for w in ("未报送", "未填", "数据有误", "拒收"))
        state = note if says_why else join([line.status.value, note], "，")
        no_figure.append({"name": shown[ip.indicator_id], "lead": lead_of(cfg, ip), "state": state})

    def names(status: ReturnStatus) -> str:
        out = []
        for r in rets:
            if r.status != status:
                continue
            name, lines = short_name(cfg, r.unit_code), carried.get(r.unit_code, [])
            if lines:
                n = b.count(len(lines), item=name, what="沿用上期数据的指标项数", how="该单位负责、本期无数的指标数")
                when = max((ln.value_period for ln in lines if ln.value_period), default=None, key=_period_end)
                used = f"沿用{parse_period(when).short_label}数据" if when else "暂无数据"
                name += f"（所负责{n}项指标{used}）"
            out.append(name)
        return "、".join(out)

    late = [
        f"{short_name(cfg, r.unit_code)}（逾期"
        + b.count(r.late_days, item=short_name(cfg, r.unit_code), what="逾期天数",
                  how=f"收到日期{r.received} − 截止日期{r.deadline}（{r.file}）")
        + "天）"
        for r in rets if r.status == ReturnStatus.late
    ]  # fmt: skip
    out = {
        "missing": names(ReturnStatus.missing),
        "rejected": names(ReturnStatus.rejected),
        "late": "、".join(late),
        "no_figure": no_figure,
        "no_figure_count": b.count(len(no_figure), item="无有效数据", what="无有效数据的指标项数",
                                   how="状态为未报送、数据有误或未填的指标数（所属单位未报送的除外）"),
    }  # fmt: skip
    out["returns"] = bool(out["missing"] or out["rejected"] or late)
    out["any"] = bool(no_figure or out["returns"])
    return out
