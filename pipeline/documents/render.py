"""Rendering a Word template with docxtpl, safely, with Chinese messages for a broken edit.

Values are escaped (autoescape) and a missing variable fails loudly (StrictUndefined) instead of
printing nothing. Text from outside is cleaned first: control characters and lone surrogates
would make the file unreadable, and docxtpl turns \\a \\f \\t \\n inside values into new
paragraphs, page breaks, tabs and line breaks. A template a clerk broke in Word (a tag split
across paragraphs, a misspelt variable, an unclosed `{% if %}`) gets a `UserError` naming the
tag and quoting the paragraph it is in.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate, InlineImage

from ..collector import collector_paused
from ..errors import Problem, UserError
from . import ooxml
from .basis import CLOSE, MARKED, NO_MARKS, OPEN, SEP, Basis
from .ooxml import qn
from .trace import trace

# XML 1.0 forbids these; Word refuses a file that has them. \t \n \r are legal but docxtpl
# would turn a tab or newline inside a value into layout, so they become spaces too.
# Bidirectional controls too: a unit's 「1200」 could display as 「0021」 while the 数据依据 says 1200.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \u3000]{2,}")

MARK_CHARS = (OPEN, SEP, CLOSE)
LONG_TEXT = 300  # characters of a unit's note printed in a bulletin; the rest is cut, saying so


# Anything clean_text would change: a control or bidi character, a lone surrogate, a run of
# spaces, space at either end. A city's context has 70,000 strings and nearly all are clean.
_UNCLEAN = re.compile(_CONTROL.pattern[:-1] + r"\ud800-\udfff]|[ \u3000]{2}|^\s|\s$")


def clean_text(text: str, limit: int | None = None) -> str:
    """One safe line of text: no control characters or lone surrogates; trimmed to `limit`, saying so."""
    if type(text) is str and (limit is None or len(text) <= limit) and not _UNCLEAN.search(text):
        return text  # what scrub would return, found with one search
    return scrub(text, limit)


def scrub(text: str, limit: int | None = None) -> str:
    """clean_text's work, done in full on any text."""
    s = _SURROGATE.sub("", str(text))
    s = _CONTROL.sub(" ", s)
    s = _SPACES.sub(" ", s).strip()
    if limit is not None and len(s) > limit:
        s = s[:limit].rstrip() + f"……（原文{len(s)}字，此处节选前{limit}字）"
    return s


def clean_context(value: Any) -> Any:
    """Every string in a context (dicts, lists, tuples) cleaned; other values kept."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: clean_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_context(v) for v in value]
    return value


# A w:t whose text holds a tab, bell, newline or form feed: what docxtpl's resolve_listing rewrites.
_LISTING_CHAR = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")


class Template(DocxTemplate):
    """docxtpl, minus a pass that finds nothing to do in our documents.

    resolve_listing runs three nested regular expressions over every paragraph, run and text of
    the rendered XML to turn \t \a \n \f inside values into layout; clean_text has already made
    them spaces, so the pass is skipped when no text holds one (a city's 附件: 60,000 runs)."""

    def resolve_listing(self, xml: str) -> str:
        return super().resolve_listing(xml) if _LISTING_CHAR.search(xml) else xml


def bind_pictures(value: Any, tpl: DocxTemplate) -> None:
    """Pictures a context builder made before the template was opened (InlineImage with no
    template yet) are bound to it here, so context builders stay free of the template file."""
    if isinstance(value, InlineImage):
        if value.tpl is None:
            value.tpl = tpl
    elif isinstance(value, Mapping):
        for v in value.values():
            bind_pictures(v, tpl)
    elif isinstance(value, list | tuple):
        for v in value:
            bind_pictures(v, tpl)


def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _xml_texts(tpl: DocxTemplate) -> list[tuple[str, str]]:
    """(part name, patched XML as docxtpl renders it) for the body, headers and footers."""
    doc = tpl.docx
    parts = [("正文", tpl.patch_xml(tpl.xml_to_string(doc.element.body)))]
    for rel in doc.part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
            xml = tpl.patch_xml(tpl.get_part_xml(rel.target_part))
            parts.append(("页眉" if rel.reltype == tpl.HEADER_URI else "页脚", xml))
    return parts


def _paragraph_at(xml: str, lineno: int | None) -> tuple[int | None, str]:
    """The paragraph (number from 1 in its part, and its text) at a line of the rendered source.

    docxtpl puts each <w:p> on its own line before Jinja sees the XML, so a line is a paragraph."""
    if lineno is None:
        return None, ""
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()
    if not 1 <= lineno <= len(lines):
        return None, ""
    number = sum(1 for line in lines[:lineno] if re.match(r"<w:p[ >]", line))
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1])
    return number or None, text.strip()


