"""A returns simulator: fills the period's forms the way units do, for the demo, tests and bench.

Values follow a plausible cumulative path along the year: each unit has its own pace (some ahead,
some lagging), milestones move stage, notes read like a clerk wrote them. Everything derives from
(seed, unit, row, period), so a seed gives the same cell values every time and consecutive
periods are consistent. `messy` plants what real returns contain and lists each plant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import random
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from .config import Config, Kind
from .forms import form_filename, write_form, write_forms
from .formspec import (
    COL,
    DATE_CELL,
    EXP_TEXT_CELL,
    EXP_TITLE_CELL,
    FILLER_CELL,
    FIRST_DATA_ROW,
    PHONE_CELL,
    REVIEWER_CELL,
    SHEET_EXPERIENCE,
    SHEET_FORM,
    FormRow,
    rows_by_unit,
)
from .measures import factor
from .periods import Period, report_deadline, scheduled_share

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高曾邓谢唐"
GIVEN = ["建华", "丽娟", "志强", "海燕", "红梅", "卫东", "晓燕", "国平", "小军", "慧敏", "立新", "文静", "明亮", "春花"]
LEADERS = ["李局长", "王副局长", "张主任", "刘副主任", "陈局长", "赵副局长"]
PROGRESS = [
    "截至本期末累计完成{v}{u}，完成年度目标的{p}。",
    "本期新增{d}{u}，累计完成{v}{u}，完成率{p}，各项工作按计划推进。",
    "已召开专题调度会，压实责任，累计完成{v}{u}（{p}）。",
]
PROBLEMS_LAG = [
    "受上级资金下达较晚影响，部分项目开工推迟，进度滞后。",
    "前期手续办理周期较长，施工进度慢于序时。",
    "部分乡镇宣传发动不够，群众参与度不高。",
]
PLANS = [
    "下一步将加强调度，倒排工期，确保按期完成年度任务。",
    "继续加大宣传力度，逐月通报进度，确保完成全年目标。",
    "加快资金拨付，督促施工单位增加人手，力争下月赶上序时进度。",
]
# 典型经验 as units send them: several units pick the same one (the 季总结 merges those), some
# carry their own 一是二是 inside the text, none is longer than a page.
EXPERIENCES = [
    (
        "推行“一站式”服务 打通民生实事“最后一公里”",
        "把重点民生实事作为“一把手”工程，建立周调度、月通报机制，推行“一站式”办理，群众办事时间平均缩短一半。"
        "主要做法：一是压实责任，班子成员分片包干；二是优化流程，材料能减则减；三是强化督查，每周通报进度。",
    ),
    (
        "坚持清单化管理 推动民生实事落地见效",
        "将年度任务分解为月度清单，实行挂图作战、销号管理，确保件件有着落、事事有回音。",
    ),
    (
        "抓实项目前期 为按期开工赢得主动",
        "提前谋划项目选址、立项和用地报批，会同自然资源、住建等部门并联审批，前期手续办理时间压缩近三分之一，"
        "确保资金到位即可开工。",
    ),
    (
        "创新“点单式”服务 让群众从“旁观者”变“参与者”",
        "通过村（社区）公示栏、微信群征集群众需求，按需“点单”、部门“接单”、群众“评单”，"
        "改造项目群众满意率保持在95%以上。",
    ),
    (
        "强化资金保障 确保项目建设不断档",
        "积极争取上级专项资金和地方政府专项债券，建立资金拨付“绿色通道”，按工程进度及时拨付，"
        "资金拨付率较去年同期提高12个百分点。",
    ),
    (
        "坚持日调度周通报 以周保月促进度",
        "建立专班日调度、周通报、月讲评机制，对进度滞后的项目实行“红黄牌”预警，"
        "对连续两周滞后的项目由分管领导现场督办。",
    ),
]


@dataclass(frozen=True)
class Planted:
    kind: str
    unit_code: str
    file: str = ""
    row_key: str = ""
    cell: str = ""
    value: str = ""


@dataclass
class Simulation:
    files: list[Path] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def unit_pace(seed: int, unit_code: str) -> float:
    """How fast a unit works relative to schedule: most near 1, some ahead, some lagging."""
    return round(_rng(seed, "pace", unit_code).choice([0.55, 0.75, 0.9, 1.0, 1.05, 1.15, 1.3]), 2)


def _decimals(unit: str, target: float | None) -> int:
    """Things counted one by one (人, 户, 所…) are whole numbers; 万元, 公里, 万方 take a decimal."""
    if unit.startswith("万") or unit in {"%", "公里", "元/月", "元/年"}:
        return 1
    return 0


def simulated_value(seed: int, unit_code: str, row: FormRow, period: Period) -> float | str | None:
    """The cumulative value a unit reports for a row at a period's end (deterministic, monotone in time)."""
    ind = row.indicator
    share = scheduled_share(period, ind.window_start, ind.deadline)
    pace = unit_pace(seed, unit_code) * _rng(seed, "row", unit_code, row.key).uniform(0.92, 1.08)
    if row.staged:
        goal = ind.stages.index(row.target) if isinstance(row.target, str) else len(ind.stages) - 1
        return ind.stages[min(len(ind.stages) - 1, int(share * pace * (goal + 1)))]
    if ind.kind == Kind.rate:
        base = ind.area_baselines.get(row.area_code or "", ind.baseline)
        base = base if base is not None else (row.target if isinstance(row.target, float) else 90.0)
        hi = ind.value_range()[1] or 100.0
        return round(min(hi, base + _rng(seed, "rate", unit_code, row.key, period.code).uniform(-1.5, 1.5)), 1)
    if ind.kind == Kind.standard:
        reached = share * pace > 0.3
        value = row.target if reached or ind.baseline is None else ind.baseline
        return float(value) if value is not None else None
    target = row.target if isinstance(row.target, float) else 100.0
    fraction = min(1.08, share * pace)
    return round(target * fraction, _decimals(ind.unit, target))


