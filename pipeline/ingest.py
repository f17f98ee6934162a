"""Ingest: turn the pile in inputs/ into ledger entries, findings and the two workbooks.

discover → hash (skip what the ledger has) → read → identify and match → rules → one ledger
transaction per file → 校验报告.xlsx and 催报名单.xlsx per period. inputs/ is only read; every
input is copied byte for byte into outputs/archive/ under its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .checks import History, check_return
from .config import Config
from .extract import FormReturn, Rejected, extract
from .findings import Finding
from .formspec import reporting_units, rows_by_unit
from .ledger import Ledger, StoredValue, Submission, ledger_path
from .periods import Period, cn_date, parse_period, report_deadline
from .readers import Discovered, FileProblem, discover, read_workbook
from .reports import ChaseRow, UnitTally, write_chase_list, write_findings_report
from .values import clean_text, raw_text

IGNORED_HINTS = {  # what staff should do with the usual non-spreadsheet attachments
    **dict.fromkeys((".zip", ".rar", ".7z"), "这是压缩包：请先解压，把其中的表格放进报表文件夹"),
    **dict.fromkeys((".doc", ".docx", ".wps", ".pdf", ".txt"), "如是情况说明或典型经验材料，请人工阅读"),
    **dict.fromkeys((".jpg", ".jpeg", ".png"), "这是图片：请单位报送 Excel 填报表，不要拍照或截图"),
}


@dataclass
class FileOutcome:
    relative: str
    status: str  # accepted, rejected, already, duplicate, ignored, other-period
    unit_code: str = ""
    period: str = ""


@dataclass
class IngestResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # this run's findings
    run_notes: list[Finding] = field(default_factory=list)  # findings about files not stored (ignored…)
    periods: list[str] = field(default_factory=list)  # periods this run touched, oldest first
    reports: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive(source: Path, digest: str, archive_dir: Path) -> str:
    """Byte-identical copy under its hash, path relative to outputs/; a kill leaves no half file."""
    target = archive_dir / digest[:2] / f"{digest}{source.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return target.relative_to(archive_dir.parent).as_posix()


def ingest(
    cfg: Config,
    inputs: Path,
    outputs: Path,
    period: Period | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> IngestResult:
    """Read every file under inputs/ into the ledger and return what happened to each."""
    result = IngestResult()
    expected = rows_by_unit(cfg)
    files = discover(inputs) if inputs.is_dir() else []
    files.sort(key=lambda d: (d.path.stat().st_mtime, d.relative))
    touched: set[str] = set()
    with Ledger(ledger_path(outputs)) as ledger:
        batch_seen: dict[str, str] = {}
        iterator = progress(files) if progress else files
        for found in iterator:
            outcome = _one_file(cfg, found, expected, ledger, outputs / "archive", period, batch_seen, result)
            result.outcomes.append(outcome)
            if outcome.period and outcome.status in ("accepted", "rejected", "already"):
                touched.add(outcome.period)
        if period is not None:
            touched.add(period.code)
        result.periods = sorted(touched, key=lambda c: parse_period(c).end)
    return result


def _one_file(
    cfg: Config,
    found: Discovered,
    expected,
    ledger: Ledger,
    archive_dir: Path,
    period: Period | None,
    batch_seen: dict[str, str],
    result: IngestResult,
) -> FileOutcome:
    rel = found.relative
    if found.kind == "ignored":
        result.run_notes.append(
            Finding(
                "F-IGNORED",
                "非报表文件，已忽略（只读取 .xlsx / .xlsm / .xls 表格）",
                file=rel,
                hint=IGNORED_HINTS.get(found.path.suffix.lower(), ""),
            )
        )
        return FileOutcome(rel, "ignored")
    digest = sha256_of(found.path)
    if digest in batch_seen:
        result.run_notes.append(
            Finding("F-DUPLICATE-FILE", f"与本批中的「{batch_seen[digest]}」内容完全相同，只入账一次", file=rel)
        )
        return FileOutcome(rel, "duplicate")
    batch_seen[digest] = rel
    known = ledger.known(digest)
    if known is not None:
        if known[1] != found.path.name:
            result.run_notes.append(
                Finding("F-DUPLICATE-FILE", f"与此前已处理的「{known[1]}」内容完全相同，不重复入账", file=rel)
            )
        return FileOutcome(rel, "already", known[3] or "", known[4] or "")
    stat = found.path.stat()
    sub = Submission(
        sha256=digest,
        original_path=rel,
        original_name=found.path.name,
        size=stat.st_size,
        mtime=dt.datetime.fromtimestamp(stat.st_mtime).isoformat(timespec="seconds"),
        archive_path="",
    )
    try:
        raw = read_workbook(found.path)
        ret = extract(raw, rel, cfg, expected)
    except FileProblem as problem:
        f = Finding(problem.code, problem.message, hint=problem.hint, file=rel)
        return _store_rejected(ledger, sub, found, archive_dir, [f], result)
    except Rejected as rej:
        return _store_rejected(ledger, sub, found, archive_dir, rej.findings, result)
    if period is not None and ret.period != period:
        result.run_notes.append(
            Finding(
                "F-WRONG-PERIOD",
                f"这是{ret.period.label}的报表，本次处理的是{period.label}，未入账",
                hint="如是单位误发了上期的表，请催其报送本期报表",
                file=rel,
                unit_code=ret.unit_code,
                unit_name=ret.unit_name,
                period=period.code,
            )
        )
        return FileOutcome(rel, "other-period", ret.unit_code, ret.period.code)
    return _store_accepted(cfg, ledger, sub, found, archive_dir, ret, result)


def _store_rejected(ledger, sub, found, archive_dir, findings, result) -> FileOutcome:
    sub.archive_path = archive(found.path, sub.sha256, archive_dir)
    unit = next((f.unit_code for f in findings if f.unit_code), None)
    sub.unit_code, sub.status = unit, "rejected"
    sub.period = next((f.period for f in findings if f.period), None)
    if sub.period:
        sub.period_end = parse_period(sub.period).end.isoformat()
    ledger.record(sub, findings=findings)
    result.findings.extend(findings)
    return FileOutcome(sub.original_path, "rejected", unit or "", sub.period or "")


def _received(ret: FormReturn, mtime: str) -> tuple[dt.date, str]:
    """When the return was made: its 填报日期 when filled in, else the file's time."""
    raw = ret.header.get("date").raw if ret.header.get("date") else None
    if isinstance(raw, dt.datetime):
        return raw.date(), "填报日期"
    if isinstance(raw, dt.date):
        return raw, "填报日期"
    if isinstance(raw, str) and raw.strip():
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return dt.datetime.strptime(raw.strip(), fmt).date(), "填报日期"
            except ValueError:
                continue
    return dt.datetime.fromisoformat(mtime).date(), "文件时间"


