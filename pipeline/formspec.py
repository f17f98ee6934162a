"""The 填报表 contract shared by the form writer and the return reader.

Which rows a unit reports, how a row is keyed, where every cell sits. docs/template-spec.md
describes the same layout for people and third-party programs; keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .config import CHAIN_OFFICE, NOT_APPLICABLE, Config, Indicator, Kind, Project
from .numbers import fmt_number
from .targets import target_text

TEMPLATE_VERSION = 1
FORM_TYPE = "minsheng-return"

SHEET_FORM = "填报表"
SHEET_EXPERIENCE = "典型经验材料"
SHEET_META = "_meta"

# Title block (1-based rows, 0-based columns as xlsxwriter/calamine use them).
UNIT_CELL = "A2"  # 「填报单位：…」 (label and value in one merged cell A2:E2)
PERIOD_CELL = "F2"  # 「填报期别：…」 F2:I2
DEADLINE_CELL = "J2"  # 「报送截止：…」 J2:L2
FILLER_CELL = "C3"
PHONE_CELL = "F3"  # merged F3:G3
REVIEWER_CELL = "J3"
DATE_CELL = "L3"
HEADER_ROW = 5  # the column header row (1-based)
FIRST_DATA_ROW = 6

# The title block's labels, where the template puts each label and its input cell. The reader
# finds them by label, so an inserted column or row does not make it read a label as a value.
TITLE_FIELDS = {
    "filler": ("填报人", "A3", FILLER_CELL),
    "phone": ("联系电话", "D3", PHONE_CELL),
    "reviewer": ("审核（分管领导）", "H3", REVIEWER_CELL),
    "date": ("填报日期", "K3", DATE_CELL),
}

# Experience sheet input cells.
EXP_TITLE_CELL = "B3"
EXP_TEXT_CELL = "B4"


@dataclass(frozen=True)
class Column:
    letter: str
    header: str
    field: str
    width: float
    is_input: bool = False


COLUMNS = [
    Column("A", "序号", "seq", 5),
    Column("B", "项目", "project", 16),
    Column("C", "指标", "indicator", 24),
    Column("D", "区域", "area", 8),
    Column("E", "计量单位", "measure", 8),
    Column("F", "年度目标", "target", 10),
    Column("G", "上期累计", "previous", 10),
    Column("H", "本期累计完成", "value", 12, is_input=True),
    Column("I", "完成率", "rate", 8),
    Column("J", "进展情况", "progress", 26, is_input=True),
    Column("K", "存在问题", "problems", 20, is_input=True),
    Column("L", "下步打算", "plans", 20, is_input=True),
    Column("M", "行键", "key", 18),  # hidden: the stable row key travels with the row
]
COL = {c.field: c for c in COLUMNS}
INPUT_FIELDS = [c.field for c in COLUMNS if c.is_input]
TEXT_FIELDS = ["progress", "problems", "plans"]

PENDING_TEXT = "目标待定"
TOTAL_LABEL = "合计"


def col_index(letter: str) -> int:
    return ord(letter) - ord("A")


def row_key(indicator_id: str, area_code: str | None = None) -> str:
    """The stable key of a row: the indicator id, plus `@area` for an area's row."""
    return f"{indicator_id}@{area_code}" if area_code else indicator_id


@dataclass(frozen=True)
class FormRow:
    """One row of a unit's form: an indicator (or its 合计), or one area of it.

    Immutable, like the config it comes from, so what is derived from it is computed once
    (cached_property): ingest asks for the label, unit and target text of each row of each file."""

    key: str
    seq: str
    project: Project
    indicator: Indicator
    area_code: str | None
    area_name: str  # "", "合计" or the area's name
    target: float | str | None  # number, stage name, or None when pending
    aggregates: bool = False  # a 合计 that sums areas other units fill: the reviewing unit's (chain.review)

    @property
    def kind(self) -> Kind:
        return self.indicator.kind

    @property
    def is_pending(self) -> bool:
        return self.target is None

    @property
    def is_total(self) -> bool:
        return self.area_name == TOTAL_LABEL

    @cached_property
    def label(self) -> str:
        """How messages name the row: the indicator, with its area when it is an area's row."""
        return self.indicator.name + (f"（{self.area_name}）" if self.area_code else "")

    @cached_property
    def measure(self) -> str:
        """The row's unit of measure: area rows may count in 人 under a total in 万人; a site has a stage."""
        if self.is_site:
            return ""
        return self.indicator.row_unit if self.area_code else self.indicator.unit

    def target_text(self) -> str:
        """The 年度目标 cell as the form prints it (targets.target_text: 暂定, baseline, deadline…)."""
        return self._target_text

    @cached_property
    def _target_text(self) -> str:
        return target_text(self.indicator, self.area_code)

    @cached_property
    def is_site(self) -> bool:
        return self.indicator.site(self.area_code) is not None

    @cached_property
    def staged(self) -> bool:
        """The value is a stage chosen from a list (a milestone, or a named site)."""
        return self.indicator.kind == Kind.milestone or self.is_site

    @property
    def target_is_plain_number(self) -> bool:
        return isinstance(self.target, float) and self.target_text() == fmt_number(self.target)


