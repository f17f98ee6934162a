"""The 月通报 as a Word file: layout, fonts, numbering, template robustness, escaping, numbers."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from report_fixtures import HOSTILE, ISSUED, build_report, default_config

from pipeline.analytics.report import Status
from pipeline.documents import layout as L
from pipeline.documents import pdf as pdfmod
from pipeline.documents.common import cn_number, shares
from pipeline.documents.monthly import TEMPLATES, notice_context, render_notice
from pipeline.documents.numbering import Numbering, choose
from pipeline.documents.render import clean_text, jinja_env, scrub
from pipeline.errors import UserError
from pipeline.ledger import Ledger

TEMPLATE = TEMPLATES / "月通报.docx"
NUMBERING = Numbering(2023, 5, "邵东民生办")


@pytest.fixture(scope="module")
def cfg():
    return default_config()


@pytest.fixture(scope="module")
def report(cfg):
    return build_report(cfg)


@pytest.fixture(scope="module")
def rendered(cfg, report, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notice")
    return render_notice(cfg, report, out, numbering=NUMBERING, issued=ISSUED)


@pytest.fixture(scope="module")
def document(rendered):
    return docx.Document(str(rendered))


def body_text(d) -> str:
    return "\n".join(p.text for p in d.paragraphs)


def table_rows(d) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in d.tables for row in t.rows]


# -- page --------------------------------------------------------------------------------------
def test_output_path_is_period_and_document_name(rendered):
    assert rendered.parent.name == "2023-05" and rendered.name == "月通报.docx"


def test_a4_margins_grid_and_sections(document):
    assert len(document.sections) == 3
    portrait, annex, record = document.sections
    for s in (portrait, record):
        assert (s.page_width.twips, s.page_height.twips) == (11906, 16838)
        assert (s.top_margin.twips, s.left_margin.twips) == (2098, 1588)  # 37 mm, 28 mm
        assert (s.bottom_margin.twips, s.right_margin.twips) == (1984, 1474)  # 35 mm, 26 mm
    assert (annex.page_width.twips, annex.page_height.twips) == (16838, 11906)
    assert annex.orientation == 1  # landscape
    assert (annex.left_margin.twips, annex.top_margin.twips) == (2098, 1588)  # the page turned with its margins
    for s in document.sections:
        grid = s._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
        assert grid.get(qn("w:charSpace")) is None  # a char grid gives 14 characters a line in LibreOffice


def test_body_style_is_3hao_fangsong_exact_579_condensed(document):
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    rf = normal.element.rPr.find(qn("w:rFonts"))
    assert rf.get(qn("w:eastAsia")) == "仿宋_GB2312" and rf.get(qn("w:ascii")) == "仿宋_GB2312"
    assert normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"  # 28 × 15.75 pt ≤ 442.2 pt
    sp = normal.element.pPr.find(qn("w:spacing"))
    assert sp.get(qn("w:line")) == "579" and sp.get(qn("w:lineRule")) == "exact"
    ind = normal.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_runs_a_clerk_stripped_of_fonts_get_them_back_in_every_copy(cfg, report, tmp_path):
    """A template saved by an editor that keeps only theme fonts (as WPS may): every run of the
    template, the 附件 row that is copied once per line included, loses its font names and gets
    a theme attribute. The faces are put back before rendering, so each copy has them."""
    source = TEMPLATES / "月通报.docx"
    stripped = tmp_path / "stripped.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                for rf in root.iter(qn("w:rFonts")):
                    if rf.getparent().getparent().tag == qn("w:r"):
                        rf.attrib.clear()
                        rf.set(qn("w:eastAsiaTheme"), "minorEastAsia")
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(item, data)
    path = render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=stripped)
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    runs = [r for r in root.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
    annex = [r for r in runs if any(a.tag == qn("w:tbl") for a in r.iterancestors())]
    assert len(annex) > 20  # the 附件 rows, each rendered from the one template row
    for r in runs:
        rf = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        assert rf is not None and rf.get(qn("w:eastAsia")) and rf.get(qn("w:eastAsiaTheme")) is None


def test_every_run_names_its_east_asian_font(rendered, document):
    with zipfile.ZipFile(rendered) as z:
        parts = [n for n in z.namelist() if re.match(r"word/(document|footer\d*|header\d*)\.xml", n)]
        for name in parts:
            root = etree.fromstring(z.read(name))
            for r in root.iter(qn("w:r")):
                rf = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
                assert rf is not None, name
                assert rf.get(qn("w:eastAsia")), name
                for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    assert rf.get(qn(theme)) is None
        styles = etree.fromstring(z.read("word/styles.xml"))
        lang = styles.find(f".//{qn('w:docDefaults')}//{qn('w:lang')}")
        assert lang.get(qn("w:eastAsia")) == "zh-CN"


def _font_of(p) -> str:
    return p.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_heading_levels_and_title_fonts(document):
    paras = {p.text: p for p in document.paragraphs if p.text}
    h1 = paras["一、总体情况"]
    assert h1.style.name == "一级标题" and _font_of(h1) == "黑体"
    h2 = paras["（一）单位排名"]
    assert h2.style.name == "二级标题" and _font_of(h2) == "楷体_GB2312"
    title = next(p for p in document.paragraphs if p.style.name == "公文标题")
    assert title.text == "关于2023年5月份重点民生实事\n进展情况的通报"
    assert title.style.font.size.pt == 22 and _font_of(title) == "方正小标宋简体"
    for p in document.paragraphs:  # GB: no 加粗 on 小标宋/黑体/楷体
        assert not any(r.bold for r in p.runs)


def test_red_header_doc_number_and_rule(document):
    mark = next(p for p in document.paragraphs if p.style.name == "发文机关标志")
    assert mark.text == "邵东市打好重点民生保障仗工作专班办公室文件"
    assert str(mark.style.font.color.rgb) == L.RED
    assert mark.runs[0]._r.rPr.find(qn("w:w")) is not None  # 21 characters squeezed into 156 mm
    number = next(p for p in document.paragraphs if p.style.name == "发文字号")
    assert number.text == "邵东民生办〔2023〕5号"
    rule = number.style.element.pPr.find(qn("w:pBdr")) or number._p.pPr.find(qn("w:pBdr"))
    bottom = rule.find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == L.RED and bottom.get(qn("w:space")) == "11"  # 4 mm ≈ 11 pt


def test_no_prefix_prints_the_issue_number_instead(cfg, report, tmp_path):
    plain = cfg.model_copy(update={"office": cfg.office.model_copy(update={"doc_prefix": None})})
    path = render_notice(plain, report, tmp_path, numbering=Numbering(2023, 7, None), issued=ISSUED)
    d = docx.Document(str(path))
    number = next(p for p in d.paragraphs if p.style.name == "发文字号")
    assert number.text == "第7期"
    assert "〔2023〕" not in body_text(d)


def test_preprinted_letterhead_leaves_the_head_blank_with_its_spacing(cfg, report, tmp_path):
    pre = cfg.model_copy(update={"bulletins": cfg.bulletins.model_copy(update={"letterhead": "preprinted"})})
    d = docx.Document(str(render_notice(pre, report, tmp_path, numbering=NUMBERING, issued=ISSUED)))
    mark = next(p for p in d.paragraphs if p.style.name == "发文机关标志")
    assert mark.text == ""  # the paragraph and its exact height stay: the body starts where it always does
    number = next(p for p in d.paragraphs if p.style.name == "发文字号")
    assert number.text == "邵东民生办〔2023〕5号"
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "nil"


def test_page_numbers_odd_right_even_left_with_page_field(document):
    assert document.settings.odd_and_even_pages_header_footer
    first = document.sections[0]
    for footer, align in ((first.footer, "right"), (first.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        xml = p._p.xml
        assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml
        texts = [t.text for t in p._p.iter(qn("w:t"))]
        assert texts[0] == "— " and texts[-1] == " —"
        rpr = p.runs[0]._r.rPr
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
        assert rpr.find(qn("w:sz")).get(qn("w:val")) == "28"  # 4号
    for s in document.sections[1:]:
        assert s.footer.is_linked_to_previous and s.even_page_footer.is_linked_to_previous
    settings = document.settings.element.xml
    assert "updateFields" not in settings  # Word would ask a question on opening


def test_annex_table_landscape_with_repeated_header(document):
    table = document.tables[0]
    first = table.rows[0]._tr
    assert first.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells][:3] == ["序号", "实事项目", "考核指标"]
    # the table sits in the landscape section: its paragraphs come after the first section break
    body = list(document.element.body)
    breaks = [i for i, el in enumerate(body) if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    assert breaks[0] < body.index(table._tbl) < breaks[1]
    assert len(table.rows) == 1 + 4 + 58  # header, 4 category rows, one row per indicator


def test_annex_rows_print_each_line(document, report):
    rows = {r[2]: r for r in table_rows(document)}
    assert rows["城镇新增就业"][3:] == ["人", "4980", "1234", "24.8%", "41.7%", "-16.9", "严重滞后", "市人社局"]
    assert rows["其中：创业培训"][6] == "34.0%"
    assert rows["小型水库除险加固"][5] == "5（截至4月）"  # stale: the figure from the last return
    assert rows["城镇住宅小区居民“一户一表”改造接收"][4] == "暂定1680"
    assert rows["恢复和改善灌溉面积"][5] == "未报送"
    assert rows["集中养育孤儿基本生活最低保障标准"][5] == "数据有误"
    assert rows["上线服务事项"][8] == "+2.6"


# -- content -----------------------------------------------------------------------------------
def test_opening_cites_the_source_and_ends_with_tongbao_ruxia(document):
    text = body_text(document)
    assert "根据《2023年全市重点民生实事项目实施意见》要求" in text
    assert "现将有关情况通报如下：" in text
    assert "各乡镇（街道）、市直各有关单位：" in text


def test_overall_counts_shares_add_up_and_schedule_stated_once(document):
    text = body_text(document)
    assert "全市共安排重点民生实事28件56项指标" in text
    # 7, 21, 9, 9, 4, 1, 1, 1, 3 of 56 by largest remainder: 12.5 37.5 16.1 16.1 7.1 1.8 1.8 1.8 5.3 = 100.0
    assert (
        "已完成7项、占12.5%；超序时21项、占37.5%；按序时9项、占16.1%；滞后9项、占16.1%；严重滞后4项、占7.1%；"
        "未报送1项、占1.8%；数据有误1项、占1.8%；未填1项、占1.8%；目标待定3项、占5.3%" in text
    )
    assert text.count("下同") == 1 and "（序时进度41.7%，下同）" in text
    assert "投资类指标2项，计划完成投资1.39亿元，累计完成投资0.56亿元，投资完成率40.3%" in text  # 5600 ÷ 13893


def test_ranking_with_ties_and_lagging_items(document):
    text = body_text(document)
    assert (
        "第二名邵东市行政审批服务局（106.4分）；第三名邵东市科技和工业信息化局、邵阳市生态环境局邵东分局（104.2分）；第五名"
        in text
    )
    assert "邵东市水利局本期无可比指标，未参与排名" in text
    assert (
        "城镇新增就业，目标4980人，累计完成1234人，完成率24.8%，低于序时进度16.9个百分点，严重滞后，"
        "主要原因：受企业用工需求季节性波动影响，新增就业登记进度偏慢。" in text
    )
    assert "国考断面水质优良率（三类以上比例），目标100%，当前为90%，低于目标10.0个百分点" in text
    assert "昭阳中学二期工程，目标全面完成昭阳中学二期工程，目前处于“前期工作”阶段" in text
    assert "其中，邵东市卫生健康局进度较慢。" in text  # a unit behind on a project it does not lead
    assert "低于序时进度的指标共13项，其中严重滞后4项" in text  # 9 + 4, as in 总体情况


def test_followup_of_last_months_lagging_items(document):
    text = body_text(document)
    assert "2023年4月通报的滞后指标共6项" in text
    assert (
        "村（社区）医保经办服务事项直办或帮代办覆盖（邵东市医疗保障局），目标580个，累计完成230个，完成率39.7%，已赶上序时进度"
        in text
    )
    assert (
        "新建梅岭学校（邵东市教育局），目标1所，累计完成0所，完成率0.0%，仍严重滞后，低于序时进度41.7个百分点" in text
    )
    assert "省级重点民生实事“困难残疾人家庭无障碍改造”" in text  # two indicators share the name


def test_followup_from_an_explicit_previous_report(cfg, report):
    prev = build_report(cfg)
    ctx = notice_context(cfg, report, NUMBERING, previous=prev, issued=ISSUED)
    lagging_now = [ip for ip in report.indicators if not ip.parent and ip.status in (Status.lagging, Status.severe)]
    assert len(ctx["followup"]) == len(lagging_now) == 13


def test_praise_and_criticism_with_configured_measures(document):
    text = body_text(document)
    assert (
        "邵东市医疗保障局、邵东市行政审批服务局、邵东市科技和工业信息化局、邵阳市生态环境局邵东分局所负责指标推进较快"
        in text
    )
    assert "共7项指标已完成全年目标任务" in text
    assert "严重滞后：邵东市人力资源和社会保障局、邵东市残疾人联合会、邵东市教育局" in text and "予以挂牌督办" in text
    assert "排名靠后：邵东市残疾人联合会、邵东市教育局、邵东市妇女联合会，予以提醒。" in text
    assert "未报送：邵东市水利局、中国联通邵东分公司（报表被退回，未重新报送），予以通报批评。" in text
    assert "逾期报送：邵东市妇女联合会（逾期3天），予以提醒。" in text
    assert "报错未改：邵东市农业农村局（2处错误经告知后仍未更正），予以提醒。" in text


def test_requirements_closing_and_record(document):
    text = body_text(document)
    assert "（一）各牵头单位要对照年度目标倒排工期" in text
    assert "附件：2023年5月份重点民生实事进展情况表" in text
    sign = next(p for p in document.paragraphs if p.style.name == "署名")
    date = next(p for p in document.paragraphs if p.style.name == "成文日期")
    assert sign.text == "邵东市打好重点民生保障仗工作专班办公室" and date.text == "2023年6月5日"
    record = [p.text for p in document.paragraphs if p.style.name == "版记"]
    assert record == [
        "抄送：市委办，市人大办，市政府办，市政协办。",
        "邵东市打好重点民生保障仗工作专班办公室\t2023年6月5日印发",
    ]


# -- numbers -----------------------------------------------------------------------------------
NUMBER = re.compile(r"(?<![\d.])[+-]?\d+(?:\.\d+)?")


def _report_numbers(cfg, report) -> set[float]:
    """Every figure the report holds (and the dates and 文号 of the document), as numbers."""
    vals: set[float] = set()
    for _, line in report.lines():
        for x in (line.target, line.value, line.rate_pct, line.schedule_pct, line.gap_pp, line.previous):
            if x is not None:
                vals.update({round(x, 4), round(abs(x), 4)})
    t = report.overall
    vals.update({t.projects, t.indicators, t.completion_pct, report.schedule_pct, *t.counts.values()})
    vals.update({12.5, 37.5, 16.1, 7.1, 1.8, 5.3})  # the shares, hand-computed (test above)
    vals.update({1.39, 0.56, 40.3, 2})  # investment: 13893 and 5600 万元 in 亿元, 5600 ÷ 13893, 2 items
    vals.update(u.score for u in report.units if u.score is not None)
    vals.update(r.late_days for r in report.returns.values())
    vals.update(r.errors for r in report.returns.values())
    vals.update({2023, 5, 31, 4, 6})  # 2023年5月31日, 2023年4月, 2023年6月5日, 第5期
    vals.update({13, 6})  # lagging items not counting the 其中 one (9 + 4); last month's items followed up
    return vals


def _strip_config_words(cfg, text: str) -> str:
    """Remove the config's own words (names, titles, target wording) that carry digits: 43个门诊…"""
    words = [cfg.source.title, *cfg.bulletins.requirements]
    for p, i in cfg.indicators():
        words += [p.title, i.name, i.target_text or ""]
    for w in sorted(filter(None, words), key=len, reverse=True):
        text = text.replace(w, " ")
    return text


