"""From a RawWorkbook to a FormReturn: which unit, which period, which row is which.

Identity first (hidden metadata; else the title block and the file name, with a warning),
then rows matched by their stable key (else by indicator and area name), then the structure
rules: missing, extra, duplicated rows, edited locked cells, merged input cells.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from . import messages
from .config import Config, Unit
from .errors import UserError
from .findings import Finding
from .formspec import (
    COLUMNS,
    EXP_TEXT_CELL,
    EXP_TITLE_CELL,
    FORM_TYPE,
    HEADER_ROW,
    INPUT_FIELDS,
    SHEET_EXPERIENCE,
    SHEET_FORM,
    SHEET_META,
    TEMPLATE_VERSION,
    TEXT_FIELDS,
    TITLE_FIELDS,
    TOTAL_LABEL,
    FormRow,
    col_index,
)
from .periods import Period, parse_period
from .readers import RawSheet, RawWorkbook, col_letters, col_number
from .values import parse_number, raw_text

SUPPORTED_VERSIONS = {TEMPLATE_VERSION}


class Rejected(Exception):
    """The file cannot be trusted as a whole; carries the findings that say why."""

    def __init__(self, findings: list[Finding]):
        super().__init__(findings[0].message if findings else "rejected")
        self.findings = findings


@dataclass
class Cell:
    raw: object
    ref: str  # "H7"
    formula: tuple[str, bool] | None = None  # (formula text, has cached value)
    error: str | None = None  # an Excel error value shown in the cell (#DIV/0!, #REF!…)

    def __reduce__(self):  # by position: a return's ~200 cells travel back from the worker faster
        return (Cell, (self.raw, self.ref, self.formula, self.error))


@dataclass
class MatchedRow:
    form_row: FormRow
    excel_row: int
    cells: dict[str, Cell]  # field → cell, for the input columns
    blocked: str = ""  # why its value cannot be trusted (merged inputs, duplicated row), already reported
    merged_text: set[str] = field(default_factory=set)  # text fields inside a merged range (not its anchor)

    def __reduce__(self):
        return (MatchedRow, (self.form_row, self.excel_row, self.cells, self.blocked, self.merged_text))


@dataclass
class FormReturn:
    file: str
    sheet: str
    unit_code: str
    unit_name: str
    period: Period
    identified_by: str  # meta, title, filename
    config_fingerprint: str = ""
    header: dict[str, Cell] = field(default_factory=dict)  # filler, phone, reviewer, date
    rows: list[MatchedRow] = field(default_factory=list)
    experience_title: str = ""
    experience_text: str = ""
    findings: list[Finding] = field(default_factory=list)


def _fold(text: object) -> str:
    """A cell's text as compared: NFKC, no whitespace. The same labels, names and headers come
    back in every file, so each distinct value is folded once."""
    try:
        return _fold_value(text)
    except TypeError:  # an unhashable value: fold it plainly
        return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw_text(text)))


@functools.lru_cache(maxsize=1 << 15, typed=True)
def _fold_value(text: object) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw_text(text)))


_WHITESPACE = re.compile(r"\s+")
_UNITS: dict[int, tuple] = {}


def _units_of(cfg: Config) -> dict[str, Unit]:
    """The config's units by code, and its names longest first, made once per units list (the
    config is frozen; a copy with other units has another list, held here so its id stays its own)."""
    units = cfg.units
    hit = _UNITS.get(id(units))
    if hit is None or hit[0] is not units:
        if len(_UNITS) > 16:
            _UNITS.clear()
        names = sorted(((n, u.code) for u in units for n in [u.name, *u.aliases]), key=lambda x: -len(x[0]))
        hit = _UNITS[id(units)] = (units, {u.code: u for u in units}, [(_fold(n), c) for n, c in names])
    return hit[1]


def _unit_names(cfg: Config) -> list[tuple[str, str]]:
    _units_of(cfg)
    return _UNITS[id(cfg.units)][2]


def extract(raw: RawWorkbook, file_label: str, cfg: Config, expected: dict[str, list[FormRow]]) -> FormReturn:
    """Identify and match a workbook; raise Rejected when the file as a whole cannot be used."""
    findings: list[Finding] = []
    sheet = _form_sheet(raw, file_label, findings)
    header_row, columns = _header(sheet, file_label, findings)
    meta = _meta(raw)
    unit_code, period, how = _identify(raw, sheet, meta, file_label, cfg, findings)
    unit = _units_of(cfg)[unit_code]
    ret = FormReturn(file_label, sheet.name, unit_code, unit.name, period, how, meta.get("config_fingerprint", ""))
    ret.findings = findings

    def finding(code: str, message: str, **kw) -> Finding:
        f = Finding(
            code,
            message,
            file=file_label,
            sheet=sheet.name,
            unit_code=unit_code,
            unit_name=unit.name,
            period=period.code,
            **kw,
        )
        findings.append(f)
        return f

    if meta and meta.get("config_fingerprint") and meta["config_fingerprint"] != cfg.fingerprint():
        _same_plan_or_reject(raw, expected.get(unit_code, []), file_label, unit.name)
        finding(
            "F-CONFIG-CHANGED",
            "这份填报表是按另一版本的分解方案生成的，已按指标编号逐行核对",
            hint="如分解方案已调整，请向该单位下发新表",
        )
    ret.header = _title_block(sheet, header_row, finding)
    _match_rows(ret, sheet, header_row, columns, expected.get(unit_code, []), finding)
    exp = raw.sheet(SHEET_EXPERIENCE)
    if exp is not None:
        ret.experience_title = raw_text(_cell(exp, EXP_TITLE_CELL).raw).strip()
        ret.experience_text = raw_text(_cell(exp, EXP_TEXT_CELL).raw)
    return ret


def _cell(sheet: RawSheet, ref: str) -> Cell:
    row, col = _position(ref)
    return Cell(sheet.cell(row, col), ref, sheet.formulas.get(ref), sheet.errors.get(ref))


@functools.lru_cache(maxsize=256)
def _position(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    return int(m.group(2)), col_number(m.group(1))


def _title_block(sheet: RawSheet, header_row: int, finding) -> dict[str, Cell]:
    """填报人, 联系电话, 审核, 填报日期, found by their labels above the header row.

    The value is what follows the label in its own cell (「填报日期：6月28日」) or the next filled
    cell to its right that is not another label. A label away from its template place is
    F-HEADER-EDITED; a label that is gone falls back to the template cell, unless that holds a label.
    """
    label_of = _title_label
    found: dict[str, tuple[int, int]] = {}
    for r in range(1, min(header_row, len(sheet.rows) + 1)):
        for c, value in enumerate(sheet.rows[r - 1]):
            name = label_of(value) if isinstance(value, str) else None
            if name and name not in found:
                found[name] = (r, c)
    out: dict[str, Cell] = {}
    for name, (label, label_ref, cell_ref) in TITLE_FIELDS.items():
        if name not in found:
            fallback = _cell(sheet, cell_ref)
            if isinstance(fallback.raw, str) and label_of(fallback.raw):
                fallback = Cell(None, cell_ref)
            out[name] = fallback
            continue
        r, c = found[name]
        where = f"{col_letters(c)}{r}"
        if where != label_ref:
            finding(
                "F-HEADER-EDITED",
                messages.TITLE_MOVED.format(label=label, expected=label_ref, actual=where),
                hint="下次请勿在标题区插入或删除行列",
                cell=where,
            )
        text = raw_text(sheet.cell(r, c))
        after = re.split(r"[:：]", text, maxsplit=1)
        inline = after[1].strip() if len(after) == 2 else ""
        if inline:
            out[name] = Cell(inline, where)
            continue
        value = Cell(None, f"{col_letters(c + 1)}{r}")
        row = sheet.rows[r - 1]
        for cc in range(c + 1, len(row)):
            v = sheet.cell(r, cc)
            if v is None:
                continue
            if isinstance(v, str) and label_of(v):
                break
            ref = f"{col_letters(cc)}{r}"
            value = Cell(v, ref, sheet.formulas.get(ref), sheet.errors.get(ref))
            break
        out[name] = value
    return out


@functools.lru_cache(maxsize=4096)
def _title_label(value: str) -> str | None:
    """Which title-block label a text is (「填报人：」, 「填报日期：6月28日」…), if any."""
    text = _fold(value).rstrip(":：")
    for folded, name in _TITLE_LABELS.items():
        if text == folded or (text.startswith(folded) and _fold(value)[len(folded) : len(folded) + 1] in ":："):
            return name
    return None


_TITLE_LABELS = {_fold(label): name for name, (label, _, _) in TITLE_FIELDS.items()}


def _reject(code: str, message: str, file_label: str, hint: str = "", sheet: str = "", **kw) -> Rejected:
    return Rejected([Finding(code, message, hint=hint, file=file_label, sheet=sheet, **kw)])


def _form_sheet(raw: RawWorkbook, file_label: str, findings: list[Finding]) -> RawSheet:
    if SHEET_FORM in raw.sheets:
        return raw.sheets[SHEET_FORM]
    for sheet in raw.sheets.values():
        if _find_header_row(sheet) is not None:
            findings.append(
                Finding(
                    "F-SHEET-RENAMED",
                    f"工作表「{SHEET_FORM}」被改名为「{sheet.name}」，已按表头识别",
                    hint="下次请勿修改工作表名称",
                    file=file_label,
                    sheet=sheet.name,
                )
            )
            return sheet
    names = "、".join(raw.sheets) or "（无）"
    raise _reject(
        "F-NOT-FORM",
        f"找不到「{SHEET_FORM}」工作表，也没有哪张表带有填报表的表头（现有工作表：{names}）",
        file_label,
        hint="请单位使用下发的填报表填写，不要另建表格",
    )


def _find_header_row(sheet: RawSheet) -> int | None:
    """The row holding most of the template's column headers (an edited header or two is tolerated)."""
    wanted = {c.header for c in COLUMNS}
    for r in range(1, min(len(sheet.rows), 30) + 1):
        texts = {_fold(v) for v in sheet.rows[r - 1]}
        if len(wanted & texts) >= len(wanted) // 2 + 1:
            return r
    return None


