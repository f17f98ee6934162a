"""Reporting periods (旬 / 周 / 月 / 季 / 年), their arithmetic, 序时进度 and report deadlines.

序时进度 is month-based, as offices compute it: the end of May is 5/12 of the year, and a day
inside a month counts as its share of that month.

Weeks run Monday to Sunday and carry the ISO 8601 (GB/T 7408) week number a calendar shows, but
never leave the year: week 1 starts on 1 January and the last week ends on 31 December (the days
ISO puts in the neighbouring year's week join the first or last week of this one). So every day of
the year is in exactly one week of that year, and a week's cumulative figures are this year's.
A week lies inside a month only when all its days do; one that straddles two months belongs to none.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from .errors import UserError

PERIOD_KINDS = ("dekad", "week", "month", "quarter", "year")
DEKAD_NAMES = {1: "上旬", 2: "中旬", 3: "下旬"}
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
RETURN_NAMES = {"dekad": "旬报", "week": "周报", "month": "月报", "quarter": "季报", "year": "年报"}  # a unit's return
WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
_SIZE = {"week": 0, "dekad": 1, "month": 2, "quarter": 3, "year": 4}


@functools.lru_cache(maxsize=1024)
def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week number of 28 December, which always lies in the year's last week."""
    return dt.date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    month: int = 0
    dekad: int = 0
    quarter: int = 0
    week: int = 0

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.kind in ("dekad", "month") and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.kind == "dekad" and not 1 <= self.dekad <= 3:
            raise ValueError(f"dekad out of range: {self.dekad}")
        if self.kind == "quarter" and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter out of range: {self.quarter}")
        if self.kind == "week" and not 1 <= self.week <= weeks_in_year(self.year):
            raise ValueError(f"week out of range: {self.week}")

    @classmethod
    def of_dekad(cls, year: int, month: int, dekad: int) -> Period:
        return cls("dekad", year, month=month, dekad=dekad)

    @classmethod
    def of_week(cls, year: int, week: int) -> Period:
        return cls("week", year, week=week)

    @classmethod
    def week_of(cls, day: dt.date) -> Period:
        """The week of day's year that holds it (1–3 January may be ISO's previous year's week: here week 1)."""
        iso_year, iso_week, _ = day.isocalendar()
        if iso_year < day.year:
            return cls.of_week(day.year, 1)
        if iso_year > day.year:
            return cls.of_week(day.year, weeks_in_year(day.year))
        return cls.of_week(day.year, iso_week)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls("month", year, month=month)

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        return cls("quarter", year, quarter=quarter)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls("year", year)

    # -- bounds ----------------------------------------------------------------------------
    @functools.cached_property  # a Period is immutable; ingest and analytics ask for its bounds often
    def start(self) -> dt.date:
        if self.kind == "dekad":
            return dt.date(self.year, self.month, 1 + 10 * (self.dekad - 1))
        if self.kind == "week":
            return dt.date(self.year, 1, 1) if self.week == 1 else dt.date.fromisocalendar(self.year, self.week, 1)
        if self.kind == "month":
            return dt.date(self.year, self.month, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.quarter - 2, 1)
        return dt.date(self.year, 1, 1)

    @functools.cached_property
    def end(self) -> dt.date:
        if self.kind == "dekad":
            day = 10 * self.dekad if self.dekad < 3 else _last_day(self.year, self.month)
            return dt.date(self.year, self.month, day)
        if self.kind == "week":
            if self.week == weeks_in_year(self.year):
                return dt.date(self.year, 12, 31)
            return dt.date.fromisocalendar(self.year, self.week, 7)
        if self.kind == "month":
            return dt.date(self.year, self.month, _last_day(self.year, self.month))
        if self.kind == "quarter":
            m = 3 * self.quarter
            return dt.date(self.year, m, _last_day(self.year, m))
        return dt.date(self.year, 12, 31)

    # -- names -----------------------------------------------------------------------------
    @property
    def code(self) -> str:
        if self.kind == "dekad":
            return f"{self.year}-{self.month:02d}-{self.dekad}"
        if self.kind == "week":
            return f"{self.year}-W{self.week:02d}"
        if self.kind == "month":
            return f"{self.year}-{self.month:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.quarter}"
        return f"{self.year}"

    @property
    def short_label(self) -> str:
        if self.kind == "dekad":
            return f"{self.month}月{DEKAD_NAMES[self.dekad]}"
        if self.kind == "week":
            return f"第{self.week}周"
        if self.kind == "month":
            return f"{self.month}月"
        if self.kind == "quarter":
            return f"第{QUARTER_NAMES[self.quarter]}季度"
        return "全年"

    @property
    def label(self) -> str:
        return f"{self.year}年" + ("" if self.kind == "year" else self.short_label)

    @property
    def dated_label(self) -> str:
        """A week's label with its days (2023年第21周（5月22日至5月28日）): its number alone is ambiguous."""
        if self.kind != "week":
            return self.label
        s, e = self.start, self.end
        return f"{self.label}（{s.month}月{s.day}日至{e.month}月{e.day}日）"

    def __str__(self) -> str:
        return self.code

    def sort_key(self) -> tuple[dt.date, dt.date]:
        return (self.end, self.start)

    def __lt__(self, other: Period) -> bool:
        return self.sort_key() < other.sort_key()

    # -- arithmetic --------------------------------------------------------------------------
    def _index(self) -> int:
        if self.kind == "dekad":
            return (self.year * 12 + self.month - 1) * 3 + self.dekad - 1
        if self.kind == "month":
            return self.year * 12 + self.month - 1
        if self.kind == "quarter":
            return self.year * 4 + self.quarter - 1
        return self.year

    @classmethod
    def _from_index(cls, kind: str, i: int) -> Period:
        if kind == "dekad":
            months, d = divmod(i, 3)
            y, m = divmod(months, 12)
            return cls.of_dekad(y, m + 1, d + 1)
        if kind == "month":
            y, m = divmod(i, 12)
            return cls.of_month(y, m + 1)
        if kind == "quarter":
            y, q = divmod(i, 4)
            return cls.of_quarter(y, q + 1)
        return cls.of_year(i)

    def previous(self) -> Period:
        if self.kind == "week":  # 52 or 53 weeks a year: no fixed-width index
            if self.week > 1:
                return Period.of_week(self.year, self.week - 1)
            return Period.of_week(self.year - 1, weeks_in_year(self.year - 1))
        return Period._from_index(self.kind, self._index() - 1)

    def next(self) -> Period:
        if self.kind == "week":
            if self.week < weeks_in_year(self.year):
                return Period.of_week(self.year, self.week + 1)
            return Period.of_week(self.year + 1, 1)
        return Period._from_index(self.kind, self._index() + 1)

    def contains(self, other: Period | dt.date) -> bool:
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other <= self.end

    def sub_periods(self, kind: str) -> list[Period]:
        if _SIZE[kind] > _SIZE[self.kind]:
            return []
        return [p for p in periods_of_year(kind, self.year) if self.contains(p)]

    def parent(self, kind: str) -> Period:
        if _SIZE[kind] < _SIZE[self.kind]:
            raise ValueError(f"{kind} is smaller than {self.kind}")
        found = self.within(kind)
        if found is None:
            raise ValueError(f"no {kind} holds {self.code}")
        return found

    def within(self, kind: str) -> Period | None:
        """The period of `kind` that holds this one, or None (a week across two months, a year in a quarter)."""
        if kind == self.kind:
            return self
        return next((p for p in periods_of_year(kind, self.year) if p.contains(self)), None)


