"""The page of a 公文, as numbers: each with the GB/T 9704-2012 clause (or 实务, office practice) it comes from.

The template builder and the post-processing read only this module; tests measure against it.
OOXML units: twips (1/20 pt), half-points for font sizes, eighths of a point for borders.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 1440 / 25.4  # twips per millimetre


def mm(x: float) -> int:
    """Millimetres to whole twips."""
    return round(x * MM)


@dataclass(frozen=True)
class Rule:
    value: float
    unit: str
    clause: str  # where the number comes from: a GB/T 9704-2012 clause, 实务 or 推算
    note: str = ""


# fmt: off
RULES: dict[str, Rule] = {
    "paper_w":       Rule(210, "mm", "5.2.1", "A4"),
    "paper_h":       Rule(297, "mm", "5.2.1", "A4"),
    "margin_top":    Rule(37, "mm", "5.2.2", "天头 37±1 mm"),
    "margin_left":   Rule(28, "mm", "5.2.2", "订口 28±1 mm"),
    "block_w":       Rule(156, "mm", "5.2.2", "版心宽"),
    "block_h":       Rule(225, "mm", "5.2.2", "版心高"),
    "margin_bottom": Rule(35, "mm", "推算", "297 − 37 − 225"),
    "margin_right":  Rule(26, "mm", "推算", "210 − 28 − 156"),
    "lines":         Rule(22, "行", "5.2.4", "每面 22 行"),
    "chars":         Rule(28, "字", "5.2.4", "每行 28 字"),
    "line_pitch":    Rule(579, "twip", "实务", "28.95 pt: 22 行恰好排进 225 mm（580 只排得下 21 行）"),
    "char_spacing":  Rule(-5, "twip", "实务", "3号字每字紧缩 0.25 pt：28 × 15.75 pt = 441 pt ≤ 版心 442.2 pt"),
    "body_size":     Rule(16, "pt", "5.2.3", "3号仿宋"),
    "title_size":    Rule(22, "pt", "7.3.1", "标题 2号小标宋"),
    "mark_size":     Rule(36, "pt", "实务", "发文机关标志 小初；名称过长时横向缩放以排进版心"),
    "mark_top":      Rule(35, "mm", "7.2.4", "标志上边缘至版心上边缘 35 mm"),
    "rule_below":    Rule(4, "mm", "7.2.5", "红色分隔线在发文字号之下 4 mm"),
    "rule_width":    Rule(1.0, "pt", "实务", "红线粗 0.35 mm ≈ 1 pt"),
    "page_no_size":  Rule(14, "pt", "7.5", "4号半角宋体"),
    "page_no_below": Rule(7, "mm", "7.5", "一字线距版心下边缘 7 mm"),
    "footer_dist":   Rule(1400, "twip", "推算", "≈24.7 mm：297 − 262 − 7 − 字高之半"),
    "record_size":   Rule(14, "pt", "7.4.1", "版记 4号仿宋"),
    "record_thick":  Rule(8, "1/8pt", "7.4.1", "版记首末条线 0.35 mm"),
    "record_thin":   Rule(6, "1/8pt", "7.4.1", "版记中间分隔线 0.25 mm"),
    "table_size":    Rule(10.5, "pt", "实务", "附件表格 五号仿宋（4号至五号均有用例）"),
    "table_head":    Rule(10.5, "pt", "实务", "表头 五号黑体，每页重复"),
    "brief_mark_size": Rule(42, "pt", "实务", "简报名称 初号红色小标宋；名称过长时横向缩放以排进版心"),
    "brief_mark_top":  Rule(20, "mm", "实务", "简报名称上边缘至版心上边缘约 20 mm，报头占首页上部约三分之一"),
    "brief_rule":      Rule(18, "1/8pt", "实务", "报头红线粗 2.25 pt，在编印单位、日期一行之下 4 mm"),
    "tail_size":       Rule(14, "pt", "实务", "报尾 4号仿宋：报、送、发和印数"),
}
# fmt: on

RED = "FF0000"

# Page in twips: portrait, and the landscape 附件 page with the same margins turned with it.
PAGE_W, PAGE_H = mm(210), mm(297)  # 11906 × 16838
MARGIN_TOP, MARGIN_LEFT = 2098, 1588  # 37 mm, 28 mm (Word's own rounding)
MARGIN_BOTTOM, MARGIN_RIGHT = 1984, 1474  # 35 mm, 26 mm
LINE_PITCH = int(RULES["line_pitch"].value)
CHAR_SPACING = int(RULES["char_spacing"].value)
FOOTER_DIST = int(RULES["footer_dist"].value)
HEADER_DIST = 851
BLOCK_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8844 twips = 156 mm
BODY_SZ = 32  # half-points
INDENT_2 = 630  # two condensed 3号 characters (2 × 15.75 pt)
CHAR_TW = 315  # one condensed 3号 character in twips

# Fonts as Word knows them; fonts.conf maps them to free faces for previews.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"


def half_points(pt: float) -> int:
    return round(pt * 2)
