"""One finding type for every problem in a returned file, and the list of rule codes.

A finding names the file, sheet and cell, the unit and indicator, the value as typed, a plain
Chinese sentence and what to do, so staff can read it to the unit on the phone. The same
findings are rendered three ways: terminal, 校验报告.xlsx and JSON. docs/ingest.md lists the codes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .model import Severity

ERROR = Severity.error
WARNING = Severity.warning

# code → (severity, short title). Severity: an error excludes the value(s) it concerns, or the
# whole file for F- codes; a warning keeps the value and flags it.
RULES: dict[str, tuple[Severity, str]] = {
    "F-EMPTY": (ERROR, "空文件"),
    "F-TOO-BIG": (ERROR, "文件过大"),
    "F-NOT-EXCEL": (ERROR, "不是 Excel 工作簿"),
    "F-CORRUPT": (ERROR, "文件损坏"),
    "F-ENCRYPTED": (ERROR, "文件已加密"),
    "F-ZIP-BOMB": (ERROR, "解压后过大"),
    "F-UNSAFE-XML": (ERROR, "含不安全内容"),
    "F-NOT-FORM": (ERROR, "不是本系统的填报表"),
    "F-IGNORED": (WARNING, "非报表文件"),
    "F-META-MISSING": (WARNING, "缺少隐藏元数据"),
    "F-SHEET-RENAMED": (WARNING, "工作表被改名"),
    "F-UNKNOWN-UNIT": (ERROR, "无法识别填报单位"),
    "F-UNKNOWN-PERIOD": (ERROR, "无法识别期别"),
    "F-WRONG-YEAR": (ERROR, "年度不符"),
    "F-WRONG-PERIOD": (ERROR, "期别不符"),
    "F-TEMPLATE-VERSION": (ERROR, "填报表版本不支持"),
    "F-CONFIG-CHANGED": (WARNING, "填报表与现行分解方案版本不同"),
    "F-WRONG-CONFIG": (ERROR, "不是本分解方案的填报表"),
    "F-DUPLICATE-FILE": (WARNING, "重复文件"),
    "F-RESUBMITTED": (WARNING, "同期重复报送"),
    "F-LATE": (WARNING, "逾期报送"),
    "F-DATE-UNCLEAR": (WARNING, "填报日期无法识别"),
    "F-REREAD": (WARNING, "按新方案重新读取"),
    "F-HEADER-EDITED": (WARNING, "表头被改动"),
    "R-ROW-MISSING": (ERROR, "缺少指标行"),
    "R-ROW-EXTRA": (WARNING, "多出的行"),
    "R-ROW-DUPLICATE": (ERROR, "指标行重复"),
    "R-ROW-MATCHED-BY-NAME": (WARNING, "按指标名称匹配"),
    "R-LOCKED-EDITED": (WARNING, "锁定内容被改动"),
    "R-MERGED": (ERROR, "合并了填写单元格"),
    "R-MERGED-TEXT": (WARNING, "合并了文字栏"),
    "V-EMPTY": (WARNING, "未填报"),
    "V-NOT-NUMBER": (ERROR, "不是数字"),
    "V-NOT-STAGE": (ERROR, "不是可选阶段"),
    "V-FORMULA-NO-VALUE": (ERROR, "公式没有计算结果"),
    "V-RANGE": (ERROR, "超出合理范围"),
    "V-EXCEL-ERROR": (ERROR, "单元格显示错误值"),
    "V-ABSURD": (ERROR, "数值不合常理"),
    "V-NORMALISED": (WARNING, "已按规则识别"),
    "V-PERCENT-FORMAT": (WARNING, "疑似百分比格式"),
    "V-DECREASE": (ERROR, "累计数比上期减少"),
    "V-DECREASE-EXPLAINED": (WARNING, "累计数比上期减少（已说明）"),
    "V-LEVEL-DOWN": (WARNING, "存量指标下降"),
    "V-OVERDUE": (ERROR, "节点逾期未完成"),
    "V-OUTLIER": (WARNING, "增幅异常"),
    "V-CHILD-EXCEEDS": (ERROR, "「其中」大于上级指标"),
    "V-AREA-SUM": (ERROR, "分区域合计不符"),
    "V-LAG-NO-REASON": (WARNING, "滞后未说明原因"),
    "T-CLEANED": (WARNING, "文字已清理"),
    "T-FORMULA": (WARNING, "文字栏含公式"),
    "T-LONG": (WARNING, "文字过长"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit_code: str = ""
    unit_name: str = ""
    indicator_id: str = ""
    indicator_name: str = ""
    row_key: str = ""
    raw: str = ""
    period: str = ""

    @property
    def severity(self) -> Severity:
        return RULES[self.code][0]

    @property
    def title(self) -> str:
        return RULES[self.code][1]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def render(self) -> str:
        where = "，".join(x for x in [self.file and f"「{self.file}」", self.sheet, self.cell] if x)
        who = self.unit_name or self.unit_code
        text = f"[{self.severity}] {where}：{self.message}" if where else f"[{self.severity}] {self.message}"
        if who and who not in text:
            text += f"（{who}）"
        return text + (f" 处理建议：{self.hint}" if self.hint else "")

    def as_dict(self) -> dict:
        return {**asdict(self), "severity": str(self.severity), "title": self.title}