def periods_of_year(kind: str, year: int) -> list[Period]:
    if kind == "dekad":
        return [Period.of_dekad(year, m, d) for m in range(1, 13) for d in (1, 2, 3)]
    if kind == "week":
        return [Period.of_week(year, w) for w in range(1, weeks_in_year(year) + 1)]
    if kind == "month":
        return [Period.of_month(year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [Period.of_quarter(year, q) for q in range(1, 5)]
    if kind == "year":
        return [Period.of_year(year)]
    raise ValueError(f"unknown period kind {kind!r}")


_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS = [
    (re.compile(r"(\d{4})-(\d{1,2})-([1-3])"), lambda m: Period.of_dekad(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda m: Period.of_month(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})-?[Qq]([1-4])"), lambda m: Period.of_quarter(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})-?[Ww](\d{1,2})"), lambda m: Period.of_week(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})(?:年度?)?"), lambda m: Period.of_year(int(m[1]))),
    (
        re.compile(r"(\d{4})年(\d{1,2})月(上|中|下)旬"),
        lambda m: Period.of_dekad(int(m[1]), int(m[2]), {"上": 1, "中": 2, "下": 3}[m[3]]),
    ),
    (re.compile(r"(\d{4})年(\d{1,2})月(?:份)?"), lambda m: Period.of_month(int(m[1]), int(m[2]))),
    (re.compile(r"(\d{4})年第?([一二三四1-4])季度?"), lambda m: Period.of_quarter(int(m[1]), _QUARTER_WORDS[m[2]])),
    (re.compile(r"(\d{4})年第?(\d{1,2})周"), lambda m: Period.of_week(int(m[1]), int(m[2]))),
]
HINT = (
    "可写 2023-05-1（5月上旬）、2023-05（5月）、2023-Q2（第二季度）、2023，"
    "或「2023年5月上旬」「2023年5月」「2023年第二季度」。"
)


def parse_period(text: str) -> Period:
    """Parse a period code or its Chinese name; raise UserError naming the text otherwise."""
    return _parse_period(str(text))


@functools.lru_cache(maxsize=1024)  # the same few codes come back for every row of the ledger
def _parse_period(text: str) -> Period:
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    for pattern, build in _FORMS:
        m = pattern.fullmatch(folded)
        if m:
            try:
                return build(m)
            except ValueError:
                break
    raise UserError(f"无法识别的期别「{text}」。{HINT}")


def parse_period_in(year: int, text: str) -> Period:
    """Parse a period that must fall in the decomposition's year."""
    period = parse_period(text)
    if period.year != year:
        raise UserError(f"期别「{period.label}」不在分解方案的年度（{year}年）内，请检查期别或配置文件。")
    return period


def _position(d: dt.date) -> float:
    """Months elapsed at the END of day d, counted from year 0."""
    return d.year * 12 + (d.month - 1) + d.day / _last_day(d.year, d.month)


@functools.lru_cache(maxsize=4096)
def schedule_progress(as_of: dt.date, start: dt.date, end: dt.date) -> float:
    """Share of the window [start, end] elapsed at the end of as_of, month-based, in [0, 1]."""
    origin = _position(start - dt.timedelta(days=1))
    span = _position(end) - origin
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (_position(as_of) - origin) / span))


