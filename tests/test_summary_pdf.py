"""The 季总结 measured in the PDF LibreOffice makes of it: the 月通报's page rules, the chart inside the 版心."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from summary_fixtures import default_config, previous_quarter, quarter_report
from test_documents_pdf import BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP, HANGING, MM, read_pages
from test_summary import ISSUED

from pipeline.documents.pdf import find_soffice, to_pdf
from pipeline.documents.summary import render_summary

if find_soffice() is None or shutil.which("pdftotext") is None:
    if os.environ.get("CI"):
        pytest.fail("CI must have LibreOffice and poppler-utils (.ci/run installs them)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="LibreOffice（soffice）或 poppler 未安装：跳过 PDF 版面测量")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    cfg = default_config()
    out = tmp_path_factory.mktemp("summary-pdf")
    docx = render_summary(cfg, quarter_report(cfg), out, previous=previous_quarter(cfg), issued=ISSUED)
    (made,) = to_pdf([docx])
    assert made.exists() and made.stat().st_size > 10_000
    return made


@pytest.fixture(scope="module")
def pages(pdf):
    return read_pages(pdf)


def _body_pages(pages):
    first_annex = next(i for i, p in enumerate(pages) if p.landscape)
    return [p for p in pages[:first_annex] if len(p.body) >= 10]


def test_portrait_body_then_landscape_annex_to_the_end(pages):
    portrait = [p for p in pages if not p.landscape]
    assert all((round(p.width), round(p.height)) == (595, 842) for p in portrait)
    first_annex = next(i for i, p in enumerate(pages) if p.landscape)
    assert all(p.landscape for p in pages[first_annex:])  # no 版记 page: a report ends with its 附件


def test_title_on_the_first_line_of_the_text_block(pages):
    first = pages[0].body[0]
    assert first.text == "2023年上半年重点民生实事"
    assert BLOCK_TOP <= first.y0 <= BLOCK_TOP + 6  # no 版头 above it


def test_text_block_and_22_lines_of_28_95_pt(pages):
    body = _body_pages(pages)
    assert len(body) >= 4
    for p in body:
        left = min(ln.x0 for ln in p.body)
        right = max(ln.x1 for ln in p.body if ln.text[-1:] not in HANGING)
        assert abs(left - BLOCK_LEFT) < 0.6, (p.number, left)
        assert right <= BLOCK_RIGHT + 0.6, (p.number, right)
        assert min(ln.y0 for ln in p.body) >= BLOCK_TOP - 0.5
    full = [p for p in body if len(p.body) == 22]
    assert full, "at least one full page of 22 lines"
    for p in full:
        ys = sorted(ln.y0 for ln in p.body)
        pitch = statistics.median(b - a for a, b in zip(ys, ys[1:], strict=False)) * MM
        assert abs(pitch - 28.95) < 0.2, (p.number, pitch)


def test_28_characters_on_a_full_line(pages):
    lines = [ln for p in _body_pages(pages) for ln in p.body if ln.x1 - ln.x0 > 150 and all(ord(c) >= 0x2E80
                                                                                          for c in ln.text)]  # fmt: skip
    assert len(lines) >= 5
    counts = [len(ln.text) - (ln.text[-1] in HANGING and ln.x1 > BLOCK_RIGHT + 1) for ln in lines]
    assert max(counts) == 28 and statistics.mode(counts) == 28


def test_page_numbers_7mm_under_the_block_outside_edge(pages):
    for p in pages:
        if p.landscape:
            continue
        f = p.footer
        assert f.text == f"—{p.number}—", (p.number, f.text)
        assert 6.0 <= (f.y0 + f.y1) / 2 - BLOCK_BOTTOM <= 9.0
        one_char = 14 / MM
        if p.number % 2:
            assert abs(BLOCK_RIGHT - f.x1 - one_char) < 1.0
        else:
            assert abs(f.x0 - BLOCK_LEFT - one_char) < 1.0


def _images(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [row.split() for row in out.splitlines()[2:] if row.split()[2] == "image"]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages not installed")
def test_chart_printed_at_300_dpi_across_the_text_block(pdf, pages):
    (image,) = _images(pdf)
    width_px, x_ppi = int(image[3]), int(image[12])
    assert x_ppi >= 295 and abs(width_px / x_ppi * 25.4 - 156) < 1.5  # 156 mm wide, at print resolution
    caption = next((p, ln) for p in pages for ln in p.body if ln.text.startswith("图1"))
    assert caption[1].y1 <= BLOCK_BOTTOM + 0.5  # the chart and its caption fit in the 版心


def test_fonts_embedded_and_text_extractable(pdf):
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows and all(r.split()[-5] == "yes" for r in rows)
    flat = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "与一季度末相比，已完成全年目标任务的指标增加2项（由5项增至7项）" in flat
    assert "（市教育局、市人社局）" in flat
