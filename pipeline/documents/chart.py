"""The 季总结's chart: each project's completion as a horizontal bar, against the 序时进度.

`project_bars` is pure (the figures, each with how it was computed); `draw` makes the PNG with
matplotlib (Agg, a CJK font found by file), imported only there so nothing at start-up pays for
it. Without a CJK font `draw` returns None and the document prints a plain sentence instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..analytics.report import ProgressReport, Status
from ..model import Source
from ..numbers import fixed, round_half_up

WIDTH_MM = 156  # the 版心
DPI = 300  # print resolution
LABEL_CHARS = 15  # a project title longer than this is cut with 「…」 on the chart

# CJK faces by preference: family names as fontconfig reports them, then file-name fragments.
FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "FandolHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
            "SimHei", "Microsoft YaHei", "Noto Serif CJK SC", "AR PL UMing CN"]  # fmt: skip
FILE_HINTS = ["notosanscjk", "sourcehansans", "fandolhei", "wqy-zenhei", "wqy-microhei", "simhei", "msyh",
              "notoserifcjk", "uming"]  # fmt: skip

NO_FONT = (
    "（此处应为各实事项目完成率图。本机没有中文字体，图未能绘制：安装中文字体（如 Debian/Ubuntu 的"
    " fonts-noto-cjk）后重新生成即可。）"
)

# Bar colours by how the project stands against the 序时进度 (the lights of the 汇总表, muted for print).
COLOURS = {"done": "#2E7D32", "ahead": "#66BB6A", "on_track": "#9CCC65", "lagging": "#FFB300", "severe": "#E53935"}


@dataclass(frozen=True)
class Bar:
    category: str
    label: str  # 「省1 启动省定县域普通高中…」
    title: str
    rate_pct: float | None  # None: no indicator of the project has a 完成率 yet
    rate: float | None
    band: str  # a COLOURS key
    how: str
    sources: tuple[Source, ...] = ()


def project_bars(report: ProgressReport, lagging_pp: float, severe_pp: float) -> list[Bar]:
    """Each project's completion: the mean of its indicators' printed 完成率 (capped at 100%, 其中
    and 目标待定 left out), the way the overall completion is taken (docs/analytics.md)."""
    d = report.decimals
    projects: dict[str, list] = {}
    for ip in sorted(report.indicators, key=lambda i: (i.category_order, i.project_number)):
        projects.setdefault(ip.project_id, []).append(ip)
    short = {}
    for ip in report.indicators:
        short.setdefault(ip.category, _category_short(ip.category))
    bars = []
    for items in projects.values():
        first = items[0]
        rated = [i for i in items if not i.parent and i.total.rate is not None and i.total.status != Status.pending]
        label = f"{short[first.category]}{first.project_number} {_cut(first.project_title)}"
        if not rated:
            bars.append(Bar(first.category, label, first.project_title, None, None, "", ""))
            continue
        # the mean of the printed (capped) rates, so a reader can redo it from the table by hand
        capped = [min(i.total.rate_pct or 0.0, 100.0) for i in rated]
        rate_pct = round_half_up(sum(capped) / len(capped), d)
        rate = rate_pct / 100
        parts = " + ".join(fixed(x, d) + "%" for x in capped)
        how = f"({parts}) ÷ {len(rated)}（各项指标完成率的平均，超过100%的按100%计）"
        if len(rated) == 1:
            how = "该项目唯一有完成率的指标的完成率（超过100%的按100%计）"
        gap = rate_pct - report.schedule_pct
        band = (
            "done" if rate_pct >= 100 else "ahead" if gap > 0 else "on_track" if gap >= -lagging_pp
            else "lagging" if gap >= -severe_pp else "severe"
        )  # fmt: skip
        sources = tuple(s for i in rated for s in i.total.sources)
        bars.append(Bar(first.category, label, first.project_title, rate_pct, rate, band, how, sources))
    return bars


def _category_short(name: str) -> str:
    for key, short in (("省", "省"), ("市本级", "本级"), ("监测", "监测"), ("市", "市")):
        if key in name:
            return short
    return name[:2]


def _cut(title: str) -> str:
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1] + "…"


def find_cjk_font() -> str | None:
    """A CJK family matplotlib can use: one it knows, or one found by file and added."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in FAMILIES:
        if family in known:
            return family
    for path in font_manager.findSystemFonts():
        name = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(hint.replace("-", "") in name for hint in FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            added = {f.name for f in font_manager.fontManager.ttflist} - known
            for family in FAMILIES:
                if family in added:
                    return family
            if added:
                return sorted(added)[0]
    return None


def draw(bars: list[Bar], schedule_pct: float, decimals: int, out: Path | None = None) -> io.BytesIO | Path | None:
    """The chart as a PNG, 156 mm wide at 300 dpi, in `out` or in memory; None without a CJK font."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    family = find_cjk_font()
    if family is None:
        return None
    shown = [b for b in bars if b.rate_pct is not None]
    if not shown:
        return None
    width_in = WIDTH_MM / 25.4
    height_in = min(0.21 * len(shown) + 0.9, 8.2)  # ≤ 208 mm: the chart and its caption fit one page
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    font = {"family": family, "size": 7}
    ys = list(range(len(shown)))[::-1]
    values = [min(b.rate_pct, 120.0) for b in shown]
    ax.barh(ys, values, height=0.62, color=[COLOURS[b.band] for b in shown], edgecolor="none", zorder=2)
    for y, b, v in zip(ys, shown, values, strict=True):
        ax.text(v + 1, y, fixed(b.rate_pct, decimals) + "%", va="center", ha="left", fontdict=font)
    ax.axvline(schedule_pct, color="#B71C1C", linestyle=(0, (4, 2)), linewidth=0.9, zorder=3)
    ax.text(schedule_pct, len(shown) - 0.35, f"序时进度 {fixed(schedule_pct, decimals)}%", color="#B71C1C",
            ha="center", va="bottom", fontdict=font)  # fmt: skip
    ax.set_yticks(ys, [b.label for b in shown], fontdict=font)
    ax.set_xlim(0, 125)
    ax.set_ylim(-0.7, len(shown) - 0.3 + 0.6)
    ax.set_xticks([0, 20, 40, 60, 80, 100], [f"{x}%" for x in (0, 20, 40, 60, 80, 100)], fontdict=font)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for cat_end in _category_breaks(shown, ys):
        ax.axhline(cat_end, color="#999999", linewidth=0.5, zorder=1)
    from PIL import Image  # matplotlib's own dependency

    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=DPI, facecolor="white")
    raw.seek(0)
    target: io.BytesIO | Path = out if out is not None else io.BytesIO()
    # RGB without the alpha channel Agg writes: Word and LibreOffice print it as one opaque picture
    Image.open(raw).convert("RGB").save(target, format="PNG", dpi=(DPI, DPI), optimize=True)
    if isinstance(target, io.BytesIO):
        target.seek(0)
    return target


def _category_breaks(shown: list[Bar], ys: list[int]) -> list[float]:
    """Thin lines between categories."""
    return [ys[i] + 0.5 for i in range(1, len(shown)) if shown[i].category != shown[i - 1].category]
