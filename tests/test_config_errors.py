"""`minsheng check-config` on broken configs: one plain Chinese line per problem, exit 2."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import cli


def base() -> dict:
    return {
        "year": 2023,
        "office": {"name": "某县重点民生实事办公室", "doc_prefix": "某民生办"},
        "reporting": {"documents": [{"period": "month", "name": "月通报", "kind": "notice"}]},
        "deadlines": {"month": {"after_end_days": 5}},
        "units": [
            {"code": "rsj", "name": "某县人社局"},
            {"code": "fl", "name": "某县妇联"},
            {"code": "zhen1", "name": "甲镇人民政府", "kind": "area", "area": "a1"},
        ],
        "areas": [{"code": "a1", "name": "甲镇"}, {"code": "a2", "name": "乙镇"}],
        "projects": [
            {
                "id": "p1",
                "category": "省级重点民生实事",
                "number": 1,
                "title": "促进高质量充分就业",
                "lead": "rsj",
                "indicators": [
                    {
                        "id": "jy",
                        "name": "城镇新增就业",
                        "unit": "人",
                        "target": 100,
                        "area_targets": {"a1": 60, "a2": 40},
                    },
                    {"id": "px", "name": "补贴性职业技能培训", "unit": "人次", "target": 50},
                    {"id": "cy", "name": "创业培训", "unit": "人次", "target": 20, "parent": "px"},
                ],
            },
            {
                "id": "p2",
                "category": "本级重点民生实事",
                "number": 1,
                "title": "医院搬迁",
                "lead": "fl",
                "indicators": [
                    {
                        "id": "yy",
                        "name": "医院搬迁工程",
                        "kind": "milestone",
                        "stages": ["未启动", "开工建设", "全面完成"],
                        "target_stage": "全面完成",
                        "deadline": "2023-12-31",
                    },
                ],
            },
        ],
    }


def run(tmp_path, data=None, text=None):
    path = tmp_path / "config.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", "--config", str(path)])
    assert "Traceback" not in result.output
    return result


def test_valid_config_summary(tmp_path):
    result = run(tmp_path, base())
    assert result.exit_code == 0, result.output
    assert "2 个项目，4 个指标，3 个单位" in result.output
    assert "目标待定 0 个" in result.output


def mutate(fn):
    data = copy.deepcopy(base())
    fn(data)
    return data


def ind(data, p, i):
    return data["projects"][p]["indicators"][i]


BROKEN = [
    (
        "target not a number",
        lambda d: ind(d, 0, 1).update(target="约300"),
        "projects[0].indicators[1].target: 应为数字，实际为「约300」",
    ),
    (
        "area target not a number",
        lambda d: ind(d, 0, 0)["area_targets"].update(a2="四十"),
        "projects[0].indicators[0].area_targets.a2: 应为数字，或「/」表示不适用，实际为「四十」",
    ),
    ("missing office name", lambda d: d["office"].pop("name"), "office.name: 缺少必填项"),
    ("misspelt key", lambda d: ind(d, 0, 1).update(taget=5), "projects[0].indicators[1].taget: 不认识这个配置项"),
    (
        "unknown lead unit",
        lambda d: d["projects"][0].update(lead="jyj"),
        "projects[0].lead: 牵头单位「jyj」不在 units 列表中",
    ),
    (
        "unknown co-responsible unit",
        lambda d: d["projects"][0].update(co=["rsj", "czj"]),
        "projects[0].co[1]: 责任单位「czj」不在 units 列表中",
    ),
    (
        "unknown area",
        lambda d: ind(d, 0, 0)["area_targets"].update(a9=1),
        "projects[0].indicators[0].area_targets.a9: 区域「a9」不在 areas 列表中",
    ),
    (
        "duplicate indicator id",
        lambda d: ind(d, 0, 1).update(id="jy"),
        "projects[0].indicators[1].id: 指标编码「jy」与 projects[0].indicators[0] 重复",
    ),
    (
        "duplicate unit code",
        lambda d: d["units"].append({"code": "rsj", "name": "另一个单位"}),
        "units[3].code: 单位编码「rsj」重复出现 2 次",
    ),
    (
        "其中 larger than parent",
        lambda d: ind(d, 0, 2).update(target=80),
        "projects[0].indicators[2].target: 「其中」指标「创业培训」的目标 80人次 大于上级指标「补贴性职业技能培训」的目标 50人次",
    ),
    (
        "parent unknown",
        lambda d: ind(d, 0, 2).update(parent="nope"),
        "projects[0].indicators[2].parent: 「其中」指向的上级指标「nope」不存在",
    ),
    ("parent cycle", lambda d: ind(d, 0, 1).update(parent="cy"), "上级指标形成循环"),
    ("unknown kind", lambda d: ind(d, 0, 1).update(kind="percent"), "projects[0].indicators[1].kind: 应为以下之一"),
    (
        "unknown category",
        lambda d: d["projects"][1].update(category="县级"),
        "projects[1].category: 类别「县级」不在 categories 中；请写 categories 里的编码或名称之一：省级重点民生实事、",
    ),
    (
        "milestone without stages, target stage not among the default ones",
        lambda d: ind(d, 1, 0).update(stages=[]),
        "projects[1].indicators[0].target_stage: 目标阶段「全面完成」不在 stages 中"
        "（未写 stages 时默认为：未启动、前期工作、实施中、已完成）",
    ),
    (
        "target stage not among stages",
        lambda d: ind(d, 1, 0).update(target_stage="竣工"),
        "projects[1].indicators[0].target_stage: 目标阶段「竣工」不在 stages 中",
    ),
    (
        "bad date",
        lambda d: ind(d, 1, 0).update(deadline="9月1日前"),
        "projects[1].indicators[0].deadline: 应为日期（如 2023-09-01），实际为「9月1日前」",
    ),
    (
        "count without target",
        lambda d: ind(d, 0, 1).pop("target"),
        "projects[0].indicators[1].target: 指标「补贴性职业技能培训」缺少目标值",
    ),
    (
        "rate above 100%",
        lambda d: ind(d, 0, 1).update(kind="rate", unit="%", target=105),
        "projects[0].indicators[1].target: 指标「补贴性职业技能培训」的目标 105 超过上限 100",
    ),
    (
        "thresholds reversed",
        lambda d: d.update(thresholds={"lagging_pp": 10, "severe_pp": 5}),
        "thresholds.severe_pp: 严重滞后阈值 5 应不小于滞后阈值 10",
    ),
    (
        "deadline rule with both forms",
        lambda d: d.update(deadlines={"month": {"after_end_days": 3, "day": 20}}),
        "deadlines.month: 报送时限须在 after_end_days（期末后N天）和 day（某月第几日）中二选一",
    ),
    (
        "area unit without area",
        lambda d: d["units"][2].pop("area"),
        "units[2].area: 单位「甲镇人民政府」类型为 area，须写明它负责填报的区域编码",
    ),
    (
        "code with Chinese characters",
        lambda d: ind(d, 0, 1).update(id="培训"),
        "projects[0].indicators[1].id: 编码只能用英文字母开头",
    ),
    ("year out of range", lambda d: d.update(year="二〇二三"), "year: 应为整数，实际为「二〇二三」"),
]


@pytest.mark.parametrize("name, change, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_is_rejected_with_its_path(tmp_path, name, change, expected):
    result = run(tmp_path, mutate(change))
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_every_problem_reported_in_one_pass(tmp_path):
    def several(d):
        ind(d, 0, 1).update(target="约300")
        d["projects"][0].update(lead="jyj")
        ind(d, 0, 0)["area_targets"].update(a9=1)

    # Shape errors are reported before cross-checks; fix the shape and all cross-check errors show.
    result = run(tmp_path, mutate(several))
    assert result.exit_code == 2
    assert "约300" in result.output

    def refs(d):
        d["projects"][0].update(lead="jyj")
        ind(d, 0, 0)["area_targets"].update(a9=1)
        ind(d, 0, 2).update(parent="nope")

    result = run(tmp_path, mutate(refs))
    assert result.exit_code == 2
    assert "有 3 处错误" in result.output
    assert result.output.count("[错误]") == 3


def test_area_sum_gap_is_a_warning_not_an_error(tmp_path):
    result = run(tmp_path, mutate(lambda d: ind(d, 0, 0)["area_targets"].update(a2=42)))
    assert result.exit_code == 0, result.output
    assert "[警告]" in result.output
    assert "各区域目标合计 102，与总目标 100 相差 +2" in result.output


def test_area_sum_gap_acknowledged_by_the_document(tmp_path):
    def note(d):
        ind(d, 0, 0)["area_targets"].update(a2=42)
        ind(d, 0, 0)["area_sum_note"] = "原文合计行如此"

    result = run(tmp_path, mutate(note))
    assert result.exit_code == 0
    assert "[警告]" not in result.output
    assert "原文说明：原文合计行如此" in result.output


def test_not_applicable_and_pending_areas_are_not_summed(tmp_path):
    def na(d):
        ind(d, 0, 0)["area_targets"] = {"a1": 100, "a2": "/"}

    assert "[警告]" not in run(tmp_path, mutate(na)).output

    def pending(d):
        ind(d, 0, 0)["area_targets"] = {"a1": 60, "a2": None}

    assert "[警告]" not in run(tmp_path, mutate(pending)).output


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "year: 2023\noffice:\n\tname: x\n"
    result = run(tmp_path, text=text)
    assert result.exit_code == 2
    assert "不是有效的 YAML：第3行" in result.output
    assert "Tab" in result.output


def test_missing_file(tmp_path):
    result = CliRunner().invoke(cli, ["check-config", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "找不到配置文件" in result.output


def test_empty_file(tmp_path):
    result = run(tmp_path, text="")
    assert result.exit_code == 2
    assert "实际内容为空或不是映射" in result.output


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("year: 2023\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--debug", "check-config", "--config", str(path)])
    assert result.exit_code != 0
    assert result.exc_info is not None and result.exc_info[0].__name__ == "UserError"
