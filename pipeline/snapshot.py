"""The ledger's one typed read for the output half: a `Snapshot` of the year as of a period.

Which return counts for a period P ("reported in P"): an accepted return whose period lies inside
P and ends in P's last reporting window — P itself for a 旬, a week or a month, the last month of a
quarter or of the year. A week counts for the month (quarter, year) only when all its days are in it. Among several (a 5月 return and a 5月下旬 return end on the same day), the one
ending later wins, and on the same end date the one received later. The shown figure of a unit
that sent nothing for P is its last accepted value, with its period, never 0 and never current.

The ledger is read once for all the periods asked for together (`read_snapshots`: a report needs
its period and the two before): the year's submissions, the values, findings counts, narratives
and experiences of the returns up to the latest period's end, in a handful of queries. Each
period's snapshot is then cut from that read in memory, keeping what ended by its own end.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain

from .config import Config
from .formspec import reporting_units, rows_by_unit
from .ledger import Ledger
from .model import (
    Entry,
    Experience,
    Narrative,
    ReturnStatus,
    RowValues,
    Snapshot,
    Source,
    UnitReturn,
    ValueStatus,
)
from .periods import Period, parse_period, periods_of_year, report_deadline


def due_window(period: Period) -> tuple[dt.date, dt.date]:
    """The dates a return must end in to count as reported for `period`."""
    if period.kind in ("dekad", "week", "month"):
        return period.start, period.end
    return dt.date(period.end.year, period.end.month, 1), period.end


def counts_for(period: Period, other: Period) -> bool:
    lo, hi = due_window(period)
    return period.contains(other) and lo <= other.end <= hi


def read_snapshot(ledger: Ledger, cfg: Config, period: Period) -> Snapshot:
    """Everything the ledger holds for the config's year up to the end of `period`, typed."""
    return read_snapshots(ledger, cfg, [period])[0]


def read_snapshots(
    ledger: Ledger, cfg: Config, periods: Sequence[Period], figures_only: Sequence[Period] = ()
) -> list[Snapshot]:
    """The snapshots of several periods from one read of the ledger, in the order asked.

    Each is the snapshot `read_snapshot` gives for its period alone (what a later return or a
    later period's figures say never reaches an earlier period's snapshot), except that one of a
    period in `figures_only` holds only what a report takes from its previous period: the rows
    and the returns, without the units' texts, findings, series and on-time counts."""
    if not periods:
        return []
    year = _read_year(ledger, cfg, periods, [p for p in periods if p not in figures_only])
    return [year.figures(p) if p in figures_only else year.snapshot(p) for p in periods]


def _read_year(ledger: Ledger, cfg: Config, periods: Sequence[Period], full: Sequence[Period]) -> _YearRead:
    """The queries: every row the snapshots of `periods` draw on, up to the latest one's end
    (texts and findings for those in `full` only)."""
    until = max(p.end for p in periods)
    subs = _submissions(ledger, cfg.year, until)
    accepted = {s["id"]: s for s in subs if s["status"] == "accepted"}
    # by submission, then row key: a snapshot lists its rows in the order their returns' values come
    values = ledger.db.execute(
        """SELECT v.submission_id, v.row_key, v.sheet, v.cell, v.raw_text, v.value_num, v.value_text, v.status,
                  v.flagged
           FROM cell_values v JOIN submissions s ON s.id = v.submission_id
           WHERE s.status = 'accepted' AND s.period_end BETWEEN ? AND ?
           ORDER BY v.submission_id, v.row_key""",
        (f"{cfg.year}-01-01", until.isoformat()),
    ).fetchall()
    counts: dict[int, dict[str, int]] = {}
    for sid, severity, n in ledger.db.execute(
        "SELECT submission_id, severity, COUNT(*) FROM findings GROUP BY submission_id, severity"
    ):
        counts.setdefault(sid, {})[severity] = n
    first_errors: dict[int, str] = {}
    for sid, message in ledger.db.execute(
        """SELECT f.submission_id, f.message FROM findings f JOIN submissions s ON s.id = f.submission_id
           WHERE s.status = 'rejected' AND f.severity = '错误' ORDER BY f.id"""
    ):
        first_errors.setdefault(sid, message)
    current = sorted({s["id"] for p in full for s in _current_submissions(subs, p).values()})
    narratives: dict[int, list[tuple]] = {sid: [] for sid in current}
    if current:
        for row in ledger.db.execute(
            f"""SELECT submission_id, row_key, field, text, cell FROM narratives
                WHERE submission_id IN ({",".join("?" * len(current))}) ORDER BY rowid""",
            current,
        ):
            narratives[row[0]].append(row)
    experiences = {
        sid: (title, text)
        for sid, title, text in ledger.db.execute("SELECT submission_id, title, text FROM experiences")
        if sid in accepted
    }
    codes = sorted({code for p in full for code in _window_codes(subs, p)})
    findings = {code: ledger.findings_for(code) for code in codes}
    return _YearRead(cfg, subs, accepted, values, counts, first_errors, narratives, experiences, findings)


