"""The ledger's typed read: which return counts for a period, stale figures, and `minsheng status`."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.formspec import rows_by_unit
from pipeline.ingest import run_ingest
from pipeline.jobs import progress_report
from pipeline.ledger import Ledger
from pipeline.model import ReturnStatus, ValueStatus
from pipeline.periods import parse_period
from pipeline.simulate import filled_values, simulate
from pipeline.snapshot import read_snapshot

APRIL, MAY = parse_period("2023-04"), parse_period("2023-05")


def _two_months(cfg, tmp_path, drop_in_may: str):
    simulate(cfg, APRIL, tmp_path / "in" / "04", seed=5)
    sim = simulate(cfg, MAY, tmp_path / "in" / "05", seed=5)
    dropped = [f for f in sim.files if cfg.unit(drop_in_may).name in f.name]
    for f in dropped:
        f.unlink()
    run_ingest(cfg, tmp_path / "in", tmp_path / "out")
    return tmp_path / "out"


def test_a_unit_that_sent_nothing_has_no_current_value_but_keeps_its_last(sample_config, tmp_path):
    out = _two_months(sample_config, tmp_path, "wjj")
    rows = rows_by_unit(sample_config)
    april = filled_values(5, "wjj", rows["wjj"], APRIL)
    may_rsj = filled_values(5, "rsj", rows["rsj"], MAY)
    with Ledger.for_config(sample_config, out) as ledger:
        snap = read_snapshot(ledger, sample_config, MAY)
    icu = snap.rows["icu"]
    assert icu.current is None and icu.last_ok.number == april["icu"] and icu.last_ok.period == "2023-04"
    assert snap.returns["wjj"].status == ReturnStatus.missing
    jiuye = snap.rows["jiuye"]
    assert jiuye.current.status == ValueStatus.ok and jiuye.current.number == may_rsj["jiuye"]
    assert jiuye.current.source.cell.startswith("H") and jiuye.current.source.archive_path.startswith("archive/")
    assert dict(snap.series["jiuye"]) == {
        "2023-04": filled_values(5, "rsj", rows["rsj"], APRIL)["jiuye"],
        "2023-05": may_rsj["jiuye"],
    }
    report = progress_report(sample_config, out, MAY)
    line = report.indicator("icu").total
    assert line.status.value == "未报送" and line.stale and line.value == april["icu"]
    assert sum(report.overall.counts.values()) == report.overall.indicators


def test_a_later_return_of_the_same_end_date_wins(sample_config, tmp_path):
    """A 5月下旬 return received after the 5月 return ends on the same day: it is the current one."""
    month = simulate(sample_config, MAY, tmp_path / "in" / "05", seed=5)
    dekad = parse_period("2023-05-3")
    sim = simulate(sample_config, dekad, tmp_path / "in" / "05-3", seed=6)
    later = max(f.stat().st_mtime for f in month.files) + 3600
    for f in sim.files:  # received after every 5月 return
        os.utime(f, (later, later))
    run_ingest(sample_config, tmp_path / "in", tmp_path / "out")
    expected = filled_values(6, "rsj", rows_by_unit(sample_config)["rsj"], dekad)["jiuye"]
    with Ledger.for_config(sample_config, tmp_path / "out") as ledger:
        snap = read_snapshot(ledger, sample_config, MAY)
    assert snap.rows["jiuye"].current.period == "2023-05-3"
    assert snap.rows["jiuye"].current.number == expected


def test_status_command_table_json_and_empty_ledger(sample_config, sample_config_path, tmp_path):
    out = _two_months(sample_config, tmp_path, "wjj")
    runner = CliRunner()
    empty = runner.invoke(cli, ["status", "--config", str(sample_config_path), "--outputs", str(tmp_path / "none")])
    assert empty.exit_code == 0 and "还没有" in empty.output
    table = runner.invoke(cli, ["status", "--config", str(sample_config_path), "--outputs", str(out), "--lagging"])
    assert table.exit_code == 0, table.output
    assert "2023年5月（截至2023年5月31日，序时进度 41.7%）" in table.output
    assert "【省级重点民生实事】" in table.output and "未报送" in table.output
    data = json.loads(
        runner.invoke(cli, ["status", "--config", str(sample_config_path), "--outputs", str(out), "--json"]).output
    )
    assert data["period"] == "2023-05" and data["schedule_pct"] == 41.7
    assert sum(data["overall"]["counts"].values()) == data["overall"]["indicators"]
    icu = next(i for i in data["indicators"] if i["id"] == "icu")
    assert icu["total"]["status"] == "未报送" and icu["total"]["value_period"] == "2023-04"


class _Subs:
    def __init__(self, codes):
        self.rows = [{"status": "accepted", "period": c} for c in codes]

    def submissions(self):
        return self.rows


def test_latest_period_of_each_kind():
    from pipeline.jobs import latest_period

    ledger = _Subs(["2023-04", "2023-05-2", "2023-06", "2023"])
    assert latest_period(ledger, "month", 2023).code == "2023-06"
    assert latest_period(ledger, "dekad", 2023).code == "2023-05-2"  # only 旬 returns make a 旬
    assert latest_period(ledger, "quarter", 2023).code == "2023-Q2"  # June closes Q2; the year return is ignored
    assert latest_period(_Subs(["2023-05"]), "quarter", 2023) is None  # May does not close a quarter
