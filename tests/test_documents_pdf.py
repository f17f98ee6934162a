"""The 月通报 measured in the PDF LibreOffice makes of it (GB/T 9704: 22 lines × 28 characters, margins, page numbers)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from report_fixtures import ISSUED, build_report, default_config

from pipeline.documents.monthly import render_notice
from pipeline.documents.numbering import Numbering
from pipeline.documents.pdf import find_soffice, to_pdf

MM = 72 / 25.4  # points per millimetre
HANGING = set("，。、；：！？）》”’")  # CJK typesetting lets these hang past the right edge (Word does too)
BLOCK_TOP, BLOCK_LEFT, BLOCK_RIGHT, BLOCK_BOTTOM = 37.0, 28.0, 184.0, 262.0  # mm on a portrait page

if find_soffice() is None or shutil.which("pdftotext") is None:
    if os.environ.get("CI"):
        pytest.fail("CI must have LibreOffice and poppler-utils (.ci/run installs them)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="LibreOffice（soffice）或 poppler 未安装：跳过 PDF 版面测量")


@dataclass
class TextLine:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float  # mm from the top-left corner


@dataclass
class Page:
    number: int
    width: float
    height: float  # points
    lines: list[TextLine]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def footer(self) -> TextLine:
        return max(self.lines, key=lambda ln: ln.y0)

    @property
    def body(self) -> list[TextLine]:
        return [ln for ln in self.lines if ln is not self.footer]


def read_pages(pdf: Path) -> list[Page]:
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    pages = []
    for i, page in enumerate(root.iter("page"), 1):
        lines = []
        for line in page.iter("line"):
            words = [w.text or "" for w in line.iter("word")]
            lines.append(
                TextLine(
                    "".join(words),
                    float(line.get("xmin")) / MM,
                    float(line.get("xmax")) / MM,
                    float(line.get("ymin")) / MM,
                    float(line.get("ymax")) / MM,
                )
            )
        pages.append(Page(i, float(page.get("width")), float(page.get("height")), lines))
    return pages


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    cfg = default_config()
    out = tmp_path_factory.mktemp("pdf")
    docx = render_notice(cfg, build_report(cfg), out, numbering=Numbering(2023, 5, "邵东民生办"), issued=ISSUED)
    (made,) = to_pdf([docx])
    assert made.exists() and made.stat().st_size > 10_000
    return made


@pytest.fixture(scope="module")
def pages(pdf) -> list[Page]:
    return read_pages(pdf)


def test_a4_portrait_and_a_landscape_annex(pages):
    portrait = [p for p in pages if not p.landscape]
    landscape = [p for p in pages if p.landscape]
    assert landscape, "the 附件 table is on landscape pages"
    for p in portrait:
        assert (round(p.width), round(p.height)) == (595, 842)
    for p in landscape:
        assert (round(p.width), round(p.height)) == (842, 595)
    first_annex = pages.index(landscape[0])
    assert all(p.landscape for p in pages[first_annex : first_annex + len(landscape)])
    assert not pages[-1].landscape  # the 版记 page


def _body_pages(pages):
    """Portrait pages of running text (not the first page's 版头, not the 版记 page)."""
    first_annex = next(i for i, p in enumerate(pages) if p.landscape)
    return [p for p in pages[1:first_annex] if len(p.body) >= 10]


def test_text_block_at_37_and_28_mm(pages):
    body = _body_pages(pages)
    assert len(body) >= 3
    for p in body:
        top = min(ln.y0 for ln in p.body)
        left = min(ln.x0 for ln in p.body)
        right = max(ln.x1 for ln in p.body if ln.text[-1:] not in HANGING)
        hung = max((ln.x1 for ln in p.body if ln.text[-1:] in HANGING), default=0)
        assert hung <= BLOCK_RIGHT + 16 / MM + 0.6, (p.number, hung)  # a closing mark may hang past the edge
        assert BLOCK_TOP <= top <= BLOCK_TOP + 4, (p.number, top)  # the first line's glyphs just under the margin
        assert abs(left - BLOCK_LEFT) < 0.6, (p.number, left)
        assert BLOCK_RIGHT - 1.5 <= right <= BLOCK_RIGHT + 0.6, (p.number, right)


def test_22_lines_a_page_at_28_95_pt(pages):
    body = _body_pages(pages)
    for p in pages:
        if not p.landscape:
            assert len({round(ln.y0, 1) for ln in p.body}) <= 22, p.number
    full = [p for p in body if len(p.body) == 22]
    assert full, "at least one full page of 22 lines"
    for p in full:
        ys = sorted(ln.y0 for ln in p.body)
        pitch = statistics.median(b - a for a, b in zip(ys, ys[1:], strict=False)) * MM
        assert abs(pitch - 28.95) < 0.2, (p.number, pitch)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def test_28_characters_on_a_full_line(pages):
    full_lines = [
        ln for p in _body_pages(pages) for ln in p.body if ln.x1 - ln.x0 > 150 and all(_is_cjk(c) for c in ln.text)
    ]
    assert len(full_lines) >= 5
    counts = [len(ln.text) - (ln.text[-1] in HANGING and ln.x1 > BLOCK_RIGHT + 1) for ln in full_lines]
    assert max(counts) == 28  # never more (a closing mark hung past the edge does not count)
    assert statistics.mode(counts) == 28  # 27 only where an opening mark “（ may not end a line


def test_page_numbers_7mm_under_the_block_outside_edge(pages):
    for p in pages:
        if p.landscape:
            continue
        f = p.footer
        assert f.text == f"—{p.number}—", (p.number, f.text)
        middle = (f.y0 + f.y1) / 2
        assert 6.0 <= middle - BLOCK_BOTTOM <= 9.0, (p.number, middle)
        one_char = 14 / MM  # 4号
        if p.number % 2:
            assert abs(BLOCK_RIGHT - f.x1 - one_char) < 1.0, (p.number, f.x1)
        else:
            assert abs(f.x0 - BLOCK_LEFT - one_char) < 1.0, (p.number, f.x0)


def test_issuer_mark_35_mm_under_the_block_top(pages):
    mark = pages[0].lines[0]
    assert mark.text == "邵东市打好重点民生保障仗工作专班办公室文件"
    assert abs(mark.y0 - (BLOCK_TOP + 35)) < 2.0, mark.y0
    assert mark.x0 >= BLOCK_LEFT - 0.5 and mark.x1 <= BLOCK_RIGHT + 0.5  # squeezed into the 版心


def test_record_sits_on_the_last_pages_block_bottom(pages):
    last = pages[-1]
    record = [ln for ln in last.body if "印发" in ln.text]
    assert record and BLOCK_BOTTOM - 12 <= max(ln.y1 for ln in record) <= BLOCK_BOTTOM + 0.5


def test_fonts_embedded(pdf):
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        assert cols[-5] == "yes", row  # emb


def test_pdftotext_finds_the_title_and_a_number(pdf):
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "关于2023年5月份重点民生实事进展情况的通报" in flat
    assert "城镇新增就业，目标4980人，累计完成1234人，完成率24.8%" in flat
    assert "邵东民生办〔2023〕5号" in flat


def test_several_documents_in_one_call_land_beside_their_sources(pdf, tmp_path):
    a = tmp_path / "2023-04" / "月通报.docx"
    b = tmp_path / "2023-05" / "月通报.docx"
    for d in (a, b):
        d.parent.mkdir()
        shutil.copy(pdf.with_suffix(".docx"), d)
    made = to_pdf([a, b])
    assert made == [a.with_suffix(".pdf"), b.with_suffix(".pdf")]
    assert all(p.stat().st_size > 10_000 for p in made)