def test_every_number_in_the_text_is_a_report_value(cfg, report, document):
    text = _strip_config_words(cfg, body_text(document))
    text = re.sub(r"(?m)^\s*\d+\. ", "", text)  # list markers 1. 2. …
    allowed = _report_numbers(cfg, report)
    found = [m.group() for m in NUMBER.finditer(text)]
    assert len(found) > 150
    stray = [n for n in found if round(abs(float(n)), 4) not in allowed]
    assert stray == []


def test_every_number_in_the_table_is_its_lines_value(report, document):
    rows = [r for r in table_rows(document)[1:] if r[0].isdigit()]
    lines = [ip.total for ip in sorted(report.indicators, key=lambda i: (i.category_order, i.project_number))]
    assert [int(r[0]) for r in rows] == list(range(1, 59))
    for row, line in zip(rows, lines, strict=True):
        if line.value is not None:
            assert float(row[5].split("（")[0]) == line.value
        if line.rate_pct is not None:
            assert row[6] == f"{line.rate_pct:.1f}%"
        if line.gap_pp is not None:
            assert float(row[8]) == line.gap_pp


# -- the template ------------------------------------------------------------------------------
def test_every_tag_in_the_committed_template_is_in_the_context(cfg, report):
    ctx = notice_context(cfg, report, NUMBERING, issued=ISSUED)
    tpl = DocxTemplate(str(TEMPLATE))
    assert tpl.get_undeclared_template_variables(jinja_env=jinja_env(), context=ctx) == set()
    used = tpl.get_undeclared_template_variables(jinja_env=jinja_env())
    assert used <= set(ctx)


