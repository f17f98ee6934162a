"""docs/config.md and the config model say the same thing.

- Every ```yaml snippet in the doc uses only keys the model has (walking the pydantic models), and
  loads: a complete config or an indicator / project list through the full check-config, a partial
  config (`units:`, `deadlines:` …) through the model's shape check.
- Where the doc says what the 年度目标 column prints for a snippet, targets.target_text prints it.
- Every field of every config model has a row in a table of its section, with the columns
  键 | 必填 | 含义 | 示例 | 用于; rows under a 「仅作记录」 heading say 仅作记录, rows elsewhere do not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from pipeline.config import (
    Area,
    Bulletins,
    CategoryDef,
    Chain,
    Config,
    Contact,
    DeadlineRule,
    Deadlines,
    DocumentSpec,
    Indicator,
    Office,
    PlanPoint,
    Project,
    Ranking,
    Reporting,
    Site,
    SourceDoc,
    Thresholds,
    Unit,
)
from pipeline.config_load import parse_config
from pipeline.targets import target_text

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "config.md"
DOC = DOC_PATH.read_text(encoding="utf-8")

# The heading (a prefix of the heading line) of the section that documents each model's keys.
SECTIONS: dict[type[BaseModel], str | None] = {
    Config: None,  # the whole document: a table row or a section heading per top-level key
    SourceDoc: "### `source`",
    Office: "### `office`",
    Unit: "### `units`",
    Contact: "### `units`",
    Area: "### `areas`",
    CategoryDef: "### `categories`",
    Project: "### `projects`",
    Indicator: "### 指标（`indicators`",
    PlanPoint: "#### 节点目标（`plan`",
    Site: "#### 点名的地点（`sites`",
    Chain: "### 数据流程（`chain`",
    Reporting: "### `reporting`",
    DocumentSpec: "### `reporting`",
    Deadlines: "### `deadlines`",
    DeadlineRule: "### `deadlines`",
    Thresholds: "### `thresholds`",
    Ranking: "### `ranking`",
    Bulletins: "### `bulletins`",
}
TABLE_HEADER = ["键", "必填", "含义", "示例", "用于"]
RECORD_ONLY = "仅作记录"
STAGES = ("填报表", "校验", "汇总分析", "汇总表", "月通报", "旬简报", "季总结", "检查配置", "仅作记录", "全部", "同上")
LEGACY_TOP_LEVEL = {"title"}  # read as source.title (Config._legacy_title)


# -- the doc's YAML snippets -------------------------------------------------------------------
def yaml_snippets() -> list[tuple[int, str, str]]:
    """(line number, snippet, the text after it up to the next snippet or heading)."""
    out = []
    for m in re.finditer(r"^```yaml\n(.*?)^```", DOC, flags=re.S | re.M):
        rest = DOC[m.end() :]
        stop = re.search(r"^```|^#", rest, flags=re.M)
        out.append((DOC.count("\n", 0, m.start()) + 1, m.group(1), rest[: stop.start()] if stop else rest))
    return out


SNIPPETS = yaml_snippets()


def _models_in(annotation) -> list[type[BaseModel]]:
    """The config models an annotation holds directly or in a list; a dict's values are free."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is dict:
        return []
    if origin is Annotated:
        return _models_in(get_args(annotation)[0])
    return [m for a in get_args(annotation) for m in _models_in(a)]


def unknown_keys(data, model: type[BaseModel], path: str = "") -> list[str]:
    """Every key in `data` that `model` (and the models under it) does not have."""
    if not isinstance(data, dict):
        return []
    out = []
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        field = model.model_fields.get(key)
        if field is None:
            if not (model is Config and key in LEGACY_TOP_LEVEL):
                out.append(f"{where}（{model.__name__} 没有这个键）")
            continue
        inner = _models_in(field.annotation)
        if not inner:
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            out.extend(unknown_keys(item, inner[0], f"{where}[{i}]" if isinstance(value, list) else where))
    return out


