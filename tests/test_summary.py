"""The 季总结 as a Word file: layout as the 月通报's, the chart, 主要做法, the comparison, Q4 as the
year's, tasks due next quarter, every figure traced, hostile text, the template and its docs."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from conftest import ROOT
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree
from report_fixtures import HOSTILE
from summary_fixtures import default_config, previous_quarter, quarter_report

from pipeline.config_load import parse_config
from pipeline.documents import chart as charts
from pipeline.documents.basis import Basis
from pipeline.documents.basis_workbook import basis_path
from pipeline.documents.render import jinja_env
from pipeline.documents.summary import TEMPLATES, render_summary, summary_context
from pipeline.documents.summary_parts import excerpt
from pipeline.errors import UserError

TEMPLATE = TEMPLATES / "季总结.docx"
ISSUED = dt.date(2023, 7, 10)
EMU_PER_MM = 36000


@pytest.fixture(scope="module")
def cfg():
    return default_config()


@pytest.fixture(scope="module")
def report(cfg):
    return quarter_report(cfg)


@pytest.fixture(scope="module")
def before(cfg):
    return previous_quarter(cfg)


@pytest.fixture(scope="module")
def rendered(cfg, report, before, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("summary")
    return render_summary(cfg, report, out, previous=before, issued=ISSUED)


@pytest.fixture(scope="module")
def document(rendered):
    return docx.Document(str(rendered))


def body_text(d) -> str:
    return "\n".join(p.text for p in d.paragraphs)


# -- files and layout (the 月通报's checks) ------------------------------------------------------
def test_files_beside_each_other_in_the_quarters_folder(rendered):
    assert rendered.parent.name == "2023-Q2" and rendered.name == "季总结.docx"
    assert basis_path(rendered).exists() and rendered.with_name("季总结_图1.png").exists()


def test_a_report_not_a_gongwen_no_head_no_number_no_record(document):
    styles = {p.style.name for p in document.paragraphs if p.text.strip()}
    assert not styles & {"发文机关标志", "发文字号", "主送机关", "版记"}
    assert "〔2023〕" not in body_text(document) and "第" not in document.paragraphs[0].text
    assert document.paragraphs[0].style.name == "公文标题"  # the title on the first line


def test_a4_margins_grid_and_a_landscape_annex(document):
    assert len(document.sections) == 2
    body, annex = document.sections
    assert (body.page_width.twips, body.page_height.twips) == (11906, 16838)
    assert (body.top_margin.twips, body.left_margin.twips) == (2098, 1588)
    assert (body.bottom_margin.twips, body.right_margin.twips) == (1984, 1474)
    assert annex.orientation == 1 and (annex.page_width.twips, annex.page_height.twips) == (16838, 11906)
    for s in document.sections:
        grid = s._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
        assert grid.get(qn("w:charSpace")) is None


def test_every_run_names_its_east_asian_font(rendered):
    with zipfile.ZipFile(rendered) as z:
        for name in [n for n in z.namelist() if re.match(r"word/(document|footer\d*|header\d*)\.xml", n)]:
            for r in etree.fromstring(z.read(name)).iter(qn("w:r")):
                rf = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
                assert rf is not None and rf.get(qn("w:eastAsia")), name
                assert rf.get(qn("w:eastAsiaTheme")) is None and rf.get(qn("w:asciiTheme")) is None


def _font(p) -> str:
    return p.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_headings_title_and_body_fonts(document):
    paras = {p.text: p for p in document.paragraphs if p.text}
    assert paras["一、总体情况"].style.name == "一级标题" and _font(paras["一、总体情况"]) == "黑体"
    h2 = paras["（一）省级重点民生实事"]
    assert h2.style.name == "二级标题" and _font(h2) == "楷体_GB2312"
    title = document.paragraphs[0]
    assert title.text == "2023年上半年重点民生实事\n推进情况总结"
    assert title.style.font.size.pt == 22 and _font(title) == "方正小标宋简体"
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    for p in document.paragraphs:
        assert not any(r.bold for r in p.runs)


def test_page_numbers_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    first = document.sections[0]
    for footer, align in ((first.footer, "right"), (first.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        texts = [t.text for t in p._p.iter(qn("w:t"))]
        assert "PAGE" in p._p.xml and texts[0] == "— " and texts[-1] == " —"
    assert document.sections[1].footer.is_linked_to_previous
    assert "updateFields" not in document.settings.element.xml


def test_annex_table_repeats_its_header_and_prints_the_quarters_increment(document):
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    head = [c.text for c in table.rows[0].cells]
    assert head[5:7] == ["上季度末累计", "本季度新增"]
    assert len(table.rows) == 1 + 4 + 58
    rows = {r.cells[2].text: [c.text for c in r.cells] for r in table.rows}
    # peixun: 1000 at the end of Q1, 1600 now: 600 this quarter
    assert rows["开展补贴性职业技能培训"][4:10] == ["3530", "1000", "600", "1600", "45.3%", "41.7%"]
    assert rows["城市低保标准"][6] == "—"  # a standard is a level: no increment
    body = list(document.element.body)
    brk = next(i for i, el in enumerate(body) if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    assert body.index(table._tbl) > brk


# -- the chart ---------------------------------------------------------------------------------
def test_chart_is_an_inline_picture_156mm_wide_at_300_dpi(rendered, document):
    from PIL import Image

    pic = next(p for p in document.paragraphs if p.style.name == "图片")
    inline = pic._p.find(".//" + qn("wp:inline"))
    assert inline is not None  # inline, not floating: it moves with the text
    cx = int(inline.find(qn("wp:extent")).get("cx"))
    assert abs(cx - 156 * EMU_PER_MM) < EMU_PER_MM / 2
    spacing = pic.style.element.pPr.find(qn("w:spacing"))  # Word clips pictures in exact lines
    assert spacing.get(qn("w:lineRule")) == "auto"
    with zipfile.ZipFile(rendered) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and media[0].endswith(".png")
        png = Image.open(io.BytesIO(z.read(media[0])))
    assert png.format == "PNG"
    assert png.width / (156 / 25.4) >= 299.5  # pixels over the printed width
    assert min(png.info["dpi"]) >= 299.5
    caption = pic._p.getnext()
    assert docx.text.paragraph.Paragraph(caption, pic._parent).text == "图1  2023年上半年各实事项目完成率"


def test_chart_bars_are_each_projects_mean_completion(cfg, report):
    bars = charts.project_bars(report, cfg.thresholds.lagging_pp, cfg.thresholds.severe_pp)
    assert len(bars) == 28
    jobs = next(b for b in bars if b.title == "促进高质量充分就业")
    assert jobs.rate_pct == 35.1  # (24.8% + 45.3%) ÷ 2 = 35.05: the 其中 创业培训 is left out
    assert jobs.band == "lagging"  # 35.1 − 41.7 = −6.6: more than 5 below, less than 15
    xyb = next(b for b in bars if b.title.startswith("完成“湘易办”"))
    assert xyb.rate_pct == 45.3 and xyb.band == "ahead"  # (44.3 + 46.7 + 44.8) ÷ 3 = 45.27
    assert xyb.how.startswith("(44.3% + 46.7% + 44.8%) ÷ 3")
    assert next(b for b in bars if b.title.startswith("启动省定县域")).rate_pct is None  # a milestone, 目标待定


def test_without_a_cjk_font_the_document_says_so(cfg, report, before, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "find_cjk_font", lambda: None)
    path = render_summary(cfg, report, tmp_path, previous=before, issued=ISSUED)
    d = docx.Document(str(path))
    pic = next(p for p in d.paragraphs if p.style.name == "图片")
    assert pic.text == charts.NO_FONT and "fonts-noto-cjk" in pic.text
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]


def test_matplotlib_is_not_imported_at_start_up(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipeline.cli", "status", "--config", str(ROOT / "config.yaml"),
         "--outputs", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "pipeline.cli" in proc.stderr and "matplotlib" not in proc.stderr


# -- 主要做法 -----------------------------------------------------------------------------------
def test_practices_merged_attributed_and_cut_to_fit(document):
    text = body_text(document)
    assert "二季度，各单位共报送典型经验材料4篇。" in text
    assert text.count("打通民生实事“最后一公里”") == 1  # two units' same write-up (and one sent twice): one item
    assert "一是推行“一站式”服务，打通民生实事“最后一公里”。把重点民生实事作为“一把手”工程" in text
    assert "全程网上可查（市教育局、市人社局）。" in text  # cut at the last sentence that fits
    assert "强化督查问效" not in text
    assert (
        "二是坚持清单化管理，推动民生实事落地见效。将年度任务分解为月度清单，实行挂图作战、销号管理（市民政局）。"
        in text
    )


def test_excerpt_cuts_at_a_sentence_or_marks_the_cut():
    assert excerpt("短。", 10) == "短。"
    assert excerpt("第一句话。第二句话比较长一些。", 8) == "第一句话。"  # a sentence end in the second half
    assert excerpt("没有句号的一段很长的文字" * 3, 10) == "没有句号的一段很长的……"


def test_no_experience_says_none_was_sent(cfg, tmp_path):
    ctx = summary_context(cfg, quarter_report(cfg, experiences=()), previous=None, issued=ISSUED)
    assert ctx["practices"] == [] and ctx["practices_count"] == "0"


# -- comparison with the previous quarter --------------------------------------------------------
def test_comparison_with_the_first_quarter(document):
    text = body_text(document)
    assert "（五）与一季度相比" in text
    # Q1 → Q2 by hand (summary_fixtures.Q1_VALUES): 已完成 5 → 7; 滞后 9 + 5 → 9 + 4;
    # completion: five lines changed by −1.09628 in the sum of 46 rates: 48.3% − 2.4 = 45.9%
    assert (
        "与一季度末相比，已完成全年目标任务的指标增加2项（由5项增至7项），低于序时进度的指标减少1项（由14项减至13项），"
        "总体完成率提高2.4个百分点（由45.9%提高到48.3%）。" in text
    )
    assert "二季度新完成全年目标任务的有：普通门诊异地结算覆盖二级以上定点医疗机构、农村危房改造。" in text
    assert "由滞后赶上序时进度的有：开展补贴性职业技能培训、村（社区）医保经办服务事项直办或帮代办覆盖。" in text
    assert "新出现滞后的有：农村适龄及城镇低保适龄妇女“两癌”免费检查。" in text
    # by share of the target added: 106/206, 4/9, 600/3530, 80/580 (liangai fell: not an increment)
    assert (
        "二季度新增较多的指标有：农村危房改造新增106户，累计达到206户，占目标任务的100.0%；"
        "普通门诊异地结算覆盖二级以上定点医疗机构新增4个，累计达到9个，占目标任务的100.0%；"
        "开展补贴性职业技能培训新增600人次，累计达到1600人次，占目标任务的45.3%；"
        "村（社区）医保经办服务事项直办或帮代办覆盖新增80个，累计达到230个，占目标任务的39.7%。" in text
    )


def test_first_quarter_has_no_comparison(cfg, before):
    ctx = summary_context(cfg, before, issued=ISSUED)
    assert ctx["compare"] is None and ctx["period"]["span"] == "一季度"


# -- categories, problems, plans --------------------------------------------------------------
def test_each_category_with_its_figures_and_units(document):
    text = body_text(document)
    assert "（二）邵阳市级重点民生实事\n共6件8项指标，已完成1项、超序时3项、按序时2项、滞后1项、严重滞后1项" in text
    assert "已完成全年目标任务的有：农村危房改造（206户，市住建局）。" in text
    # behind: the 完成率 and the gap (target and cumulative figure are in the 附件)
    assert "城镇新增就业（市人社局），完成率24.8%，低于序时进度16.9个百分点，严重滞后" in text
    assert "农村适龄及城镇低保适龄妇女“两癌”免费检查（市妇联），完成率30.0%，" in text
    # on or ahead of 序时: named with the unit only
    assert (
        "超序时推进的有：困难家庭适老化改造（市民政局）、启动城镇老旧小区改造项目（市住建局）、新建污水管网（市住建局）。"
        in text
    )
    assert "其中市卫健局进度较慢" in text  # a unit behind on a project it does not lead


def test_problems_named_and_specific(document):
    text = body_text(document)
    assert (
        "一是部分指标进度滞后。截至2023年6月30日，仍有13项指标低于序时进度，其中严重滞后4项，分别是：新建梅岭学校"
        in text
    )
    # the same words on two rows of one unit: said once, both rows named
    assert (
        "部分改造对象入户评估尚未完成（市残联：省级重点民生实事“困难残疾人家庭无障碍改造”、"
        "邵阳市级重点民生实事“困难残疾人家庭无障碍改造”）" in text
    )
    assert (
        "三是信息报送还不够及时规范。市水利局未报送进展情况；中国联通邵东分公司的报表被退回后未重新报送；"
        "市妇联逾期3天报送；市农业农村局报表中有2处错误经告知后仍未更正。" in text
    )


def test_plans_come_from_the_config(document, cfg):
    text = body_text(document)
    assert "四、下季度工作打算" in text
    assert f"（一）{cfg.bulletins.plans[0]}" in text


def _config_with(**changes) -> object:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for p in data["projects"]:
        for ind in p["indicators"]:
            ind.update(changes.get(ind["id"], {}))
    return parse_config(yaml.safe_dump(data, allow_unicode=True))


def test_tasks_due_next_quarter_from_the_config(tmp_path):
    cfg = _config_with(jiuye={"plan": [{"by": "2023-09-30", "value": 3000}]}, meiling={"deadline": "2023-08-31"})
    ctx = summary_context(cfg, quarter_report(cfg), previous=previous_quarter(cfg), issued=ISSUED)
    assert [t["name"] for t in ctx["due_next"]] == ["城镇新增就业", "新建梅岭学校"]
    path = render_summary(cfg, quarter_report(cfg), tmp_path, previous=previous_quarter(cfg), issued=ISSUED)
    text = body_text(docx.Document(str(path)))
    assert (
        "三季度到期的任务要确保按期完成：城镇新增就业（市人社局），须于2023年9月30日前累计完成3000人，"
        "目前累计完成1234人，完成率24.8%；新建梅岭学校（市教育局），须于2023年8月31日前完成目标任务1所，"
        "目前累计完成0所，完成率0.0%。" in text
    )


def test_third_quarter_lists_the_year_end_tasks(cfg):
    q3 = quarter_report(cfg, "2023-Q3")
    ctx = summary_context(cfg, q3, previous=previous_quarter(cfg, "2023-Q2"), issued=ISSUED)
    assert [t["name"] for t in ctx["due_next"]] == ["人民医院东扩、中医院搬迁工程", "昭阳中学二期工程"]
    assert ctx["due_next"][0]["what"] == "达到“全面完成”" and ctx["due_next"][0]["date"] == "2023年12月31日"
    assert ctx["due_rest"] == "44"  # 56 − 7 已完成 − 3 目标待定 − the 2 listed


# -- Q4 is the year's ------------------------------------------------------------------------------
def test_fourth_quarter_says_quanian(cfg, tmp_path):
    q4 = quarter_report(cfg, "2023-Q4")
    path = render_summary(cfg, q4, tmp_path, previous=previous_quarter(cfg, "2023-Q3"), issued=dt.date(2024, 1, 10))
    d = docx.Document(str(path))
    text = body_text(d)
    assert d.paragraphs[0].text == "2023年全年重点民生实事\n推进情况总结"
    assert text.startswith("2023年全年重点民生实事")
    assert "2023年，全市上下把重点民生实事" in text and "现将全年工作情况总结如下：" in text
    assert "一、全年完成情况" in text and "四、下一步工作打算" in text and "四、下季度工作打算" not in text
    assert "全年完成目标任务7项，未完成49项。" in text  # 56 − 7
    assert "（五）与三季度相比" in text and "四季度新完成全年目标任务的有" in text
    assert "2023年全年重点民生实事进展情况表" in text
    assert "到期的任务" not in text  # no next quarter within the year


# -- every figure traced ---------------------------------------------------------------------------
def test_every_number_is_traced_in_the_basis(cfg, report, before, tmp_path):
    basis = Basis(document="季总结", marking=True, units={u.code: u.name for u in cfg.units})
    from pipeline.documents import summary as mod

    calls = {}
    real = mod.new_basis
    mod.new_basis = lambda c, name: calls.setdefault("b", basis)
    try:
        path = render_summary(cfg, report, tmp_path, previous=before, issued=ISSUED)
    finally:
        mod.new_basis = real
    stray = [(o.place.where, o.snippet) for o in basis.occurrences if o.figure is None]
    assert stray == []
    assert len(basis.occurrences) > 400
    bars = [o for o in basis.occurrences if o.place.where.startswith("图1第")]
    assert len(bars) == 24  # 28 projects, 4 without a 完成率
    for o in basis.occurrences:  # each traced number is the printed figure's own
        if not o.figure.quote:
            assert o.number in o.figure.printed.replace(",", ""), (o.place.where, o.number, o.figure.printed)
    ws = openpyxl.load_workbook(basis_path(path))["数据依据"]
    meanings = [r[5] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert meanings and not [m for m in meanings if str(m).startswith("未找到")]
    assert "完成“湘易办”超级服务端用户任务·项目完成率（图中条形）" in meanings


# -- hostile text ----------------------------------------------------------------------------------
def test_hostile_unit_text_renders_safely(cfg, before, tmp_path):
    report = quarter_report(cfg, hostile=HOSTILE)
    path = render_summary(cfg, report, tmp_path, previous=before, issued=ISSUED)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    etree.fromstring(xml.encode("utf-8"))
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)
    text = body_text(docx.Document(str(path)))
    assert "<w:p>注入</w:p>{{ office.name }}{% if 1 %}=cmd|' /C calc'!A0 & \"引号\"" in text
    assert len(text) < len(HOSTILE)  # 20,000 characters cut to fit
    assert "（市妇联）。" in text  # the hostile write-up is still attributed
    assert "附件：2023年上半年重点民生实事进展情况表" in text  # nothing after it went missing


# -- the template, its docs, errors ------------------------------------------------------------------
def test_every_tag_in_the_committed_template_is_in_the_context(cfg, report, before):
    ctx = summary_context(cfg, report, previous=before, issued=ISSUED)
    tpl = DocxTemplate(str(TEMPLATE))
    assert tpl.get_undeclared_template_variables(jinja_env=jinja_env(), context=ctx) == set()


def _names(prefix, value):
    if prefix in ("overall.by_status", "chart.bars", "chart.picture"):
        yield prefix
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _names(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield prefix
        for k, v in value[0].items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                yield from _names(f"{prefix}[].{k}", v)
            elif k != "statuses":
                yield f"{prefix}[].{k}"
    else:
        yield prefix


def test_docs_name_every_context_variable(cfg, report, before):
    doc = (ROOT / "docs" / "bulletins.md").read_text(encoding="utf-8")
    section = doc[doc.index("# 季总结") :]
    ctx = summary_context(cfg, report, previous=before, issued=ISSUED)
    missing = [n for n in _names("", {k: v for k, v in ctx.items() if k != "table"}) if f"`{n}`" not in section]
    assert missing == []


def test_only_a_quarter_report_makes_a_summary(cfg, report, tmp_path):
    with pytest.raises(UserError, match="季总结只能按季度生成"):
        render_summary(cfg, replace(report, period_kind="month", period_label="2023年6月"), tmp_path)
    monthly_only = cfg.model_copy(
        update={"reporting": cfg.reporting.model_copy(update={"documents": cfg.reporting.documents[:2]})}
    )
    with pytest.raises(UserError, match="缺少 period: quarter"):
        render_summary(monthly_only, report, tmp_path)
