"""The 旬简报 as a Word file: 报头, sections and numbers, 数据依据, layout, numbering, hostile text, offices."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import ROOT
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree
from report_fixtures import HOSTILE, _source, build_report, default_config
from test_documents import _split_runs_like_word, body_text

from pipeline.analytics.report import Change, Status
from pipeline.config_load import load_config
from pipeline.documents import layout as L
from pipeline.documents.basis import Basis
from pipeline.documents.brief import TEMPLATES, brief_context, brief_period, render_brief
from pipeline.documents.brief_parts import counted
from pipeline.documents.common import scope_word
from pipeline.documents.numbering import Numbering
from pipeline.documents.render import jinja_env
from pipeline.errors import UserError
from pipeline.jobs import document_periods, run_cycle
from pipeline.ledger import Ledger
from pipeline.model import Narrative
from pipeline.periods import parse_period

TEMPLATE = TEMPLATES / "旬简报.docx"
NUMBERING = Numbering(2023, 5, None)
ISSUED = dt.date(2023, 5, 22)
PROGRESS = {  # unit, row, its 进展情况
    ("ybj", "ydjy-cun"): "已召开专题调度会，压实责任，新增覆盖村（社区）46个。",
    ("rsj", "jiuye"): "本期新增247人，累计完成1234人，完成率24.8%。",  # figures only: not 动态
    ("jyj", "meiling"): "项目用地报批已上会，施工许可正在办理。",
}


@pytest.fixture(scope="module")
def cfg():
    c = default_config()
    return c.model_copy(update={"bulletins": c.bulletins.model_copy(update={"copies": 40})})


def dekad_report(cfg, hostile: bool = False):
    """The fixture report as the brief of 5月中旬: weifang newly done, 市妇联's only indicator without 新增."""
    base = build_report(cfg)
    notes = tuple(
        Narrative(unit, key, "progress", text, "2023-05-2", _source(unit)) for (unit, key), text in PROGRESS.items()
    )
    if hostile:
        typed = replace(_source("cl"), raw="=cmd|' /C calc'!A0")  # what the cell held, as the 数据依据 shows it
        notes += (Narrative("cl", "kangfu", "progress", HOSTILE, "2023-05-2", typed),)
    indicators = []
    for ip in base.indicators:
        if ip.indicator_id == "liangai":  # 5100 at both cut-offs
            ip = replace(ip, total=replace(ip.total, previous=5100, increment=0))
        indicators.append(ip)
    done = Change("weifang", "weifang", "农村危房改造", Status.on_track, Status.done)
    return replace(
        base,
        period="2023-05-2",
        period_kind="dekad",
        period_label="2023年5月中旬",
        previous_period="2023-05-1",
        as_of="2023-05-20",
        indicators=tuple(indicators),
        narratives=base.narratives + notes,
        changes=replace(base.changes, newly_done=(done,)),
    )


@pytest.fixture(scope="module")
def report(cfg):
    return dekad_report(cfg)


@pytest.fixture(scope="module")
def rendered(cfg, report, tmp_path_factory) -> Path:
    return render_brief(cfg, report, tmp_path_factory.mktemp("brief"), numbering=NUMBERING, issued=ISSUED)


@pytest.fixture(scope="module")
def document(rendered):
    return docx.Document(str(rendered))


@pytest.fixture(scope="module")
def text(document) -> str:
    return body_text(document)


def _styled(d, name: str):
    return [p for p in d.paragraphs if p.style is not None and p.style.name == name]


# -- 报头 --------------------------------------------------------------------------------------
def test_output_path_and_basis_beside_it(rendered):
    assert rendered.parent.name == "2023-05-2" and rendered.name == "旬简报.docx"
    assert rendered.with_name("旬简报_数据依据.xlsx").exists()


