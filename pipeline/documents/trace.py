"""Where each number of a rendered document stands, and which figure of the `Basis` it is.

Runs on the document docxtpl has just filled, before it is saved: reads the basis's marks in
the body's paragraphs and table cells (in order, under the heading they follow), removes them,
and then looks for numbers outside any mark. Dates, 期数, 文号 and the config's names (「5G基站」)
are not figures; any other unmarked number is kept as unexplained (a figure a clerk typed into
the template, or one the code forgot to trace), so the 数据依据 shows it rather than hiding it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from .basis import MARKED, NOT_FIGURES, NUMBER, OPEN, Basis, Figure

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
    for ts, place_of, loose in _blocks(doc):
        text, spans = _unmark(ts)
        place = place_of(text)
        for start, end, fid in spans:
            fig = basis.figures[fid]
            # a figure is its own numbers (「283月·人」 is 283); in a phrase, dates are no figures
            shown = _mask(fig.printed, [], []) if fig.words else fig.printed
            for m in NUMBER.finditer(shown):
                found.append(Occurrence(place, m.group(0).replace(",", ""), _snippet(text, start, end), fig))
        if not loose:
            continue
        rest = _mask(text, [(a, b) for a, b, _ in spans], [])
        if not any(ch.isdigit() for ch in rest):
            continue  # most cells hold only marked figures: no need to look for names in them
        masked = _mask(text, [(a, b) for a, b, _ in spans], masked_names)
        for m in NUMBER.finditer(masked):
            found.append(Occurrence(place, m.group(0).replace(",", ""), _snippet(text, m.start(), m.end())))
    return found


def _unmark(ts: list) -> tuple[str, list[tuple[int, int, int]]]:
    """The paragraph's text without marks, and where each figure stands in it; each w:t unmarked."""
    text, spans = "", []
    for t in ts:
        raw = t.text or ""
        pos = 0
        for m in MARKED.finditer(raw):
            text += raw[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(2)), int(m.group(1))))
            text += m.group(2)
            pos = m.end()
        text += raw[pos:]
        if OPEN in raw:
            t.text = MARKED.sub(r"\2", raw)
    return text, spans


def _blocks(doc):
    """(the w:t elements of a paragraph or table cell, a function giving its Place, whether numbers
    outside marks count), in order: the body (content controls included), then headers and footers.

    A table's 序号 column holds ordinals: its marks are read and removed, its own digits skipped."""
    state = {"section": "", "n": 0}
    yield from _body_blocks(doc.element.body, state)
    # headers and footers through the document's relationships: docxtpl renders them into new
    # parts there, while python-docx's section.header may still hold the template's
    for rel in doc.part.rels.values():
        kind = {RT.HEADER: "页眉", RT.FOOTER: "页脚"}.get(rel.reltype)
        if kind is None or rel.is_external:
            continue
        for p in rel.target_part.element.iter(qn("w:p")):
            ts = list(p.iter(qn("w:t")))
            if any(OPEN in (t.text or "") for t in ts):
                yield ts, (lambda text, kind=kind: Place(kind, kind, text)), True


def _body_blocks(container, state):
    for child in container.iterchildren():
        if child.tag == qn("w:sdt"):  # a content control wraps paragraphs or tables
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_blocks(content, state)
        elif child.tag == qn("w:p"):
            ts = list(child.iter(qn("w:t")))
            if not any((t.text or "").strip() for t in ts):
                continue
            state["n"] += 1
            style = child.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            if style is not None and style.get(qn("w:val")) in HEADING_STYLES:
                state["section"] = _clean("".join(t.text or "" for t in ts)).strip()
            place = Place(state["section"], f"正文第{state['n']}段", "")
            yield ts, (lambda text, place=place: Place(place.section, place.where, text)), True
        elif child.tag == qn("w:tbl"):
            yield from _table_blocks(child, state["section"])


def _table_blocks(tbl, section: str):
    rows = tbl.findall(qn("w:tr"))
    if not rows:
        return
    header = [_clean(_text(tc)).strip() for tc in rows[0].findall(qn("w:tc"))]
    for r, tr in enumerate(rows, start=1):
        cells = tr.findall(qn("w:tc"))
        texts = [_clean(_text(tc)).strip() for tc in cells]
        subject = next((c for c in texts if c and not NUMBER.fullmatch(c) and c != "—"), "")
        for c, tc in enumerate(cells):
            column = header[c] if c < len(header) else f"第{c + 1}列"
            ts = list(tc.iter(qn("w:t")))
            if not texts[c]:
                continue
            where = "表头" if r == 1 else f"表格第{r}行「{_short(subject)}」·「{column}」列"
            yield ts, (lambda text, where=where: Place(section, where, text)), column != "序号"


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _clean(text: str) -> str:
    return MARKED.sub(r"\2", text)


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _mask(text: str, spans: list[tuple[int, int]], names: list[str]) -> str:
    """Blank out the figures already traced, the non-figures and the names, keeping positions.

    Names and non-figures are both found in the text as it stands, so a name holding a date
    (《萧县2023年实施50项民生实事》) and a date followed by a name (「2023年4月通报」) both go."""
    blank = [False] * len(text)
    for a, b in spans:
        blank[a:b] = [True] * (b - a)
    for name in names:
        at = text.find(name)
        while at >= 0:
            blank[at : at + len(name)] = [True] * len(name)
            at = text.find(name, at + len(name))
    for m in NOT_FIGURES.finditer(text):
        blank[m.start() : m.end()] = [True] * (m.end() - m.start())
    return "".join(" " if hide else ch for ch, hide in zip(text, blank, strict=True))


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")
