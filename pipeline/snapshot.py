"""The ledger's one typed read for the output half: a `Snapshot` of the year as of a period.

Which return counts for a period P ("reported in P"): an accepted return whose period lies inside
P and ends in P's last reporting window — P itself for a 旬, a week or a month, the last month of a
quarter or of the year. A week counts for the month (quarter, year) only when all its days are in it. Among several (a 5月 return and a 5月下旬 return end on the same day), the one
ending later wins, and on the same end date the one received later. The shown figure of a unit
that sent nothing for P is its last accepted value, with its period, never 0 and never current.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
    subs = _submissions(ledger, cfg.year, period.end)
    current_sub = _current_submissions(subs, period)
    rows, series = _rows(ledger, cfg, subs, current_sub, period)
    return Snapshot(
        year=cfg.year,
        period=period.code,
        rows=rows,
        returns=_returns(ledger, cfg, subs, period),
        narratives=_narratives(ledger, current_sub),
        experiences=_experiences(ledger, subs, period),
        series=series,
        findings=tuple(f for code in _window_codes(subs, period) for f in ledger.findings_for(code)),
        on_time=_on_time(cfg, subs, period),
    )


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


def _source(s: dict, sheet: str, cell: str, raw: str) -> Source:
    return Source(s["original_path"], s["archive_path"], sheet, cell, raw, s["unit_code"])


def _rows(ledger: Ledger, cfg: Config, subs, current_sub, period: Period):
    by_id = {s["id"]: s for s in subs if s["status"] == "accepted"}
    if not by_id:
        return {}, {}
    owner = {r.key: unit for unit, rows in rows_by_unit(cfg).items() for r in rows}
    entries: dict[str, list[tuple[tuple, int, Entry]]] = defaultdict(list)
    marks = ",".join("?" * len(by_id))
    cur = ledger.db.execute(
        f"""SELECT submission_id, row_key, sheet, cell, raw_text, value_num, value_text, status, flagged
            FROM cell_values WHERE submission_id IN ({marks})""",
        list(by_id),
    )
    for value in cur:  # (sid, key, sheet, cell, raw, num, text, status, flagged)
        s = by_id[value[0]]
        entries[value[1]].append(((s["_period"].end, s["received_order"]), value[0], value))
    made: dict[int, Entry] = {}

    def entry(value: tuple) -> Entry:  # made only for the values a row shows, once each
        if id(value) not in made:
            sid, _, sheet, cell, raw, num, text, status, flagged = value
            s = by_id[sid]
            made[id(value)] = Entry(
                _STATUS[status], num, text, s["period"], s["_period"].end, bool(flagged), _source(s, sheet, cell, raw)
            )
        return made[id(value)]

    rows, series = {}, {}
    for key, items in entries.items():
        items.sort(key=lambda x: x[0])
        unit = owner.get(key, "")
        held = current_sub.get(unit)
        held_id = held["id"] if held is not None else None
        current = next((entry(v) for _, sid, v in items if sid == held_id), None) if held_id is not None else None
        ok = [v for _, _, v in items if v[7] == "ok"]
        rows[key] = RowValues(key, unit, current, entry(ok[-1]) if ok else None)
        by_period: dict[str, float] = {}
        for v in ok:
            if v[5] is not None:
                by_period[by_id[v[0]]["period"]] = v[5]
        if by_period:
            series[key] = tuple(by_period.items())
    return rows, series


_STATUS = {s.value: s for s in ValueStatus}


def _returns(ledger: Ledger, cfg: Config, subs, period: Period) -> dict[str, UnitReturn]:
    rule = getattr(cfg.deadlines, period.kind)
    deadline = report_deadline(period, rule)
    out = {}
    for unit in reporting_units(cfg):
        mine = [s for s in subs if s["unit_code"] == unit and counts_for(period, s["_period"])]
        accepted = [s for s in mine if s["status"] == "accepted"]
        rejected = [s for s in mine if s["status"] == "rejected"]
        if accepted:
            s = max(accepted, key=lambda s: (s["_period"].end, s["received_order"]))
            errors, warnings = _finding_counts(ledger, s["id"])
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
                errors,
                warnings,
            )
        elif rejected:
            s = rejected[-1]
            reason = _first_error(ledger, s["id"])
            out[unit] = UnitReturn(
                unit, ReturnStatus.rejected, s["original_path"], s["period"], deadline=deadline, reason=reason
            )
        else:
            out[unit] = UnitReturn(unit, ReturnStatus.missing, deadline=deadline)
    return out


def _finding_counts(ledger: Ledger, sid: int) -> tuple[int, int]:
    rows = dict(
        ledger.db.execute("SELECT severity, COUNT(*) FROM findings WHERE submission_id = ? GROUP BY severity", (sid,))
    )
    return rows.get("错误", 0), rows.get("警告", 0)


def _first_error(ledger: Ledger, sid: int) -> str:
    row = ledger.db.execute(
        "SELECT message FROM findings WHERE submission_id = ? AND severity = '错误' ORDER BY id LIMIT 1", (sid,)
    ).fetchone()
    return row[0] if row else ""


def _narratives(ledger: Ledger, current_sub: dict[str, dict]) -> tuple[Narrative, ...]:
    out = []
    for unit, s in current_sub.items():
        cur = ledger.db.execute(
            "SELECT row_key, field, text, cell FROM narratives WHERE submission_id = ? ORDER BY rowid", (s["id"],)
        )
        for key, field, text, cell in cur:
            out.append(Narrative(unit, key, field, text, s["period"], _source(s, "填报表", cell or "", text)))
    return tuple(out)


def _experiences(ledger: Ledger, subs, period: Period) -> tuple[Experience, ...]:
    """典型经验 of every accepted return inside the period (a 季总结 draws on the whole quarter)."""
    out = []
    for s in subs:
        if s["status"] != "accepted" or not period.contains(s["_period"]):
            continue
        row = ledger.db.execute("SELECT title, text FROM experiences WHERE submission_id = ?", (s["id"],)).fetchone()
        if row and (row[0] or row[1]):
            out.append(
                Experience(s["unit_code"], row[0], row[1], s["period"], _source(s, "典型经验材料", "B3", row[0]))
            )
    return tuple(out)


def _window_codes(subs, period: Period) -> list[str]:
    return sorted({s["period"] for s in subs if counts_for(period, s["_period"])})


def _on_time(cfg: Config, subs, period: Period) -> dict[str, tuple[int, int]]:
    """Unit → (returns on time, returns due) over the periods of P's kind so far that the office collected."""
    collected = {s["period"] for s in subs}
    due = [p for p in periods_of_year(period.kind, cfg.year) if p.end <= period.end]
    due = [p for p in due if any(counts_for(p, parse_period(c)) for c in collected)]
    out = {}
    for unit in reporting_units(cfg):
        mine = [s for s in subs if s["unit_code"] == unit and s["status"] == "accepted"]
        on_time = sum(1 for p in due if any(counts_for(p, s["_period"]) and not s["late"] for s in mine))
        out[unit] = (on_time, len(due))
    return out
