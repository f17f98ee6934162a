"""Finding, sniffing and reading returned files into plain data, once.

Nothing downstream touches a file again: `read_workbook` returns a `RawWorkbook` (sheet
names, visibility, cell grids, and for zip-based files the formulas, error values and merged
ranges found in the sheet XML). Every way a file can be unusable becomes a `FileProblem` with a
plain Chinese sentence, never a traceback: a panic inside the Rust reader (a `BaseException`)
included. `read_files` reads in worker processes, so a reader that aborts or runs out of memory
costs only its own file, and memory is bounded per file where the OS allows it (pipeline.workers).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

from . import messages

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".xltx", ".et", ".ods"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is ~30 KB; anything this big is not one
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # zip bomb guard: a filled form unzips to ~200 KB
MAX_ZIP_ENTRIES = 2000
# The area a form can have: a few hundred indicator rows at most, columns A–M plus the hidden
# sheet's row table and stage lists. A sheet that reaches far beyond is refused before reading
# (zip formats) and every grid is cut to this area after reading.
MAX_FORM_ROWS = 5000
MAX_FORM_COLS = 64
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
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
    errors: dict[str, str] = field(default_factory=dict)  # "H7" → "#DIV/0!": error values (calamine gives "")
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
    fmt: str  # xlsx, xlsb, xls, ods
    sheets: dict[str, RawSheet]

    def sheet(self, name: str) -> RawSheet | None:
        return self.sheets.get(name)


@dataclass(frozen=True)
class Discovered:
    path: Path
    relative: str
    kind: str  # spreadsheet, ignored
    size: int = 0  # from the one stat of the walk
    mtime: float = 0.0


def discover(inputs: Path) -> list[Discovered]:
    """Every file under inputs/, spreadsheets first classified by suffix; lock and hidden files skipped.

    One walk with one stat per file: the size and time travel with the file, so nothing stats it again.
    """
    found = []
    for path, st in sorted(_walk(inputs), key=lambda x: x[0]):
        rel = path.relative_to(inputs)
        kind = "spreadsheet" if path.suffix.lower() in SPREADSHEET_SUFFIXES else "ignored"
        found.append(Discovered(path, rel.as_posix(), kind, st.st_size, st.st_mtime))
    return found


def _walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Regular files below `folder`, as Path.rglob and is_file see them (a link to a file counts,
    a linked folder is not entered); hidden names and Office lock files (~$…) left out."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path)
                continue
            if entry.name.startswith("~$"):
                continue
            st = entry.stat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            yield path, st


def sniff(data: bytes, suffix: str) -> str:
    """The real format from the first bytes: xlsx (zip), ole (xls or encrypted OOXML), or a problem."""
    if not data:
        raise FileProblem("F-EMPTY", "文件是空的（0 字节），可能在发送或下载时出了问题", "请单位重新发送文件")
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise FileProblem("F-ENCRYPTED", messages.ENCRYPTED, messages.ENCRYPTED_HINT)
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
    raise FileProblem("F-CORRUPT", "文件已损坏或不是 Excel 工作簿，无法打开", messages.CORRUPT_HINT)


def _looks_like_text(chunk: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            text = chunk.decode(enc)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def check_zip(path: Path, data: bytes | None = None) -> dict[str, bytes]:
    """Open a zip-based workbook safely and return the XML parts we scan ourselves.

    Every XML part is inflated once, straight from `data` when given (the bytes already read
    and hashed), to look for DTDs; zipfile reads a part only when something about it is unusual,
    so that its errors stay the ones staff see.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
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
                raise FileProblem("F-ENCRYPTED", messages.ENCRYPTED, messages.ENCRYPTED_HINT)
            is_ods = "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME
            if "[Content_Types].xml" not in names and not is_ods:
                raise FileProblem("F-NOT-EXCEL", "文件是压缩包，但不是 Excel 工作簿", "请单位发送 Excel 填报表")
            parts = {}
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    part = _inflate(data, info) if data is not None else None
                    if part is None:
                        part = zf.read(info)
                    if _has_dtd(part):
                        raise FileProblem(
                            "F-UNSAFE-XML",
                            f"文件内部「{info.filename}」含有不安全的 XML 声明（DTD/实体），已拒收以保护电脑安全",
                            "请单位用 Excel/WPS 打开后重新保存，或重新填写下发的填报表",
                        )
                    if _needed(info.filename):  # every XML part is scanned; only these are kept
                        parts[info.filename] = part
            if is_ods:
                parts["mimetype"] = ODS_MIME
            if "xl/workbook.bin" in names:
                parts["xl/workbook.bin"] = b""
            return parts
    except zipfile.BadZipFile:
        raise FileProblem(
            "F-CORRUPT", "文件已损坏（压缩结构不完整，可能没有传完整），无法打开", "请单位重新发送完整的文件"
        ) from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise FileProblem(
            "F-CORRUPT", f"文件无法解压（{type(exc).__name__}），无法打开", "请单位重新发送文件"
        ) from None


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, name length, extra length
_PLAIN_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, patched, strongly encrypted: zipfile's business


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part's bytes read straight from the archive in memory, or None when anything is unusual
    (zipfile then reads it and raises what it raises). Returned only when the length and CRC-32
    are the ones the directory records, i.e. exactly what zipfile would return."""
    if info.flag_bits & _PLAIN_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    offset = info.header_offset
    head = data[offset : offset + _LOCAL_HEADER.size]
    if len(head) < _LOCAL_HEADER.size:
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(head)
    start = offset + _LOCAL_HEADER.size
    name = data[start : start + name_length]
    try:
        if signature != b"PK\x03\x04" or name.decode("utf-8" if info.flag_bits & 0x800 else "cp437") != (
            info.orig_filename
        ):
            return None
    except UnicodeDecodeError:
        return None
    start += name_length + extra_length
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        return None
    try:
        part = raw if info.compress_type == zipfile.ZIP_STORED else zlib.decompress(raw, -15)
    except zlib.error:
        return None
    if len(part) != info.file_size or zlib.crc32(part) != info.CRC:
        return None
    return part


def _needed(name: str) -> bool:
    return name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or (
        name.startswith("xl/worksheets/") and name.endswith(".xml")
    )


def _has_dtd(data: bytes) -> bool:
    head = data[:4096]
    return b"<!DOCTYPE" in head or b"<!ENTITY" in data


def _check_area(xml_by_sheet: dict[str, bytes]) -> None:
    """Refuse a sheet whose cells reach far beyond any form, before the reader allocates its grid."""
    for name, xml in xml_by_sheet.items():
        rows = max(map(int, _ROW_NUMBER.findall(xml)), default=0)
        cols = max((col_number(m.decode()) + 1 for m in set(_CELL_COLUMN.findall(xml))), default=0)
        if rows > MAX_FORM_ROWS or cols > MAX_FORM_COLS * 4:
            raise FileProblem(
                "F-TOO-BIG",
                messages.AREA_TOO_LARGE.format(sheet=name, rows=rows, cols=cols, max_rows=MAX_FORM_ROWS),
                messages.AREA_TOO_LARGE_HINT,
            )


_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"')


def read_workbook(path: Path, data: bytes | None = None) -> RawWorkbook:
    """Read every sheet once. Raises FileProblem for anything that is not a readable workbook.

    `data` is the file's content when the caller has already read it (to hash it): the file is
    then not opened again. The format is taken from the content, not the name: a .xls that is
    really .xlsx (or the reverse) reads as what it is. A panic of the reader becomes F-CORRUPT;
    its Rust message never reaches the screen.
    """
    try:
        with _quiet_stderr():
            return _read_workbook(path, data)
    except FileProblem:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except MemoryError:
        raise FileProblem("F-TOO-BIG", messages.TOO_MUCH_MEMORY, messages.AREA_TOO_LARGE_HINT) from None
    except BaseException:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        raise FileProblem("F-CORRUPT", messages.READER_CRASH, messages.CORRUPT_HINT) from None


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to nowhere while the Rust reader runs (a panic prints there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (GUI, captured): nothing to hide
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _read_workbook(path: Path, data: bytes | None = None) -> RawWorkbook:
    size = path.stat().st_size if data is None else len(data)
    if size > MAX_FILE_BYTES:
        raise FileProblem(
            "F-TOO-BIG",
            f"文件大小 {size / 1024 / 1024:.0f} MB，远超正常报表（上限 {MAX_FILE_BYTES // 1024 // 1024} MB），已拒收",
            "请单位删除表中多余的图片或内容后重新发送",
        )
    if data is None:
        data = path.read_bytes()
    container = sniff(data, path.suffix.lower())
    parts = check_zip(path, data) if container == "zip" else {}
    xml_by_sheet = _sheet_xml_by_name(parts) if parts else {}
    _check_area(xml_by_sheet)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise FileProblem("F-ENCRYPTED", messages.ENCRYPTED, messages.ENCRYPTED_HINT) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise FileProblem("F-CORRUPT", f"文件已损坏，无法打开（{_short(exc)}）", messages.CORRUPT_HINT) from None
    sheets: dict[str, RawSheet] = {}
    try:
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = [r[:MAX_FORM_COLS] for r in sheet.to_python(skip_empty_area=False, nrows=MAX_FORM_ROWS)]
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            raw = RawSheet(meta.name, visible, rows)
            xml = xml_by_sheet.get(meta.name)
            if xml is not None:
                raw.formulas, raw.merged, raw.errors = scan_sheet_xml(xml)
            else:
                raw.merged = _calamine_merges(sheet)
            sheets[meta.name] = raw
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise FileProblem("F-CORRUPT", f"文件内容损坏，无法读取（{_short(exc)}）", messages.CORRUPT_HINT) from None
    finally:
        wb.close()
    if container != "zip":
        fmt = "xls"
    elif "xl/workbook.xml" in parts:
        fmt = "xlsx"
    elif "xl/workbook.bin" in parts:
        fmt = "xlsb"
    else:
        fmt = "ods"
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


_XML_REF = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|quot|apos|amp);")
_NAMED = {"lt": "<", "gt": ">", "quot": '"', "apos": "'", "amp": "&"}


def _unescape(text: str) -> str:
    """XML text as written: the five named entities and character references (&#28857; → 点)."""

    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref[0] != "#":
            return _NAMED[ref]
        try:
            code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _XML_REF.sub(one, text)


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_F = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*?ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


_ERROR_TYPE = re.compile(rb'\bt="e"')


def scan_sheet_xml(
    xml: bytes,
) -> tuple[dict[str, tuple[str, bool]], list[tuple[int, int, int, int]], dict[str, str]]:
    """Formula cells (with whether a cached value was saved), merged ranges and error values.

    Only the cells that hold a `<f` or a `t="e"` are parsed: the scan jumps from one to the next
    and steps back to the cell around it, instead of matching every cell of the sheet.
    """
    formulas: dict[str, tuple[str, bool]] = {}
    errors: dict[str, str] = {}
    for m in _candidate_cells(xml):
        body = m.group(2)
        if not body:
            continue
        is_error = bool(_ERROR_TYPE.search(m.group(1)))
        if b"<f" not in body and not is_error:
            continue
        ref = _REF.search(m.group(1))
        if not ref:
            continue
        where = (ref.group(1) + ref.group(2)).decode()
        v = _V.search(body)
        if is_error and v:
            errors[where] = _unescape(v.group(1).decode("utf-8", "replace")).strip()
        f = _F.search(body)
        if not f:
            continue
        cached = bool(v and v.group(1).strip())
        text = _unescape((f.group(1) or b"").decode("utf-8", "replace"))
        formulas[where] = (text, cached)
    start = xml.find(b"<mergeCell")
    merged = (
        []
        if start < 0
        else [
            (int(r1) - 1, col_number(c1.decode()), int(r2) - 1, col_number(c2.decode()))
            for c1, r1, c2, r2 in _MERGE.findall(xml, start)
        ]
    )
    return formulas, merged, errors


def _candidate_cells(xml: bytes) -> list[re.Match]:
    """The `<c …>…</c>` matches around each `<f` and `t="e"`, in document order, each once."""
    marks = []
    for needle in (b"<f", b't="e"'):
        at = xml.find(needle)
        while at >= 0:
            if needle != b"<f" or not _WORD_BYTE.match(xml, at + 2):  # <f>, not <formula1> or <fill>
                marks.append(at)
            at = xml.find(needle, at + 1)
    cells: dict[int, re.Match] = {}
    for at in sorted(marks):
        start = _cell_start(xml, at)
        if start < 0 or start in cells:
            continue
        m = _CELL.match(xml, start)
        if m is not None and at < m.end():
            cells[start] = m
    return [cells[s] for s in sorted(cells)]


def _cell_start(xml: bytes, at: int) -> int:
    """Where the cell element enclosing position `at` begins (`<c` then a non-word byte), or -1."""
    start = xml.rfind(b"<c", 0, at)
    while start >= 0 and _WORD_BYTE.match(xml, start + 2):
        start = xml.rfind(b"<c", 0, start)
    return start


_WORD_BYTE = re.compile(rb"\w")


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


Reader = Callable[[Path], RawWorkbook]


def read_files(paths: Iterable[Path], reader: Reader = read_workbook, workers: int | None = None) -> Iterator:
    """Each path's RawWorkbook or FileProblem, in order, read in worker processes (pipeline.workers)."""
    from .workers import Job, run_ordered

    job = Job("read", None, None, None)
    stream = run_ordered(paths, lambda p: (reader, str(Path(p).resolve())), _read_task, job, _crashed, workers)
    for _, answer in stream:
        yield answer[1] if answer[0] == "ok" else FileProblem(*answer[1:])


def _read_task(_job, reader: Reader, path: str) -> tuple:
    """A picklable answer, never an exception the pool cannot carry."""
    try:
        return ("ok", reader(Path(path)))
    except FileProblem as p:
        return ("problem", p.code, p.message, p.hint)
    except MemoryError:
        return ("problem", "F-TOO-BIG", messages.TOO_MUCH_MEMORY, messages.AREA_TOO_LARGE_HINT)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a reader crash of any kind is this file's problem
        return _crashed(False)


def _crashed(timed_out: bool) -> tuple:
    from .workers import TASK_TIMEOUT_S

    message = messages.READER_TIMEOUT.format(seconds=TASK_TIMEOUT_S) if timed_out else messages.READER_CRASH
    return ("problem", "F-CORRUPT", message, messages.CORRUPT_HINT)


_PROPERTY = re.compile(rb'<property\b[^>]*?name="minsheng_([a-z_]+)"[^>]*>\s*<vt:\w+[^>]*>([^<]*)</vt:\w+>', re.S)


def peek_properties(path: Path) -> dict[str, str]:
    """The form's custom document properties (minsheng_unit_code…) of a file that could not be
    read as a workbook, when its zip directory still opens: for telling whose file was refused."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1024 * 1024:
                return {}
            data = zf.read(info)
    except Exception:  # noqa: BLE001 - best effort on a file already refused
        return {}
    if _has_dtd(data):
        return {}
    return {k.decode(): _unescape(v.decode("utf-8", "replace")) for k, v in _PROPERTY.findall(data)}
