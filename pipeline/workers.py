"""Worker processes for ingest: files are prepared in a spawn-context pool, answers come back in order.

A run hands the pool one job (for ingest: the config, pickled once per worker when it starts,
not once per file) and a stream of items; each item's task runs in a worker and its answer is
yielded in the items' order, with a bounded number in flight so that memory stays flat however
many files there are. A worker that dies (a reader abort, the memory limit) or hangs costs only
the item it was on: that item is run once more alone to be sure, and its `on_crash` answer is
used if it fails again. Spawn, not fork, so the same code runs on Windows.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

WORKER_MEMORY_BYTES = 1536 * 1024 * 1024  # address space of a worker (POSIX only)
TASK_TIMEOUT_S = 60
IN_FLIGHT_PER_WORKER = 4

# -- inside a worker ---------------------------------------------------------------------------

_JOB: Any = None


def _worker_init(setup: Callable[[Any], Any] | None, state: Any) -> None:
    """A worker: bounded address space (POSIX), no Rust backtraces on the screen, the run's job."""
    global _JOB
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # Windows, or a limit we may not set
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:
        pass
    _JOB = setup(state) if setup is not None else None


def _run(task: Callable, args: tuple) -> Any:
    return task(_JOB, *args)


def worker_count() -> int:
    """Workers: MINSHENG_WORKERS (0 runs everything in this process), else one per core, up to 4.

    The main process writes the ledger while the workers read and check, so every core is used.
    """
    text = os.environ.get("MINSHENG_WORKERS", "")
    if text.isdigit():
        return int(text)
    return max(1, min(4, os.cpu_count() or 2))


# -- the pool ----------------------------------------------------------------------------------


class _Pool:
    """A spawn-context process pool for one job, shared by the runs of a process, rebuilt after a crash."""

    def __init__(self, workers: int, job: Job):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers, self.job_key = workers, job.key
        self.executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(job.setup, job.state),
        )

    def kill(self) -> None:
        processes = list(getattr(self.executor, "_processes", {}).values())
        for proc in processes:
            with contextlib.suppress(Exception):
                proc.terminate()
        self.executor.shutdown(wait=False, cancel_futures=True)


_POOL: _Pool | None = None


def _pool(workers: int, job: Job) -> _Pool:
    global _POOL
    if _POOL is None or _POOL.workers != workers or _POOL.job_key != job.key:
        if _POOL is not None:
            _POOL.kill()
        _POOL = _Pool(workers, job)
        import atexit

        atexit.register(_shutdown_pool)
    return _POOL


def _shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.executor.shutdown(wait=False, cancel_futures=True)
        _POOL = None


def _discard_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.kill()
        _POOL = None


@dataclass
class Job:
    """What every task of a run shares. A worker builds it once, when it starts, as `setup(state)`
    (`state` is pickled to it then, not with every task); this process uses `local`. Runs with
    the same `key` share the pool."""

    key: str
    setup: Callable[[Any], Any]
    state: Any
    local: Any


def run_ordered(
    items: Iterable,
    task_of: Callable[[Any], tuple | None],
    task: Callable,
    job: Job,
    on_crash: Callable[[bool], Any],
    workers: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """(item, answer) for each item, in order: `task(job, *task_of(item))`, or None where
    task_of(item) is None. Items are pulled lazily, a few per worker ahead of the one yielded.

    `on_crash(timed_out)` answers for an item whose worker hung, or died twice.
    """
    workers = worker_count() if workers is None else workers
    if workers <= 0:
        for item in items:
            args = task_of(item)
            yield item, (task(job.local, *args) if args is not None else None)
        return
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    source = iter(items)
    queue: deque[list] = deque()  # [item, args, future]: args None passes through, future None waits
    pool = _pool(workers, job)
    window = IN_FLIGHT_PER_WORKER * workers

    def top_up() -> None:
        """Submit waiting tasks in order, then pull new items, until `window` are in flight."""
        flying = sum(1 for e in queue if e[2] is not None)
        waiting = (e for e in list(queue) if e[1] is not None and e[2] is None)
        while flying < window:
            entry = next(waiting, None)
            if entry is None:
                item = next(source, _END)
                if item is _END:
                    return
                entry = [item, task_of(item), None]
                queue.append(entry)
                if entry[1] is None:
                    continue
            try:
                entry[2] = pool.executor.submit(_run, task, entry[1])
            except BrokenProcessPool:  # a worker died meanwhile: the head's future will say so
                return
            flying += 1

    top_up()
    while queue:
        item, args, future = queue[0]
        if args is not None and future is None:  # the pool broke before this one was submitted
            _discard_pool()
            pool = _pool(workers, job)
            top_up()
            continue
        queue.popleft()
        answer = None
        if future is not None:
            try:
                answer = future.result(timeout=TASK_TIMEOUT_S)
            except (BrokenProcessPool, FutureTimeout) as exc:
                _discard_pool()
                timed_out = isinstance(exc, FutureTimeout)
                answer = on_crash(True) if timed_out else _alone(job, task, args, on_crash)
                pool = _pool(workers, job)
                for entry in queue:  # lost with the pool: submitted again, in order
                    entry[2] = None
        yield item, answer
        top_up()


_END = object()


def _alone(job: Job, task: Callable, args: tuple, on_crash: Callable[[bool], Any]) -> Any:
    """An item that broke the pool, run again in a worker of its own."""
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    single = _Pool(1, job)
    try:
        return single.executor.submit(_run, task, args).result(timeout=TASK_TIMEOUT_S)
    except FutureTimeout:
        return on_crash(True)
    except BrokenProcessPool:
        return on_crash(False)
    finally:
        single.kill()
