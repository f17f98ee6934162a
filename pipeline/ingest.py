"""Ingest: turn the pile in inputs/ into ledger entries, findings and the two workbooks.

discover → hash (skip what the ledger has) → read → identify and match → rules → one ledger
transaction per file → 校验报告.xlsx and 催报名单.xlsx per period. inputs/ is only read; every
input is copied byte for byte into outputs/archive/ under its hash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import messages, stages
from .checks import CheckContext, History, check_rest
from .config import Config
from .extract import FormReturn, guess_identity
from .findings import Finding
from .formspec import reporting_units
from .ledger import Ledger, StoredValue, Submission, SubmissionStatus, ledger_path
from .lock import outputs_lock
from .model import ReturnStatus
from .periods import Period, cn_date, parse_period, report_deadline
from .prepare import Intake, archive, attach, crashed, intake_job, prepare
from .readers import MAX_FILE_BYTES, Discovered, Reader, discover, peek_properties, read_workbook
from .reports import ChaseRow, ReportLocked, UnitTally, write_chase_list, write_findings_report
from .values import clean_text, parse_filled_date, raw_text
from .workers import run_ordered, worker_count

IGNORED_HINTS = messages.IGNORED_HINTS
# Rejections that depend on the config, not on the file: read again when the config changes.
CONFIG_CODES = ("F-UNKNOWN-UNIT", "F-WRONG-CONFIG")
# A 填报日期 further than this from its period is a typo, not a date: lateness uses the file time.
DATE_BEFORE_DAYS = 31
DATE_AFTER_DAYS = 200
CHUNK = 16  # files per trip to a worker in a big batch: fewer round trips, the same answers


class FileStatus(enum.StrEnum):
    """What this run did with a file (the `files[].status` of --json)."""

    accepted = "accepted"
    rejected = "rejected"
    already = "already"
    duplicate = "duplicate"
    ignored = "ignored"
    other_period = "other-period"


@dataclass
class FileOutcome:
    relative: str
    status: FileStatus
    unit_code: str = ""
    period: str = ""


@dataclass
class PeriodState:
    """A period after the run: what this run added and what is still open."""

    period: str
    label: str
    added: dict[str, int]
    new_errors: int
    new_warnings: int
    open_errors: int
    error_units: int
    open_warnings: int
    missing: int
    rejected: int
    late: int

    def render(self) -> str:
        return messages.period_state_line(
            self.label,
            self.added,
            self.new_errors,
            self.new_warnings,
            self.open_errors,
            self.error_units,
            self.open_warnings,
            self.missing,
            self.rejected,
            self.late,
        )


@dataclass
class IngestResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # this run's findings
    run_notes: list[Finding] = field(default_factory=list)  # findings about files not stored (ignored…)
    periods: list[str] = field(default_factory=list)  # periods this run touched, oldest first
    reports: list[Path] = field(default_factory=list)
    states: list[PeriodState] = field(default_factory=list)
    report_problems: list[str] = field(default_factory=list)  # reports that could not be written
    ledger: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest(
    cfg: Config,
    inputs: Path,
    outputs: Path,
    period: Period | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    reader: Reader = read_workbook,
    files: list[Discovered] | None = None,
) -> IngestResult:
    """Read every file under inputs/ into the ledger and return what happened to each.

    Files go by in order of their time: each is read once (its hash taken from the same bytes),
    prepared in a worker (pipeline.prepare), then judged against the unit's earlier returns and
    stored here, one ledger transaction per file. `files` is a discovery already made by the caller.
    `progress` wraps the list of files and is advanced as each one is done.
    """
    result = IngestResult()
    if files is None:
        files = discover(inputs) if inputs.is_dir() else []
    files = sorted(files, key=lambda d: (d.mtime, d.relative))
    touched: set[str] = set()
    job = intake_job(cfg)
    intake: Intake = job.local
    archive_dir = (outputs / "archive").resolve()
    with outputs_lock(outputs), Ledger.for_config(cfg, outputs) as ledger:
        result.ledger = ledger.path
        ledger.keep_histories()
        planner = _Planner(cfg, ledger)
        ticks = iter(progress(files)) if progress else None
        unplaced = False
        stream = run_ordered(
            (planner.plan(found) for found in files),
            lambda item: (
                (reader, str(item[0].path.resolve()), item[0].relative, item[1][3], item[1][1], archive_dir)
                if item[1][0] == "read"
                else None
            ),
            prepare,
            job,
            crashed,
            chunk=max(1, min(CHUNK, len(files) // (4 * max(1, worker_count())))),
        )
        for (found, plan), answer in stream:
            if ticks is not None:
                next(ticks, None)
            if plan[0] == "read":
                outcome = _read_one(intake, found, attach(intake, answer), ledger, archive_dir, period, result, plan)
            else:
                outcome = plan[1]
            result.outcomes.append(outcome)
            if outcome.status in (FileStatus.accepted, FileStatus.rejected, FileStatus.already):
                if outcome.period:
                    touched.add(outcome.period)
                elif outcome.status == FileStatus.rejected:
                    unplaced = True
        result.run_notes[:0] = planner.notes  # notes about files not read come first, in file order
        if unplaced:  # a file tied to no period is listed in every period's report
            touched.update(ledger.periods())
        if period is not None:
            touched.add(period.code)
        result.periods = sorted(touched, key=lambda c: parse_period(c).end)
    return result


class _Planner:
    """What to do with each file before it is read: ("read", digest, replaces, data) or ("done", outcome).

    The file's bytes are read here, once: hashed, then handed to the reader and the archive.
    Decisions depend only on the ledger as it was before the run and on the files before this one.
    """

    def __init__(self, cfg: Config, ledger: Ledger):
        self.ledger = ledger
        self.seen: dict[str, str] = {}
        self.reread = ledger.rejected_for_config(cfg.fingerprint(), CONFIG_CODES)
        self.notes: list[Finding] = []

    def plan(self, found: Discovered) -> tuple[Discovered, tuple]:
        rel = found.relative
        if found.kind == "ignored":
            hint = IGNORED_HINTS.get(found.path.suffix.lower(), "")
            self.notes.append(Finding("F-IGNORED", messages.IGNORED, file=rel, hint=hint))
            return found, ("done", FileOutcome(rel, FileStatus.ignored))
        data, digest = _content(found)
        if digest in self.seen:
            self.notes.append(
                Finding("F-DUPLICATE-FILE", f"与本批中的「{self.seen[digest]}」内容完全相同，只入账一次", file=rel)
            )
            return found, ("done", FileOutcome(rel, FileStatus.duplicate))
        self.seen[digest] = rel
        known = self.ledger.known(digest)
        if known is not None and digest in self.reread:
            return found, ("read", digest, self.reread[digest], data)
        if known is not None:
            if known[1] != found.path.name:
                self.notes.append(
                    Finding("F-DUPLICATE-FILE", f"与此前已处理的「{known[1]}」内容完全相同，不重复入账", file=rel)
                )
            return found, ("done", FileOutcome(rel, FileStatus.already, known[3] or "", known[4] or ""))
        return found, ("read", digest, None, data)


def _content(found: Discovered) -> tuple[bytes | None, str]:
    """The file's bytes and their SHA-256, from one read; a file too big to be a form is hashed in
    chunks and not kept (the reader refuses it by its size)."""
    began = stages.clock()
    if found.size > MAX_FILE_BYTES:
        data, digest = None, sha256_of(found.path)
    else:
        data = found.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
    stages.add("hashing", began)
    return data, digest


def _read_one(
    intake: Intake,
    found: Discovered,
    answer: tuple,
    ledger: Ledger,
    archive_dir: Path,
    period: Period | None,
    result: IngestResult,
    plan: tuple,
) -> FileOutcome:
    cfg = intake.cfg
    rel = found.relative
    _, digest, replaces, data = plan
    sub = Submission(
        sha256=digest,
        original_path=rel,
        original_name=found.path.name,
        size=found.size,
        mtime=dt.datetime.fromtimestamp(found.mtime).isoformat(timespec="seconds"),
        archive_path="",
    )
    notes = [Finding("F-REREAD", messages.REREAD, file=rel)] if replaces is not None else []
    if answer[0] == "problem":
        f = Finding(answer[1], answer[2], hint=answer[3], file=rel)
        return _store_rejected(cfg, ledger, sub, found, archive_dir, [*notes, f], result, None, replaces, data)
    if answer[0] == "rejected":
        _, findings, unit, period_code = answer
        guess = (unit, period_code)
        return _store_rejected(cfg, ledger, sub, found, archive_dir, [*notes, *findings], result, guess, replaces, data)
    _, ret, ctx = answer
    if period is not None and ret.period != period:
        archive(found.path, digest, archive_dir, data)  # every file received is kept, whichever period
        result.run_notes.append(
            Finding(
                "F-WRONG-PERIOD",
                messages.OTHER_PERIOD.format(label=ret.period.label, wanted=period.label),
                hint=messages.OTHER_PERIOD_HINT,
                file=rel,
                unit_code=ret.unit_code,
                unit_name=ret.unit_name,
                period=period.code,
            )
        )
        return FileOutcome(rel, FileStatus.other_period, ret.unit_code, ret.period.code)
    ret.findings[:0] = [
        dataclasses.replace(n, unit_code=ret.unit_code, unit_name=ret.unit_name, period=ret.period.code) for n in notes
    ]
    return _store_accepted(cfg, ledger, sub, found, archive_dir, ret, result, replaces, ctx, data)


def _store_rejected(cfg, ledger, sub, found, archive_dir, findings, result, guess, replaces, data) -> FileOutcome:
    """A refused file goes on the record with whatever unit and period it still shows.

    `guess` is the (unit, period code) the reader guessed from the workbook; None when it could
    not be read as one, and then the document properties are the last resort."""
    sub.archive_path = archive(found.path, sub.sha256, archive_dir, data)
    unit = next((f.unit_code for f in findings if f.unit_code), None)
    period = next((f.period for f in findings if f.period), None)
    if unit is None or period is None:
        if guess is None:
            guessed_unit, guessed_period = guess_identity(cfg, sub.original_path, None, peek_properties(found.path))
            guess = (guessed_unit, guessed_period.code if guessed_period else None)
        unit = unit or guess[0]
        period = period or guess[1]
    if period and parse_period(period).year != cfg.year:
        period = None
    name = cfg.unit(unit).name if unit else ""
    findings = [
        dataclasses.replace(f, unit_code=f.unit_code or unit or "", unit_name=f.unit_name or name, period=period or "")
        for f in findings
    ]
    sub.unit_code, sub.status, sub.period = unit, SubmissionStatus.rejected, period
    sub.config_fingerprint = cfg.fingerprint()  # the plan it was judged by: a new plan reads it again
    if period:
        sub.period_end = parse_period(period).end.isoformat()
    began = stages.clock()
    ledger.record(sub, findings=findings, replaces=replaces)
    stages.add("ledger", began)
    result.findings.extend(findings)
    return FileOutcome(sub.original_path, FileStatus.rejected, unit or "", period or "")


def received_at(ret: FormReturn, mtime: str, cfg: Config) -> tuple[dt.date, str, Finding | None]:
    """When the return was made: its 填报日期 as typed, else (unreadable, implausible) the file time."""
    cell = ret.header.get("date")
    raw = cell.raw if cell else None
    file_time = dt.datetime.fromisoformat(mtime).date()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return file_time, "文件时间", None
    deadline = report_deadline(ret.period, getattr(cfg.deadlines, ret.period.kind))
    date = parse_filled_date(raw, deadline)
    shown = raw_text(raw).strip()
    base = dict(
        file=ret.file,
        sheet=ret.sheet,
        cell=cell.ref,
        unit_code=ret.unit_code,
        unit_name=ret.unit_name,
        period=ret.period.code,
        raw=shown,
        hint=messages.DATE_HINT,
    )
    if date is None:
        text = messages.DATE_UNREADABLE.format(raw=shown, received=cn_date(file_time))
        return file_time, "收到文件的时间", Finding("F-DATE-UNCLEAR", text, **base)
    earliest = ret.period.start - dt.timedelta(days=DATE_BEFORE_DAYS)
    latest = ret.period.end + dt.timedelta(days=DATE_AFTER_DAYS)
    if not earliest <= date <= latest:
        text = messages.DATE_IMPLAUSIBLE.format(
            raw=shown, date=cn_date(date), label=ret.period.label, received=cn_date(file_time)
        )
        return file_time, "收到文件的时间", Finding("F-DATE-UNCLEAR", text, **base)
    return date, "填报日期", None


def _store_accepted(
    cfg,
    ledger: Ledger,
    sub: Submission,
    found: Discovered,
    archive_dir: Path,
    ret: FormReturn,
    result: IngestResult,
    replaces: int | None,
    ctx: CheckContext,
    data: bytes | None,
) -> FileOutcome:
    began = stages.clock()
    ctx = check_rest(ctx, History(ledger.unit_history(ret.unit_code)))
    findings = ret.findings + ctx.findings
    deadline = report_deadline(ret.period, getattr(cfg.deadlines, ret.period.kind))
    received, source, unclear = received_at(ret, sub.mtime, cfg)
    if unclear is not None:
        findings.append(unclear)
    late = deadline is not None and received > deadline
    base = dict(file=sub.original_path, unit_code=ret.unit_code, unit_name=ret.unit_name, period=ret.period.code)
    if late:
        findings.append(
            Finding(
                "F-LATE",
                messages.LATE.format(
                    label=ret.period.label,
                    deadline=cn_date(deadline),
                    received=cn_date(received),
                    source=source,
                    days=(received - deadline).days,
                ),
                **base,
            )
        )
    earlier = ledger.current(ret.unit_code, ret.period.code)
    if earlier is not None:
        findings.append(
            Finding(
                "F-RESUBMITTED",
                f"该单位{ret.period.label}已报送过「{earlier[1]}」，以本次报送为准，原表保留在历史记录中",
                hint="如本次并非更正，请与单位核实",
                **base,
            )
        )
    header = {k: raw_text(c.raw).strip() or None for k, c in ret.header.items()}
    sub.archive_path = archive(found.path, sub.sha256, archive_dir, data)
    sub.status, sub.unit_code, sub.period = SubmissionStatus.accepted, ret.unit_code, ret.period.code
    sub.period_end, sub.identified_by = ret.period.end.isoformat(), ret.identified_by
    sub.config_fingerprint = ret.config_fingerprint
    sub.received_date, sub.received_source, sub.late = received.isoformat(), source, late
    sub.filler, sub.phone, sub.reviewer, sub.filled_date = (
        header.get("filler"),
        header.get("phone"),
        header.get("reviewer"),
        header.get("date"),
    )
    values = []
    for key, j in ctx.judged.items():
        fr = j.row.form_row
        num = j.parsed.value if isinstance(j.parsed.value, float) else None
        text = j.parsed.value if isinstance(j.parsed.value, str) else None
        values.append(
            StoredValue(
                key,
                fr.indicator.id,
                fr.area_code,
                ret.sheet,
                j.row.cells["value"].ref,
                j.parsed.raw,
                num,
                text,
                j.status,
                j.flagged,
                j.suspect,
            )
        )
    narratives = [(key, f, text, cell) for (key, f), (text, cell) in ctx.texts.items()]
    experience = (clean_text(ret.experience_title)[0], clean_text(ret.experience_text)[0])
    began = stages.add("checking-history", began)
    ledger.record(sub, values, findings, narratives, experience, replaces=replaces)
    stages.add("ledger", began)
    result.findings.extend(findings)
    return FileOutcome(sub.original_path, FileStatus.accepted, ret.unit_code, ret.period.code)


def write_reports(cfg: Config, outputs: Path, result: IngestResult) -> list[Path]:
    """校验报告.xlsx and 催报名单.xlsx for every period the run touched, from the ledger.

    A report that cannot be replaced (open in Excel/WPS) is named in `report_problems`; the
    others are still written.
    """
    paths = []
    with outputs_lock(outputs), Ledger.for_config(cfg, outputs) as ledger:
        unplaced_subs = ledger.unplaced()
        unplaced = [f for s in unplaced_subs for f in ledger.findings_of(s["id"])]
        for code in result.periods:
            period = parse_period(code)
            findings = ledger.findings_for(code) + [n for n in result.run_notes if n.period in ("", code)]
            subs = ledger.submissions(code)
            current = [s for s in subs if s["status"] != SubmissionStatus.superseded]
            errors = sum(1 for f in findings if f.is_error)
            summary = messages.report_summary(
                len(current),
                sum(s["status"] == SubmissionStatus.accepted for s in current),
                sum(s["status"] == SubmissionStatus.rejected for s in current),
                len(unplaced_subs),
                errors,
                len(findings) - errors,
            )
            out = outputs / code
            tally = unit_tally(cfg, current, findings, unplaced_subs)
            chase = chase_rows(cfg, period, current, findings, unplaced_subs, unplaced)
            jobs = [
                (write_findings_report, (out / "校验报告.xlsx", cfg, period, findings, summary, tally, unplaced)),
                (write_chase_list, (out / "催报名单.xlsx", cfg, period, chase)),
            ]
            for write, args in jobs:
                try:
                    paths.append(write(*args))
                except ReportLocked as locked:
                    result.report_problems.append(messages.REPORT_LOCKED.format(path=locked.path))
            result.states.append(_state(code, period, result, findings, chase))
    result.reports = paths
    return paths


def _state(code: str, period: Period, result: IngestResult, findings: list[Finding], chase: list) -> PeriodState:
    mine = [o for o in result.outcomes if o.period == code]
    new = [f for f in result.findings if f.period == code]
    errors = [f for f in findings if f.is_error]
    return PeriodState(
        code,
        period.label,
        {s: sum(1 for o in mine if o.status == s) for s in (FileStatus.accepted, FileStatus.rejected)},
        sum(1 for f in new if f.is_error),
        sum(1 for f in new if not f.is_error),
        len(errors),
        len({f.unit_code or f.file for f in errors}),
        len(findings) - len(errors),
        sum(1 for r in chase if r.status == ReturnStatus.missing),
        sum(1 for r in chase if r.status == ReturnStatus.rejected),
        sum(1 for r in chase if r.status == ReturnStatus.late),
    )


def _contact(cfg: Config, code: str) -> tuple[str, str]:
    contact = cfg.unit(code).contact
    return ((contact.person or "") if contact else "", (contact.phone or "") if contact else "")


def unit_tally(cfg: Config, current, findings: list[Finding], unplaced=()) -> list[UnitTally]:
    """Every reporting unit with its return's status and how many errors and warnings it has."""
    by_unit: dict = {}
    for s in [*unplaced, *current]:  # an accepted return counts over a rejected one
        if s["unit_code"] and (s["unit_code"] not in by_unit or s["status"] == SubmissionStatus.accepted):
            by_unit[s["unit_code"]] = s
    out = []
    for code in reporting_units(cfg):
        sub = by_unit.get(code)
        mine = [f for f in findings if f.unit_code == code]
        errors = sum(1 for f in mine if f.is_error)
        if sub is None:
            status = ReturnStatus.missing
        elif sub["status"] == SubmissionStatus.rejected:
            status = ReturnStatus.rejected
        else:
            status = ReturnStatus.late if sub["late"] else ReturnStatus.on_time
        out.append(
            UnitTally(
                cfg.unit(code).name,
                status,
                sub["original_path"] if sub else "",
                errors,
                len(mine) - errors,
                *_contact(cfg, code),
            )
        )
    return out


