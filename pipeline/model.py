"""Types every stage shares: value status, severity, return status, and the snapshot.

The input half (ingest, ledger) produces these; the output half (analytics, 汇总表, documents)
reads only a `Snapshot` and the config, never SQL or the spreadsheet readers.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # findings.py builds on this module's Severity
    from .findings import Finding


class ValueStatus(enum.StrEnum):
    """What a value cell held once the rules had run."""

    ok = "ok"  # a number (or stage) that entered the ledger
    empty = "empty"  # left blank: 未填, never 0
    not_reported = "not_reported"  # 「/」「无」…: explicitly not reported
    invalid = "invalid"  # not a number (or stage); excluded
    excluded = "excluded"  # read, but an error rule excluded it: 数据有误

    @property
    def label(self) -> str:
        return VALUE_STATUS_LABELS[self]


VALUE_STATUS_LABELS = {
    ValueStatus.ok: "已填报",
    ValueStatus.empty: "未填",
    ValueStatus.not_reported: "未填",
    ValueStatus.invalid: "数据有误",
    ValueStatus.excluded: "数据有误",
}


class Severity(enum.StrEnum):
    """An error excludes the value(s) it concerns (or the whole file); a warning keeps and flags."""

    error = "错误"
    warning = "警告"


class ReturnStatus(enum.StrEnum):
    """A reporting unit's return for a period, as the 催报名单 and the 月通报 name it."""

    on_time = "按时报送"
    late = "逾期报送"
    rejected = "被拒收"
    missing = "未报送"


@dataclass(frozen=True)
class Source:
    """Where a value came from: the returned file, its sheet and cell, and what was typed."""

    file: str  # path relative to inputs/, as received
    archive_path: str  # byte-identical copy, relative to outputs/
    sheet: str
    cell: str
    raw: str  # the cell's text as the unit typed it
    unit_code: str = ""  # the reporting unit that sent the file

    def cite(self) -> str:
        return f"{self.file} {self.sheet}!{self.cell}"


@dataclass(frozen=True)
class Entry:
    """One stored value of one row: number (or stage text) with its status and provenance."""

    status: ValueStatus
    number: float | None
    stage: str | None  # a milestone's stage
    period: str  # code of the return's period, e.g. 2023-05 or 2023-05-3
    period_end: dt.date
    flagged: bool  # kept on a warning
    source: Source

    @property
    def ok(self) -> bool:
        return self.status == ValueStatus.ok


@dataclass(frozen=True)
class RowValues:
    """A row key as of a period: what the return for that period said, and the last good value.

    `current` is None when the unit sent nothing for the period; `last_ok` is the latest ok value
    from any return ending on or before the as-of date (it may be `current` itself).
    """

    row_key: str
    unit_code: str
    current: Entry | None
    last_ok: Entry | None


@dataclass(frozen=True)
class UnitReturn:
    """A reporting unit's return for the snapshot's period."""

    unit_code: str
    status: ReturnStatus
    file: str = ""  # the current (or rejected) file
    period: str = ""  # the period of that return
    received: dt.date | None = None
    deadline: dt.date | None = None
    late_days: int = 0
    errors: int = 0  # open error findings on the current return (报错未改)
    warnings: int = 0
    reason: str = ""  # for a rejected return: why


@dataclass(frozen=True)
class Narrative:
    """A unit's text about a row: progress (进展情况), problems (存在问题) or plans (下步打算)."""

    unit_code: str
    row_key: str
    field: str  # progress / problems / plans
    text: str
    period: str
    source: Source


@dataclass(frozen=True)
class Experience:
    """A 典型经验 write-up from a unit's experience sheet."""

    unit_code: str
    title: str
    text: str
    period: str
    source: Source


@dataclass(frozen=True)
class Snapshot:
    """The ledger as of a period: everything the output half may read.

    `rows` holds every row key the ledger has values for in the year up to the as-of date; a
    reporting unit that sent nothing has no `current` entries. `series` is each row's ok values
    over the year, oldest first, for trends and charts.
    """

    year: int
    period: str  # the as-of period's code
    rows: Mapping[str, RowValues] = field(default_factory=dict)
    returns: Mapping[str, UnitReturn] = field(default_factory=dict)  # unit code → its return
    narratives: tuple[Narrative, ...] = ()
    experiences: tuple[Experience, ...] = ()
    series: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()  # open findings on the returns that count for the period
    on_time: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # unit → (on time, due) this year