def test_docs_name_every_context_variable(cfg, report):
    doc = (ROOT / "docs" / "bulletins.md").read_text(encoding="utf-8")
    ctx = notice_context(cfg, report, NUMBERING, issued=ISSUED)

    def names(prefix, value):
        if prefix == "overall.by_status":
            yield prefix
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from names(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield prefix
            for k, v in value[0].items():
                if isinstance(v, list) and v and isinstance(v[0], dict):
                    yield from names(f"{prefix}[].{k}", v)
                else:
                    yield f"{prefix}[].{k}"
        else:
            yield prefix

    missing = [n for n in names("", {k: v for k, v in ctx.items() if k != "table"}) if f"`{n}`" not in doc]
    assert missing == []


def _split_runs_like_word(src: Path, dst: Path) -> None:
    """Word splits text into runs at edits, spell-check marks and rsids: cut every tag into pieces."""
    d = docx.Document(str(src))
    for p in d.paragraphs + [p for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]:
        for r in list(p.runs):
            text = r.text
            if "{" not in text or "\t" in text:
                continue
            pieces = re.split(r"(\{\{ |\{% | \}\}| %\}|\.)", text)
            pieces = [x for x in pieces if x]
            r.text = pieces[0]
            anchor = r._r
            for piece in pieces[1:]:
                new = docx.oxml.parse_xml(anchor.xml)
                new.set(qn("w:rsidR"), "00A1B2C3")
                for t in new.findall(qn("w:t")):
                    t.text = piece
                anchor.addnext(new)
                anchor = new
    d.save(str(dst))


def test_template_split_into_runs_like_word_still_renders(cfg, report, tmp_path, document):
    split = tmp_path / "月通报.docx"
    _split_runs_like_word(TEMPLATE, split)
    assert len(docx.Document(str(split)).paragraphs[0].runs) > 1
    path = render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=split)
    assert body_text(docx.Document(str(path))) == body_text(document)


