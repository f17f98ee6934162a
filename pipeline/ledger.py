"""The ledger: SQLite, and the only code that writes it.

One ledger per office and year: `ledger_meta` records both, a new year's config gets its own
file (`ledger-2024.sqlite`) and a command refuses a ledger of another office. One transaction
per returned file, so a run killed mid-batch leaves whole files or nothing; content hashes make
re-runs add nothing. A resubmission supersedes the earlier one for its unit and period; history
is kept.
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import messages
from .errors import UserError
from .findings import Finding
from .model import ValueStatus


class SubmissionStatus(enum.StrEnum):
    """A received file in the ledger: the current return, an earlier one, or refused."""

    accepted = "accepted"
    superseded = "superseded"
    rejected = "rejected"


SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    original_path TEXT NOT NULL,
    original_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT NOT NULL,
    archive_path TEXT NOT NULL,
    received_order INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'superseded', 'rejected')),
    unit_code TEXT,
    period TEXT,
    period_end TEXT,
    identified_by TEXT,
    config_fingerprint TEXT,
    received_date TEXT,
    received_source TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    filler TEXT,
    phone TEXT,
    reviewer TEXT,
    filled_date TEXT
);
CREATE INDEX IF NOT EXISTS submissions_unit_period ON submissions (unit_code, period);
CREATE INDEX IF NOT EXISTS submissions_order ON submissions (received_order);
CREATE TABLE IF NOT EXISTS cell_values (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    row_key TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    area_code TEXT,
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    raw_text TEXT NOT NULL,
    value_num REAL,
    value_text TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'empty', 'not_reported', 'invalid', 'excluded')),
    flagged INTEGER NOT NULL DEFAULT 0,
    suspect INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (submission_id, row_key)
);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    file TEXT, sheet TEXT, cell TEXT,
    unit_code TEXT, unit_name TEXT, indicator_id TEXT, indicator_name TEXT, row_key TEXT,
    raw TEXT, message TEXT NOT NULL, hint TEXT, period TEXT
);
CREATE TABLE IF NOT EXISTS narratives (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    row_key TEXT NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    cell TEXT,
    PRIMARY KEY (submission_id, row_key, field)
);
CREATE TABLE IF NOT EXISTS ledger_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS experiences (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions (id),
    title TEXT NOT NULL,
    text TEXT NOT NULL
);
"""


LEGACY_NAME = "ledger.sqlite"  # before ledgers were per year; adopted when it holds this year


def ledger_path(outputs: Path, year: int) -> Path:
    """Where the ledger of a year lives inside an outputs folder.

    A ledger from before per-year files (`ledger.sqlite`) is used in place when it belongs to the
    year and no per-year file exists yet.
    """
    named = outputs / f"ledger-{year}.sqlite"
    legacy = outputs / LEGACY_NAME
    if named.exists() or not legacy.exists():
        return named
    owner = peek_owner(legacy)
    if owner.get("year") == str(year) or (not owner.get("year") and _legacy_years(legacy) <= {str(year)}):
        return legacy
    return named


def peek_owner(path: Path) -> dict[str, str]:
    """The office and year a ledger file records, read without writing to it ({} if none)."""
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        return dict(db.execute("SELECT key, value FROM ledger_meta"))
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def _legacy_years(path: Path) -> set[str]:
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return {r[0][:4] for r in db.execute("SELECT period_end FROM submissions WHERE period_end IS NOT NULL")}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


FINDING_FIELDS = [
    "code",
    "severity",
    "file",
    "sheet",
    "cell",
    "unit_code",
    "unit_name",
    "indicator_id",
    "indicator_name",
    "row_key",
    "raw",
    "message",
    "hint",
    "period",
]


@dataclass
class Submission:
    sha256: str
    original_path: str
    original_name: str
    size: int
    mtime: str
    archive_path: str
    status: SubmissionStatus = SubmissionStatus.rejected
    unit_code: str | None = None
    period: str | None = None
    period_end: str | None = None
    identified_by: str | None = None
    config_fingerprint: str | None = None
    received_date: str | None = None
    received_source: str | None = None
    late: bool = False
    filler: str | None = None
    phone: str | None = None
    reviewer: str | None = None
    filled_date: str | None = None


