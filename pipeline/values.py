"""Reading what a unit typed into a value cell, tolerantly, and saying what was done.

Pure functions. An empty cell is "not reported", never zero; `/`, `—`, `无` are an explicit
"not reported"; anything that is not clearly a number (or, for a milestone, one of its stages)
is invalid and is never guessed into a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from .model import ValueStatus

NOT_REPORTED_TOKENS = {"/", "-", "--", "—", "——", "―", "无", "暂无", "未报", "未填", "n/a", "na", "null", "空"}
EXCEL_ERRORS = {"#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_NUM_THEN_TEXT = re.compile(r"^([+-]?[\d.,]+)\s*([^\d.,\s].*)$")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_INVISIBLE = re.compile(r"[\u200b\ufeff]")
_SPACE_GROUPED = re.compile(r"[+-]?\d{1,3}( \d{3})+(\.\d+)?")  # 「1 234」「12 345.5」: thousands by spaces
_NUM_SPACE_UNIT = re.compile(r"([+-]?[\d.,]+) +([^\d\s.,].*)")  # 「300 人」
# Unicode's control (Cc: U+0000–001F, U+007F–009F) and surrogate (Cs) characters, tab and line feed kept
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Parsed:
    """`status`: ok, empty (cell left blank), not_reported (`/`, `无`…), invalid."""

    status: ValueStatus
    value: float | str | None = None
    raw: str = ""
    notes: tuple[str, ...] = ()
    reason: str = ""  # for invalid: a plain Chinese sentence

    def __reduce__(self):  # by position, the status by its text: faster back from a worker
        return (_parsed, (self.status.value, self.value, self.raw, self.notes, self.reason))

    @property
    def ok(self) -> bool:
        return self.status == ValueStatus.ok


def _parsed(status: str, value, raw: str, notes: tuple, reason: str) -> Parsed:
    return Parsed(_STATUSES[status], value, raw, notes, reason)


_STATUSES = {s.value: s for s in ValueStatus}


@dataclass
class _Work:
    text: str
    notes: list[str] = field(default_factory=list)


def raw_text(raw: object) -> str:
    """The value as the unit typed it, for messages and provenance."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()
    return str(raw)


def parse_number(raw: object, unit: str = "", allow_percent: bool = False) -> Parsed:
    shown = raw_text(raw)
    if raw is None:
        return Parsed(ValueStatus.empty, raw=shown)
    if isinstance(raw, bool):
        return Parsed(ValueStatus.invalid, raw=shown, reason="填的是逻辑值（TRUE/FALSE），应填数字")
    if isinstance(raw, (dt.datetime, dt.date, dt.time)):
        return Parsed(
            ValueStatus.invalid, raw=shown, reason="填成了日期或时间，应填数字（可能是单元格格式被设成了日期）"
        )
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return Parsed(ValueStatus.invalid, raw=shown, reason="不是有效数字")
        return Parsed(ValueStatus.ok, float(raw), shown)
    w = _Work(str(raw))
    _normalise(w)
    if not w.text:
        return Parsed(ValueStatus.empty, raw=shown, notes=tuple(w.notes))
    w.notes.insert(0, "数字是以文本形式填写的")
    if w.text.lower() in NOT_REPORTED_TOKENS:
        return Parsed(ValueStatus.not_reported, raw=shown, notes=(f"「{shown.strip()}」按未填报处理",))
    if w.text.upper() in EXCEL_ERRORS:
        return Parsed(ValueStatus.invalid, raw=shown, reason=f"单元格显示错误值「{w.text}」，请检查公式或改填数字")
    if w.text.startswith("="):
        return Parsed(ValueStatus.invalid, raw=shown, reason="填的是公式而不是数字，请直接填写数字")
    spaced = _inner_spaces(w)
    if spaced:
        return Parsed(ValueStatus.invalid, raw=shown, reason=spaced)
    return _to_number(w, shown, unit, allow_percent)


def _normalise(w: _Work) -> None:
    """Full width folded, surrounding space trimmed; a space inside survives for the number rules."""
    text = unicodedata.normalize("NFKC", w.text)
    if text != w.text:
        w.notes.append("全角字符已转为半角")
    text = _INVISIBLE.sub("", text)
    stripped = text.strip()
    if stripped != text:
        w.notes.append("去掉了首尾空格")
    w.text = stripped


