"""The work on one returned file that needs no ledger: read, identify, match rows, the first rules.

It runs in a worker process (pipeline.workers), or in this one with MINSHENG_WORKERS=0; the
answer is the same. The rules that compare with the unit's earlier returns, and everything that
writes, stay with the one process that owns the ledger (pipeline.ingest), in file order.

An answer is one of
  ("problem", code, message, hint)         the file cannot be read as a workbook;
  ("rejected", findings, unit, period)     extract refused it (unit and period guessed from it);
  ("form", ret, ctx)                       a FormReturn and its CheckContext after the local rules.
A worker sends the form answer without the config: each matched row carries its row key instead
of the config's FormRow, and `attach` puts the rows back, so no part of the config is pickled
per file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import messages, stages
from .checks import check_local
from .config import Config
from .extract import Rejected, extract, guess_identity
from .formspec import FormRow, rows_by_unit
from .readers import FileProblem, Reader, _crashed, read_workbook
from .workers import Job


@dataclass
class Intake:
    """What every file of a run is read against: the config and each unit's form rows."""

    cfg: Config
    expected: dict[str, list[FormRow]]
    remote: bool = False  # in a worker: answers are packed for the trip back

    @classmethod
    def of(cls, cfg: Config, remote: bool = False) -> Intake:
        return cls(cfg, rows_by_unit(cfg), remote)

    def row(self, unit_code: str, key: str) -> FormRow:
        rows = self._by_key.get(unit_code)
        if rows is None:
            rows = self._by_key[unit_code] = {r.key: r for r in self.expected.get(unit_code, [])}
        return rows[key]

    def __post_init__(self) -> None:
        self._by_key: dict[str, dict[str, FormRow]] = {}


def intake_job(cfg: Config) -> Job:
    """The pool job of a run: workers get the config once, when they start. Runs with a config of
    the same content share the pool (the key is worked out afresh: a config copied with changes
    keeps the fingerprint it had cached)."""
    key = hashlib.sha256(cfg.model_dump_json().encode("utf-8")).hexdigest()
    return Job(f"intake:{key}", _setup, cfg, Intake.of(cfg))


def _setup(cfg: Config) -> Intake:
    return Intake.of(cfg, remote=True)


def prepare(
    intake: Intake, reader: Reader, path: str, label: str, data: bytes | None, digest: str, archive_dir: Path
) -> tuple:
    """Archive one file, read it (from `data` when given) and do what needs nothing but the file.

    Every file that is read is kept in the archive, whatever comes of it; the ledger's process
    finds the copy there when it records the file (and makes it itself if a worker died first)."""
    file = Path(path)
    began = stages.clock()
    archive(file, digest, archive_dir, data)
    began = stages.add("archive", began)
    try:
        raw = read_workbook(file, data) if reader is read_workbook else reader(file)
    except FileProblem as p:
        return ("problem", p.code, p.message, p.hint)
    except MemoryError:
        return ("problem", "F-TOO-BIG", messages.TOO_MUCH_MEMORY, messages.AREA_TOO_LARGE_HINT)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a reader crash of any kind is this file's problem
        return crashed(False)
    finally:
        began = stages.add("reading", began)
    try:
        ret = extract(raw, label, intake.cfg, intake.expected)
    except Rejected as rej:
        unit, period = guess_identity(intake.cfg, label, raw, None)
        return ("rejected", rej.findings, unit, period.code if period else None)
    ctx = check_local(intake.cfg, ret)
    began = stages.add("checking-file", began)
    if not intake.remote:
        return ("form", ret, ctx)
    ctx.cfg = None
    for row in ret.rows:
        row.form_row = row.form_row.key
    packed = pickle.dumps((ret, ctx), protocol=pickle.HIGHEST_PROTOCOL)
    stages.add("passing", began)
    return ("packed", packed)


def attach(intake: Intake, answer: tuple) -> tuple:
    """A worker's answer as this process uses it: the form rows and the config put back."""
    if answer is None or answer[0] != "packed":
        return answer
    began = stages.clock()
    ret, ctx = pickle.loads(answer[1])
    ctx.cfg = intake.cfg
    for row in ret.rows:
        row.form_row = intake.row(ret.unit_code, row.form_row)
    stages.add("passing", began)
    return ("form", ret, ctx)


def crashed(timed_out: bool) -> tuple:
    """The answer for a file whose worker hung or died on it twice."""
    return _crashed(timed_out)


def archive(source: Path, digest: str, archive_dir: Path, data: bytes | None = None) -> str:
    """Byte-identical copy under its hash, path relative to outputs/; a kill leaves no half file.

    `data` is the file's content when it has been read already: it is written, not read again."""
    target = archive_dir / digest[:2] / f"{digest}{source.suffix.lower()}"
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".part")
        try:
            _copy(source, tmp, data)
        except FileNotFoundError:  # the first file under this prefix: make its folder
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy(source, tmp, data)
        os.replace(tmp, target)
    return target.relative_to(archive_dir.parent).as_posix()


def _copy(source: Path, tmp: Path, data: bytes | None) -> None:
    if data is None:
        shutil.copyfile(source, tmp)
    else:
        tmp.write_bytes(data)
