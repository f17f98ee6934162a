"""Tolerant reading of what a unit typed: what is accepted, what is refused, and what is said."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.values import clean_text, parse_number, parse_stage


@pytest.mark.parametrize(
    "raw, unit, percent, value, note",
    [
        (1234, "人", False, 1234.0, None),
        (12.5, "公里", False, 12.5, None),
        ("1234", "人", False, 1234.0, None),
        ("1,234", "人", False, 1234.0, "去掉了千分位逗号"),
        ("1,234,567.5", "万元", False, 1234567.5, "去掉了千分位逗号"),
        ("１２３４", "人", False, 1234.0, "全角字符已转为半角"),
        ("１，２３４", "人", False, 1234.0, "去掉了千分位逗号"),
        ("300人", "人", False, 300.0, "去掉了单位「人」"),
        ("300 人次", "人次", False, 300.0, "去掉了单位「人次」"),
        ("73万方", "万方", False, 73.0, "去掉了单位「万方」"),
        ("95%", "%", True, 95.0, "去掉了百分号"),
        ("96.5", "%", True, 96.5, None),
        (" 42 ", "人", False, 42.0, "去掉了首尾空格"),
        ("42\u3000", "人", False, 42.0, "全角字符已转为半角"),
        ("0", "人", False, 0.0, None),
    ],
)
def test_numbers_read_tolerantly_and_say_what_was_done(raw, unit, percent, value, note):
    parsed = parse_number(raw, unit, allow_percent=percent)
    assert parsed.status == "ok"
    assert parsed.value == value
    text_note = ("数字是以文本形式填写的",) if isinstance(raw, str) else ()
    assert parsed.notes[: len(text_note)] == text_note  # numbers stored as text are said to be
    if note:
        assert note in parsed.notes
    else:
        assert parsed.notes == text_note


@pytest.mark.parametrize("raw", ["/", "—", "无", "暂无", "-", "／", " / "])
def test_explicit_not_reported(raw):
    parsed = parse_number(raw, "人")
    assert parsed.status == "not_reported"
    assert parsed.value is None


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_is_not_zero(raw):
    parsed = parse_number(raw, "人")
    assert parsed.status == "empty"
    assert parsed.value is None


@pytest.mark.parametrize(
    "raw, unit, reason",
    [
        ("约300", "人", "不是数字"),
        ("300余人", "人", "数字后面带了「余人」"),
        ("3万人", "人", "数字后面带了「万人」"),
        ("1.2万", "人", "数字后面带了「万」"),
        ("95%", "人", "不应带「%」"),
        ("1,23", "人", "不是数字"),
        ("#VALUE!", "人", "错误值"),
        ("=A1+B1", "人", "公式"),
        (True, "人", "逻辑值"),
        (dt.datetime(2023, 5, 1), "人", "日期"),
        ("三百", "人", "不是数字"),
        (float("nan"), "人", "不是有效数字"),
    ],
)
def test_unclear_values_are_refused_never_guessed(raw, unit, reason):
    parsed = parse_number(raw, unit)
    assert parsed.status == "invalid"
    assert parsed.value is None
    assert reason in parsed.reason


def test_stage_matching():
    stages = ["未启动", "开工建设", "全面完成"]
    assert parse_stage("开工建设", stages).value == "开工建设"
    assert parse_stage(" 开工 建设 ", stages).value == "开工建设"
    assert parse_stage(None, stages).status == "empty"
    bad = parse_stage("基本完成", stages)
    assert bad.status == "invalid" and "未启动、开工建设、全面完成" in bad.reason


def test_clean_text_keeps_content_and_says_what_it_removed():
    text, notes = clean_text("完成<培训>&考核\r\n第二批\x07次")
    assert text == "完成<培训>&考核\n第二批次"
    assert notes == ["去掉了不可见的控制字符"]
    assert clean_text("正常文字") == ("正常文字", [])


@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_and_fullwidth_integers_round_trip(n):
    grouped = f"{n:,}"
    assert parse_number(grouped, "人").value == float(n)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    assert parse_number(fullwidth, "人").value == float(n)
    assert parse_number(f"{n}人", "人").value == float(n)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_numbers_pass_through_unchanged(x):
    parsed = parse_number(x, "万元")
    assert parsed.status == "ok" and parsed.value == x and parsed.notes == ()