def test_head_red_name_issue_editor_date_and_rule(document):
    (mark,) = _styled(document, "简报名称")
    assert mark.text == "重点民生实事工作简报" and document.paragraphs[0]._p is mark._p
    assert str(mark.style.font.color.rgb) == L.RED and mark.style.font.size.pt == 42  # 初号
    assert mark.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert mark.runs[0]._r.rPr.find(qn("w:w")) is None  # ten characters fit the 版心
    (issue,) = _styled(document, "期数")
    assert issue.text == "第5期" and issue.style.paragraph_format.alignment == 1  # centred
    (editor,) = _styled(document, "编印单位")
    assert editor.text == "邵东市打好重点民生保障仗工作专班办公室\t2023年5月22日"
    tab = editor.style.element.pPr.find(qn("w:tabs")).find(qn("w:tab"))
    assert tab.get(qn("w:val")) == "right" and tab.get(qn("w:pos")) == str(L.BLOCK_W)  # the date flush right
    rule = editor.style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == L.RED and rule.get(qn("w:sz")) == "18" and rule.get(qn("w:space")) == "11"


def test_no_document_number(document, text):
    assert not _styled(document, "发文字号") and not _styled(document, "发文机关标志")
    assert "〔" not in text and not re.search(r"民生办\S*号", text)


def test_a_long_name_is_squeezed_into_the_block(cfg, report, tmp_path):
    long = cfg.model_copy(
        update={"bulletins": cfg.bulletins.model_copy(update={"brief_title": "邵东市重点民生实事工作简报"})}
    )
    d = docx.Document(str(render_brief(long, report, tmp_path, numbering=NUMBERING, issued=ISSUED)))
    (mark,) = _styled(d, "简报名称")
    assert int(mark.runs[0]._r.rPr.find(qn("w:w")).get(qn("w:val"))) < 100  # 13 × 42 pt > 442 pt


def test_title_with_the_cut_off(document):
    assert [p.text for p in _styled(document, "简报标题")] == ["全市重点民生实事进展情况"]
    assert [p.text for p in _styled(document, "副标题")] == ["（截至5月20日）"]
    assert scope_word(load_config(ROOT / "examples" / "anhua-2023.yaml")) == "全县"


# -- body --------------------------------------------------------------------------------------
def test_sections_in_order(document):
    heads = [p.text for p in document.paragraphs if p.style.name in ("一级标题", "二级标题")]
    assert heads == [
        "一、总体进展", "二、本旬新增", "三、分项进展", "（一）滞后指标", "（二）其他指标",
        "四、工作动态", "【市实事办动态】", "【部门动态】", "五、需关注事项",
    ]  # fmt: skip


def test_overall_one_paragraph_with_counts_shares_and_schedule(text):
    # 7, 21, 9, 9, 4, 1, 1, 1, 3 of 56 by largest remainder (as in the 月通报); 序时 5/12
    assert (
        "2023年全市共安排重点民生实事28件56项指标（“其中”项不单独计数）。截至5月20日（序时进度41.7%），"
        "已完成7项、占12.5%；超序时21项、占37.5%；按序时9项、占16.1%；滞后9项、占16.1%；严重滞后4项、占7.1%；"
        "未报送1项、占1.8%；数据有误1项、占1.8%；未填1项、占1.8%；目标待定3项、占5.3%，总体完成率48.3%。" in text
    )


def test_increments_units_high_to_low_zeros_grouped(text):
    para = next(line for line in text.splitlines() if line.startswith("本旬（"))
    # 5月上旬's 序时: (4 + 10/31) / 12 = 36.0%; 41.7 − 36.0 = 5.7
    assert para.startswith("本旬（5月11日至20日），各单位所负责指标的完成率平均提高")
    assert "（同期序时进度推进5.7个百分点）" in para
    # 市医保局: 9 (prev 7.2) of 9, 1 (0.8) of 1, 11 (8.8) of 25, 230 (184) of 580 → (20 + 20 + 8.8 + 7.93) ÷ 4 = 14.2
    assert "按单位从高到低（单位：百分点）：市医保局14.2，" in para
    # 市住建局: 206 (164.8) of 206 → 20.0, 10 (8) of 22 → 9.1, 2.05 of 4.6, 1.6 of 4, 6 of 12, 2600 of 6000 …
    names = re.findall(r"([^，：；]+?)(\d+\.\d)", para.split("单位：百分点）：")[1])
    gains = [float(g) for _, g in names]
    assert gains == sorted(gains, reverse=True) and len(gains) == 15
    assert para.endswith("；市妇联本旬无新增。")  # its one indicator stood at 5100 both times


