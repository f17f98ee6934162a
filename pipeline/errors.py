"""The one exception type for problems a user can fix.

The CLI renders a `UserError` as plain Chinese lines and a non-zero exit status, never a
traceback. Programming errors are ordinary exceptions and still raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with where it is. `level` is "error", "warning" or "info"."""

    message: str
    level: str = "error"
    path: str = ""  # YAML path such as projects[3].indicators[1].target
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None

    def render(self) -> str:
        where = []
        if self.file:
            where.append(f"文件「{self.file}」")
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.cell:
            where.append(f"单元格 {self.cell}")
        elif self.row is not None:
            where.append(f"第{self.row}行")
        prefix = "，".join(where)
        label = {"error": "错误", "warning": "警告"}.get(self.level, "提示")
        body = f"{self.path}: {self.message}" if self.path else self.message
        return f"[{label}] {prefix + '：' if prefix else ''}{body}"


@dataclass
class UserError(Exception):
    """A problem the user can fix; carries every problem found, not just the first."""

    summary: str
    problems: list[Problem] = field(default_factory=list)
    exit_code: int = 2

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def render(self) -> str:
        lines = [self.summary]
        lines.extend(p.render() for p in self.problems)
        return "\n".join(lines)
