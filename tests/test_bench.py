"""make bench's scenarios and its report, on a small scenario (the timings themselves are the
bench's business, not a test's)."""

from __future__ import annotations

from conftest import ROOT

from pipeline.bench import BASE, GROWTH, _summary, run_scenario
from pipeline.bench_scale import AREA_INDICATORS, Scenario, make_inputs, scaled_config
from pipeline.bench_table import STAGES, render, total_rss
from pipeline.formspec import reporting_units, rows_by_unit

KEYS = [
    "files",
    "ingest_s",
    "pandas_read_s",
    "unzip_s",
    "ratio_vs_pandas",
    "ratio_vs_unzip",
    "report_s",
    "growth_2x",
    "monthly_default_s",
    "peak_rss_mb_2x",
]


def test_a_scaled_config_has_the_units_asked_for_each_with_its_form():
    for units in (20, 150):
        cfg, _ = scaled_config(ROOT / "config.yaml", units)
        assert len(reporting_units(cfg)) == units and not cfg.warnings
        rows = rows_by_unit(cfg)
        areas = [u.code for u in cfg.units if u.kind == "area"]
        assert areas and all(len(rows[code]) == AREA_INDICATORS for code in areas)


def test_a_scenario_reports_every_stage_and_the_summary_every_key(tmp_path):
    scenario = Scenario("tiny", 20, periods=3)  # the first quarter closes: a 季总结 too
    cfg, text = scaled_config(ROOT / "config.yaml", scenario.units)
    inputs, _ = make_inputs(cfg, text, scenario, tmp_path / "cache", workers=1)
    config = tmp_path / "tiny.yaml"
    config.write_text(text, encoding="utf-8")
    run = run_scenario(config, inputs)
    assert run["files"] == sum(1 for _ in inputs.rglob("*.xlsx"))
    assert run["counts"]["accepted"] >= scenario.returns - 2  # the simulator leaves one unit out, a copy in
    assert {key for _, key, _ in STAGES} - {"passing"} <= set(run["times"])
    assert {"ingest", "reports", "analytics", "summary"} <= set(run["times"])
    assert {"旬简报", "月通报", "季总结"} <= set(run["documents"]), run["documents"]
    # the 数据依据 workbooks are written inside the documents' time, so they take part of it
    assert 0 < run["times"]["basis"] < sum(run["documents"].values())
    again, _ = make_inputs(cfg, text, scenario, tmp_path / "cache", workers=1)
    assert again == inputs  # made once, then reused
    run.update(unzip_s=0.5, simulate_s=0.0, pandas_read_s=9.0, pandas_sample=10)
    figures = _summary({BASE.name: run, GROWTH.name: dict(run)}, monthly=1.0)
    assert all(isinstance(figures[k], (int, float)) for k in KEYS if figures[k] is not None)
    assert figures["growth_2x"] == 1.0 and figures["pandas_sample"] == 10
    text = render(figures)
    assert "读取+校验+入账" in text and "目标 ≤4" in text and "月通报" in text and "数据依据表" in text
    bare = {
        **run,
        "documents": {},
        "times": {k: v for k, v in run["times"].items() if k not in ("analytics", "summary")},
    }
    text = render(_summary({BASE.name: run, GROWTH.name: bare}, monthly=1.0))  # the growth point without materials
    assert "FULL=1" in text and "1,200 份连同出材料" in text


def test_peak_memory_counts_the_workers_as_reaped_and_a_later_child_once():
    # main 60 MB when ingest ended, 600 MB at the end; two workers of 50 MB; a later child of 446 MB
    run = {"workers": 2, "rss_ingest_main_mb": 60.0, "rss_main_mb": 600.0, "rss_worker_mb": 50.0}
    assert total_rss({**run, "rss_later_child_mb": 446.0}, "rss_ingest_main_mb") == 160.0  # 60 + 2 × 50
    assert total_rss({**run, "rss_later_child_mb": 446.0}) == 1146.0  # 600 + 2 × 50 + 446
    assert total_rss({**run, "rss_later_child_mb": 50.0}) == 700.0  # the workers themselves: not twice
    assert total_rss({**run, "rss_main_mb": None}) is None  # Windows: no figure rather than a wrong one
