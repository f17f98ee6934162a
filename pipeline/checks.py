"""The value rules applied to one matched return, in one pass.

Each rule is a function over a `CheckContext`, registered in RULE_FUNCTIONS; it appends
findings and may exclude the value(s) it concerns. An excluded value is stored with status
`excluded` and shows as 数据有误 downstream, never as 0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace

from .config import Config, Kind
from .extract import Cell, FormReturn, MatchedRow
from .findings import Finding
from .formspec import TEXT_FIELDS
from .measures import factor as unit_factor
from .messages import num
from .model import ValueStatus
from .periods import cn_date, indicator_window, schedule_progress, scheduled_share
from .values import Parsed, clean_text, parse_number, parse_stage, raw_text

CUMULATIVE = {Kind.count, Kind.investment, Kind.share, Kind.coverage, Kind.milestone}
LONG_TEXT = 5000
EPS = 1e-9
# Absurd, not merely surprising: a count or investment more than ABSURD_TIMES its year target
# (56.8 公里 against 4.6: metres typed as kilometres, a digit too many), a standard more than
# ABSURD_TIMES its target, or any figure beyond ABSURD_NUMBER. These are errors (excluded); a
# jump that is only unusual stays a warning (V-OUTLIER).
ABSURD_TIMES = 10.0
ABSURD_NUMBER = 1e9
OUTLIER_MIN_SHARE = 0.25  # an outlier jump must also be at least this share of the year target…
OUTLIER_MIN_DELTA = 1.0  # …and more than this absolute amount (+1 on a target of 4 is normal)
# Words that say a lower cumulative figure was a correction: only such text explains a decrease.
DECREASE_WORDS = (
    "更正",
    "修正",
    "纠正",
    "核减",
    "调减",
    "调整",
    "核实",
    "核查",
    "有误",
    "错误",
    "多报",
    "多统计",
    "重复统计",
    "重复计算",
    "剔除",
    "扣除",
    "口径",
    "减少",
    "下降",
    "回退",
)


@dataclass
class Judged:
    """A row's value after the rules: the parsed value, and whether an error excluded it."""

    row: MatchedRow
    parsed: Parsed
    excluded: bool = False
    flagged: bool = False
    suspect: bool = False  # kept, but the figure itself is doubted: not a yardstick, prefilled with a mark

    def __post_init__(self) -> None:
        v = self.parsed.value  # Parsed is frozen and never replaced: its number is worked out once
        self._number = v if self.parsed.ok and isinstance(v, float) else None

    def __reduce__(self):  # by position: faster back from the worker (pipeline.prepare)
        return (Judged, (self.row, self.parsed, self.excluded, self.flagged, self.suspect))

    @property
    def number(self) -> float | None:
        return None if self.excluded else self._number

    @property
    def status(self) -> ValueStatus:
        if self.excluded:
            return ValueStatus.excluded
        return self.parsed.status


@dataclass
class History:
    """Earlier accepted values of this unit: row key → [(period end, period code, value)] oldest first."""

    values: dict[str, list[tuple[dt.date, str, float | str]]] = field(default_factory=dict)

    def before(self, key: str, end: dt.date) -> tuple[dt.date, str, float | str] | None:
        earlier = [v for v in self.values.get(key, []) if v[0] < end]
        return earlier[-1] if earlier else None


@dataclass
class CheckContext:
    cfg: Config
    ret: FormReturn
    history: History | None  # None until check_rest: the local rules run without it
    judged: dict[str, Judged] = field(default_factory=dict)
    texts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (key, field) → (text, cell)
    findings: list[Finding] = field(default_factory=list)
    _schedules: dict = field(default_factory=dict, repr=False)

    def schedule(self, ind) -> float:
        """序时进度 at the end of the return's period for the indicator's window, once per window."""
        key = (ind.window_start, ind.deadline)
        share = self._schedules.get(key)
        if share is None:
            share = self._schedules[key] = scheduled_share(self.ret.period, ind.window_start, ind.deadline)
        return share

    def on_value(self, code: str, judged: Judged, message: str, hint: str = "") -> None:
        """A finding about a row's value cell, quoting what the unit typed."""
        self.add(code, message, judged.row, judged.row.cells["value"], hint=hint, raw=judged.parsed.raw)

    def add(
        self,
        code: str,
        message: str,
        row: MatchedRow | None = None,
        cell: Cell | None = None,
        hint: str = "",
        raw: str = "",
    ) -> None:
        fr = row.form_row if row else None
        self.findings.append(
            Finding(
                code,
                message,
                hint=hint,
                file=self.ret.file,
                sheet=self.ret.sheet,
                cell=cell.ref if cell else "",
                unit_code=self.ret.unit_code,
                unit_name=self.ret.unit_name,
                indicator_id=fr.indicator.id if fr else "",
                indicator_name=fr.indicator.name if fr else "",
                row_key=fr.key if fr else "",
                raw=raw,
                period=self.ret.period.code,
            )
        )


