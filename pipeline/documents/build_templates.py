"""Builds the first `templates/月通报.docx`: styles, 版头, body with Jinja tags, landscape 附件, 版记.

Run once with `python -m pipeline.documents.build_templates [--out templates]`. After that the
committed .docx is the source staff edit in Word or WPS; this script is kept to show how it was
made and to rebuild it if it is ever lost. Every number of the page comes from `layout`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from . import layout as L
from .ooxml import PPR_ORDER, RPR_ORDER, finish, set_child, set_fonts, set_page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class PStyle:
    style_id: str
    name: str
    font: str = L.FANGSONG
    size: float = 16
    align: str = "both"
    first_line: int = L.INDENT_2  # twips; 0 for none
    first_line_chars: int | None = 200
    left: int = 0
    right: int = 0
    line: int = L.LINE_PITCH  # exact line height in twips; 0: single, auto
    before: int = 0
    color: str | None = None
    keep_next: bool = False
    snap: bool = True


# fmt: off
STYLES = [
    PStyle("Normal", "Normal"),
    PStyle("GwMark", "发文机关标志", L.XIAOBIAOSONG, L.RULES["mark_size"].value, "center", 0, None,
           line=round(L.RULES["mark_size"].value * 1.25 * 20), before=1880, color=L.RED, snap=False),
    PStyle("GwDocNo", "发文字号", align="center", first_line=0, first_line_chars=None),
    PStyle("GwTitle", "公文标题", L.XIAOBIAOSONG, L.RULES["title_size"].value, "center", 0, None, snap=False),
    PStyle("GwSubtitle", "副标题", L.KAITI, align="center", first_line=0, first_line_chars=None),
    PStyle("GwTo", "主送机关", align="left", first_line=0, first_line_chars=None),
    PStyle("GwH1", "一级标题", L.HEITI, keep_next=True),
    PStyle("GwH2", "二级标题", L.KAITI, keep_next=True),
    PStyle("GwSign", "署名", align="right", first_line=0, first_line_chars=None, right=2 * L.CHAR_TW),
    PStyle("GwDate", "成文日期", align="right", first_line=0, first_line_chars=None, right=4 * L.CHAR_TW),
    PStyle("GwAnnexMark", "附件标识", L.HEITI, align="left", first_line=0, first_line_chars=None),
    PStyle("GwAnnexTitle", "附件标题", L.XIAOBIAOSONG, L.RULES["title_size"].value, "center", 0, None, snap=False),
    PStyle("GwCell", "表格文字", size=L.RULES["table_size"].value, align="center", first_line=0,
           first_line_chars=None, line=0, snap=False),
    PStyle("GwCellLeft", "表格文字左", size=L.RULES["table_size"].value, align="left", first_line=0,
           first_line_chars=None, line=0, snap=False),
    PStyle("GwCellHead", "表头", L.HEITI, L.RULES["table_head"].value, "center", 0, None, line=0, snap=False),
    PStyle("GwTableNote", "表注", size=L.RULES["table_size"].value, align="left", first_line=0,
           first_line_chars=None, line=0, before=120, snap=False),
    PStyle("GwRecord", "版记", size=L.RULES["record_size"].value, align="left", first_line=0,
           first_line_chars=None, left=280, right=280, line=L.LINE_PITCH),
]
# fmt: on

# 附件 progress table: header texts and column widths (twips) across the 225 mm landscape 版心.
COLUMNS = [
    ("序号", 450),
    ("实事项目", 1800),
    ("考核指标", 2500),
    ("计量单位", 700),
    ("目标任务", 1100),
    ("累计完成", 1350),  # room for a value carried forward with its date: 2511（截至6月中旬）
    ("完成率", 900),
    ("序时进度", 850),
    ("较序时（百分点）", 850),
    ("状态", 896),
    ("牵头单位", 1360),
]
CELLS = [
    "{{ r.no }}",
    "{% vm %}{{ p.title }}",
    "{{ r.name }}",
    "{{ r.measure }}",
    "{{ r.target }}",
    "{{ r.value }}",
    "{{ r.rate }}",
    "{{ r.schedule }}",
    "{{ r.gap }}",
    "{{ r.status }}",
    "{{ r.lead }}",
]
LEFT_COLUMNS = {1, 2, 10}
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
]  # fmt: skip


def _define_styles(document, specs: list[PStyle] = STYLES) -> None:
    styles = document.styles
    for spec in specs:
        if spec.style_id == "Normal":
            style = styles["Normal"]
        else:
            style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), spec.style_id)
            style.base_style = styles["Normal"]
            style.quick_style = True
        el = style.element
        ppr = el.get_or_add_pPr()
        if spec.keep_next:
            set_child(ppr, "keepNext", PPR_ORDER)
        set_child(ppr, "widowControl", PPR_ORDER, val=0)
        if not spec.snap:
            set_child(ppr, "snapToGrid", PPR_ORDER, val=0)
        if spec.line:
            set_child(ppr, "spacing", PPR_ORDER, before=spec.before, after=0, line=spec.line, lineRule="exact")
        else:
            set_child(ppr, "spacing", PPR_ORDER, before=spec.before, after=0, line=240, lineRule="auto")
        ind = {"left": spec.left, "right": spec.right, "firstLine": spec.first_line}
        if spec.first_line_chars is not None:
            ind["firstLineChars"] = spec.first_line_chars
        set_child(ppr, "ind", PPR_ORDER, **ind)
        set_child(ppr, "jc", PPR_ORDER, val=spec.align)
        rpr = el.get_or_add_rPr()
        set_fonts(rpr, spec.font)
        if spec.color:
            set_child(rpr, "color", RPR_ORDER, val=spec.color)
        set_child(rpr, "sz", RPR_ORDER, val=L.half_points(spec.size))
        set_child(rpr, "szCs", RPR_ORDER, val=L.half_points(spec.size))
        if spec.size == 16:
            set_child(rpr, "spacing", RPR_ORDER, val=L.CHAR_SPACING)
    kai = styles.add_style("楷体字", WD_STYLE_TYPE.CHARACTER)
    kai.element.set(qn("w:styleId"), "GwKai")
    set_fonts(kai.element.get_or_add_rPr(), L.KAITI)
    hei = styles.add_style("黑体字", WD_STYLE_TYPE.CHARACTER)
    hei.element.set(qn("w:styleId"), "GwHei")
    set_fonts(hei.element.get_or_add_rPr(), L.HEITI)


def _p(container, text: str = "", style: str = "Normal", runs: list[tuple[str, str | None]] | None = None):
    p = container.add_paragraph(style=style)
    for chunk, char_style in runs or [(text, None)]:
        if chunk:
            p.add_run(chunk, style=char_style)
    return p


def _border(p, side: str, size: int, color: str = "000000", space: int = 0) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = set_child(ppr, "pBdr", PPR_ORDER)
    el = OxmlElement("w:" + side)
    for k, v in {"val": "single", "sz": size, "space": space, "color": color}.items():
        el.set(qn("w:" + k), str(v))
    order = ["top", "left", "bottom", "right", "between", "bar"]
    for i, child in enumerate(bdr):
        if order.index(child.tag.split("}")[-1]) > order.index(side):
            bdr.insert(i, el)
            break
    else:
        bdr.append(el)


def _table(document, columns=COLUMNS, cells=CELLS, left_columns=LEFT_COLUMNS) -> None:
    """The 附件 progress table: header, category row, project and line loops (`columns`: (head, twips))."""
    table = document.add_table(rows=9, cols=len(columns))
    tbl = table._tbl
    tblpr = tbl.tblPr
    set_child(tblpr, "jc", TBLPR_ORDER, val="center")
    borders = set_child(tblpr, "tblBorders", TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement("w:" + side)
        for k, v in {"val": "single", "sz": 4, "space": 0, "color": "000000"}.items():
            b.set(qn("w:" + k), str(v))
        borders.append(b)
    set_child(tblpr, "tblLayout", TBLPR_ORDER, type="fixed")
    mar = set_child(tblpr, "tblCellMar", TBLPR_ORDER)
    for side in ("left", "right"):
        m = OxmlElement("w:" + side)
        m.set(qn("w:w"), "40")
        m.set(qn("w:type"), "dxa")
        mar.append(m)
    widths = [w for _, w in columns]
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w * 635
            cell.paragraphs[0].style = document.styles["表格文字"]
    rows = table.rows
    for cell, (head, _) in zip(rows[0].cells, columns, strict=True):
        cell.paragraphs[0].style = document.styles["表头"]
        cell.paragraphs[0].add_run(head)
    rows[1].cells[0].paragraphs[0].add_run("{%tr for c in table %}")
    merged = rows[2].cells[0].merge(rows[2].cells[-1])
    merged.paragraphs[0].style = document.styles["表头"]
    merged.paragraphs[0].alignment = 0
    merged.paragraphs[0].add_run("{{ c.name }}")
    rows[3].cells[0].paragraphs[0].add_run("{%tr for p in c.projects %}")
    rows[4].cells[0].paragraphs[0].add_run("{%tr for r in p.rows %}")
    for i, (cell, text) in enumerate(zip(rows[5].cells, cells, strict=True)):
        if i in left_columns:
            cell.paragraphs[0].style = document.styles["表格文字左"]
        cell.paragraphs[0].add_run(text)
        tcpr = cell._tc.get_or_add_tcPr()
        va = OxmlElement("w:vAlign")
        va.set(qn("w:val"), "center")
        tcpr.append(va)
    for row in (rows[0], rows[2], rows[5]):  # room above and below one-line cells
        row.height = Twips(420)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    for i in (6, 7, 8):
        rows[i].cells[0].paragraphs[0].add_run("{%tr endfor %}")


def _record_lines(document) -> None:
    """抄送 and 印发 lines between rules: thick outside, thin between (GB 7.4.1). `ooxml.place_record`
    pushes them down so the last rule sits on the bottom of the 版心 (LibreOffice honours neither a
    bottom-aligned frame, a floating table nor the section's vAlign, so it is done with spacing)."""
    thick, thin = int(L.RULES["record_thick"].value), int(L.RULES["record_thin"].value)
    cc = _p(document, "{% if doc.cc %}抄送：{{ doc.cc }}。{% endif %}", "版记")
    issued = _p(document, "{{ office.printer }}\t{{ doc.print_date }}印发", "版记")
    _border(cc, "top", thick, space=1)
    _border(cc, "bottom", thin, space=1)
    _border(issued, "bottom", thick, space=1)
    tabs = set_child(issued._p.get_or_add_pPr(), "tabs", PPR_ORDER)
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(L.BLOCK_W - 280))
    tabs.append(tab)


