"""The progress report: every number the 汇总表, the bulletins and `status` print.

Frozen dataclasses built by `pipeline.analytics.progress.build_report`. Percentages are kept
twice: as fractions (`rate`, `schedule`) for arithmetic and as printed figures rounded to the
configured decimals (`rate_pct`, `schedule_pct`), with `gap_pp` the difference of the printed
figures, so a reader can check every gap by hand. docs/analytics.md defines each figure.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..findings import Finding
from ..model import Experience, Narrative, Source, UnitReturn
from ..numbers import pct


class Status(enum.StrEnum):
    """An indicator's (or a unit's, an area's) state for the period. Every line has exactly one."""

    done = "已完成"
    ahead = "超序时"
    on_track = "按序时"
    lagging = "滞后"
    severe = "严重滞后"
    missing = "未报送"
    invalid = "数据有误"
    unfilled = "未填"
    pending = "目标待定"


STATUS_ORDER = list(Status)
LAGGING = (Status.lagging, Status.severe)
NO_FIGURE = (Status.missing, Status.invalid, Status.unfilled)


class Light(enum.StrEnum):
    green = "绿灯"
    yellow = "黄灯"
    red = "红灯"
    none = "—"  # no figure to judge: 未报送 / 数据有误 / 未填 / 目标待定


@dataclass(frozen=True)
class Line:
    """Progress of one indicator (its total) or of one area of it, for the period."""

    key: str  # row key: indicator id, or id@area
    indicator_id: str
    area_code: str | None
    label: str  # "" for an indicator without areas, 合计, or the area's name
    target: float | None  # the number progress is measured against (None: none applies)
    target_text: str  # the target as printed: 4980 / 暂定4980 / 在96.4%基础上持续改善 / 启动建设
    provisional: bool  # 暂定: the higher level has not fixed the number yet
    value: float | None  # cumulative value, or current level for stock/rate/standard kinds
    stage: str | None  # milestone: the stage reached
    value_period: str | None  # period code the shown value was reported for
    stale: bool  # the value is from a return before this period: the unit did not report in it
    previous: float | None  # the value as of the previous period of the same kind
    increment: float | None  # 本期新增 = value − previous (cumulative kinds only)
    rate: float | None  # 完成率 as a fraction, unrounded (may exceed 1)
    schedule: float | None  # 序时进度 as a fraction for this line (its own window or plan)
    rate_pct: float | None  # 完成率 in %, rounded to the configured decimals
    schedule_pct: float | None  # 序时进度 in %, rounded likewise
    gap_pp: float | None  # rate_pct − schedule_pct, in 百分点 (for rate kinds: value − target)
    status: Status
    light: Light
    incomplete: bool = False  # a sum that lacks a missing or excluded part: not understated
    how: str = ""  # how the figure was computed, e.g. 「3120 ÷ 4980」
    sources: tuple[Source, ...] = ()  # every cell that went into `value`
    note: str = ""  # a short plain sentence, e.g. 「截至4月下旬」 for a stale value


@dataclass(frozen=True)
class IndicatorProgress:
    category: str  # display name of the category
    category_order: int
    project_id: str
    project_number: int
    project_title: str
    indicator_id: str
    name: str
    measure: str  # 计量单位 as printed
    kind: str  # the config's Kind value
    lead: str  # lead unit name(s), 、-joined
    lead_codes: tuple[str, ...]
    reporters: tuple[str, ...]  # codes of the units that report its rows
    parent: str | None  # 其中: the parent indicator's id (never added to it)
    total: Line
    areas: tuple[Line, ...] = ()
    co: str = ""  # 责任单位 names, 、-joined
    leader: str = ""  # 分管领导
    certifier: str = ""  # 数据评估认定单位 name
    chain: str = ""  # 填报 → 审核汇总 → 核验认定 as the forms print it; "" when the config writes no chain
    wording: str = ""  # the document's own wording of the target (target_text)

    @property
    def status(self) -> Status:
        return self.total.status


@dataclass(frozen=True)
class Tally:
    """Counts by status over a set of indicators; the counts always add up to `indicators`."""

    name: str
    projects: int
    indicators: int
    counts: Mapping[Status, int]
    completion: float | None  # the overall completion figure (docs/analytics.md), fraction
    completion_pct: float | None

    def share_pct(self, status: Status, decimals: int = 1) -> float:
        return pct(self.counts.get(status, 0) / self.indicators, decimals) if self.indicators else 0.0


@dataclass(frozen=True)
class Ranked:
    """A reporting unit or an area in a ranking. `rank` None: listed, not ranked (nothing due)."""

    code: str
    name: str
    score: float | None  # the ranking score (docs/analytics.md), in points
    rank: int | None
    indicators: int  # lines that entered the score
    done: int
    lagging: tuple[str, ...]  # keys of its lagging lines
    missing: tuple[str, ...]  # keys with no figure (未报送 / 数据有误 / 未填)
    on_time_rate: float | None = None  # units: share of its returns this year that came on time
    return_status: str = ""  # units: ReturnStatus value for this period


@dataclass(frozen=True)
class Change:
    key: str
    indicator_id: str
    label: str  # indicator name, with the area
    before: Status
    after: Status


@dataclass(frozen=True)
class Changes:
    newly_done: tuple[Change, ...] = ()
    newly_lagging: tuple[Change, ...] = ()
    recovered: tuple[Change, ...] = ()  # was 滞后 / 严重滞后, now on or ahead of 序时 (or done)


@dataclass(frozen=True)
class ProgressReport:
    period: str  # code of the period, e.g. 2023-05
    period_kind: str  # dekad / month / quarter / year
    period_label: str  # 2023年5月
    previous_period: str | None
    as_of: str  # the cut-off date, ISO: 2023-05-31 (or 2023-05-20 with a cut-off day)
    schedule: float  # the year's 序时进度 used by default, fraction
    schedule_pct: float
    decimals: int  # percent decimals used in the printed figures
    indicators: tuple[IndicatorProgress, ...]
    overall: Tally  # every indicator except 其中 children
    categories: tuple[Tally, ...]
    units: tuple[Ranked, ...]  # ranking of reporting units, ranked first, then listed
    areas: tuple[Ranked, ...] = ()  # ranking of areas where targets are broken down
    praised: tuple[Ranked, ...] = ()  # the top N (config) of `units`
    named: tuple[Ranked, ...] = ()  # the bottom N (config) of `units`
    changes: Changes = Changes()
    returns: Mapping[str, UnitReturn] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()  # open findings of the period's current returns
    narratives: tuple[Narrative, ...] = ()
    experiences: tuple[Experience, ...] = ()
    series: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    def indicator(self, indicator_id: str) -> IndicatorProgress:
        return next(i for i in self.indicators if i.indicator_id == indicator_id)

    def lines(self) -> list[tuple[IndicatorProgress, Line]]:
        """Every line: each indicator's total, then its areas."""
        return [(i, line) for i in self.indicators for line in (i.total, *i.areas)]
