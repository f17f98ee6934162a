"""The `minsheng` command: parse arguments, call one library function, render the result.

A `UserError` is printed as plain Chinese lines with exit status 2 (or the error's own);
a traceback only with --debug. Stage modules are imported inside the commands that need
them, so `check-config` and `--help` start without loading the spreadsheet libraries.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import cli_zh
from .config import Config
from .config_load import load_config
from .errors import UserError

cli_zh.install()

DEFAULT_CONFIG = os.environ.get("MINSHENG_CONFIG", "config.yaml")

config_option = click.option(
    "--config",
    "config_path",
    default=DEFAULT_CONFIG,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="配置文件（分解方案）路径",
)


outputs_option = click.option(
    "--outputs",
    "outputs_dir",
    default="outputs",
    show_default=True,
    type=click.Path(path_type=Path),
    help="输出文件夹（台账、校验报告、催报名单）",
)


inputs_option = click.option(
    "--inputs",
    "inputs_dir",
    default="inputs",
    show_default=True,
    type=click.Path(path_type=Path),
    help="各单位报回表格所在的文件夹",
)


class ChineseCommand(click.Command):
    """Usage lines read 「用法：minsheng ingest [选项]」."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class FriendlyGroup(click.Group):
    """Renders UserError without a traceback (unless --debug); subcommands speak Chinese."""

    command_class = ChineseCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as err:
            if ctx.meta.get("debug"):
                raise
            click.echo(err.render(), err=True)
            ctx.exit(err.exit_code)


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出错时显示完整的程序调用栈（供维护人员排查）")
@click.version_option(package_name="minsheng", message="minsheng %(version)s", help="显示版本号并退出。")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """重点民生实事调度：生成填报表、校验入账、汇总分析、印发简报通报。"""
    ctx.meta["debug"] = debug


def _load(config_path: Path) -> Config:
    return load_config(config_path)


def _period_of(cfg: Config, text: str):
    from .periods import parse_period_in

    return parse_period_in(cfg.year, text)


@cli.command("check-config")
@config_option
def check_config(config_path: Path) -> None:
    """检查配置文件（分解方案）是否完整、前后一致。"""
    cfg = _load(config_path)
    click.echo(render_config_summary(cfg))


def render_config_summary(cfg: Config) -> str:
    indicators = [i for _, i in cfg.indicators()]
    pending = sum(1 for i in indicators if i.is_pending)
    reporters = {cfg.reporter_of(p, i) for p, i in cfg.indicators()} | {
        u.code for u in cfg.units if u.kind == "area" and u.area
    }
    reporters |= {cfg.reviewer_of(p, i) for p, i in cfg.indicators()}  # a reviewing unit reports the 合计
    lines = [
        f"配置有效：{cfg.office.name}，{cfg.year}年",
        f"  {len(cfg.projects)} 个项目，{len(indicators)} 个指标，{len(cfg.units)} 个单位"
        f"（其中填报单位 {len(reporters - {None})} 个），{len(cfg.areas)} 个区域，目标待定 {pending} 个",
    ]
    by_cat: dict[str, int] = {}
    for p in cfg.projects:
        name = cfg.category_name(p.category)
        by_cat[name] = by_cat.get(name, 0) + 1
    lines.extend(f"  {name}：{n} 件" for name, n in by_cat.items())
    if cfg.warnings:
        lines.append(f"另有 {len(cfg.warnings)} 条提醒（不影响使用，请核对原文）：")
        lines.extend("  " + w.render() for w in cfg.warnings)
    return "\n".join(lines)


@cli.command("templates")
@config_option
@outputs_option
@click.option(
    "--period", metavar="期别", required=True, help="期别，如 2023-05、2023-05-2、2023-Q2、2023-W21（第21周）"
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="输出目录，默认 <输出文件夹>/templates/<期别>/",
)
def templates(config_path: Path, outputs_dir: Path, period: str, out_dir: Path | None) -> None:
    """为每个填报单位生成本期填报表。"""
    from .forms import write_forms

    cfg = _load(config_path)
    p = _period_of(cfg, period)
    out = out_dir or outputs_dir / "templates" / p.code
    paths = write_forms(cfg, p, out, previous=previous_values(cfg, p, outputs_dir))
    click.echo(f"已为 {len(paths)} 个填报单位生成{p.label}填报表：{out}")