def _target(ind: Indicator, area: str | None) -> float | str | None:
    if ind.kind == Kind.milestone or ind.site(area):
        return ind.target_stage
    if area is None:
        return None if ind.is_pending else ind.target
    value = ind.area_targets.get(area)
    return None if value is None or value == NOT_APPLICABLE else value


def row_plan(cfg: Config, p: Project, ind: Indicator) -> list[tuple[str | None, str | None, str]]:
    """(unit, area code, area name) of each row of one indicator, in form order: who fills what.

    An indicator without areas is one row for its reporter; named sites are a row each. With areas,
    an area that has a unit of kind area is filled by that unit (unless chain.fill is lead), the other
    areas by the indicator's reporter. The 合计 is on the form of the reviewing unit (chain.review)
    when there is one; otherwise on the reporter's when it fills every area itself; with areas
    filled by their own units, or chain.review: office, on nobody's: the office adds the areas up.
    """
    reporter = cfg.reporter_of(p, ind)
    if ind.sites:  # one row per named site; the office counts the sites that reached the stage
        return [(reporter, site.code, site.name) for site in ind.sites]
    names = {a.code: a.name for a in cfg.areas}
    order = {code: i for i, code in enumerate(names)}
    applicable = sorted(ind.applicable_areas(), key=lambda a: order.get(a, len(order)))
    if not applicable:
        return [(reporter, None, "")]
    by_area = cfg.fills_by_area(p, ind)
    reporters = _area_reporters(cfg) if by_area else {}
    delegated = [reporters.get(a) for a in applicable]
    reviewer = cfg.reviewer_of(p, ind)
    chain = cfg.chain_of(p, ind)
    office_sums = chain is not None and chain.review == CHAIN_OFFICE
    if reviewer is not None:
        total = [(reviewer, None, TOTAL_LABEL)]
    elif not office_sums and not any(delegated):
        total = [(reporter, None, TOTAL_LABEL)]
    else:
        total = []
    return total + [(d or reporter, a, names[a]) for d, a in zip(delegated, applicable, strict=True)]


_AREA_UNITS: dict[int, tuple[list, dict[str, str]]] = {}


def _area_reporters(cfg: Config) -> dict[str, str]:
    """cfg.area_reporter for every area at once (the first unit of kind area for it), made once per
    units list: row_plan asks for each area of each indicator, which was units × areas × indicators."""
    units = cfg.units
    hit = _AREA_UNITS.get(id(units))
    if hit is None or hit[0] is not units:
        if len(_AREA_UNITS) > 16:
            _AREA_UNITS.clear()
        found: dict[str, str] = {}
        for u in units:
            if u.kind == "area" and u.area is not None:
                found.setdefault(u.area, u.code)
        hit = _AREA_UNITS[id(units)] = (units, found)
    return hit[1]


_ROWS: dict[int, tuple[Config, dict[str, list[FormRow]]]] = {}


def rows_by_unit(cfg: Config) -> dict[str, list[FormRow]]:
    """Every reporting unit's rows, in the order of the 分解方案 (who fills which: `row_plan`).

    Worked out once per config (which is frozen; the config is held so that its id stays its
    own) and handed out as fresh lists: ingest, the snapshot and the analytics all ask for it.
    """
    hit = _ROWS.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        if len(_ROWS) > 8:
            _ROWS.clear()
        hit = _ROWS[id(cfg)] = (cfg, _rows_by_unit(cfg))
    return {unit: list(rows) for unit, rows in hit[1].items()}


def _rows_by_unit(cfg: Config) -> dict[str, list[FormRow]]:
    out: dict[str, list[FormRow]] = {}
    counters: dict[str, int] = {}
    for p, ind in cfg.indicators():
        plan = row_plan(cfg, p, ind)
        total_unit = next((u for u, a, name in plan if a is None and name == TOTAL_LABEL), None)
        aggregates = any(u != total_unit for u, a, _ in plan if a is not None) if total_unit else False
        for unit, area, area_name in plan:
            if unit is None:
                continue
            rows = out.setdefault(unit, [])
            same = rows and rows[-1].indicator.id == ind.id
            if not same:
                counters[unit] = counters.get(unit, 0) + 1
            seq = "" if same else str(counters[unit])
            is_total = area is None and area_name == TOTAL_LABEL
            row = FormRow(
                row_key(ind.id, area), seq, p, ind, area, area_name, _target(ind, area), is_total and aggregates
            )
            rows.append(row)
    return out


def reporting_units(cfg: Config) -> list[str]:
    """Codes of the units that return a form, in config order."""
    rows = rows_by_unit(cfg)
    return [u.code for u in cfg.units if u.code in rows]
