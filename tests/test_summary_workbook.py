"""The 汇总表 read back with openpyxl: hand-computed figures, words instead of 0, Excel features, print setup."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import report_fixtures_workbook as F
from conftest import convert

from pipeline.summary_workbook import GAP_HEAD, sheet_names, summary_filename, write_summary

# openpyxl drops the Excel 2010 data-bar extension it cannot read; the file itself is fine
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

DEFAULT_SHEETS = ["总表", "分类统计", "分单位", "分乡镇", "排名", "未报送及迟报", "校验问题", "完成率图"]
MAIN_HEAD = [
    "类别", "序号", "项目", "指标", "计量单位", "牵头单位", "年度目标", "累计完成", "本期新增",
    "完成率", "序时进度", GAP_HEAD, "状态", "灯", "数据期别", "备注",
]  # fmt: skip


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return write_summary(F.config(), F.report(), tmp_path_factory.mktemp("summary"))


@pytest.fixture(scope="module")
def wb(path):
    return openpyxl.load_workbook(path)


def rows_by(ws, col: int, first: int = 4) -> dict[str, list]:
    """Data rows keyed by the text in column `col` (1-based), each row as a list of cells."""
    out = {}
    for row in ws.iter_rows(min_row=first):
        key = row[col - 1].value
        if isinstance(key, str) and key not in out:
            out[key] = list(row)
    return out


def main_row(wb, name: str) -> dict[str, object]:
    ws = wb["总表"]
    row = rows_by(ws, 4)[name]
    return {head: cell for head, cell in zip(MAIN_HEAD, row, strict=False)}


def test_file_and_sheet_names(path, wb):
    assert path.name == "重点民生实事进展汇总表.xlsx"
    assert wb.sheetnames == DEFAULT_SHEETS
    ws = wb["总表"]
    assert ws["A1"].value == "2023年5月重点民生实事进展汇总表"
    assert ws["A2"].value == "（截至2023年5月31日，序时进度41.7%）"
    assert [c.value for c in ws[3]] == MAIN_HEAD


def test_sheet_names_follow_the_config(tmp_path):
    cfg = F.config(reporting={"summary_name": "重点民生实事项目完成进度表"})
    assert summary_filename(cfg) == "重点民生实事项目完成进度表.xlsx"
    path = write_summary(cfg, F.report(), tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "重点民生实事项目完成进度表"
    assert wb.worksheets[0]["A1"].value == "2023年5月重点民生实事项目完成进度表"
    counties = [
        {"code": "shizhi", "name": "市直", "kind": "市直"},
        {"code": "jia", "name": "甲县", "kind": "县"},
        {"code": "yi", "name": "乙市", "kind": "县级市"},
        {"code": "bing", "name": "丙区", "kind": "区"},
    ]
    assert sheet_names(F.config(areas=counties)).areas == "分县市区"
    assert (
        sheet_names(F.config(areas=[{"code": "jia", "name": "甲片区", "kind": "片区"}] + counties[2:])).areas
        == "分区域"
    )


def test_current_line_hand_computed(wb):
    r = main_row(wb, "城镇新增就业")
    assert [r[h].value for h in ("类别", "序号", "项目", "计量单位", "牵头单位")] == [
        "省级重点民生实事", 1, "促进高质量充分就业", "人", "某县人力资源和社会保障局"
    ]  # fmt: skip
    assert r["年度目标"].value == 4980 and r["年度目标"].number_format == "#,##0"
    assert r["累计完成"].value == 3120 and r["累计完成"].number_format == "#,##0"
    assert r["本期新增"].value == 520
    # the printed figures: 3120 ÷ 4980 = 62.65% → 62.7%; 5/12 → 41.7%; 62.7 − 41.7 = +21.0
    assert r["完成率"].value == pytest.approx(0.627) and r["完成率"].number_format == "0.0%"
    assert r["序时进度"].value == pytest.approx(0.417)
    assert r[GAP_HEAD].value == pytest.approx(21.0)
    assert r[GAP_HEAD].number_format == "+0.0;-0.0;0.0"
    assert (r["状态"].value, r["灯"].value, r["数据期别"].value) == ("超序时", "绿灯", "5月")


def test_gap_is_the_difference_of_printed_figures(wb):
    ws = wb["总表"]
    for row in ws.iter_rows(min_row=4, max_row=15):
        rate, sched, gap = row[9].value, row[10].value, row[11].value
        if isinstance(rate, float) and isinstance(sched, float):
            assert gap == pytest.approx(round((rate - sched) * 100, 1))


def test_stale_line_shows_its_period_not_as_current(wb):
    r = main_row(wb, "老旧小区改造")
    assert r["累计完成"].value == 5  # the April 下旬 figure, shown grey and italic
    assert r["累计完成"].font.i
    assert r["数据期别"].value == "截至4月下旬"
    assert r["本期新增"].value == "—"  # not this period's
    assert r["状态"].value == "未报送"
    assert r["灯"].value == "—"
    assert "不完整" in r["备注"].value


def test_no_figure_is_a_word_never_zero(wb):
    assert main_row(wb, "“两癌”免费检查")["累计完成"].value == "数据有误"
    assert main_row(wb, "城市低保标准")["累计完成"].value == "未填"
    areas = wb["分乡镇"]
    bing = next(r for r in areas.iter_rows(min_row=4) if r[2].value == "丙乡")
    assert bing[5].value == "未报送"
    for name in ("“两癌”免费检查", "城市低保标准"):
        r = main_row(wb, name)
        assert all(r[h].value != 0 for h in ("累计完成", "本期新增", "完成率"))


def test_kinds_as_printed(wb):
    kongqi = main_row(wb, "空气质量优良率")
    assert kongqi["年度目标"].value == "在96.4%基础上持续改善"
    assert kongqi["累计完成"].value == 96.8 and kongqi["累计完成"].number_format == "#,##0.0"
    assert kongqi["完成率"].value == "—" and kongqi[GAP_HEAD].value == pytest.approx(0.4)
    assert "较目标" in kongqi["备注"].value  # 96.8 − 96.4: the gap of a rate is against its target
    yiyuan = main_row(wb, "新院建设进度")
    assert (yiyuan["年度目标"].value, yiyuan["累计完成"].value) == ("主体完工", "前期工作")
    assert (yiyuan["状态"].value, yiyuan["灯"].value) == ("严重滞后", "红灯")
    touzi = main_row(wb, "当年完成投资")
    assert touzi["年度目标"].value == "暂定20000" and "目标暂定" in touzi["备注"].value
    assert touzi["累计完成"].value == 12345.67 and touzi["累计完成"].number_format == "#,##0.00"
    assert touzi["本期新增"].value == pytest.approx(2345.17)
    chuangwei = main_row(wb, "新增床位")
    assert (chuangwei["状态"].value, chuangwei["完成率"].value) == ("目标待定", "—")
    gonglu = main_row(wb, "农村公路提质改造")
    assert gonglu["累计完成"].value == 0 and gonglu["累计完成"].number_format == "#,##0.0"  # a real 0.0
    child = main_row(wb, "其中：创业培训")
    assert "不计入上级" in child["备注"].value


def test_no_number_format_prints_a_bare_point(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert "#.##" not in cell.number_format and not cell.number_format.endswith(".")


def test_unit_text_is_never_a_formula(path, wb):
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "=SUM(H6:H9)" in texts and F.FORMULA_TEXT in texts  # 校验问题: 所填内容 as typed
    assert f"被拒收：{F.FORMULA_TEXT}" in texts  # 未报送及迟报: the reason
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


def test_conditional_formats(wb):
    ws = wb["总表"]
    rules = {str(rng.sqref): [r for r in rng.rules] for rng in ws.conditional_formatting}
    assert [r.type for r in rules["J4:J15"]] == ["dataBar"]
    lights = rules["N4:N15"]
    assert {r.formula[0] for r in lights} == {'"红灯"', '"黄灯"', '"绿灯"'}
    assert all(r.type == "cellIs" for r in lights)
    assert {r.formula[0] for r in rules["M4:M15"]} >= {'"严重滞后"', '"滞后"', '"未报送"'}
    for name in ("分单位", "分乡镇"):
        types = {r.type for rng in wb[name].conditional_formatting for r in rng.rules}
        assert {"dataBar", "cellIs"} <= types


def test_chart_is_a_native_bar_chart(path):
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<c:barChart>" in xml and '<c:barDir val="bar"/>' in xml
    assert "完成率图!$B$4:$B$7" in xml  # 完成率 of the four indicators with a rate (其中 left out)


def test_chart_data_leaves_out_lines_without_a_rate(wb):
    ws = wb["完成率图"]
    names = [ws.cell(r, 1).value for r in range(4, 8)]
    assert names == ["城镇新增就业", "补贴性职业技能培训", "当年完成投资", "农村公路提质改造"]
    assert ws.cell(8, 1).value is None


def test_print_setup(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 page wide (1 is the default)
        expected = (None, 1) if ws.title == "完成率图" else (0,)  # the chart on one page (1 is the default)
        assert ws.page_setup.fitToHeight in expected
        assert F.OFFICE in ws.oddHeader.left.text
        assert "2023年5月" in ws.oddHeader.right.text
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    for name in DEFAULT_SHEETS[:-1]:
        assert wb[name].print_title_rows in ("3:3", "$3:$3"), name


def test_frozen_header_and_autofilter(wb):
    main = wb["总表"]
    assert main.freeze_panes == "E4"
    assert main.auto_filter.ref == "A3:P15"
    assert wb["分单位"].freeze_panes == "C4"
    assert wb["排名"].auto_filter.ref == "A3:K10"


def test_units_sheet_gives_each_unit_its_lines(wb):
    ws = wb["分单位"]
    lines = [(r[0].value, r[1].value, r[3].value, r[4].value) for r in ws.iter_rows(min_row=4) if r[0].value]
    hbj = [line for line in lines if line[0] == "某县生态环境分局"]
    # 甲镇 reports its own 水质 row; the lead reports the total and 乙镇
    assert [(x[2], x[3]) for x in hbj] == [("空气质量优良率", ""), ("水质优良率", ""), ("水质优良率", "乙镇")]
    assert ("甲镇人民政府", "—", "水质优良率", "甲镇") in lines
    assert ("某县住房和城乡建设局", "未报送", "老旧小区改造", "") in lines


def test_areas_sheet_total_first(wb):
    ws = wb["分乡镇"]
    assert ws["A1"].value == "2023年5月重点民生实事分乡镇进展情况"
    labels = [(r[1].value, r[2].value) for r in ws.iter_rows(min_row=4) if r[1].value]
    assert labels == [
        ("老旧小区改造", "合计"), ("老旧小区改造", "甲镇"), ("老旧小区改造", "乙镇"), ("老旧小区改造", "丙乡"),
        ("水质优良率", "合计"), ("水质优良率", "甲镇"), ("水质优良率", "乙镇"),
    ]  # fmt: skip
    jia = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "水质优良率" and r[2].value == "甲镇")
    assert jia[-1].value == "甲镇人民政府"


def test_ranking_ties_and_unranked_below(wb):
    ws = wb["排名"]
    rows = [(r[0].value, r[1].value, r[2].value, r[10].value) for r in ws.iter_rows(min_row=4, max_row=10)]
    assert [r[0] for r in rows] == [1, 2, 2, 4, 5, 5, "—"]
    assert rows[0][1:] == ("某县人力资源和社会保障局", 120.0, "通报表扬")
    assert rows[4][3] == "点名"
    assert rows[6] == ("—", "某县公路建设养护中心", "—", "本期无到期任务，不参加排名")
    cells = [c.value for row in ws.iter_rows(min_row=11) for c in row]
    assert "乡镇排名" in cells and "甲镇" in cells
    on_time = ws.cell(4, 8)
    assert on_time.value == 1.0 and on_time.number_format == "0.0%"


def test_returns_sheet(wb):
    ws = wb["未报送及迟报"]
    rows = [(r[1].value, r[2].value, r[6].value) for r in ws.iter_rows(min_row=4) if r[1].value]
    assert rows == [
        ("某县住房和城乡建设局", "未报送", "—"),
        ("某县民政局", "被拒收", "—"),
        ("某县卫生健康局", "逾期报送", 3),
    ]


def test_findings_sheet_errors_first(wb):
    ws = wb["校验问题"]
    rows = [(r[1].value, r[2].value, r[8].value) for r in ws.iter_rows(min_row=4) if r[1].value]
    assert [r[0] for r in rows] == ["错误", "错误", "警告"]
    assert rows[2][2] == F.FORMULA_TEXT


def test_tally_counts_add_up(wb):
    ws = wb["分类统计"]
    for row in ws.iter_rows(min_row=4, max_row=6):
        counts = [c.value for c in row[3:12]]
        assert sum(counts) == row[2].value, row[0].value
    assert ws.cell(6, 1).value == "合计" and ws.cell(6, 3).value == 11


def test_empty_period(tmp_path):
    """Nothing returned, nothing found, no areas: every sheet still says something plain."""
    report = F.report(returns={}, findings=(), areas=(), units=(), praised=(), named=())
    wb = openpyxl.load_workbook(write_summary(F.config(), report, tmp_path / "汇总表.xlsx"))
    assert wb["未报送及迟报"]["A4"].value == "各单位均已按时报送。"
    assert wb["校验问题"]["A4"].value == "本期报表没有待处理的校验问题。"
    assert wb["排名"]["A4"].value == "本期没有参加排名的单位。"


def test_converts_to_pdf(path, tmp_path, libreoffice):
    convert(libreoffice, [path], tmp_path)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 5000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "城镇新增就业" in text and "截至4月下旬" in text and "第 1 页" in text


def test_area_reporter_is_the_first_area_unit_of_the_area(tmp_path):
    """The 分区域 sheet names an area's reporting unit from a dict: the first area unit of that area,
    as Config.area_reporter; an area no unit reports has none, a department never counts."""
    import xlsxwriter

    from pipeline.summary_workbook import _Writer

    units = [*F.CONFIG["units"], {"code": "town-jia-2", "name": "甲镇另一单位", "kind": "area", "area": "jia"}]
    cfg = F.config(units=units)
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    w = _Writer(wb, cfg, F.report(), sheet_names(cfg))
    wb.close()
    assert [w.area_reporter(code) for code in ("jia", "yi", "bing", "")] == ["town-jia", None, None, None]
    assert [cfg.area_reporter(code) for code in ("jia", "yi", "bing", "")] == ["town-jia", None, None, None]


def test_row_height_fits_the_tallest_wrapped_text(tmp_path):
    """A row is as tall as its tallest text: 13 points a line + 5, at least 18, at most 400; a column
    of width w holds w − 1 columns of text, a CJK character taking two. Heights are kept per text
    and width, so the second ask gives the same answer."""
    import xlsxwriter

    from pipeline.summary_workbook import _Writer

    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    w = _Writer(wb, F.config(), F.report(), sheet_names(F.config()))
    wb.close()
    widths = [10, 4, 22]
    # 「甲」×20 = 40 columns in 9 → 5 lines → 70; 「abcdefg」 7 in 3 → 3 lines → 44
    assert w.fit(widths, {0: "甲" * 20, 1: "abcdefg"}) == 70
    assert w.fit(widths, {1: "abcdefg", 0: "甲" * 20}) == 70
    assert w.fit(widths, {0: "甲" * 20}) == 70  # from what was kept
    assert w.fit(widths, {0: "ab", 1: "", 2: None}) == 18.0  # one line each: the 18-point floor
    assert w.fit(widths, {1: "abcd"}) == 31  # 4 in 3 → 2 lines
    assert w.fit(widths, {0: "甲" * 1000}) == 400  # 223 lines, capped


def test_a_line_shows_the_same_figures_on_every_sheet(wb):
    """A line's figures are worked out once and written wherever the line appears: the 合计 of
    老旧小区改造 (12 = 5 + 4 + 3 个; 5 from 4月下旬, so no 本期新增 and no 完成率) on 总表 and,
    bold, on 分乡镇; 甲镇's 水质优良率 line on 分单位 (甲镇人民政府 reports it) and on 分乡镇."""
    figures = ["年度目标", "累计完成", "本期新增", "完成率", "序时进度", GAP_HEAD, "状态", "灯", "数据期别"]
    main = main_row(wb, "老旧小区改造")
    old = [main[h] for h in figures]
    areas = [r for r in wb["分乡镇"].iter_rows(min_row=4) if r[1].value == "老旧小区改造" and r[2].value == "合计"]
    total = list(areas[0][4:13])
    expected = [12, 5, "—", "—", pytest.approx(0.417), "—", "未报送", "—", "截至4月下旬"]
    assert [c.value for c in old] == [c.value for c in total] == expected
    assert [c.number_format for c in old] == [c.number_format for c in total]
    assert [c.font.b for c in total] == [True, True, False, False, True, False, False, False, False]
    assert not any(c.font.b for c in old)
    assert old[1].font.i and total[1].font.i  # the carried-forward figure, grey italic on both

    def jia(ws, col: int, first: int):
        row = next(r for r in ws.iter_rows(min_row=4) if r[col].value == "水质优良率" and r[col + 1].value == "甲镇")
        return [
            (c.value, c.number_format, c.font.b, c.font.i, c.font.color and c.font.color.rgb)
            for c in row[first : first + 9]
        ]

    assert jia(wb["分单位"], 3, 6) == jia(wb["分乡镇"], 1, 4)