def test_lagging_in_full_with_target_value_rate_gap_and_increment(text):
    assert "低于序时进度的指标13项，其中严重滞后4项：" in text  # 9 + 4, the 其中 item not counted
    assert (
        "1. 城镇新增就业（市人社局）：目标4980人，累计完成1234人，完成率24.8%，"
        "低于序时进度16.9个百分点，严重滞后，本旬新增246.8人。" in text
    )  # 1234 − 987.2
    assert (
        "2. 农村适龄及城镇低保适龄妇女“两癌”免费检查（市妇联）：目标17000人，"
        "累计完成5100人，完成率30.0%，低于序时进度11.7个百分点，本旬新增0人，较上期由按序时转为滞后。" in text
    )
    assert (
        "12. 国考断面水质优良率（三类以上比例）（市生态环境局）：目标100%，当前为90%，低于目标10.0个百分点，"
        "较上期由按序时转为滞后。" in text
    )
    assert (
        "小型水库除险加固（市水利局）：目标17座，累计完成5座，完成率29.4%（截至2023年4月），低于序时进度12.3个百分点。"
        in text
    )
    # one lagging indicator heads its sentence; a project with two is one paragraph under its title
    assert (
        "10. 新建梅岭学校、4所高标准幼儿园，全面完成昭阳中学二期工程（市教育局）：新建梅岭学校，目标1所，累计完成0所，"
        "完成率0.0%，低于序时进度41.7个百分点，严重滞后，本旬新增0所；昭阳中学二期工程，目标全面完成昭阳中学二期工程，"
        "目前处于“前期工作”阶段，较上期由按序时转为滞后。" in text
    )


def test_lagging_after_a_period_without_figures_is_not_called_new(cfg, report):
    after_gap = (Change("jiuye", "jiuye", "城镇新增就业", Status.missing, Status.severe),)
    ctx = brief_context(cfg, replace(report, changes=replace(report.changes, newly_lagging=after_gap)), NUMBERING)
    (jiuye,) = [i for p in ctx["lagging"] for i in p["indicators"] if i["key"] == "jiuye"]
    assert jiuye["was"] == "" and jiuye["severe"]


def test_changed_items_in_full_and_the_rest_grouped(text):
    assert "本旬新完成全年目标任务1项：农村危房改造（市住建局），累计完成206户，完成率100.0%。" in text
    assert (
        "由滞后赶上序时进度1项：村（社区）医保经办服务事项直办或帮代办覆盖（市医保局），目标580个，累计完成230个，"
        "完成率39.7%。" in text
    )
    # 已完成 7 less the new one; 超序时 21, from 42.8% (110千伏电网) to 50.0%; 按序时 9 less the recovered one,
    # 38.0% (安置) to 41.1% (蓄水); 目标待定 3
    assert (
        "其余指标中，已完成全年目标任务6项，超序时进度推进21项（完成率在42.8%至50.0%之间），按序时进度推进8项"
        "（完成率在38.0%至41.1%之间），目标任务待定3项，各项数据详见同期《重点民生实事进展汇总表》。" in text
    )


def test_every_counted_indicator_is_in_exactly_one_place(cfg, report):
    ctx = brief_context(cfg, report, NUMBERING, issued=ISSUED)
    in_full = [i["key"] for p in ctx["lagging"] for i in p["indicators"]]
    in_full += [i["key"] for i in ctx["changes"]["done"] + ctx["changes"]["recovered"]]
    grouped = sum(int(g["count"]) for g in ctx["others"].values() if isinstance(g, dict))
    carried = 1  # 恢复和改善灌溉面积, under 市水利局 which sent nothing
    no_figure = len(ctx["attention"]["no_figure"])
    assert len(in_full) == len(set(in_full))
    assert len(in_full) + grouped + no_figure + carried == len(counted(report)) == 56


def test_dynamics_office_figures_and_units_words_attributed(text):
    # 17 units expected (16 ranked and 联通), 16 files in (联通's refused), 2 open errors at 市农业农村局
    assert "市实事办对17家填报单位5月中旬的进展情况进行了调度汇总，收到报表16份，逐项校验发现需更正的错误2处，" in text
    assert (
        "市医保局（村（社区）医保经办服务事项直办或帮代办覆盖）：已召开专题调度会，压实责任，新增覆盖村（社区）46个。"
        in text
    )
    assert "市教育局（新建梅岭学校）：项目用地报批已上会，施工许可正在办理。" in text
    assert "本期新增247人" not in text  # figures only: the brief gives them itself