def _keep_with_next(p) -> None:
    set_child(p._p.get_or_add_pPr(), "keepNext", PPR_ORDER)


def build_notice(out: Path) -> Path:
    """templates/月通报.docx, from nothing but python-docx's blank document."""
    d = docx.Document()
    for p in list(d.element.body):
        if p.tag == qn("w:p"):
            d.element.body.remove(p)
    _define_styles(d)
    set_page(d.sections[0])

    # -- 版头 --
    _p(d, "{{ office.mark }}", "发文机关标志")
    _p(d)
    _p(d)
    _p(d, "{{ doc.number or doc.issue }}", "发文字号")
    _border(d.paragraphs[-1], "bottom", 8, L.RED, space=11)
    _p(d)  # GB 7.3.1: the title two lines under the red rule
    _p(d)
    title = _p(d, "关于{{ period.year }}年{{ period.month }}月份重点民生实事", "公文标题")
    title.runs[0].add_break()
    title.add_run("进展情况的通报")
    _p(d, "（截至{{ period.as_of }}）", "副标题")
    _p(d)
    _p(d, "{{ doc.recipients }}：", "主送机关")
    _p(
        d,
        "为推动{{ office.scope }}重点民生实事落地见效，{% if source.cited %}根据{{ source.cited }}要求，{% endif %}"
        "{{ office.short_name }}对各牵头单位报送的{{ period.month }}月份进展情况进行了调度汇总。"
        "现将有关情况通报如下：",
    )

    # -- 一、总体情况 --
    _p(d, "一、总体情况", "一级标题")
    _p(
        d,
        "{{ period.year }}年{{ office.scope }}共安排重点民生实事{{ overall.projects }}件{{ overall.indicators }}项指标"
        "（“其中”项不单独计数）。截至{{ period.as_of }}（序时进度{{ schedule }}，下同），"
        "{% for s in overall.statuses %}{{ s.name }}{{ s.count }}项、占{{ s.share }}"
        "{% if loop.last %}，{% else %}；{% endif %}{% endfor %}总体完成率{{ overall.completion }}。",
    )
    _p(d, "{%p if investment %}")
    _p(
        d,
        "投资类指标{{ investment.count }}项，计划完成投资{{ investment.plan }}，累计完成投资{{ investment.done }}，"
        "投资完成率{{ investment.rate }}。",
    )
    _p(d, "{%p endif %}")

    # -- 二、进度排名 --
    _p(d, "二、进度排名", "一级标题")
    _p(d, "（一）单位排名", "二级标题")
    _p(
        d,
        "按各牵头单位所负责指标的推进情况计分排名：{% for g in ranking.groups %}第{{ g.rank_cn }}名{{ g.units }}"
        "（{{ g.score }}分）{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
        "{% if ranking.unranked %}{{ ranking.unranked }}本期无可比指标，未参与排名。{% endif %}",
    )
    _p(d, "（二）滞后指标", "二级标题")
    _p(d, "{%p if lagging %}")
    _p(d, "低于序时进度的指标共{{ lagging_count }}项，其中严重滞后{{ severe_count }}项，按项目列示如下：")
    _p(d, "{%p for p in lagging %}")
    _p(
        d,
        "{{ p.seq }}. {{ p.title }}（牵头单位：{{ p.lead }}）。{% for i in p.indicators %}{{ i.name }}，{{ i.figures }}"
        "{% if i.gap %}，低于{{ i.gap_ref }}{{ i.gap }}个百分点{% endif %}{% if i.severe %}，严重滞后{% endif %}"
        "{% if i.reason %}，主要原因：{{ i.reason }}{% endif %}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
        "{% if p.units %}其中，{{ p.units }}进度较慢。{% endif %}",
    )
    _p(d, "{%p endfor %}")
    _p(d, "{%p else %}")
    _p(d, "本期无低于序时进度的指标。")
    _p(d, "{%p endif %}")
    _p(d, "{%p if followup %}")
    _p(d, "（三）上期通报事项跟踪", "二级标题")
    _p(
        d,
        "{{ previous.label }}通报的滞后指标共{{ followup_count }}项，截至{{ period.as_of }}："
        "{% for f in followup %}{{ f.name }}（{{ f.lead }}），{{ f.figures }}，{{ f.outcome }}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endif %}")

    # -- 三、表扬与批评 --
    _p(d, "三、通报表扬和提醒批评", "一级标题")
    _p(d, "（一）通报表扬", "二级标题")
    _p(
        d,
        "{% if praise.units %}{{ praise.units }}所负责指标推进较快，位居{{ office.scope }}前{{ praise.top }}名，予以通报表扬。"
        "{% endif %}{% if praise.done %}{{ praise.done }}共{{ praise.done_count }}项指标已完成全年目标任务。{% endif %}",
    )
    _p(d, "（二）提醒和通报批评", "二级标题")
    _p(d, "{%p for c in criticism %}")
    _p(
        d,
        "{{ c.seq }}. {{ c.reason }}：{{ c.units }}{% if c.detail %}（{{ c.detail }}）{% endif %}，予以{{ c.measure }}。",
    )
    _p(d, "{%p endfor %}")
    _p(d, "{%p if not criticism %}")
    _p(d, "本期无需提醒或通报批评的单位。")
    _p(d, "{%p endif %}")

    # -- 四、工作要求 --
    _p(d, "{%p if requirements %}")
    _p(d, "四、工作要求", "一级标题")
    _p(d, "{%p for r in requirements %}")
    # keep-with-next: the last requirement goes with the 落款 onto its page (GB 7.3.5: no lone signature)
    _keep_with_next(_p(d, runs=[("（{{ r.seq }}）", "楷体字"), ("{{ r.text }}", None)]))
    _p(d, "{%p endfor %}")
    _p(d, "{%p endif %}")

    # -- 附件说明、落款 --
    closing = [
        _p(d),
        _p(d, "附件：{{ period.year }}年{{ period.month }}月份重点民生实事进展情况表"),
        _p(d),
        _p(d),
        _p(d, "{{ office.name }}", "署名"),
    ]
    for p in closing:  # 附件说明, 署名 and 成文日期 stay on one page
        _keep_with_next(p)
    _p(d, "{{ doc.date }}", "成文日期")

    # -- 附件: landscape, table header repeated --
    annex = d.add_section(WD_SECTION.NEW_PAGE)
    set_page(annex, landscape=True)
    _p(d, "附件", "附件标识")
    _p(d)
    _p(d, "{{ period.year }}年{{ period.month }}月份重点民生实事进展情况表", "附件标题")
    _p(d, "（截至{{ period.as_of }}）", "副标题")
    _table(d)
    _p(
        d,
        "注：序时进度{{ schedule }}；“较序时”为完成率与序时进度之差，正数为超出、负数为低于；"
        "指标名称前注“其中”的含在上一项之内。{{ table_note }}",
        "表注",
    )

    # -- 版记: its own page, a table floated to the foot of the text block --
    record = d.add_section(WD_SECTION.NEW_PAGE)
    set_page(record)
    _record_lines(d)

    return save_template(d, out, "月通报")


def save_template(d, out: Path, name: str) -> Path:
    """Finish a built template (公文 post-processing), label it for whoever opens it, save out/<name>.docx."""
    finish(d)
    core = d.core_properties
    core.title, core.author, core.comments = (
        f"{name}模板",
        "民生实事调度",
        "可在 Word/WPS 中修改措辞；双花括号内为程序填入的内容",
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.docx"
    d.save(str(path))
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成月通报 Word 模板（首次建立模板时使用）")
    ap.add_argument("--out", type=Path, default=TEMPLATES, help="输出文件夹，默认 templates/")
    args = ap.parse_args(argv)
    print(build_notice(args.out))


if __name__ == "__main__":
    main()