@dataclass
class StoredValue:
    row_key: str
    indicator_id: str
    area_code: str | None
    sheet: str
    cell: str
    raw_text: str
    value_num: float | None
    value_text: str | None
    status: ValueStatus
    flagged: bool
    suspect: bool = False  # kept on a warning that doubts the figure itself: never prefilled as is


class Ledger:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.year: int | None = None  # set by for_config: reads are scoped to it
        self._histories: dict[str, dict] | None = None  # unit → history, while a run keeps them
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(SCHEMA)
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(cell_values)")}
        if "suspect" not in columns:  # a ledger written before values could be suspect
            self.db.execute("ALTER TABLE cell_values ADD COLUMN suspect INTEGER NOT NULL DEFAULT 0")

    @classmethod
    def for_config(cls, cfg, outputs: Path, create: bool = True) -> Ledger | None:
        """The ledger of the config's office and year in `outputs`; refuses another office's.

        With create=False a missing ledger gives None (for commands that only read).
        """
        path = ledger_path(outputs, cfg.year)
        if not path.exists() and not create:
            return None
        owner = peek_owner(path) if path.exists() else {}
        if owner and (owner.get("office") != cfg.office.name or owner.get("year") != str(cfg.year)):
            raise UserError(
                messages.LEDGER_OTHER_OFFICE.format(
                    path=path,
                    office=owner.get("office", "?"),
                    year=owner.get("year", "?"),
                    ours=cfg.office.name,
                    our_year=cfg.year,
                )
                + messages.LEDGER_OTHER_OFFICE_HINT.format(code=cfg.year)
            )
        ledger = cls(path)
        ledger.year = cfg.year
        if not owner:
            ledger.db.executemany(
                "INSERT OR REPLACE INTO ledger_meta (key, value) VALUES (?, ?)",
                [("office", cfg.office.name), ("year", str(cfg.year)), ("created", dt.date.today().isoformat())],
            )
        return ledger

    def owner(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM ledger_meta"))

    def _year_clause(self, column: str = "s.period_end") -> tuple[str, tuple]:
        if self.year is None:
            return "", ()
        return f" AND {column} BETWEEN ? AND ?", (f"{self.year}-01-01", f"{self.year}-12-31")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reads ---------------------------------------------------------------------------
    def known(self, sha256: str) -> sqlite3.Row | None:
        cur = self.db.execute(
            "SELECT id, original_name, status, unit_code, period FROM submissions WHERE sha256 = ?", (sha256,)
        )
        return cur.fetchone()

    def current(self, unit_code: str, period: str) -> tuple[int, str] | None:
        cur = self.db.execute(
            "SELECT id, original_name FROM submissions WHERE unit_code = ? AND period = ? AND status = 'accepted'",
            (unit_code, period),
        )
        return cur.fetchone()

    def history(
        self, unit_code: str, year: int | None = None, trusted_only: bool = True
    ) -> dict[str, list[tuple[dt.date, str, float | str]]]:
        """Accepted, unexcluded values of a unit by row key, oldest period first, within one year.

        The year is the ledger's (or the one given); suspect values are left out unless asked for,
        so a figure kept on a doubt never becomes the yardstick of the next period.
        """
        year = year or self.year
        where, args = ("", ())
        if year is not None:
            where, args = " AND s.period_end BETWEEN ? AND ?", (f"{year}-01-01", f"{year}-12-31")
        trusted = " AND v.suspect = 0" if trusted_only else ""
        cur = self.db.execute(
            f"""SELECT s.period_end, s.period, v.row_key, v.value_num, v.value_text
               FROM cell_values v JOIN submissions s ON s.id = v.submission_id
               WHERE s.unit_code = ? AND s.status = 'accepted' AND v.status = 'ok'{trusted}{where}
               ORDER BY s.period_end, s.received_order""",
            (unit_code, *args),
        )
        out: dict[str, list] = {}
        for end, code, key, num, text in cur:
            out.setdefault(key, []).append((dt.date.fromisoformat(end), code, num if num is not None else text))
        return out

    def keep_histories(self) -> None:
        """From now on, `unit_history` reads a unit's history once and `record` keeps it up to date
        (a batch judges each file against the returns recorded before it, in the same order)."""
        self._histories = {}

    def unit_history(self, unit_code: str) -> dict[str, list[tuple[dt.date, str, float | str]]]:
        """`history(unit_code)` in the ledger's year, trusted values only; kept once asked for."""
        if self._histories is None:
            return self.history(unit_code)
        found = self._histories.get(unit_code)
        if found is None:
            found = self._histories[unit_code] = self.history(unit_code)
        return found

    def _remember(self, sub: Submission, values: list[StoredValue]) -> None:
        """What `history` would now read for the unit of an accepted submission just committed:
        the period's earlier return is superseded, this one's ok and trusted values come last
        among the returns of its period end or before (it has the highest received order)."""
        kept = self._histories.get(sub.unit_code) if self._histories is not None else None
        if kept is None:
            return
        for key, entries in list(kept.items()):
            kept[key] = [e for e in entries if e[1] != sub.period]
            if not kept[key]:
                del kept[key]
        end = dt.date.fromisoformat(sub.period_end) if sub.period_end else None
        if end is None or (self.year is not None and end.year != self.year):
            return
        for v in values:
            if v.status != ValueStatus.ok or v.suspect:
                continue
            entries = kept.setdefault(v.row_key, [])
            at = len(entries)
            while at > 0 and entries[at - 1][0] > end:
                at -= 1
            entries.insert(at, (end, sub.period, v.value_num if v.value_num is not None else v.value_text))

    def submissions(self, period: str | None = None) -> list[sqlite3.Row]:
        self.db.row_factory = sqlite3.Row
        try:
            sql = "SELECT * FROM submissions" + (" WHERE period = ?" if period else "") + " ORDER BY received_order"
            return list(self.db.execute(sql, (period,) if period else ()))
        finally:
            self.db.row_factory = None

    def findings_for(self, period: str) -> list[Finding]:
        """Findings of the period's current submissions (accepted or rejected, not superseded)."""
        cols = ", ".join(f"f.{c}" for c in FINDING_FIELDS if c != "severity")
        cur = self.db.execute(
            f"""SELECT {cols} FROM findings f JOIN submissions s ON s.id = f.submission_id
                WHERE s.period = ? AND s.status != 'superseded' ORDER BY s.received_order, f.id""",
            (period,),
        )
        names = [c for c in FINDING_FIELDS if c != "severity"]
        return [Finding(**{k: (v or "") for k, v in zip(names, row, strict=True)}) for row in cur]

    def values_for(self, period: str) -> list[tuple[str, StoredValue]]:
        cur = self.db.execute(
            """SELECT s.unit_code, v.row_key, v.indicator_id, v.area_code, v.sheet, v.cell, v.raw_text, v.value_num,
                      v.value_text, v.status, v.flagged, v.suspect
               FROM cell_values v JOIN submissions s ON s.id = v.submission_id
               WHERE s.period = ? AND s.status = 'accepted' ORDER BY s.received_order, v.rowid""",
            (period,),
        )
        return [(row[0], StoredValue(*row[1:9], ValueStatus(row[9]), bool(row[10]), bool(row[11]))) for row in cur]

    def latest_values(self, unit_code: str, before: dt.date) -> dict[str, StoredValue]:
        """Each row's last ok value of a unit from returns ending before a date, in the ledger's year."""
        where, args = self._year_clause()
        cur = self.db.execute(
            f"""SELECT v.row_key, v.indicator_id, v.area_code, v.sheet, v.cell, v.raw_text, v.value_num,
                       v.value_text, v.status, v.flagged, v.suspect
                FROM cell_values v JOIN submissions s ON s.id = v.submission_id
                WHERE s.unit_code = ? AND s.status = 'accepted' AND v.status = 'ok' AND s.period_end < ?{where}
                ORDER BY s.period_end, s.received_order""",
            (unit_code, before.isoformat(), *args),
        )
        return {row[0]: StoredValue(*row[:8], ValueStatus(row[8]), bool(row[9]), bool(row[10])) for row in cur}

    def periods(self) -> list[str]:
        where, args = self._year_clause("period_end")
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT DISTINCT period FROM submissions WHERE period IS NOT NULL{where} ORDER BY period_end", args
            )
        ]

    def unplaced(self) -> list[sqlite3.Row]:
        """Rejected files that could not be tied to a period of the year, not since replaced.

        A later file with the same path, or a later accepted return of the same unit, settles it.
        """
        self.db.row_factory = sqlite3.Row
        try:
            return list(
                self.db.execute(
                    """SELECT * FROM submissions s WHERE s.status = 'rejected' AND s.period IS NULL
                       AND NOT EXISTS (SELECT 1 FROM submissions t WHERE t.received_order > s.received_order
                           AND (t.original_path = s.original_path
                                OR (s.unit_code IS NOT NULL AND t.unit_code = s.unit_code
                                    AND t.status = 'accepted')))
                       ORDER BY s.received_order"""
                )
            )
        finally:
            self.db.row_factory = None

    def findings_of(self, submission_id: int) -> list[Finding]:
        cols = ", ".join(c for c in FINDING_FIELDS if c != "severity")
        names = [c for c in FINDING_FIELDS if c != "severity"]
        cur = self.db.execute(f"SELECT {cols} FROM findings WHERE submission_id = ? ORDER BY id", (submission_id,))
        return [Finding(**{k: (v or "") for k, v in zip(names, row, strict=True)}) for row in cur]

    def rejected_for_config(self, fingerprint: str, codes: Iterable[str]) -> dict[str, int]:
        """sha256 → id of rejected files whose rejection depended on a config other than this one."""
        codes = list(codes)
        marks = ", ".join("?" * len(codes))
        cur = self.db.execute(
            f"""SELECT s.sha256, s.id FROM submissions s WHERE s.status = 'rejected'
                AND COALESCE(s.config_fingerprint, '') != ?
                AND EXISTS (SELECT 1 FROM findings f WHERE f.submission_id = s.id AND f.code IN ({marks}))""",
            (fingerprint, *codes),
        )
        return dict(cur.fetchall())

    # -- the one write path --------------------------------------------------------------
    def record(
        self,
        sub: Submission,
        values: list[StoredValue] = (),
        findings: Iterable[Finding] = (),
        narratives: Iterable[tuple[str, str, str, str]] = (),
        experience: tuple[str, str] | None = None,
        replaces: int | None = None,
    ) -> int:
        """Store one file and everything read from it, atomically; supersede the earlier accepted one.

        `replaces` is the id of this same file's earlier rejection, read again under a new config:
        that record (and its findings) gives way to this one.
        """
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if replaces is not None:
                db.execute("DELETE FROM findings WHERE submission_id = ?", (replaces,))
                db.execute("DELETE FROM submissions WHERE id = ? AND status = 'rejected'", (replaces,))
            order = db.execute("SELECT COALESCE(MAX(received_order), 0) + 1 FROM submissions").fetchone()[0]
            if sub.status == SubmissionStatus.accepted:
                db.execute(
                    "UPDATE submissions SET status = 'superseded' WHERE unit_code = ? AND period = ? "
                    "AND status = 'accepted'",
                    (sub.unit_code, sub.period),
                )
            cur = db.execute(
                """INSERT INTO submissions (sha256, original_path, original_name, size, mtime, archive_path,
                       received_order, status, unit_code, period, period_end, identified_by, config_fingerprint,
                       received_date, received_source, late, filler, phone, reviewer, filled_date)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    sub.sha256,
                    sub.original_path,
                    sub.original_name,
                    sub.size,
                    sub.mtime,
                    sub.archive_path,
                    order,
                    str(sub.status),
                    sub.unit_code,
                    sub.period,
                    sub.period_end,
                    sub.identified_by,
                    sub.config_fingerprint,
                    sub.received_date,
                    sub.received_source,
                    int(sub.late),
                    sub.filler,
                    sub.phone,
                    sub.reviewer,
                    sub.filled_date,
                ),
            )
            sid = cur.lastrowid
            _insert_rows(
                db,
                """INSERT INTO cell_values (submission_id, row_key, indicator_id, area_code, sheet, cell, raw_text,
                       value_num, value_text, status, flagged, suspect) VALUES """,
                12,
                [
                    (
                        sid,
                        v.row_key,
                        v.indicator_id,
                        v.area_code,
                        v.sheet,
                        v.cell,
                        v.raw_text,
                        v.value_num,
                        v.value_text,
                        str(v.status),
                        int(v.flagged),
                        int(v.suspect),
                    )
                    for v in values
                ],
            )
            db.executemany(
                f"INSERT INTO findings (submission_id, {', '.join(FINDING_FIELDS)}) "
                f"VALUES (?, {', '.join('?' * len(FINDING_FIELDS))})",
                [(sid, *[str(getattr(f, c)) for c in FINDING_FIELDS]) for f in findings],
            )
            _insert_rows(
                db,
                "INSERT INTO narratives (submission_id, row_key, field, text, cell) VALUES ",
                5,
                [(sid, *n) for n in narratives],
            )
            if experience and (experience[0] or experience[1]):
                db.execute("INSERT INTO experiences (submission_id, title, text) VALUES (?, ?, ?)", (sid, *experience))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if sub.status == SubmissionStatus.accepted:
            self._remember(sub, values)
        return sid

    # -- document numbers (发文字号 / 期数) ------------------------------------------------
    def document_number(self, kind: str, year: int, period: str, choose) -> int:
        """The number of `period`'s document of `kind` in `year`, assigned once and kept.

        `choose(existing)` gets the year's numbers so far (period code → number) and returns the
        number for a period that has none yet (pipeline.documents.numbering.choose)."""
        db = self.db
        db.execute(
            """CREATE TABLE IF NOT EXISTS document_numbers (
                kind TEXT NOT NULL, year INTEGER NOT NULL, period TEXT NOT NULL, number INTEGER NOT NULL,
                assigned TEXT NOT NULL, PRIMARY KEY (kind, year, period), UNIQUE (kind, year, number))"""
        )
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = db.execute("SELECT period, number FROM document_numbers WHERE kind = ? AND year = ?", (kind, year))
            existing = {p: n for p, n in rows}
            if period in existing:
                db.execute("COMMIT")
                return existing[period]
            number = int(choose(existing))
            db.execute(
                "INSERT INTO document_numbers (kind, year, period, number, assigned) VALUES (?, ?, ?, ?, ?)",
                (kind, year, period, number, dt.datetime.now().isoformat(timespec="seconds")),
            )
            db.execute("COMMIT")
            return number
        except BaseException:
            db.execute("ROLLBACK")
            raise


ROWS_PER_INSERT = 64  # 64 rows × 12 columns stay under SQLite's oldest limit of 999 parameters


def _insert_rows(db: sqlite3.Connection, head: str, width: int, rows: list[tuple]) -> None:
    """INSERT … VALUES (…), (…), …: one statement per 64 rows, rows in their order (the same
    rowids as one INSERT per row), a third cheaper than executemany for a return's 40 rows."""
    for start in range(0, len(rows), ROWS_PER_INSERT):
        part = rows[start : start + ROWS_PER_INSERT]
        marks = "(" + ", ".join("?" * width) + ")"
        db.execute(head + ", ".join([marks] * len(part)), [x for row in part for x in row])