def test_attention_is_factual(text):
    assert (
        "未报送的单位：市水利局（所负责1项指标暂无数据）；报表被退回、尚未重新报送的单位：中国联通邵东分公司；"
        "逾期报送的单位：市妇联（逾期3天）。" in text
    )
    assert (
        "本期无有效数据的指标2项：集中养育孤儿基本生活最低保障标准（市民政局，数据有误）；带动企业“上平台”（市科工局，未填）。"
        in text
    )
    assert "通报批评" not in text and "挂牌督办" not in text  # criticism is the 月通报's


def test_tail_between_rules_with_copies(document):
    tail = [p.text for p in _styled(document, "报尾")]
    assert tail == [
        "报：邵阳市打好重点民生保障仗工作专班办公室",
        "送：市委办，市人大办，市政府办，市政协办",
        "发：各乡镇（街道），市直各有关单位\t（共印40份）",
    ]
    body = list(document.element.body.iterchildren(qn("w:p")))
    rules = [i for i, p in enumerate(body) if p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None
             and p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "GwTailRule"]  # fmt: skip
    first, last = (body.index(p._p) for p in (_styled(document, "报尾")[0], _styled(document, "报尾")[-1]))
    assert rules == [first - 1, last + 1]
    assert document.styles["报尾"].font.size.pt == 14  # 4号


def test_no_copies_no_tail_lines_without_config(report, tmp_path):
    plain = default_config()
    plain = plain.model_copy(
        update={
            "office": plain.office.model_copy(update={"report_to": [], "cc": []}),
            "bulletins": plain.bulletins.model_copy(update={"copies": None}),
        }
    )
    d = docx.Document(str(render_brief(plain, report, tmp_path, numbering=NUMBERING, issued=ISSUED)))
    assert [p.text for p in _styled(d, "报尾")] == ["发：各乡镇（街道），市直各有关单位"]


# -- 数据依据 ----------------------------------------------------------------------------------
def test_every_figure_in_the_text_is_traced(rendered):
    ws = openpyxl.load_workbook(rendered.with_name("旬简报_数据依据.xlsx"))["数据依据"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) > 120
    assert [r for r in rows if str(r[5]).startswith("未找到")] == []
    by_meaning = {(r[4], r[5]) for r in rows}
    assert ("14.2", "市医保局·本期完成率提高（百分点）") in by_meaning
    assert ("5.7", "序时进度·本期序时进度推进（百分点）") in by_meaning
    assert ("40", "印数·印数（份）") in by_meaning


def test_traced_figures_equal_the_report(cfg, report, tmp_path):
    b = Basis(marking=True)
    ctx = brief_context(cfg, report, NUMBERING, issued=ISSUED, basis=b)
    assert ctx["lagging"]
    lines = {line.key: line for _, line in report.lines()}
    checked = 0
    for f in b.figures:
        line = lines.get(f.key)
        if line is None or f.quote:
            continue
        number = float(re.search(r"\d+(?:\.\d+)?", f.printed.replace(",", "")).group())
        expected = {"完成率": line.rate_pct, "累计完成": line.value, "本期新增": line.increment,
                    "差距（百分点）": abs(line.gap_pp or 0), "序时进度": line.schedule_pct}.get(f.what)  # fmt: skip
        if expected is not None and not f.printed.endswith("亿元"):
            assert number == pytest.approx(expected), f
            checked += 1
    assert checked > 50


# -- layout ------------------------------------------------------------------------------------
def test_a4_margins_grid_one_section(document):
    (s,) = document.sections
    assert (s.page_width.twips, s.page_height.twips) == (11906, 16838)
    assert (s.top_margin.twips, s.left_margin.twips, s.bottom_margin.twips, s.right_margin.twips) == (
        2098, 1588, 1984, 1474,
    )  # fmt: skip
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:charSpace")) is None