def _header(sheet: RawSheet, file_label: str, findings: list[Finding]) -> tuple[int, dict[str, int]]:
    """The header row and each field's column: by header text, else by the template position."""
    row = _find_header_row(sheet)
    if row is None:
        raise _reject(
            "F-NOT-FORM",
            "表头（序号、项目、指标……本期累计完成）被删除或改动，无法识别各列",
            file_label,
            hint="请单位使用下发的填报表重新填写",
            sheet=sheet.name,
            cell=f"A{HEADER_ROW}",
        )
    texts = [_fold(v) for v in sheet.rows[row - 1]]
    columns: dict[str, int] = {}
    for c in COLUMNS:
        if c.header in texts:
            columns[c.field] = texts.index(c.header)
        else:
            columns[c.field] = col_index(c.letter)
            if c.field != "key":
                shown = texts[columns[c.field]] if columns[c.field] < len(texts) else ""
                findings.append(
                    Finding(
                        "F-HEADER-EDITED",
                        f"表头「{c.header}」被改成了「{shown}」，已按原位置读取",
                        hint="下次请勿修改表头",
                        file=file_label,
                        sheet=sheet.name,
                        cell=f"{c.letter}{row}",
                        raw=shown,
                    )
                )
    if row != HEADER_ROW:
        findings.append(
            Finding(
                "F-HEADER-EDITED",
                f"表头应在第{HEADER_ROW}行，实际在第{row}行（上方插入或删除了行），已按表头识别",
                file=file_label,
                sheet=sheet.name,
                cell=f"A{row}",
            )
        )
    return row, columns


