"""A hand-built ProgressReport for the 汇总表 tests: self-contained, no ledger, no analytics.

2023年5月 (month), as of 2023-05-31, 序时进度 5/12 = 41.7%, one decimal. Every figure below is
computed by hand; the comment beside a line says how. The lines cover every way a line is shown:
current, stale (the unit did not report: 「截至4月下旬」), missing (never reported), excluded
(数据有误), blank (未填), a rate against its target, a milestone's stage, a pending target, a
provisional target, a 其中 child, an indicator whose window has not opened, areas with a "/" area.
"""

from __future__ import annotations

import datetime as dt

import yaml

from pipeline.analytics.report import (
    Changes,
    IndicatorProgress,
    Light,
    Line,
    ProgressReport,
    Ranked,
    Status,
    Tally,
)
from pipeline.config import Config
from pipeline.config_load import parse_config
from pipeline.findings import Finding
from pipeline.model import ReturnStatus, UnitReturn

OFFICE = "某县重点民生实事工作办公室"
FORMULA_TEXT = "=cmd|' /C calc'!A0"

CONFIG = {
    "year": 2023,
    "office": {"name": OFFICE, "short_name": "县实事办"},
    "categories": [
        {"code": "provincial", "name": "省级重点民生实事"},
        {"code": "local", "name": "本级重点民生实事"},
    ],
    "units": [
        {"code": "rsj", "name": "某县人力资源和社会保障局"},
        {"code": "zjj", "name": "某县住房和城乡建设局"},
        {"code": "wjj", "name": "某县卫生健康局"},
        {"code": "mzj", "name": "某县民政局"},
        {"code": "hbj", "name": "某县生态环境分局"},
        {"code": "fgj", "name": "某县发展和改革局"},
        {"code": "glzx", "name": "某县公路建设养护中心"},
        {"code": "town-jia", "name": "甲镇人民政府", "kind": "area", "area": "jia"},
    ],
    "areas": [
        {"code": "jia", "name": "甲镇", "kind": "镇"},
        {"code": "yi", "name": "乙镇", "kind": "镇"},
        {"code": "bing", "name": "丙乡", "kind": "乡"},
    ],
    "projects": [
        {
            "id": "p1",
            "category": "provincial",
            "number": 1,
            "title": "促进高质量充分就业",
            "lead": "rsj",
            "indicators": [
                {"id": "jiuye", "name": "城镇新增就业", "unit": "人", "target": 4980},
                {"id": "peixun", "name": "补贴性职业技能培训", "unit": "人次", "target": 3530},
                {"id": "chuangye", "name": "创业培训", "unit": "人次", "target": 530, "parent": "peixun"},
            ],
        },
        {
            "id": "p2",
            "category": "provincial",
            "number": 2,
            "title": "城镇老旧小区改造",
            "lead": "zjj",
            "indicators": [
                {
                    "id": "gaizao",
                    "name": "老旧小区改造",
                    "unit": "个",
                    "target": 12,
                    "area_targets": {"jia": 5, "yi": 4, "bing": 3},
                }
            ],
        },
        {
            "id": "p3",
            "category": "provincial",
            "number": 3,
            "title": "妇女“两癌”免费检查",
            "lead": "wjj",
            "indicators": [{"id": "liangai", "name": "“两癌”免费检查", "unit": "人", "target": 2000}],
        },
        {
            "id": "p4",
            "category": "local",
            "number": 1,
            "title": "提高城乡低保标准",
            "lead": "mzj",
            "indicators": [
                {
                    "id": "dibao",
                    "name": "城市低保标准",
                    "unit": "元/月",
                    "kind": "standard",
                    "target": 650,
                    "baseline": 600,
                    "target_text": "不低于650元/月",
                }
            ],
        },
        {
            "id": "p5",
            "category": "local",
            "number": 2,
            "title": "改善生态环境质量",
            "lead": "hbj",
            "indicators": [
                {
                    "id": "kongqi",
                    "name": "空气质量优良率",
                    "unit": "%",
                    "kind": "rate",
                    "baseline": 96.4,
                    "improve": True,
                    "target_text": "在96.4%基础上持续改善",
                },
                {
                    "id": "shuizhi",
                    "name": "水质优良率",
                    "unit": "%",
                    "kind": "rate",
                    "target": 100,
                    "area_targets": {"jia": 100, "yi": 100, "bing": "/"},
                },
            ],
        },
        {
            "id": "p6",
            "category": "local",
            "number": 3,
            "title": "县人民医院新院建设",
            "lead": "fgj",
            "indicators": [
                {
                    "id": "yiyuan",
                    "name": "新院建设进度",
                    "kind": "milestone",
                    "stages": ["未启动", "前期工作", "开工建设", "主体完工"],
                    "target_stage": "主体完工",
                },
                {
                    "id": "touzi",
                    "name": "当年完成投资",
                    "unit": "万元",
                    "kind": "investment",
                    "target": 20000,
                    "provisional": "具体以市级确定的为准",
                },
                {"id": "chuangwei", "name": "新增床位", "unit": "张", "pending": "以市卫健委下达为准"},
            ],
        },
        {
            "id": "p7",
            "category": "local",
            "number": 4,
            "title": "农村公路提质改造",
            "lead": "glzx",
            "indicators": [
                {
                    "id": "gonglu",
                    "name": "农村公路提质改造",
                    "unit": "公里",
                    "target": 4.5,
                    "window_start": "2023-07-01",
                }
            ],
        },
    ],
}

