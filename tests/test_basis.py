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
from report_fixtures import ISSUED, build_report, default_config

from pipeline.config_load import load_config
from pipeline.documents.basis import Basis
from pipeline.documents.basis_workbook import write_basis
from pipeline.documents.monthly import render_notice
from pipeline.documents.numbering import Numbering
from pipeline.documents.render import render_docx
from pipeline.jobs import run_cycle
from pipeline.model import Source


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