def _meta(raw: RawWorkbook) -> dict[str, str]:
    sheet = raw.sheet(SHEET_META)
    if sheet is None:
        return {}
    pairs = {}
    for r in sheet.rows:
        if len(r) >= 2 and isinstance(r[0], str) and r[0]:
            pairs[r[0]] = raw_text(r[1])
    return pairs if pairs.get("form_type") == FORM_TYPE else {"form_type": pairs.get("form_type", "")}


def _same_plan_or_reject(raw: RawWorkbook, expected: list[FormRow], file_label: str, unit_name: str) -> None:
    """A form made from another config (another county, another year's plan) shares unit codes
    perhaps, but not its rows: when fewer than half of its row keys are ours, reject the file."""
    sheet = raw.sheet(SHEET_META)
    keys = {raw_text(r[3]) for r in sheet.rows[1:] if len(r) > 3 and r[3] not in (None, "")} if sheet else set()
    ours = {fr.key for fr in expected}
    if keys and len(keys & ours) * 2 < len(keys):
        raise _reject(
            "F-WRONG-CONFIG",
            f"这份填报表不是按本分解方案生成的：表中 {len(keys)} 个指标行只有 {len(keys & ours)} 个与方案中"
            f"「{unit_name}」的指标对得上（可能是其他县市或旧方案的表）",
            file_label,
            hint="请向该单位重新下发本期填报表",
        )


