"""Word to PDF with LibreOffice headless: one soffice call for all documents of a run.

Each call gets its own throw-away profile (parallel runs sharing one fail with exit 1 and no
PDF), and `fonts.conf` maps the 公文 font names to free faces so a machine without the
Windows fonts still previews faithfully. Exit status 0 is no proof: every PDF is checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import Problem, UserError

FONTS_CONF = Path(__file__).with_name("fonts.conf")

INSTALL_HINT = (
    "未找到 LibreOffice，无法把 Word 文件转换为 PDF（Word 文件已生成，可直接打开打印）。"
    "安装方法：Debian/Ubuntu 运行「sudo apt-get install libreoffice-writer-nogui」；"
    "Windows 或 macOS 从 LibreOffice 官网下载安装包安装，装好后重新运行即可。"
)


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docs: Sequence[Path], out_dir: Path | None = None, *, fonts_conf: Path | None = FONTS_CONF,
           timeout: int = 600) -> list[Path]:  # fmt: skip
    """Convert every .docx in `docs` in ONE soffice call; each PDF lands beside its .docx (or in out_dir).

    Raises UserError when LibreOffice is missing or a PDF did not appear."""
    if not docs:
        return []
    exe = find_soffice()
    if exe is None:
        raise UserError(INSTALL_HINT)
    for d in docs:
        if not Path(d).exists():
            raise UserError(f"要转换的文件「{d}」不存在。")
    with tempfile.TemporaryDirectory(prefix="minsheng-pdf-") as tmp:
        work = Path(tmp)
        staged = []  # copies under unique names: two 月通报.docx of different periods must not collide
        for i, d in enumerate(docs):
            src = work / "in" / f"{i:03d}_{Path(d).name}"
            src.parent.mkdir(exist_ok=True)
            shutil.copyfile(d, src)
            staged.append(src)
        env = dict(os.environ)
        if fonts_conf is not None and fonts_conf.exists():
            env["FONTCONFIG_FILE"] = str(fonts_conf)
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            *map(str, staged),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise UserError(
                f"LibreOffice 转换 PDF 超过 {timeout} 秒仍未完成，已停止。请关闭其他 LibreOffice 窗口后重试。"
            ) from exc
        results, problems = [], []
        for d, src in zip(docs, staged, strict=True):
            made = work / "out" / (src.stem + ".pdf")
            dest_dir = out_dir or Path(d).parent
            dest = dest_dir / (Path(d).stem + ".pdf")
            if not made.exists() or made.stat().st_size == 0:
                problems.append(Problem(f"「{Path(d).name}」没有生成 PDF。", file=str(d)))
                continue
            dest_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(made), dest)
            results.append(dest)
        if problems:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-3:]
            raise UserError(
                "LibreOffice 未能转换全部文件" + (f"（{' '.join(detail)}）" if detail else "") + "：", problems
            )
        return results
