"""The collector is paused while a large output is built (a workbook, a period's reports), and left as the caller had it."""

from __future__ import annotations

import gc

import pytest

from pipeline import jobs
from pipeline.collector import collector_paused
from pipeline.periods import parse_period
from pipeline.reports import save_workbook


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_on_again_after_a_workbook_is_written(tmp_path, collector_on):
    seen = []
    save_workbook(tmp_path / "a.xlsx", lambda wb: seen.append(gc.isenabled()) or wb.add_worksheet().write(0, 0, 1))
    assert seen == [False] and gc.isenabled()
    assert (tmp_path / "a.xlsx").stat().st_size > 0


def test_on_again_when_the_block_fails(collector_on):
    with pytest.raises(ZeroDivisionError), collector_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_left_off_when_the_caller_had_it_off(collector_on):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_off_while_the_reports_are_made_and_on_again_after(sample_config, tmp_path, monkeypatch, collector_on):
    seen = []
    read, build = jobs.read_snapshots, jobs.build_reports
    monkeypatch.setattr(jobs, "read_snapshots", lambda *a, **k: seen.append(gc.isenabled()) or read(*a, **k))
    monkeypatch.setattr(jobs, "build_reports", lambda *a: seen.append(gc.isenabled()) or build(*a))
    now, before = jobs.progress_reports(sample_config, tmp_path, parse_period("2023-05"))
    assert seen == [False, False] and gc.isenabled()
    assert (now.period, before.period) == ("2023-05", "2023-04")
