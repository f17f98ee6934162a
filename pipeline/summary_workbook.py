"""The 汇总表 (重点民生实事进展汇总表.xlsx, or the county's own name for it), written with xlsxwriter.

Pure from (config, progress report): no SQL, no readers. Sheets: 总表 (every indicator), 分类统计,
分单位, 分区域 (named after the areas: 分乡镇 / 分县市区), 排名, 未报送及迟报, 校验问题, 完成率图.

Every figure is the report's printed figure: percentages are written as the rounded `rate_pct` /
`schedule_pct` (so a reader's sum or difference matches the bulletins), quantities with the
decimals the config and the units wrote them with. A line with no figure says why (未报送 /
数据有误 / 未填), never 0. Text that came from units is written with `write_string`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .analytics.report import NO_FIGURE, STATUS_ORDER, IndicatorProgress, Light, Line, ProgressReport, Ranked, Status
from .config import Config
from .findings import ERROR
from .forms import display_width, safe_filename
from .model import ReturnStatus
from .numbers import fmt_number, number_decimals, round_half_up
from .periods import cn_date, parse_period
from .reports import FINDING_COLUMNS, finding_cells, save_workbook

HEADER_ROW = 2  # rows 0-1: title and subtitle; row 2: column headings; data from row 3
FIRST_ROW = HEADER_ROW + 1
TOTAL_FIRST = True  # 分区域: the 合计 line above its areas (both orders occur in real tables)
DASH = "—"
GAP_HEAD = "较序时\n（百分点）"

LIGHT_COLOURS = {  # conditional-format fills of the 灯 column
    Light.red: ("#C00000", "#FFFFFF"),
    Light.yellow: ("#FFD966", "#000000"),
    Light.green: ("#70AD47", "#FFFFFF"),
}
STATUS_FONT = {Status.severe: "#C00000", Status.lagging: "#C55A11", Status.missing: "#C00000"}


# -- names ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetNames:
    main: str = "总表"
    tally: str = "分类统计"
    units: str = "分单位"
    areas: str = "分区域"
    ranking: str = "排名"
    returns: str = "未报送及迟报"
    findings: str = "校验问题"
    chart: str = "完成率图"


def _sheet_name(text: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31]


def sheet_names(cfg: Config) -> SheetNames:
    """The sheets follow the config: a county whose table is a 进度表 gets that name for its main
    sheet, and the area sheet is named after what the areas are (乡镇, 县市区)."""
    name = cfg.reporting.summary_name
    main = "总表" if name.endswith("汇总表") else _sheet_name(name)
    kinds = {a.kind for a in cfg.areas}
    if (
        kinds
        and kinds <= {"乡", "镇", "乡镇", "街道", "城区", "社区", "场", "区"}
        and kinds & {"乡", "镇", "乡镇", "街道"}
    ):
        areas = "分乡镇"
    elif (
        kinds
        and kinds - {"市直"}
        and kinds - {"市直"} <= {"县", "市", "区", "县级市", "县市区", "市辖区", "开发区", "管理区"}
    ):
        areas = "分县市区"
    else:
        areas = "分区域"
    return SheetNames(main=main, areas=areas)


def summary_filename(cfg: Config) -> str:
    return safe_filename(f"{cfg.reporting.summary_name}.xlsx")


def period_text(code: str | None) -> str:
    """A period code as a heading prints it: 2023-04-3 → 4月下旬, 2023-05 → 5月, 2023-Q1 → 第一季度."""
    if not code:
        return ""
    try:
        return parse_period(code).short_label
    except Exception:  # a code the periods module does not know: print it as it is
        return code


def _plain(text: str) -> str:
    """Text from outside, safe for a cell: no control characters, within Excel's cell limit."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text or "")[:32000]


