"""Text laid out for a terminal or a cell: CJK characters take two columns."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns a text needs: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad (or cut, with 「…」) to exactly `width` columns."""
    if display_width(text) > width:
        out = ""
        for ch in text:
            if display_width(out + ch) > width - 1:
                break
            out += ch
        text = out + "…"
    pad = " " * (width - display_width(text))
    return pad + text if right else text + pad
