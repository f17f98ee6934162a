"""Reading config.yaml: YAML syntax, then the model's shape, then the cross-checks.

Every problem becomes one plain Chinese line naming the YAML path, e.g.
`projects[3].indicators[1].target: 应为数字，实际为「约300」`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .config import Config
from .config_checks import cross_check
from .errors import Problem, UserError


def load_config(path: str | Path) -> Config:
    """Load and validate a config file; raise UserError listing every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"找不到配置文件「{path}」。请确认路径，或用 --config 指定。") from None
    except UnicodeDecodeError:
        raise UserError(f"配置文件「{path}」不是 UTF-8 编码的文本，请用记事本或 VS Code 另存为 UTF-8。") from None
    except OSError as exc:
        raise UserError(f"无法读取配置文件「{path}」：{exc.strerror}") from None
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = "config.yaml") -> Config:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "某处"
        reason = getattr(exc, "problem", None) or "格式不正确"
        raise UserError(
            f"配置文件「{source}」不是有效的 YAML：{where}附近{_yaml_reason(reason)}。"
            "请检查缩进（用空格，不要用 Tab）、冒号后的空格和引号是否成对。"
        ) from None
    if not isinstance(data, dict):
        raise UserError(f"配置文件「{source}」应为键值结构（year、office、units、projects…），实际内容为空或不是映射。")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc.errors())
        raise UserError(f"配置文件「{source}」有 {len(problems)} 处问题：", problems) from None
    found = cross_check(config)
    errors = [p for p in found if p.level == "error"]
    if errors:
        raise UserError(f"配置文件「{source}」有 {len(errors)} 处错误：", found)
    config._warnings = [p for p in found if p.level != "error"]
    config._source = source
    return config


def _problems(errors: list[dict[str, Any]]) -> list[Problem]:
    """One problem per YAML path: a union (number, "/" or empty) yields one line, not three."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for e in errors:
        by_path.setdefault(_loc(e["loc"]), []).append(e)
    out = []
    for path, errs in by_path.items():
        kinds = {e["type"] for e in errs}
        if len(errs) > 1 and "float_parsing" in kinds:
            out.append(
                Problem(path=path, message=f"应为数字，或「/」表示不适用，实际为「{_shown(errs[0].get('input'))}」")
            )
        elif path.endswith("chain.review") and kinds == {"string_pattern_mismatch"}:
            out.append(
                Problem(
                    path=path, message=f"应写 lead（牵头单位审核汇总）、office（办公室汇总）或单位编码，{_got(errs)}"
                )
            )
        else:
            out.extend(Problem(path=path, message=_message(e)) for e in errs)
    return out


def _got(errs: list[dict[str, Any]]) -> str:
    return f"实际为「{_shown(errs[0].get('input'))}」；单位写 units 里的 code，不写名称"


def _yaml_reason(reason: str) -> str:
    known = {
        "found character '\\t' that cannot start any token": "出现了 Tab 字符",
        "mapping values are not allowed here": "冒号位置不对",
        "could not find expected ':'": "缺少冒号",
    }
    return "：" + known.get(reason, reason)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("float", "int", "str", "literal['/']", "none", "function-after[date]"):
            continue  # union branch names that pydantic puts in the path
        else:
            out += ("." if out else "") + str(part)
    return out


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "不认识这个配置项（请检查拼写，可用的项见 docs/config.md）"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        want = "整数" if kind.startswith("int") else "数字"
        return f"应为{want}，实际为「{_shown(value)}」"
    if kind in ("string_type",):
        return f"应为文字，实际为「{_shown(value)}」"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_pattern_mismatch":
        return f"编码只能用英文字母开头，由字母、数字、下划线、点或短横线组成，实际为「{_shown(value)}」"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace("', '", "、").strip("'")
        return f"应为以下之一：{expected}；实际为「{_shown(value)}」"
    if kind in ("list_type",):
        return f"应为列表（每项以「- 」开头），实际为「{_shown(value)}」"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为键值结构，实际为「{_shown(value)}」"
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"应为日期（如 2023-09-01），实际为「{_shown(value)}」"
    if kind == "too_short":
        return "至少要有一项"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        word = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }
        return f"应{word[kind]} {bound}，实际为「{_shown(value)}」"
    if kind == "bool_parsing":
        return f"应为 true 或 false，实际为「{_shown(value)}」"
    return f"取值不符合要求（{err.get('msg', kind)}），实际为「{_shown(value)}」"