def fmt(x: float) -> str:
    """Figures in messages: the one formatter (never a 309-digit number)."""
    return num(x)


def check_return(cfg: Config, ret: FormReturn, history: History) -> CheckContext:
    """Every rule, in order: the local ones, then the ones that read the unit's earlier returns."""
    return check_rest(check_local(cfg, ret), history)


def check_local(cfg: Config, ret: FormReturn) -> CheckContext:
    """The rules before the first that reads history: they need nothing but the file, so they
    run where it is read (a worker process). The context has no history yet (None): a local rule
    that reached for it would fail at once, not silently judge against nothing."""
    ctx = CheckContext(cfg, ret, None)
    for rule in LOCAL_RULES:
        rule(ctx)
    return ctx


def check_rest(ctx: CheckContext, history: History) -> CheckContext:
    """The remaining rules, from the first that compares with earlier returns, in order."""
    ctx.history = history
    for rule in HISTORY_RULES:
        rule(ctx)
    return ctx


def rule_parse(ctx: CheckContext) -> None:
    """Every value is a number in the indicator's unit (or a stage); empty is not reported, never 0."""
    for row in ctx.ret.rows:
        ind = row.form_row.indicator
        cell = row.cells["value"]
        raw = cell.raw
        if cell.error and not row.blocked:
            ctx.judged[row.form_row.key] = Judged(row, Parsed(ValueStatus.invalid, raw=cell.error), excluded=True)
            formula = f"（公式「={cell.formula[0][:60]}」）" if cell.formula else ""
            ctx.add(
                "V-EXCEL-ERROR",
                f"「{row.form_row.label}」单元格显示错误值「{cell.error}」{formula}，不是数字",
                row,
                cell,
                hint="请单位检查公式（如除数为 0、引用的单元格被删除），或直接填写数字后重新报送",
                raw=cell.error,
            )
            continue
        if cell.formula and not cell.formula[1]:
            ctx.judged[row.form_row.key] = Judged(
                row, Parsed(ValueStatus.invalid, raw=f"={cell.formula[0]}"), excluded=True
            )
            ctx.add(
                "V-FORMULA-NO-VALUE",
                f"「{row.form_row.label}」填的是公式「={cell.formula[0]}」，但文件里没有保存计算结果",
                row,
                cell,
                hint="请单位用 Excel 或 WPS 打开该文件，保存一次后重新发送",
                raw=f"={cell.formula[0]}",
            )
            continue
        if row.form_row.staged:
            parsed = parse_stage(raw, ind.stages)
        else:
            parsed = parse_number(raw, ind.unit, allow_percent=ind.unit.strip() in {"%", "％"})
        if cell.formula and parsed.ok:  # a formula Excel/WPS saved with its result: use the result, say so
            parsed = replace(parsed, notes=(f"单元格是公式「={cell.formula[0][:40]}」，取其计算结果", *parsed.notes))
        judged = Judged(row, parsed)
        ctx.judged[row.form_row.key] = judged
        if row.blocked:
            judged.excluded = True
            continue  # extract reported it once for the whole range or set of rows
        if parsed.status == ValueStatus.invalid:
            judged.excluded = True
            code = "V-NOT-STAGE" if row.form_row.staged else "V-NOT-NUMBER"
            ctx.add(
                code,
                f"「{row.form_row.label}」填的是「{parsed.raw}」，{parsed.reason}",
                row,
                cell,
                hint="请单位改正后重新报送；本期该项按数据有误处理",
                raw=parsed.raw,
            )
        elif parsed.status in (ValueStatus.empty, ValueStatus.not_reported):
            how = "未填写" if parsed.status == ValueStatus.empty else f"填的是「{parsed.raw.strip()}」"
            ctx.add(
                "V-EMPTY",
                f"「{row.form_row.label}」本期累计完成{how}，按未报送处理（不按 0 计）",
                row,
                cell,
                hint="如确实为 0 请填 0；暂无数据请在「存在问题」中说明",
                raw=parsed.raw,
            )
        elif parsed.notes:
            judged.flagged = True
            ctx.add(
                "V-NORMALISED",
                f"「{row.form_row.label}」填的是「{parsed.raw}」，{'，'.join(parsed.notes)}，按 {_shown(parsed.value)} 入账，请核实",
                row,
                cell,
                raw=parsed.raw,
            )