def _reason(findings: list[Finding], path: str) -> tuple[str, str]:
    """Why a file was refused and what to do, from its first error."""
    first = next((f for f in findings if f.file == path and f.is_error), None)
    if first is None:
        return "详见校验报告", messages.CHASE_RESEND
    return first.message.rstrip("。"), first.hint or messages.CHASE_RESEND


def chase_rows(cfg: Config, period: Period, current, findings=(), unplaced=(), unplaced_findings=()) -> list:
    deadline = report_deadline(period, getattr(cfg.deadlines, period.kind))
    accepted = {s["unit_code"]: s for s in current if s["status"] == SubmissionStatus.accepted}
    rejected = {s["unit_code"]: s for s in current if s["status"] == SubmissionStatus.rejected and s["unit_code"]}
    floating = {s["unit_code"]: s for s in unplaced if s["unit_code"]}
    rows = []
    for code in reporting_units(cfg):
        unit = cfg.unit(code)
        person, phone = _contact(cfg, code)
        sub = accepted.get(code)
        if sub is None and (code in rejected or code in floating):
            bad = rejected.get(code) or floating[code]
            reason, hint = _reason([*findings, *unplaced_findings], bad["original_path"])
            template = messages.CHASE_REJECTED if code in rejected else messages.CHASE_REJECTED_UNPLACED
            note = template.format(name=bad["original_name"], reason=reason, hint=hint)
            rows.append(ChaseRow(code, unit.name, ReturnStatus.rejected, person, phone, deadline, "", note))
        elif sub is None:
            rows.append(
                ChaseRow(code, unit.name, ReturnStatus.missing, person, phone, deadline, "", messages.CHASE_MISSING)
            )
        elif sub["late"]:
            days = (dt.date.fromisoformat(sub["received_date"]) - deadline).days
            rows.append(
                ChaseRow(
                    code,
                    unit.name,
                    ReturnStatus.late,
                    person,
                    phone,
                    deadline,
                    sub["received_date"],
                    messages.CHASE_LATE.format(days=days, source=sub["received_source"]),
                )
            )
    urgency = {ReturnStatus.missing: 0, ReturnStatus.rejected: 1, ReturnStatus.late: 2}  # who to phone first
    return sorted(rows, key=lambda r: urgency[r.status])