def _store_accepted(
    cfg,
    ledger: Ledger,
    sub: Submission,
    found: Discovered,
    archive_dir: Path,
    ret: FormReturn,
    result: IngestResult,
) -> FileOutcome:
    ctx = check_return(cfg, ret, History(ledger.history(ret.unit_code)))
    findings = ret.findings + ctx.findings
    deadline = report_deadline(ret.period, getattr(cfg.deadlines, ret.period.kind))
    received, source = _received(ret, sub.mtime)
    late = deadline is not None and received > deadline
    base = dict(file=sub.original_path, unit_code=ret.unit_code, unit_name=ret.unit_name, period=ret.period.code)
    if late:
        findings.append(
            Finding(
                "F-LATE",
                f"{ret.period.label}报表应于 {cn_date(deadline)} 前报送，"
                f"实际为 {cn_date(received)}（按{source}），逾期 {(received - deadline).days} 天",
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
    sub.archive_path = archive(found.path, sub.sha256, archive_dir)
    sub.status, sub.unit_code, sub.period = "accepted", ret.unit_code, ret.period.code
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
            )
        )
    narratives = [(key, f, text, cell) for (key, f), (text, cell) in ctx.texts.items()]
    ledger.record(
        sub, values, findings, narratives, (clean_text(ret.experience_title)[0], clean_text(ret.experience_text)[0])
    )
    result.findings.extend(findings)
    return FileOutcome(sub.original_path, "accepted", ret.unit_code, ret.period.code)


def write_reports(cfg: Config, outputs: Path, result: IngestResult) -> list[Path]:
    """校验报告.xlsx and 催报名单.xlsx for every period the run touched, from the ledger."""
    paths = []
    with Ledger(ledger_path(outputs)) as ledger:
        for code in result.periods:
            period = parse_period(code)
            findings = ledger.findings_for(code) + [n for n in result.run_notes if n.period in ("", code)]
            subs = ledger.submissions(code)
            current = [s for s in subs if s["status"] != "superseded"]
            errors = sum(1 for f in findings if f.is_error)
            summary = (
                f"本期收到报表 {len(current)} 份（入账 {sum(s['status'] == 'accepted' for s in current)} 份，"
                f"拒收 {sum(s['status'] == 'rejected' for s in current)} 份）；发现问题 {len(findings)} 条，"
                f"其中错误 {errors} 条、警告 {len(findings) - errors} 条"
            )
            out = outputs / code
            tally = unit_tally(cfg, current, findings)
            paths.append(write_findings_report(out / "校验报告.xlsx", cfg, period, findings, summary, tally))
            paths.append(write_chase_list(out / "催报名单.xlsx", cfg, period, chase_rows(cfg, period, current)))
    result.reports = paths
    return paths


