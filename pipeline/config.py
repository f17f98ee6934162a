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
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

# A stable identifier: ASCII so that it survives file names, metadata and SQL unchanged.
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

NOT_APPLICABLE = "/"  # "/" in a decomposition table: the indicator does not apply to that area
AreaTarget = float | Literal["/"] | None  # None: the area's target is still pending


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Keys added after forms were first issued: left out of the fingerprint while at their default,
    # so a config that does not use them keeps the fingerprint its outstanding forms carry.
    LATE_KEYS: ClassVar[frozenset[str]] = frozenset()


CHAIN_LEAD = "lead"  # chain.review / chain.fill: the indicator's (first) lead unit
CHAIN_OFFICE = "office"  # chain.review: nobody reviews; the office adds the areas up
CHAIN_AREAS = "areas"  # chain.fill: every area's own unit (units of kind area) fills its rows


class Chain(Strict):
    """The certification chain a 分解方案 states: 「乡镇填报 → 牵头单位审核汇总 → 人社局核验认定」.

    Written on `reporting` (every indicator), a project or an indicator; each key not written falls
    back to the level above. The reviewing unit's form carries the indicator's 合计.
    """

    fill: Literal["areas", "lead"] | None = None  # areas: units of kind area fill their areas; lead: the lead fills all
    review: Code | None = None  # 审核汇总: "lead", "office" (none: the office adds up) or a unit code
    certify: Code | None = None  # 核验认定 / 数据评估认定: a unit code (the same as `certifier`)


class CategoryDef(Strict):
    """A list the 分解方案 groups its projects into, in the order documents print them."""

    code: Code
    name: Text  # as printed: 省级重点民生实事 / 市本级重点民生实事 / 重点监测民生项目


# Used when a config has no `categories`: the four lists of the 2023 Hunan documents.
DEFAULT_CATEGORIES = [
    CategoryDef(code="provincial", name="省级重点民生实事"),
    CategoryDef(code="city", name="市级重点民生实事"),
    CategoryDef(code="local", name="本级重点民生实事"),
    CategoryDef(code="monitored", name="重点监测民生项目"),
]


class Kind(enum.StrEnum):
    count = "count"  # a number to reach by the deadline: 人, 户, 公里…
    rate = "rate"  # a rate or level to reach or keep, often against a baseline: 优良率 %
    standard = "standard"  # a standard to raise: 低保标准 不低于 650 元/月; reached or not
    share = "share"  # a share of a total: ICU 床位 ≥ 总床位的 4%; progress counted in units
    milestone = "milestone"  # progress is a named stage, not a number
    investment = "investment"  # 当年计划完成投资 in 万元
    coverage = "coverage"  # 全覆盖: N of N sites (every 二级以上医院, every village) reached


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
    # A role that returns no form: 召集人, 专班成员单位, 督查室, 数据认定单位; check-config warns when one leads
    role: Literal["convenor", "member", "supervisor", "certifier"] | None = None


ROLE_NAMES = {"convenor": "召集人", "member": "专班成员单位", "supervisor": "督查单位", "certifier": "数据认定单位"}


class Area(Strict):
    code: Code
    name: Text
    kind: Text = "乡镇"  # 县 / 市 / 区 / 乡镇 / 街道 / 市直 …, as the document names it


class PlanPoint(Strict):
    """A 节点目标: by this date, this stage (milestone) or this cumulative value (count)."""

    by: dt.date
    stage: str | None = None
    value: float | None = None


DEFAULT_STAGES = ["未启动", "前期工作", "实施中", "已完成"]  # a milestone whose document names none


class Site(Strict):
    """A named site of a count (新增标准化中职学校4所 — then the four schools): its own row and stage."""

    code: Code
    name: Text


