"""Hand-made quarter reports for the 季总结: 2023-Q2 with 2023-Q1 before it (and Q3, Q4 relabelled).

Built from report_fixtures' lines (VALUES there, its hand-computed statuses and counts: 7 已完成,
21 超序时, 9 按序时, 9 滞后, 4 严重滞后, 1 未报送, 1 数据有误, 1 未填, 3 目标待定), all measured
against that fixture's 序时 41.7% whichever quarter they are labelled (the documents print the
report's 序时, whatever it is). Q1 differs in five lines only, so the comparison is easy to check by
hand (see Q1_VALUES). Units' 典型经验: two units sent the same write-up (one twice), a third its own.
"""

from __future__ import annotations

from dataclasses import replace

from report_fixtures import REASONS, VALUES, _line, _source, build_report, default_config

from pipeline.analytics.build import tally
from pipeline.analytics.report import ProgressReport
from pipeline.config import Config
from pipeline.model import Experience, Narrative, Source
from pipeline.numbers import round_half_up

# Q1 → Q2 (hand-computed at 41.7%):
#   ydjy-menzhen 5/9 = 55.6% 超序时 → 9/9 已完成;      weifang 100/206 = 48.5% 超序时 → 206 已完成
#   ydjy-cun 150/580 = 25.9% (−15.8) 严重滞后 → 39.7% 按序时;  peixun 1000/3530 = 28.3% (−13.4) 滞后 → 45.3% 超序时
#   liangai 8000/17000 = 47.1% (+5.4) 超序时 → 30.0% 滞后
# Q1 counts: 5 已完成, 23 超序时, 8 按序时, 9 滞后, 5 严重滞后 (+ the same 1, 1, 1, 3): 已完成 5 → 7, 滞后 14 → 13.
Q1_VALUES = {**VALUES, "ydjy-menzhen": 5, "weifang": 100, "ydjy-cun": 150, "peixun": 1000, "liangai": 8000}

LONG_PRACTICE = (
    "把重点民生实事作为“一把手”工程，建立周调度、月通报机制。"
    "推行“一站式”办理，群众办事时间平均缩短一半。"
    "班子成员分片包干，每周到现场调度一次，发现问题当场交办、限时办结。"
    "优化审批流程，材料能减则减、环节能并则并，全程网上可查。"
    "强化督查问效，对进度滞后的事项逐月通报、挂牌督办，确保按期完成年度目标任务，让群众真正得到实惠。"
)


def _exp(unit: str, title: str, text: str, period: str = "2023-06") -> Experience:
    source = Source(f"{unit}.xlsx", f"archive/{unit}.xlsx", "典型经验材料", "B3", title, unit)
    return Experience(unit, title, text, period, source)


EXPERIENCES = (
    _exp("jyj", "推行“一站式”服务 打通民生实事“最后一公里”", LONG_PRACTICE, "2023-04"),
    _exp("mzj", "坚持清单化管理 推动民生实事落地见效", "将年度任务分解为月度清单，实行挂图作战、销号管理。"),
    _exp("rsj", "推行“一站式”服务，打通民生实事“最后一公里”", "推行“一站式”办理，群众少跑腿。"),
    _exp("jyj", "推行“一站式”服务 打通民生实事“最后一公里”", LONG_PRACTICE, "2023-05"),
)


def _indicators(cfg: Config, values: dict, before: dict | None):
    out = []
    base = build_report(cfg)
    for ip in base.indicators:
        ind = cfg.indicator(ip.indicator_id)[1]
        line = _line(ind, values[ip.indicator_id])
        prev = _line(ind, before[ip.indicator_id]).value if before is not None else None
        inc = None
        if prev is not None and line.value is not None and not ind.is_level:
            inc = round_half_up(line.value - prev, 2)
        out.append(replace(ip, total=replace(line, previous=prev, increment=inc)))
    return base, tuple(out)


def quarter_report(
    cfg: Config | None = None,
    code: str = "2023-Q2",
    *,
    values: dict | None = None,
    before: dict | None = Q1_VALUES,
    experiences: tuple[Experience, ...] = EXPERIENCES,
    hostile: str | None = None,
) -> ProgressReport:
    """The quarter `code` (as of its last day) with `values`, `before` the previous quarter's."""
    cfg = cfg or default_config()
    base, items = _indicators(cfg, values or VALUES, before)
    year, q = code.split("-Q")
    q = int(q)
    names = ["一", "二", "三", "四"]
    last = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}[q]
    categories = []
    for c in cfg.categories:
        name = cfg.category_name(c.code)
        mine = [i for i in items if i.category == name]
        if mine:
            categories.append(tally(name, mine, 1))
    narratives = base.narratives + (
        Narrative("cl", "sy-wuzhangai", "problems", REASONS["wuzhangai"], "2023-06", _source("cl")),
    )
    if hostile is not None:
        narratives += (Narrative("jyj", "jisu", "problems", hostile, "2023-06", _source("jyj")),)
        experiences = (*experiences, _exp("fl", hostile[:300], hostile))
    return replace(
        base,
        period=code,
        period_kind="quarter",
        period_label=f"{year}年第{names[q - 1]}季度",
        previous_period=f"{year}-Q{q - 1}" if q > 1 and before is not None else None,
        as_of=f"{year}-{last}",
        indicators=items,
        overall=tally("全部", list(items), 1),
        categories=tuple(categories),
        experiences=experiences,
        narratives=narratives,
    )


def previous_quarter(cfg: Config | None = None, code: str = "2023-Q1") -> ProgressReport:
    return quarter_report(cfg, code, values=Q1_VALUES, before=None, experiences=())