def _submissions(ledger: Ledger, year: int, until: dt.date) -> list[dict]:
    out = []
    for s in ledger.submissions():
        if not s["period"] or not s["period_end"]:
            continue
        p = parse_period(s["period"])
        if p.year == year and p.end <= until:
            out.append({**dict(s), "_period": p})
    return out


def _current_submissions(subs: list[dict], period: Period) -> dict[str, dict]:
    """Unit → its accepted return that counts for the period (latest end, then latest received)."""
    best: dict[str, dict] = {}
    for s in subs:
        if s["status"] != "accepted" or not counts_for(period, s["_period"]):
            continue
        key = (s["_period"].end, s["received_order"])
        held = best.get(s["unit_code"])
        if held is None or key > (held["_period"].end, held["received_order"]):
            best[s["unit_code"]] = s
    return best


def _window_codes(subs, period: Period) -> list[str]:
    return sorted({s["period"] for s in subs if counts_for(period, s["_period"])})


def _source(s: dict, sheet: str, cell: str, raw: str) -> Source:
    return Source(s["original_path"], s["archive_path"], sheet, cell, raw, s["unit_code"])


_STATUS = {s.value: s for s in ValueStatus}
# a row key's values, oldest first; their end dates; its (period, number) series and where in the
# values each of those stands; whether every period in the series is there once
_Values = tuple[tuple[tuple, ...], tuple[dt.date, ...], tuple[tuple[str, float], ...], tuple[int, ...], bool]


