"""What staff see from the command line itself: help and usage errors in Chinese, no tracebacks."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args), prog_name="minsheng")
    assert "Traceback" not in result.output
    return result


def test_help_is_in_chinese():
    result = run("--help")
    assert result.exit_code == 0
    assert "用法：" in result.output and "选项" in result.output and "命令" in result.output
    assert "显示本帮助并退出。" in result.output
    for command in ("check-config", "templates", "simulate", "ingest", "monthly", "dekad", "quarterly"):
        assert command in result.output
    assert "Usage" not in result.output and "Show this message" not in result.output


def test_usage_errors_are_in_chinese():
    missing = run("templates")
    assert missing.exit_code == 2 and "出错：缺少选项 '--period'" in missing.output
    assert "可运行「minsheng templates --help」查看用法。" in missing.output
    unknown = run("ingest", "--bogus")
    assert unknown.exit_code == 2 and "没有「--bogus」这个选项" in unknown.output
    bad_seed = run("simulate", "--period", "2023-05", "--into", "x", "--seed", "abc")
    assert bad_seed.exit_code == 2 and "「abc」不是有效的数字" in bad_seed.output
    assert "没有「nosuch」这个命令" in run("nosuch").output