def classify(data) -> str:
    if isinstance(data, dict) and set(data) <= set(Config.model_fields) | LEGACY_TOP_LEVEL:
        return "config"
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        if all("indicators" in x for x in data):
            return "projects"
        if all("id" in x and "name" in x and "indicators" not in x for x in data):
            return "indicators"
    return "unknown"


def _unit_refs(item: dict) -> set[str]:
    refs = set()
    lead = item.get("lead")
    refs |= {lead} if isinstance(lead, str) else set(lead or [])
    refs |= {item[k] for k in ("reported_by", "certifier") if item.get(k)}
    refs |= set(item.get("co") or [])
    chain = item.get("chain") or {}
    refs |= {chain[k] for k in ("review", "certify") if chain.get(k) not in (None, "lead", "office")}
    return refs


def wrap(projects: list[dict]) -> dict:
    """A complete config around the doc's projects, with every unit and area they name registered."""
    units, areas, categories = {"lead0"}, [], []
    for p in projects:
        units |= _unit_refs(p)
        if p["category"] not in categories:
            categories.append(p["category"])
        for ind in p["indicators"]:
            units |= _unit_refs(ind)
            for key in ("area_targets", "area_baselines"):
                areas += [a for a in ind.get(key) or {} if a not in areas]
    return {
        "year": 2023,
        "office": {"name": "测试办公室"},
        "categories": [{"code": f"c{i}", "name": c} for i, c in enumerate(categories)],
        "units": [{"code": u, "name": f"单位{u}"} for u in sorted(units)],
        "areas": [{"code": a, "name": f"区域{a}"} for a in areas],
        "projects": projects,
    }


def _project(indicators: list[dict]) -> dict:
    return {
        "id": "p1",
        "category": "本级重点民生实事",
        "number": 1,
        "title": "项目",
        "lead": "lead0",
        "indicators": indicators,
    }


MINIMAL = yaml.safe_load(SNIPPETS[0][1]) if SNIPPETS else {}


def load_snippet(src: str):
    """The snippet as a loaded Config (None for a partial config, checked for its shape only)."""
    data = yaml.safe_load(src)
    kind = classify(data)
    if kind == "config":
        if {"year", "office", "units", "projects"} <= set(data):
            return parse_config(src, source="docs/config.md")
        Config.model_validate({**MINIMAL, **data})
        return None
    if kind == "projects":
        return parse_config(yaml.safe_dump(wrap(data), allow_unicode=True), source="docs/config.md")
    return parse_config(yaml.safe_dump(wrap([_project(data)]), allow_unicode=True), source="docs/config.md")


def test_the_doc_has_yaml_snippets_and_starts_with_a_complete_config():
    assert len(SNIPPETS) >= 20
    assert {"year", "office", "units", "projects"} <= set(MINIMAL)


@pytest.mark.parametrize("line, src, after", SNIPPETS, ids=[f"line{n}" for n, _, _ in SNIPPETS])
def test_snippet_uses_only_keys_the_model_has_and_loads(line, src, after):
    data = yaml.safe_load(src)
    kind = classify(data)
    assert kind != "unknown", f"docs/config.md 第 {line} 行的 yaml 片段既不是配置，也不是项目或指标列表"
    if kind == "config":
        bad = unknown_keys(data, Config)
    else:
        model = Project if kind == "projects" else Indicator
        bad = [k for i, item in enumerate(data) for k in unknown_keys(item, model, f"[{i}]")]
    assert not bad, f"docs/config.md 第 {line} 行的片段用了模型中没有的键：{bad}"
    load_snippet(src)  # raises UserError with check-config's message when the snippet is wrong


PRINTS = "年度目标一列印："


def _claimed(after: str) -> list[str] | None:
    """The target texts the doc says the form prints for the snippet just above."""
    at = after.find(PRINTS)
    if at < 0:
        return None
    sentence = after[at + len(PRINTS) :].split("。")[0].split("；")[0]
    sentence = re.sub(r"`[^`]*`|（[^`（）]*）", lambda m: m.group(0) if m.group(0).startswith("`") else "", sentence)
    return re.findall(r"`([^`]*)`", sentence)


