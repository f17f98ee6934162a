"""The simulator: deterministic for a seed, plausible, and filling forms as units do."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.formspec import FIRST_DATA_ROW, SHEET_FORM, rows_by_unit
from pipeline.periods import parse_period
from pipeline.simulate import simulate, simulated_value

MAY = parse_period("2023-05")


def cell_values(folder: Path) -> dict[str, list]:
    """Every cell value of every sheet, by file name: what a reader sees."""
    out = {}
    for path in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        out[path.name] = [[c.value for c in row] for ws in wb.worksheets for row in ws.iter_rows()]
    return out


def test_same_seed_same_cells_other_seed_other_cells(sample_config, tmp_path):
    simulate(sample_config, MAY, tmp_path / "a", seed=7, messy=True)
    time.sleep(1.1)  # a second later: nothing may depend on the wall clock
    simulate(sample_config, MAY, tmp_path / "b", seed=7, messy=True)
    simulate(sample_config, MAY, tmp_path / "c", seed=8, messy=True)
    a, b, c = (cell_values(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c
    # Even the bytes: a unit sending the same file twice is recognised by its hash.
    for p in (tmp_path / "a").glob("*.xlsx"):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name


def test_values_grow_along_the_year_and_follow_the_targets(sample_config):
    rows = rows_by_unit(sample_config)["rsj"]
    jiuye = next(r for r in rows if r.key == "jiuye@yi")
    series = [simulated_value(3, "rsj", jiuye, parse_period(f"2023-{m:02d}")) for m in range(1, 13)]
    assert series == sorted(series)
    assert 0 < series[0] < series[-1] <= 600 * 1.08
    stage_row = rows_by_unit(sample_config)["wjj"][0]
    stages = [simulated_value(3, "wjj", stage_row, parse_period(f"2023-{m:02d}")) for m in range(1, 13)]
    order = stage_row.indicator.stages
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)


def test_filled_form_keeps_its_protection_metadata_and_totals(sample_config, tmp_path):
    sim = simulate(sample_config, MAY, tmp_path, seed=1)
    rsj = next(p for p in sim.files if "人力资源" in p.name)
    wb = openpyxl.load_workbook(rsj)
    assert wb["_meta"].sheet_state == "hidden"
    ws = wb[SHEET_FORM]
    assert ws.protection.sheet is True
    total, yi, bing = (ws[f"H{FIRST_DATA_ROW + i}"].value for i in range(3))
    assert total == yi + bing  # a careful unit's 合计 adds up
    assert ws["C3"].value and ws["F3"].value.startswith("0739-")


def test_messy_lists_what_it_planted(sample_config, tmp_path):
    sim = simulate(sample_config, MAY, tmp_path, seed=1, messy=True)
    kinds = {p.kind for p in sim.planted}
    assert {"missing_unit", "late", "decrease", "child_exceeds", "renamed", "stale_copy"} <= kinds
    missing = next(p for p in sim.planted if p.kind == "missing_unit")
    assert not any(sample_config.unit(missing.unit_code).name in f.name for f in tmp_path.glob("*.xlsx"))


def test_cli_simulate(sample_config_path, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "simulate",
            "--config",
            str(sample_config_path),
            "--period",
            "2023-05",
            "--into",
            str(tmp_path / "out"),
            "--seed",
            "3",
            "--messy",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "份模拟报表" in result.output and "埋设问题：缺报" in result.output
