"""Finding, sniffing and reading returned files into plain data, once.

Nothing downstream touches a file again: `read_workbook` returns a `RawWorkbook` (sheet
names, visibility, cell grids, and for zip-based files the formulas and merged ranges found
in the sheet XML). Every way a file can be unusable becomes a `FileProblem` with a plain
Chinese sentence, never a traceback.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xltx", ".et", ".ods"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is ~30 KB; anything this big is not one
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # zip bomb guard: a filled form unzips to ~200 KB
MAX_ZIP_ENTRIES = 2000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class FileProblem(Exception):
    """A file that cannot be read as a form at all; `code` is a finding rule code."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@dataclass
class RawSheet:
    name: str
    visible: bool
    rows: list[list]  # cell values as calamine returns them, row 0 = Excel row 1
    formulas: dict[str, tuple[str, bool]] = field(default_factory=dict)  # "H7" → (formula, has cached value)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2 inclusive

    def cell(self, row: int, col: int):
        """Value at 1-based row, 0-based column; None when outside the grid or empty."""
        if row - 1 < 0 or row - 1 >= len(self.rows):
            return None
        r = self.rows[row - 1]
        if col >= len(r):
            return None
        value = r[col]
        return None if value == "" else value


@dataclass
class RawWorkbook:
    path: Path
    fmt: str  # xlsx, xls, ods
    sheets: dict[str, RawSheet]

    def sheet(self, name: str) -> RawSheet | None:
        return self.sheets.get(name)


@dataclass(frozen=True)
class Discovered:
    path: Path
    relative: str
    kind: str  # spreadsheet, ignored


def discover(inputs: Path) -> list[Discovered]:
    """Every file under inputs/, spreadsheets first classified by suffix; lock and hidden files skipped."""
    found = []
    for path in sorted(inputs.rglob("*")):
        rel = path.relative_to(inputs)
        if any(part.startswith(".") for part in rel.parts) or path.name.startswith("~$"):
            continue
        if not path.is_file():
            continue
        kind = "spreadsheet" if path.suffix.lower() in SPREADSHEET_SUFFIXES else "ignored"
        found.append(Discovered(path, rel.as_posix(), kind))
    return found


def sniff(data: bytes, suffix: str) -> str:
    """The real format from the first bytes: xlsx (zip), ole (xls or encrypted OOXML), or a problem."""
    if not data:
        raise FileProblem("F-EMPTY", "文件是空的（0 字节），可能在发送或下载时出了问题", "请单位重新发送文件")
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise FileProblem(
                "F-ENCRYPTED",
                "文件已加密（设置了打开密码），程序无法读取",
                "请单位在 Excel/WPS 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新发送",
            )
        return "ole"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<")):
        raise FileProblem(
            "F-NOT-EXCEL",
            f"文件扩展名是「{suffix}」，但内容实际是网页/XML 格式，不是 Excel 工作簿",
            "请单位用下发的填报表填写，并在 Excel/WPS 中「另存为」Excel 工作簿（.xlsx）后重新发送",
        )
    if _looks_like_text(data[:4096]):
        raise FileProblem(
            "F-NOT-EXCEL",
            f"文件扩展名是「{suffix}」，但内容实际是纯文本（如 CSV），不是 Excel 工作簿",
            "请单位用下发的填报表填写，并保存为 Excel 工作簿（.xlsx）后重新发送",
        )
    raise FileProblem(
        "F-CORRUPT", "文件已损坏或不是 Excel 工作簿，无法打开", "请单位用 Excel/WPS 打开确认无误后重新发送"
    )