def _shown(value: float | str | None) -> str:
    return fmt(value) if isinstance(value, float) else str(value)


def rule_range(ctx: CheckContext) -> None:
    for j in ctx.judged.values():
        if j.number is None:
            continue
        ind = j.row.form_row.indicator
        lo, hi = ind.value_range()
        if (lo is not None and j.number < lo - EPS) or (hi is not None and j.number > hi + EPS):
            j.excluded = True
            bound = f"应在 {fmt(lo)} 到 {fmt(hi)} 之间" if hi is not None else f"不应小于 {fmt(lo)}"
            ctx.on_value(
                "V-RANGE",
                j,
                f"「{j.row.form_row.label}」填的是 {fmt(j.parsed.value)}，{bound}",
                hint="请单位核实后改正",
            )


def rule_absurd(ctx: CheckContext) -> None:
    """A figure no unit can have reached is an error, not a warning: it is excluded, never stored
    as next period's 上期累计 (so the correct figure later does not look like a decrease)."""
    for j in ctx.judged.values():
        if j.number is None or j.excluded:
            continue
        fr = j.row.form_row
        target = fr.target if isinstance(fr.target, float) and fr.target > 0 else None
        why = ""
        if not math.isfinite(j.number) or abs(j.number) > ABSURD_NUMBER:
            why = f"数值 {fmt(j.number)} 大得不合常理"
        elif (
            target is not None
            and fr.kind in (Kind.count, Kind.investment, Kind.standard)
            and j.number > ABSURD_TIMES * target
        ):
            why = (
                f"累计 {fmt(j.number)}{fr.indicator.unit} 是年度目标 {fmt(target)}{fr.indicator.unit} 的 "
                f"{num(round(j.number / target, 1))} 倍，不合常理（可能多填了位数，或单位不对，如把米当成公里）"
            )
        if why:
            j.excluded = True
            ctx.on_value(
                "V-ABSURD",
                j,
                f"「{fr.label}」{why}，本期该项按数据有误处理",
                hint=f"请单位核实后按计量单位「{fr.indicator.unit}」重新填写"
                if fr.indicator.unit
                else "请单位核实后改正",
            )


def rule_percent_format(ctx: CheckContext) -> None:
    """A rate typed as 95% into a number cell is stored by Excel as 0.95: flag, never rescale."""
    for j in ctx.judged.values():
        ind = j.row.form_row.indicator
        target = j.row.form_row.target
        if j.number is None or ind.kind != Kind.rate or ind.unit.strip() not in {"%", "％"}:
            continue
        reference = target if isinstance(target, float) else ind.baseline
        if 0 < j.number <= 1 and reference is not None and reference > 1:
            j.flagged = j.suspect = True
            ctx.on_value(
                "V-PERCENT-FORMAT",
                j,
                f"「{j.row.form_row.label}」的值为 {fmt(j.number)}，而目标是 {fmt(reference)}%，"
                f"疑似单元格设成了百分比格式（{fmt(j.number * 100)}%）。已按 {fmt(j.number)} 入账，未作换算",
                hint="请单位确认后直接填写数值（如 96.5）",
            )


