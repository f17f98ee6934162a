"""数据依据: every number a document prints, traced to how it was computed and the cell it came from."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from basis_checks import assert_traced, basis_rows
from conftest import ROOT
from docx.oxml import OxmlElement
from report_fixtures import ISSUED, build_report, default_config

from pipeline.config_load import load_config
from pipeline.documents.basis import Basis
from pipeline.documents.basis_workbook import write_basis
from pipeline.documents.monthly import render_notice
from pipeline.documents.numbering import Numbering
from pipeline.documents.render import render_docx
from pipeline.jobs import run_cycle
from pipeline.model import Source
from pipeline.numbers import fixed
from pipeline.periods import parse_period
from pipeline.routine import run_all


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """The default config's 月通报 for May on the simulated demo returns (mistakes planted)."""
    cfg = load_config(ROOT / "config.yaml")
    out = tmp_path_factory.mktemp("cycle")
    job = run_cycle(cfg, "month", out / "inputs", "2023-05", out)
    return cfg, job, out / "demo"


def test_the_notice_has_its_basis_beside_it(cycle):
    _, job, _ = cycle
    notice = next(p for p in job.outputs if p.name == "月通报.docx")
    assert notice.with_name("月通报_数据依据.xlsx") in job.outputs
    assert notice.with_name("月通报_数据依据.xlsx").is_file()


def test_every_number_of_the_notice_is_traced_to_real_cells(cycle):
    cfg, job, demo = cycle
    notice = next(p for p in job.outputs if p.name == "月通报.docx")
    rows = assert_traced(notice, cfg, demo)
    by_meaning = {str(r["含义"]) for r in rows}
    assert "全部指标·项目件数" in by_meaning and "序时进度·全年序时进度" in by_meaning
    assert any(m.endswith("·完成率") for m in by_meaning) and any(m.endswith("·排名得分") for m in by_meaning)


@pytest.mark.parametrize(
    ("kind", "period", "name"), [("dekad", "2023-05-2", "旬简报"), ("quarter", "2023-Q2", "季总结")]
)
def test_every_number_of_the_brief_and_the_summary_is_traced_to_real_cells(tmp_path, kind, period, name):
    cfg = load_config(ROOT / "config.yaml")
    job = run_cycle(cfg, kind, tmp_path / "inputs", period, tmp_path)
    document = next(p for p in job.outputs if p.name == f"{name}.docx")
    assert document.with_name(f"{name}_数据依据.xlsx") in job.outputs
    rows = assert_traced(document, cfg, tmp_path / "demo", wording=("图1", "超过100%的按100%计"))
    assert any(str(r["含义"]).endswith("·完成率") for r in rows)


@pytest.mark.parametrize("example", ["anhua-2023", "shaoyang-2023", "xiaoxian-2023", "jiangshan-2023"])
def test_every_number_of_the_examples_documents_is_traced(tmp_path, example):
    """The shipped examples' own wording (dates in titles, measures such as 月·人, 县 names with
    digits, cut-off days, monthly-only units) leaves no number unexplained in any document."""
    cfg = load_config(ROOT / "examples" / f"{example}.yaml")
    job = run_all(cfg, tmp_path / "inputs", None, tmp_path)
    documents = [p for p in job.outputs if p.suffix == ".docx"]
    assert documents
    for document in documents:
        assert_traced(document, cfg, tmp_path / "demo", wording=("图1", "超过100%的按100%计"))


def test_a_rate_row_says_how_and_points_to_the_unit_cell(cycle):
    """「62.7%是怎么来的」: one row gives the division and the unit's file, sheet, cell and typed text."""
    cfg, job, demo = cycle
    notice = next(p for p in job.outputs if p.name == "月通报.docx")
    rows, _ = basis_rows(notice.with_name("月通报_数据依据.xlsx"))
    rates = [r for r in rows if str(r["含义"]).endswith("·完成率") and r["报表文件"] and "\n" not in r["报表文件"]]
    assert rates
    r = rates[0]
    value, target = (float(x) for x in str(r["计算方法"]).split(" ÷ "))
    assert round(value / target * 100, 1) == float(r["印出的数"])
    assert str(r["原始填写"]).replace(",", "") in {str(int(value)), str(value)}
    assert (demo / r["存档路径"]).is_file() and r["工作表"] and r["单元格"]
    assert r["依据单位"] in {u.name for u in cfg.units}


def test_hostile_unit_text_is_quoted_and_cannot_fake_a_mark(tmp_path):
    cfg = default_config()
    report = build_report(cfg, hostile=True)
    narratives = [
        replace(n, text="\ue0003\ue001伪造\ue002完成120户，{{ 5 }}=SUM(A1)" + n.text) if n.field == "problems" else n
        for n in report.narratives
    ]
    report = replace(report, narratives=tuple(narratives))
    path = render_notice(cfg, report, tmp_path, numbering=Numbering(2023, 5, "邵东民生办"), issued=ISSUED)
    rows = assert_traced(path, cfg, None)
    quoted = [r for r in rows if str(r["含义"]).startswith(("单位报送", "邵东"))]
    assert {"120", "5", "1"} <= {str(r["印出的数"]) for r in quoted}
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "3伪造完成120户，{{ 5 }}=SUM(A1)" in text


