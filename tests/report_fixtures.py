"""A hand-made ProgressReport for the default config (邵东 2023, 28 件 58 项), as of 2023-05-31.

The analytics are built elsewhere; the documents are tested against this report. Every figure
is chosen by hand in VALUES below and the printed figures follow the documented rules: 完成率 and
序时 rounded half up to one decimal, the gap the difference of the printed figures. The report
has every status, a provisional target, a stale value, a ranking with ties, praised and named
units, a late, a missing, a rejected and an erroneous return, last month's lagging items (some
recovered), and unit notes, one of which can be made hostile.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.analytics.report import (
    LAGGING,
    Change,
    Changes,
    IndicatorProgress,
    Light,
    Line,
    ProgressReport,
    Ranked,
    Status,
    Tally,
)
from pipeline.config import Config, Kind
from pipeline.config_load import load_config
from pipeline.model import Narrative, ReturnStatus, Source, UnitReturn
from pipeline.numbers import pct, round_half_up

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE = 5 / 12
SCHEDULE_PCT = pct(SCHEDULE)  # 41.7

# indicator id → value (None: no figure), or a dict of overrides. Hand-computed results in comments.
VALUES: dict[str, object] = {
    "xutl": {"status": Status.pending},
    "xyb-shixiang": 310,  # 44.3%, +2.6
    "xyb-yiwang": {"status": Status.pending},
    "xyb-zhengzhao": 28,  # 46.7%, +5.0
    "xyb-yonghu": 21.36,  # 44.8%, +3.1
    "jiuye": 1234,  # 24.8%, −16.9 严重滞后
    "peixun": 1600,  # 45.3%, +3.6
    "peixun-chuangye": 180,  # 34.0%, −7.7 (其中: not counted)
    "liangai": 5100,  # 30.0%, −11.7 滞后
    "ydjy-menzhen": 9,  # 100.0% 已完成
    "ydjy-manbing": 1,  # 100.0% 已完成
    "ydjy-xiangzhen": 11,  # 44.0%, +2.3
    "ydjy-cun": 230,  # 39.7%, −2.0 按序时 (recovered)
    "shilao": 150,  # 27.3%, −14.4 滞后
    "dibao-cs": {"value": 650, "status": Status.done},
    "dibao-nc": {"value": 5000, "status": Status.done},
    "canbu-shenghuo": {"value": 80, "status": Status.done},
    "canbu-huli": {"value": 75, "status": Status.on_track},
    "guer-sanju": {"value": 1100, "status": Status.done},
    "guer-jizhong": {"status": Status.invalid},
    "kangfu": 120,  # 40.3%, −1.4
    "wuzhangai": 30,  # 21.4%, −20.3 严重滞后
    "laojiu": 10,  # 45.5%, +3.8
    "yihuyibiao": {"value": 500, "provisional": True},  # 29.8%, −11.9 滞后, target 暂定1680
    "gonglu-tizhi": 45,  # 44.6%, +2.9
    "gonglu-anfang": 70,  # 43.5%, +1.8
    "dianwang-110": 4100,  # 42.8%, +1.1
    "dianwang-10": 1500,  # 34.8%, −6.9 滞后
    "jizhan": 50,  # 44.6%, +2.9
    "guangxian": 6000,  # 45.2%, +3.5
    "xushui": 30,  # 41.1%, −0.6
    "guangai": {"status": Status.missing},
    "yinshui": 9,  # 45.0%, +3.3
    "jisu": 1,  # 33.3%, −8.4 滞后
    "sy-shilao": 150,  # 42.9%, +1.2
    "sy-kangfu": 120,  # 40.3%, −1.4
    "sy-wuzhangai": 30,  # 21.4%, −20.3 严重滞后
    "sy-laojiu": 10,  # 45.5%, +3.8
    "weifang": 206,  # 100.0% 已完成
    "wushui-gaizao": 1.6,  # 40.0%, −1.7
    "wushui-xinjian": 2.05,  # 44.6%, +2.9
    "yiyuan": {"stage": "开工建设", "status": Status.on_track},
    "shuiku": {"value": 5, "stale": True},  # 29.4%, −12.3 滞后, from April
    "bj-laojiu": 6,  # 50.0%, +8.3
    "ranqi": 2600,  # 43.3%, +1.6
    "shangyun": 60,  # 50.0%, +8.3
    "shangpingtai": {"status": Status.unfilled},
    "meiling": 0,  # 0.0%, −41.7 严重滞后
    "youeryuan": 2,  # 50.0%, +8.3
    "zhaoyang": {"stage": "前期工作", "status": Status.lagging},
    "shifanti": 1,  # 50.0%, +8.3
    "longtou": 2,  # 40.0%, −1.7
    "anzhi": 380,  # 38.0%, −3.7
    "shebao": {"status": Status.pending},
    "zhongzhi": 1,  # 33.3%, −8.4 滞后
    "icu": 26,  # 43.3%, +1.6
    "kongqi": {"status": Status.pending},
    "shuizhi": {"value": 90, "rate": True},  # 90% against 100%: −10.0 百分点 vs 目标, 滞后
}

# Unit ranking: (code, score, rank); ties share a rank and the next rank is skipped.
RANKING = [
    ("ybj", 112.5, 1),
    ("spj", 106.4, 2),
    ("kgj", 104.2, 3),
    ("sthj", 104.2, 3),
    ("wjj", 101.0, 5),
    ("zjj", 99.3, 6),
    ("jtj", 98.6, 7),
    ("gdgs", 92.1, 8),
    ("nyj", 91.5, 9),
    ("zcz", 90.2, 10),
    ("mzj", 88.7, 11),
    ("rsj", 80.3, 12),
    ("cl", 72.5, 13),
    ("jyj", 65.0, 14),
    ("fl", 61.2, 15),
    ("slj", None, None),  # its return is missing: listed, not ranked
]
NEWLY_LAGGING = ["liangai", "shilao", "dianwang-10", "jisu", "zhongzhi", "zhaoyang", "shuizhi", "yihuyibiao"]
RECOVERED = ["ydjy-cun"]
REASONS = {
    "jiuye": "受企业用工需求季节性波动影响，新增就业登记进度偏慢。",
    "meiling": "项目用地报批手续尚未完成，施工许可正在办理。",
    "wuzhangai": "部分改造对象入户评估尚未完成。",
}
HOSTILE = (
    "<w:p>注入</w:p>{{ office.name }}{% if 1 %}=cmd|' /C calc'!A0 & \"引号\" 'x' <b>粗</b>"
    "\x00\x01\x07\x0b\x0c\x1b\ud800\t\n\r结尾" + "很长的说明" * 4000
)


def default_config() -> Config:
    return load_config(ROOT / "config.yaml")


def _status(gap: float, rate_pct: float) -> Status:
    if rate_pct >= 100:
        return Status.done
    if gap < -15:
        return Status.severe
    if gap < -5:
        return Status.lagging
    return Status.ahead if gap > 0 else Status.on_track


LIGHTS = {
    Status.done: Light.green,
    Status.ahead: Light.green,
    Status.on_track: Light.green,
    Status.lagging: Light.yellow,
    Status.severe: Light.red,
}


def _line(ind, spec) -> Line:
    o = spec if isinstance(spec, dict) else {"value": spec}
    target = ind.target
    target_text = ind.target_text or ("" if target is None else f"{target:g}")
    if ind.pending and target is None:
        target_text = "待定"
    if o.get("provisional"):
        target_text = f"暂定{target:g}"
    value = o.get("value")
    stage = o.get("stage")
    rate = rate_pct = gap = None
    schedule, schedule_pct = SCHEDULE, SCHEDULE_PCT
    status = o.get("status")
    if "status" not in o and value is not None and target:
        if o.get("rate"):
            gap = round_half_up(value - target, 1)  # a rate: the gap is to the target itself
            status = Status.done if gap >= 0 else _status(gap, 0)
        else:
            rate = value / target
            rate_pct = pct(rate)
            gap = round_half_up(rate_pct - schedule_pct, 1)
            status = _status(gap, rate_pct)
    if status == Status.done and rate_pct is None and ind.kind == Kind.standard:
        rate_pct, rate = 100.0, 1.0
    if status == Status.pending:
        schedule = schedule_pct = None
    stale = bool(o.get("stale"))
    return Line(
        key=ind.id,
        indicator_id=ind.id,
        area_code=None,
        label="",
        target=target,
        target_text=target_text,
        provisional=bool(o.get("provisional")),
        value=value,
        stage=stage,
        value_period="2023-04" if stale else ("2023-05" if value is not None or stage else None),
        stale=stale,
        previous=None if value is None else round_half_up(value * 0.8, 2),
        increment=None if value is None else round_half_up(value - round_half_up(value * 0.8, 2), 2),
        rate=rate,
        schedule=schedule,
        rate_pct=rate_pct,
        schedule_pct=schedule_pct,
        gap_pp=gap,
        status=status,
        light=LIGHTS.get(status, Light.none),
        note="截至2023年4月" if stale else "",
    )


def _source(unit: str) -> Source:
    return Source(file=f"{unit}.xlsx", archive_path=f"archive/{unit}.xlsx", sheet="填报表", cell="J6", raw="")


def build_report(cfg: Config | None = None, *, hostile: bool = False) -> ProgressReport:
    cfg = cfg or default_config()
    names = {u.code: u.name for u in cfg.units}
    indicators = []
    for project, ind in cfg.indicators():
        leads = cfg.leads_of(project, ind)
        indicators.append(
            IndicatorProgress(
                category=cfg.category_name(project.category),
                category_order=cfg.category_order(project.category),
                project_id=project.id,
                project_number=project.number,
                project_title=project.title,
                indicator_id=ind.id,
                name=ind.name,
                measure=ind.unit,
                kind=ind.kind.value,
                lead="、".join(names[c] for c in leads),
                lead_codes=tuple(leads),
                reporters=(cfg.reporter_of(project, ind),),
                parent=ind.parent,
                total=_line(ind, VALUES[ind.id]),
            )
        )
    counted = [i for i in indicators if not i.parent]
    counts = {s: sum(1 for i in counted if i.status == s) for s in Status}
    rates = [min(i.total.rate or 0, 1.0) for i in counted if i.total.rate is not None]
    completion = sum(rates) / len(rates)
    overall = Tally(
        name="全部",
        projects=len({i.project_id for i in counted}),
        indicators=len(counted),
        counts=counts,
        completion=completion,
        completion_pct=pct(completion),
    )
    lag_keys = {i.indicator_id for i in indicators if i.status in LAGGING}
    units = []
    for code, score, rank in RANKING:
        mine = [i for i in indicators if code in i.lead_codes]
        lagging = tuple(i.total.key for i in mine if i.total.key in lag_keys)
        if code == "wjj":
            lagging = ("liangai",)  # 责任单位 of 两癌检查, behind on its part
        units.append(
            Ranked(
                code=code,
                name=names[code],
                score=score,
                rank=rank,
                indicators=len(mine),
                done=sum(1 for i in mine if i.status == Status.done),
                lagging=lagging,
                missing=tuple(i.total.key for i in mine if i.status in (Status.missing, Status.invalid)),
                on_time_rate=0.8,
                return_status=ReturnStatus.missing.value if code == "slj" else ReturnStatus.on_time.value,
            )
        )
    returns = {}
    for code, *_ in RANKING:
        returns[code] = UnitReturn(code, ReturnStatus.on_time, file=f"{code}.xlsx", period="2023-05")
    returns["fl"] = UnitReturn("fl", ReturnStatus.late, file="fl.xlsx", period="2023-05", late_days=3)
    returns["slj"] = UnitReturn("slj", ReturnStatus.missing)
    returns["nyj"] = UnitReturn("nyj", ReturnStatus.on_time, file="nyj.xlsx", period="2023-05", errors=2)
    returns["lt"] = UnitReturn(
        "lt", ReturnStatus.rejected, file="联通.xlsx", period="2023-05", reason="不是本系统的填报表"
    )
    by_id = {i.indicator_id: i for i in indicators}
    changes = Changes(
        newly_done=(),
        newly_lagging=tuple(Change(k, k, by_id[k].name, Status.on_track, by_id[k].status) for k in NEWLY_LAGGING),
        recovered=tuple(Change(k, k, by_id[k].name, Status.lagging, by_id[k].status) for k in RECOVERED),
    )
    reasons = dict(REASONS)
    if hostile:
        reasons["wuzhangai"] = HOSTILE
    narratives = tuple(
        Narrative(by_id[k].lead_codes[0], k, "problems", text, "2023-05", _source(by_id[k].lead_codes[0]))
        for k, text in reasons.items()
    )
    ranked = [u for u in units if u.rank is not None]
    return ProgressReport(
        period="2023-05",
        period_kind="month",
        period_label="2023年5月",
        previous_period="2023-04",
        as_of="2023-05-31",
        schedule=SCHEDULE,
        schedule_pct=SCHEDULE_PCT,
        decimals=1,
        indicators=tuple(indicators),
        overall=overall,
        categories=(),
        units=tuple(units),
        praised=tuple(u for u in ranked if u.rank <= 3),
        named=tuple(ranked[-3:]),
        changes=changes,
        returns=returns,
        narratives=narratives,
    )


ISSUED = dt.date(2023, 6, 5)