class Indicator(Strict):
    id: Code
    name: Text
    unit: str = ""  # 计量单位 as printed: 人, 人次, %, 元/月, 万元; empty for a milestone
    area_unit: str | None = None  # unit of the area targets and area rows when it differs (万人 → 人)
    kind: Kind = Kind.count
    stock: bool = False  # a level at a date (参保人数达到106.6万人), not a count since 1 January
    target: float | None = None  # the year's target (the 合计 when broken down by area)
    target_stage: str | None = None  # milestone: the stage to reach by the deadline
    target_text: str | None = None  # the document's wording of the target, quoted in reports
    provisional: str | None = None  # the number is 暂定; the document's wording (具体以市级确定的为准)
    improve: bool = False  # 「在基数基础上持续改善」: judged against the baseline, no fixed number
    coverage_of: str | None = None  # coverage: what must all be covered (二级以上医院)
    direction: Direction = Direction.at_least
    baseline: float | None = None  # rate/level/standard: the value it starts from
    baseline_year: int | None = None
    pending: str | None = None  # the target is not fixed yet; the document's wording
    area_targets: dict[Code, AreaTarget] = {}
    area_baselines: dict[Code, float] = {}
    area_sum_note: str | None = None  # the document acknowledges that areas ≠ total
    stages: list[Text] = []  # milestone: the stages in order (DEFAULT_STAGES when none are given)
    plan: list[PlanPoint] = []  # 节点目标 by date
    sites: list[Site] = []  # named sites: one row each with its stage; the count is the sites at target_stage
    share_of: str | None = None  # share: the total it is a share of (总床位)
    share_percent: float | None = None
    total_investment: float | None = None  # investment: 总投资 (万元)
    window_start: dt.date | None = None  # 序时进度 window; defaults to 1 January
    deadline: dt.date | None = None  # 序时进度 window end; defaults to 31 December
    min_value: float | None = None  # allowed range of a reported value; defaults by kind
    max_value: float | None = None
    parent: Code | None = None  # 其中: this indicator is part of its parent
    lead: Code | list[Code] | None = None  # overrides the project's lead unit(s)
    co: list[Code] = []  # 责任单位 of this indicator, when they differ from the project's
    leader: str | None = None  # 分管领导, overrides the project's
    certifier: Code | None = None  # 数据评估认定单位, overrides the project's
    reported_by: Code | None = None  # who returns it; defaults to the lead unit
    chain: Chain | None = None  # 填报 → 审核汇总 → 核验认定, overrides the project's key by key
    note: str | None = None

    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"chain"})

    @model_validator(mode="after")
    def _default_stages(self) -> Indicator:
        if (self.kind == Kind.milestone or self.sites) and not self.stages:
            object.__setattr__(self, "stages", list(DEFAULT_STAGES))
            if self.target_stage is None and not self.pending:
                object.__setattr__(self, "target_stage", DEFAULT_STAGES[-1])
        if self.sites and self.stages and self.target_stage is None:
            object.__setattr__(self, "target_stage", self.stages[-1])
        if self.sites and self.kind == Kind.count and self.target is None and not self.pending:
            object.__setattr__(self, "target", float(len(self.sites)))  # 「4所」 then the four schools
        return self

    def site(self, code: str | None) -> Site | None:
        return next((s for s in self.sites if s.code == code), None) if code else None

    @property
    def is_pending(self) -> bool:
        return self.pending is not None

    @property
    def is_level(self) -> bool:
        """Reported as the current level, not a year-to-date count: a fall is not a correction."""
        return self.stock or self.kind in (Kind.rate, Kind.standard) or self.is_share_percent

    @property
    def is_share_percent(self) -> bool:
        """A share given only as a percentage (ICU ≥ 4% of beds): the unit reports the share."""
        return self.kind == Kind.share and self.target is None and self.share_percent is not None

    @property
    def row_unit(self) -> str:
        """The unit of measure of the area rows."""
        return self.area_unit or self.unit

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
    category: Text  # a category's code or name (see Config.categories)
    number: int = Field(ge=1)  # 序号 within its category
    title: Text
    description: str | None = None
    lead: Code | list[Code] | None = None  # several codes: joint lead units (共同牵头)
    co: list[Code] = []  # 责任单位
    co_group: str | None = None  # 责任单位 named as a group, not one by one: 「各乡镇（街道）」
    leader: str | None = None
    certifier: Code | None = None
    chain: Chain | None = None  # 填报 → 审核汇总 → 核验认定 of its indicators, overrides reporting.chain key by key
    indicators: list[Indicator] = Field(min_length=1)

    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"chain"})