def filled_values(
    seed: int, unit_code: str, rows: list[FormRow], period: Period, by_unit: dict[str, list[FormRow]] | None = None
) -> dict[str, float | str | None]:
    """A unit's values; `by_unit` (every unit's rows) lets a reviewing unit's 合计 add up areas filled elsewhere."""
    values = {r.key: simulated_value(seed, unit_code, r, period) for r in rows}
    # A 合计 row is what its areas add up to, as a careful unit (or reviewing unit) would report it.
    for r in rows:
        if r.is_total and r.kind not in (Kind.rate, Kind.standard, Kind.milestone):
            mine = [(unit_code, x) for x in rows]
            everyone = [(u, x) for u, xs in (by_unit or {}).items() for x in xs] if r.aggregates else mine
            parts = [
                values[x.key] if u == unit_code else simulated_value(seed, u, x, period)
                for u, x in everyone
                if x.indicator.id == r.indicator.id and x.area_code
            ]
            if parts and all(isinstance(p, float) for p in parts):
                values[r.key] = round(sum(parts) * (factor(r.indicator.row_unit, r.indicator.unit) or 1.0), 4)
    return values


def simulate(cfg: Config, period: Period, into: Path, seed: int = 1, messy: bool = False) -> Simulation:
    """Write filled returns for every reporting unit into `into` (created if needed)."""
    into.mkdir(parents=True, exist_ok=True)
    sim = Simulation()
    by_unit = rows_by_unit(cfg)
    deadline = report_deadline(period, getattr(cfg.deadlines, period.kind)) or period.end
    victims = _victims(seed, list(by_unit), by_unit) if messy else {}
    with tempfile.TemporaryDirectory() as tmp:
        blank_dir = Path(tmp)
        write_forms(cfg, period, blank_dir)
        for unit_code, rows in by_unit.items():
            if victims.get("missing_unit") == unit_code:
                sim.planted.append(Planted("missing_unit", unit_code))
                continue
            unit = cfg.unit(unit_code)
            name = form_filename(unit.name, period)
            values = filled_values(seed, unit_code, rows, period, by_unit)
            prev_values = filled_values(seed, unit_code, rows, period.previous(), by_unit)
            plants = _plant(victims, unit_code, rows, values, prev_values, sim) if messy else {}
            late = victims.get("late") == unit_code
            when = _filled_on(seed, unit_code, deadline, late)
            if late:
                sim.planted.append(Planted("late", unit_code, value=when.isoformat()))
            target_name = name
            if victims.get("renamed") == unit_code:
                target_name = f"{period.short_label}报表（{unit.aliases[0] if unit.aliases else unit.name}）最终版.xlsx"
                sim.planted.append(Planted("renamed", unit_code, file=target_name))
            out = into / target_name
            _fill_file(blank_dir / name, out, seed, unit_code, rows, values, prev_values, plants, period, when)
            sim.files.append(out)
            if victims.get("stale_copy") == unit_code:
                stale = _stale_copy(cfg, seed, unit_code, rows, period.previous(), into)
                sim.files.append(stale)
                sim.planted.append(Planted("stale_copy", unit_code, file=stale.name))
    return sim


ROW_KINDS = ("text_separators", "fullwidth", "with_unit", "decrease", "empty", "special_note")
_ADDITIVE = (Kind.count, Kind.investment, Kind.share)
SPECIAL_NOTE = "完成“<培训>&考核”任务 > 计划\n第二批次 A&B 已启动"