def test_template_saved_by_libreoffice_and_edited_still_renders(cfg, report, tmp_path, libreoffice):
    edited = tmp_path / "lo"
    edited.mkdir()
    src = tmp_path / "src" / "月通报.docx"
    src.parent.mkdir()
    shutil.copy(TEMPLATE, src)
    subprocess.run(
        [libreoffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(edited), str(src)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    saved = edited / "月通报.docx"
    d = docx.Document(str(saved))
    heading = next(p for p in d.paragraphs if p.text == "二、进度排名")
    heading.runs[0].text = "二、各单位进度排名"
    for r in heading.runs[1:]:
        r.text = ""
    added = heading.insert_paragraph_before("本月全市上下紧盯目标任务，整体进度较上月有所加快。")
    added.style = d.styles["Normal"]
    d.save(str(saved))
    path = render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=saved)
    out = docx.Document(str(path))
    text = body_text(out)
    assert "二、各单位进度排名" in text and "本月全市上下紧盯目标任务" in text
    assert "城镇新增就业，目标4980人，累计完成1234人" in text
    assert len(out.sections) == 3 and out.sections[1].orientation == 1
    assert out.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert out.sections[0].footer.paragraphs and "PAGE" in out.sections[0].footer._element.xml


def _edited_template(tmp_path: Path, old: str, new: str) -> Path:
    d = docx.Document(str(TEMPLATE))
    for p in d.paragraphs:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)
    path = tmp_path / "月通报.docx"
    d.save(str(path))
    return path


