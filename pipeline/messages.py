"""What the ingest half says to office staff: one place for its Chinese wording.

Functions return plain sentences (no severity prefix: the finding or the screen adds it). Numbers
in messages go through `num`, so a typed 1e308 never prints as a 309-digit figure.
"""

from __future__ import annotations

import math

from .numbers import fmt_number

# -- numbers -------------------------------------------------------------------------------

HUGE = 1e12  # beyond this a figure is shown in scientific notation, never digit by digit


def num(x: float | int | None) -> str:
    """A figure as a message quotes it: 498, 106.64, 1,234,567; absurd ones as 1×10^308."""
    if x is None:
        return "—"
    x = float(x)
    if not math.isfinite(x):
        return "（无效数字）"
    if abs(x) >= HUGE:
        return f"{x:.3g}".replace("e+", "×10^").replace("e-", "×10^-")
    return fmt_number(round(x, 4), grouping=abs(x) >= 1000)


# -- whole files -----------------------------------------------------------------------------

ENCRYPTED = "文件已加密（设置了打开密码），程序无法读取"
ENCRYPTED_HINT = "请单位在 Excel/WPS 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新发送"
CORRUPT_HINT = "请单位用 Excel/WPS 打开确认无误后重新发送"
READER_CRASH = "文件内部结构损坏，读取程序无法处理（已跳过，不影响其他文件）"
READER_TIMEOUT = "读取这个文件超过 {seconds} 秒仍未完成，可能已损坏（已跳过，不影响其他文件）"
TOO_MUCH_MEMORY = "读取这个文件需要的内存远超正常报表（表格范围异常大），已拒收"
AREA_TOO_LARGE = "工作表「{sheet}」写到了第 {rows} 行、第 {cols} 列，远超填报表的范围（约 {max_rows} 行），已拒收"
AREA_TOO_LARGE_HINT = "请单位删除表格下方或右侧多余的内容（或重新使用下发的填报表）后重新发送"

IGNORED = "非报表文件，已忽略（只读取 .xlsx / .xlsm / .xlsb / .xls / .et / .ods 表格）"
IGNORED_HINTS = {  # what staff should do with the usual non-spreadsheet attachments
    **dict.fromkeys((".zip", ".rar", ".7z"), "这是压缩包：请先解压，把其中的表格放进报表文件夹"),
    **dict.fromkeys((".doc", ".docx", ".wps", ".pdf", ".txt"), "如是情况说明或典型经验材料，请人工阅读"),
    **dict.fromkeys((".jpg", ".jpeg", ".png"), "这是图片：请单位报送 Excel 填报表，不要拍照或截图"),
    ".csv": "这是 CSV 文本文件，不是填报表：请单位把数据填进下发的填报表，用 Excel/WPS 保存为 .xlsx 后重新发送",
}

REREAD = "此前拒收，已按新的分解方案重新读取"
OTHER_PERIOD = "这是{label}的报表，本次处理的是{wanted}，未入账（原件已存档）"
OTHER_PERIOD_HINT = "如是单位误发了上期的表，请催其报送本期报表"

# -- dates -----------------------------------------------------------------------------------

DATE_UNREADABLE = "填报日期「{raw}」无法识别为日期，是否逾期按收到文件的时间（{received}）判断"
DATE_IMPLAUSIBLE = (
    "填报日期「{raw}」（{date}）与{label}相差太远，不像本期的填报日期，是否逾期按收到文件的时间（{received}）判断"
)
DATE_HINT = "请单位在「填报日期」栏填写日期，如 2023-06-28"
TITLE_MOVED = "标题区「{label}」不在原来的位置（应在 {expected}，实际在 {actual}），已按标签读取"
LATE = "{label}报表应于 {deadline} 前报送，实际为 {received}（按{source}），逾期 {days} 天"

# -- the ledger and the outputs folder ------------------------------------------------------

LEDGER_BUSY = "另一个任务正在使用台账，请稍后再试"
LEDGER_BUSY_DETAIL = (
    "（同一个输出文件夹「{outputs}」同时只能运行一个入账或生成任务；如确认没有其他任务在运行，请稍等片刻后重试）"
)
LEDGER_OTHER_OFFICE = (
    "台账「{path}」属于「{office}」（{year}年），与配置文件中的「{ours}」（{our_year}年）不符，"
    "为避免混入其他单位或年度的数据，本次不读取也不写入该台账。"
)
LEDGER_OTHER_OFFICE_HINT = (
    "请检查配置文件（CONFIG=…），或为这份配置另用一个输出文件夹（如 make monthly OUTPUTS=outputs-{code}）。"
)
REPORT_LOCKED = "无法写入「{path}」：文件可能正在 Excel 或 WPS 中打开。请关闭该文件后重新运行（其余文件已照常生成）"

# -- the 校验报告 and 催报名单 -------------------------------------------------------------------

UNPLACED_HEADING = "以下 {n} 份文件无法确定所属期别（或不是本年度的表），每一期的校验报告都列出，处理后即不再出现："
NO_FINDINGS = "本期报表未发现问题。"
CHASE_REJECTED = "报来的「{name}」被拒收：{reason}。{hint}"
CHASE_REJECTED_UNPLACED = "报来的「{name}」无法确定期别，已拒收：{reason}。{hint}"
CHASE_MISSING = "截至本次处理，未收到本期报表"
CHASE_LATE = "逾期 {days} 天（按{source}）"
CHASE_RESEND = "请单位改正后重新报送"


def report_summary(received: int, accepted: int, rejected: int, unplaced: int, errors: int, warnings: int) -> str:
    text = f"本期收到报表 {received} 份（入账 {accepted} 份，拒收 {rejected} 份）"
    if unplaced:
        text += f"，另有 {unplaced} 份无法确定期别"
    return text + f"；发现错误 {errors} 条、警告 {warnings} 条"


# -- the screen ------------------------------------------------------------------------------

FILE_WORDS = {
    "accepted": "入账",
    "rejected": "拒收",
    "already": "此前已处理",
    "duplicate": "重复文件",
    "ignored": "非报表文件",
    "other-period": "其他期别",
}


def period_state_line(
    label: str,
    added: dict[str, int],
    new_errors: int,
    new_warnings: int,
    open_errors: int,
    error_units: int,
    open_warnings: int,
    missing: int,
    rejected: int,
    late: int,
) -> str:
    """One period's state: what this run added, then what is still open (errors before warnings)."""
    did = "、".join(f"{FILE_WORDS[k]} {n} 份" for k, n in added.items() if n)
    head = f"{label}：本次{did or '没有新增报表'}"
    if new_errors or new_warnings:
        head += f"，新发现错误 {new_errors} 条、警告 {new_warnings} 条"
    state = f"目前该期尚有错误 {open_errors} 条" + (f"（涉及 {error_units} 个单位）" if open_errors else "")
    state += f"、警告 {open_warnings} 条"
    chase = "、".join(
        f"{word} {n} 个单位" for word, n in (("未报送", missing), ("被拒收", rejected), ("逾期", late)) if n
    )
    return f"{head}；{state}" + (f"；{chase}" if chase else "") + "。"


CHECK_HEADER = "自查「{file}」（{unit}，{period}）：错误 {errors} 条，警告 {warnings} 条"
CHECK_REJECTED = "自查「{file}」：这份文件不能入账（错误 {errors} 条）"
CHECK_OK = "没有发现错误，可以报送。"
CHECK_FIX = "请按以上说明改正后再报送。"
CHECK_NOT_FOUND = "找不到文件「{file}」"