def _victims(seed: int, units: list[str], by_unit: dict[str, list[FormRow]]) -> dict:
    """Who gets which plant: unit-level kinds by unit, row-level kinds by (unit, row key)."""
    rng = _rng(seed, "victims")
    order = units[:]
    rng.shuffle(order)
    victims: dict = {"missing_unit": order[-1]}
    with_child = [u for u in order if any(r.indicator.parent for r in by_unit[u])]
    # a 合计 with its areas on the same form (a reviewing unit's 合计 is checked against other forms, not here)
    with_total = [u for u in order if any(r.is_total and not r.aggregates and r.kind in _ADDITIVE for r in by_unit[u])]
    if with_child:
        victims["child_exceeds"] = with_child[0]
    if with_total:
        victims["area_sum"] = with_total[0]
    alive = [u for u in order if u != victims["missing_unit"]] or order
    free = {
        u: [r for r in by_unit[u] if _plantable(r, by_unit[u]) and not (r.area_code and victims.get("area_sum") == u)]
        for u in alive
    }
    rows = {}
    for i, kind in enumerate(ROW_KINDS):
        for u in alive[i % len(alive) :] + alive[: i % len(alive)]:
            # a decrease needs a previous figure to fall from: a target of 1 may still stand at 0
            fits = [r for r in free[u] if kind != "decrease" or r.target >= 10]
            if fits:
                free[u].remove(fits[0])
                rows[kind] = (u, fits[0].key)
                break
    victims["rows"] = rows
    for i, kind in enumerate(["late", "renamed", "stale_copy"]):
        victims[kind] = alive[(i + 1) % len(alive)]
    return victims


def _plantable(r: FormRow, rows: list[FormRow]) -> bool:
    """A plain numeric row: no 合计, not part of a 其中 pair, with a numeric target."""
    if r.kind not in (Kind.count, Kind.investment) or r.indicator.stock or r.is_total:
        return False
    if not isinstance(r.target, float):
        return False
    return not (r.indicator.parent or any(x.indicator.parent == r.indicator.id for x in rows))


def _plant(
    victims: dict, unit_code: str, rows: list[FormRow], values: dict, prev: dict, sim: Simulation
) -> dict[str, object]:
    """Change this unit's values/texts as planned; returns row key → what to write instead."""
    plants: dict[str, object] = {}
    by_key = {r.key: r for r in rows}

    def cell(r: FormRow, field: str = "value") -> str:
        return f"{COL[field].letter}{FIRST_DATA_ROW + rows.index(r)}"

    for kind, (unit, key) in victims.get("rows", {}).items():
        if unit != unit_code:
            continue
        r = by_key[key]
        v = values[r.key]
        if kind == "text_separators":  # numbers typed as text, with separators when they are large
            plants[r.key] = f"{v:,.0f}" if v >= 1000 and v.is_integer() else f"{v:g}"
        elif kind == "fullwidth":
            plants[r.key] = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in f"{v:g}")
        elif kind == "with_unit":
            plants[r.key] = f"{v:g}{r.indicator.unit}"
        elif kind == "decrease":
            before = prev.get(r.key)
            low = round(max(0.0, (before if isinstance(before, float) else v) * 0.8 - 1), 0)
            values[r.key] = low
            plants[r.key] = low
            plants[("no_problem_text", r.key)] = True
        elif kind == "empty":
            values[r.key] = None
            plants[r.key] = None
        elif kind == "special_note":
            plants[("progress", r.key)] = SPECIAL_NOTE
        where = cell(r, "progress") if kind == "special_note" else cell(r)
        shown = SPECIAL_NOTE if kind == "special_note" else plants.get(r.key)
        sim.planted.append(
            Planted(kind, unit_code, row_key=r.key, cell=where, value="" if shown is None else str(shown))
        )
    if victims.get("child_exceeds") == unit_code:
        child = next((r for r in rows if r.indicator.parent and isinstance(values.get(r.key), float)), None)
        if child is not None:
            parent_key = child.indicator.parent + (f"@{child.area_code}" if child.area_code else "")
            bigger = float(values.get(parent_key) or 0) + 10
            values[child.key] = bigger
            plants[child.key] = bigger
            sim.planted.append(
                Planted("child_exceeds", unit_code, row_key=child.key, cell=cell(child), value=f"{bigger:g}")
            )
    if victims.get("area_sum") == unit_code:
        total = next(
            (
                r
                for r in rows
                if r.is_total and not r.aggregates and isinstance(values.get(r.key), float) and r.kind in _ADDITIVE
            ),
            None,
        )
        if total is not None:
            wrong = values[total.key] + 5
            values[total.key] = wrong
            plants[total.key] = wrong
            sim.planted.append(Planted("area_sum", unit_code, row_key=total.key, cell=cell(total), value=f"{wrong:g}"))
    return plants


