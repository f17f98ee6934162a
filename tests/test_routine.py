"""`make all`: the end-of-month routine makes the month's documents in one run."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import ROOT

from pipeline.cli import cli
from pipeline.config_load import load_config
from pipeline.errors import UserError
from pipeline.routine import run_all


def made(job) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in job.outputs if p.suffix == ".docx"}


def test_a_quarters_last_month_gets_all_three_documents(tmp_path):
    cfg = load_config(ROOT / "config.yaml")
    job = run_all(cfg, tmp_path / "inputs", None, tmp_path)
    # the demo's month is June: its latest 旬 is 下旬, and June closes the second quarter
    assert made(job) == {"2023-06-3/旬简报.docx", "2023-06/月通报.docx", "2023-Q2/季总结.docx"}
    assert all(p.is_file() for p in job.outputs)
    assert {p.name for p in job.outputs if p.parent.name == "2023-06"} >= {
        "月通报_数据依据.xlsx",
        "重点民生实事进展汇总表.xlsx",
    }
    assert job.report.period == "2023-06"  # the overall line is the month's


def test_another_month_gets_no_summary_and_says_so(tmp_path):
    cfg = load_config(ROOT / "config.yaml")
    job = run_all(cfg, tmp_path / "inputs", "2023-05", tmp_path)
    assert made(job) == {"2023-05-3/旬简报.docx", "2023-05/月通报.docx"}
    assert "2023年5月不是季末，不出季总结。" in job.lines


def test_monthly_only_units_get_the_brief_of_the_cutoff(tmp_path):
    """安化: units send monthly forms with figures 截至每月20日, so May's brief is 5月中旬's."""
    cfg = load_config(ROOT / "examples" / "anhua-2023.yaml")
    job = run_all(cfg, tmp_path / "inputs", "2023-05", tmp_path)
    assert "2023-05-2/旬简报.docx" in made(job) and "2023-05/月通报.docx" in made(job)


def test_an_office_issuing_only_a_monthly_notice_gets_only_that(tmp_path):
    cfg = load_config(ROOT / "examples" / "xiaoxian-2023.yaml")
    job = run_all(cfg, tmp_path / "inputs", "2023-06", tmp_path)
    assert made(job) == {"2023-06/月通报.docx"}
    assert job.lines[0].endswith("月末材料：月通报")


def test_a_period_that_is_no_month_is_refused_plainly(tmp_path):
    cfg = load_config(ROOT / "config.yaml")
    with pytest.raises(UserError, match="不是月份；月末材料请写月份，如 2023-06"):
        run_all(cfg, tmp_path / "inputs", "2023-Q2", tmp_path)
    result = CliRunner().invoke(
        cli, ["all", "--config", str(ROOT / "config.yaml"), "--inputs", str(tmp_path / "in"),
              "--outputs", str(tmp_path), "--period", "2023-05-2"],
    )  # fmt: skip
    assert result.exit_code != 0 and "不是月份" in result.output and "Traceback" not in result.output


def test_a_weekly_office_gets_its_months_last_week_brief(tmp_path):
    from test_weekly import three_units

    result = CliRunner().invoke(cli, ["all", *three_units(tmp_path)])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "out" / "demo"
    assert (demo / "2023-W21" / "周简报.docx").is_file()  # 5月22日至28日: the last week wholly in May
    assert (demo / "2023-05" / "月通报.docx").is_file()
