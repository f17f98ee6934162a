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


def _record(ledger, unit, code, received, values, *, said="", late=False, status=None, findings=()):
    """One return straight into the ledger: row key → number, findings as (rule, message), and
    `said` as the 进展情况 of its first row."""
    from pipeline.findings import Finding
    from pipeline.ledger import StoredValue, Submission, SubmissionStatus

    name = f"{unit}-{code}-{received}.xlsx"
    sub = Submission(name, name, name, 1, f"{received}T09:00:00", f"archive/{name}")
    sub.status = status or SubmissionStatus.accepted
    sub.unit_code, sub.period, sub.period_end = unit, code, parse_period(code).end.isoformat()
    sub.received_date, sub.late = received, late
    stored = [
        StoredValue(k, k, None, "填报表", "H6", str(v), v, None, ValueStatus.ok, False) for k, v in values.items()
    ]
    found = [Finding(code=rule, message=msg, unit_code=unit, period=code) for rule, msg in findings]
    texts = [(next(iter(values)), "progress", said, "J6")] if said else []
    ledger.record(sub, stored if sub.status == SubmissionStatus.accepted else [], found, texts)


def test_snapshots_cut_from_one_read_are_the_ones_read_alone(sample_config, tmp_path):
    """read_snapshots reads the ledger once up to June and cuts May's and April's snapshots out of
    it: each equals read_snapshot's for its period alone, with April's late correction (received in
    July) as April's figure and nothing of a later month in an earlier month's snapshot. A period
    read for its figures only has the same rows and returns and nothing else."""
    from pipeline.ledger import SubmissionStatus
    from pipeline.snapshot import read_snapshots

    june = parse_period("2023-06")
    refused = [("F-HEADER-EDITED", "表头有改动"), ("F-NOT-FORM", "不是填报表"), ("V-RANGE", "超出范围")]
    doubted = [("V-RANGE", "超出范围"), ("V-OUTLIER", "增幅过大"), ("V-LAG-NO-REASON", "未说明")]
    with Ledger.for_config(sample_config, tmp_path) as ledger:
        _record(ledger, "rsj", "2023-04", "2023-05-05", {"peixun": 100.0}, said="四月")
        _record(ledger, "rsj", "2023-05", "2023-06-05", {"peixun": 180.0}, said="五月")
        _record(ledger, "mzj", "2023-05", "2023-06-06", {}, status=SubmissionStatus.rejected, findings=refused)
        _record(ledger, "rsj", "2023-06", "2023-07-03", {"peixun": 260.0})
        _record(ledger, "mzj", "2023-06", "2023-07-04", {"shelao": 5.0}, findings=doubted)
        _record(ledger, "rsj", "2023-04", "2023-07-10", {"peixun": 120.0}, said="四月（更正）", late=True)
        shared = read_snapshots(ledger, sample_config, [june, MAY, APRIL])
        alone = [read_snapshot(ledger, sample_config, p) for p in (june, MAY, APRIL)]
        figures = read_snapshots(ledger, sample_config, [june, APRIL], figures_only=[APRIL])[1]
    assert shared == alone
    jun, may, apr = shared
    assert [s.period for s in shared] == ["2023-06", "2023-05", "2023-04"]
    assert apr.rows["peixun"].current.number == 120.0 and apr.rows["peixun"].current.source.file.endswith("07-10.xlsx")
    assert may.rows["peixun"].current.number == 180.0 and may.rows["peixun"].last_ok.period == "2023-05"
    assert may.series["peixun"] == (("2023-04", 120.0), ("2023-05", 180.0))
    assert jun.series["peixun"] == (("2023-04", 120.0), ("2023-05", 180.0), ("2023-06", 260.0))
    assert "shelao" not in may.rows and jun.rows["shelao"].current.number == 5.0
    # the correction came 51 days after April's deadline (20 May): 11 + 30 + 10
    assert apr.returns["rsj"].status == ReturnStatus.late and apr.returns["rsj"].late_days == 51
    assert may.returns["mzj"].status == ReturnStatus.rejected and may.returns["mzj"].reason == "不是填报表"
    assert (jun.returns["mzj"].errors, jun.returns["mzj"].warnings) == (1, 2)
    assert [n.text for n in apr.narratives] == ["四月（更正）"] and [n.text for n in may.narratives] == ["五月"]
    assert jun.narratives == ()
    assert jun.on_time["rsj"] == (2, 3) and may.on_time["rsj"] == (1, 2) and jun.on_time["mzj"] == (1, 3)
    assert [f.message for f in may.findings] == ["表头有改动", "不是填报表", "超出范围"]
    # what a report takes from its previous period, without the texts
    assert figures.rows == apr.rows and figures.returns == apr.returns and apr.narratives and apr.series
    assert (figures.narratives, figures.series, figures.findings, figures.on_time) == ((), {}, (), {})
