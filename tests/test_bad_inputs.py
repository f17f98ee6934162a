"""The bad-input corpus: each case builds its own bad file beside a good one and checks the
message staff will read, that no traceback escapes, and that the good file is still ingested."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from conftest import convert

from pipeline.ingest import run_ingest
from pipeline.ledger import Ledger
from pipeline.periods import parse_period
from pipeline.readers import MAX_FILE_BYTES
from pipeline.simulate import simulate

MAY = parse_period("2023-05")
GOOD = "某县民政局_2023年5月_重点民生实事进展填报表.xlsx"
EDU = "某县教育局_2023年5月_重点民生实事进展填报表.xlsx"  # the file each case spoils
HEALTH = "某县卫生健康局_2023年5月_重点民生实事进展填报表.xlsx"
ENV = "某县生态环境分局_2023年5月_重点民生实事进展填报表.xlsx"


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    import yaml
    from conftest import SAMPLE

    from pipeline.config_load import parse_config

    folder = tmp_path_factory.mktemp("returns")
    cfg = parse_config(yaml.safe_dump(SAMPLE, allow_unicode=True, sort_keys=False))
    simulate(cfg, MAY, folder, seed=11)
    return folder


def edit(src: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)


def patch_zip(src: Path, dst: Path, part: str, change: Callable[[bytes], bytes], extra: dict | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == part else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)


def form(wb):
    return wb["填报表"]


def set_cell(ref: str, value, sheet: str = "填报表"):
    def change(wb):
        wb[sheet][ref] = value

    return change


@dataclass
class Case:
    name: str
    build: Callable[[Path, Path], None]  # (folder of good returns, inputs dir) → writes the bad file(s)
    code: str | None  # the finding expected, None for "silently skipped"
    text: str  # a fragment of the message staff read
    status: str  # what happens to the bad file: rejected, accepted, ignored, skipped, duplicate


def write(name: str, data: bytes) -> Callable[[Path, Path], None]:
    return lambda src, dst: (dst / name).write_bytes(data)


def from_edu(name: str, change) -> Callable[[Path, Path], None]:
    return lambda src, dst: edit(src / EDU, dst / name, change)


def from_file(source: str, name: str, change) -> Callable[[Path, Path], None]:
    return lambda src, dst: edit(src / source, dst / name, change)


def encrypted(src: Path, dst: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with (src / EDU).open("rb") as fh:
        OOXMLFile(fh).encrypt("123456", out)
    (dst / "教育局（加密）.xlsx").write_bytes(out.getvalue())


def truncated(src: Path, dst: Path) -> None:
    data = (src / EDU).read_bytes()
    (dst / "教育局.xlsx").write_bytes(data[: len(data) // 2])


def _with_dtd(dtd: bytes, xml: bytes) -> bytes:
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return b'<?xml version="1.0" encoding="UTF-8"?>' + dtd + body


def entity_bomb(src: Path, dst: Path) -> None:
    dtd = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    patch_zip(
        src / EDU,
        dst / "教育局.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: _with_dtd(dtd, d).replace(b"<t>", b"<t>&lol3;", 1),
    )


def external_entity(src: Path, dst: Path) -> None:
    dtd = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    patch_zip(src / EDU, dst / "教育局.xlsx", "xl/workbook.xml", lambda d: _with_dtd(dtd, d))


def one_mb_note(src: Path, dst: Path) -> None:
    """Excel caps a cell at 32,767 characters and openpyxl truncates; a unit's tool may not."""
    edit(src / EDU, dst / "tmp.xlsx", set_cell("J6", "LONGMARK"))
    patch_zip(
        dst / "tmp.xlsx",
        dst / "教育局.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"LONGMARK", ("进展顺利。" * 200_000).encode()),
    )
    (dst / "tmp.xlsx").unlink()


def zip_bomb(src: Path, dst: Path) -> None:
    patch_zip(src / EDU, dst / "教育局.xlsx", "", lambda d: d, extra={"xl/media/padding.bin": b"\0" * (210 * 2**20)})