def _filled_on(seed: int, unit_code: str, deadline: dt.date, late: bool) -> dt.datetime:
    rng = _rng(seed, "date", unit_code, deadline.isoformat())
    day = deadline + dt.timedelta(days=rng.randint(3, 6)) if late else deadline - dt.timedelta(days=rng.randint(0, 2))
    return dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))


def _texts(seed: int, unit_code: str, r: FormRow, v, prev, period: Period) -> tuple[str, str, str]:
    rng = _rng(seed, "text", unit_code, r.key, period.code)
    ind = r.indicator
    if v is None:
        return "", "数据正在统计核实中，待核实后补报。", rng.choice(PLANS)
    if isinstance(v, str):
        return f"项目目前处于「{v}」阶段，各项工作有序推进。", "", rng.choice(PLANS)
    target = r.target if isinstance(r.target, float) else None
    pct = f"{v / target:.1%}" if target else "—"
    delta = v - prev if isinstance(prev, float) else v
    progress = rng.choice(PROGRESS).format(v=f"{v:g}", u=ind.unit, p=pct, d=f"{max(delta, 0):g}")
    share = scheduled_share(period, ind.window_start, ind.deadline)
    lagging = target and ind.kind in (Kind.count, Kind.investment, Kind.share) and v / target < share - 0.05
    problems = rng.choice(PROBLEMS_LAG) if lagging else ""
    return progress, problems, rng.choice(PLANS)


def _fill_file(
    blank: Path,
    out: Path,
    seed: int,
    unit_code: str,
    rows: list[FormRow],
    values: dict,
    prev: dict,
    plants: dict,
    period: Period,
    when: dt.datetime,
) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb[SHEET_FORM]
    rng = _rng(seed, "people", unit_code)
    ws[FILLER_CELL] = rng.choice(SURNAMES) + rng.choice(GIVEN)
    ws[PHONE_CELL] = f"0739-{rng.randint(2000000, 2999999)}"
    ws[REVIEWER_CELL] = rng.choice(LEADERS)
    ws[DATE_CELL] = when.date()
    ws[DATE_CELL].number_format = "yyyy-mm-dd"
    for i, r in enumerate(rows):
        excel_row = FIRST_DATA_ROW + i
        v = plants.get(r.key, values[r.key])
        ws[f"{COL['value'].letter}{excel_row}"] = v
        progress, problems, plans = _texts(seed, unit_code, r, values[r.key], prev.get(r.key), period)
        if plants.get(("no_problem_text", r.key)):
            progress, problems = "", ""
        progress = plants.get(("progress", r.key), progress)
        for name, text in (("progress", progress), ("problems", problems), ("plans", plans)):
            ws[f"{COL[name].letter}{excel_row}"] = text or None
    if _rng(seed, "exp", unit_code, period.code).random() < 0.5:
        title, text = _rng(seed, "exp-pick", unit_code).choice(EXPERIENCES)
        exp = wb[SHEET_EXPERIENCE]
        exp[EXP_TITLE_CELL] = title
        exp[EXP_TEXT_CELL] = text
    wb.properties.created = when - dt.timedelta(days=1)  # fixed, so a seed gives the same bytes
    wb.properties.modified = when
    wb.properties.lastModifiedBy = ws[FILLER_CELL].value
    buffer = io.BytesIO()
    wb.save(buffer)
    out.write_bytes(_fixed_zip_times(buffer.getvalue(), when))
    stamp = when.timestamp()
    os.utime(out, (stamp, stamp))


def _fixed_zip_times(data: bytes, when: dt.datetime) -> bytes:
    """Re-pack with the fill time as the save time (openpyxl stamps the wall clock into the zip
    entries and docProps/core.xml), so a seed gives the same bytes and a re-sent file is
    recognised by its hash."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, 0)
    saved = when.strftime("%Y-%m-%dT%H:%M:00Z").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "docProps/core.xml":
                part = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + saved + rb"\g<2>", part
                )
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=stamp), part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _stale_copy(cfg: Config, seed: int, unit_code: str, rows: list[FormRow], previous: Period, into: Path) -> Path:
    """Last period's return for one unit, sent again under a new name."""
    unit = cfg.unit(unit_code)
    with tempfile.TemporaryDirectory() as tmp:
        blank_dir = Path(tmp)
        blank = write_form(cfg, previous, unit_code, rows, blank_dir, {})
        by_unit = rows_by_unit(cfg)
        values = filled_values(seed, unit_code, rows, previous, by_unit)
        prev2 = filled_values(seed, unit_code, rows, previous.previous(), by_unit)
        deadline = report_deadline(previous, getattr(cfg.deadlines, previous.kind)) or previous.end
        out = into / f"{unit.name}报表(1).xlsx"
        _fill_file(
            blank, out, seed, unit_code, rows, values, prev2, {}, previous, _filled_on(seed, unit_code, deadline, False)
        )
    return out
