"""`minsheng check FILE...`: the reading and the rules of ingest on a return, with no ledger.

Nothing is written: not the ledger, not outputs/, not inputs/. A unit (or the clerk on the phone)
sees the same Chinese findings, cell by cell, and can fix the file before sending it. Rules that
need earlier periods (累计数减少, 增幅异常 against last period) cannot run without the ledger.
"""

from __future__ import annotations

from pathlib import Path

from . import messages
from .checks import History, check_return
from .config import Config
from .extract import Rejected, extract
from .findings import Finding
from .formspec import rows_by_unit
from .ingest import received_at
from .readers import FileProblem, read_files
from .reports import _cell_order


def check_one(cfg: Config, path: Path, raw, expected) -> tuple[str, list[Finding], bool]:
    """(heading, findings, rejected) of one file."""
    label = path.name
    if isinstance(raw, FileProblem):
        return "", [Finding(raw.code, raw.message, hint=raw.hint, file=label)], True
    try:
        ret = extract(raw, label, cfg, expected)
    except Rejected as rej:
        return "", rej.findings, True
    ctx = check_return(cfg, ret, History())
    findings = ret.findings + ctx.findings
    import datetime as dt

    _, _, unclear = received_at(ret, dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat(), cfg)
    if unclear is not None:
        findings.append(unclear)
    return f"{ret.unit_name}，{ret.period.label}", findings, False


def check_files(cfg: Config, files: list[Path]) -> tuple[str, int]:
    """The text to print and how many errors were found in all the files."""
    expected = rows_by_unit(cfg)
    lines: list[str] = []
    total_errors = 0
    existing = [p for p in files if p.is_file()]
    for p in files:
        if not p.is_file():
            lines.append("[错误] " + messages.CHECK_NOT_FOUND.format(file=p))
            total_errors += 1
    for path, raw in zip(existing, read_files(existing), strict=True):
        who, findings, rejected = check_one(cfg, path, raw, expected)
        errors = [f for f in findings if f.is_error]
        total_errors += len(errors)
        if rejected:
            lines.append(messages.CHECK_REJECTED.format(file=path.name, errors=len(errors)))
        else:
            unit, _, period = who.partition("，")
            lines.append(
                messages.CHECK_HEADER.format(
                    file=path.name, unit=unit, period=period, errors=len(errors), warnings=len(findings) - len(errors)
                )
            )
        ordered = sorted(findings, key=lambda f: (not f.is_error, _cell_order(f.cell)))
        lines.extend("  " + f.render() for f in ordered)
        lines.append("  " + (messages.CHECK_OK if not errors else messages.CHECK_FIX))
    return "\n".join(lines), total_errors