class _YearRead:
    """What the ledger held for the year up to a date; `snapshot` (or `figures`) cuts a period's
    snapshot out of it.

    Built from the rows the queries returned, it never touches the ledger. Entries and
    narratives are typed once and shared by the snapshots that show them."""

    def __init__(self, cfg: Config, subs, accepted, values, counts, first_errors, narratives, experiences, findings):
        self.cfg = cfg
        self.subs = subs  # in-year submissions ending by the date, in received order
        self.accepted = accepted  # id → accepted submission
        self.counts = counts  # submission id → {severity: number of findings}
        self.first_errors = first_errors  # rejected submission id → its first error's message
        self.narrative_rows = narratives  # submission id → its narratives' rows, in their order
        self.experience_rows = experiences  # accepted submission id → (title, text)
        self.findings = findings  # period code → findings of its current submissions
        self.units = reporting_units(cfg)
        self.by_unit: dict[str, list[dict]] = {}
        for s in subs:
            self.by_unit.setdefault(s["unit_code"], []).append(s)
        self.owner = {r.key: unit for unit, rows in rows_by_unit(cfg).items() for r in rows}
        # The keys of each return in id order (a snapshot lists its rows in the order of the returns
        # it keeps), and each key's values oldest first: by period end, then received.
        keys_of: dict[int, list[str]] = {}
        by_key: dict[str, list[tuple]] = {}
        for value in values:  # (sid, key, sheet, cell, raw, num, text, status, flagged)
            if value[0] in accepted:
                keys_of.setdefault(value[0], []).append(value[1])
                by_key.setdefault(value[1], []).append(value)
        self.keys_of = {sid: tuple(keys) for sid, keys in keys_of.items()}
        order = {sid: (s["_period"].end, s["received_order"]) for sid, s in accepted.items()}
        end = {sid: s["_period"].end for sid, s in accepted.items()}
        code = {sid: s["period"] for sid, s in accepted.items()}
        self.values: dict[str, _Values] = {}
        for key, items in by_key.items():
            items.sort(key=lambda v: order[v[0]])
            at = [i for i, v in enumerate(items) if v[7] == "ok" and v[5] is not None]
            pairs = [(code[items[i][0]], items[i][5]) for i in at]
            once = len({c for c, _ in pairs}) == len(pairs)
            self.values[key] = (tuple(items), tuple([end[v[0]] for v in items]), tuple(pairs), tuple(at), once)
        self.entries: dict[int, Entry] = {}
        self.narratives: dict[int, tuple[Narrative, ...]] = {}

    def snapshot(self, period: Period) -> Snapshot:
        subs = [s for s in self.subs if s["_period"].end <= period.end]
        current_sub = _current_submissions(subs, period)
        rows, series = self._rows(current_sub, period)
        return Snapshot(
            year=self.cfg.year,
            period=period.code,
            rows=rows,
            returns=self._returns(period),
            narratives=tuple(n for s in current_sub.values() for n in self._narratives(s)),
            experiences=self._experiences(subs, period),
            series=series,
            findings=tuple(f for code in _window_codes(subs, period) for f in self.findings[code]),
            on_time=self._on_time(subs, period),
        )

    def figures(self, period: Period) -> Snapshot:
        """The rows and the returns of the period's snapshot: what a report takes from its previous period."""
        current_sub = _current_submissions(self.subs, period)
        return Snapshot(
            self.cfg.year, period.code, rows=self._rows(current_sub, period)[0], returns=self._returns(period)
        )

    def _entry(self, value: tuple) -> Entry:  # made only for the values a row shows, once each
        made = self.entries.get(id(value))
        if made is None:
            sid, _, sheet, cell, raw, num, text, status, flagged = value
            s = self.accepted[sid]
            made = self.entries[id(value)] = Entry(
                _STATUS[status], num, text, s["period"], s["_period"].end, bool(flagged), _source(s, sheet, cell, raw)
            )
        return made

    def _rows(self, current_sub: dict[str, dict], period: Period):
        """Each row's value in the return that counts for the period, its last ok value and its
        series, from the values of the returns that ended by the period's end."""
        end = period.end
        kept = [keys for sid, keys in self.keys_of.items() if self.accepted[sid]["_period"].end <= end]
        rows, series = {}, {}
        for key in dict.fromkeys(chain.from_iterable(kept)):
            items, ends, pairs, at, once = self.values[key]
            n = len(items) if ends[-1] <= end else bisect_right(ends, end)
            unit = self.owner.get(key, "")
            held = current_sub.get(unit)
            current = None
            if held is not None:
                held_id = held["id"]
                current = next((items[i] for i in range(n - 1, -1, -1) if items[i][0] == held_id), None)
            last = next((items[i] for i in range(n - 1, -1, -1) if items[i][7] == "ok"), None)
            entry = self._entry(current) if current is not None else None
            last_ok = entry if last is current else self._entry(last) if last is not None else None
            rows[key] = RowValues(key, unit, entry, last_ok)
            so_far = pairs if not at or at[-1] < n else pairs[: bisect_left(at, n)]
            if so_far:  # two values for one period (two returns of it accepted): the later one, in its place
                series[key] = so_far if once else tuple(dict(so_far).items())
        return rows, series

    def _returns(self, period: Period) -> dict[str, UnitReturn]:
        cfg = self.cfg
        deadline = report_deadline(period, getattr(cfg.deadlines, period.kind))
        out = {}
        for unit in self.units:
            mine = [s for s in self.by_unit.get(unit, ()) if counts_for(period, s["_period"])]
            accepted = [s for s in mine if s["status"] == "accepted"]
            rejected = [s for s in mine if s["status"] == "rejected"]
            if accepted:
                s = max(accepted, key=lambda s: (s["_period"].end, s["received_order"]))
                counts = self.counts.get(s["id"], {})
                received = dt.date.fromisoformat(s["received_date"]) if s["received_date"] else None
                due = report_deadline(s["_period"], getattr(cfg.deadlines, s["_period"].kind))
                late_days = (received - due).days if s["late"] and received and due else 0
                out[unit] = UnitReturn(
                    unit,
                    ReturnStatus.late if s["late"] else ReturnStatus.on_time,
                    s["original_path"],
                    s["period"],
                    received,
                    due,
                    late_days,
                    counts.get("错误", 0),
                    counts.get("警告", 0),
                )
            elif rejected:
                s = rejected[-1]
                out[unit] = UnitReturn(
                    unit,
                    ReturnStatus.rejected,
                    s["original_path"],
                    s["period"],
                    deadline=deadline,
                    reason=self.first_errors.get(s["id"], ""),
                )
            else:
                out[unit] = UnitReturn(unit, ReturnStatus.missing, deadline=deadline)
        return out

    def _narratives(self, s: dict) -> tuple[Narrative, ...]:
        made = self.narratives.get(s["id"])
        if made is None:
            unit = s["unit_code"]
            made = self.narratives[s["id"]] = tuple(
                Narrative(unit, key, field, text, s["period"], _source(s, "填报表", cell or "", text))
                for _, key, field, text, cell in self.narrative_rows[s["id"]]
            )
        return made

    def _experiences(self, subs, period: Period) -> tuple[Experience, ...]:
        """典型经验 of every accepted return inside the period (a 季总结 draws on the whole quarter)."""
        out = []
        for s in subs:
            if s["status"] != "accepted" or not period.contains(s["_period"]):
                continue
            row = self.experience_rows.get(s["id"])
            if row and (row[0] or row[1]):
                out.append(
                    Experience(s["unit_code"], row[0], row[1], s["period"], _source(s, "典型经验材料", "B3", row[0]))
                )
        return tuple(out)

    def _on_time(self, subs, period: Period) -> dict[str, tuple[int, int]]:
        """Unit → (returns on time, returns due) over the periods of P's kind so far that the office collected."""
        collected = {s["period"] for s in subs}
        due = [p for p in periods_of_year(period.kind, self.cfg.year) if p.end <= period.end]
        due = [p for p in due if any(counts_for(p, parse_period(c)) for c in collected)]
        out = {}
        for unit in self.units:
            mine = [s["_period"] for s in self.by_unit.get(unit, ()) if s["status"] == "accepted" and not s["late"]]
            on_time = sum(1 for p in due if any(counts_for(p, q) for q in mine))
            out[unit] = (on_time, len(due))
        return out
