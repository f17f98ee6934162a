"""Cross-checks that the shape alone cannot express: references, duplicates, 其中, area sums.

Each check is a small function returning problems; `cross_check` runs them all and never
stops at the first, so staff fix a config in one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .chain_checks import check_chain
from .config import DEFAULT_STAGES, NOT_APPLICABLE, ROLE_NAMES, Config, Indicator, Kind
from .errors import Problem
from .measures import factor
from .periods import PERIOD_KINDS, RETURN_NAMES, WEEKDAY_NAMES, periods_of_year, report_deadline

ADDITIVE = {Kind.count, Kind.investment, Kind.share, Kind.coverage}
EPS = 1e-6


def cross_check(cfg: Config) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(cfg))
    return problems


def _err(path: str, message: str) -> Problem:
    return Problem(path=path, message=message, level="error")


def _warn(path: str, message: str) -> Problem:
    return Problem(path=path, message=message, level="warning")


def _indicators(cfg: Config) -> Iterator[tuple[str, object, Indicator]]:
    for pi, p in enumerate(cfg.projects):
        for ii, ind in enumerate(p.indicators):
            yield f"projects[{pi}].indicators[{ii}]", p, ind


def check_duplicates(cfg: Config) -> Iterator[Problem]:
    groups = {
        "units": ("code", [u.code for u in cfg.units], "单位编码"),
        "areas": ("code", [a.code for a in cfg.areas], "区域编码"),
        "projects": ("id", [p.id for p in cfg.projects], "项目编码"),
    }
    for key, (field, codes, label) in groups.items():
        for code, n in Counter(codes).items():
            if n > 1:
                idx = [i for i, c in enumerate(codes) if c == code][1]
                yield _err(f"{key}[{idx}].{field}", f"{label}「{code}」重复出现 {n} 次，每个编码只能用一次")
    seen: dict[str, str] = {}
    for path, _, ind in _indicators(cfg):
        if ind.id in seen:
            yield _err(f"{path}.id", f"指标编码「{ind.id}」与 {seen[ind.id]} 重复，每个指标的编码必须唯一")
        seen.setdefault(ind.id, path)
    names: dict[str, str] = {}
    for i, u in enumerate(cfg.units):
        for name in [u.name, *u.aliases]:
            if name in names and names[name] != u.code:
                yield _err(f"units[{i}]", f"单位名称或别名「{name}」同时属于「{names[name]}」和「{u.code}」，无法区分")
            names.setdefault(name, u.code)


def check_unit_refs(cfg: Config) -> Iterator[Problem]:
    units = {u.code for u in cfg.units}
    areas = {a.code for a in cfg.areas}

    def ref(path: str, code: str | None, what: str) -> Iterator[Problem]:
        if code is not None and code not in units:
            yield _err(path, f"{what}「{code}」不在 units 列表中，请先在 units 里登记该单位")

    for i, u in enumerate(cfg.units):
        if u.kind == "area" and u.area is None:
            yield _err(f"units[{i}].area", f"单位「{u.name}」类型为 area，须写明它负责填报的区域编码")
        if u.area is not None and u.area not in areas:
            yield _err(f"units[{i}].area", f"区域「{u.area}」不在 areas 列表中")

    def refs(path: str, codes: str | list[str] | None, what: str) -> Iterator[Problem]:
        for i, code in enumerate([codes] if isinstance(codes, str) or codes is None else codes):
            yield from ref(path if isinstance(codes, str) or codes is None else f"{path}[{i}]", code, what)

    for pi, p in enumerate(cfg.projects):
        yield from refs(f"projects[{pi}].lead", p.lead, "牵头单位")
        yield from ref(f"projects[{pi}].certifier", p.certifier, "数据评估认定单位")
        for ci, c in enumerate(p.co):
            yield from ref(f"projects[{pi}].co[{ci}]", c, "责任单位")
    for path, p, ind in _indicators(cfg):
        yield from refs(f"{path}.lead", ind.lead, "牵头单位")
        for ci, c in enumerate(ind.co):
            yield from ref(f"{path}.co[{ci}]", c, "责任单位")
        yield from ref(f"{path}.certifier", ind.certifier, "数据评估认定单位")
        yield from ref(f"{path}.reported_by", ind.reported_by, "填报单位")
        if cfg.reporter_of(p, ind) is None and not _areas_all_reported(cfg, p, ind):
            yield _err(path, f"指标「{ind.name}」没有牵头单位，也没有指定 reported_by，无人填报")


def _areas_all_reported(cfg: Config, project, ind: Indicator) -> bool:
    areas = ind.applicable_areas()
    return bool(areas) and cfg.fills_by_area(project, ind) and all(cfg.area_reporter(a) for a in areas)


def check_roles(cfg: Config) -> Iterator[Problem]:
    """A unit whose role returns no form should not be the one who reports an indicator."""
    roles = {u.code: u.role for u in cfg.units if u.role}
    for path, p, ind in _indicators(cfg):
        who = cfg.reporter_of(p, ind)
        if who in roles:
            yield _warn(
                path,
                f"指标「{ind.name}」由「{cfg.unit(who).name}」填报，但该单位的 role 是{ROLE_NAMES[roles[who]]}（不填报）；"
                "请核对牵头单位，或写 reported_by 指定填报单位",
            )


def check_area_refs(cfg: Config) -> Iterator[Problem]:
    areas = {a.code for a in cfg.areas}
    for path, _, ind in _indicators(cfg):
        for field in ("area_targets", "area_baselines"):
            for code in getattr(ind, field):
                if code not in areas:
                    yield _err(f"{path}.{field}.{code}", f"区域「{code}」不在 areas 列表中")


def check_categories(cfg: Config) -> Iterator[Problem]:
    known = {c.code for c in cfg.categories} | {c.name for c in cfg.categories}
    names = "、".join(c.name for c in cfg.categories)
    for pi, p in enumerate(cfg.projects):
        if p.category not in known:
            yield _err(
                f"projects[{pi}].category",
                f"类别「{p.category}」不在 categories 中；请写 categories 里的编码或名称之一：{names}",
            )
    for code, n in Counter(c.code for c in cfg.categories).items():
        if n > 1:
            yield _err("categories", f"类别编码「{code}」重复出现 {n} 次")


def check_kinds(cfg: Config) -> Iterator[Problem]:
    for path, _, ind in _indicators(cfg):
        yield from _target_idioms(path, ind)
        name = f"指标「{ind.name}」"
        if ind.kind == Kind.milestone:
            if ind.sites:
                yield from _sites(path, ind)
            if ind.target_stage is not None and ind.target_stage not in ind.stages:
                default = (
                    "（未写 stages 时默认为：" + "、".join(DEFAULT_STAGES) + "）"
                    if ind.stages == DEFAULT_STAGES
                    else ""
                )
                yield _err(f"{path}.target_stage", f"目标阶段「{ind.target_stage}」不在 stages 中{default}")
            elif ind.target_stage is None and not ind.is_pending:
                yield _err(f"{path}.target_stage", f"{name}须写明年内要达到的阶段（target_stage）")
            if ind.target is not None:
                yield _err(f"{path}.target", f"{name}是节点类，目标用 target_stage 表示，不用数字")
            for k, point in enumerate(ind.plan):
                if point.stage is None or point.stage not in ind.stages:
                    yield _err(f"{path}.plan[{k}].stage", f"节点目标的阶段「{point.stage}」不在 stages 中")
            continue
        for k, point in enumerate(ind.plan):
            if point.value is None:
                yield _err(f"{path}.plan[{k}].value", f"{name}的节点目标须写 value（到该日应累计完成的数）")
        if ind.sites:
            yield from _sites(path, ind)
        elif ind.stages or ind.target_stage:
            yield _err(f"{path}.stages", "只有节点类（milestone）或列出了 sites 的指标才能写 stages / target_stage")
        has_goal = ind.target is not None or ind.is_pending or ind.area_targets or ind.is_share_percent
        if ind.kind in (Kind.rate, Kind.standard) and ind.improve:
            has_goal = has_goal or ind.baseline is not None or bool(ind.area_baselines)
        if not has_goal:
            yield _err(f"{path}.target", f"{name}缺少目标值；目标尚未确定的，请写 pending 并照录文件原话")
        if ind.target is not None and ind.target < 0:
            yield _err(f"{path}.target", f"{name}的目标不能为负数")
        lo, hi = ind.value_range()
        for field, value in [("target", ind.target), ("baseline", ind.baseline)]:
            if value is not None and hi is not None and value > hi:
                yield _err(
                    f"{path}.{field}", f"{name}的{'目标' if field == 'target' else '基数'} {value:g} 超过上限 {hi:g}"
                )
        if ind.kind == Kind.share and ind.share_percent is not None and not 0 < ind.share_percent <= 100:
            yield _err(f"{path}.share_percent", "占比应在 0 到 100 之间")
        if ind.kind != Kind.investment and ind.total_investment is not None:
            yield _err(f"{path}.total_investment", "只有投资类（investment）指标才能写 total_investment")


def _sites(path: str, ind: Indicator) -> Iterator[Problem]:
    name = f"指标「{ind.name}」"
    if ind.kind != Kind.count:
        yield _err(
            f"{path}.sites", f"{name}：sites（逐个列出的学校、项目）只用于数量类（count），计数为达到目标阶段的个数"
        )
    if ind.target_stage not in ind.stages:
        yield _err(f"{path}.target_stage", f"目标阶段「{ind.target_stage}」不在 stages 中")
    if ind.target is not None and ind.target > len(ind.sites):
        yield _err(f"{path}.target", f"{name}目标 {ind.target:g} 个，但 sites 只列了 {len(ind.sites)} 个")
    for code, n in Counter(s.code for s in ind.sites).items():
        if n > 1:
            yield _err(f"{path}.sites", f"{name}的 sites 中编码「{code}」重复")


def _target_idioms(path: str, ind: Indicator) -> Iterator[Problem]:
    """The target idioms each need their own keys; say what to write instead of a misuse."""
    name = f"指标「{ind.name}」"
    if ind.provisional is not None and ind.target is None and not ind.area_targets:
        yield _err(
            f"{path}.provisional", f"{name}写了 provisional（暂定），还须写暂定的数 target；没有数的请改写 pending"
        )
    if ind.provisional is not None and ind.is_pending:
        yield _err(
            f"{path}.pending", f"{name}不能同时写 provisional 和 pending：有暂定数写 provisional，没有数写 pending"
        )
    if ind.improve:
        if ind.kind not in (Kind.rate, Kind.standard):
            yield _err(f"{path}.improve", f"{name}：improve（在基数基础上持续改善）只用于 rate 或 standard 类指标")
        elif ind.baseline is None and not ind.area_baselines:
            yield _err(f"{path}.baseline", f"{name}写了 improve（持续改善），须写基数 baseline（如 96.4）")
    if ind.kind == Kind.coverage:
        if ind.target is None and not ind.area_targets and not ind.is_pending:
            yield _err(
                f"{path}.target", f"{name}是全覆盖类（coverage），target 写应覆盖的总数（如全部 12 所医院写 12）"
            )
        if not ind.coverage_of:
            yield _err(
                f"{path}.coverage_of", f"{name}是全覆盖类（coverage），coverage_of 写覆盖对象（如 二级以上公立医院）"
            )
    elif ind.coverage_of:
        yield _err(f"{path}.coverage_of", "coverage_of 只用于全覆盖类指标，请把 kind 写成 coverage")
    if ind.stock and ind.kind not in (Kind.count, Kind.investment):
        yield _err(
            f"{path}.stock", f"{name}：stock（存量、达到某一水平）只用于 count 类；比率、标准本来就按当前水平判断"
        )
    if ind.share_of and ind.kind != Kind.share:
        yield _err(f"{path}.share_of", "share_of 只用于占比类（share）指标")
    if ind.area_unit and factor(ind.area_unit, ind.unit) is None:
        yield _err(
            f"{path}.area_unit",
            f"{name}的分区域计量单位「{ind.area_unit}」与总目标的「{ind.unit}」不是同一种量，无法换算；"
            "只能是同一单位的万、亿、千等倍数（如 人 和 万人）",
        )
    prev = None
    for k, point in enumerate(ind.plan):
        if prev is not None and point.by <= prev:
            yield _err(f"{path}.plan[{k}].by", "节点目标的日期应按先后顺序排列")
        prev = point.by


def check_windows(cfg: Config) -> Iterator[Problem]:
    for path, _, ind in _indicators(cfg):
        if ind.deadline is not None and ind.deadline.year < cfg.year:
            yield _err(f"{path}.deadline", f"截止日期 {ind.deadline} 早于 {cfg.year} 年")
        if ind.window_start and ind.deadline and ind.window_start >= ind.deadline:
            yield _err(f"{path}.window_start", "序时进度起始日期应早于截止日期")
        if ind.window_start and ind.window_start.year != cfg.year:
            yield _err(f"{path}.window_start", f"序时进度起始日期应在 {cfg.year} 年内")


def check_parents(cfg: Config) -> Iterator[Problem]:
    by_id = {ind.id: ind for _, _, ind in _indicators(cfg)}
    for path, _, ind in _indicators(cfg):
        if ind.parent is None:
            continue
        parent = by_id.get(ind.parent)
        if parent is None:
            yield _err(f"{path}.parent", f"「其中」指向的上级指标「{ind.parent}」不存在")
            continue
        seen, cur, cycle = {ind.id}, parent, False
        while cur is not None:
            if cur.id in seen:
                cycle = True
                break
            seen.add(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
        if cycle:
            yield _err(f"{path}.parent", f"指标「{ind.name}」的上级指标形成循环")
            continue
        scale = factor(ind.unit, parent.unit)
        if scale is None:
            yield _err(
                f"{path}.unit",
                f"「其中」指标的计量单位「{ind.unit}」与上级「{parent.unit}」不是同一种量，无法比较大小；"
                "「其中」应与上级同一单位（可差万、亿等倍数，如 人 和 万人），否则不要写 parent",
            )
        elif ind.target is not None and parent.target is not None and ind.target * scale > parent.target + EPS:
            yield _err(
                f"{path}.target",
                f"「其中」指标「{ind.name}」的目标 {ind.target:g}{ind.unit} 大于上级指标「{parent.name}」"
                f"的目标 {parent.target:g}{parent.unit}",
            )


def check_area_sums(cfg: Config) -> Iterator[Problem]:
    for path, _, ind in _indicators(cfg):
        if ind.kind not in ADDITIVE or ind.target is None or not ind.area_targets:
            continue
        values = [v for v in ind.area_targets.values() if v != NOT_APPLICABLE]
        if any(v is None for v in values):
            continue  # some areas still pending: no sum to compare
        scale = factor(ind.row_unit, ind.unit) or 1.0
        total = sum(values) * scale
        if abs(total - ind.target) > EPS * max(1.0, abs(ind.target)):
            msg = f"指标「{ind.name}」各区域目标合计 {total:g}，与总目标 {ind.target:g} 相差 {total - ind.target:+g}"
            if ind.area_sum_note:
                yield Problem(
                    path=f"{path}.area_targets", level="info", message=f"{msg}（原文说明：{ind.area_sum_note}）"
                )
            else:
                yield _warn(f"{path}.area_targets", msg + "；如原文如此，可写 area_sum_note 照录说明")


def check_settings(cfg: Config) -> Iterator[Problem]:
    t = cfg.thresholds
    if t.severe_pp < t.lagging_pp:
        yield _err("thresholds.severe_pp", f"严重滞后阈值 {t.severe_pp:g} 应不小于滞后阈值 {t.lagging_pp:g}")
    for kind in PERIOD_KINDS:
        yield from _deadline_rule(kind, getattr(cfg.deadlines, kind))


def _deadline_rule(kind: str, rule) -> Iterator[Problem]:
    """One of after_end_days, day (weekday for a week) or none: say which key to write."""
    path, week = f"deadlines.{kind}", kind == "week"
    if rule.week_offset and rule.weekday is None:
        yield _err(
            f"{path}.week_offset", "week_offset 要和 weekday 一起写，如「下周一前」写 weekday: 1、week_offset: 1"
        )
    if not week and rule.weekday is not None:
        yield _err(
            f"{path}.weekday",
            f"weekday（每周周几报送）只用于周报 deadlines.week；{RETURN_NAMES[kind]}请写 day（某月几日）或 after_end_days（期末后N天）",
        )
        return
    if week and rule.day is not None:
        yield _err(
            f"{path}.day",
            "周报的报送时限不用 day（某月几日）：「每周五前」写 weekday: 5，「下周一前」写 weekday: 1、week_offset: 1，"
            "「期末后N天」写 after_end_days",
        )
        return
    fixed = rule.weekday if week else rule.day
    if rule.none:
        if rule.after_end_days is not None or fixed is not None:
            yield _err(path, f"写了 none（不定期报送）就不要再写 after_end_days 或 {'weekday' if week else 'day'}")
        return
    if (rule.after_end_days is None) == (fixed is None):
        if week:
            yield _err(path, "周报的报送时限须在 after_end_days（期末后N天）和 weekday（周几，周五写 5）中二选一")
        else:
            yield _err(path, "报送时限须在 after_end_days（期末后N天）和 day（某月第几日）中二选一")


def check_reporting(cfg: Config) -> Iterator[Problem]:
    """The mechanism: one document per period kind, deadlines said, none due before its period ends."""
    r = cfg.reporting
    for kind, n in Counter(d.period for d in r.documents).items():
        if n > 1:
            yield _err("reporting.documents", f"同一期别（{RETURN_NAMES[kind]}）只能有一种材料，现有 {n} 种")
    if "reporting" not in cfg.model_fields_set:
        yield _warn(
            "reporting", "未写报送机制，按默认「旬简报、月通报、季总结」处理；请照分解方案写 reporting.documents"
        )
    said = cfg.deadlines.model_fields_set if "deadlines" in cfg.model_fields_set else set()
    for kind in r.return_kinds():
        rule = getattr(cfg.deadlines, kind)
        if kind not in said:
            yield _warn(
                f"deadlines.{kind}",
                f"未写{RETURN_NAMES[kind]}的报送时限，按默认（期末后 {rule.after_end_days} 天）判断逾期；"
                "原文有规定的请照写，没有固定日期的写 {none: true}",
            )
        if rule.none or (rule.day is None and rule.weekday is None):
            continue
        if kind == "week":
            yield from _week_due(cfg, rule)
            continue
        if rule.day is None:
            continue
        sample = periods_of_year(kind, cfg.year)[0]
        due = report_deadline(sample, rule)
        cutoff_ok = kind == "month" and r.cutoff_day is not None and rule.day >= r.cutoff_day
        if due < sample.end and not cutoff_ok:
            yield _warn(
                f"deadlines.{kind}.day",
                f"{RETURN_NAMES[kind]}的报送日（{due.month}月{due.day}日）早于该期结束（{sample.end.month}月{sample.end.day}日）："
                "如原文是「每月20日前报送，数据截至20日」，请写 reporting.cutoff_day: 20；如指次月，请写 month_offset: 1",
            )
    week_doc = r.document("week")
    if week_doc is not None and "week" not in r.return_kinds():
        yield _warn(
            "reporting.returns",
            f"报送机制中有周材料「{week_doc.name}」，但 reporting.returns 中没有 week（各单位不报周报），"
            "make weekly 没有可汇总的数；请在 reporting.returns 中加上 week",
        )


def _week_due(cfg: Config, rule) -> Iterator[Problem]:
    """「每周五前报送」 with week_offset 0 is due before the week (Monday–Sunday) has ended."""
    if rule.weekday is None:
        return
    sample = periods_of_year("week", cfg.year)[1]  # week 1 may be short or long: the second is a plain week
    due = report_deadline(sample, rule)
    if due < sample.end:
        yield _warn(
            "deadlines.week.weekday",
            f"周报的报送日（{WEEKDAY_NAMES[rule.weekday]}，如第2周为{due.month}月{due.day}日）早于该周结束"
            f"（周日，{sample.end.month}月{sample.end.day}日）：如原文指报上一周的数，请写 week_offset: 1；"
            "如是报本周截至当日的数，可不改",
        )


CHECKS = [
    check_duplicates,
    check_categories,
    check_reporting,
    check_unit_refs,
    check_area_refs,
    check_roles,
    check_chain,
    check_kinds,
    check_windows,
    check_parents,
    check_area_sums,
    check_settings,
]
