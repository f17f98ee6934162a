"""A minimal .xlsb writer for tests: sheets of strings and numbers as BIFF12 records ([MS-XLSB]).

No library writes .xlsb, and units' Excel does; this is enough for a reader to see the same
cells as in the .xlsx it was copied from: sheet names, hidden sheets, strings, numbers.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl


def _varint(n: int, limit: int) -> bytes:
    out = bytearray()
    for _ in range(limit):
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            break
    return bytes(out)


def _record(typ: int, data: bytes = b"") -> bytes:
    return _varint(typ, 2) + _varint(len(data), 4) + data


def _wide(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded) // 2) + encoded


def _sheet(rows: dict[int, dict[int, object]]) -> bytes:
    last_row = max(rows, default=0)
    last_col = max((c for r in rows.values() for c in r), default=0)
    out = [_record(0x81), _record(0x94, struct.pack("<4I", 0, last_row, 0, last_col)), _record(0x91)]
    for r in sorted(rows):
        out.append(_record(0x00, struct.pack("<I", r) + bytes(13)))
        for c in sorted(rows[r]):
            value = rows[r][c]
            head = struct.pack("<II", c, 0)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)):
                out.append(_record(0x05, head + struct.pack("<d", float(value))))
            else:
                out.append(_record(0x06, head + _wide(str(value))))
    out += [_record(0x92), _record(0x82)]
    return b"".join(out)


def xlsx_to_xlsb(src: Path, dst: Path) -> Path:
    """The cell values of every sheet of an .xlsx, saved as .xlsb (visibility kept)."""
    wb = openpyxl.load_workbook(src)
    sheets = []
    for ws in wb.worksheets:
        rows: dict[int, dict[int, object]] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or (isinstance(value, str) and value.startswith("=")):
                    continue
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                rows.setdefault(cell.row - 1, {})[cell.column - 1] = value
        sheets.append((ws.title, ws.sheet_state != "visible", rows))
    book = [_record(0x83), _record(0x8F)]
    rels = []
    for i, (name, hidden, _) in enumerate(sheets, start=1):
        book.append(_record(0x9C, struct.pack("<II", 1 if hidden else 0, i) + _wide(f"rId{i}") + _wide(name)))
        rels.append(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{i}.bin"/>'
        )
    book += [_record(0x90), _record(0x84)]
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.'
            'main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.bin"/></Relationships>',
        )
        z.writestr(
            "xl/_rels/workbook.bin.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}">{"".join(rels)}</Relationships>',
        )
        z.writestr("xl/workbook.bin", b"".join(book))
        for i, (_, _, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.bin", _sheet(rows))
    return dst
