"""Units of measure and their scale: 万人 and 人, 亿元 / 万元 / 元, 公里 and 米.

A target in 万人 may be broken down into townships in 人, and a 其中 child in 人 may sit under a
parent in 万人; sums and comparisons convert through `factor` first. Units that are not the same
quantity (人 and 户, 元/月 and 元/年) have no factor.
"""

from __future__ import annotations

import unicodedata

PREFIXES = {"亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}  # compound ones (千万) by recursion
SYNONYMS = {"公里": ("千米", 1.0), "平米": ("平方米", 1.0), "㎡": ("平方米", 1.0), "km": ("千米", 1.0)}
BASES_WITH_PREFIX_CHARS = {"千米": ("米", 1e3), "千克": ("克", 1e3), "千瓦": ("瓦", 1e3), "百分点": ("百分点", 1.0)}


def _norm(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit or "").replace(" ", "").strip()


def split(unit: str) -> tuple[str, float]:
    """A unit as (base, multiplier): 万人 → (人, 1e4); 公里 → (米, 1e3); 元/月 → (元/月, 1)."""
    u = _norm(unit)
    base, mult = SYNONYMS.get(u, (u, 1.0))
    if base in BASES_WITH_PREFIX_CHARS:
        b, m = BASES_WITH_PREFIX_CHARS[base]
        return b, mult * m
    for prefix, m in PREFIXES.items():
        rest = base[len(prefix) :]
        if base.startswith(prefix) and rest:
            inner, inner_mult = split(rest)
            return inner, mult * m * inner_mult
    return base, mult


def factor(from_unit: str, to_unit: str) -> float | None:
    """What a value in `from_unit` is multiplied by to be in `to_unit`; None when not comparable."""
    if _norm(from_unit) == _norm(to_unit):
        return 1.0
    base_a, mult_a = split(from_unit)
    base_b, mult_b = split(to_unit)
    if base_a != base_b:
        return None
    return mult_a / mult_b


def convert(value: float, from_unit: str, to_unit: str) -> float | None:
    f = factor(from_unit, to_unit)
    return None if f is None else value * f