def _identify(
    raw: RawWorkbook, sheet: RawSheet, meta: dict, file_label: str, cfg: Config, findings: list[Finding]
) -> tuple[str, Period, str]:
    if meta.get("unit_code"):
        version = meta.get("template_version", "")
        if not version.isdigit() or int(version) not in SUPPORTED_VERSIONS:
            raise _reject(
                "F-TEMPLATE-VERSION",
                f"填报表版本「{version}」不是本程序支持的版本（{TEMPLATE_VERSION}）",
                file_label,
                hint="请向该单位重新下发本期填报表",
            )
        if meta.get("year") != str(cfg.year):
            raise _reject(
                "F-WRONG-YEAR",
                f"这是 {meta.get('year')} 年的填报表，现行分解方案是 {cfg.year} 年的",
                file_label,
                hint="请单位使用本年度下发的填报表",
                raw=meta.get("year", ""),
            )
        code = meta["unit_code"]
        if code not in _units_of(cfg):
            raise _reject(
                "F-UNKNOWN-UNIT",
                f"表内登记的单位编码「{code}」（{meta.get('unit_name', '')}）不在分解方案中",
                file_label,
                hint="请确认该表是否来自其他县市或旧版方案",
                raw=code,
            )
        try:
            period = parse_period(meta.get("period", ""))
        except UserError:
            raise _reject("F-UNKNOWN-PERIOD", f"表内登记的期别「{meta.get('period')}」无法识别", file_label) from None
        return code, period, "meta"
    findings.append(
        Finding(
            "F-META-MISSING",
            "文件中没有本系统生成的隐藏信息页（可能是把数据粘贴到了新表，或重新录入的表格），"
            "已根据表头和文件名识别单位与期别，请核对",
            hint="下次请直接在下发的填报表上填写",
            file=file_label,
            sheet=sheet.name,
        )
    )
    unit_code, how = _unit_from_text(sheet, file_label, cfg)
    period = _period_from_text(sheet, file_label)
    if period.year != cfg.year:
        raise _reject("F-WRONG-YEAR", f"这是 {period.year} 年的报表，现行分解方案是 {cfg.year} 年的", file_label)
    return unit_code, period, how


def _title_texts(sheet: RawSheet) -> list[str]:
    """The title block's texts; not the notes, whose 数据流程 line names other units (审核汇总、认定)."""
    texts = [raw_text(v) for r in sheet.rows[:4] for v in r if v not in (None, "")]
    return [t for t in texts if not t.lstrip().startswith(NOTES_PREFIXES)]


NOTES_PREFIXES = ("说明：", "数据流程：")


def _unit_in(texts: list[str], cfg: Config) -> str | None:
    names = _unit_names(cfg)
    for text in texts:
        folded = _fold(text)
        for name, code in names:
            if name in folded:
                return code
    return None


def _period_in(texts: list[str]) -> Period | None:
    for text in texts:
        for m in _PERIOD_IN_TEXT.finditer(unicodedata.normalize("NFKC", text)):
            try:
                return parse_period(m.group(0))
            except UserError:
                continue
    return None


def guess_identity(
    cfg: Config, file_label: str, raw: RawWorkbook | None = None, properties: dict[str, str] | None = None
) -> tuple[str | None, Period | None]:
    """Unit and period of a file that was refused, from whatever it still shows: hidden metadata
    (or the document properties), the title block of any sheet, the file name. A period outside
    the config's year is None."""
    meta = _meta(raw) if raw is not None else {}
    if not meta.get("unit_code") and properties and properties.get("form_type") == FORM_TYPE:
        meta = properties
    unit = meta.get("unit_code") if meta.get("unit_code") in _units_of(cfg) else None
    period = None
    if meta.get("period"):
        try:
            period = parse_period(meta["period"])
        except UserError:
            period = None
    texts = [t for sheet in (raw.sheets.values() if raw is not None else []) for t in _title_texts(sheet)]
    texts.append(file_label)
    unit = unit or _unit_in(texts, cfg)
    period = period or _period_in(texts)
    if period is not None and period.year != cfg.year:
        period = None
    return unit, period


