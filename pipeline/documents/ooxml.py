"""What docxtpl cannot express: the OOXML a 公文 needs, applied to a python-docx Document.

Every function here is idempotent: the template builder applies them to the blank template, and
`finish()` applies them again to each rendered document, so a template a clerk re-saved in WPS
or LibreOffice (which may drop East-Asian font names, the grid or the page-number footers) still
comes out to GB/T 9704. Layout numbers come from `layout`.
"""

from __future__ import annotations

from functools import cache

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn as _qn
from docx.shared import Emu

from . import layout as L

# python-docx's qn splits and formats its argument on every call; a rendered 附件 makes a
# million calls with a few dozen distinct tags, so the answers are kept.
qn = cache(_qn)

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")

# Children of w:rPr / w:pPr / w:sectPr in schema order: Word rejects files whose children are out of order.
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
    "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
    "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
    "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]  # fmt: skip
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
    "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
    "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
    "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]  # fmt: skip
SECT_ORDER = [
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
    "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
    "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
]  # fmt: skip


def set_child(parent, tag: str, order: list[str], **attrs: str):
    """Get or create `w:<tag>` under parent at its schema position, then set attributes."""
    el = parent.find(qn("w:" + tag))
    if el is None:
        el = OxmlElement("w:" + tag)
        later = order[order.index(tag) + 1 :] if tag in order else []
        for i, child in enumerate(parent):
            name = child.tag.split("}")[-1]
            if name in later:
                parent.insert(i, el)
                break
        else:
            parent.append(el)
    for k, v in attrs.items():
        el.set(qn("w:" + k), str(v))
    return el


_THEME_KEYS = tuple(qn(a) for a in THEME_ATTRS)
_SLOT_KEYS = tuple(qn(a) for a in FONT_SLOTS)
_HINT = qn("w:hint")


def set_fonts(rpr, name: str) -> None:
    """All four font slots to one face, theme attributes removed (they win over names), hint eastAsia."""
    rf = set_child(rpr, "rFonts", RPR_ORDER)
    attrib = rf.attrib
    for key in _THEME_KEYS:
        attrib.pop(key, None)
    for key in _SLOT_KEYS:
        attrib[key] = name
    attrib[_HINT] = "eastAsia"


def _rpr_font(rpr) -> str | None:
    if rpr is None:
        return None
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        return None
    return rf.get(qn("w:eastAsia")) or rf.get(qn("w:ascii")) or rf.get(qn("w:hAnsi"))


def _rpr_size(rpr) -> int | None:
    if rpr is None:
        return None
    sz = rpr.find(qn("w:sz"))
    return int(sz.get(qn("w:val"))) if sz is not None else None