SCHEDULE = 5 / 12  # 序时进度 at 31 May: 41.7%


def config(**changes) -> Config:
    data = {**CONFIG, **changes}
    return parse_config(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="workbook-fixture.yaml")


def line(
    key: str,
    *,
    target: float | None,
    target_text: str,
    value: float | None,
    status: Status,
    light: Light,
    area: str | None = None,
    label: str = "",
    period: str | None = "2023-05",
    stale: bool = False,
    previous: float | None = None,
    rate_pct: float | None = None,
    schedule_pct: float | None = 41.7,
    gap_pp: float | None = None,
    stage: str | None = None,
    provisional: bool = False,
    incomplete: bool = False,
    note: str = "",
) -> Line:
    ind = key.split("@")[0]
    increment = None if value is None or previous is None else round(value - previous, 6)
    return Line(
        key=key,
        indicator_id=ind,
        area_code=area,
        label=label,
        target=target,
        target_text=target_text,
        provisional=provisional,
        value=value,
        stage=stage,
        value_period=period,
        stale=stale,
        previous=previous,
        increment=increment,
        rate=None if rate_pct is None else (value / target if value is not None and target else rate_pct / 100),
        schedule=None if schedule_pct is None else SCHEDULE,
        rate_pct=rate_pct,
        schedule_pct=schedule_pct,
        gap_pp=gap_pp,
        status=status,
        light=light,
        incomplete=incomplete,
        note=note,
    )


def indicator(
    ind_id: str,
    category: str,
    order: int,
    project: tuple[str, int, str],
    name: str,
    measure: str,
    kind: str,
    lead: tuple[str, str],
    total: Line,
    areas: tuple[Line, ...] = (),
    reporters: tuple[str, ...] | None = None,
    parent: str | None = None,
) -> IndicatorProgress:
    return IndicatorProgress(
        category=category,
        category_order=order,
        project_id=project[0],
        project_number=project[1],
        project_title=project[2],
        indicator_id=ind_id,
        name=name,
        measure=measure,
        kind=kind,
        lead=lead[1],
        lead_codes=(lead[0],),
        reporters=reporters or (lead[0],),
        parent=parent,
        total=total,
        areas=areas,
    )