def _looks_like_text(chunk: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            text = chunk.decode(enc)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def check_zip(path: Path) -> dict[str, bytes]:
    """Open a zip-based workbook safely and return the XML parts we scan ourselves."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise FileProblem(
                    "F-ZIP-BOMB",
                    f"压缩包内有 {len(infos)} 个部件，远超正常报表，已拒收",
                    "请单位用下发的填报表重新填写",
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_UNZIPPED_BYTES:
                raise FileProblem(
                    "F-ZIP-BOMB",
                    f"文件解压后达 {total // (1024 * 1024)} MB，远超正常报表（疑似压缩炸弹），已拒收",
                    "请单位用下发的填报表重新填写",
                )
            names = {i.filename for i in infos}
            if "EncryptionInfo" in names or "EncryptedPackage" in names:
                raise FileProblem(
                    "F-ENCRYPTED", "文件已加密（设置了打开密码），程序无法读取", "请单位取消密码后重新发送"
                )
            if "[Content_Types].xml" not in names:
                raise FileProblem("F-NOT-EXCEL", "文件是压缩包，但不是 Excel 工作簿", "请单位发送 Excel 填报表")
            parts = {}
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    data = zf.read(info)
                    if _has_dtd(data):
                        raise FileProblem(
                            "F-UNSAFE-XML",
                            f"文件内部「{info.filename}」含有不安全的 XML 声明（DTD/实体），已拒收以保护电脑安全",
                            "请单位用 Excel/WPS 打开后重新保存，或重新填写下发的填报表",
                        )
                    if _needed(info.filename):  # every XML part is scanned; only these are kept
                        parts[info.filename] = data
            return parts
    except zipfile.BadZipFile:
        raise FileProblem(
            "F-CORRUPT", "文件已损坏（压缩结构不完整，可能没有传完整），无法打开", "请单位重新发送完整的文件"
        ) from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise FileProblem(
            "F-CORRUPT", f"文件无法解压（{type(exc).__name__}），无法打开", "请单位重新发送文件"
        ) from None


def _needed(name: str) -> bool:
    return name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or (
        name.startswith("xl/worksheets/") and name.endswith(".xml")
    )


def _has_dtd(data: bytes) -> bool:
    head = data[:4096]
    return b"<!DOCTYPE" in head or b"<!ENTITY" in data


def read_workbook(path: Path) -> RawWorkbook:
    """Read every sheet once. Raises FileProblem for anything that is not a readable workbook.

    The format is taken from the content, not the name: a .xls that is really .xlsx (or the
    reverse) reads as what it is.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileProblem(
            "F-TOO-BIG",
            f"文件大小 {size / 1024 / 1024:.0f} MB，远超正常报表（上限 {MAX_FILE_BYTES // 1024 // 1024} MB），已拒收",
            "请单位删除表中多余的图片或内容后重新发送",
        )
    data = path.read_bytes()
    container = sniff(data, path.suffix.lower())
    parts = check_zip(path) if container == "zip" else {}
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise FileProblem(
            "F-ENCRYPTED", "文件已加密（设置了打开密码），程序无法读取", "请单位取消密码后重新发送"
        ) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise FileProblem(
            "F-CORRUPT", f"文件已损坏，无法打开（{_short(exc)}）", "请单位用 Excel/WPS 打开确认无误后重新发送"
        ) from None
    sheets: dict[str, RawSheet] = {}
    xml_by_sheet = _sheet_xml_by_name(parts) if parts else {}
    try:
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            raw = RawSheet(meta.name, visible, rows)
            xml = xml_by_sheet.get(meta.name)
            if xml is not None:
                raw.formulas, raw.merged = scan_sheet_xml(xml)
            else:
                raw.merged = _calamine_merges(sheet)
            sheets[meta.name] = raw
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise FileProblem(
            "F-CORRUPT", f"文件内容损坏，无法读取（{_short(exc)}）", "请单位用 Excel/WPS 打开确认无误后重新发送"
        ) from None
    finally:
        wb.close()
    fmt = "xlsx" if container == "zip" and "xl/workbook.xml" in parts else ("ods" if container == "zip" else "xls")
    return RawWorkbook(path, fmt, sheets)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


def _calamine_merges(sheet) -> list[tuple[int, int, int, int]]:
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - not every format exposes merges
        return []
    return [(a[0], a[1], b[0], b[1]) for a, b in ranges]


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_SHEET_ENTRY_ALT = re.compile(rb'<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"', re.S)
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', re.S)


def _sheet_xml_by_name(parts: dict[str, bytes]) -> dict[str, bytes]:
    wb = parts.get("xl/workbook.xml", b"")
    rels = parts.get("xl/_rels/workbook.xml.rels", b"")
    targets = {m.group(1): m.group(2) for m in _REL.finditer(rels)}
    targets.update({m.group(2): m.group(1) for m in _REL_ALT.finditer(rels)})
    entries = [(m.group(1), m.group(2)) for m in _SHEET_ENTRY.finditer(wb)]
    entries += [(m.group(2), m.group(1)) for m in _SHEET_ENTRY_ALT.finditer(wb)]
    out = {}
    for name, rid in entries:
        target = targets.get(rid)
        if target is None:
            continue
        target = target.decode()
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part in parts:
            out[_unescape(name.decode("utf-8"))] = parts[part]
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_F = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*?ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def scan_sheet_xml(xml: bytes) -> tuple[dict[str, tuple[str, bool]], list[tuple[int, int, int, int]]]:
    """Formula cells (with whether a cached value was saved) and merged ranges, from sheet XML."""
    formulas = {}
    if b"<f" in xml:
        for m in _CELL.finditer(xml):
            body = m.group(2)
            if not body or b"<f" not in body:
                continue
            ref = _REF.search(m.group(1))
            f = _F.search(body)
            if not ref or not f:
                continue
            v = _V.search(body)
            cached = bool(v and v.group(1).strip())
            text = _unescape((f.group(1) or b"").decode("utf-8", "replace"))
            formulas[(ref.group(1) + ref.group(2)).decode()] = (text, cached)
    merged = [
        (int(r1) - 1, col_number(c1.decode()), int(r2) - 1, col_number(c2.decode()))
        for c1, r1, c2, r2 in _MERGE.findall(xml)
    ]
    return formulas, merged


def col_number(letters: str) -> int:
    """0-based column index of Excel letters: A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