def test_fonts_every_run_east_asian_no_bold(rendered, document):
    with zipfile.ZipFile(rendered) as z:
        for name in (n for n in z.namelist() if re.match(r"word/(document|footer\d*)\.xml", n)):
            for r in etree.fromstring(z.read(name)).iter(qn("w:r")):
                rf = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
                assert rf is not None and rf.get(qn("w:eastAsia")), name
                assert all(rf.get(qn(t)) is None for t in ("w:asciiTheme", "w:eastAsiaTheme"))
    fonts = {
        "一级标题": "黑体", "二级标题": "楷体_GB2312", "简报标题": "方正小标宋简体", "Normal": "仿宋_GB2312",
        "报尾": "仿宋_GB2312",
    }  # fmt: skip
    for p in document.paragraphs:
        assert not any(r.bold for r in p.runs)
        if p.style.name in fonts and p.runs:  # the last run: a 部门动态 opens with the unit in 楷体
            assert p.runs[-1]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == fonts[p.style.name], p.text
    normal = document.styles["Normal"].element
    assert normal.pPr.find(qn("w:spacing")).get(qn("w:line")) == "579"
    assert normal.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"


def test_page_numbers_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    s = document.sections[0]
    for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        texts = [t.text for t in p._p.iter(qn("w:t"))]
        assert "PAGE" in p._p.xml and (texts[0], texts[-1]) == ("— ", " —")


def test_no_table_so_no_header_rows_to_repeat(document):
    assert document.tables == []  # the figures are in the 汇总表 beside it


def test_the_tail_keeps_together_with_the_last_paragraph(document):
    paras = document.paragraphs
    first_rule = next(i for i, p in enumerate(paras) if p.style.name == "报尾线")
    last_text = max(i for i, p in enumerate(paras[:first_rule]) if p.text.strip())
    assert paras[last_text].text.startswith("本期无有效数据的指标2项")
    assert paras[last_text]._p.pPr.find(qn("w:keepNext")) is not None  # set on the rendered paragraph
    for p in paras[last_text + 1 : -1]:  # the blank line, the rules and the lines between: keep with next
        own = p._p.pPr.find(qn("w:keepNext")) if p._p.pPr is not None else None
        style = p.style.element.pPr.find(qn("w:keepNext"))
        assert (own if own is not None else style).get(qn("w:val")) in (None, "1", "true"), p.text
    assert paras[-1]._p.pPr.find(qn("w:keepNext")).get(qn("w:val")) == "0"


# -- template ----------------------------------------------------------------------------------
def test_every_tag_in_the_template_is_in_the_context(cfg, report):
    ctx = brief_context(cfg, report, NUMBERING, issued=ISSUED)
    tpl = DocxTemplate(str(TEMPLATE))
    assert tpl.get_undeclared_template_variables(jinja_env=jinja_env(), context=ctx) == set()