SUSPECT_MARK = "（待核实）"


def previous_values(cfg: Config, period, outputs: Path) -> dict:
    """上期累计 for the forms: this office's ledger of this year only, ok values before the period.

    A value kept on a doubt (suspect) is prefilled as text with 「（待核实）」, never as a plain figure.
    """
    from .ledger import Ledger
    from .messages import num

    ledger = Ledger.for_config(cfg, outputs, create=False)
    if ledger is None:
        return {}
    out: dict = {}
    with ledger:
        for unit in {u.code for u in cfg.units}:
            for key, v in ledger.latest_values(unit, period.start).items():
                value = v.value_text if v.value_num is None else v.value_num
                if v.suspect:
                    value = f"{num(v.value_num) if v.value_num is not None else value}{SUSPECT_MARK}"
                out.setdefault(unit, {})[key] = value
    return out


@cli.command("simulate")
@config_option
@click.option("--period", metavar="期别", required=True, help="期别，如 2023-05")
@click.option("--into", "into", required=True, type=click.Path(path_type=Path), help="把模拟报表写入该目录")
@click.option("--seed", metavar="数字", default=1, show_default=True, type=int, help="随机种子：同一种子结果相同")
@click.option("--messy", is_flag=True, help="加入真实报表中常见的各种问题")
def simulate_cmd(config_path: Path, period: str, into: Path, seed: int, messy: bool) -> None:
    """模拟各单位填报（演示、测试和性能测试用）。"""
    from .simulate import simulate

    cfg = _load(config_path)
    sim = simulate(cfg, _period_of(cfg, period), into, seed=seed, messy=messy)
    click.echo(f"已生成 {len(sim.files)} 份模拟报表：{into}")
    for p in sim.planted:
        where = "，".join(x for x in (p.file, p.cell, p.row_key) if x)
        click.echo(
            f"  埋设问题：{PLANT_WORDS.get(p.kind, p.kind)}（{cfg.unit(p.unit_code).name}{'，' + where if where else ''}）"
        )


PLANT_WORDS = {
    "missing_unit": "缺报",
    "late": "逾期",
    "text_separators": "带千分位的文本数字",
    "fullwidth": "全角数字",
    "with_unit": "数字带单位",
    "decrease": "累计数下降",
    "child_exceeds": "其中大于上级",
    "area_sum": "分区域合计不符",
    "empty": "空单元格",
    "special_note": "含特殊字符的说明",
    "renamed": "文件被改名",
    "stale_copy": "重发上期报表",
}


@cli.command("ingest")
@config_option
@inputs_option
@outputs_option
@click.option("--period", metavar="期别", default=None, help="只处理该期别的报表，如 2023-05")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出问题清单和入账数值（供其他程序使用）")
@click.option("--strict", is_flag=True, help="发现任何错误时以状态码 1 退出")
def ingest_cmd(
    config_path: Path, inputs_dir: Path, outputs_dir: Path, period: str | None, as_json: bool, strict: bool
) -> None:
    """读取 inputs/ 中各单位报回的表格：校验、入账，生成校验报告和催报名单。"""
    from .ingest import render_result, result_json, run_ingest

    cfg = _load(config_path)
    p = _period_of(cfg, period) if period else None
    _require_dir(inputs_dir)
    result = run_ingest(cfg, inputs_dir, outputs_dir, p, progress=None if as_json else _progress)
    if as_json:
        import json

        click.echo(json.dumps(result_json(result, outputs_dir, cfg), ensure_ascii=False, indent=1))
    else:
        click.echo(render_result(result, inputs_dir, outputs_dir))
    if strict and any(f.is_error for f in result.findings + result.run_notes):
        raise SystemExit(1)


def _require_dir(path: Path) -> None:
    if not path.is_dir():
        raise UserError(f"找不到报表目录「{path}」。请确认路径，或新建该文件夹后把各单位报回的表格放进去。")