class Thresholds(Strict):
    # Completion below 序时进度 by more than lagging_pp percentage points is 滞后,
    # by more than severe_pp 严重滞后; within near_pp below it the light is yellow.
    lagging_pp: float = Field(default=5.0, ge=0)
    severe_pp: float = Field(default=15.0, ge=0)
    near_pp: float = Field(default=0.0, ge=0)
    outlier_factor: float = Field(default=3.0, gt=1)  # a jump this many times the usual pace


class DeadlineRule(Strict):
    """When a period's return is due: N days after the period ends, day D of a month
    (`month_offset` 0 = the month the period ends in, 1 = the month after), or, for a week,
    a weekday (`week_offset` 0 = the week itself, 1 = the week after: 「下周一前」)."""

    after_end_days: int | None = Field(default=None, ge=0)
    day: int | None = Field(default=None, ge=1, le=31)
    month_offset: int = Field(default=0, ge=0, le=3)
    weekday: int | None = Field(default=None, ge=1, le=7)  # 1 = 周一 … 5 = 周五, 7 = 周日
    week_offset: int = Field(default=0, ge=0, le=2)
    none: bool = False  # no fixed day (不定期): nothing is late

    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"weekday", "week_offset"})


class Deadlines(Strict):
    dekad: DeadlineRule = DeadlineRule(after_end_days=2)
    week: DeadlineRule = DeadlineRule(after_end_days=2)
    month: DeadlineRule = DeadlineRule(after_end_days=5)
    quarter: DeadlineRule = DeadlineRule(after_end_days=10)
    year: DeadlineRule = DeadlineRule(after_end_days=15)

    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"week"})


class Office(Strict):
    name: Text  # 邵东市打好重点民生保障仗工作专班办公室
    short_name: str | None = None  # 市实事办
    seal_unit: str | None = None  # 代章: 邵东市人力资源和社会保障局
    doc_prefix: str | None = None  # 邵东民生办 → 邵东民生办〔2023〕5号; none: the 通报 has no 文号
    recipients: list[Text] = []  # 主送
    cc: list[Text] = []  # 抄送
    report_to: list[Text] = []  # 报送
    contact: Contact | None = None


class SourceDoc(Strict):
    """The 分解方案 the year's work rests on; bulletins cite it."""

    title: Text  # 2023年全市重点民生实事项目实施意见
    issuer: str | None = None  # may differ from the office that runs the schedule
    number: str | None = None  # 文号, e.g. 邵东民生办〔2023〕1号; many 分解方案 have none
    date: dt.date | None = None
    sealed_by: str | None = None  # 代章 unit, when the issuer had another unit seal it


DocumentKind = Literal["brief", "notice", "summary"]
PeriodKind = Literal["dekad", "week", "month", "quarter", "year"]


class DocumentSpec(Strict):
    """One document of the office's mechanism: which period it covers and what it is called."""

    period: PeriodKind
    name: Text  # 旬简报 / 周简报 / 月通报 / 月专报 / 季总结
    kind: DocumentKind  # brief: 简报 with 第N期; notice: 公文 with 文号; summary: 总结


DEFAULT_DOCUMENTS = [
    DocumentSpec(period="dekad", name="旬简报", kind="brief"),
    DocumentSpec(period="month", name="月通报", kind="notice"),
    DocumentSpec(period="quarter", name="季总结", kind="summary"),
]