def test_misspelt_variable_names_tag_and_paragraph(cfg, report, tmp_path):
    bad = _edited_template(tmp_path, "{{ doc.recipients }}", "{{ doc_recipients }}")
    with pytest.raises(UserError) as e:
        render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=bad)
    msg = e.value.render()
    assert "{{ doc_recipients }}" in msg and "第" in msg and "段「{{ doc_recipients }}：」" in msg
    assert "docs/bulletins.md" in msg


def test_misspelt_attribute_names_the_paragraph(cfg, report, tmp_path):
    bad = _edited_template(tmp_path, "{{ overall.completion }}", "{{ overall.complete }}")
    with pytest.raises(UserError) as e:
        render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=bad)
    msg = e.value.render()
    paras = [p.text for p in docx.Document(str(TEMPLATE)).paragraphs]
    n = 1 + next(i for i, t in enumerate(paras) if t.startswith("{{ period.year }}年{{ office.scope }}共安排"))
    assert (
        "「complete」不是程序提供的内容" in msg
        and f"正文第{n}段「{{{{ period.year }}}}年{{{{ office.scope }}}}共安排" in msg
    )


def test_unclosed_if_names_the_paragraph(cfg, report, tmp_path):
    bad = _edited_template(tmp_path, "{% if source.cited %}根据", "{% if source.cited 根据")
    with pytest.raises(UserError) as e:
        render_notice(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=bad)
    msg = e.value.render()
    assert "标记" in msg and "为推动{{ office.scope }}重点民生实事落地见效" in msg and "段" in msg