CLAIMS = [(n, src, _claimed(after)) for n, src, after in SNIPPETS if _claimed(after) is not None]


def test_the_doc_says_what_the_form_prints_for_most_idioms():
    assert len(CLAIMS) >= 15


@pytest.mark.parametrize("line, src, claimed", CLAIMS, ids=[f"line{n}" for n, _, _ in CLAIMS])
def test_the_printed_target_is_what_targets_py_prints(line, src, claimed):
    cfg = load_snippet(src)
    shown = [target_text(ind) for _, ind in cfg.indicators()]
    assert shown == claimed, f"docs/config.md 第 {line} 行之后说年度目标一列印 {claimed}，实际印 {shown}"


# -- every key documented --------------------------------------------------------------------
def prose_lines() -> list[str]:
    """The doc's lines outside fenced code (a YAML comment is not a heading)."""
    out, fenced = [], False
    for line in DOC.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line)
    return out


PROSE = "\n".join(prose_lines())


def section(heading: str | None) -> str:
    if heading is None:
        return PROSE
    lines = PROSE.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(heading)]
    assert len(starts) == 1, f"docs/config.md 应有且只有一个以「{heading}」开头的标题"
    level = len(heading) - len(heading.lstrip("#"))
    out = [lines[starts[0]]]
    for line in lines[starts[0] + 1 :]:
        m = re.match(r"^(#+) ", line)
        if m and len(m.group(1)) <= level:
            break
        out.append(line)
    return "\n".join(out)


def key_rows(text: str) -> list[tuple[list[str], list[str], bool]]:
    """(keys in the first cell, cells, under a 仅作记录 heading) for every row of every key table."""
    rows, header, record_only = [], None, False
    for line in text.splitlines():
        if line.startswith("#"):
            record_only = RECORD_ONLY in line
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: ") or header[0] != "键":
            continue
        rows.append((re.findall(r"`([a-z_]+)`", cells[0]), cells, record_only))
    return rows


def key_tables_headers(text: str) -> list[list[str]]:
    out, previous = [], ""
    for line in text.splitlines():
        if line.startswith("|") and not previous.startswith("|"):
            out.append([c.strip() for c in line.strip().strip("|").split("|")])
        previous = line
    return [h for h in out if h[0] == "键"]


def test_every_key_table_has_the_columns_required_and_used_by():
    headers = key_tables_headers(PROSE)
    assert len(headers) >= 15
    for h in headers:
        assert h == TABLE_HEADER, f"docs/config.md 的键表应为 {TABLE_HEADER}，实际为 {h}"


@pytest.mark.parametrize("model", list(SECTIONS), ids=lambda m: m.__name__)
def test_every_field_of_the_model_is_documented_in_its_section(model):
    text = section(SECTIONS[model])
    documented = {k for keys, _, _ in key_rows(text) for k in keys}
    if model is Config:
        documented |= set(re.findall(r"^#+ `([a-z_]+)`", PROSE, flags=re.M))
    missing = [f for f in model.model_fields if f not in documented]
    assert not missing, f"docs/config.md「{SECTIONS[model] or '全文'}」一节的表中没有这些键：{missing}"


def test_used_by_says_a_stage_and_record_only_keys_sit_under_their_heading():
    for keys, cells, record_only in key_rows(PROSE):
        used = cells[-1]
        assert any(s in used for s in STAGES), f"{keys} 的「用于」一栏应写明用于哪一步：{used}"
        if record_only:
            assert used.startswith(RECORD_ONLY), f"{keys} 在「仅作记录」标题下，「用于」却写「{used}」"
        else:
            assert not used.startswith(RECORD_ONLY), f"{keys} 只作记录，应放到该节「仅作记录」标题下"


def test_the_doc_names_no_key_the_model_lacks_in_its_tables():
    known = {f for m in SECTIONS for f in m.model_fields}
    named = {k for keys, _, _ in key_rows(PROSE) for k in keys}
    assert not named - known, f"docs/config.md 的表中有模型里没有的键：{sorted(named - known)}"