def _stage_index(ind, value) -> int | None:
    return ind.stages.index(value) if value in ind.stages else None


def _explained(ctx: CheckContext, key: str) -> bool:
    """Only text that addresses the change explains a decrease: wording that says what was
    corrected (更正、核减、重复统计…) in 存在问题 or 进展情况. Any other note does not."""
    texts = [ctx.texts.get((key, f), ("", ""))[0] for f in ("problems", "progress")]
    return any(word in text for text in texts for word in DECREASE_WORDS)


def rule_decrease(ctx: CheckContext) -> None:
    """A cumulative value never goes down from the previous accepted period without an explanation."""
    end = ctx.ret.period.end
    for key, j in ctx.judged.items():
        ind = j.row.form_row.indicator
        if ind.kind not in CUMULATIVE or ind.is_level or not j.parsed.ok or j.excluded:
            continue  # a level (stock, share in %) may fall: rule_level_fall
        prev = ctx.history.before(key, end)
        if prev is None:
            continue
        _, prev_code, prev_value = prev
        if j.row.form_row.staged:
            now_i, prev_i = _stage_index(ind, j.parsed.value), _stage_index(ind, prev_value)
            down = now_i is not None and prev_i is not None and now_i < prev_i
        else:
            down = isinstance(prev_value, float) and j.parsed.value < prev_value - EPS
        if not down:
            continue
        what = f"本期累计「{_shown(j.parsed.value)}」低于上期（{prev_code}）已入账的「{_shown(prev_value)}」"
        if _explained(ctx, key):
            j.flagged = True
            ctx.on_value(
                "V-DECREASE-EXPLAINED",
                j,
                f"「{j.row.form_row.label}」{what}，单位已在文字栏说明了更正原因，请核实",
            )
        else:
            j.excluded = True
            ctx.on_value(
                "V-DECREASE",
                j,
                f"「{j.row.form_row.label}」{what}，累计数不应减少，且未说明是哪一期、哪个数作了更正",
                hint="请单位核实：如上期数有误，请在「存在问题」中写明「上期数据有误，已更正为…」后重新报送",
            )


def rule_level_fall(ctx: CheckContext) -> None:
    """A stock (参保人数达到…) or a share in % is a level at a date: it may fall; say so, keep the value."""
    end = ctx.ret.period.end
    for key, j in ctx.judged.items():
        ind = j.row.form_row.indicator
        if not (ind.stock or ind.is_share_percent) or j.number is None:
            continue
        prev = ctx.history.before(key, end)
        if prev is None or not isinstance(prev[2], float) or j.number >= prev[2] - EPS:
            continue
        ctx.on_value(
            "V-LEVEL-DOWN",
            j,
            f"「{j.row.form_row.label}」是存量（水平）指标，本期为 {fmt(j.number)}，比上期（{prev[1]}）的 {fmt(prev[2])} "
            f"下降 {fmt(prev[2] - j.number)}，已入账，请核实原因",
            hint="如属统计口径调整或人员流出，请单位在「存在问题」中说明",
        )


def rule_overdue(ctx: CheckContext) -> None:
    """A milestone past its deadline and short of its target stage: 错误, for 督办; the stage is kept."""
    for j in ctx.judged.values():
        fr = j.row.form_row
        ind = fr.indicator
        if not fr.staged or ind.deadline is None or not j.parsed.ok or j.excluded:
            continue
        if ctx.ret.period.end <= ind.deadline or ind.target_stage is None:
            continue
        if _stage_index(ind, j.parsed.value) >= _stage_index(ind, ind.target_stage):
            continue
        ctx.on_value(
            "V-OVERDUE",
            j,
            f"「{fr.label}」应于 {cn_date(ind.deadline)} 前达到「{ind.target_stage}」，"
            f"本期仍为「{j.parsed.value}」，已逾期",
            hint="阶段照常入账；请牵头单位说明原因和完成时限，列入督办",
        )


