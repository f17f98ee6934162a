"""Where ingest spends its time, stage by stage, for `make bench` (pipeline.bench).

Each process adds up the seconds it spends in each stage; a worker's sums travel back with its
answers (pipeline.workers) and are added to this process's. Always on: one clock read per stage
per file. Stages of the workers overlap with those of this process, so they do not add up to
the wall time of a run.
"""

from __future__ import annotations

from time import perf_counter

SECONDS: dict[str, float] = {}


def add(stage: str, since: float) -> float:
    """Count the time from `since` to now under `stage`; returns now, the start of the next stage."""
    now = perf_counter()
    SECONDS[stage] = SECONDS.get(stage, 0.0) + now - since
    return now


def take() -> dict[str, float]:
    """The sums so far, and start again from zero."""
    out = dict(SECONDS)
    SECONDS.clear()
    return out


def merge(other: dict[str, float]) -> None:
    for stage, seconds in other.items():
        SECONDS[stage] = SECONDS.get(stage, 0.0) + seconds


def clock() -> float:
    return perf_counter()
