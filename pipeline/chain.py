"""The certification chain as forms and the 汇总表 print it.

「填报：各乡镇（街道）→ 审核汇总：某县人力资源和社会保障局 → 核验认定：某县统计局」: who fills comes
from who actually has the rows (formspec.row_plan), who reviews and who certifies from the config's
`chain` (and `certifier`). A config that writes no `chain` prints nothing new.
"""

from __future__ import annotations

from .config import CHAIN_AREAS, CHAIN_OFFICE, Config, Indicator, Project
from .formspec import FormRow, row_plan

TOWNSHIP_KINDS = {"乡", "镇", "乡镇", "城区", "社区", "场"}
COUNTY_KINDS = {"县", "市", "区", "县级市", "县市区", "市辖区", "开发区", "管理区"}
LISTED = 3  # up to this many units are named one by one; more are named as a group


def area_group(cfg: Config, codes: list[str]) -> str:
    """A group of areas as documents name it: 各乡镇（街道）, 各乡镇, 各县市区, 各区域."""
    kinds = {a.kind for a in cfg.areas if a.code in codes} - {"市直"}
    if kinds and kinds <= TOWNSHIP_KINDS | {"街道"}:
        if "街道" not in kinds:
            return "各乡镇"
        return "各街道" if kinds == {"街道"} else "各乡镇（街道）"
    if kinds and kinds <= COUNTY_KINDS:
        return "各县市区"
    return "各区域"


def _names(cfg: Config, codes: list[str]) -> str:
    return "、".join(cfg.unit(c).name for c in codes)


def _fill_text(cfg: Config, p: Project, ind: Indicator, chain) -> str:
    reporter = cfg.reporter_of(p, ind)
    plan = [(u, a) for u, a, _ in row_plan(cfg, p, ind) if a is not None and ind.site(a) is None]
    own = [(u, a) for u, a in plan if u is not None and u == cfg.area_reporter(a) and u != reporter]
    if not plan and not ind.sites and chain.fill == CHAIN_AREAS:  # not broken down: areas fill outside the forms
        return area_group(cfg, [a.code for a in cfg.areas])
    if not own:
        return cfg.unit(reporter).name if reporter else ""
    units = list(dict.fromkeys(u for u, _ in own))
    text = area_group(cfg, [a for _, a in own]) if len(units) > LISTED else _names(cfg, units)
    rest = [a for u, a in plan if (u, a) not in own]
    if rest and reporter:
        names = [cfg.area(a).name for a in rest]
        shown = "、".join(names[:LISTED]) + (f"等{len(names)}个区域" if len(names) > LISTED else "")
        text += f"、{cfg.unit(reporter).name}（{shown}）"
    return text


def chain_text(cfg: Config, p: Project, ind: Indicator) -> str:
    """The indicator's chain in one line; "" when the config writes no chain for it."""
    chain = cfg.chain_of(p, ind)
    if chain is None:
        return ""
    steps = [f"填报：{_fill_text(cfg, p, ind, chain)}"]
    reviewer = cfg.reviewer_of(p, ind)
    if reviewer is not None:
        steps.append(f"审核汇总：{cfg.unit(reviewer).name}")
    elif chain.review == CHAIN_OFFICE:
        steps.append(f"汇总：{cfg.office.short_name or cfg.office.name}")
    if chain.certify is not None:
        steps.append(f"核验认定：{cfg.unit(chain.certify).name}")
    return " → ".join(steps)


def form_chain_line(cfg: Config, rows: list[FormRow]) -> str:
    """The line a unit's form prints above its notes: its indicators' chains, grouped; "" when none."""
    groups: dict[str, list[str]] = {}
    seen = {r.indicator.id: (r.project, r.indicator) for r in rows}
    for p, ind in seen.values():
        text = chain_text(cfg, p, ind)
        if text:
            groups.setdefault(text, []).append(ind.name)
    if not groups:
        return ""
    if len(groups) == 1:
        return f"数据流程：{next(iter(groups))}。"
    parts = []
    for text, names in groups.items():
        shown = "、".join(names[:LISTED]) + (f"等{len(names)}项" if len(names) > LISTED else "")
        parts.append(f"{shown}：{text}")
    return "数据流程：" + "；".join(parts) + "。"