def _contact(cfg: Config, code: str) -> tuple[str, str]:
    contact = cfg.unit(code).contact
    return ((contact.person or "") if contact else "", (contact.phone or "") if contact else "")


def unit_tally(cfg: Config, current, findings: list[Finding]) -> list[UnitTally]:
    """Every reporting unit with its return's status and how many errors and warnings it has."""
    by_unit: dict = {}
    for s in current:  # an accepted return counts over a rejected one
        if s["unit_code"] and (s["unit_code"] not in by_unit or s["status"] == "accepted"):
            by_unit[s["unit_code"]] = s
    out = []
    for code in reporting_units(cfg):
        sub = by_unit.get(code)
        mine = [f for f in findings if f.unit_code == code]
        errors = sum(1 for f in mine if f.is_error)
        if sub is None:
            status = "未报送"
        elif sub["status"] == "rejected":
            status = "被拒收"
        else:
            status = "已入账（逾期）" if sub["late"] else "已入账"
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


def chase_rows(cfg: Config, period: Period, current) -> list:
    deadline = report_deadline(period, getattr(cfg.deadlines, period.kind))
    accepted = {s["unit_code"]: s for s in current if s["status"] == "accepted"}
    rejected = {s["unit_code"]: s for s in current if s["status"] == "rejected" and s["unit_code"]}
    rows = []
    for code in reporting_units(cfg):
        unit = cfg.unit(code)
        person, phone = _contact(cfg, code)
        sub = accepted.get(code)
        if sub is None and code in rejected:
            rows.append(
                ChaseRow(
                    code,
                    unit.name,
                    "被拒收",
                    person,
                    phone,
                    deadline,
                    "",
                    f"报来的「{rejected[code]['original_name']}」无法入账，详见校验报告，请重新报送",
                )
            )
        elif sub is None:
            rows.append(
                ChaseRow(code, unit.name, "未报送", person, phone, deadline, "", "截至本次处理，未收到本期报表")
            )
        elif sub["late"]:
            days = (dt.date.fromisoformat(sub["received_date"]) - deadline).days
            rows.append(
                ChaseRow(
                    code,
                    unit.name,
                    "逾期报送",
                    person,
                    phone,
                    deadline,
                    sub["received_date"],
                    f"逾期 {days} 天（按{sub['received_source']}）",
                )
            )
    urgency = {"未报送": 0, "被拒收": 1, "逾期报送": 2}  # who to phone first
    return sorted(rows, key=lambda r: urgency[r.status])


def run_ingest(
    cfg: Config,
    inputs: Path,
    outputs: Path,
    period: Period | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> IngestResult:
    """The whole ingest stage: ledger, then the two workbooks for each period touched."""
    result = ingest(cfg, inputs, outputs, period, progress=progress)
    write_reports(cfg, outputs, result)
    return result


STATUS_WORDS = [
    ("accepted", "入账"),
    ("rejected", "拒收"),
    ("already", "此前已处理"),
    ("duplicate", "重复文件"),
    ("ignored", "非报表文件"),
    ("other-period", "其他期别"),
]


def render_result(result: IngestResult, inputs: Path, outputs: Path, max_errors: int = 30) -> str:
    counts = "，".join(f"{word} {result.count(s)} 份" for s, word in STATUS_WORDS if result.count(s))
    lines = [f"报表目录「{inputs}」：共 {len(result.outcomes)} 个文件" + (f"（{counts}）" if counts else "")]
    if not result.outcomes:
        lines.append("  目录中没有报表。请把各单位报回的表格放进该文件夹后再运行。")
    notes = result.findings + result.run_notes
    errors = [f for f in notes if f.is_error]
    lines.append(f"本次发现问题 {len(notes)} 条：错误 {len(errors)} 条，警告 {len(notes) - len(errors)} 条")
    for f in errors[:max_errors]:
        lines.append("  " + f.render())
    if len(errors) > max_errors:
        lines.append(f"  ……另有 {len(errors) - max_errors} 条错误，见校验报告")
    for path in result.reports:
        lines.append(f"已生成：{path}")
    lines.append(f"台账：{ledger_path(outputs)}")
    return "\n".join(lines)


def result_json(result: IngestResult, outputs: Path) -> dict:
    """The machine-readable form of a run; its shape is documented in docs/ingest.md."""
    with Ledger(ledger_path(outputs)) as ledger:
        values = {
            code: [{"unit_code": unit, **v.__dict__} for unit, v in ledger.values_for(code)] for code in result.periods
        }
    return {
        "files": [o.__dict__ for o in result.outcomes],
        "summary": {s: result.count(s) for s, _ in STATUS_WORDS},
        "periods": result.periods,
        "findings": [f.as_dict() for f in result.findings + result.run_notes],
        "values": values,
        "reports": [str(p) for p in result.reports],
    }
