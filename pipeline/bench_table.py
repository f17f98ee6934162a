"""The table `make bench` prints (pipeline.bench): stages per scenario, the floors, the targets."""

from __future__ import annotations

import unicodedata

# (label, key in a scenario's times, where it runs). Worker stages are summed over the workers
# and run alongside the ledger's process: the rows add up to more than the wall time.
STAGES = [
    ("发现文件", "discovery", "主进程"),
    ("读入并计算哈希", "hashing", "主进程"),
    ("读取表格", "reading", "子进程合计"),
    ("校验：逐表规则", "checking-file", "子进程合计"),
    ("校验：比对往期", "checking-history", "主进程"),
    ("入账（写台账）", "ledger", "主进程"),
    ("原件存档", "archive", "子进程合计"),
    ("进程间传递", "passing", "两端合计"),
]
TARGETS = {
    "ratio_vs_pandas": ("≥", 10),
    "ratio_vs_unzip": ("≤", 4),
    "growth_2x": ("≤", 2.2),
    "report_s": ("<", 2),
    "monthly_default_s": ("<", 3),
    "peak_rss_mb_2x": ("<", 400),
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f} 秒"


def _verdict(key: str, value: float | None) -> str:
    op, bound = TARGETS[key]
    if value is None:
        return f"（目标 {op}{bound}，本机无法测量）"
    met = {"≥": value >= bound, "≤": value <= bound, "<": value < bound}[op]
    return f"（目标 {op}{bound}，{'达到' if met else '未达到'}）"


def render(figures: dict) -> str:
    runs = list(figures["scenarios"].values())
    head = [f"{r['files']:,} 份" for r in runs]
    left = 26
    col = 14

    def line(label: str, cells: list[str], note: str = "") -> str:
        return _pad(label, left) + "".join(_pad(c, col) for c in cells) + note

    out = [
        f"性能测试：{runs[0]['workers']} 个读取子进程 + 1 个写台账的主进程；模拟报表的生成时间不计入。",
        line("", head),
    ]
    for label, key, where in STAGES:
        out.append(line(label, [_s(r["times"].get(key)) for r in runs], f"  {where}"))
    out.append(line("读取+校验+入账（实际用时）", [_s(r["times"]["ingest"]) for r in runs]))
    out.append(line("  每秒处理份数", [f"{r['files'] / r['times']['ingest']:.0f}" for r in runs]))
    out.append(line("校验报告、催报名单", [_s(r["times"]["reports"]) for r in runs]))
    out.append(line("分析（进度、排名）", [_s(r["times"].get("analytics")) for r in runs]))
    out.append(line("汇总表", [_s(r["times"].get("summary")) for r in runs]))
    names = list(runs[0]["documents"])
    for name in names:
        out.append(line(name, [_s(r["documents"].get(name)) for r in runs]))
    if names:
        shown = [_s(r["times"].get("basis")) if r["documents"] else "—" for r in runs]
        out.append(line("  其中写各材料的数据依据表", shown))
    out.append(line("合计", [_s(_total(r)) for r in runs]))
    if any(not r["documents"] for r in runs):
        out.append("  （「—」：该场景只测读取、校验、入账和校验报告；make bench FULL=1 时每个场景都出汇总表和材料）")
    out.append(line("峰值内存：入账结束时", [_mb(r, "rss_ingest_main_mb") for r in runs]))
    out.append(line("峰值内存：整个场景", [_mb(r) for r in runs]))
    out.append(line("仅解压（zipfile，单进程）", [_s(r["unzip_s"]) for r in runs]))
    sample = figures["pandas_sample"]
    how = "全部文件" if sample >= figures["files"] else f"随机抽取 {sample} 份测时，按份数折算"
    out.append("")
    out.append(f"pandas.read_excel 读同样的 {figures['files']:,} 份：{_s(figures['pandas_read_s'])}（{how}）")
    out.append(
        f"比 pandas 快 {figures['ratio_vs_pandas']} 倍" + _verdict("ratio_vs_pandas", figures["ratio_vs_pandas"])
    )
    out.append(
        f"读取+校验+入账用时是仅解压的 {figures['ratio_vs_unzip']} 倍"
        + _verdict("ratio_vs_unzip", figures["ratio_vs_unzip"])
    )
    out.append(f"文件数翻倍，用时为原来的 {figures['growth_2x']} 倍" + _verdict("growth_2x", figures["growth_2x"]))
    report = "、".join(["分析", "汇总表", *names])
    out.append(
        f"{report}（{figures['files']:,} 份）共 {_s(figures['report_s'])}" + _verdict("report_s", figures["report_s"])
    )
    out.append(
        f"make monthly（默认配置，演示数据，不出 PDF）：{_s(figures['monthly_default_s'])}"
        + _verdict("monthly_default_s", figures["monthly_default_s"])
    )
    rss, ingest_rss = figures["peak_rss_mb_2x"], figures["peak_rss_ingest_mb_2x"]
    if rss is None:
        shown = "—"
    elif figures.get("materials_2x"):
        shown = f"{rss:.0f} MB（连同出材料；其中读取、校验、入账阶段 {ingest_rss:.0f} MB）"
    else:
        whole = figures.get("peak_rss_mb")
        shown = f"{rss:.0f} MB（读取、校验、入账和校验报告；1,200 份连同出材料为 {whole:.0f} MB）"
    out.append(f"2,400 份时峰值内存 {shown}" + _verdict("peak_rss_mb_2x", rss))
    return "\n".join(out)


def _total(run: dict) -> float:
    t = run["times"]
    return t["ingest"] + t["reports"] + t.get("analytics", 0.0) + t.get("summary", 0.0) + sum(run["documents"].values())


def _mb(run: dict, main: str = "rss_main_mb") -> str:
    """Peak memory of the main process plus each worker at the largest worker's peak (total_rss)."""
    total = total_rss(run, main)
    return "—" if total is None else f"{total:.0f} MB"


def total_rss(run: dict, main: str = "rss_main_mb") -> float | None:
    """The scenario's peak memory, counted high: its own peak plus every worker at the largest one's
    (`main`: the peak of the whole scenario, or as it stood when ingest ended); for the whole
    scenario, a later child larger than the workers is added once more."""
    if run.get(main) is None:
        return None
    total = run[main] + run["workers"] * run["rss_worker_mb"]
    later = run.get("rss_later_child_mb") or 0.0
    if main == "rss_main_mb" and later > run["rss_worker_mb"]:
        total += later
    return round(total, 1)