def test_text_from_units_is_cleaned_once_per_text(tmp_path):
    """Control characters out, at most Excel's 32,000 characters kept; a text asked again is the same."""
    import xlsxwriter

    from pipeline.summary_workbook import _Writer

    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    w = _Writer(wb, F.config(), F.report(), sheet_names(F.config()))
    wb.close()
    assert w.clean("甲\x00乙\x1f丙\t丁\n") == "甲乙丙\t丁\n"  # tab and line feed stay
    assert len(w.clean("a" * 40000)) == 32000
    assert w.clean("a" * 40000) is w.clean("a" * 40000)
    assert w.clean(None) == ""


def test_a_sub_item_row_on_the_unit_sheet_is_as_tall_as_its_name_with_the_qizhong(tmp_path):
    """分单位 shows a 其中 indicator as 「其中：…」; the row is measured on that text. 19 CJK
    characters (38 columns) take two lines of the 22-wide 指标 column (21 columns of text), as
    the unit's name does; with 「其中：」 (6 more, 44) they take three: 13 × 3 + 5 = 44 points, not
    31 (Excel keeps heights in whole pixels: 44.25)."""
    import dataclasses

    report = F.report()
    long = "甲" * 19
    changed = [dataclasses.replace(i, name=long) if i.indicator_id == "chuangye" else i for i in report.indicators]
    wb = openpyxl.load_workbook(write_summary(F.config(), dataclasses.replace(report, indicators=changed), tmp_path))
    ws = wb["分单位"]
    rows = [r[0].row for r in ws.iter_rows(min_row=4) if r[3].value == f"其中：{long}"]
    assert rows and all(abs(ws.row_dimensions[r].height - 44) < 0.5 for r in rows)
