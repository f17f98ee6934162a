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

from . import stages

WORKER_MEMORY_BYTES = 1536 * 1024 * 1024  # address space of a worker (POSIX only)
TASK_TIMEOUT_S = 60

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
    _watch_parent()
    _JOB = setup(state) if setup is not None else None


def _watch_parent() -> None:
    """End this worker when the process that started it dies (killed mid-batch, say): the pool's
    queues keep both pipe ends open in every worker, so otherwise it would wait forever."""
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def wait() -> None:
        from multiprocessing.connection import wait as wait_for

        wait_for([parent.sentinel])
        os._exit(0)

    threading.Thread(target=wait, name="parent-watch", daemon=True).start()


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


def stop() -> None:
    """Shut the pool down and wait for its workers to exit."""
    global _POOL
    if _POOL is not None:
        _POOL.executor.shutdown(wait=True)
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


def start(job: Job, workers: int | None = None) -> None:
    """Start the pool's workers now, so that they boot while this process does something else."""
    workers = worker_count() if workers is None else workers
    if workers > 0:
        pool = _pool(workers, job)
        for _ in range(workers):
            pool.executor.submit(_run_batch, _ready, [()])


def _ready(_job) -> None:
    return None


def run_ordered(
    items: Iterable,
    task_of: Callable[[Any], tuple | None],
    task: Callable,
    job: Job,
    on_crash: Callable[[bool], Any],
    workers: int | None = None,
    chunk: int = 1,
) -> Iterator[tuple[Any, Any]]:
    """(item, answer) for each item, in order: `task(job, *task_of(item))`, or None where
    task_of(item) is None. Items are pulled lazily, sent `chunk` tasks at a time (fewer round
    trips for a big batch), about two chunks per worker ahead of the one yielded.

    `on_crash(timed_out)` answers for an item whose worker hung, or died on it twice. After a
    crash the chunks then in flight are sent again one task at a time, to find the culprit.
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
    queue: deque[_Entry] = deque()  # every item pulled and not yet yielded, in order
    pool = _pool(workers, job)
    chunk = max(1, chunk)
    window = 2 * chunk * workers
    exhausted = False

    def submit(batch: list[_Entry]) -> None:
        try:
            future = pool.executor.submit(_run_batch, task, [e.args for e in batch])
        except BrokenProcessPool:  # a worker died meanwhile: submitted again below, one by one
            future = None
        for i, e in enumerate(batch):
            e.future, e.index = future, i

    def top_up() -> None:
        nonlocal exhausted
        while not exhausted and sum(1 for e in queue if e.args is not None) <= window - chunk:
            batch: list[_Entry] = []
            while len(batch) < chunk:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                entry = _Entry(item, task_of(item))
                queue.append(entry)
                if entry.args is not None:
                    batch.append(entry)
            if batch:
                submit(batch)

    def resubmit_one_by_one() -> None:
        nonlocal pool
        _discard_pool()
        pool = _pool(workers, job)
        for e in queue:
            if e.args is not None and not e.done:
                submit([e])

    top_up()
    while queue:
        head = queue[0]
        if head.args is not None and not head.done:
            if head.future is None:  # the pool broke before it was submitted
                resubmit_one_by_one()
                continue
            try:
                answers, seconds = head.future.result(timeout=TASK_TIMEOUT_S)
                stages.merge(seconds)
            except (BrokenProcessPool, FutureTimeout) as exc:
                alone = sum(1 for e in queue if e.future is head.future) == 1
                if not alone:
                    resubmit_one_by_one()
                    continue
                _discard_pool()
                timed_out = isinstance(exc, FutureTimeout)
                head.answer = on_crash(True) if timed_out else _alone(job, task, head.args, on_crash)
                head.done = True
                resubmit_one_by_one()
            else:
                for e in queue:
                    if e.future is head.future:
                        e.answer, e.done = answers[e.index], True
        queue.popleft()
        yield head.item, head.answer
        top_up()


class _Entry:
    __slots__ = ("item", "args", "future", "index", "answer", "done")

    def __init__(self, item: Any, args: tuple | None):
        self.item, self.args = item, args
        self.future, self.index, self.answer, self.done = None, 0, None, False


def _run_batch(task: Callable, batch: list[tuple]) -> tuple[list, dict[str, float]]:
    """The answers of a batch, and the stage times (pipeline.stages) the worker spent on them."""
    return [task(_JOB, *args) for args in batch], stages.take()


_END = object()


def _alone(job: Job, task: Callable, args: tuple, on_crash: Callable[[bool], Any]) -> Any:
    """An item that broke the pool, run again in a worker of its own."""
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    single = _Pool(1, job)
    try:
        answers, seconds = single.executor.submit(_run_batch, task, [args]).result(timeout=TASK_TIMEOUT_S)
        stages.merge(seconds)
        return answers[0]
    except FutureTimeout:
        return on_crash(True)
    except BrokenProcessPool:
        return on_crash(False)
    finally:
        single.kill()
