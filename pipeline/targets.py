"""What an indicator's target says, as one short text for forms, tables and documents.

The 年度目标 column prints what the config says: 暂定 numbers, a baseline to improve on, a share
in %, a coverage of N sites, a deadline, the total investment beside the year's plan.
"""

from __future__ import annotations

from .config import NOT_APPLICABLE, Direction, Indicator, Kind
from .numbers import fmt_number
from .periods import cn_date

PENDING_TEXT = "目标待定"


_MEMO: dict[int, tuple[Indicator, dict]] = {}


def _memo(ind: Indicator) -> dict:
    """Per indicator object (frozen, as the config is; held so its id stays its own): its answers."""
    hit = _MEMO.get(id(ind))
    if hit is None or hit[0] is not ind:
        if len(_MEMO) > 20000:
            _MEMO.clear()
        hit = _MEMO[id(ind)] = (ind, {})
    return hit[1]


def numeric_target(ind: Indicator, area: str | None = None) -> float | None:
    """The number progress is measured against, for the total or one area (None: none applies)."""
    memo = _memo(ind)
    key = ("number", area)
    if key not in memo:
        memo[key] = _numeric_target(ind, area)
    return memo[key]


def _numeric_target(ind: Indicator, area: str | None) -> float | None:
    if ind.kind == Kind.milestone or ind.site(area):
        return None
    if ind.improve:
        return ind.area_baselines.get(area, ind.baseline) if area else ind.baseline
    if ind.is_share_percent:
        return ind.share_percent
    if area is None:
        return None if ind.is_pending and ind.target is None else ind.target
    value = ind.area_targets.get(area)
    return None if value is None or value == NOT_APPLICABLE else float(value)


def target_text(ind: Indicator, area: str | None = None) -> str:
    """The 年度目标 cell: 4980 / 暂定4980 / 在96.4%基础上持续改善 / ≥4%（占总床位） / 启动建设（2023年9月1日前）."""
    memo = _memo(ind)
    key = ("text", area)
    if key not in memo:
        memo[key] = _target_text(ind, area)
    return memo[key]


def _target_text(ind: Indicator, area: str | None) -> str:
    if area is not None and ind.area_targets.get(area) == NOT_APPLICABLE:
        return NOT_APPLICABLE
    unit = ind.row_unit if area else ind.unit
    if ind.kind == Kind.milestone or ind.site(area):
        if ind.target_stage is None:
            return PENDING_TEXT
        return ind.target_stage + (f"（{cn_date(ind.deadline)}前）" if ind.deadline else "")
    if ind.improve:
        base = numeric_target(ind, area)
        return f"在{fmt_number(base)}{unit}基础上持续改善" if base is not None else PENDING_TEXT
    if ind.is_share_percent:
        return f"≥{fmt_number(ind.share_percent)}%" + (f"（占{ind.share_of}）" if ind.share_of else "")
    target = numeric_target(ind, area)
    if target is None:
        return PENDING_TEXT
    text = ("≤" if ind.direction == Direction.at_most else "") + fmt_number(target)
    if ind.provisional and area is None:
        text = "暂定" + text
    if ind.sites and area is None:
        text += f"（{len(ind.sites)}处逐个填报，达到「{ind.target_stage}」的计入）"
    if ind.kind == Kind.coverage and ind.coverage_of and area is None:
        text += f"（{ind.coverage_of}全覆盖）"
    if ind.kind == Kind.investment and ind.total_investment is not None and area is None:
        text += f"（总投资{fmt_number(ind.total_investment)}）"
    if ind.deadline is not None and area is None and ind.deadline.month != 12:
        text += f"（{cn_date(ind.deadline)}前）"
    return text