def test_missing_template_is_a_user_error(cfg, report, tmp_path):
    with pytest.raises(UserError, match="找不到模板文件"):
        render_notice(cfg, report, tmp_path, numbering=NUMBERING, issued=ISSUED, template=tmp_path / "无.docx")


# -- hostile text ------------------------------------------------------------------------------
def test_hostile_unit_text_renders_safely(cfg, tmp_path):
    report = build_report(cfg, hostile=True)
    path = render_notice(cfg, report, tmp_path, numbering=NUMBERING, issued=ISSUED)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    etree.fromstring(xml.encode("utf-8"))  # well-formed
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)
    text = body_text(docx.Document(str(path)))
    assert "<w:p>注入</w:p>{{ office.name }}{% if 1 %}=cmd|' /C calc'!A0 & \"引号\" 'x' <b>粗</b>" in text
    assert "（原文" in text and "此处节选前300字）" in text
    assert len(text) < len(HOSTILE)
    assert "城镇新增就业，目标4980人" in text  # nothing after the hostile note went missing
    assert "抄送：市委办" in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_clean_text():
    assert clean_text("a\x00b\x07c\ud800d\te\nf") == "a b cd e f"
    assert clean_text("  甲   乙\u3000\u3000丙 ") == "甲 乙 丙"  # a run of spaces is one space, not none
    long = clean_text("字" * 400, 300)
    assert long.startswith("字" * 300) and long.endswith("（原文400字，此处节选前300字）")


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("a甲1. \u3000\t\n\x00\x07\x85\xa0\u2028\u200f\u202e\ufffe\ud800"), max_size=8))
def test_clean_text_returns_a_clean_text_as_it_is_and_scrubs_the_rest(text):
    """The one-search shortcut gives what the full scrub gives, for any mix of the characters
    it must catch: controls, bidi marks, surrogates, runs of spaces, space at either end."""
    assert clean_text(text) == scrub(text)
    assert clean_text(text, 3) == scrub(text, 3)