def rule_outlier(ctx: CheckContext) -> None:
    """A jump far outside the unit's usual pace is queried (the value is kept)."""
    factor = ctx.cfg.thresholds.outlier_factor
    end = ctx.ret.period.end
    for key, j in ctx.judged.items():
        fr = j.row.form_row
        ind = fr.indicator
        if j.number is None or ind.kind not in (Kind.count, Kind.investment, Kind.share, Kind.coverage):
            continue
        target = fr.target if isinstance(fr.target, float) and fr.target > 0 else None
        share_now = ctx.schedule(ind)
        prev = ctx.history.before(key, end)
        if prev is not None and isinstance(prev[2], float):
            prev_end, prev_code, prev_value = prev
            delta = j.number - prev_value
            share_prev = _share_at(prev_end, ind)
            span = max(share_now - share_prev, 1 / 36)
            pace = max(prev_value / share_prev if share_prev > 0 else 0.0, target or 0.0)
            expected = pace * span
            floor = max(OUTLIER_MIN_DELTA, OUTLIER_MIN_SHARE * target) if target else OUTLIER_MIN_DELTA
            if expected > 0 and delta > factor * expected and delta > floor:
                j.flagged = j.suspect = True
                ctx.on_value(
                    "V-OUTLIER",
                    j,
                    f"「{j.row.form_row.label}」本期比上期（{prev_code}）增加 {fmt(delta)}，"
                    f"约为正常进度增量（约 {fmt(round(expected, 2))}）的 {delta / expected:.1f} 倍，请核实是否多填或单位不对",
                )
        elif target is not None and j.number > target * max(1.5, factor * share_now) and j.number > OUTLIER_MIN_DELTA:
            j.flagged = j.suspect = True
            ctx.on_value(
                "V-OUTLIER",
                j,
                f"「{j.row.form_row.label}」累计 {fmt(j.number)}，是年度目标 {fmt(target)} 的 "
                f"{j.number / target:.1f} 倍，远超当前进度，请核实是否多填了位数或单位不对",
            )


def _share_at(day: dt.date, ind) -> float:
    start, stop = indicator_window(day.year, ind.window_start, ind.deadline)
    return schedule_progress(day, start, stop)


def rule_child_exceeds(ctx: CheckContext) -> None:
    """其中 ≤ its parent, in the same return and the same area."""
    for j in ctx.judged.values():
        fr = j.row.form_row
        if fr.indicator.parent is None or j.number is None:
            continue
        parent_key = fr.indicator.parent + (f"@{fr.area_code}" if fr.area_code else "")
        p = ctx.judged.get(parent_key)
        scale = unit_factor(fr.measure, p.row.form_row.measure) if p is not None else None
        if p is None or p.number is None or scale is None or j.number * scale <= p.number * (1 + EPS) + EPS:
            continue
        child_value = j.number
        j.excluded = True
        ctx.on_value(
            "V-CHILD-EXCEEDS",
            j,
            f"「其中」指标「{j.row.form_row.label}」填 {fmt(child_value)}{fr.measure}，大于它所属的「{p.row.form_row.label}」"
            f"（{fmt(p.number)}{p.row.form_row.measure}），「其中」是上级指标的一部分，不应更大",
            hint=f"请单位核实两项数字（上级指标在 {p.row.cells['value'].ref}）",
        )


def rule_area_sum(ctx: CheckContext) -> None:
    """Area rows add up to the 合计 the unit reported (a reviewing unit's 合计 of areas filled on other
    forms is compared with them in the progress report, not here)."""
    totals = [j for j in ctx.judged.values() if j.row.form_row.is_total and j.row.form_row.kind != Kind.rate]
    for t in totals:
        if t.number is None or t.row.form_row.kind in (Kind.milestone, Kind.standard) or t.row.form_row.aggregates:
            continue
        ind_id = t.row.form_row.indicator.id
        areas = [j for j in ctx.judged.values() if j.row.form_row.indicator.id == ind_id and j.row.form_row.area_code]
        if not areas or any(a.number is None for a in areas):
            continue
        scale = unit_factor(areas[0].row.form_row.measure, t.row.form_row.measure) or 1.0
        total = sum(a.number for a in areas) * scale
        reported = t.number
        if abs(total - reported) > 1e-6 * max(1.0, abs(total)):
            t.excluded = True
            first, last = areas[0].row.cells["value"].ref, areas[-1].row.cells["value"].ref
            ctx.on_value(
                "V-AREA-SUM",
                t,
                f"「{t.row.form_row.indicator.name}」合计填 {fmt(reported)}，但各区域（{first}:{last}）"
                f"加起来是 {fmt(total)}，相差 {fmt(reported - total)}",
                hint="请单位核对合计与各区域数字后重新报送；本期合计按数据有误处理",
            )


