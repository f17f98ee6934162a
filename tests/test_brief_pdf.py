"""The 旬简报 measured in the PDF LibreOffice makes of it: the 简报 报头, 22 × 28, page numbers, the 报尾."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from report_fixtures import default_config
from test_brief import ISSUED, NUMBERING, dekad_report
from test_documents_pdf import BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP, HANGING, MM, read_pages

from pipeline.documents.brief import render_brief
from pipeline.documents.pdf import find_soffice, to_pdf

if find_soffice() is None or shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
    if os.environ.get("CI"):
        pytest.fail("CI must have LibreOffice and poppler-utils (.ci/run installs them)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="LibreOffice（soffice）或 poppler 未安装：跳过 PDF 版面测量")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    cfg = default_config()
    cfg = cfg.model_copy(update={"bulletins": cfg.bulletins.model_copy(update={"copies": 40})})
    docx = render_brief(cfg, dekad_report(cfg), tmp_path_factory.mktemp("pdf"), numbering=NUMBERING, issued=ISSUED)
    (made,) = to_pdf([docx])
    assert made.exists() and made.stat().st_size > 10_000
    return made


@pytest.fixture(scope="module")
def pages(pdf):
    return read_pages(pdf)


def _line(page, start: str):
    return next(ln for ln in page.lines if ln.text.startswith(start))


def test_a4_portrait_and_short(pages):
    assert all((round(p.width), round(p.height)) == (595, 842) for p in pages)
    assert 2 <= len(pages) <= 5  # 56 indicators, 13 of them behind: lagging in full, the rest grouped


def test_head_name_issue_editor_and_date(pages):
    first = pages[0]
    name = first.lines[0]
    assert name.text == "重点民生实事工作简报"
    assert abs(name.y0 - (BLOCK_TOP + 20)) < 2.0, name.y0  # about 20 mm under the 版心 top
    assert abs((name.x0 + name.x1) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) < 1.0  # centred
    assert name.y1 - name.y0 > 15  # 初号: far larger than the 3号 body (≈ 7 mm)
    issue = _line(first, "第5期")
    assert issue.y0 > name.y1 and abs((issue.x0 + issue.x1) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) < 1.0
    editor, date = _line(first, "邵东市打好"), _line(first, "2023年5月22日")
    assert abs(editor.y0 - date.y0) < 0.5 and editor.y0 > issue.y1  # one line under 第N期
    assert abs(editor.x0 - BLOCK_LEFT) < 0.6 and abs(date.x1 - BLOCK_RIGHT) < 0.8  # left and right
    title = _line(first, "全市重点民生实事进展情况")
    assert title.y0 - editor.y1 > 10  # the rule and a blank line between
    assert title.y1 < BLOCK_TOP + 225 / 3 + 30  # 报头 and title in the upper part of page 1


def _pixels(pdf: Path, page: int, dpi: int = 30) -> tuple[int, int, bytes]:
    raw = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), str(pdf)], capture_output=True, check=True
    ).stdout  # PPM: P6 w h 255, then RGB bytes
    head = raw.split(b"\n", 3)
    w, h = map(int, head[1].split())
    return w, h, head[3]


def test_name_and_rule_are_red(pdf, pages):
    dpi = 30
    w, h, rgb = _pixels(pdf, 1, dpi)
    px = dpi / 25.4  # pixels per mm

    def red_rows(y0: float, y1: float) -> int:
        count = 0
        for y in range(int(y0 * px), int(y1 * px) + 1):
            row = rgb[y * w * 3 : (y + 1) * w * 3]
            reds = sum(1 for x in range(w) if row[3 * x] > 180 and row[3 * x + 1] < 90 and row[3 * x + 2] < 90)
            count += reds > 0
        return count

    name, editor = pages[0].lines[0], _line(pages[0], "邵东市打好")
    assert red_rows(name.y0, name.y1) >= 5  # the name's glyphs
    title = _line(pages[0], "全市重点民生实事进展情况")
    below_editor = red_rows(editor.y1, title.y0)
    assert 1 <= below_editor <= 3  # one thick red rule between the 编印单位 line and the title
    y = next(y for y in range(int(editor.y1 * px), int(title.y0 * px)) if red_rows(y / px, y / px))
    row = rgb[y * w * 3 : (y + 1) * w * 3]
    xs = [x for x in range(w) if row[3 * x] > 180 and row[3 * x + 1] < 90]
    assert abs(xs[0] / px - BLOCK_LEFT) < 2 and abs(xs[-1] / px - BLOCK_RIGHT) < 2  # the 版心 width
    assert 3 <= y / px - editor.y1 <= 8  # about 4 mm under the line


def _body_pages(pages):
    return [p for p in pages[1:] if len(p.body) >= 15]


def test_text_block_and_22_lines_at_28_95_pt(pages):
    body = _body_pages(pages)
    assert len(body) >= 2
    for p in pages:
        assert len({round(ln.y0, 1) for ln in p.body}) <= 22, p.number
    for p in body:
        assert BLOCK_TOP <= min(ln.y0 for ln in p.body) <= BLOCK_TOP + 4, p.number
        assert abs(min(ln.x0 for ln in p.body) - BLOCK_LEFT) < 0.6, p.number
        right = max(ln.x1 for ln in p.body if ln.text[-1:] not in HANGING)
        assert BLOCK_RIGHT - 1.5 <= right <= BLOCK_RIGHT + 0.6, (p.number, right)
    full = [p for p in body if len(p.body) == 22]
    assert full
    for p in full:
        ys = sorted(ln.y0 for ln in p.body)
        pitch = statistics.median(b - a for a, b in zip(ys, ys[1:], strict=False)) * MM
        assert abs(pitch - 28.95) < 0.2, (p.number, pitch)


def test_28_characters_on_a_full_line(pages):
    lines = [
        ln
        for p in _body_pages(pages)
        for ln in p.body
        if ln.x1 - ln.x0 > 150 and all(ord(c) >= 0x2E80 for c in ln.text)
    ]
    assert lines  # most lines carry figures; the lines of Chinese only have exactly 28
    counts = [len(ln.text) - (ln.text[-1] in HANGING and ln.x1 > BLOCK_RIGHT + 1) for ln in lines]
    assert max(counts) == 28 and statistics.mode(counts) == 28


def test_page_numbers_7mm_under_the_block_outside_edge(pages):
    for p in pages:
        f = p.footer
        assert f.text == f"—{p.number}—", (p.number, f.text)
        assert 6.0 <= (f.y0 + f.y1) / 2 - BLOCK_BOTTOM <= 9.0, p.number
        one_char = 14 / MM
        if p.number % 2:
            assert abs(BLOCK_RIGHT - f.x1 - one_char) < 1.0, (p.number, f.x1)
        else:
            assert abs(f.x0 - BLOCK_LEFT - one_char) < 1.0, (p.number, f.x0)


def test_tail_on_the_last_page_after_text_with_copies_right(pages):
    last = pages[-1]
    tail = [ln for ln in last.body if ln.text[:2] in ("报：", "送：", "发：")]
    assert [ln.text[:1] for ln in tail] == ["报", "送", "发"]
    text_above = [ln for ln in last.body if ln.y1 < tail[0].y0 and ln not in tail]
    assert text_above, "the 报尾 never stands alone on a page"
    copies = _line(last, "（共印40份）")
    assert abs(copies.y0 - tail[-1].y0) < 0.5 and abs(BLOCK_RIGHT - 14 / MM - copies.x1) < 1.0
    assert all(ln.y1 <= BLOCK_BOTTOM + 0.5 for ln in tail)


def test_fonts_embedded_and_text_extractable(pdf):
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(row.split()[-5] == "yes" for row in out.splitlines()[2:])
    flat = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "重点民生实事工作简报第5期" in flat
    assert "城镇新增就业（市人社局）：目标4980人，累计完成1234人，完成率24.8%" in flat
