"""发文字号 and 期数: numbered within the year, kept in the ledger once given.

Pure rules here; `Ledger.document_number` stores them. Re-rendering a period reuses its number,
a new period takes the next one, and each year starts again at 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..config import Config


@dataclass(frozen=True)
class Numbering:
    year: int
    seq: int  # 5 → 第5期, 邵东民生办〔2023〕5号
    prefix: str | None = None  # office.doc_prefix; None: the document has no 文号

    @property
    def issue(self) -> str:
        return f"第{self.seq}期"

    @property
    def doc_number(self) -> str | None:
        """GB 7.2.4: the year in 〔〕, no 第, no leading zeros."""
        return f"{self.prefix}〔{self.year}〕{self.seq}号" if self.prefix else None


def choose(existing: Mapping[str, int], period: str) -> int:
    """The number for `period`, given the year's numbers so far (period code → number)."""
    if period in existing:
        return existing[period]
    return max(existing.values(), default=0) + 1


def numbering_for(cfg: Config, year: int, seq: int) -> Numbering:
    prefix = (cfg.office.doc_prefix or "").strip() or None
    return Numbering(year=year, seq=seq, prefix=prefix)