def rule_texts(ctx: CheckContext) -> None:
    """Narrative text is kept whole: control characters removed, formulas kept as their text."""
    for row in ctx.ret.rows:
        for f in TEXT_FIELDS:
            cell = row.cells[f]
            raw = cell.raw
            if f in row.merged_text:
                continue  # inside a merged range: its text belongs to the range's first row
            link = _hyperlink(cell.formula[0]) if cell.formula else None
            if link is not None:
                url, label = link
                raw = f"{label}（{url}）" if label and label != url else url
            elif cell.formula:
                formula = "=" + cell.formula[0]
                shown = raw_text(raw) if cell.formula[1] and raw not in (None, "") else ""
                ctx.add(
                    "T-FORMULA",
                    f"「{row.form_row.label}」的文字栏是公式「{formula[:60]}」，已按文字原样保存，不会执行",
                    row,
                    cell,
                    raw=formula[:200],
                )
                raw = formula if not shown else f"{shown}（公式：{formula}）"
            text, notes = clean_text(raw)
            if notes:
                ctx.add("T-CLEANED", f"「{row.form_row.label}」的文字栏{'，'.join(notes)}", row, cell)
            if len(text) > LONG_TEXT:
                ctx.add(
                    "T-LONG",
                    f"「{row.form_row.label}」的文字栏有 {len(text)} 字，远超正常篇幅；已完整保存，简报中只引用开头部分",
                    row,
                    cell,
                    hint="请单位精简文字",
                )
            if text:
                ctx.texts[(row.form_row.key, f)] = (text, cell.ref)


_HYPERLINK = re.compile(r'\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*', re.I)


def _hyperlink(formula: str) -> tuple[str, str] | None:
    """=HYPERLINK("url","text") as what a reader sees: its text and its address."""
    m = _HYPERLINK.fullmatch(formula)
    if not m:
        return None
    return m.group(1).replace('""', '"'), (m.group(2) or "").replace('""', '"')


def rule_lag_reason(ctx: CheckContext) -> None:
    """A lagging indicator comes with an explanation in 存在问题."""
    lag = ctx.cfg.thresholds.lagging_pp
    for key, j in ctx.judged.items():
        fr = j.row.form_row
        ind = fr.indicator
        if j.number is None or not isinstance(fr.target, float) or fr.target <= 0:
            continue
        if ind.kind not in (Kind.count, Kind.investment, Kind.share, Kind.coverage):
            continue
        schedule = ctx.schedule(ind)
        completion = j.number / fr.target
        explained = ctx.texts.get((key, "problems")) or "problems" in j.row.merged_text
        if (schedule - completion) * 100 > lag and not explained:
            ctx.add(
                "V-LAG-NO-REASON",
                f"「{j.row.form_row.label}」完成率 {completion:.1%}，落后序时进度（{schedule:.1%}）"
                f"{(schedule - completion) * 100:.1f} 个百分点，但「存在问题」未说明原因",
                j.row,
                j.row.cells["problems"],
                hint="请单位补充滞后原因和下步措施",
            )


RULE_FUNCTIONS = [
    rule_texts,  # first: later rules look at whether a unit explained itself
    rule_parse,
    rule_range,
    rule_absurd,
    rule_percent_format,
    rule_decrease,
    rule_level_fall,
    rule_overdue,
    rule_outlier,
    rule_child_exceeds,
    rule_area_sum,
    rule_lag_reason,
]
# Split where history is first read: rules keep their order, so findings and exclusions are the
# same as running the list in one go (later rules see what rule_decrease excluded).
_SPLIT = RULE_FUNCTIONS.index(rule_decrease)
LOCAL_RULES = RULE_FUNCTIONS[:_SPLIT]
HISTORY_RULES = RULE_FUNCTIONS[_SPLIT:]