class Reporting(Strict):
    """The mechanism (旬简报、月通报、季总结 or another) and how figures are cut off."""

    documents: list[DocumentSpec] = Field(default_factory=lambda: list(DEFAULT_DOCUMENTS), min_length=1)
    returns: list[PeriodKind] | None = None  # periods units return forms for; default: the documents'
    cutoff_day: int | None = Field(default=None, ge=1, le=28)  # 「每月20日前报送」: figures 截至X月20日
    schedule_at_cutoff: bool = False  # 序时 at the cut-off: (4 + 20/31)/12 instead of 5/12
    summary_name: Text = "重点民生实事进展汇总表"
    form_name: Text = "重点民生实事进展填报表"  # an office with only 监测项目 writes 重点监测民生项目进展填报表
    chain: Chain | None = None  # the chain every indicator follows unless its project or itself says otherwise

    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"chain"})

    def return_kinds(self) -> list[str]:
        kinds = self.returns if self.returns is not None else [d.period for d in self.documents]
        return [k for k in ("dekad", "week", "month", "quarter", "year") if k in kinds]

    def document(self, period_kind: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.period == period_kind), None)


class Ranking(Strict):
    """How reporting units and areas are scored for the ranking (docs/analytics.md)."""

    score: Literal["schedule", "completion"] = "schedule"  # vs 序时, or plain 完成率
    cap: float = Field(default=1.2, gt=0)  # one indicator counts at most this much (120 points)


class Bulletins(Strict):
    LATE_KEYS: ClassVar[frozenset[str]] = frozenset({"plans", "copies"})
    brief_title: Text = "重点民生实事工作简报"
    editor: str | None = None  # 编印单位 of the 简报; defaults to the office
    copies: int | None = Field(default=None, ge=1)  # 印数 in the 简报's 报尾: （共印40份）; none: not printed
    category_names: dict[str, Text] = {}  # display names by category name (older configs)
    praise_top: int = Field(default=3, ge=0)  # 通报表扬: the top N of the ranking
    name_bottom: int = Field(default=3, ge=0)  # 点名: the bottom N of the ranking
    percent_decimals: int = Field(default=1, ge=0, le=3)  # 41.7%
    requirements: list[Text] = []  # 工作要求 paragraphs of the 月通报
    plans: list[Text] = []  # 下季度工作打算 paragraphs of the 季总结 (the 月通报's requirements when empty)
    letterhead: Literal["red", "preprinted"] = "red"  # preprinted: 套打 on red-head paper, 版头 left blank
    issuer_mark: str | None = None  # 发文机关标志; defaults to the office's name + 「文件」
    measures: dict[str, Text] = Field(  # what each finding earns in the 月通报
        default_factory=lambda: {
            "严重滞后": "挂牌督办",
            "滞后": "提醒",
            "未报送": "通报批评",
            "逾期报送": "提醒",
            "报错未改": "提醒",
        }
    )