# -- numbering ---------------------------------------------------------------------------------
def test_numbering_reuses_takes_next_and_restarts_each_year(cfg, report, tmp_path):
    assert choose({}, "2023-04") == 1
    assert choose({"2023-04": 1}, "2023-05") == 2 and choose({"2023-04": 1, "2023-05": 2}, "2023-04") == 1
    out = tmp_path / "outputs"
    april = build_report(cfg)
    april = replace(april, period="2023-04", as_of="2023-04-30", previous_period=None)
    with Ledger(out / "ledger.sqlite") as ledger:
        render_notice(cfg, april, out, ledger=ledger, issued=ISSUED)
        render_notice(cfg, report, out, ledger=ledger, issued=ISSUED)
        again = render_notice(cfg, report, out, ledger=ledger, issued=ISSUED)
        nxt = ledger.document_number("notice-month", 2024, "2024-01", lambda e: choose(e, "2024-01"))
    number = next(p for p in docx.Document(str(again)).paragraphs if p.style.name == "发文字号")
    assert number.text == "邵东民生办〔2023〕2号"  # May came second, and re-rendering kept its number
    assert nxt == 1
    # no ledger given: the one in the outputs folder
    path = render_notice(cfg, report, out, issued=ISSUED)
    assert "〔2023〕2号" in body_text(docx.Document(str(path)))


def test_numbering_formats():
    assert Numbering(2023, 5, "邵东民生办").doc_number == "邵东民生办〔2023〕5号"
    assert Numbering(2023, 12, None).doc_number is None and Numbering(2023, 12, None).issue == "第12期"


def test_shares_add_up_and_cn_numbers():
    assert shares([7, 21, 9, 9, 4, 1, 1, 1, 3], 1) == [12.5, 37.5, 16.1, 16.1, 7.1, 1.8, 1.8, 1.8, 5.3]
    # equal counts print equal shares, even when the sum then falls 0.1 short
    assert shares([1, 1, 1], 1) == [33.3, 33.3, 33.3]
    assert shares([2, 2, 1, 4, 3], 1) == [16.7, 16.7, 8.3, 33.3, 25.0]  # 16.67 16.67 8.33 33.33 25: sum 100.0
    assert shares([1, 2], 0) == [33, 67]
    assert [cn_number(n) for n in (1, 10, 11, 20, 35)] == ["一", "十", "十一", "二十", "三十五"]


def test_issued_date_defaults_to_today(cfg, report):
    ctx = notice_context(cfg, report, NUMBERING)
    today = dt.date.today()
    assert ctx["doc"]["date"] == f"{today.year}年{today.month}月{today.day}日"


def test_only_a_month_report_makes_a_notice(cfg, report, tmp_path):
    dekad = replace(report, period_kind="dekad", period_label="2023年5月中旬")
    with pytest.raises(UserError, match="月通报只能按月生成"):
        render_notice(cfg, dekad, tmp_path, numbering=NUMBERING)


# -- PDF: missing LibreOffice --------------------------------------------------------------------
def test_missing_soffice_says_how_to_install(monkeypatch, rendered):
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    with pytest.raises(UserError) as e:
        pdfmod.to_pdf([rendered])
    assert "apt-get install libreoffice-writer-nogui" in e.value.render() and "Word 文件已生成" in e.value.render()


def test_scope_and_mechanism_come_from_the_config():
    """A county's notice says 全县, and a 季总结 names the office's own mechanism."""
    from pipeline.config_load import load_config
    from pipeline.documents.common import mechanism, scope_word

    shaodong = default_config()
    assert scope_word(shaodong) == "全市" and mechanism(shaodong) == "旬调度、月通报、季总结"
    xiaoxian = load_config(ROOT / "examples" / "xiaoxian-2023.yaml")
    assert scope_word(xiaoxian) == "全县"
    district = shaodong.model_copy(
        update={"office": shaodong.office.model_copy(update={"name": "长沙市岳麓区民生实事办公室"})}
    )
    assert scope_word(district) == "全区"  # the last level in the place name, not the city's
    docs = [
        {"period": "month", "name": "月专报", "kind": "notice"},
        {"period": "quarter", "name": "季总结", "kind": "summary"},
    ]
    special = shaodong.model_copy(update={"reporting": shaodong.reporting.model_copy(update={"documents": [
        type(shaodong.reporting.documents[0])(**d) for d in docs]})})  # fmt: skip
    assert mechanism(special) == "月专报、季总结"
