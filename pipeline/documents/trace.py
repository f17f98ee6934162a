"""Where each number of a rendered document stands, and which figure of the `Basis` it is.

Runs on the document docxtpl has just filled, before it is saved: reads the basis's marks in
the body's paragraphs and table cells (in order, under the heading they follow), removes them,
and then looks for numbers outside any mark. Dates, 期数, 文号 and the config's names (「5G基站」)
are not figures; any other unmarked number is kept as unexplained (a figure a clerk typed into
the template, or one the code forgot to trace), so the 数据依据 shows it rather than hiding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT

from .basis import MARKED, NOT_FIGURES, NUMBER, OPEN, Basis, Figure
from .ooxml import qn

_W_P, _W_T, _W_TBL, _W_TR, _W_TC, _W_VAL = (qn(t) for t in ("w:p", "w:t", "w:tbl", "w:tr", "w:tc", "w:val"))
_W_SDT, _W_SDT_CONTENT, _W_PSTYLE_PATH = qn("w:sdt"), qn("w:sdtContent"), qn("w:pPr") + "/" + qn("w:pStyle")

HEADING_STYLES = ("GwTitle", "GwH1", "GwH2", "GwAnnexTitle", "GwBriefTitle", "GwChartTitle")


@dataclass(frozen=True)
class Place:
    """A paragraph or a table cell of the document, with what a reader needs to find it."""

    section: str  # the heading it stands under
    where: str  # 「正文第12段」 / 「表格第5行「城镇新增就业」·「完成率」列」
    text: str  # the paragraph's or cell's text, marks removed


@dataclass(frozen=True)
class Occurrence:
    place: Place
    number: str  # the number as it stands in the text, commas dropped
    snippet: str  # the words around it
    figure: Figure | None = None  # None: nothing explains it


def trace(doc, basis: Basis, names: Iterable[str] = ()) -> list[Occurrence]:
    """Every number of the filled document `doc` (python-docx), marks removed in place."""
    masked_names = sorted({n for n in names if n}, key=len, reverse=True)
    found: list[Occurrence] = []
    for text, spans, place, loose in _blocks(doc):
        for start, end, fid in spans:
            fig = basis.figures[fid]
            # a figure is its own numbers (「283月·人」 is 283); in a phrase, dates are no figures
            shown = _mask(fig.printed, [], []) if fig.words else fig.printed
            for m in NUMBER.finditer(shown):
                found.append(Occurrence(place, m.group(0).replace(",", ""), _snippet(text, start, end), fig))
        if not loose:
            continue
        traced = [(a, b) for a, b, _ in spans]
        if not _digits_outside(text, traced) or not any(ch.isdigit() for ch in _mask(text, traced, [])):
            continue  # most cells hold only marked figures: no need to look for names in them
        masked = _mask(text, traced, masked_names)
        for m in NUMBER.finditer(masked):
            found.append(Occurrence(place, m.group(0).replace(",", ""), _snippet(text, m.start(), m.end())))
    return found


def _unmark(ts: list) -> tuple[str, list[tuple[int, int, int]]]:
    """The paragraph's text without marks, and where each figure stands in it; each w:t unmarked."""
    text, spans = "", []
    for t in ts:
        raw = t.text or ""
        if OPEN not in raw:
            text += raw
            continue
        pos = 0
        for m in MARKED.finditer(raw):
            text += raw[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(2)), int(m.group(1))))
            text += m.group(2)
            pos = m.end()
        text += raw[pos:]
        t.text = MARKED.sub(r"\2", raw)
    return text, spans


Block = tuple[str, list[tuple[int, int, int]], Place, bool]


def _blocks(doc) -> Iterator[Block]:
    """(the text of a paragraph or table cell with its marks removed, where its figures stand,
    its Place, whether numbers outside marks count), in order: the body (content controls
    included), then headers and footers. Each block's marks are removed from the document.

    A table's 序号 column holds ordinals: its marks are read and removed, its own digits skipped."""
    state = {"section": "", "n": 0}
    yield from _body_blocks(doc.element.body, state)
    # headers and footers through the document's relationships: docxtpl renders them into new
    # parts there, while python-docx's section.header may still hold the template's
    for rel in doc.part.rels.values():
        kind = {RT.HEADER: "页眉", RT.FOOTER: "页脚"}.get(rel.reltype)
        if kind is None or rel.is_external:
            continue
        for p in rel.target_part.element.iter(_W_P):
            ts = list(p.iter(_W_T))
            if any(OPEN in (t.text or "") for t in ts):
                text, spans = _unmark(ts)
                yield text, spans, Place(kind, kind, text), True


def _body_blocks(container, state) -> Iterator[Block]:
    for child in container.iterchildren():
        if child.tag == _W_SDT:  # a content control wraps paragraphs or tables
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _body_blocks(content, state)
        elif child.tag == _W_P:
            ts = list(child.iter(_W_T))
            if not any((t.text or "").strip() for t in ts):
                continue
            state["n"] += 1
            text, spans = _unmark(ts)
            style = child.find(_W_PSTYLE_PATH)
            if style is not None and style.get(_W_VAL) in HEADING_STYLES:
                state["section"] = text.strip()
            yield text, spans, Place(state["section"], f"正文第{state['n']}段", text), True
        elif child.tag == _W_TBL:
            yield from _table_blocks(child, state["section"])


def _table_blocks(tbl, section: str) -> Iterator[Block]:
    rows = tbl.findall(_W_TR)
    if not rows:
        return
    header: list[str] = []
    for r, tr in enumerate(rows, start=1):
        cells = [_unmark(list(tc.iter(_W_T))) for tc in tr.findall(_W_TC)]
        texts = [text.strip() for text, _ in cells]
        if r == 1:
            header = texts
        subject = next((c for c in texts if c and not NUMBER.fullmatch(c) and c != "—"), "")
        for c, (text, spans) in enumerate(cells):
            if not texts[c]:
                continue
            column = header[c] if c < len(header) else f"第{c + 1}列"
            where = "表头" if r == 1 else f"表格第{r}行「{_short(subject)}」·「{column}」列"
            yield text, spans, Place(section, where, text), column != "序号"


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _digits_outside(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a digit stands outside the traced figures (a 附件 cell's 「62.7%」 has none)."""
    pos = 0
    for a, b in spans:
        if any(ch.isdigit() for ch in text[pos:a]):
            return True
        pos = max(pos, b)
    return any(ch.isdigit() for ch in text[pos:])


def _mask(text: str, spans: list[tuple[int, int]], names: list[str]) -> str:
    """Blank out the figures already traced, the non-figures and the names, keeping positions.

    Names and non-figures are both found in the text as it stands, so a name holding a date
    (《萧县2023年实施50项民生实事》) and a date followed by a name (「2023年4月通报」) both go."""
    cuts = list(spans)
    for name in names:
        at = text.find(name)
        while at >= 0:
            cuts.append((at, at + len(name)))
            at = text.find(name, at + len(name))
    cuts.extend(m.span() for m in NOT_FIGURES.finditer(text))
    if not cuts:
        return text
    out, pos = [], 0
    for a, b in sorted(cuts):
        if b <= pos:
            continue
        a = max(a, pos)
        out += (text[pos:a], " " * (b - a))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")
