"""check-config rules for the certification chain (`chain`: 填报 → 审核汇总 → 核验认定).

Every unit a chain names is registered; a step the rows cannot follow (areas that fill with no unit
of their own, a review by a township, a `review: lead` with no lead) is one sentence saying what to write.
"""

from __future__ import annotations

from collections.abc import Iterator

from .config import ROLE_NAMES, Config
from .errors import Problem


def _err(path: str, message: str) -> Problem:
    return Problem(path=path, message=message, level="error")


def _warn(path: str, message: str) -> Problem:
    return Problem(path=path, message=message, level="warning")


ROLE_WORDS = {"lead": "lead（牵头单位）", "office": "office（办公室汇总）"}


def _chain_levels(cfg: Config, pi: int, ii: int) -> list[tuple[str, object]]:
    """(path, chain) from the indicator up to reporting: the first that writes a key is where it was written."""
    p = cfg.projects[pi]
    return [
        (f"projects[{pi}].indicators[{ii}].chain", p.indicators[ii].chain),
        (f"projects[{pi}].chain", p.chain),
        ("reporting.chain", cfg.reporting.chain),
    ]


def _written_at(levels: list[tuple[str, object]], key: str) -> str:
    return next((f"{path}.{key}" for path, c in levels if c is not None and getattr(c, key) is not None), "")


def check_chain(cfg: Config) -> Iterator[Problem]:
    """填报 → 审核汇总 → 核验认定: units registered, and no step the rows cannot follow."""
    units = {u.code: u for u in cfg.units}
    written = [("reporting.chain", cfg.reporting.chain, None)]
    written += [(f"projects[{pi}].chain", p.chain, p.certifier) for pi, p in enumerate(cfg.projects)]
    written += [
        (f"projects[{pi}].indicators[{ii}].chain", ind.chain, ind.certifier)
        for pi, p in enumerate(cfg.projects)
        for ii, ind in enumerate(p.indicators)
    ]
    for path, chain, certifier in written:
        if chain is None:
            continue
        if chain.review not in (None, *ROLE_WORDS) and chain.review not in units:
            yield _err(
                f"{path}.review",
                f"审核汇总单位「{chain.review}」不在 units 列表中；请写单位编码，或写 lead（牵头单位审核汇总）、office（办公室汇总）",
            )
        if chain.certify is not None and chain.certify not in units:
            yield _err(
                f"{path}.certify", f"核验认定单位「{chain.certify}」不在 units 列表中，请先在 units 里登记该单位"
            )
        if certifier and chain.certify and certifier != chain.certify:
            yield _err(
                f"{path}.certify",
                f"数据认定单位写了两处且不一致：certifier 是「{certifier}」，chain.certify 是「{chain.certify}」；"
                "二者是同一个意思，请只写一处",
            )
    for pi, p in enumerate(cfg.projects):
        for ii in range(len(p.indicators)):
            yield from _chain_of_indicator(cfg, pi, ii, units)


def _chain_of_indicator(cfg: Config, pi: int, ii: int, units: dict) -> Iterator[Problem]:
    p, ind = cfg.projects[pi], cfg.projects[pi].indicators[ii]
    chain = cfg.chain_of(p, ind)
    if chain is None:
        return
    levels, name = _chain_levels(cfg, pi, ii), f"指标「{ind.name}」"
    if chain.review == "lead" and cfg.lead_of(p, ind) is None:
        yield _err(
            _written_at(levels, "review"),
            f"chain.review 写的是 lead（牵头单位审核汇总），但{name}没有牵头单位；请写 lead 指定牵头单位，或把 review 写成审核汇总单位的编码",
        )
    reviewer = cfg.reviewer_of(p, ind)
    unit = units.get(reviewer)
    if unit is not None and unit.kind == "area":
        yield _err(
            _written_at(levels, "review"),
            f"{name}的审核汇总单位「{unit.name}」是以区域身份填报的单位（kind: area），不能汇总各区域；"
            "请写 lead（牵头单位）或县级部门的编码",
        )
    elif unit is not None and unit.role:
        yield _warn(
            _written_at(levels, "review"),
            f"{name}的审核汇总单位「{unit.name}」的 role 是{ROLE_NAMES[unit.role]}（不填报），但审核汇总单位要在表上报合计；"
            "请核对原文",
        )
    areas = ind.applicable_areas()
    if chain.fill == "areas" and areas and not ind.sites and not any(cfg.area_reporter(a) for a in areas):
        yield _err(
            _written_at(levels, "fill"),
            f"chain.fill 写的是 areas（各区域填报），但{name}的区域都没有登记 kind: area 的填报单位；"
            "请在 units 里为各区域登记填报单位（kind: area、area: 区域编码），或改写 fill: lead",
        )
    reporter = cfg.reporter_of(p, ind)
    if reviewer is not None and unit is not None and (not areas or ind.sites) and reviewer != reporter:
        who = cfg.unit(reporter).name if reporter in units else "无人"
        yield _warn(
            _written_at(levels, "review"),
            f"{name}不分区域，填报表上没有合计行，由「{who}」填报；审核汇总单位「{unit.name}」只印在表头和汇总表上。"
            f"如这一行应由它填报，请写 reported_by: {reviewer}",
        )
