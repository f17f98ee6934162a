"""The 数据依据 of a document: every figure it prints, with how it was computed and the cells it
came from.

A context builder prints each figure through its `Basis` (`add`, `count`, or `line(...)` for a
report line's figures) and each unit's quoted words through `quote`. While rendering, the basis
marks what it returns (private-use characters around the figure's number), so after docxtpl has
filled the template the document itself says which figure stands where, whatever a clerk did to
the template's wording; `pipeline.documents.trace` reads the marks, removes them and finds any
number nothing explains. Without `marking` (tests, previews) the texts come back plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analytics.report import IndicatorProgress, Line, ProgressReport
from ..model import Source
from ..numbers import fixed, fmt_number, fmt_pct, fmt_pp

# A number as documents print it: 4980, 4,980, 62.7 (the sign word, % and units stay outside).
NUMBER = re.compile(r"(?<![\d.])\d[\d,]*(?:\.\d+)?(?![\d])")

# Marks around a figure in the rendered text: OPEN id SEP printed CLOSE (Unicode private use).
OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
NO_MARKS = {ord(c): None for c in (OPEN, SEP, CLOSE)}
MARKED = re.compile(f"{OPEN}(\\d+){SEP}(.*?){CLOSE}", re.S)

# Numbers that are not figures: dates and periods, 期数, 文号, the trimming note of a long text,
# an item's ordinal. Each starts where no digit stands before it: 「283月·人」 holds no date.
_D = r"(?<![\d.])"
NOT_FIGURES = re.compile(
    _D + r"\d{4}年(?:\d{1,2}(?:[-—至～]\d{1,2})?月(?:\d{1,2}日|[上中下]旬|份|底|末|初)?)?"
    r"|" + _D + r"\d{1,2}(?:[-—至～]\d{1,2})?月(?:\d{1,2}日|[上中下]旬|份|底|末|初)?"
    r"|" + _D + r"\d{1,2}日"
    r"|第\d+[期周号]|〔\d{4}〕\d+号|" + _D + r"\d{4}-(?:Q\d|W\d+|\d{2}(?:-\d)?)"
    r"|（原文\d+字，此处节选前\d+字）"
    r"|^\s*\d{1,3}[.．、]\s"  # an item's ordinal: 「3. 加快城镇老旧小区改造」
)


SCHEDULE_HOW = "已过时间 ÷ 计划完成时间，按月计（指标有起止时间或节点目标的，按其计算）"


def tokens(text: str) -> list[str]:
    """The numbers in a printed text, commas dropped: 「1.39亿元」 → ["1.39"]."""
    return [m.group(0).replace(",", "") for m in NUMBER.finditer(text)]


@dataclass(frozen=True)
class Figure:
    """One figure as printed, or one unit's quoted text (`quote` True)."""

    item: str  # what it is about: an indicator (with the area), a unit, 全部指标
    what: str  # 完成率 / 累计完成 / 目标任务 / 序时进度 / 差距 / 本期新增 / 项数 / 得分 …
    printed: str  # as printed: 「62.7%」「4980人」「1.39亿元」
    value: float | None = None  # the analytics value behind it, unrounded
    how: str = ""  # 「3120 ÷ 4980」
    sources: tuple[Source, ...] = ()
    key: str = ""  # the report line's key, for a line's figure
    quote: bool = False
    words: bool = False  # a phrase with dates in it (a unit's text, a note): its dates are no figures


@dataclass
class Basis:
    """The figures of one document, in the order its context builder printed them."""

    document: str = ""
    marking: bool = False
    units: dict[str, str] = field(default_factory=dict)  # unit code → name, for the workbook
    figures: list[Figure] = field(default_factory=list)
    occurrences: list = field(default_factory=list)  # trace.Occurrence, filled while rendering

    def _put(self, fig: Figure) -> str:
        self.figures.append(fig)
        if not self.marking:
            return fig.printed
        return f"{OPEN}{len(self.figures) - 1}{SEP}{fig.printed}{CLOSE}"

    def add(
        self,
        printed: str,
        *,
        item: str,
        what: str,
        value: float | None = None,
        how: str = "",
        sources: tuple[Source, ...] = (),
        key: str = "",
    ) -> str:
        """A printed figure, registered; give it to the template as returned (it may carry marks)."""
        if not tokens(printed):  # 「—」 and words: nothing to trace
            return printed
        return self._put(Figure(item, what, printed, value, how, tuple(sources), key))

    def count(self, n: int, *, item: str, what: str, how: str) -> str:
        return self.add(str(n), item=item, what=what, value=float(n), how=how)

    def quote(self, text: str, *, item: str, source: Source, also: tuple[Source, ...] = ()) -> str:
        """A unit's own words (already cleaned and trimmed), traced to the cell they were typed in
        (and, for words several units sent alike, to each of the others in `also`)."""
        text = text.translate(NO_MARKS)  # a unit's text cannot fake a mark
        if not text:
            return text
        return self._put(
            Figure(item, "单位报送的文字", text, None, "原文照录", (source, *also), quote=True, words=True)
        )

    def line(self, report: ProgressReport, ip: IndicatorProgress, line: Line) -> LineFigures:
        return LineFigures(self, report, ip, line)