def _inner_spaces(w: _Work) -> str | None:
    """A space inside a number is accepted only as a thousands separator (「1 234」) or before the
    unit (「300 人」); 「3 5」 or a line break between digits is not a number. Returns a reason or None."""
    if not _SPACES.search(w.text):
        return None
    single = _SPACES.sub(" ", w.text)
    if "\n" not in w.text and "\r" not in w.text and _SPACE_GROUPED.fullmatch(single):
        w.text = single.replace(" ", "")
        w.notes.append("去掉了千分位空格")
        return None
    m = _NUM_SPACE_UNIT.fullmatch(single)
    if m and not _SPACES.search(m.group(2)) and "\n" not in w.text:
        w.text = m.group(1) + m.group(2)
        return None
    return "数字中间夹了空格或换行，无法确定是哪一个数（空格只能用作千分位，如「1 234」），请只填一个数字"


def _to_number(w: _Work, shown: str, unit: str, allow_percent: bool) -> Parsed:
    text = w.text
    if text.endswith("%"):
        if not allow_percent:
            return Parsed(ValueStatus.invalid, raw=shown, reason="该指标不是百分比，不应带「%」，请只填数字")
        text = text[:-1]
        w.notes.append("去掉了百分号")
    m = _NUM_THEN_TEXT.match(text)
    if m and not _NUMBER.fullmatch(text):
        number, suffix = m.group(1), m.group(2)
        norm_unit = unicodedata.normalize("NFKC", unit).replace(" ", "")
        if norm_unit and suffix == norm_unit:
            w.notes.append(f"去掉了单位「{suffix}」")
            text = number
        else:
            hint = f"，本指标的计量单位是「{unit}」" if unit else ""
            return Parsed(ValueStatus.invalid, raw=shown, reason=f"数字后面带了「{suffix}」{hint}，请只填数字")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
        w.notes.append("去掉了千分位逗号")
    if not _NUMBER.fullmatch(text):
        return Parsed(ValueStatus.invalid, raw=shown, reason="不是数字，请只填阿拉伯数字（如 1234 或 12.5）")
    return Parsed(ValueStatus.ok, float(text), shown, tuple(w.notes))


def parse_stage(raw: object, stages: list[str]) -> Parsed:
    """A milestone's value: one of its stages, matched after trimming and full-width folding."""
    shown = raw_text(raw)
    if raw is None:
        return Parsed(ValueStatus.empty, raw=shown)
    w = _Work(str(raw))
    _normalise(w)
    w.text = _SPACES.sub("", w.text)  # a stage name never has meaningful spaces
    if not w.text:
        return Parsed(ValueStatus.empty, raw=shown)
    if w.text.lower() in NOT_REPORTED_TOKENS:
        return Parsed(ValueStatus.not_reported, raw=shown, notes=(f"「{shown.strip()}」按未填报处理",))
    folded = {_SPACES.sub("", unicodedata.normalize("NFKC", s)): s for s in stages}
    if w.text in folded:
        return Parsed(ValueStatus.ok, folded[w.text], shown, tuple(w.notes))
    return Parsed(ValueStatus.invalid, raw=shown, reason="不是可选的阶段，应为以下之一：" + "、".join(stages))


def clean_text(raw: object) -> tuple[str, list[str]]:
    """Narrative text from a unit, whole, with control characters removed; says what it did."""
    if raw is None:
        return "", []
    text = raw_text(raw)
    notes = []
    cleaned = _CONTROL.sub("", text)
    if len(cleaned) == len(text):  # nothing removed (\r is a control character: none either)
        return cleaned.strip(), notes
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if cleaned != text.replace("\r\n", "\n").replace("\r", "\n"):
        notes.append("去掉了不可见的控制字符")
    return cleaned.strip(), notes


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MD = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_filled_date(raw: object, near: dt.date) -> dt.date | None:
    """A 填报日期 as staff type it: an Excel date or serial, 「2023-6-28」「2023/6/28」「2023年6月28日」
    「20230628」, or without the year 「6月28日」「6.28」「6-28」 (the year closest to `near`).
    None when it is not a date."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)):
        if 20000 <= raw <= 80000 and float(raw).is_integer():  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        text = repr(float(raw))  # 6.28 typed into a number cell
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
    for pattern in (_YMD, _YMD_COMPACT):
        m = pattern.fullmatch(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    m = _MD.fullmatch(text)
    if m:
        candidates = []
        for year in (near.year - 1, near.year, near.year + 1):
            try:
                candidates.append(dt.date(year, int(m[1]), int(m[2])))
            except ValueError:
                continue
        return min(candidates, key=lambda d: abs((d - near).days)) if candidates else None
    return None