PROV, LOCAL = "省级重点民生实事", "本级重点民生实事"
P1 = ("p1", 1, "促进高质量充分就业")
P2 = ("p2", 2, "城镇老旧小区改造")
P3 = ("p3", 3, "妇女“两癌”免费检查")
P4 = ("p4", 1, "提高城乡低保标准")
P5 = ("p5", 2, "改善生态环境质量")
P6 = ("p6", 3, "县人民医院新院建设")
P7 = ("p7", 4, "农村公路提质改造")
RSJ = ("rsj", "某县人力资源和社会保障局")
ZJJ = ("zjj", "某县住房和城乡建设局")
WJJ = ("wjj", "某县卫生健康局")
MZJ = ("mzj", "某县民政局")
HBJ = ("hbj", "某县生态环境分局")
FGJ = ("fgj", "某县发展和改革局")
GLZX = ("glzx", "某县公路建设养护中心")

G, Y, R, N = Light.green, Light.yellow, Light.red, Light.none

INDICATORS = (
    # 3120 ÷ 4980 = 62.65% → 62.7; 62.7 − 41.7 = 21.0; 本期新增 3120 − 2600 = 520
    indicator(
        "jiuye", PROV, 0, P1, "城镇新增就业", "人", "count", RSJ,
        line("jiuye", target=4980, target_text="4980", value=3120, previous=2600,
             rate_pct=62.7, gap_pp=21.0, status=Status.ahead, light=G),
    ),
    # 1400 ÷ 3530 = 39.66% → 39.7; 39.7 − 41.7 = −2.0 (within 5: 按序时, yellow)
    indicator(
        "peixun", PROV, 0, P1, "补贴性职业技能培训", "人次", "count", RSJ,
        line("peixun", target=3530, target_text="3530", value=1400, previous=1100,
             rate_pct=39.7, gap_pp=-2.0, status=Status.on_track, light=Y),
    ),
    # 其中: 380 ÷ 530 = 71.70% → 71.7; 71.7 − 41.7 = 30.0
    indicator(
        "chuangye", PROV, 0, P1, "创业培训", "人次", "count", RSJ,
        line("chuangye", target=530, target_text="530", value=380, previous=300,
             rate_pct=71.7, gap_pp=30.0, status=Status.ahead, light=G),
        parent="peixun",
    ),
    # 住建局 sent nothing for May: its April 下旬 figures are shown with their period, not as current;
    # 丙乡 never reported: 未报送, and the total 3 + 2 = 5 lacks it (incomplete)
    indicator(
        "gaizao", PROV, 0, P2, "老旧小区改造", "个", "count", ZJJ,
        line("gaizao", target=12, target_text="12", value=5, period="2023-04-3", stale=True,
             status=Status.missing, light=N, incomplete=True, note="截至4月下旬"),
        areas=(
            line("gaizao@jia", area="jia", label="甲镇", target=5, target_text="5", value=3,
                 period="2023-04-3", stale=True, status=Status.missing, light=N, note="截至4月下旬"),
            line("gaizao@yi", area="yi", label="乙镇", target=4, target_text="4", value=2,
                 period="2023-04-3", stale=True, status=Status.missing, light=N, note="截至4月下旬"),
            line("gaizao@bing", area="bing", label="丙乡", target=3, target_text="3", value=None,
                 period=None, status=Status.missing, light=N, schedule_pct=41.7),
        ),
    ),
    # excluded by V-DECREASE: 数据有误, no figure
    indicator(
        "liangai", PROV, 0, P3, "“两癌”免费检查", "人", "count", WJJ,
        line("liangai", target=2000, target_text="2000", value=None, status=Status.invalid, light=N,
             note="所填累计数比上期减少，已剔除"),
    ),
    # left blank: 未填
    indicator(
        "dibao", LOCAL, 1, P4, "城市低保标准", "元/月", "standard", MZJ,
        line("dibao", target=650, target_text="不低于650元/月", value=None, status=Status.unfilled, light=N,
             schedule_pct=None),
    ),
    # a rate against its baseline: 96.8 − 96.4 = +0.4 百分点, no 完成率
    indicator(
        "kongqi", LOCAL, 1, P5, "空气质量优良率", "%", "rate", HBJ,
        line("kongqi", target=96.4, target_text="在96.4%基础上持续改善", value=96.8, schedule_pct=None,
             gap_pp=0.4, status=Status.on_track, light=G),
    ),
    # a rate with areas: 甲镇 by its own area unit, 乙镇 by the lead; 丙乡 "/" has no line
    indicator(
        "shuizhi", LOCAL, 1, P5, "水质优良率", "%", "rate", HBJ,
        line("shuizhi", target=100, target_text="100", value=98.2, schedule_pct=None, gap_pp=-1.8,
             status=Status.on_track, light=Y),
        areas=(
            line("shuizhi@jia", area="jia", label="甲镇", target=100, target_text="100", value=100,
                 schedule_pct=None, gap_pp=0.0, status=Status.done, light=G),
            line("shuizhi@yi", area="yi", label="乙镇", target=100, target_text="100", value=95.5,
                 schedule_pct=None, gap_pp=-4.5, status=Status.on_track, light=Y),
        ),
        reporters=("hbj", "town-jia"),
    ),
    # milestone: 前期工作 against 主体完工 by the year end
    indicator(
        "yiyuan", LOCAL, 1, P6, "新院建设进度", "", "milestone", FGJ,
        line("yiyuan", target=None, target_text="主体完工", value=None, stage="前期工作",
             status=Status.severe, light=R, schedule_pct=None, note="计划5月底开工建设，尚在前期工作"),
    ),
    # investment, 暂定: 12345.67 ÷ 20000 = 61.73% → 61.7; 61.7 − 41.7 = 20.0; 12345.67 − 10000.5 = 2345.17
    indicator(
        "touzi", LOCAL, 1, P6, "当年完成投资", "万元", "investment", FGJ,
        line("touzi", target=20000, target_text="暂定20000", value=12345.67, previous=10000.5,
             rate_pct=61.7, gap_pp=20.0, status=Status.ahead, light=G, provisional=True),
    ),
    # pending target: the value without a rate
    indicator(
        "chuangwei", LOCAL, 1, P6, "新增床位", "张", "count", FGJ,
        line("chuangwei", target=None, target_text="以市卫健委下达为准", value=35, previous=20,
             schedule_pct=None, status=Status.pending, light=N),
    ),
    # window opens 1 July: 序时 0, a real 0.0 reported
    indicator(
        "gonglu", LOCAL, 1, P7, "农村公路提质改造", "公里", "count", GLZX,
        line("gonglu", target=4.5, target_text="4.5", value=0.0, previous=0.0,
             rate_pct=0.0, schedule_pct=0.0, gap_pp=0.0, status=Status.on_track, light=G),
    ),
)  # fmt: skip


