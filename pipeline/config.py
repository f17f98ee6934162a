"""The year's 分解方案 as a typed model: office, units, areas, projects, indicators, rules.

Everything the source documents say is data here; no stage hard-codes a county. The YAML
schema is documented in docs/config.md. Loading (`load_config`) validates the shape with
pydantic (unknown keys rejected), then runs the cross-checks in `pipeline.config_checks`.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

# A stable identifier: ASCII so that it survives file names, metadata and SQL unchanged.
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

NOT_APPLICABLE = "/"  # "/" in a decomposition table: the indicator does not apply to that area
AreaTarget = float | Literal["/"] | None  # None: the area's target is still pending


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(enum.StrEnum):
    provincial = "省级重点民生实事"
    city = "市级重点民生实事"
    local = "本级重点民生实事"
    monitored = "重点监测民生项目"


class Kind(enum.StrEnum):
    count = "count"  # a number to reach by the deadline: 人, 户, 公里…
    rate = "rate"  # a rate or level to reach or keep, often against a baseline: 优良率 %
    standard = "standard"  # a standard to raise: 低保标准 不低于 650 元/月; reached or not
    share = "share"  # a share of a total: ICU 床位 ≥ 总床位的 4%; progress counted in units
    milestone = "milestone"  # progress is a named stage, not a number
    investment = "investment"  # 当年计划完成投资 in 万元


class Direction(enum.StrEnum):
    at_least = "at_least"  # 达到 / 突破 / 超过 / 不低于: higher is better
    at_most = "at_most"  # 不高于 / 控制在: lower is better


class Contact(Strict):
    person: str | None = None
    phone: str | None = None


class Unit(Strict):
    code: Code
    name: Text
    kind: Literal["department", "area"] = "department"
    area: Code | None = None  # for kind "area": the area whose rows this unit reports
    aliases: list[Text] = []  # other spellings found in documents and returned files
    contact: Contact | None = None


class Area(Strict):
    code: Code
    name: Text
    kind: Text = "乡镇"  # 县 / 市 / 区 / 乡镇 / 街道 / 市直 …, as the document names it


class Indicator(Strict):
    id: Code
    name: Text
    unit: str = ""  # 计量单位 as printed: 人, 人次, %, 元/月, 万元; empty for a milestone
    kind: Kind = Kind.count
    target: float | None = None  # the year's target (the 合计 when broken down by area)
    target_stage: str | None = None  # milestone: the stage to reach by the deadline
    target_text: str | None = None  # the document's wording of the target, quoted in reports
    direction: Direction = Direction.at_least
    baseline: float | None = None  # rate/level/standard: the value it starts from
    baseline_year: int | None = None
    pending: str | None = None  # the target is not fixed yet; the document's wording
    area_targets: dict[Code, AreaTarget] = {}
    area_baselines: dict[Code, float] = {}
    area_sum_note: str | None = None  # the document acknowledges that areas ≠ total
    stages: list[Text] = []  # milestone: the stages in order
    share_of: str | None = None  # share: the total it is a share of (总床位)
    share_percent: float | None = None
    total_investment: float | None = None  # investment: 总投资 (万元)
    window_start: dt.date | None = None  # 序时进度 window; defaults to 1 January
    deadline: dt.date | None = None  # 序时进度 window end; defaults to 31 December
    min_value: float | None = None  # allowed range of a reported value; defaults by kind
    max_value: float | None = None
    parent: Code | None = None  # 其中: this indicator is part of its parent
    lead: Code | None = None  # overrides the project's lead unit
    leader: str | None = None  # 分管领导, overrides the project's
    certifier: Code | None = None  # 数据评估认定单位, overrides the project's
    reported_by: Code | None = None  # who returns it; defaults to the lead unit
    note: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.pending is not None

    def applicable_areas(self) -> list[str]:
        """Areas this indicator is broken down into, in config order; "/" areas excluded."""
        codes = list(self.area_targets) + [a for a in self.area_baselines if a not in self.area_targets]
        return [c for c in codes if self.area_targets.get(c) != NOT_APPLICABLE]

    def value_range(self) -> tuple[float | None, float | None]:
        """The range a reported value must fall in, by kind unless the config says otherwise."""
        lo = self.min_value if self.min_value is not None else 0.0
        hi = self.max_value
        if hi is None and self.kind == Kind.rate and self.unit.strip() in {"%", "％"}:
            hi = 100.0
        return lo, hi


class Project(Strict):
    id: Code
    category: Category
    number: int = Field(ge=1)  # 序号 within its category
    title: Text
    description: str | None = None
    lead: Code | None = None
    co: list[Code] = []  # 责任单位
    leader: str | None = None
    certifier: Code | None = None
    indicators: list[Indicator] = Field(min_length=1)


class Thresholds(Strict):
    # Completion below 序时进度 by more than lagging_pp percentage points is 滞后,
    # by more than severe_pp 严重滞后; within near_pp below it the light is yellow.
    lagging_pp: float = Field(default=5.0, ge=0)
    severe_pp: float = Field(default=15.0, ge=0)
    near_pp: float = Field(default=0.0, ge=0)
    outlier_factor: float = Field(default=3.0, gt=1)  # a jump this many times the usual pace


class DeadlineRule(Strict):
    """When a period's return is due: N days after the period ends, or day D of a month
    (`month_offset` 0 = the month the period ends in, 1 = the month after)."""

    after_end_days: int | None = Field(default=None, ge=0)
    day: int | None = Field(default=None, ge=1, le=31)
    month_offset: int = Field(default=0, ge=0, le=3)


class Deadlines(Strict):
    dekad: DeadlineRule = DeadlineRule(after_end_days=2)
    month: DeadlineRule = DeadlineRule(after_end_days=5)
    quarter: DeadlineRule = DeadlineRule(after_end_days=10)
    year: DeadlineRule = DeadlineRule(after_end_days=15)


class Office(Strict):
    name: Text  # 邵东市打好重点民生保障仗工作专班办公室
    short_name: str | None = None  # 市实事办
    seal_unit: str | None = None  # 代章: 邵东市人力资源和社会保障局
    doc_prefix: Text  # 邵东民生办 → 邵东民生办〔2023〕5号
    recipients: list[Text] = []  # 主送
    cc: list[Text] = []  # 抄送
    report_to: list[Text] = []  # 报送
    contact: Contact | None = None


class Bulletins(Strict):
    brief_title: Text = "重点民生实事工作简报"
    editor: str | None = None  # 编印单位 of the 简报; defaults to the office
    category_names: dict[Category, Text] = {}  # e.g. 市级重点民生实事 → 邵阳市级重点民生实事
    praise_top: int = Field(default=3, ge=0)
    requirements: list[Text] = []  # 工作要求 paragraphs of the 月通报


class Config(Strict):
    schema_version: Literal[1] = 1
    year: int = Field(ge=2000, le=2100)
    title: str | None = None  # the 分解方案's title
    office: Office
    units: list[Unit] = Field(min_length=1)
    areas: list[Area] = []
    projects: list[Project] = Field(min_length=1)
    thresholds: Thresholds = Thresholds()
    deadlines: Deadlines = Deadlines()
    bulletins: Bulletins = Bulletins()

    _warnings: list = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr(default="")

    # -- lookups -------------------------------------------------------------------------
    def unit(self, code: str) -> Unit:
        return self._units_by_code()[code]

    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def area(self, code: str) -> Area:
        return {a.code: a for a in self.areas}[code]

    def indicators(self) -> list[tuple[Project, Indicator]]:
        return [(p, i) for p in self.projects for i in p.indicators]

    def indicator(self, ind_id: str) -> tuple[Project, Indicator]:
        for p, i in self.indicators():
            if i.id == ind_id:
                return p, i
        raise KeyError(ind_id)

    def lead_of(self, project: Project, ind: Indicator) -> str | None:
        return ind.lead or project.lead

    def reporter_of(self, project: Project, ind: Indicator) -> str | None:
        return ind.reported_by or self.lead_of(project, ind)

    def area_reporter(self, area_code: str) -> str | None:
        """The area-kind unit that reports this area's own rows, if any."""
        for u in self.units:
            if u.kind == "area" and u.area == area_code:
                return u.code
        return None

    def category_name(self, category: Category) -> str:
        return self.bulletins.category_names.get(category, category.value)

    @property
    def warnings(self) -> list:
        return self._warnings

    @property
    def source(self) -> str:
        return self._source

    def fingerprint(self) -> str:
        """A short hash of the model's content: comments and layout of the YAML do not count."""
        canon = json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]
