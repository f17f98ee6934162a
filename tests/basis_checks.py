"""Checks every document's 数据依据 must pass, written apart from pipeline/documents/trace.py.

`document_numbers` reads a rendered .docx the way a reader does and lists every number in its
text (not dates, 期数, 文号, ordinals, the table's 序号 or digits inside the config's names);
`assert_traced` holds the workbook against it: the same numbers, none unexplained, each computed
value rounding to what is printed, each input a real archived cell whose text is the raw given.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import docx
import openpyxl
from docx.oxml.ns import qn

from pipeline.config import Config
from pipeline.numbers import fixed

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
NOT_NUMBERS = [
    r"\d{4}年",
    r"\d{1,2}(?:[-—至～]\d{1,2})?月",
    r"\d{1,2}日",
    r"第\d+期",
    r"〔\d{4}〕\d+号",
    r"^\s*\d{1,3}[.．、]\s",
    r"（原文\d+字，此处节选前\d+字）",
]


def names(cfg: Config) -> list[str]:
    out = [cfg.office.name, *(u.name for u in cfg.units), *(a.name for a in cfg.areas)]
    out += [alias for u in cfg.units for alias in u.aliases]
    for p, ind in cfg.indicators():
        out += [p.title, ind.name, ind.unit]
    if cfg.source is not None:
        out += [cfg.source.title, cfg.source.number or ""]
    out += list(cfg.bulletins.requirements)
    out += [n.replace("“", "‘").replace("”", "’") for n in out if "“" in n]  # a title quoted in a quote
    return sorted({n for n in out if n}, key=len, reverse=True)


def _numbers_in(text: str, skip: list[str]) -> list[str]:
    for name in skip:
        text = text.replace(name, " ")
    for pattern in NOT_NUMBERS:
        text = re.sub(pattern, " ", text)
    return [m.group(0).replace(",", "") for m in NUMBER.finditer(text)]


def document_numbers(path: Path, cfg: Config, wording: tuple[str, ...] = ()) -> list[str]:
    d = docx.Document(str(path))
    skip = sorted({*names(cfg), *wording}, key=len, reverse=True)
    found: list[str] = []
    for child in d.element.body.iterchildren():
        if child.tag == qn("w:p"):
            found += _numbers_in("".join(t.text or "" for t in child.iter(qn("w:t"))), skip)
        elif child.tag == qn("w:tbl"):
            rows = child.findall(qn("w:tr"))
            head = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in rows[0].findall(qn("w:tc"))]
            for tr in rows[1:]:
                for c, tc in enumerate(tr.findall(qn("w:tc"))):
                    if c < len(head) and head[c].strip() == "序号":
                        continue
                    found += _numbers_in("".join(t.text or "" for t in tc.iter(qn("w:t"))), skip)
    return found


def basis_rows(path: Path) -> tuple[list[dict], list[dict]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    sheets = []
    for name in ("数据依据", "全部来源"):
        rows = list(wb[name].iter_rows(min_row=2, values_only=True))
        head = rows[0]
        sheets.append([dict(zip(head, r, strict=False)) for r in rows[1:]])
    return sheets[0], sheets[1]


def assert_traced(document: Path, cfg: Config, outputs: Path | None, wording: tuple[str, ...] = ()) -> list[dict]:
    """Every number of `document` is in its 数据依据, explained, computed right, from real cells
    (the cells are opened in `outputs`' archive unless it is None: a hand-built report).

    `wording`: the template's own phrases with digits that are no figure (「图1」). A chart's bars
    are listed in the workbook (位置 「图1第N条」) though the picture is no text."""
    workbook = document.with_name(f"{document.stem}_数据依据.xlsx")
    rows, inputs = basis_rows(workbook)
    in_text = Counter(document_numbers(document, cfg, wording))
    in_book = Counter(str(r["印出的数"]) for r in rows if not re.match(r"图\d+第\d+条", str(r["位置"])))
    assert in_text == in_book, (in_text - in_book, in_book - in_text)
    unexplained = [r for r in rows if str(r["含义"]).startswith("未找到")]
    assert not unexplained, unexplained[:5]
    for r in rows:
        _value_prints_as(r)
    books: dict[str, openpyxl.Workbook] = {}
    for s in inputs if outputs is not None else ():
        archived = outputs / s["存档路径"]
        assert archived.is_file(), s
        book = books.setdefault(s["存档路径"], openpyxl.load_workbook(archived, read_only=True))
        assert str(book[s["工作表"]][s["单元格"]].value) == str(s["原始填写"]), s
    first = {}
    for s in inputs:
        first.setdefault(s["序号"], s)
    for r in rows if outputs is not None else ():
        # a value one unit typed: its first cell's text gives the number printed (「38.3公里」 → 38.3)
        if str(r["计算方法"]).startswith("单位填报") and "亿元" not in str(r["所在文字"]):
            typed = [float(n.replace(",", "")) for n in NUMBER.findall(str(first[r["序号"]]["原始填写"]))]
            assert float(r["印出的数"]) in typed, (r, first[r["序号"]])
    return rows


PERCENT_MEANINGS = ("完成率", "序时进度", "完成率（图中条形）")  # what a fraction stands for


def _value_prints_as(row: dict) -> None:
    """The unrounded value behind a figure, rounded half up as a clerk would, is the number printed:
    fractions print as percentages (0.6265 → 62.7), every other value as it is (4980, 3.5 百分点)."""
    value, printed, meaning = row["计算值"], str(row["印出的数"]), str(row["含义"])
    if value in (None, "") or "占比" in meaning or "亿元" in str(row["所在文字"]):
        return  # shares go by largest remainder (test_documents); 亿元 are 万元 ÷ 10000
    what = meaning.split("·")[-1]  # 「城镇新增就业·完成率」: the figure's kind, after its subject
    scale = 100 if what.endswith(PERCENT_MEANINGS) else 1  # 「…（百分点）」 are 百分点 already
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    assert fixed(abs(float(value) * scale), decimals) == printed, row