def _counts(**kw: int) -> dict[Status, int]:
    return {Status[k]: v for k, v in kw.items()}


OVERALL = Tally(
    "合计", 7, 11, _counts(ahead=2, on_track=4, severe=1, missing=1, invalid=1, unfilled=1, pending=1), 0.5512, 55.1
)
CATEGORIES = (
    Tally(PROV, 3, 4, _counts(ahead=1, on_track=1, missing=1, invalid=1), 0.5118, 51.2),
    Tally(LOCAL, 4, 7, _counts(ahead=1, on_track=3, severe=1, unfilled=1, pending=1), 0.3085, 30.9),
)


def ranked(code, name, score, rank, n, done=0, lagging=(), missing=(), on_time=None, status="按时报送") -> Ranked:
    return Ranked(code, name, score, rank, n, done, tuple(lagging), tuple(missing), on_time, status)


UNITS = (
    ranked("rsj", RSJ[1], 120.0, 1, 3, on_time=1.0),
    ranked("fgj", FGJ[1], 105.0, 2, 2, lagging=["yiyuan"], on_time=0.8),
    ranked("hbj", HBJ[1], 105.0, 2, 2, on_time=1.0),
    ranked("wjj", WJJ[1], 60.0, 4, 1, missing=["liangai"], on_time=0.6, status="逾期报送"),
    ranked("zjj", ZJJ[1], 0.0, 5, 1, missing=["gaizao"], on_time=0.4, status="未报送"),
    ranked("mzj", MZJ[1], 0.0, 5, 1, missing=["dibao"], on_time=0.8, status="被拒收"),
    ranked("glzx", GLZX[1], None, None, 0, on_time=1.0),
)
AREAS = (
    ranked("jia", "甲镇", 100.0, 1, 1, done=1),
    ranked("yi", "乙镇", 95.0, 2, 1),
    ranked("bing", "丙乡", None, None, 0, missing=["gaizao@bing"]),
)

