"""Builds the first `templates/旬简报.docx`: the 简报 报头, the body with Jinja tags, the 报尾.

Run once with `python -m pipeline.documents.build_brief [--out templates]`; after that the committed
.docx is what staff edit in Word or WPS (the wording outside {{ }} is theirs). Page, fonts and
heading levels are the 月通报's (build_templates, layout); a 简报 has its own 报头 instead of a
公文 版头: the name in large red type, 第N期, 编印单位 left and date right over a red rule, no 文号;
and a 报尾 (报/送/发, 印数) between two rules instead of a 版记.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from . import layout as L
from .build_templates import STYLES, TEMPLATES, PStyle, _define_styles, _keep_with_next, _p, save_template
from .ooxml import PPR_ORDER, set_child, set_page

TAIL_INDENT = 280  # one 4号 character
TAIL_LINE = 440  # 22 pt: the 报尾 lines closer than the body's 28.95 pt
MARK_LINE = round(L.RULES["brief_mark_size"].value * 1.25 * 20)  # exact line of the 简报名称, twips
# space before the 简报名称 so its glyphs start about 20 mm under the 版心 top (the line's extra
# height sits above the glyphs; measured in LibreOffice: tests/test_brief_pdf.py)
MARK_BEFORE = L.mm(L.RULES["brief_mark_top"].value) - (MARK_LINE - round(L.RULES["brief_mark_size"].value * 20)) // 2

REUSED = {"Normal", "GwSubtitle", "GwH1", "GwH2"}
# fmt: off
BRIEF_STYLES = [s for s in STYLES if s.style_id in REUSED] + [
    PStyle("GwBriefMark", "简报名称", L.XIAOBIAOSONG, L.RULES["brief_mark_size"].value, "center", 0, None,
           line=MARK_LINE, before=max(MARK_BEFORE, 0), color=L.RED, snap=False),
    PStyle("GwIssue", "期数", align="center", first_line=0, first_line_chars=None),
    PStyle("GwEditor", "编印单位", align="left", first_line=0, first_line_chars=None),
    PStyle("GwBriefTitle", "简报标题", L.XIAOBIAOSONG, L.RULES["title_size"].value, "center", 0, None, snap=False),
    PStyle("GwTail", "报尾", size=L.RULES["tail_size"].value, align="left", first_line=0, first_line_chars=None,
           left=TAIL_INDENT, right=TAIL_INDENT, line=TAIL_LINE, keep_next=True),
    PStyle("GwTailRule", "报尾线", size=L.RULES["tail_size"].value, align="left", first_line=0,
           first_line_chars=None, line=100, keep_next=True, snap=False),
]
# fmt: on


def _border(style, side: str, size: int, color: str, space: int) -> None:
    bdr = set_child(style.element.get_or_add_pPr(), "pBdr", PPR_ORDER)
    el = OxmlElement("w:" + side)
    for k, v in {"val": "single", "sz": size, "space": space, "color": color}.items():
        el.set(qn("w:" + k), str(v))
    bdr.append(el)


def _right_tab(style, pos: int) -> None:
    tabs = set_child(style.element.get_or_add_pPr(), "tabs", PPR_ORDER)
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(pos))
    tabs.append(tab)


def _brief_styles(d) -> None:
    """The rule and tab stops live in the styles, so a paragraph a clerk retypes keeps them."""
    _define_styles(d, BRIEF_STYLES)
    styles = d.styles
    editor = styles["编印单位"]
    _border(editor, "bottom", int(L.RULES["brief_rule"].value), L.RED, 11)  # 4 mm ≈ 11 pt under the line
    _right_tab(editor, L.BLOCK_W)
    tail = styles["报尾"]
    # wrapped lines of a long 报：/送：/发： list align after the colon (a hanging indent of 2 characters)
    set_child(tail.element.get_or_add_pPr(), "ind", PPR_ORDER, left=TAIL_INDENT + 560, right=TAIL_INDENT, hanging=560)
    tail.element.pPr.find(qn("w:ind")).attrib.pop(qn("w:firstLine"), None)
    _right_tab(tail, L.BLOCK_W - TAIL_INDENT)
    _border(styles["报尾线"], "bottom", int(L.RULES["record_thick"].value), "000000", 0)


def _head(d) -> None:
    _p(d, "{{ brief.title }}", "简报名称")
    _p(d)
    _p(d, "{{ brief.issue }}", "期数")
    _p(d, "{{ office.editor }}\t{{ brief.date }}", "编印单位")
    _p(d)
    _p(d, "{{ office.scope }}重点民生实事进展情况", "简报标题")
    _p(d, "（截至{{ period.as_of_short }}）", "副标题")


def _overall(d) -> None:
    _p(d, "一、总体进展", "一级标题")
    _p(
        d,
        "{{ period.year }}年{{ office.scope }}共安排重点民生实事{{ overall.projects }}件{{ overall.indicators }}项指标"
        "（“其中”项不单独计数）。截至{{ period.as_of_short }}（序时进度{{ schedule }}），"
        "{% for s in overall.statuses %}{{ s.name }}{{ s.count }}项、占{{ s.share }}"
        "{% if loop.last %}，{% else %}；{% endif %}{% endfor %}总体完成率{{ overall.completion }}。"
        "{% if period.monthly %}各单位按月报送进展情况，本期数据取自{{ period.data_label }}报表。{% endif %}",
    )


def _increments(d) -> None:
    _p(d, "二、{{ increment.label }}新增", "一级标题")
    _p(d, "{%p if increment.compared %}")
    _p(
        d,
        "{{ increment.label }}（{{ increment.span }}），各单位所负责指标的完成率平均{{ increment.direction }}{{ increment.average }}个百分点"
        "{% if increment.schedule_step %}（同期序时进度推进{{ increment.schedule_step }}个百分点）{% endif %}。"
        "{% if increment.units %}按单位从高到低（单位：百分点）：{% for u in increment.units %}{{ u.name }}"
        "{% if u.down %}下降{% endif %}{{ u.gain }}{% if not loop.last %}，{% endif %}{% endfor %}{% endif %}"
        "{% if increment.zeros %}{% if increment.units %}；{% endif %}{{ increment.zeros }}{{ increment.label }}无新增"
        "{% endif %}。",
    )
    _p(d, "{%p else %}")
    _p(d, "暂无上期数据可比，{{ increment.label }}新增情况从下期起编报。")
    _p(d, "{%p endif %}")


def _items(d) -> None:
    _p(d, "三、分项进展", "一级标题")
    _p(d, "（一）滞后指标", "二级标题")
    _p(d, "{%p if lagging %}")
    _p(
        d,
        "低于序时进度的指标{{ lagging_count }}项{% if has_severe %}，其中严重滞后{{ severe_count }}项{% endif %}：",
    )
    _p(d, "{%p for p in lagging %}")
    _p(
        d,
        "{{ p.seq }}. {{ p.head }}（{{ p.lead }}）：{% for i in p.indicators %}{% if not p.single %}{{ i.name }}，"
        "{% endif %}{{ i.figures }}{% if i.gap %}，低于{{ i.gap_ref }}{{ i.gap }}个百分点{% endif %}"
        "{% if i.severe and not i.was %}，严重滞后{% endif %}"
        "{% if i.increment %}，{{ increment.label }}新增{{ i.increment }}{% endif %}"
        "{% if i.was %}，较上期由{{ i.was }}转为{{ i.status }}{% endif %}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endfor %}")
    _p(d, "{%p else %}")
    _p(d, "本期无低于序时进度的指标。")
    _p(d, "{%p endif %}")
    _p(d, "{%p if changes.done or changes.recovered or others.any %}")  # no heading over nothing
    _p(d, "（二）其他指标", "二级标题")
    _p(d, "{%p endif %}")
    _p(d, "{%p if changes.done %}")
    _p(
        d,
        "{{ increment.label }}新完成全年目标任务{{ changes.done_count }}项：{% for i in changes.done %}{{ i.name }}"
        "（{{ i.lead }}），{{ i.figures }}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if changes.recovered %}")
    _p(
        d,
        "由滞后赶上序时进度{{ changes.recovered_count }}项：{% for i in changes.recovered %}{{ i.name }}（{{ i.lead }}），"
        "{{ i.figures }}{% if i.gap %}，超序时进度{{ i.gap }}个百分点{% endif %}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endif %}")
    # the rest, grouped: how many in each status, and the range of 完成率 of those on or ahead of 序时
    _p(d, "{%p if others.any %}")
    _p(
        d,
        "其余指标中，{% if others.done %}已完成全年目标任务{{ others.done.count }}项{% endif %}"
        "{% if others.ahead %}{% if others.done %}，{% endif %}超序时进度推进{{ others.ahead.count }}项"
        "{% if others.ahead.low %}（完成率在{{ others.ahead.low }}至{{ others.ahead.high }}之间）{% endif %}{% endif %}"
        "{% if others.on_track %}{% if others.done or others.ahead %}，{% endif %}按序时进度推进"
        "{{ others.on_track.count }}项{% if others.on_track.low %}（完成率在{{ others.on_track.low }}至"
        "{{ others.on_track.high }}之间）{% endif %}{% endif %}"
        "{% if others.pending %}{% if others.done or others.ahead or others.on_track %}，{% endif %}"
        "目标任务待定{{ others.pending.count }}项{% endif %}，各项数据详见同期《{{ summary_name }}》。",
    )
    _p(d, "{%p endif %}")


def _dynamics(d) -> None:
    _p(d, "四、工作动态", "一级标题")
    _p(d, "【{{ office.short_name }}动态】", "二级标题")
    _p(
        d,
        "{{ office.short_name }}对{{ dynamics.office.units }}家填报单位{{ period.data_short }}的进展情况进行了调度汇总，"
        "收到报表{{ dynamics.office.received }}份{% if dynamics.office.checked %}，逐项校验发现"
        "{% if dynamics.office.has_errors %}需更正的错误{{ dynamics.office.errors }}处{% endif %}"
        "{% if dynamics.office.has_errors and dynamics.office.has_warnings %}、{% endif %}"
        "{% if dynamics.office.has_warnings %}需核实的疑点{{ dynamics.office.warnings }}处{% endif %}，"
        "已列入校验报告反馈相关单位{% else %}，经逐项校验未发现问题{% endif %}。",
    )
    for key, heading in (("departments", "【部门动态】"), ("areas", "【{{ dynamics.areas_heading }}动态】")):
        _p(d, f"{{%p if dynamics.{key} %}}")
        _p(d, heading, "二级标题")
        _p(d, f"{{%p for n in dynamics.{key} %}}")
        _p(d, runs=[("{{ n.unit }}", "楷体字"), ("（{{ n.item }}）：{{ n.text }}。", None)])
        _p(d, "{%p endfor %}")
        _p(d, "{%p endif %}")


def _attention(d) -> None:
    """五、: factual and short (its last paragraph keeps with the 报尾: ooxml.keep_tail_with_text)."""
    _p(d, "五、需关注事项", "一级标题")
    _p(d, "{%p if attention.returns %}")
    _p(
        d,
        "{% if attention.missing %}未报送的单位：{{ attention.missing }}{% endif %}"
        "{% if attention.rejected %}{% if attention.missing %}；{% endif %}报表被退回、尚未重新报送的单位："
        "{{ attention.rejected }}{% endif %}"
        "{% if attention.late %}{% if attention.missing or attention.rejected %}；{% endif %}逾期报送的单位："
        "{{ attention.late }}{% endif %}。",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if attention.no_figure %}")
    _p(
        d,
        "本期无有效数据的指标{{ attention.no_figure_count }}项：{% for i in attention.no_figure %}{{ i.name }}"
        "（{{ i.lead }}，{{ i.state }}）{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if not attention.any %}")
    _p(d, "本期各单位均按时报送，各项指标均有数据。")
    _p(d, "{%p endif %}")


def _tail(d) -> None:
    """报/送/发 and 印数 between two rules, kept together after the last paragraph."""
    _keep_with_next(_p(d))
    _p(d, style="报尾线")
    for word, key in (("报", "report_to"), ("送", "cc")):
        _p(d, f"{{%p if tail.{key} %}}")
        _p(d, f"{word}：{{{{ tail.{key} }}}}", "报尾")
        _p(d, "{%p endif %}")
    _p(d, "发：{{ tail.recipients }}{% if tail.copies %}\t（共印{{ tail.copies }}份）{% endif %}", "报尾")
    rule = _p(d, style="报尾线")
    set_child(rule._p.get_or_add_pPr(), "keepNext", PPR_ORDER, val=0)  # the last paragraph: nothing to keep with


def build_brief(out: Path) -> Path:
    """templates/旬简报.docx, from nothing but python-docx's blank document."""
    d = docx.Document()
    for p in list(d.element.body):
        if p.tag == qn("w:p"):
            d.element.body.remove(p)
    _brief_styles(d)
    set_page(d.sections[0])
    _head(d)
    _overall(d)
    _increments(d)
    _items(d)
    _dynamics(d)
    _attention(d)
    _tail(d)
    return save_template(d, out, "旬简报")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成旬简报 Word 模板（首次建立模板时使用）")
    ap.add_argument("--out", type=Path, default=TEMPLATES, help="输出文件夹，默认 templates/")
    args = ap.parse_args(argv)
    print(build_brief(args.out))


if __name__ == "__main__":
    main()