# -- formats -------------------------------------------------------------------------------------------
class Formats:
    """Every cell format of the workbook, created once; numeric formats cached by decimals."""

    FONT = "宋体"

    def __init__(self, wb, percent_decimals: int) -> None:
        self.wb = wb
        self.pd = percent_decimals
        base = {"font_name": self.FONT, "font_size": 10, "border": 1, "valign": "vcenter"}
        self.base = base
        self.title = wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
        self.sub = wb.add_format({"font_name": self.FONT, "font_size": 10, "align": "center", "text_wrap": True})
        self.note = wb.add_format({"font_name": self.FONT, "font_size": 9, "text_wrap": True, "valign": "top"})
        self.head = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2", "text_wrap": True})
        self.section = wb.add_format({"font_name": "黑体", "font_size": 12, "valign": "vcenter"})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.center = wb.add_format({**base, "align": "center", "text_wrap": True})
        self.bold_text = wb.add_format({**base, "text_wrap": True, "bold": True})
        self.word = wb.add_format({**base, "align": "center", "font_color": "#C00000"})  # 未报送 / 数据有误 / 未填
        self.stale = wb.add_format({**base, "align": "center", "font_color": "#7F7F7F", "italic": True})
        self.err = wb.add_format({**base, "text_wrap": True, "bold": True, "font_color": "#C00000"})
        self._cache: dict[tuple, object] = {}

    def _get(self, key: tuple, props: dict):
        if key not in self._cache:
            self._cache[key] = self.wb.add_format({**self.base, **props})
        return self._cache[key]

    def number(self, decimals: int, stale: bool = False, bold: bool = False):
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        extra = {"font_color": "#7F7F7F", "italic": True} if stale else {}
        return self._get(("num", decimals, stale, bold), {"num_format": fmt, "bold": bold, **extra})

    def percent(self, bold: bool = False):
        fmt = "0" + ("." + "0" * self.pd if self.pd else "") + "%"
        return self._get(("pct", bold), {"num_format": fmt, "bold": bold})

    def gap(self, bold: bool = False):
        d = "0" + ("." + "0" * self.pd if self.pd else "")
        return self._get(("gap", bold), {"num_format": f"+{d};-{d};{d}", "bold": bold})

    def score(self):
        return self._get(("score",), {"num_format": "0.0"})

    def integer(self):
        return self._get(("int",), {"num_format": "0", "align": "center"})

    def cf(self, bg: str | None = None, font: str | None = None, bold: bool = False):
        props = {"bold": bold}
        if bg:
            props |= {"bg_color": bg, "pattern": 1}
        if font:
            props["font_color"] = font
        return self.wb.add_format(props)  # a dxf: borders and font names come from the cell