@dataclass(frozen=True)
class LineFigures:
    """A report line's figures, each printed through the basis: `lf.rate()` → 「62.7%」."""

    basis: Basis
    report: ProgressReport
    ip: IndicatorProgress
    line: Line

    @property
    def item(self) -> str:
        is_area = self.line is not self.ip.total and bool(self.line.label)
        return f"{self.ip.name}·{self.line.label}" if is_area else self.ip.name

    def _add(self, printed: str, what: str, value: float | None, how: str, sources=(), words: bool = False) -> str:
        if not tokens(printed):
            return printed
        fig = Figure(self.item, what, printed, value, how, tuple(sources), self.line.key, words=words)
        return self.basis._put(fig)

    def target(self, with_measure: bool = False) -> str:
        """The target as printed: 4980 (4980人 with the measure), 暂定4980, 在96.4%基础上持续改善."""
        line = self.line
        text = line.target_text or (fmt_number(line.target) if line.target is not None else "—")
        bare = text.removeprefix("暂定")
        if with_measure and _plain_number(bare):
            if self.ip.measure == "万元" and line.target is not None and abs(line.target) >= 10000:
                text = text[: len(text) - len(bare)] + fixed(line.target / 10000, 2) + "亿元"
            else:
                text += self.ip.measure
        how = "分解方案（配置）下达的目标" + ("，暂定，以上级最终下达数为准" if line.provisional else "")
        # a target's words may hold dates (「全面完成（2023年12月31日前）」, 「在2022年…基础上」) and
        # other figures (「3000（总投资7000）」): the target's value stands for the text only when
        # the text has no other number
        value = line.target if len(tokens(_undated(text))) == 1 else None
        return self._add(text, "目标任务", value, how, words=True)

    def value(self, with_measure: bool = False, scale_by: float | None = None) -> str:
        """The cumulative value (or level): 3120, 3120人; 万元 from 10000 on as 亿元 (1.39亿元)."""
        line, measure = self.line, self.ip.measure
        if line.value is None:
            return "—"
        if with_measure and measure == "万元" and abs(scale_by if scale_by is not None else line.value) >= 10000:
            text = fixed(line.value / 10000, 2) + "亿元"
        else:
            text = fmt_number(line.value) + (measure if with_measure else "")
        return self._add(text, "累计完成", line.value, _value_how(line), line.sources)

    def rate(self) -> str:
        line = self.line
        if line.rate_pct is None:
            return "—"
        return self._add(
            fmt_pct(line.rate_pct, self.report.decimals), "完成率", line.rate, _rate_how(line), line.sources
        )

    def schedule(self) -> str:
        line = self.line
        if line.schedule_pct is None:
            return "—"
        return self._add(fmt_pct(line.schedule_pct, self.report.decimals), "序时进度", line.schedule, SCHEDULE_HOW)

    def gap(self, signed: bool = False) -> str:
        """The gap in 百分点: 「3.5」, or with `signed` 「-3.5」 / 「+2.0」 (the 附件 table's 较序时)."""
        line, d = self.line, self.report.decimals
        if line.gap_pp is None:
            return "—"
        text = fmt_pp(line.gap_pp, d)
        if signed and float(text) != 0:
            text = ("+" if line.gap_pp > 0 else "-") + text
        if line.schedule_pct is not None and line.rate_pct is not None:
            how = f"{fixed(line.rate_pct, d)} − {fixed(line.schedule_pct, d)}（完成率 − 序时进度）"
        else:
            how = f"{line.how}（当前值 − 目标值）"
        return self._add(text, "差距（百分点）", line.gap_pp, how)

    def note(self) -> str:
        """The line's note: for a value carried forward (「本期未填；截至4月为3989」) the figure in it
        is that value; any other note (a reviewed 合计 that differs from its areas' sum) says itself
        what its figures are, and its cells are the line's."""
        line = self.line
        if not line.note:
            return ""
        if line.stale:
            how = "该单位本期未报送、未填或数据有误，沿用最近一期的数据（第一个单元格为所沿用的数）"
            return self._add(line.note, "沿用的数据", line.value, how, line.sources, words=True)
        return self._add(line.note, "说明", None, "分析时附注的说明，数字的含义见原句", line.sources, words=True)

    def increment(self, with_measure: bool = False) -> str:
        line = self.line
        if line.increment is None or line.previous is None:
            return "—"
        text = fmt_number(line.increment) + (self.ip.measure if with_measure else "")
        how = f"{fmt_number(line.value)} − {fmt_number(line.previous)}（本期累计 − 上期累计）"
        return self._add(text, "本期新增", line.increment, how, line.sources)


def _value_how(line: Line) -> str:
    """How a line's value came about: typed by one unit, carried forward, summed or counted."""
    if line.stale:
        where = "第一个单元格为所沿用的数，第二个为本期该格" if len(line.sources) > 1 else "单元格为所沿用的数"
        return f"单位填报（{line.note}；{where}）" if line.note else f"单位填报（沿用；{where}）"
    if "（达到" in line.how:
        return "计数" + line.how[line.how.index("（") :]  # named sites: those that reached the stage
    if len(line.sources) > 1 and line.how and "÷" not in line.how:
        return line.how  # a sum of the areas' figures
    return "单位填报"


def _rate_how(line: Line) -> str:
    """完成率 = value ÷ target, or (value − baseline) ÷ (target − baseline); never the level's gap."""
    if "（达到" in line.how:
        return line.how
    v, t, rate = line.value, line.target, line.rate
    if v is not None and t and rate is not None and rate != 1 and abs(rate - v / t) > 1e-9:
        base = fmt_number(round((v - rate * t) / (1 - rate), 4))
        return f"({fmt_number(v)} − {base}) ÷ ({fmt_number(t)} − {base})"
    return f"{fmt_number(v)} ÷ {fmt_number(t)}"


def _undated(text: str) -> str:
    return NOT_FIGURES.sub(" ", text)


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def year_schedule_how(schedule: float) -> str:
    """The year's 序时进度 is month-based: the months elapsed over twelve."""
    months = schedule * 12
    shown = fmt_number(months, 0) if abs(months - round(months)) < 1e-9 else fixed(months, 2)
    return f"{shown} ÷ 12（全年按月计）"