class Config(Strict):
    schema_version: Literal[1] = 1
    year: int = Field(ge=2000, le=2100)
    source: SourceDoc | None = None  # the 分解方案
    office: Office
    units: list[Unit] = Field(min_length=1)
    areas: list[Area] = []
    categories: list[CategoryDef] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES), min_length=1)
    projects: list[Project] = Field(min_length=1)
    thresholds: Thresholds = Thresholds()
    deadlines: Deadlines = Deadlines()
    reporting: Reporting = Reporting()
    ranking: Ranking = Ranking()
    bulletins: Bulletins = Bulletins()

    @model_validator(mode="before")
    @classmethod
    def _legacy_title(cls, data):
        """Older configs wrote the 分解方案's title as a top-level `title`: read it as source.title."""
        if isinstance(data, dict) and "title" in data:
            data = dict(data)
            title = data.pop("title")
            if title and "source" not in data:
                data["source"] = {"title": title}
        return data

    _warnings: list = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr(default="")
    _fingerprint: str = PrivateAttr(default="")

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

    def leads_of(self, project: Project, ind: Indicator) -> list[str]:
        """Lead unit codes, first the one who answers; joint leads share the indicator."""
        lead = ind.lead if ind.lead is not None else project.lead
        return [] if lead is None else [lead] if isinstance(lead, str) else list(lead)

    def lead_of(self, project: Project, ind: Indicator) -> str | None:
        leads = self.leads_of(project, ind)
        return leads[0] if leads else None

    def reporter_of(self, project: Project, ind: Indicator) -> str | None:
        return ind.reported_by or self.lead_of(project, ind)

    # -- the certification chain ---------------------------------------------------------------
    def chain_of(self, project: Project, ind: Indicator) -> Chain | None:
        """The chain the indicator follows, key by key from itself, its project, then reporting.chain.

        None when no level writes a chain (configs from before the key: nothing changes for them)."""
        levels = [c for c in (ind.chain, project.chain, self.reporting.chain) if c is not None]
        if not levels:
            return None
        pick = {k: next((getattr(c, k) for c in levels if getattr(c, k) is not None), None) for k in Chain.model_fields}
        pick["certify"] = self.certifier_of(project, ind)
        return Chain(**pick)

    def certifier_of(self, project: Project, ind: Indicator) -> str | None:
        """数据评估认定单位: `certifier` or `chain.certify`, the indicator's before the project's before reporting's."""
        for own, chain in (
            (ind.certifier, ind.chain),
            (project.certifier, project.chain),
            (None, self.reporting.chain),
        ):
            found = own or (chain.certify if chain is not None else None)
            if found:
                return found
        return None

    def reviewer_of(self, project: Project, ind: Indicator) -> str | None:
        """The unit that reviews and aggregates (审核汇总) and so reports the 合计; None: the office adds up."""
        chain = self.chain_of(project, ind)
        if chain is None or chain.review in (None, CHAIN_OFFICE):
            return None
        return self.lead_of(project, ind) if chain.review == CHAIN_LEAD else chain.review

    def fills_by_area(self, project: Project, ind: Indicator) -> bool:
        """Whether areas with a unit of their own (kind area) fill their rows: yes unless the chain says fill: lead."""
        chain = self.chain_of(project, ind)
        return chain is None or chain.fill != CHAIN_LEAD

    def area_reporter(self, area_code: str) -> str | None:
        """The area-kind unit that reports this area's own rows, if any."""
        for u in self.units:
            if u.kind == "area" and u.area == area_code:
                return u.code
        return None

    def category(self, ref: str) -> CategoryDef:
        """A project's category, by code or by name."""
        for c in self.categories:
            if ref in (c.code, c.name):
                return c
        raise KeyError(ref)

    def category_name(self, ref: str) -> str:
        name = self.category(ref).name
        return self.bulletins.category_names.get(name, name)

    def category_order(self, ref: str) -> int:
        return self.categories.index(self.category(ref))

    @property
    def warnings(self) -> list:
        return self._warnings

    @property
    def source_path(self) -> str:
        """The file the config was loaded from."""
        return self._source

    def fingerprint(self) -> str:
        """A short hash of the model's content: comments and layout of the YAML do not count.

        Computed once: the model is frozen, and ingest asks for it for every file."""
        if not self._fingerprint:
            data = _without_late_defaults(self, self.model_dump(mode="json"))
            canon = json.dumps(data, ensure_ascii=False, sort_keys=True)
            self._fingerprint = hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]
        return self._fingerprint

    def model_copy(self, *, update=None, deep: bool = False):
        """A copy with `update` applied is another config: its fingerprint is worked out afresh."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._fingerprint = ""
        return copy


def _without_late_defaults(model: BaseModel, data: dict) -> dict:
    """The dump minus keys added after forms were issued (LATE_KEYS) that still hold their default."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name in getattr(model, "LATE_KEYS", ()) and value == field.get_default(call_default_factory=True):
            data.pop(name, None)
        elif isinstance(value, BaseModel):
            _without_late_defaults(value, data[name])
        elif isinstance(value, list):
            for item, dumped in zip(value, data[name], strict=True):
                if isinstance(item, BaseModel):
                    _without_late_defaults(item, dumped)
    return data