def indicator_window(year: int, window_start: dt.date | None, deadline: dt.date | None) -> tuple[dt.date, dt.date]:
    return window_start or dt.date(year, 1, 1), deadline or dt.date(year, 12, 31)


@functools.lru_cache(maxsize=4096)  # pure, and asked for each row of each file
def scheduled_share(period: Period, window_start: dt.date | None = None, deadline: dt.date | None = None) -> float:
    """序时进度 at the end of the period, for an indicator's window (the year by default)."""
    start, end = indicator_window(period.year, window_start, deadline)
    return schedule_progress(period.end, start, end)


def cn_date(d: dt.date) -> str:
    """2023年5月31日: the way dates are written in documents and messages."""
    return f"{d.year}年{d.month}月{d.day}日"


def due_text(deadline: dt.date | None) -> str:
    """A deadline as forms and reports print it; 不定期 when the config fixes no day."""
    return cn_date(deadline) if deadline else "不定期"


def report_deadline(period: Period, rule) -> dt.date | None:
    """When the period's return is due, by the config's rule for its kind; None: no fixed day.

    `weekday` (a week's rule, 1 = Monday): that day of the calendar week the period ends in, or of
    the week `week_offset` weeks later (「每周五前」 = 5, 「下周一前」 = 1 with week_offset 1)."""
    if rule.none:
        return None
    if rule.after_end_days is not None:
        return period.end + dt.timedelta(days=rule.after_end_days)
    if getattr(rule, "weekday", None) is not None:
        monday = period.end - dt.timedelta(days=period.end.weekday())
        return monday + dt.timedelta(days=rule.weekday - 1 + 7 * rule.week_offset)
    months = period.end.year * 12 + period.end.month - 1 + rule.month_offset
    y, m = divmod(months, 12)
    return dt.date(y, m + 1, min(rule.day, _last_day(y, m + 1)))
