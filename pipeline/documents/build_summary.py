"""Builds the first `templates/季总结.docx` from the 月通报's styles and helpers (build_templates).

The 季总结 is a 事务文书 (a report of the quarter's work), not a 公文: no 版头, no 发文字号, no
版记. GB/T 9704 does not cover it; offices lay it out on the 公文 page with the title on the first
line, the usual heading levels and a 落款 (gongwen-notes.md §0, bulletins.md §3). Its body follows
the quarter and half-year reports offices publish: 总体情况 with the figures by category, a chart
and the comparison with the previous quarter; 主要做法; 存在问题; 下季度（Q4: 下一步）工作打算; the
landscape 附件 table with the quarter's increments.

Run once with `python -m pipeline.documents.build_summary [--out templates]`; after that the
committed .docx is the clerk's to edit in Word or WPS.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn

from . import layout as L
from .build_templates import STYLES, TEMPLATES, PStyle, _define_styles, _keep_with_next, _p, _table, save_template
from .ooxml import set_page

# A picture in an exact-spaced paragraph is clipped by Word (gongwen-notes T11): its own style.
# fmt: off
SUMMARY_STYLES = [
    PStyle("GwPicture", "图片", align="center", first_line=0, first_line_chars=None, line=0, before=120,
           snap=False, keep_next=True),
    PStyle("GwChartTitle", "图题", L.HEITI, 14, "center", 0, None, line=L.LINE_PITCH),
]
# fmt: on

COLUMNS = [
    ("序号", 420),
    ("实事项目", 1400),
    ("考核指标", 1960),
    ("计量单位", 620),
    ("目标任务", 820),
    ("上季度末累计", 820),
    ("本季度新增", 800),
    ("累计完成", 1160),  # room for 「5（本期未报送；截至3月为5）」
    ("完成率", 820),
    ("序时进度", 760),
    ("较序时（百分点）", 900),
    ("状态", 920),
    ("牵头单位", 1356),
]
CELLS = [
    "{{ r.no }}",
    "{% vm %}{{ p.title }}",
    "{{ r.name }}",
    "{{ r.measure }}",
    "{{ r.target }}",
    "{{ r.previous }}",
    "{{ r.increment }}",
    "{{ r.value }}",
    "{{ r.rate }}",
    "{{ r.schedule }}",
    "{{ r.gap }}",
    "{{ r.status }}",
    "{{ r.lead }}",
]
LEFT_COLUMNS = {1, 2, 12}
KAI = "楷体字"


def _title_and_opening(d) -> None:
    title = _p(d, "{{ period.year }}年{{ period.span }}重点民生实事", "公文标题")
    title.runs[0].add_break()
    title.add_run("推进情况总结")
    _p(d, "（截至{{ period.as_of }}）", "副标题")
    _p(d)
    _p(
        d,
        "{% if period.is_year %}{{ period.year }}年，{% else %}今年以来，{% endif %}{{ office.scope }}上下把重点民生实事作为"
        "践行以人民为中心发展思想的重要抓手，{% if source.cited %}按照{{ source.cited }}要求，{% endif %}"
        "{{ office.short_name }}坚持{{ office.mechanism }}，对各牵头单位报送的进展情况和典型经验材料进行了汇总分析。"
        "现将{{ period.span }}工作情况总结如下：",
    )


def _overall(d) -> None:
    _p(d, "{% if period.is_year %}一、全年完成情况{% else %}一、总体情况{% endif %}", "一级标题")
    _p(
        d,
        "{{ period.year }}年{{ office.scope }}共安排重点民生实事{{ overall.projects }}件{{ overall.indicators }}项指标"
        "（“其中”项不单独计数）。截至{{ period.as_of }}（序时进度{{ schedule }}，下同），"
        "{% for s in overall.statuses %}{{ s.name }}{{ s.count }}项、占{{ s.share }}"
        "{% if loop.last %}，{% else %}；{% endif %}{% endfor %}总体完成率{{ overall.completion }}。"
        "{% if period.is_year %}全年完成目标任务{{ overall.by_status.done.count }}项，"
        "未完成{{ year.open }}项。{% endif %}",
    )
    _p(d, "{%p if investment %}")
    _p(
        d,
        "投资类指标{{ investment.count }}项，计划完成投资{{ investment.plan }}，累计完成投资{{ investment.done }}，"
        "投资完成率{{ investment.rate }}{% if investment.quarter %}，其中{{ period.quarter }}完成投资"
        "{{ investment.quarter }}{% endif %}。",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if chart %}")
    _p(d, "各实事项目的完成情况见图1。")
    _p(d, "{{ chart.picture }}", "图片")
    _p(d, "图1  {{ period.year }}年{{ period.span }}各实事项目完成率", "图题")
    _p(
        d,
        "注：项目完成率为该项目各项指标完成率的平均（单项超过100%的按100%计，“其中”项不计）；竖虚线为序时进度"
        "{{ schedule }}。{% if chart.left_out %}{{ chart.left_out }}等{{ chart.left_out_count }}件项目为节点类、"
        "目标待定或本期暂无数据，未列入图中。{% endif %}",
        "表注",
    )
    _p(d, "{%p endif %}")


def _categories(d) -> None:
    _p(d, "{%p for c in categories %}")
    _p(d, "（{{ c.seq }}）{{ c.name }}", "二级标题")
    _p(
        d,
        "共{{ c.projects }}件{{ c.indicators }}项指标，{% for s in c.statuses %}{{ s.name }}{{ s.count }}项"
        "{% if not loop.last %}、{% endif %}{% endfor %}，总体完成率{{ c.completion }}。"
        "{% if c.done %}已完成全年目标任务的有：{{ c.done }}。{% endif %}"
        "{% if c.ahead %}超序时推进的有：{{ c.ahead }}。{% endif %}"
        "{% if c.on_track %}按序时推进的有：{{ c.on_track }}。{% endif %}",
    )
    _p(d, "{%p if c.behind %}")
    _p(
        d,
        "低于序时进度的有：{% for i in c.behind %}{{ i.name }}（{{ i.lead }}），{{ i.figures }}"
        "{% if i.gap %}，低于{{ i.gap_ref }}{{ i.gap }}个百分点{% endif %}{% if i.severe %}，严重滞后{% endif %}"
        "{% if i.units %}，其中{{ i.units }}进度较慢{% endif %}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if c.no_figure %}")
    _p(d, "暂无进度数据的有：{{ c.no_figure }}。")
    _p(d, "{%p endif %}")
    _p(d, "{%p endfor %}")


def _comparison(d) -> None:
    _p(d, "{%p if compare %}")
    _p(d, "（{{ compare.seq }}）与{{ previous.quarter }}相比", "二级标题")
    _p(
        d,
        "与{{ previous.quarter }}末相比，已完成全年目标任务的指标{{ compare.done }}，低于序时进度的指标"
        "{{ compare.behind }}，总体完成率{{ compare.completion }}。"
        "{% if compare.newly_done %}{{ period.quarter }}新完成全年目标任务的有：{{ compare.newly_done }}。{% endif %}"
        "{% if compare.recovered %}由滞后赶上序时进度的有：{{ compare.recovered }}。{% endif %}"
        "{% if compare.newly_lagging %}新出现滞后的有：{{ compare.newly_lagging }}。{% endif %}",
    )
    _p(d, "{%p if compare.increments %}")
    _p(
        d,
        "{{ period.quarter }}新增较多的指标有：{% for i in compare.increments %}{{ i.name }}新增{{ i.increment }}，"
        "累计达到{{ i.value }}，占目标任务的{{ i.rate }}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
        "各项指标{{ period.quarter }}新增数见附件。",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p endif %}")


def _practices(d) -> None:
    _p(d, "二、主要做法", "一级标题")
    _p(d, "{%p if practices %}")
    _p(
        d,
        "{{ period.quarter }}，各单位共报送典型经验材料{{ practices_count }}篇。经梳理，主要做法有：",
    )
    _p(d, "{%p for e in practices %}")
    _p(d, runs=[("{{ e.seq }}{{ e.title }}。", KAI), ("{{ e.text }}（{{ e.units }}）。", None)])
    _p(d, "{%p endfor %}")
    _p(d, "{%p else %}")
    _p(d, "{{ period.quarter }}各单位未报送典型经验材料。")
    _p(d, "{%p endif %}")


def _problems(d) -> None:
    _p(d, "三、存在问题", "一级标题")
    _p(d, "{%p if problems.behind %}")
    _p(
        d,
        runs=[
            ("{{ problems.behind.seq }}部分指标进度滞后。", KAI),
            (
                "截至{{ period.as_of }}，仍有{{ problems.behind.count }}项指标低于序时进度"
                "{% if problems.behind.severe %}，其中严重滞后{{ problems.behind.severe }}项{% endif %}，"
                "分别是：{{ problems.behind.names }}。",
                None,
            ),
        ],
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if problems.reported %}")
    _p(
        d,
        runs=[
            ("{{ problems.reported.seq }}一些困难和问题亟待解决。", KAI),
            (
                "各单位反映的主要有：{% for r in problems.reported.groups %}{{ r.text }}（{{ r.where }}）"
                "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}",
                None,
            ),
        ],
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if problems.returns %}")
    _p(
        d,
        runs=[
            ("{{ problems.returns.seq }}信息报送还不够及时规范。", KAI),
            ("{{ problems.returns.text }}。", None),
        ],
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p if not (problems.behind or problems.reported or problems.returns) %}")
    _p(d, "{{ period.quarter }}各项指标均达到序时进度，各单位未反映需要协调解决的问题。")
    _p(d, "{%p endif %}")


def _plans(d) -> None:
    _p(d, "{%p if due_next or due_rest or plans %}")  # no heading over nothing
    _p(d, "{% if period.is_year %}四、下一步工作打算{% else %}四、下季度工作打算{% endif %}", "一级标题")
    _p(d, "{%p endif %}")
    _p(d, "{%p if due_next or due_rest %}")
    _p(
        d,
        "{% if due_next %}{{ next.quarter }}到期的任务要确保按期完成：{% for t in due_next %}{{ t.name }}"
        "（{{ t.lead }}），须于{{ t.date }}前{{ t.what }}，{{ t.now }}{% if loop.last %}。{% else %}；{% endif %}"
        "{% endfor %}{% endif %}{% if due_rest %}{% if due_next %}其余{% endif %}尚未完成的{{ due_rest }}项指标"
        "均须于{{ year_end }}前完成全年目标任务。{% endif %}",
    )
    _p(d, "{%p endif %}")
    _p(d, "{%p for r in plans %}")
    _p(d, runs=[("（{{ r.seq }}）", KAI), ("{{ r.text }}", None)])
    _p(d, "{%p endfor %}")


def _closing(d) -> None:
    closing = [
        _p(d),
        _p(d, "附件：{{ period.year }}年{{ period.span }}重点民生实事进展情况表"),
        _p(d),
        _p(d),
        _p(d, "{{ office.name }}", "署名"),
    ]
    for p in closing:  # 附件说明, 署名 and 成文日期 stay on one page
        _keep_with_next(p)
    _p(d, "{{ doc.date }}", "成文日期")


def build_summary(out: Path) -> Path:
    """templates/季总结.docx, from python-docx's blank document and the 月通报's styles."""
    d = docx.Document()
    for p in list(d.element.body):
        if p.tag == qn("w:p"):
            d.element.body.remove(p)
    _define_styles(d, STYLES + SUMMARY_STYLES)
    set_page(d.sections[0])
    _title_and_opening(d)
    _overall(d)
    _categories(d)
    _comparison(d)
    _practices(d)
    _problems(d)
    _plans(d)
    _closing(d)

    annex = d.add_section(WD_SECTION.NEW_PAGE)
    set_page(annex, landscape=True)
    _p(d, "附件", "附件标识")
    _p(d)
    _p(d, "{{ period.year }}年{{ period.span }}重点民生实事进展情况表", "附件标题")
    _p(d, "（截至{{ period.as_of }}）", "副标题")
    _table(d, COLUMNS, CELLS, LEFT_COLUMNS)
    _p(
        d,
        "注：序时进度{{ schedule }}（有完成期限或节点目标的指标按其计算）；{% if previous.as_of %}“上季度末累计”为"
        "{{ previous.as_of }}的累计数，“本季度新增”为本季度末累计与之的差；{% endif %}“较序时”为完成率与序时进度之差，"
        "正数为超出、负数为低于；"
        "指标名称前注“其中”的含在上一项之内。{{ table_note }}",
        "表注",
    )

    return save_template(d, out, "季总结")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成季总结 Word 模板（首次建立模板时使用）")
    ap.add_argument("--out", type=Path, default=TEMPLATES, help="输出文件夹，默认 templates/")
    args = ap.parse_args(argv)
    print(build_summary(args.out))


if __name__ == "__main__":
    main()