def run_ingest(
    cfg: Config,
    inputs: Path,
    outputs: Path,
    period: Period | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    reader: Reader = read_workbook,
    files: list[Discovered] | None = None,
) -> IngestResult:
    """The whole ingest stage: ledger, then the two workbooks for each period touched, under one lock."""
    with outputs_lock(outputs):
        result = ingest(cfg, inputs, outputs, period, progress=progress, reader=reader, files=files)
        write_reports(cfg, outputs, result)
    return result


STATUS_WORDS = list(messages.FILE_WORDS.items())


def render_result(result: IngestResult, inputs: Path, outputs: Path, max_errors: int = 30) -> str:
    counts = "，".join(f"{word} {result.count(s)} 份" for s, word in STATUS_WORDS if result.count(s))
    lines = [f"报表目录「{inputs}」：共 {len(result.outcomes)} 个文件" + (f"（{counts}）" if counts else "")]
    if not result.outcomes:
        lines.append("  目录中没有报表。请把各单位报回的表格放进该文件夹后再运行。")
    notes = result.findings + result.run_notes
    errors = [f for f in notes if f.is_error]
    lines.append(f"本次新发现问题 {len(notes)} 条：错误 {len(errors)} 条，警告 {len(notes) - len(errors)} 条")
    for f in errors[:max_errors]:
        lines.append("  " + f.render())
    if len(errors) > max_errors:
        lines.append(f"  ……另有 {len(errors) - max_errors} 条错误，见校验报告")
    if result.states:
        lines.append("各期现状（含此前各次收到的报表）：")
        lines.extend("  " + state.render() for state in result.states)
    for path in result.reports:
        lines.append(f"已生成：{path}")
    for problem in result.report_problems:
        lines.append(f"[错误] {problem}")
    lines.append(f"台账：{result.ledger or outputs}")
    return "\n".join(lines)


def result_json(result: IngestResult, outputs: Path, cfg: Config | None = None) -> dict:
    """The machine-readable form of a run; its shape is documented in docs/ingest.md."""
    path = result.ledger or (ledger_path(outputs, cfg.year) if cfg else None)
    values = {}
    if path is not None:
        with Ledger(path) as ledger:
            values = {
                code: [{"unit_code": unit, **v.__dict__} for unit, v in ledger.values_for(code)]
                for code in result.periods
            }
    return {
        "files": [o.__dict__ for o in result.outcomes],
        "summary": {s: result.count(s) for s, _ in STATUS_WORDS},
        "periods": result.periods,
        "findings": [f.as_dict() for f in result.findings + result.run_notes],
        "values": values,
        "reports": [str(p) for p in result.reports],
    }