class StyleSheet:
    """Resolved font and size of each style, following basedOn, with the document defaults last."""

    def __init__(self, doc: DocxDocument):
        self.styles = doc.styles.element
        self.by_id = {s.get(qn("w:styleId")): s for s in self.styles.findall(qn("w:style"))}
        defaults = self.styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr")) if defaults is not None else None
        self.default_font = _rpr_font(rpr) or L.FANGSONG
        self.default_size = _rpr_size(rpr) or L.BODY_SZ
        self.default_para = next(
            (sid for sid, s in self.by_id.items() if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default"))),
            None,
        )

    def _chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            s = self.by_id[style_id]
            yield s
            based = s.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None

    def font(self, style_id: str | None) -> str:
        for s in self._chain(style_id or self.default_para):
            f = _rpr_font(s.find(qn("w:rPr")))
            if f:
                return f
        return self.default_font

    def size(self, style_id: str | None) -> int:
        for s in self._chain(style_id or self.default_para):
            z = _rpr_size(s.find(qn("w:rPr")))
            if z:
                return z
        return self.default_size


def fix_styles(doc: DocxDocument) -> None:
    """Defaults: 仿宋 3号, zh-CN; every style's font slots set (East-Asian too), theme fonts removed."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    set_fonts(rpr, _rpr_font(rpr) if _rpr_font(rpr) not in (None, "Calibri", "Times New Roman") else L.FANGSONG)
    set_child(rpr, "sz", RPR_ORDER, val=L.BODY_SZ)
    set_child(rpr, "szCs", RPR_ORDER, val=L.BODY_SZ)
    set_child(rpr, "lang", RPR_ORDER, val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    for style in styles.findall(qn("w:style")):
        srpr = style.find(qn("w:rPr"))
        if srpr is None:
            continue
        rf = srpr.find(qn("w:rFonts"))
        if rf is None:
            continue
        font = _rpr_font(srpr)
        if font is None:  # only theme attributes: fall back to the body face
            font = L.FANGSONG
        set_fonts(srpr, font)


def _all_runs(doc: DocxDocument):
    parts = [doc.element.body]
    for section in doc.sections:
        for hf in (
            section.header,
            section.footer,
            section.even_page_header,
            section.even_page_footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            if not hf.is_linked_to_previous:
                parts.append(hf._element)
    seen = set()
    for part in parts:
        if id(part) in seen:
            continue
        seen.add(id(part))
        yield from part.iter(qn("w:r"))


_W_P, _W_PPR, _W_PSTYLE, _W_VAL = qn("w:p"), qn("w:pPr"), qn("w:pStyle"), qn("w:val")
_W_RPR, _W_RSTYLE, _W_SPACING = qn("w:rPr"), qn("w:rStyle"), qn("w:spacing")


def fix_runs(doc: DocxDocument, only_bare: bool = False) -> None:
    """Each run names its face in all four slots (East-Asian too); 3号 runs get the −0.25 pt spacing.

    A city's 附件 has tens of thousands of runs: the styles' faces and sizes are resolved once
    each, and each paragraph's style once, not once per run. With `only_bare`, only runs with no
    properties at all are fixed: after rendering a template whose runs were fixed first, every
    other run is a copy of a fixed one (pipeline.documents.render)."""
    sheet = StyleSheet(doc)
    fonts: dict[str | None, str] = {}
    sizes: dict[str | None, int] = {}
    para_style: dict = {}  # paragraph element → its style id

    def font_of(style: str | None) -> str:
        if style not in fonts:
            fonts[style] = sheet.font(style)
        return fonts[style]

    def size_of(style: str | None) -> int:
        if style not in sizes:
            sizes[style] = sheet.size(style)
        return sizes[style]

    for r in _all_runs(doc):
        rpr = r.find(_W_RPR)
        if only_bare and rpr is not None:
            continue
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            r.insert(0, rpr)
        p = r.getparent()
        while p is not None and p.tag != _W_P:
            p = p.getparent()
        if p is None:
            pstyle = None
        elif p in para_style:
            pstyle = para_style[p]
        else:
            ps = p.find(_W_PPR)
            ps = ps.find(_W_PSTYLE) if ps is not None else None
            pstyle = para_style[p] = ps.get(_W_VAL) if ps is not None else None
        rstyle_el = rpr.find(_W_RSTYLE)
        rstyle = rstyle_el.get(_W_VAL) if rstyle_el is not None else None
        font = _rpr_font(rpr) or (font_of(rstyle) if rstyle else None) or font_of(pstyle)
        set_fonts(rpr, font)
        size = _rpr_size(rpr) or (size_of(rstyle) if rstyle else None) or size_of(pstyle)
        if size == L.BODY_SZ and rpr.find(_W_SPACING) is None:
            set_child(rpr, "spacing", RPR_ORDER, val=L.CHAR_SPACING)


def set_page(section, landscape: bool = False) -> None:
    """A4 with the GB margins; a landscape section turns the page and its margins with it."""
    sect = section._sectPr
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Emu(L.PAGE_H * 635), Emu(L.PAGE_W * 635)
        # turned: the binding edge (left) is now at the top; 版心 225 × 156 mm lies across the page
        top, right, bottom, left = L.MARGIN_LEFT, L.MARGIN_BOTTOM, L.MARGIN_RIGHT, L.MARGIN_TOP
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Emu(L.PAGE_W * 635), Emu(L.PAGE_H * 635)
        top, right, bottom, left = L.MARGIN_TOP, L.MARGIN_RIGHT, L.MARGIN_BOTTOM, L.MARGIN_LEFT
    set_child(
        sect,
        "pgMar",
        SECT_ORDER,
        top=top,
        right=right,
        bottom=bottom,
        left=left,
        header=L.HEADER_DIST,
        footer=L.FOOTER_DIST,
        gutter=0,
    )
    grid = set_child(sect, "docGrid", SECT_ORDER, type="lines", linePitch=L.LINE_PITCH)
    grid.attrib.pop(qn("w:charSpace"), None)


def is_landscape(section) -> bool:
    return section.orientation == WD_ORIENT.LANDSCAPE or (section.page_width or 0) > (section.page_height or 0)


def fix_pages(doc: DocxDocument) -> None:
    for section in doc.sections:
        set_page(section, is_landscape(section))


# -- page numbers ----------------------------------------------------------------------------
def _page_run(p, text: str | None = None, fld: str | None = None, instr: str | None = None):
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    r.append(rpr)
    set_fonts(rpr, L.SONGTI)
    set_child(rpr, "sz", RPR_ORDER, val=L.half_points(L.RULES["page_no_size"].value))
    set_child(rpr, "szCs", RPR_ORDER, val=L.half_points(L.RULES["page_no_size"].value))
    if fld:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), fld)
        r.append(el)
    elif instr:
        el = OxmlElement("w:instrText")
        el.set(qn("xml:space"), "preserve")
        el.text = instr
        r.append(el)
    else:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    p.append(r)


def _page_number_paragraph(footer, odd: bool) -> None:
    for child in list(footer._element):
        footer._element.remove(child)
    p = OxmlElement("w:p")
    footer._element.append(p)
    ppr = OxmlElement("w:pPr")
    p.append(ppr)
    set_child(ppr, "snapToGrid", PPR_ORDER, val=0)
    set_child(ppr, "spacing", PPR_ORDER, before=0, after=0, line=240, lineRule="auto")
    one_char = 280  # one 4号 character
    if odd:
        set_child(ppr, "ind", PPR_ORDER, left=0, right=one_char, firstLine=0)
        set_child(ppr, "jc", PPR_ORDER, val="right")
    else:
        set_child(ppr, "ind", PPR_ORDER, left=one_char, right=0, firstLine=0)
        set_child(ppr, "jc", PPR_ORDER, val="left")
    _page_run(p, text="— ")
    _page_run(p, fld="begin")
    _page_run(p, instr=" PAGE ")
    _page_run(p, fld="separate")
    _page_run(p, text="1")
    _page_run(p, fld="end")
    _page_run(p, text=" —")


def has_page_field(footer) -> bool:
    xml = footer._element.xml
    return "PAGE" in xml and ("fldChar" in xml or "fldSimple" in xml)


def ensure_page_numbers(doc: DocxDocument) -> None:
    """「— N —」 in 4号宋体: odd pages right, even pages left, one character in from the edge (GB 7.5).

    The first section carries both footers; later sections inherit them. A footer that already
    holds a PAGE field (a clerk's own) is kept."""
    doc.settings.odd_and_even_pages_header_footer = True
    first = doc.sections[0]
    first.different_first_page_header_footer = False
    for footer, odd in ((first.footer, True), (first.even_page_footer, False)):
        footer.is_linked_to_previous = False
        if not has_page_field(footer):
            _page_number_paragraph(footer, odd)
    for section in doc.sections[1:]:
        section.different_first_page_header_footer = False
        for hf in (section.footer, section.even_page_footer, section.header, section.even_page_header):
            if not hf.is_linked_to_previous and not has_page_field(hf):
                hf.is_linked_to_previous = True


# -- tables ------------------------------------------------------------------------------------
def repeat_header_rows(doc: DocxDocument) -> None:
    """The first row of every table repeats on each page; no row splits across pages."""
    for table in doc.tables:
        rows = table._tbl.findall(qn("w:tr"))
        for i, tr in enumerate(rows):
            trpr = tr.find(qn("w:trPr"))
            if trpr is None:
                trpr = OxmlElement("w:trPr")
                tblpr_ex = tr.find(qn("w:tblPrEx"))
                tr.insert(1 if tblpr_ex is not None else 0, trpr)
            if trpr.find(qn("w:cantSplit")) is None:
                trpr.insert(0, OxmlElement("w:cantSplit"))
            if i == 0 and trpr.find(qn("w:tblHeader")) is None:
                trpr.append(OxmlElement("w:tblHeader"))


# -- the 版头 ---------------------------------------------------------------------------------
def paragraphs_with_style(doc: DocxDocument, style_name: str):
    """The body's paragraphs of the named style, as python-docx's `p.style` would resolve them
    (no style, or an id the document lacks: the default paragraph style) without resolving a
    style object per paragraph, which walks the style sheet each time."""
    styles = [s for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH]
    wanted = {s.style_id for s in styles if s.name == style_name}
    known = {s.style_id for s in styles}
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    plain = default is not None and default.name == style_name
    return [p for p in doc.paragraphs if (p._p.style in wanted) or (plain and p._p.style not in known)]


def fit_issuer_mark(doc: DocxDocument, style_name: str = "发文机关标志", size_pt: float | None = None) -> None:
    """Shrink a long 发文机关标志 (or 简报名称) to the 版心 width by horizontal scaling (w:w), keeping its height."""
    width_pt = L.BLOCK_W / 20
    size_pt = size_pt or L.RULES["mark_size"].value
    for p in paragraphs_with_style(doc, style_name):
        text = p.text.strip()
        if not text:
            continue
        em = sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)
        scale = min(100, int(width_pt / (em * size_pt) * 100))
        for r in p._p.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                r.insert(0, rpr)
            set_child(rpr, "sz", RPR_ORDER, val=L.half_points(size_pt))
            set_child(rpr, "szCs", RPR_ORDER, val=L.half_points(size_pt))
            if scale < 100:
                set_child(rpr, "w", RPR_ORDER, val=max(scale, 33))
            else:
                w = rpr.find(qn("w:w"))
                if w is not None:
                    rpr.remove(w)


def drop_red_rule(doc: DocxDocument, style_name: str = "发文字号") -> None:
    """套打 on pre-printed red-head paper: no rule of ours under the 发文字号 (the paper has it)."""
    for p in paragraphs_with_style(doc, style_name):
        ppr = p._p.get_or_add_pPr()
        old = ppr.find(qn("w:pBdr"))
        if old is not None:
            ppr.remove(old)
        bdr = set_child(ppr, "pBdr", PPR_ORDER)  # the style may carry the rule too: override it
        bottom = OxmlElement("w:bottom")
        bottom.set(qn("w:val"), "nil")
        bdr.append(bottom)


def _em_width(text: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def place_record(doc: DocxDocument, style_name: str = "版记") -> None:
    """Push the 版记 down its page so its last rule lands on the 版心 bottom (GB 7.4): space before
    the first 版记 line = the page's 22 lines less the lines the 版记 takes, counted from its text."""
    paras = paragraphs_with_style(doc, style_name)
    if not paras:
        return
    size_pt = L.RULES["record_size"].value
    per_line = (L.BLOCK_W - 2 * 280) / 20 / size_pt  # characters of 4号 a line between the 1-char indents
    lines = sum(max(1, -(-int(_em_width(p.text) + 0.999) // int(per_line))) for p in paras)
    free = int(L.RULES["lines"].value) * L.LINE_PITCH - lines * L.LINE_PITCH - 120  # 120: the rules' own room
    ppr = paras[0]._p.get_or_add_pPr()
    spacing = set_child(ppr, "spacing", PPR_ORDER)
    spacing.set(qn("w:before"), str(max(free, 0)))


def keep_tail_with_text(doc: DocxDocument, style_name: str = "报尾线") -> None:
    """A 简报's 报尾 (its first rule and what follows keep together) also keeps with the last
    paragraph of text before it, so it never stands alone at the top of a page."""
    rules = paragraphs_with_style(doc, style_name)
    if not rules:
        return
    el = rules[0]._p.getprevious()
    while el is not None:
        if el.tag == qn("w:p"):
            set_child(el.get_or_add_pPr(), "keepNext", PPR_ORDER)
            if "".join(t.text or "" for t in el.iter(qn("w:t"))).strip():
                return
        el = el.getprevious()


def finish(doc: DocxDocument, *, preprinted: bool = False, runs_fixed: bool = False) -> None:
    """Everything docxtpl cannot express, applied to a rendered (or freshly built) document.

    `runs_fixed`: the template's runs were fixed before rendering (fix_runs), so only the runs
    rendering made from nothing (a picture's) are left to fix."""
    fix_styles(doc)
    fix_pages(doc)
    ensure_page_numbers(doc)
    fix_runs(doc, only_bare=runs_fixed)
    repeat_header_rows(doc)
    fit_issuer_mark(doc)
    fit_issuer_mark(doc, "简报名称", L.RULES["brief_mark_size"].value)
    place_record(doc)
    keep_tail_with_text(doc)
    if preprinted:
        drop_red_rule(doc)