# -- the workbook --------------------------------------------------------------------------------------
def write_summary(cfg: Config, report: ProgressReport, path: Path) -> Path:
    """Write the 汇总表 for `report` to `path` (a directory gets `summary_filename(cfg)` in it)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path / summary_filename(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sheet_names(cfg)

    def build(wb) -> None:
        w = _Writer(wb, cfg, report, names)
        w.main()
        w.tally()
        w.units()
        w.areas()
        w.ranking()
        w.returns()
        w.findings()
        w.chart()
        wb.set_properties(
            {
                "title": w.title(cfg.reporting.summary_name),
                "author": cfg.office.name,
                "company": cfg.office.name,
                "comments": f"截至{cn_date(dt.date.fromisoformat(report.as_of))}",
            }
        )

    save_workbook(path, build)  # the collector is paused inside (pipeline.collector)
    return path


class _Writer:
    def __init__(self, wb, cfg: Config, report: ProgressReport, names: SheetNames) -> None:
        self.wb, self.cfg, self.r, self.names = wb, cfg, report, names
        self._decimals: dict[str, int] = {}
        self._heights: dict[tuple[str, float], float] = {}
        self._clean: dict[str, str] = {}
        self._figures: dict[tuple[int, bool], tuple[Line, IndicatorProgress, tuple]] = {}
        self.f = Formats(wb, report.decimals)
        self.as_of = dt.date.fromisoformat(report.as_of)
        self.units_by_code = {u.code: u for u in cfg.units}
        self.area_units: dict[str | None, str] = {}  # area code → the area-kind unit that reports it
        for u in cfg.units:
            if u.kind == "area":
                self.area_units.setdefault(u.area, u.code)  # the first, as Config.area_reporter
        self.line_names = {line.key: self._line_name(ind, line) for ind, line in report.lines()}
        self.ordered = sorted(report.indicators, key=lambda i: (i.category_order, i.project_number))

    # -- common pieces -------------------------------------------------------------------------------
    def title(self, what: str) -> str:
        return f"{self.r.period_label}{what}"

    def subtitle(self) -> str:
        schedule = fmt_number(self.r.schedule_pct, self.r.decimals)
        return f"（截至{cn_date(self.as_of)}，序时进度{schedule}%）"

    def clean(self, text: str) -> str:
        """`_plain`, once per text: the 分单位 and 分区域 sheets repeat each project's title, name and
        measure on every unit's and area's row (speed fix: 51,000 regex passes at city scale)."""
        known = self._clean.get(text)
        if known is None:
            known = self._clean[text] = _plain(text)
        return known

    def unit_name(self, code: str) -> str:
        unit = self.units_by_code.get(code)
        return unit.name if unit else code

    def area_reporter(self, area_code: str) -> str | None:
        """Config.area_reporter from a dict (that one scans the units: 30 ms for the 5,700 area lines)."""
        return self.area_units.get(area_code)

    def _line_name(self, ind: IndicatorProgress, line: Line) -> str:
        return f"{ind.name}（{line.label}）" if line.area_code and line.label else ind.name

    def sheet(self, name: str, title: str, columns: list[tuple[str, float]], n_rows: int, freeze_cols: int = 0):
        ws = self.wb.add_worksheet(name)
        f = self.f
        last = len(columns) - 1
        ws.merge_range(0, 0, 0, last, title, f.title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, last, self.subtitle(), f.sub)
        ws.set_row(1, 18)
        for c, (head, width) in enumerate(columns):
            ws.write_string(HEADER_ROW, c, head, f.head)
            ws.set_column(c, c, width)
        ws.set_row(HEADER_ROW, 30)
        ws.freeze_panes(FIRST_ROW, freeze_cols)
        if n_rows:
            ws.autofilter(HEADER_ROW, 0, HEADER_ROW + n_rows, last)
        self.print_setup(ws)
        return ws

    def print_setup(self, ws, repeat: bool = True) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
        ws.center_horizontally()
        ws.fit_to_pages(1, 0)
        if repeat:
            ws.repeat_rows(HEADER_ROW)
        office = self.cfg.office.name.replace("&", "&&")
        period = f"{self.r.period_label}（截至{cn_date(self.as_of)}）".replace("&", "&&")
        ws.set_header(f"&L{office}&R{period}", {"margin": 0.3})
        ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})

    def empty_row(self, ws, row: int, n_cols: int, text: str) -> None:
        ws.merge_range(row, 0, row, n_cols - 1, text, self.f.center)

    def lights(self, ws, first: int, last: int, status_col: int, light_col: int) -> None:
        """Conditional formats: fills for the lights, colours for the lagging and missing statuses."""
        if last < first:
            return
        f = self.f
        for light, (bg, font) in LIGHT_COLOURS.items():
            ws.conditional_format(
                first,
                light_col,
                last,
                light_col,
                {"type": "cell", "criteria": "equal to", "value": f'"{light.value}"', "format": f.cf(bg, font, True)},
            )
        for status, colour in STATUS_FONT.items():
            ws.conditional_format(
                first,
                status_col,
                last,
                status_col,
                {
                    "type": "cell",
                    "criteria": "equal to",
                    "value": f'"{status.value}"',
                    "format": f.cf(font=colour, bold=True),
                },
            )

    def data_bars(self, ws, first: int, last: int, col: int) -> None:
        """Bars for 完成率: 0 to 100%, a line past its target shows a full bar."""
        if last < first:
            return
        ws.conditional_format(
            first,
            col,
            last,
            col,
            {
                "type": "data_bar",
                "bar_color": "#9BC2E6",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )

    def fit(self, widths: list[float], texts: dict[int, str]) -> float:
        """A row height that shows every wrapped text in full (one line: 18 points).

        Each text is measured once per column width: the same project titles, names and targets
        come back on thousands of rows (speed fix: 11,476 rows at city scale have 378 different
        texts and widths; measuring each row again took 0.1 s, now 15 ms)."""
        best = 18.0
        for c, text in texts.items():
            h = self.height(text, widths[c])
            if h > best:  # as max(18.0, …): the first of equal heights
                best = h
        return best

    def height(self, text: str, width: float) -> float:
        """`_height`, once per text and column width."""
        key = (text, width)
        known = self._heights.get(key)
        if known is None:
            known = self._heights[key] = _height(text, width)
        return known

    # -- one line's figures ----------------------------------------------------------------------
    def decimals(self, ind: IndicatorProgress) -> int:
        """The precision of the indicator's numbers as the config and the units wrote them.

        Once per indicator (speed fix: it was worked out again for each of its lines, which for
        140 areas made the 汇总表 take 7 s)."""
        known = self._decimals.get(ind.indicator_id)
        if known is None:
            xs = [
                x for line in (ind.total, *ind.areas) for x in (line.target, line.value, line.previous) if x is not None
            ]
            known = self._decimals[ind.indicator_id] = max((number_decimals(x) for x in xs), default=0)
        return known

    def write_figures(self, ws, row: int, col: int, ind: IndicatorProgress, line: Line, bold: bool = False) -> int:
        """年度目标, 累计完成, 本期新增, 完成率, 序时进度, 较序时, 状态, 灯, 数据期别 from `col`; returns the next column."""
        for c, (number, value, fmt) in enumerate(self.figure_cells(ind, line, bold), start=col):
            if number:
                ws.write_number(row, c, value, fmt)
            else:
                ws.write_string(row, c, value, fmt)
        return col + 9

    def figure_cells(
        self, ind: IndicatorProgress, line: Line, bold: bool = False
    ) -> tuple[tuple[bool, object, object], ...]:
        """The cells `write_figures` writes, each (is a number, value, format), worked out once per
        line and weight: the 分单位 and 分区域 sheets show the same 5,700 area lines at city scale
        (speed fix: 11,476 rows, 5,778 lines and weights; 108 ms → 65 ms)."""
        key = (id(line), bold)
        known = self._figures.get(key)
        # keyed by id: the entry holds the line, so no other object takes that id meanwhile
        if known is not None and known[0] is line and known[1] is ind:
            return known[2]
        f, d = self.f, self.decimals(ind)
        cells: list[tuple[bool, object, object]] = []
        # 年度目标: a plain number as a number; wording (暂定4980, 在96.4%基础上持续改善) as text
        plain = line.target is not None and line.target_text.strip() in ("", fmt_number(line.target))
        if plain:
            cells.append((True, round_half_up(line.target, d), f.number(d, bold=bold)))
        else:
            cells.append((False, _plain(line.target_text) or DASH, f.center))
        # 累计完成: the value, or the stage, or the word that says why there is none
        if line.value is not None:
            cells.append((True, round_half_up(line.value, d), f.number(d, stale=line.stale, bold=bold)))
        elif line.stage:
            cells.append((False, _plain(line.stage), f.stale if line.stale else f.center))
        elif line.status in NO_FIGURE:
            cells.append((False, line.status.value, f.word))
        else:
            cells.append((False, DASH, f.center))
        # 本期新增: never for a stale figure (it is not this period's)
        if line.increment is not None and not line.stale:
            cells.append((True, round_half_up(line.increment, d), f.number(d, bold=bold)))
        else:
            cells.append((False, DASH, f.center))
        for pct in (line.rate_pct, line.schedule_pct):
            if pct is None:
                cells.append((False, DASH, f.center))
            else:
                cells.append((True, round_half_up(pct / 100, self.r.decimals + 2), f.percent(bold)))
        if line.gap_pp is None:
            cells.append((False, DASH, f.center))
        else:
            cells.append((True, round_half_up(line.gap_pp, self.r.decimals), f.gap(bold)))
        cells.append((False, line.status.value, f.center))
        cells.append((False, line.light.value, f.center))
        cells.append((False, self.data_period(line), f.stale if line.stale else f.center))
        out = tuple(cells)
        self._figures[key] = (line, ind, out)
        return out

    def data_period(self, line: Line) -> str:
        label = period_text(line.value_period)
        if line.stale:
            return _plain(line.note) if line.note.startswith("截至") else (f"截至{label}" if label else DASH)
        return label or DASH

    def remark(self, ind: IndicatorProgress, line: Line) -> str:
        parts = []
        if line.note and not (line.stale and line.note.startswith("截至")):  # that one is in 数据期别
            parts.append(line.note)
        if line.rate_pct is None and line.gap_pp is not None:
            parts.append("「较序时」栏为较目标值之差")  # rate and standard kinds: value − target
        if line.provisional:
            parts.append("目标暂定")
        if line.incomplete:
            parts.append("合计缺部分数据，不完整")
        if ind.parent and line is ind.total:
            parts.append("「其中」项，不计入上级指标")
        return "；".join(_plain(p) for p in parts if p)

    # -- 总表 ----------------------------------------------------------------------------------------
    FIGURE_COLUMNS = [
        ("年度目标", 13),
        ("累计完成", 11),
        ("本期新增", 10),
        ("完成率", 9),
        ("序时进度", 9),
        (GAP_HEAD, 10),
        ("状态", 9),
        ("灯", 6),
        ("数据期别", 12),
    ]

    def main(self) -> None:
        columns = [
            ("类别", 14),
            ("序号", 5),
            ("项目", 24),
            ("指标", 22),
            ("计量单位", 7),
            ("牵头单位", 18),
            *self.FIGURE_COLUMNS,
            ("备注", 22),
        ]
        rows = self.ordered
        title = self.title(self.cfg.reporting.summary_name)
        ws = self.sheet(self.names.main, title, columns, len(rows), freeze_cols=4)
        widths = ws_widths(columns)
        f = self.f
        for i, ind in enumerate(rows):
            row = FIRST_ROW + i
            ws.write_string(row, 0, ind.category, f.text)
            ws.write_number(row, 1, ind.project_number, f.integer())
            ws.write_string(row, 2, _plain(ind.project_title), f.text)
            name = f"其中：{ind.name}" if ind.parent else ind.name
            ws.write_string(row, 3, _plain(name), f.text)
            ws.write_string(row, 4, _plain(ind.measure), f.center)
            ws.write_string(row, 5, _plain(ind.lead), f.text)
            col = self.write_figures(ws, row, 6, ind, ind.total)
            who = [f"责任单位：{ind.co}" if ind.co else "", f"分管领导：{ind.leader}" if ind.leader else ""]
            if ind.chain:  # 填报 → 审核汇总 → 核验认定, the 认定 unit included
                who.append(f"数据流程：{ind.chain}")
            else:
                who.append(f"数据认定：{ind.certifier}" if ind.certifier else "")
            remark = "；".join(x for x in (*who, self.remark(ind, ind.total)) if x)
            ws.write_string(row, col, remark, f.text)
            texts = {0: ind.category, 2: ind.project_title, 3: name, 5: ind.lead, 6: ind.total.target_text, col: remark}
            ws.set_row(row, self.fit(widths, texts))
        last = FIRST_ROW + len(rows) - 1
        self.data_bars(ws, FIRST_ROW, last, 9)
        self.lights(ws, FIRST_ROW, last, 12, 13)
        if not rows:
            self.empty_row(ws, FIRST_ROW, len(columns), "分解方案中没有指标。")
        note_row = FIRST_ROW + max(len(rows), 1) + 1
        ws.merge_range(note_row, 0, note_row, len(columns) - 1, self.overall_text(), f.note)
        ws.set_row(note_row, 32)
        ws.activate()

    def overall_text(self) -> str:
        t = self.r.overall
        counts = "、".join(f"{s.value}{t.counts.get(s, 0)}项" for s in STATUS_ORDER if t.counts.get(s, 0))
        text = f"说明：共{t.projects}个项目{t.indicators}项指标（「其中」项不另计），{counts}。"
        if t.completion_pct is not None:
            text += f"总体完成率{fmt_number(t.completion_pct, self.r.decimals)}%。"
        return text + "灰色斜体为本期未报送、沿用以前期别的数据；「—」为不适用或无法计算。"

    # -- 分类统计 ------------------------------------------------------------------------------------
    def tally(self) -> None:
        statuses = STATUS_ORDER
        columns = [("类别", 22), ("项目数", 7), ("指标数", 7), *[(s.value, 8) for s in statuses], ("总体完成率", 10)]
        tallies = [*self.r.categories, self.r.overall]
        ws = self.sheet(self.names.tally, self.title("重点民生实事分类统计"), columns, 0)
        f = self.f
        for i, t in enumerate(tallies):
            row = FIRST_ROW + i
            bold = t is self.r.overall
            ws.write_string(row, 0, "合计" if bold else t.name, f.bold_text if bold else f.text)
            ws.write_number(row, 1, t.projects, f.integer())
            ws.write_number(row, 2, t.indicators, f.integer())
            for c, s in enumerate(statuses, start=3):
                ws.write_number(row, c, t.counts.get(s, 0), f.integer())
            if t.completion_pct is None:
                ws.write_string(row, len(columns) - 1, DASH, f.center)
            else:
                ws.write_number(
                    row, len(columns) - 1, round_half_up(t.completion_pct / 100, self.r.decimals + 2), f.percent(bold)
                )

    # -- 分单位 --------------------------------------------------------------------------------------
    def unit_lines(self) -> list[tuple[str, IndicatorProgress, Line]]:
        """Each reporting unit's lines, in config order: an area unit its area's line; a department
        its indicator totals, and the area lines no area unit reports (the 市直 part)."""
        # per indicator, once (speed fix: worked out for each unit this took 45 ms at 150 units):
        # its reporters as a set, its area lines by area, and the lines no area unit reports
        reporters = {ind.indicator_id: set(ind.reporters) for ind in self.ordered}
        by_area: dict[str, dict[str | None, list[Line]]] = {}
        unreported: dict[str, list[Line]] = {}
        for ind in self.ordered:
            mine = by_area[ind.indicator_id] = {}
            for a in ind.areas:
                mine.setdefault(a.area_code, []).append(a)
            reported = {
                a.area_code for a in ind.areas if self.area_reporter(a.area_code or "") in reporters[ind.indicator_id]
            }
            unreported[ind.indicator_id] = [a for a in ind.areas if a.area_code not in reported] if reported else []
        out = []
        for unit in self.cfg.units:
            for ind in self.ordered:
                if unit.code not in reporters[ind.indicator_id]:
                    continue
                if unit.kind == "area":
                    out += [(unit.code, ind, a) for a in by_area[ind.indicator_id].get(unit.area, ())]
                    continue
                out.append((unit.code, ind, ind.total))
                out += [(unit.code, ind, a) for a in unreported[ind.indicator_id]]
        return out

    def units(self) -> None:
        columns = [
            ("填报单位", 18),
            ("本期报送", 9),
            ("项目", 20),
            ("指标", 22),
            ("区域", 9),
            ("计量单位", 7),
            *self.FIGURE_COLUMNS,
        ]
        rows = self.unit_lines()
        ws = self.sheet(self.names.units, self.title("重点民生实事分单位进展情况"), columns, len(rows), freeze_cols=2)
        widths = ws_widths(columns)
        f = self.f
        clean = self.clean
        for i, (code, ind, line) in enumerate(rows):
            row = FIRST_ROW + i
            ret = self.r.returns.get(code)
            unit = self.unit_name(code)
            ws.write_string(row, 0, unit, f.text)
            ws.write_string(row, 1, ret.status.value if ret else DASH, f.center)
            ws.write_string(row, 2, clean(ind.project_title), f.text)
            name = f"其中：{ind.name}" if ind.parent else ind.name
            ws.write_string(row, 3, clean(name), f.text)
            ws.write_string(row, 4, clean(line.label) if line.area_code else "", f.center)
            ws.write_string(row, 5, clean(ind.measure), f.center)
            self.write_figures(ws, row, 6, ind, line)
            texts = {0: unit, 2: ind.project_title, 3: name, 6: line.target_text}  # the height of what is shown
            ws.set_row(row, self.fit(widths, texts))
        last = FIRST_ROW + len(rows) - 1
        self.data_bars(ws, FIRST_ROW, last, 9)
        self.lights(ws, FIRST_ROW, last, 12, 13)
        if rows:
            ws.conditional_format(
                FIRST_ROW, 1, last, 1,
                {"type": "cell", "criteria": "not equal to", "value": f'"{ReturnStatus.on_time.value}"',
                 "format": f.cf(font="#C00000", bold=True)},
            )  # fmt: skip
        else:
            self.empty_row(ws, FIRST_ROW, len(columns), "本期没有填报单位的数据。")

    # -- 分区域 --------------------------------------------------------------------------------------
    def areas(self) -> None:
        columns = [
            ("项目", 20),
            ("指标", 22),
            ("区域", 10),
            ("计量单位", 7),
            *self.FIGURE_COLUMNS,
            ("填报单位", 16),
        ]
        columns[4] = ("目标", 13)
        rows: list[tuple[IndicatorProgress, Line]] = []
        for ind in self.ordered:
            if ind.areas:
                areas = list(ind.areas)
                rows += [(ind, ind.total), *[(ind, a) for a in areas]] if TOTAL_FIRST else [
                    *[(ind, a) for a in areas], (ind, ind.total)]  # fmt: skip
        what = self.names.areas.removeprefix("分") or "区域"
        ws = self.sheet(
            self.names.areas, self.title(f"重点民生实事分{what}进展情况"), columns, len(rows), freeze_cols=3
        )
        widths = ws_widths(columns)
        f = self.f
        clean = self.clean
        reporters = {ind.indicator_id: set(ind.reporters) for ind in self.ordered}
        for i, (ind, line) in enumerate(rows):
            row = FIRST_ROW + i
            total = line is ind.total
            ws.write_string(row, 0, clean(ind.project_title), f.text)
            ws.write_string(row, 1, clean(ind.name), f.text)
            ws.write_string(row, 2, "合计" if total else clean(line.label), f.bold_text if total else f.center)
            ws.write_string(row, 3, clean(ind.measure), f.center)
            col = self.write_figures(ws, row, 4, ind, line, bold=total)
            reporter = self.area_reporter(line.area_code) if line.area_code else None
            who = self.unit_name(reporter) if reporter and reporter in reporters[ind.indicator_id] else ind.lead
            ws.write_string(row, col, clean(who), f.text)
            ws.set_row(row, self.fit(widths, {0: ind.project_title, 1: ind.name, 4: line.target_text}))
        last = FIRST_ROW + len(rows) - 1
        self.data_bars(ws, FIRST_ROW, last, 7)
        self.lights(ws, FIRST_ROW, last, 10, 11)
        if not rows:
            self.empty_row(ws, FIRST_ROW, len(columns), "本年度分解方案未把目标分解到区域。")

    # -- 排名 ----------------------------------------------------------------------------------------
    def ranking(self) -> None:
        columns = [
            ("名次", 6),
            ("单位", 24),
            ("得分", 8),
            ("参评指标", 8),
            ("已完成", 7),
            ("滞后", 6),
            ("无数据", 7),
            ("按时报送率", 10),
            ("本期报送", 9),
            ("滞后及无数据的指标", 40),
            ("备注", 24),
        ]
        units = self.r.units
        ws = self.sheet(self.names.ranking, self.title("重点民生实事责任单位排名"), columns, len(units), freeze_cols=2)
        praised = {u.code for u in self.r.praised}
        named = {u.code for u in self.r.named}
        row = FIRST_ROW
        ranked = [u for u in units if u.rank is not None]
        listed = [u for u in units if u.rank is None]
        for u in ranked:
            mark = "通报表扬" if u.code in praised else "点名" if u.code in named else ""
            self.ranked_row(ws, row, u, self.unit_name(u.code) if u.code in self.units_by_code else u.name, mark, True)
            row += 1
        for u in listed:
            self.ranked_row(ws, row, u, self.unit_name(u.code) if u.code in self.units_by_code else u.name,
                            "本期无到期任务，不参加排名", True)  # fmt: skip
            row += 1
        if not units:
            self.empty_row(ws, row, len(columns), "本期没有参加排名的单位。")
            row += 1
        row += 1
        ws.merge_range(row, 0, row, len(columns) - 1, self.score_note(), self.f.note)
        ws.set_row(row, 30)
        if self.r.areas:
            row += 2
            what = self.names.areas.removeprefix("分") or "区域"
            ws.merge_range(row, 0, row, len(columns) - 1, f"{what}排名", self.f.section)
            ws.set_row(row, 22)
            row += 1
            for c, (head, _) in enumerate(columns):
                ws.write_string(row, c, "区域" if c == 1 else "" if c in (7, 8) else head, self.f.head)
            ws.set_row(row, 30)
            row += 1
            for a in self.r.areas:
                note = "" if a.rank is not None else "本期无到期任务，不参加排名"
                self.ranked_row(ws, row, a, a.name, note, False)
                row += 1

    def score_note(self) -> str:
        how = "完成率÷序时进度" if self.cfg.ranking.score == "schedule" else "完成率"
        cap = fmt_number(self.cfg.ranking.cap * 100)
        return (
            f"说明：得分为单位各参评指标「{how}」的平均数×100，单项最高计{cap}分；得分相同的名次并列，"
            "其后名次顺延；本期无到期任务的单位列出但不排名。按时报送率为本年度各期按时报送的比例。"
        )

    def ranked_row(self, ws, row: int, u: Ranked, name: str, note: str, unit: bool) -> None:
        f = self.f
        if u.rank is None:
            ws.write_string(row, 0, DASH, f.center)
        else:
            ws.write_number(row, 0, u.rank, f.integer())
        ws.write_string(row, 1, _plain(name), f.text)
        if u.score is None:
            ws.write_string(row, 2, DASH, f.center)
        else:
            ws.write_number(row, 2, round_half_up(u.score, 1), f.score())
        ws.write_number(row, 3, u.indicators, f.integer())
        ws.write_number(row, 4, u.done, f.integer())
        ws.write_number(row, 5, len(u.lagging), f.integer())
        ws.write_number(row, 6, len(u.missing), f.integer())
        if unit and u.on_time_rate is not None:
            ws.write_number(row, 7, round_half_up(u.on_time_rate, self.r.decimals + 2), f.percent())
        else:
            ws.write_string(row, 7, DASH if unit else "", f.center)
        ws.write_string(row, 8, (u.return_status or DASH) if unit else "", f.center)
        which = []
        if u.lagging:
            which.append("滞后：" + "、".join(self.line_names.get(k, k) for k in u.lagging))
        if u.missing:
            which.append("无数据：" + "、".join(self.line_names.get(k, k) for k in u.missing))
        text = "；".join(which)
        ws.write_string(row, 9, _plain(text), f.text)
        ws.write_string(row, 10, note, f.word if note == "点名" else f.center)
        ws.set_row(row, self.height(text, 40))

    # -- 未报送及迟报 --------------------------------------------------------------------------------
    def returns(self) -> None:
        columns = [
            ("序号", 6),
            ("填报单位", 24),
            ("情况", 10),
            ("期别", 10),
            ("报送截止", 13),
            ("收到日期", 13),
            ("逾期天数", 8),
            ("报错未改", 8),
            ("文件", 30),
            ("说明", 40),
        ]
        order = {ReturnStatus.missing: 0, ReturnStatus.rejected: 1, ReturnStatus.late: 2}
        unit_order = {u.code: i for i, u in enumerate(self.cfg.units)}
        rows = sorted(
            (r for r in self.r.returns.values() if r.status in order),
            key=lambda r: (order[r.status], unit_order.get(r.unit_code, len(unit_order)), r.unit_code),
        )
        ws = self.sheet(
            self.names.returns, self.title("重点民生实事未报送及迟报情况"), columns, len(rows), freeze_cols=2
        )
        f = self.f
        for i, r in enumerate(rows, start=1):
            row = HEADER_ROW + i
            ws.write_number(row, 0, i, f.integer())
            ws.write_string(row, 1, self.unit_name(r.unit_code), f.text)
            ws.write_string(row, 2, r.status.value, f.word if r.status == ReturnStatus.missing else f.center)
            ws.write_string(row, 3, period_text(r.period) or self.r.period_label, f.center)
            ws.write_string(row, 4, f"{r.deadline:%Y-%m-%d}" if r.deadline else "不定期", f.center)
            ws.write_string(row, 5, f"{r.received:%Y-%m-%d}" if r.received else DASH, f.center)
            if r.late_days:
                ws.write_number(row, 6, r.late_days, f.integer())
            else:
                ws.write_string(row, 6, DASH, f.center)
            ws.write_number(row, 7, r.errors, f.integer())
            ws.write_string(row, 8, _plain(r.file), f.text)
            ws.write_string(row, 9, _plain(self.return_note(r)), f.text)
            ws.set_row(row, self.height(self.return_note(r), 40))
        if not rows:
            self.empty_row(ws, FIRST_ROW, len(columns), "各单位均已按时报送。")

    def return_note(self, r) -> str:
        if r.status == ReturnStatus.missing:
            return r.reason or "本期未收到报表，表中沿用该单位最近一期已入账的数据"
        if r.status == ReturnStatus.rejected:
            return "被拒收：" + (r.reason or "报表未通过校验")
        return r.reason or f"逾期{r.late_days}天报送"

    # -- 校验问题 ------------------------------------------------------------------------------------
    def findings(self) -> None:
        narrow = {"文件": 24, "问题说明": 40, "处理建议": 24, "所填内容": 12, "填报单位": 16}
        columns = [(name, narrow.get(name, w)) for name, w in FINDING_COLUMNS if name != "规则代码"]
        items = sorted(
            self.r.findings, key=lambda x: (x.severity != ERROR, x.unit_name or "~", x.file, _cell_order(x.cell))
        )
        ws = self.sheet(self.names.findings, self.title("重点民生实事报表待处理校验问题"), columns, len(items))
        f = self.f
        for i, item in enumerate(items, start=1):
            row = HEADER_ROW + i
            values = finding_cells(item, self.unit_name(item.unit_code))[:-1]  # no rule code column here
            ws.write_number(row, 0, i, f.integer())
            for c, v in enumerate(values, start=1):
                ws.write_string(row, c, _plain(v), f.err if c == 1 and item.is_error else f.text)
            ws.set_row(row, self.height(item.message, 50))
        if not items:
            self.empty_row(ws, FIRST_ROW, len(columns), "本期报表没有待处理的校验问题。")

    # -- 完成率图 ------------------------------------------------------------------------------------
    def chart(self) -> None:
        """A native bar chart of 完成率 against 序时进度, one bar per indicator with a rate."""
        rows = [i for i in self.ordered if i.total.rate_pct is not None and not i.parent]
        columns = [("指标", 30), ("完成率", 9), ("序时进度", 9)]
        ws = self.wb.add_worksheet(self.names.chart)
        f = self.f
        title = self.title("重点民生实事各指标完成率")
        ws.merge_range(0, 0, 0, 15, title, f.title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, 15, self.subtitle(), f.sub)
        for c, (head, width) in enumerate(columns):
            ws.write_string(HEADER_ROW, c, head, f.head)
            ws.set_column(c, c, width)
        for i, ind in enumerate(rows):
            row = FIRST_ROW + i
            label = ind.name if len(ind.name) <= 16 else ind.name[:15] + "…"
            ws.write_string(row, 0, _plain(label), f.text)
            ws.write_number(row, 1, round_half_up(ind.total.rate_pct / 100, self.r.decimals + 2), f.percent())
            sched = ind.total.schedule_pct
            if sched is None:
                ws.write_string(row, 2, DASH, f.center)
            else:
                ws.write_number(row, 2, round_half_up(sched / 100, self.r.decimals + 2), f.percent())
        self.print_setup(ws, repeat=False)
        ws.fit_to_pages(1, 1)  # the chart is not split across pages
        if not rows:
            ws.merge_range(FIRST_ROW, 0, FIRST_ROW, 2, "本期没有可计算完成率的指标。", f.center)
            return
        name = self.names.chart
        last = FIRST_ROW + len(rows) - 1
        chart = self.wb.add_chart({"type": "bar"})
        pct_fmt = "0" + ("." + "0" * self.r.decimals if self.r.decimals else "") + "%"
        chart.add_series(
            {
                "name": [name, HEADER_ROW, 1],
                "categories": [name, FIRST_ROW, 0, last, 0],
                "values": [name, FIRST_ROW, 1, last, 1],
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True, "num_format": pct_fmt, "font": {"size": 8}},
                "gap": 60,
            }
        )
        chart.add_series(
            {
                "name": [name, HEADER_ROW, 2],
                "categories": [name, FIRST_ROW, 0, last, 0],
                "values": [name, FIRST_ROW, 2, last, 2],
                "fill": {"color": "#BFBFBF"},
            }
        )
        chart.set_title({"name": "各指标完成率与序时进度", "name_font": {"size": 12, "name": "黑体"}})
        chart.set_x_axis(
            {"num_format": "0%", "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
        )
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
        chart.set_legend({"position": "top"})
        height = max(320, 20 * len(rows) + 110)
        chart.set_size({"width": 620, "height": height})
        ws.insert_chart(HEADER_ROW, 4, chart, {"x_offset": 10, "object_position": 1})
        ws.print_area(0, 0, max(last, FIRST_ROW + height // 20), 15)


def ws_widths(columns: list[tuple[str, float]]) -> list[float]:
    return [w for _, w in columns]


def _height(text: str, width: float) -> float:
    lines = max(1, -(-display_width(text or "") // max(1, int(width) - 1)))
    return min(400, 13 * lines + 5)


def _cell_order(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in (ref or "").split(":")[0] if ch.isdigit())
    return (int(digits) if digits else 0, ref or "")


__all__ = ["SheetNames", "period_text", "sheet_names", "summary_filename", "write_summary"]