def _unit_from_text(sheet: RawSheet, file_label: str, cfg: Config) -> tuple[str, str]:
    for source, texts in (("title", _title_texts(sheet)), ("filename", [file_label])):
        code = _unit_in(texts, cfg)
        if code:
            return code, source
    raise _reject(
        "F-UNKNOWN-UNIT",
        "无法识别填报单位：表头和文件名中都找不到分解方案里的单位名称",
        file_label,
        hint="请单位使用下发的填报表，或在文件名中写明单位全称",
    )


_PERIOD_IN_TEXT = re.compile(
    r"(\d{4})年(\d{1,2})月(上旬|中旬|下旬)?|(\d{4})年(第?[一二三四1-4]季度)|(\d{4})年第?\d{1,2}周|(\d{4})-[Ww]\d{1,2}(?!\d)"
    r"|(\d{4})-(\d{1,2})(?:-([1-3]))?(?!\d)"
)


def _period_from_text(sheet: RawSheet, file_label: str) -> Period:
    found = _period_in([*_title_texts(sheet), file_label])
    if found is not None:
        return found
    raise _reject(
        "F-UNKNOWN-PERIOD",
        "无法识别期别：表头和文件名中都找不到「2023年5月」这样的期别",
        file_label,
        hint="请单位使用下发的填报表，或在文件名中写明期别",
    )


def _match_rows(
    ret: FormReturn, sheet: RawSheet, header_row: int, columns: dict[str, int], expected: list[FormRow], finding
) -> None:
    by_key = {r.key: r for r in expected}
    by_name = {(_fold(r.indicator.name), _fold(r.area_name)): r for r in expected}
    seen: dict[str, list[int]] = {}
    matched: dict[str, MatchedRow] = {}
    key_col = columns["key"]
    letters = {f: col_letters(columns[f]) for f in INPUT_FIELDS}
    formulas, errors = sheet.formulas, sheet.errors
    last_name = ""
    for r in range(header_row + 1, len(sheet.rows) + 1):
        values = sheet.rows[r - 1]
        if values.count(None) + values.count("") == len(values):
            continue
        key = raw_text(_at(values, key_col)).strip()
        name = _fold(_at(values, columns["indicator"])) or last_name
        last_name = name
        area = _fold(_at(values, columns["area"]))
        form_row = by_key.get(key)
        if form_row is None:
            form_row = by_name.get((name, area)) or (by_name.get((name, _fold(TOTAL_LABEL))) if not area else None)
            if form_row is None:
                if any(_at(values, columns[f]) not in (None, "") for f in INPUT_FIELDS):
                    finding(
                        "R-ROW-EXTRA",
                        f"第{r}行不是下发表格中的指标行{f'（行键「{key}」不认识）' if key else ''}，其数据未入账",
                        hint="请单位不要增加行；如确需补充指标，请联系实事办",
                        cell=f"A{r}",
                        row_key=key,
                    )
                continue
            if key:
                finding(
                    "R-ROW-EXTRA",
                    f"第{r}行的行键「{key}」不认识，已按指标名称「{form_row.indicator.name}」匹配",
                    cell=f"{col_letters(key_col)}{r}",
                    **_about(form_row),
                )
            elif ret.identified_by == "meta":
                finding(
                    "R-ROW-MATCHED-BY-NAME",
                    f"第{r}行的隐藏行键被删除，已按指标名称「{form_row.indicator.name}」匹配",
                    cell=f"A{r}",
                    **_about(form_row),
                )
        seen.setdefault(form_row.key, []).append(r)
        cells = {}
        for f in INPUT_FIELDS:
            ref = f"{letters[f]}{r}"
            cells[f] = Cell(_at(values, columns[f]), ref, formulas.get(ref), errors.get(ref))
        row = MatchedRow(form_row, r, cells)
        _check_locked(row, sheet, columns, finding)
        matched.setdefault(form_row.key, row)
    _merged_inputs(matched, sheet, columns, finding)
    for key, rows in seen.items():
        if len(rows) > 1:
            fr = by_key[key]
            finding(
                "R-ROW-DUPLICATE",
                f"指标「{fr.label}」出现了 {len(rows)} 次（第{'、'.join(map(str, rows))}行），无法确定以哪一行为准，均未入账",
                hint="请单位删除重复的行后重新报送",
                cell=f"A{rows[0]}",
                **_about(fr),
            )
            matched[key].blocked = "重复行"  # stored as 数据有误, not left out as if unreported
    for fr in expected:
        if fr.key not in seen:
            finding(
                "R-ROW-MISSING",
                f"缺少指标「{fr.label}」这一行（可能被删除），该指标本期按未报送处理",
                hint="请单位恢复该行并填写后重新报送",
                **_about(fr),
            )
    order = {fr.key: i for i, fr in enumerate(expected)}
    ret.rows = sorted(matched.values(), key=lambda m: order[m.form_row.key])


