"""The fast path (worker processes, one read per file, the rules split across processes) gives
exactly what a plain run gives: the same ledger rows, the same findings, the same archive.

The plain runs: everything in this process (MINSHENG_WORKERS=0), and one ingest per file, the
files arriving one at a time in the order the batch takes them."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from test_ingest import dump

from pipeline.ingest import ingest
from pipeline.ledger import Ledger, StoredValue, Submission, SubmissionStatus
from pipeline.model import ValueStatus
from pipeline.periods import parse_period
from pipeline.readers import discover
from pipeline.simulate import simulate


@pytest.fixture
def batch(sample_config, tmp_path) -> Path:
    """Three months of returns, the later two with the simulator's planted mistakes, plus files
    that are refused, ignored, sent twice and sent again corrected."""
    inputs = tmp_path / "batch"
    for i, month in enumerate(("2023-03", "2023-04", "2023-05")):
        simulate(sample_config, parse_period(month), inputs / month, seed=9, messy=i > 0)
    may = sorted((inputs / "2023-05").glob("*.xlsx"))
    (inputs / "坏文件.xlsx").write_bytes(may[0].read_bytes()[:2000])  # cut off in transit
    (inputs / "说明.txt").write_text("各单位报表", encoding="utf-8")
    (inputs / "空.xls").write_bytes(b"")
    shutil.copy2(may[1], inputs / "重复发送.xlsx")
    _formula_without_value(may[2], inputs / "公式.xlsx")
    again = inputs / "更正" / may[3].name
    again.parent.mkdir()
    _formula_without_value(may[3], again)
    for n, path in enumerate(sorted(p for p in inputs.rglob("*") if p.is_file())):
        stamp = 1_685_000_000 + 3600 * (n % 7)  # ties in time: the relative path decides the order
        os.utime(path, (stamp, stamp))
    return inputs


def _formula_without_value(src: Path, dst: Path) -> None:
    """The first value cell (H6) turned into a formula saved without its result."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = rb'<c r="H6"[^>]*?(/>|>.*?</c>)'
                data = re.sub(cell, b'<c r="H6"><f>SUM(F6:F6)</f></c>', data, count=1, flags=re.S)
            zout.writestr(info, data)


def run(cfg, inputs: Path, out: Path, monkeypatch, workers: str):
    monkeypatch.setenv("MINSHENG_WORKERS", workers)
    return ingest(cfg, inputs, out)


def findings(result) -> list[dict]:
    return [f.as_dict() for f in result.findings]


def test_fast_path_equals_a_plain_run(sample_config, batch, tmp_path, monkeypatch):
    fast = run(sample_config, batch, tmp_path / "fast", monkeypatch, "2")
    plain = run(sample_config, batch, tmp_path / "plain", monkeypatch, "0")
    assert dump(tmp_path / "fast" / "ledger-2023.sqlite") == dump(tmp_path / "plain" / "ledger-2023.sqlite")
    assert findings(fast) == findings(plain) and [f.as_dict() for f in fast.run_notes] == [
        f.as_dict() for f in plain.run_notes
    ]
    assert [o.__dict__ for o in fast.outcomes] == [o.__dict__ for o in plain.outcomes]
    assert fast.periods == plain.periods
    codes = {f.code for f in fast.findings}
    # the batch really is messy: refused files, value errors, history rules and formulas all fired
    assert {"F-CORRUPT", "F-EMPTY", "V-DECREASE", "V-FORMULA-NO-VALUE", "F-RESUBMITTED", "F-LATE"} <= codes
    assert {"accepted", "rejected", "ignored", "duplicate"} <= {o.status for o in fast.outcomes}
    archived = sorted(p.relative_to(tmp_path / "fast") for p in (tmp_path / "fast" / "archive").rglob("*.*"))
    assert archived == sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain" / "archive").rglob("*.*"))


def test_fast_path_equals_files_arriving_one_at_a_time(sample_config, batch, tmp_path, monkeypatch):
    fast = run(sample_config, batch, tmp_path / "fast", monkeypatch, "2")
    order = sorted(discover(batch), key=lambda d: (d.mtime, d.relative))
    drip, out = tmp_path / "drip", tmp_path / "one-by-one"
    one_by_one = []
    for found in order:
        target = drip / found.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(found.path, target)
        one_by_one.extend(run(sample_config, drip, out, monkeypatch, "0").findings)
    assert dump(tmp_path / "fast" / "ledger-2023.sqlite") == dump(out / "ledger-2023.sqlite")
    assert findings(fast) == [f.as_dict() for f in one_by_one]