def _progress(items):
    """A progress bar when many files go by on a terminal; silent otherwise."""
    items = list(items)
    if len(items) < 20 or not sys.stdout.isatty():
        yield from items
        return
    with click.progressbar(items, label="正在读取报表", show_pos=True, width=30) as bar:
        yield from bar


def _cycle_command(name: str, kind: str, label: str):
    @cli.command(name, help=f"{label}：读取 inputs/ 中的报表，校验入账并生成{label}材料。")
    @config_option
    @inputs_option
    @outputs_option
    @click.option(
        "--period",
        metavar="期别",
        default=None,
        help=("期别，如 2023-W21（第21周）" if kind == "week" else "期别，如 2023-05、2023-05-2、2023-Q2")
        + "；默认为有报表的最近一期",
    )
    @click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转成 PDF（需已安装 LibreOffice）")
    def command(config_path: Path, inputs_dir: Path, outputs_dir: Path, period: str | None, pdf: bool) -> None:
        from .jobs import run_cycle

        cfg = _load(config_path)
        click.echo(run_cycle(cfg, kind, inputs_dir, period, outputs_dir, pdf=pdf).render())

    return command


@cli.command("status")
@config_option
@outputs_option
@click.option(
    "--period", metavar="期别", default=None, help="期别，如 2023-05、2023-05-2、2023-Q2；默认为有报表的最近一个月"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（结构见 docs/analytics.md）")
@click.option("--lagging", is_flag=True, help="滞后、严重滞后的指标排在前面")
def status_cmd(config_path: Path, outputs_dir: Path, period: str | None, as_json: bool, lagging: bool) -> None:
    """按类别列出各指标的目标、累计完成、完成率、序时进度和状态（只读台账，不改动任何文件）。"""
    from .jobs import latest_period, progress_report
    from .ledger import Ledger, ledger_path
    from .status import render_status, status_json

    cfg = _load(config_path)
    p = _period_of(cfg, period) if period else None
    ledger = Ledger.for_config(cfg, outputs_dir, create=False)
    if ledger is not None:
        with ledger:
            p = p or latest_period(ledger, "month", cfg.year)
    if p is None or ledger is None:
        where = p.label if p else f"{cfg.year}年"
        click.echo(
            f"台账（{ledger_path(outputs_dir, cfg.year)}）中还没有{where}的报表。"
            "请先把报表放进 inputs/ 并运行 make ingest 或 make monthly。"
        )
        return
    report = progress_report(cfg, outputs_dir, p)
    if as_json:
        import json

        click.echo(json.dumps(status_json(report), ensure_ascii=False, indent=1))
    else:
        click.echo(render_status(report, lagging_first=lagging))


monthly = _cycle_command("monthly", "month", "月通报")
dekad = _cycle_command("dekad", "dekad", "旬简报")
weekly = _cycle_command("weekly", "week", "周简报")
quarterly = _cycle_command("quarterly", "quarter", "季总结")


@cli.command("all")
@config_option
@inputs_option
@outputs_option
@click.option("--period", metavar="月份", default=None, help="月份，如 2023-06；默认为有报表的最近一个月")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转成 PDF（需已安装 LibreOffice）")
def all_cmd(config_path: Path, inputs_dir: Path, outputs_dir: Path, period: str | None, pdf: bool) -> None:
    """月末材料：校验入账后一次生成该月的旬简报（最近一旬）、月通报，季末月份再生成季总结。"""
    from .routine import run_all

    cfg = _load(config_path)
    click.echo(run_all(cfg, inputs_dir, period, outputs_dir, pdf=pdf).render())


@cli.command("check")
@config_option
@click.argument("files", metavar="文件...", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_cmd(config_path: Path, files: tuple[Path, ...]) -> None:
    """自查填报表：按入账时同样的规则逐格检查，不读写台账、不动 inputs/。没有错误时状态码为 0。"""
    from .selfcheck import check_files

    cfg = _load(config_path)
    text, errors = check_files(cfg, list(files))
    click.echo(text)
    if errors:
        raise SystemExit(1)


def main() -> None:
    cli(prog_name="minsheng")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