def _at(values: list, col: int):
    """RawSheet.cell for a row already in hand: None when outside it or empty."""
    if col >= len(values):
        return None
    value = values[col]
    return None if value == "" else value


def _about(fr: FormRow) -> dict[str, str]:
    """The row a finding is about, as Finding fields."""
    return {"row_key": fr.key, "indicator_id": fr.indicator.id, "indicator_name": fr.indicator.name}


def _check_locked(row: MatchedRow, sheet: RawSheet, columns: dict[str, int], finding) -> None:
    fr = row.form_row
    values = sheet.rows[row.excel_row - 1]
    shown_target = _at(values, columns["target"])
    expected_target = fr.target_text()
    if shown_target is not None and _fold(shown_target) != _fold(expected_target):
        if isinstance(fr.target, float):  # numbers compared as numbers: 1234567 = 1,234,567 = 1234567.0
            shown = parse_number(shown_target)
            same = shown.ok and abs(shown.value - fr.target) <= 1e-9 * max(1.0, abs(fr.target))
        else:
            same = False
        if not same:
            finding(
                "R-LOCKED-EDITED",
                f"「{fr.label}」的年度目标被改成了「{raw_text(shown_target)}」，以分解方案的 {expected_target} 为准",
                cell=f"{col_letters(columns['target'])}{row.excel_row}",
                raw=raw_text(shown_target),
                **_about(fr),
            )
    unit = _at(values, columns["measure"])
    if unit is not None and _fold(unit) != _fold(fr.measure):
        finding(
            "R-LOCKED-EDITED",
            f"「{fr.label}」的计量单位被改成了「{raw_text(unit)}」，以分解方案的「{fr.measure}」为准，请核实所填数字的单位",
            cell=f"{col_letters(columns['measure'])}{row.excel_row}",
            raw=raw_text(unit),
            **_about(fr),
        )


def _merged_inputs(matched: dict[str, MatchedRow], sheet: RawSheet, columns: dict[str, int], finding) -> None:
    """A merge over input cells blocks only the fields inside it: over the value column, the
    values of its rows (an error); over text columns only, the text stays with the merge's first
    row and the numbers of every row are kept (a warning)."""
    by_row = {m.excel_row: m for m in matched.values()}
    inputs = {columns[f] for f in INPUT_FIELDS}
    for r1, c1, r2, c2 in sheet.merged:
        if not any(c1 <= c <= c2 for c in inputs):
            continue
        rows = [by_row[r + 1] for r in range(r1, r2 + 1) if r + 1 in by_row]
        if not rows or (r1 == r2 and c1 == c2):
            continue
        ref = f"{col_letters(c1)}{r1 + 1}:{col_letters(c2)}{r2 + 1}"
        if not c1 <= columns["value"] <= c2:
            _merged_text(rows, r1, c1, c2, columns, ref, finding)
            continue
        for m in rows:
            m.blocked = f"合并单元格 {ref}"
        names = "、".join(m.form_row.label for m in rows)
        finding(
            "R-MERGED",
            f"合并了填写单元格 {ref}（涉及{names}），无法分清各行各栏的内容，相关数值未入账",
            hint="请单位取消合并单元格、逐行填写后重新报送",
            cell=ref,
            row_key=rows[0].form_row.key,
            indicator_id=rows[0].form_row.indicator.id,
        )


def _merged_text(rows: list[MatchedRow], r1: int, c1: int, c2: int, columns: dict[str, int], ref: str, finding) -> None:
    fields = [f for f in TEXT_FIELDS if c1 <= columns[f] <= c2]
    for m in rows:
        if m.excel_row != r1 + 1:
            m.merged_text.update(fields)
    names = "、".join(m.form_row.label for m in rows)
    headers = "、".join(c.header for c in COLUMNS if c.field in fields)
    finding(
        "R-MERGED-TEXT",
        f"文字栏「{headers}」合并了单元格 {ref}（涉及{names}），合并格中的文字按第一行保存；这些行的数值照常入账",
        hint="请单位下次逐行填写文字，不要合并单元格",
        cell=ref,
        row_key=rows[0].form_row.key,
        indicator_id=rows[0].form_row.indicator.id,
    )