def test_the_history_a_batch_keeps_is_the_one_the_ledger_reads(tmp_path):
    """unit_history after each record equals history() read afresh: superseded returns drop out,
    suspect and not-ok values never count, another year's return is not this year's history."""
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.year = 2023
        ledger.keep_histories()
        steps = [  # period, value, status, suspect, status of the submission
            ("2023-02", 20.0, ValueStatus.ok, False, SubmissionStatus.accepted),
            ("2023-01", 10.0, ValueStatus.ok, False, SubmissionStatus.accepted),  # arrives late
            ("2023-03", 90.0, ValueStatus.ok, True, SubmissionStatus.accepted),  # doubted
            ("2023-02", 25.0, ValueStatus.ok, False, SubmissionStatus.accepted),  # corrects February
            ("2023-04", None, ValueStatus.empty, False, SubmissionStatus.accepted),
            ("2023-05", 50.0, ValueStatus.ok, False, SubmissionStatus.rejected),
            ("2022-12", 5.0, ValueStatus.ok, False, SubmissionStatus.accepted),
            ("2023-05-1", 40.0, ValueStatus.ok, False, SubmissionStatus.accepted),
        ]
        assert ledger.unit_history("rsj") == {}
        for i, (code, value, status, suspect, sub_status) in enumerate(steps):
            sub = Submission(f"h{i}", f"{i}.xlsx", f"{i}.xlsx", 1, "2023-06-01T00:00:00", "a", sub_status)
            sub.unit_code, sub.period, sub.period_end = "rsj", code, parse_period(code).end.isoformat()
            values = [
                StoredValue(key, key, None, "填报表", "H6", str(value), value, None, status, False, suspect)
                for key in ("peixun", "jiuye")
            ]
            ledger.record(sub, values if sub_status == SubmissionStatus.accepted else [])
            assert ledger.unit_history("rsj") == ledger.history("rsj"), code
        assert [v for _, _, v in ledger.unit_history("rsj")["peixun"]] == [10.0, 25.0, 40.0]


def test_a_returns_rows_are_stored_in_their_order(tmp_path):
    """Values and narratives go in by many rows per INSERT; they keep the order they came in
    (values_for reads them back by rowid), also past one statement's worth of rows."""
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        sub = Submission("h", "a.xlsx", "a.xlsx", 1, "2023-06-01T00:00:00", "a", SubmissionStatus.accepted)
        sub.unit_code, sub.period, sub.period_end = "rsj", "2023-05", "2023-05-31"
        keys = [f"k{i:03d}" for i in range(150)][::-1]
        values = [StoredValue(k, k, None, "填报表", "H6", "1", 1.0, None, ValueStatus.ok, False) for k in keys]
        texts = [(k, "progress", f"第{i}行", f"J{i}") for i, k in enumerate(keys)]
        sid = ledger.record(sub, values, narratives=texts)
        assert [v.row_key for _, v in ledger.values_for("2023-05")] == keys
        stored = ledger.db.execute(
            "SELECT row_key, text FROM narratives WHERE submission_id = ? ORDER BY rowid", (sid,)
        )
        assert [tuple(r) for r in stored] == [(k, t) for k, _, t, _ in texts]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_workers_end_when_ingest_is_killed(sample_config, sample_config_path, batch, tmp_path):
    """A kill mid-batch leaves no reading worker behind waiting for work (they watch their parent)."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT
    from test_ingest import _count, _ingest_cmd

    ledger = tmp_path / "out" / "ledger-2023.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MINSHENG_WORKERS": "2"}
    proc = subprocess.Popen(_ingest_cmd(sample_config_path, batch, tmp_path / "out"), env=env)
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not (ledger.exists() and _count(ledger)):
        children |= _children(proc.pid)
        time.sleep(0.005)
    children |= _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert children, "the ingest should have started its workers"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.05)
    assert not [pid for pid in children if _running(pid)], sys.platform


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(c) for c in text.split()}


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
