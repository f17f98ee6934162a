"""One task at a time on an outputs folder: an OS file lock, released when the process ends.

Two ingests at once on one ledger would race for the same files (and used to end in an
IntegrityError traceback); the second one now stops at once with a plain sentence. The lock is
taken on `outputs/.minsheng.lock` with flock (POSIX) or msvcrt.locking (Windows), so a killed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import messages
from .errors import Problem, UserError

LOCK_NAME = ".minsheng.lock"
_held: dict[str, int] = {}  # outputs folders this process holds (a run may nest ingest in a job)


class Busy(UserError):
    """Another task holds the outputs folder."""


def _try_lock(fh) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - exercised on Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh) -> None:
    try:
        if os.name == "nt":  # pragma: no cover
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass


@contextmanager
def outputs_lock(outputs: Path) -> Iterator[None]:
    """Hold the outputs folder for the duration; raise Busy when another task has it."""
    outputs.mkdir(parents=True, exist_ok=True)
    key = str(outputs.resolve())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fh = (outputs / LOCK_NAME).open("a+b")
    if not _try_lock(fh):
        fh.close()
        raise Busy(
            messages.LEDGER_BUSY,
            [Problem(messages.LEDGER_BUSY_DETAIL.format(outputs=outputs), level="info")],
        )
    _held[key] = 1
    try:
        yield
    finally:
        _held.pop(key, None)
        _unlock(fh)
        fh.close()