DEADLINE = dt.date(2023, 6, 5)
RETURNS = {
    "rsj": UnitReturn(
        "rsj", ReturnStatus.on_time, "某县人社局_2023年5月.xlsx", "2023-05", dt.date(2023, 6, 3), DEADLINE
    ),
    "zjj": UnitReturn("zjj", ReturnStatus.missing, "", "2023-05", None, DEADLINE),
    "wjj": UnitReturn(
        "wjj",
        ReturnStatus.late,
        "某县卫健局_2023年5月.xlsx",
        "2023-05",
        dt.date(2023, 6, 8),
        DEADLINE,
        late_days=3,
        errors=1,
    ),
    "mzj": UnitReturn(
        "mzj", ReturnStatus.rejected, "低保.xlsx", "2023-05", dt.date(2023, 6, 4), DEADLINE, reason=FORMULA_TEXT
    ),
    "hbj": UnitReturn("hbj", ReturnStatus.on_time, "环境.xlsx", "2023-05", dt.date(2023, 6, 1), DEADLINE),
    "fgj": UnitReturn("fgj", ReturnStatus.on_time, "发改.xlsx", "2023-05", dt.date(2023, 6, 2), DEADLINE),
}

FINDINGS = (
    Finding(
        "V-DECREASE", "累计数1800比上期（1900）减少，本期数值已剔除", "请核实后重报", "某县卫健局_2023年5月.xlsx",
        "填报表", "H8", "wjj", WJJ[1], "liangai", "“两癌”免费检查", "liangai", "1800", "2023-05",
    ),
    Finding(
        "V-NOT-NUMBER", "「累计完成」不是数字", "请填写数字", "某县卫健局_2023年5月.xlsx",
        "填报表", "H9", "wjj", WJJ[1], "liangai", "“两癌”免费检查", "liangai", "=SUM(H6:H9)", "2023-05",
    ),
    Finding(
        "T-FORMULA", "「存在问题」栏含公式，已按文字保存", "", "环境.xlsx",
        "填报表", "K7", "hbj", HBJ[1], "kongqi", "空气质量优良率", "kongqi", FORMULA_TEXT, "2023-05",
    ),
)  # fmt: skip


def report(**changes) -> ProgressReport:
    base = dict(
        period="2023-05",
        period_kind="month",
        period_label="2023年5月",
        previous_period="2023-04",
        as_of="2023-05-31",
        schedule=SCHEDULE,
        schedule_pct=41.7,
        decimals=1,
        indicators=INDICATORS,
        overall=OVERALL,
        categories=CATEGORIES,
        units=UNITS,
        areas=AREAS,
        praised=UNITS[:3],
        named=UNITS[3:6],
        changes=Changes(),
        returns=RETURNS,
        findings=FINDINGS,
    )
    base.update(changes)
    return ProgressReport(**base)