def _where(part: str, number: int | None, text: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "……"
    at = f"{part}第{number}段" if number else part
    return f"{at}「{shown}」" if shown else at


def _template_lineno(exc: BaseException) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        if frame.f_code.co_filename == "<template>":
            return line
    return None


def check_template(tpl: DocxTemplate, context: Mapping[str, Any], name: str) -> None:
    """Before rendering: every tag parses, and every variable the template names is in the context."""
    env = jinja_env()
    problems: list[Problem] = []
    for part, xml in _xml_texts(tpl):
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        try:
            env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            number, text = _paragraph_at(xml, exc.lineno)
            problems.append(
                Problem(f"{_where(part, number, text)}：标记写法有误（{_syntax_reason(exc)}）。", file=name)
            )
    if problems:
        raise UserError(f"模板「{name}」中有标记无法识别，请在 Word 中改正后再运行：", problems)
    missing = tpl.get_undeclared_template_variables(jinja_env=env, context=dict(context))
    if missing:
        for var in sorted(missing):
            found = [(part, *hit) for part, xml in _xml_texts(tpl) for hit in _paragraphs_naming(xml, var)]
            where = "；".join(_where(part, n, t) for part, n, t in found[:3]) or "模板中"
            problems.append(
                Problem(
                    f"{where}用到的「{{{{ {var} }}}}」不是程序提供的内容。"
                    "请对照 docs/bulletins.md 的变量表改正拼写，或删去这个标记。",
                    file=name,
                )
            )
        raise UserError(f"模板「{name}」中有程序不认识的变量：", problems)


def _paragraphs_naming(xml: str, var: str) -> list[tuple[int, str]]:
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()
    hits, number = [], 0
    pattern = re.compile(r"[{][{%][^}%]*\b" + re.escape(var) + r"\b")
    for line in lines:
        if re.match(r"<w:p[ >]", line):
            number += 1
        text = re.sub(r"<[^>]+>", "", line)
        if pattern.search(text):
            hits.append((number, text.strip()))
    return hits


_SYNTAX_HINTS = [
    ("unexpected end of template", "有 {% if %} 或 {% for %} 没有对应的 {% endif %} / {% endfor %}"),
    ("Encountered unknown tag", "出现了不认识的标记，或 {% endif %} / {% endfor %} 多了一个"),
    ("unexpected '}'", "花括号不成对"),
    ("unexpected char", "标记中有不认识的字符（如中文标点）"),
    ("expected token", "标记不完整"),
]


def _syntax_reason(exc: jinja2.TemplateSyntaxError) -> str:
    for key, hint in _SYNTAX_HINTS:
        if key in str(exc.message):
            return hint
    return "标记不完整或跨了段落：一个 {{ }} 或 {% %} 必须整个写在同一段内"


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    out: Path,
    *,
    preprinted: bool = False,
    basis: Basis | None = None,
    names: Iterable[str] = (),
) -> Path:
    """Render `template` with `context` (cleaned here) into `out`, then apply the 公文 post-processing.

    With a marking `basis` (the context was built with it), every number of the filled document
    is traced into `basis.occurrences` and the marks are removed before saving."""
    with collector_paused():  # a city's 附件: 60,000 runs, all alive until the file is saved
        return _render_docx(template, context, out, preprinted=preprinted, basis=basis, names=names)


def _render_docx(
    template: Path, context: Mapping[str, Any], out: Path, *, preprinted: bool, basis: Basis | None, names
) -> Path:
    if not template.exists():
        raise UserError(f"找不到模板文件「{template}」。请从 templates/ 文件夹恢复它，或检查文件名。")
    name = template.name
    try:
        tpl = Template(str(template))
        tpl.init_docx()
    except Exception as exc:  # a file Word cannot have written
        raise UserError(
            f"模板「{name}」无法打开（{type(exc).__name__}），请确认它是用 Word/WPS 保存的 .docx 文件。"
        ) from exc
    ctx = clean_context(context)
    bind_pictures(ctx, tpl)
    check_template(tpl, ctx, name)
    # the template's runs get their faces now, before a city's 附件 row is copied 5,000 times
    ooxml.fix_runs(tpl.docx)
    sections_before = len(tpl.docx.sections)
    try:
        tpl.render(ctx, jinja_env=jinja_env(), autoescape=True)
    except jinja2.TemplateError as exc:
        lineno = _template_lineno(exc)
        number, text = _paragraph_at(tpl.patch_xml(tpl.xml_to_string(tpl.docx.element.body)), lineno)
        raise UserError(
            f"模板「{name}」填写时出错：",
            [Problem(f"{_where('正文', number, text)}：{_runtime_reason(exc)}", file=name)],
        ) from exc
    doc = tpl.docx
    if basis is not None:
        basis.occurrences = trace(doc, basis, names)
        _sweep_marks(doc)
    if len(doc.sections) != sections_before:
        raise UserError(
            f"模板「{name}」的分节符丢失了（模板有{sections_before}节，生成后只有{len(doc.sections)}节）。"
            "分节符所在的段落里不能有 {%p %} 标记：请在 Word 中把这个标记移到上一段。"
        )
    ooxml.finish(doc, preprinted=preprinted, runs_fixed=True)
    _check_xml_text(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    tpl.save(str(out))
    return out


def _sweep_marks(doc) -> None:
    """No mark survives anywhere a template could have put a figure (text boxes, fields, headers)."""
    parts = [doc.element.body] + [
        rel.target_part.element
        for rel in doc.part.rels.values()
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external
    ]
    for el in parts:
        for t in el.iter(qn("w:t")):
            if t.text and any(c in t.text for c in MARK_CHARS):
                t.text = MARKED.sub(r"\2", t.text).translate(NO_MARKS)


def _runtime_reason(exc: jinja2.TemplateError) -> str:
    msg = str(exc.message or exc)
    m = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", msg)
    if m:
        return f"「{m.group(1) or m.group(2)}」不是程序提供的内容，请对照 docs/bulletins.md 改正。"
    return f"标记无法计算（{msg}）。"


def _check_xml_text(doc) -> None:
    """A last guard: no control character reached a w:t (docxtpl may have been fed one by a template)."""
    for t in doc.element.body.iter(qn("w:t")):
        if t.text and _CONTROL.search(t.text.replace("\t", "")):
            t.text = _CONTROL.sub(" ", t.text)