def huge(src: Path, dst: Path) -> None:
    with (dst / "教育局（扫描件）.xlsx").open("wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: costs no disk


def control_chars(src: Path, dst: Path) -> None:
    edit(src / EDU, dst / "tmp.xlsx", set_cell("J6", "CTRLMARK"))
    patch_zip(
        dst / "tmp.xlsx",
        dst / "教育局.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"CTRLMARK", b"\xe7\xac\xac\xe4\xba\x8c\xe6\x89\xb9_x0007_\xe6\xac\xa1_x001B_"),
    )
    (dst / "tmp.xlsx").unlink()


def rows_swapped(wb):
    ws = form(wb)
    a, b = ([c.value for c in ws[6]], [c.value for c in ws[7]])
    for col, (x, y) in enumerate(zip(a, b, strict=True), start=1):
        ws.cell(6, col).value, ws.cell(7, col).value = y, x


def row_duplicated(wb):
    ws = form(wb)
    ws.insert_rows(8)
    for col in range(1, 14):
        ws.cell(8, col).value = ws.cell(7, col).value


def meta_and_keys_gone(wb):
    del wb["_meta"]
    for r in range(6, 8):
        form(wb).cell(r, 13).value = None


def other_county(src: Path, dst: Path) -> None:
    """安化县's 人社局 form: same year, a unit code (rsj) the sample config also has, other rows."""
    from conftest import ROOT

    from pipeline.config_load import load_config
    from pipeline.forms import write_form
    from pipeline.formspec import rows_by_unit

    cfg = load_config(ROOT / "examples" / "anhua-2023.yaml")
    write_form(cfg, MAY, "rsj", rows_by_unit(cfg)["rsj"], dst, {})


def blank_workbook(src: Path, dst: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "你好"
    wb.save(dst / "新建 Microsoft Excel 工作表.xlsx")


def libreoffice_xls(src: Path, dst: Path) -> None:
    from conftest import soffice

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    convert(exe, [src / EDU], dst, to="xls", profile=dst.parent / "lo-profile")


def libreoffice_xlsx(src: Path, dst: Path) -> None:
    """Opened and saved again as .xlsx by LibreOffice (as WPS and Excel also do)."""
    from conftest import soffice

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    staging = dst.parent / "resaved"
    staging.mkdir()
    shutil.copy(src / EDU, staging / "教育局.xlsx")
    convert(exe, [staging / "教育局.xlsx"], dst, to="xlsx:Calc MS Excel 2007 XML", profile=dst.parent / "lo-profile")


def xls_renamed(src: Path, dst: Path) -> None:
    libreoffice_xls(src, dst.parent / "xls")
    shutil.copy(next((dst.parent / "xls").glob("*.xls")), dst / "教育局.xlsx")


def twice(src: Path, dst: Path) -> None:
    shutil.copy(src / EDU, dst / "教育局.xlsx")
    shutil.copy(src / EDU, dst / "教育局（再次发送）.xlsx")


CASES = [
    Case("empty file", write("教育局.xlsx", b""), "F-EMPTY", "文件是空的（0 字节）", "rejected"),
    Case("random bytes", write("教育局.xlsx", bytes(range(256)) * 40), "F-CORRUPT", "文件已损坏", "rejected"),
    Case("truncated zip", truncated, "F-CORRUPT", "可能没有传完整", "rejected"),
    Case("password protected", encrypted, "F-ENCRYPTED", "文件已加密", "rejected"),
    Case(
        "csv named xlsx",
        write("教育局.xlsx", "序号,指标,本期累计完成\n1,寄宿制学校,2\n".encode("gbk")),
        "F-NOT-EXCEL",
        "内容实际是纯文本",
        "rejected",
    ),
    Case(
        "html named xls",
        write("教育局.xls", b"<html><table><tr><td>1</td></tr></table></html>"),
        "F-NOT-EXCEL",
        "网页",
        "rejected",
    ),
    Case("blank workbook", blank_workbook, "F-NOT-FORM", "找不到「填报表」工作表", "rejected"),
    Case(
        "another year",
        from_edu("教育局.xlsx", set_cell("B4", "2022", "_meta")),
        "F-WRONG-YEAR",
        "这是 2022 年的填报表",
        "rejected",
    ),
    Case(
        "another config",
        from_edu("教育局.xlsx", set_cell("B5", "other-unit", "_meta")),
        "F-UNKNOWN-UNIT",
        "单位编码「other-unit」",
        "rejected",
    ),
    Case("form of another county", other_county, "F-WRONG-CONFIG", "不是按本分解方案生成的", "rejected"),
    Case(
        "template version",
        from_edu("教育局.xlsx", set_cell("B2", "9", "_meta")),
        "F-TEMPLATE-VERSION",
        "填报表版本「9」",
        "rejected",
    ),
    Case(
        "sheet renamed",
        from_edu("教育局.xlsx", lambda wb: setattr(form(wb), "title", "Sheet1")),
        "F-SHEET-RENAMED",
        "被改名为「Sheet1」",
        "accepted",
    ),
    Case(
        "hidden sheet deleted",
        from_edu("教育局.xlsx", lambda wb: wb.remove(wb["_meta"])),
        "F-META-MISSING",
        "已根据表头和文件名识别单位与期别",
        "accepted",
    ),
    Case(
        "re-typed form without keys",
        from_edu("教育局.xlsx", meta_and_keys_gone),
        "F-META-MISSING",
        "没有本系统生成的隐藏信息页",
        "accepted",
    ),
    Case(
        "row deleted",
        from_edu("教育局.xlsx", lambda wb: form(wb).delete_rows(7)),
        "R-ROW-MISSING",
        "缺少指标「新建高标准幼儿园」这一行",
        "accepted",
    ),
    Case(
        "row duplicated",
        from_edu("教育局.xlsx", row_duplicated),
        "R-ROW-DUPLICATE",
        "出现了 2 次（第7、8行）",
        "accepted",
    ),
    Case(
        "header edited",
        from_edu("教育局.xlsx", set_cell("H5", "本期完成数")),
        "F-HEADER-EDITED",
        "表头「本期累计完成」被改成了「本期完成数」",
        "accepted",
    ),
    Case(
        "merged inputs",
        from_edu("教育局.xlsx", lambda wb: form(wb).merge_cells("H6:H7")),
        "R-MERGED",
        "合并了填写单元格 H6:H7",
        "accepted",
    ),
    Case("1 MB note", one_mb_note, "T-LONG", "有 1000000 字", "accepted"),
    Case("control characters", control_chars, "T-CLEANED", "去掉了不可见的控制字符", "accepted"),
    Case(
        "formula in a note",
        from_edu("教育局.xlsx", set_cell("K6", '=CONCATENATE("详见","附件")')),
        "T-FORMULA",
        "已按文字原样保存，不会执行",
        "accepted",
    ),
    Case(
        "formula without cached value",
        from_edu("教育局.xlsx", set_cell("H6", "=1+1")),
        "V-FORMULA-NO-VALUE",
        "请单位用 Excel 或 WPS 打开该文件，保存一次",
        "accepted",
    ),
    Case("entity bomb", entity_bomb, "F-UNSAFE-XML", "不安全的 XML 声明", "rejected"),
    Case("external entity", external_entity, "F-UNSAFE-XML", "不安全的 XML 声明", "rejected"),
    Case("zip bomb", zip_bomb, "F-ZIP-BOMB", "疑似压缩炸弹", "rejected"),
    Case("200 MB file", huge, "F-TOO-BIG", "文件大小 200 MB", "rejected"),
    Case(
        "value with words",
        from_edu("教育局.xlsx", set_cell("H6", "约3所")),
        "V-NOT-NUMBER",
        "填的是「约3所」",
        "accepted",
    ),
    Case("negative value", from_edu("教育局.xlsx", set_cell("H6", -2)), "V-RANGE", "不应小于 0", "accepted"),
    Case(
        "date in a number cell",
        from_edu("教育局.xlsx", set_cell("H6", __import__("datetime").date(2023, 5, 3))),
        "V-NOT-NUMBER",
        "填成了日期",
        "accepted",
    ),
    Case(
        "stage not in the list",
        from_file(HEALTH, "卫健局.xlsx", set_cell("H6", "基本完工")),
        "V-NOT-STAGE",
        "不是可选的阶段",
        "accepted",
    ),
    Case(
        "rate above 100",
        from_file(ENV, "环境分局.xlsx", set_cell("H7", 120)),
        "V-RANGE",
        "应在 0 到 100 之间",
        "accepted",
    ),
    Case("saved by LibreOffice as xls", libreoffice_xls, None, "", "accepted"),
    Case("xls renamed to xlsx", xls_renamed, None, "", "accepted"),
    Case("re-saved by LibreOffice as xlsx", libreoffice_xlsx, None, "", "accepted"),
    Case(
        "name with spaces quotes and emoji",
        lambda src, dst: shutil.copy(src / EDU, dst / '教育局 "五月" 报表 🎉 (终稿).xlsx'),
        None,
        "",
        "accepted",
    ),
    Case("same file twice", twice, "F-DUPLICATE-FILE", "内容完全相同，只入账一次", "duplicate"),
    Case("office lock file", write("~$教育局.xlsx", b"lock"), None, "", "skipped"),
    Case("hidden file", write(".教育局.xlsx", b"junk"), None, "", "skipped"),
    Case("word document", write("情况说明.docx", b"PK\x03\x04word"), "F-IGNORED", "非报表文件，已忽略", "ignored"),
    Case("zip attachment", write("五月报表.zip", b"PK\x03\x04zip"), "F-IGNORED", "请先解压", "ignored"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, returns: Path, tmp_path: Path, sample_config):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(returns / GOOD, inputs / GOOD)
    case.build(returns, inputs)
    result = run_ingest(sample_config, inputs, tmp_path / "outputs")

    good = [o for o in result.outcomes if o.relative == GOOD]
    assert good and good[0].status == "accepted", "the good file in the same batch must still be ingested"
    bad = [o for o in result.outcomes if o.relative != GOOD]
    if case.status == "skipped":
        assert bad == []
        return
    assert case.status in {o.status for o in bad}, [o.status for o in bad]
    findings = result.findings + result.run_notes
    if case.code:
        hits = [f for f in findings if f.code == case.code]
        assert hits, f"expected {case.code}, got {[f.code for f in findings]}"
        assert any(case.text in f.message + f.hint for f in hits), [f.message for f in hits]
        assert all(f.file and f.file != GOOD for f in hits)
    if case.status == "accepted":
        with Ledger(tmp_path / "outputs" / "ledger-2023.sqlite") as ledger:
            units = {s["unit_code"] for s in ledger.submissions("2023-05") if s["status"] == "accepted"}
        assert units >= {"mzj"} and len(units) == 2
    # The report staff print lists the bad file's problem too.
    assert (tmp_path / "outputs" / "2023-05" / "校验报告.xlsx").exists()


def test_value_kept_when_file_is_rejected_nothing_is_lost(returns, tmp_path, sample_config):
    """A rejected file is still archived byte for byte and recorded, so it can be looked at later."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    truncated(returns, inputs)
    run_ingest(sample_config, inputs, tmp_path / "outputs")
    with Ledger(tmp_path / "outputs" / "ledger-2023.sqlite") as ledger:
        (sub,) = ledger.submissions()
    assert sub["status"] == "rejected"
    archived = tmp_path / "outputs" / sub["archive_path"]
    assert archived.read_bytes() == (inputs / "教育局.xlsx").read_bytes()


def test_one_mb_note_is_stored_whole(returns, tmp_path, sample_config):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    one_mb_note(returns, inputs)
    run_ingest(sample_config, inputs, tmp_path / "outputs")
    with Ledger(tmp_path / "outputs" / "ledger-2023.sqlite") as ledger:
        (length,) = ledger.db.execute("SELECT length(text) FROM narratives WHERE cell = 'J6'").fetchone()
    assert length == 1_000_000


assert MAX_FILE_BYTES < 200 * 2**20
assert len(CASES) >= 30


@pytest.mark.parametrize(
    "change, key", [(row_duplicated, "youeryuan"), (lambda wb: form(wb).merge_cells("H6:H7"), "jisu")]
)
def test_untrustworthy_rows_are_stored_as_excluded_not_dropped(change, key, returns, tmp_path, sample_config):
    """A duplicated row or merged inputs: the value shows as 数据有误 later, never as unreported or 0."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    edit(returns / EDU, inputs / "教育局.xlsx", change)
    run_ingest(sample_config, inputs, tmp_path / "outputs")
    with Ledger(tmp_path / "outputs" / "ledger-2023.sqlite") as ledger:
        stored = {v.row_key: v.status for _, v in ledger.values_for("2023-05")}
    assert stored[key] == "excluded"
