"""The collector is paused while a large output is written, and left as the caller had it."""

from __future__ import annotations

import gc

import pytest

from pipeline.collector import collector_paused
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