def _names(prefix, value):
    if prefix == "overall.by_status":
        yield prefix
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _names(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield prefix
        for k, v in value[0].items():
            yield from _names(f"{prefix}[].{k}", v)
    else:
        yield prefix


def test_docs_name_every_context_variable(cfg, report):
    doc = (ROOT / "docs" / "bulletins.md").read_text(encoding="utf-8")
    section = doc[doc.index("# 旬简报") :]
    ctx = brief_context(cfg, report, NUMBERING, issued=ISSUED)
    missing = [n for n in _names("", ctx) if f"`{n}`" not in section]
    assert missing == []


def test_template_split_into_runs_like_word_still_renders(cfg, report, tmp_path, text):
    split = tmp_path / "旬简报.docx"
    _split_runs_like_word(TEMPLATE, split)
    path = render_brief(cfg, report, tmp_path / "out", numbering=NUMBERING, issued=ISSUED, template=split)
    assert body_text(docx.Document(str(path))) == text


# -- hostile text ------------------------------------------------------------------------------
def test_hostile_unit_text_renders_safely(cfg, tmp_path):
    path = render_brief(cfg, dekad_report(cfg, hostile=True), tmp_path, numbering=NUMBERING, issued=ISSUED)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml")
    etree.fromstring(xml)  # well-formed
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)
    d = docx.Document(str(path))
    text = body_text(d)
    line = next(t for t in text.splitlines() if t.startswith("市残联（康复救助残疾儿童）："))
    # 13 + 17 + 10 + 18 characters of markup, braces and formula, then 「 &」: the first 60 of
    # 78 + 1 (the control characters, one space) + 2 (结尾) + 20000 = 20081
    assert (
        line
        == "市残联（康复救助残疾儿童）：<w:p>注入</w:p>{{ office.name }}{% if 1 %}=cmd|' /C calc'!A0 &……（原文20081字，此处节选前60字）。"
    )
    assert "发：各乡镇（街道），市直各有关单位" in "\n".join(p.text for p in d.paragraphs)  # nothing after it lost
    ws = openpyxl.load_workbook(path.with_name("旬简报_数据依据.xlsx"))["数据依据"]
    raw = [c for row in ws.iter_rows() for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert raw and all(c.data_type == "s" for c in raw)  # the typed text, never a formula


# -- period, numbering, offices ----------------------------------------------------------------
def test_numbering_kept_by_year_apart_from_the_notice(cfg, report, tmp_path):
    earlier = replace(report, period="2023-05-1", as_of="2023-05-10", previous_period="2023-04-3")
    out = tmp_path / "outputs"
    with Ledger(out / "ledger.sqlite") as ledger:
        ledger.document_number("notice-month", 2023, "2023-04", lambda e: 1)
        render_brief(cfg, earlier, out, ledger=ledger, issued=ISSUED)
        render_brief(cfg, report, out, ledger=ledger, issued=ISSUED)
        again = render_brief(cfg, report, out, ledger=ledger, issued=ISSUED)
    (issue,) = _styled(docx.Document(str(again)), "期数")
    assert issue.text == "第2期"  # 5月中旬 came second; re-rendering kept its number; the 月通报 has its own series


def test_a_month_report_makes_the_brief_of_its_cut_off(cfg):
    month = build_report(cfg)  # 2023-05, 截至5月31日, previous 2023-04
    assert brief_period(month).code == "2023-05-3"
    ctx = brief_context(cfg, month, NUMBERING, issued=ISSUED)
    assert ctx["period"]["monthly"] and ctx["increment"]["label"] == "本月"
    assert ctx["increment"]["span"] == "5月1日至31日" and ctx["period"]["data_label"] == "2023年5月"


def test_a_brief_from_monthly_returns_says_so(cfg, tmp_path):
    path = render_brief(cfg, build_report(cfg), tmp_path, numbering=NUMBERING, issued=ISSUED)
    assert path.parent.name == "2023-05-3"  # 截至5月31日 falls in 5月下旬
    text = body_text(docx.Document(str(path)))
    assert "二、本月新增" in text and "本月（5月1日至31日）" in text
    assert "各单位按月报送进展情况，本期数据取自2023年5月报表。" in text
    assert "（截至5月31日）" in text


def test_first_period_of_the_year_has_no_increments(cfg, report, tmp_path):
    first = replace(
        report,
        previous_period=None,
        indicators=tuple(
            replace(ip, total=replace(ip.total, previous=None, increment=None)) for ip in report.indicators
        ),
    )
    text = body_text(docx.Document(str(render_brief(cfg, first, tmp_path, numbering=NUMBERING, issued=ISSUED))))
    assert "暂无上期数据可比，本旬新增情况从下期起编报。" in text
    assert "同期序时进度" not in text and text.count("本旬新增") == 2  # the heading and that sentence only


class _Subs:
    def __init__(self, periods):
        self.rows = [{"status": "accepted", "period": p} for p in periods]

    def submissions(self):
        return self.rows


def test_monthly_returns_only_the_brief_stands_on_the_month():
    anhua = load_config(ROOT / "examples" / "anhua-2023.yaml")  # returns [month], cut-off on the 20th
    ledger = _Subs(["2023-04", "2023-05"])
    target, source = document_periods(anhua, ledger, "dekad", None)
    assert (target.code, source.code) == ("2023-05-2", "2023-05")  # 截至5月20日 falls in 5月中旬
    assert document_periods(anhua, ledger, "dekad", parse_period("2023-04-2"))[1].code == "2023-04"
    with pytest.raises(UserError, match="属5月中旬，请写 2023-05-2"):
        document_periods(anhua, ledger, "dekad", parse_period("2023-05-1"))
    assert document_periods(anhua, _Subs([]), "dekad", None) is None


def test_an_office_without_a_dekad_document_gets_none(tmp_path):
    js = load_config(ROOT / "examples" / "jiangshan-2023.yaml")
    job = run_cycle(js, "dekad", tmp_path / "in", None, tmp_path / "out")
    assert job.outputs == [] and "没有旬材料，无需运行此命令" in job.render()
    assert not (tmp_path / "out").exists()
    with pytest.raises(UserError, match="无需生成旬简报"):
        render_brief(js, build_report(default_config()), tmp_path, numbering=NUMBERING)
