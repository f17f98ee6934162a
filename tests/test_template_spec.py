"""A third party fills a form using only docs/template-spec.md's rules; ingest reads back the same values.

The filler below knows nothing of the pipeline: it reads `_meta` A:B and the row table from D,
finds rows by the key in column M, writes H (and J–L), and saves.
"""

from __future__ import annotations

from conftest import fill_by_spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.forms import write_forms
from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger
from pipeline.periods import parse_period


def test_fill_by_the_spec_and_read_back(sample_config, tmp_path):
    period = parse_period("2023-05")
    blank = {p.name: p for p in write_forms(sample_config, period, tmp_path / "blank")}
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    name = "某县卫生健康局_2023年5月_重点民生实事进展填报表.xlsx"
    values = {"yiyuan": "开工建设", "icu": 42, "liangai": 1234.5, "qianyue": 0}
    meta = fill_by_spec(blank[name], values, {"icu": "新增ICU床位 & <可转换> 床位"}, inputs / "wjj.xlsx")
    assert (meta["unit_code"], meta["period"], meta["template_version"]) == ("wjj", "2023-05", "1")
    result = run_ingest(sample_config, inputs, tmp_path / "out")
    assert [o.status for o in result.outcomes] == ["accepted"]
    assert not [f for f in result.findings if f.is_error]
    with Ledger(tmp_path / "out" / "ledger-2023.sqlite") as ledger:
        got = {v.row_key: (v.value_text or v.value_num) for _, v in ledger.values_for("2023-05")}
        (note,) = [r[0] for r in ledger.db.execute("SELECT text FROM narratives WHERE row_key = 'icu'")]
        sub = ledger.submissions("2023-05")[0]
    assert got == {"yiyuan": "开工建设", "icu": 42.0, "liangai": 1234.5, "qianyue": 0.0}
    assert note == "新增ICU床位 & <可转换> 床位"
    assert (sub["filler"], sub["phone"], sub["received_date"]) == ("张三", "0739-1234567", "2023-06-03")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    jiuye_yi=st.integers(0, 10**6),
    jiuye_bing=st.integers(0, 10**6),
    peixun=st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
    as_text=st.booleans(),
)
def test_round_trip_any_values(sample_config, tmp_path_factory, jiuye_yi, jiuye_bing, peixun, as_text):
    """Write a form, fill it by program, ingest: the same numbers come back, typed or as text."""
    tmp = tmp_path_factory.mktemp("rt")
    period = parse_period("2023-05")
    blank = {p.name: p for p in write_forms(sample_config, period, tmp / "blank")}
    inputs = tmp / "inputs"
    inputs.mkdir()
    chuangye = min(peixun, 7.0)
    values = {
        "jiuye": jiuye_yi + jiuye_bing,
        "jiuye@yi": jiuye_yi,
        "jiuye@bing": jiuye_bing,
        "peixun": peixun,
        "chuangye": chuangye,
    }
    typed = {k: (f"{v:,}" if as_text else v) for k, v in values.items()}
    fill_by_spec(
        blank["某县人力资源和社会保障局_2023年5月_重点民生实事进展填报表.xlsx"], typed, {}, inputs / "rsj.xlsx"
    )
    run_ingest(sample_config, inputs, tmp / "out")
    with Ledger(tmp / "out" / "ledger-2023.sqlite") as ledger:
        got = {v.row_key: v.value_num for _, v in ledger.values_for("2023-05")}
    assert got == {k: float(v) for k, v in values.items()}


def test_the_spec_document_matches_the_code(sample_config):
    """docs/template-spec.md is what third parties program against: it must say what formspec does."""
    import datetime as dt
    import re

    from conftest import ROOT

    from pipeline import formspec
    from pipeline.forms import metadata_pairs

    doc = (ROOT / "docs" / "template-spec.md").read_text(encoding="utf-8")
    for cell, label in [
        (formspec.FILLER_CELL, "填报人"),
        (formspec.PHONE_CELL, "联系电话"),
        (formspec.REVIEWER_CELL, "审核（分管领导）"),
        (formspec.DATE_CELL, "填报日期"),
    ]:
        assert re.search(rf"`{cell}`[^|]*\| {re.escape(label)}", doc), (cell, label)
    for c in formspec.COLUMNS:
        assert f"| {c.letter} | {c.header} |" in doc, c
    assert f"第 {formspec.HEADER_ROW} 行是表头，第 {formspec.FIRST_DATA_ROW} 行起" in doc
    keys = [k for k, _ in metadata_pairs(sample_config, "u", "单位", parse_period("2023-05"), dt.date(2023, 6, 5), 1)]
    for key in keys:
        assert f"| `{key}` |" in doc, key
    for name in (formspec.SHEET_FORM, formspec.SHEET_EXPERIENCE, formspec.SHEET_META):
        assert f"`{name}`" in doc