def test_a_levels_rate_is_a_division_not_its_gap(cycle):
    """空气质量优良率 95.3% against 96.4%: its 完成率 is 95.3 ÷ 96.4; the gap is the subtraction."""
    cfg, job, _ = cycle
    notice = next(p for p in job.outputs if p.name == "月通报.docx")
    rows, _ = basis_rows(notice.with_name("月通报_数据依据.xlsx"))
    levels = [r for r in rows if str(r["含义"]) == "空气质量优良率·完成率"]
    assert levels
    for r in levels:
        value, target = (float(x) for x in str(r["计算方法"]).split(" ÷ "))
        assert fixed(value / target * 100, 1) == str(r["印出的数"])


def test_a_held_open_basis_is_one_sentence(tmp_path, monkeypatch):
    """Excel holding 月通报_数据依据.xlsx open (Windows refuses the replace): a plain message."""
    from pipeline import reports
    from pipeline.errors import UserError

    real = reports._replace

    def locked(src, dst):
        if str(dst).endswith("_数据依据.xlsx"):
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(reports, "_replace", locked)
    cfg = load_config(ROOT / "config.yaml")
    with pytest.raises(UserError) as e:
        run_cycle(cfg, "month", tmp_path / "inputs", "2023-05", tmp_path)
    assert "月通报_数据依据.xlsx" in e.value.render() and "正在 Excel、Word 或 WPS 中打开" in e.value.render()


def test_marks_in_a_content_control_or_the_page_header_are_traced_and_removed(tmp_path):
    d = docx.Document()
    d.add_paragraph("共{{ n }}件。")
    d.sections[0].header.paragraphs[0].text = "第{{ n }}件"
    body = d.element.body
    p = d.add_paragraph("完成率{{ r }}。")._p
    sdt = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    sdt.append(content)
    p.addprevious(sdt)
    content.append(p)  # the paragraph now sits in a content control, as Word makes one
    assert body is p.getparent().getparent().getparent()
    path = tmp_path / "t.docx"
    d.save(str(path))
    b = Basis(document="t", marking=True)
    context = {"n": b.count(28, item="项目", what="项目件数", how="配置"), "r": b.add("62.7%", item="x", what="完成率")}
    out = render_docx(path, context, tmp_path / "o.docx", basis=b)
    numbers = sorted(o.number for o in b.occurrences)
    assert numbers == ["28", "28", "62.7"]
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                assert not re.search("[\ue000-\ue002]", z.read(name).decode("utf-8")), name


def test_a_township_is_ranked_on_its_own_area(tmp_path):
    """邵阳: each 县 government's 本旬新增 is its own county's line, never the city's total."""
    from pipeline.documents.brief_parts import _gain_lines
    from pipeline.jobs import progress_report

    cfg = load_config(ROOT / "examples" / "shaoyang-2023.yaml")
    job = run_cycle(cfg, "dekad", tmp_path / "inputs", "2023-05-2", tmp_path)
    report = progress_report(cfg, tmp_path / "demo", parse_period(job.report.period))
    area_of = {u.code: u.area for u in cfg.units if u.kind == "area"}
    lines = _gain_lines(cfg, report)
    assert any(code in area_of for code, _, _ in lines)
    for code, ip, line in lines:
        if code in area_of:
            assert line.area_code == area_of[code], (code, line.key)
        else:
            assert line is ip.total


def _template(tmp_path: Path, text: str) -> Path:
    d = docx.Document()
    d.add_paragraph("一、总体", style="Heading 1")
    d.add_paragraph(text)
    path = tmp_path / "t.docx"
    d.save(str(path))
    return path


def test_a_number_typed_into_the_template_is_listed_unexplained(tmp_path):
    b = Basis(document="t", marking=True)
    src = Source("教育局.xlsx", "archive/ab/x.xlsx", "填报表", "H6", "12", "jyj")
    context = {
        "n": b.count(28, item="项目", what="项目件数", how="配置中的项目数"),
        "words": b.quote("新建校舍3栋，2023年5月完工", item="新建学校", source=src),
    }
    out = render_docx(_template(tmp_path, "共{{ n }}件，印数30份。{{ words }}"), context, tmp_path / "o.docx", basis=b)
    path = write_basis(out, b)
    rows, inputs = basis_rows(path)
    got = {str(r["印出的数"]): str(r["含义"]) for r in rows}
    # 28 is the count, 30 nothing explains, 3 is the unit's own words (the date is no figure)
    assert got == {"28": "项目·项目件数", "30": got["30"], "3": got["3"]}
    assert got["30"].startswith("未找到计算依据") and got["3"].startswith("单位报送的文字（新建学校）")
    assert [s["单元格"] for s in inputs] == ["H6"]
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "共28件" in text and "\ue000" not in text and "\ue002" not in text
    with zipfile.ZipFile(out) as z:
        assert not re.search("[\ue000-\ue002]", z.read("word/document.xml").decode("utf-8"))
