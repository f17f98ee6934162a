"""Numbers the Chinese way: rounding half up, percentages, 百分点 and quantities (dates: periods.cn_date).

Rounding is decimal half-up (41.65 → 41.7), as a clerk rounds by hand, never binary banker's
rounding. The output half formats every printed figure through these functions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_QUANTA = {d: Decimal(1).scaleb(-d) for d in range(-3, 13)}  # 1, 0.1, 0.01, …: one each, not one a call


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round as people do: 0.5 goes up. Uses the shortest repr of x, so 41.65 rounds to 41.7."""
    if decimals >= 0 and type(x) is float and x.is_integer():  # nothing to round (most targets, counts)
        return x
    q = _QUANTA.get(decimals) or Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def pct(fraction: float, decimals: int = 1) -> float:
    """A fraction as a percentage rounded for print: 5/12 → 41.7."""
    return round_half_up(fraction * 100, decimals)


def fixed(x: float, decimals: int) -> str:
    """x with exactly `decimals` decimals, half up; trailing zeros kept (80.0, 100.00)."""
    return f"{Decimal(repr(round_half_up(x, decimals))):.{decimals}f}"


def fmt_pct(value_pct: float | None, decimals: int = 1) -> str:
    """41.7 → 「41.7%」; None → 「—」."""
    return "—" if value_pct is None else fixed(value_pct, decimals) + "%"


def fmt_pp(gap: float | None, decimals: int = 1) -> str:
    """A signed gap in 百分点 without the sign word: 3.5 / -3.5 → 「3.5」; None → 「—」."""
    return "—" if gap is None else fixed(abs(gap), decimals)


def number_decimals(x: float) -> int:
    """How many decimals the number was written with (106.643 → 3, 4980.0 → 0), at most 4."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def fmt_number(x: float | None, decimals: int | None = None, grouping: bool = False) -> str:
    """A quantity as written in text: whole numbers plainly (4980), decimals as given (106.64)."""
    if x is None:
        return "—"
    if decimals is None and not grouping and type(x) is float and x.is_integer() and 0 < abs(x) < 1e15:
        return str(int(x))  # a whole number: what the digits below give (not -0.0, nor where repr has an exponent)
    d = number_decimals(x) if decimals is None else decimals
    text = fixed(x, d)
    if grouping:
        whole, _, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = f"{int(whole.lstrip('-')):,}"
        text = sign + whole + ("." + frac if frac else "")
    return text
