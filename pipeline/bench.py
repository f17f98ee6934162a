"""`make bench`: how fast returns are read, checked and merged, against pandas and a bare unzip.

Builds a year of simulated monthly returns for the shipped config (16 units × 12 months), then
times ingest (read + check + ledger) on them, the same files read by `pandas.read_excel`, and a
bare `zipfile` decompression of every part (the floor). Figures go to outputs/bench/latest.json.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from .config_load import load_config
from .ingest import ingest
from .periods import periods_of_year
from .simulate import simulate


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run(config: str = "config.yaml", out: Path = Path("outputs/bench")) -> dict:
    cfg = load_config(config)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs = root / "inputs"
        sim_s, _ = _timed(
            lambda: [simulate(cfg, p, inputs / p.code, seed=7) for p in periods_of_year("month", cfg.year)]
        )
        files = sorted(inputs.rglob("*.xlsx"))
        ingest_s, result = _timed(lambda: ingest(cfg, inputs, root / "outputs"))

        def unzip_all():
            for f in files:
                with zipfile.ZipFile(f) as z:
                    for name in z.namelist():
                        z.read(name)

        unzip_s, _ = _timed(unzip_all)
        try:
            import pandas as pd

            with warnings.catch_warnings():  # openpyxl warns about data validation it cannot read
                warnings.simplefilter("ignore")
                pandas_s, _ = _timed(lambda: [pd.read_excel(f, sheet_name=None, header=None) for f in files])
        except ImportError:  # pragma: no cover - pandas is a dependency, but the bench should still report
            pandas_s = float("nan")
    figures = {
        "files": len(files),
        "accepted": result.count("accepted"),
        "simulate_s": round(sim_s, 3),
        "ingest_s": round(ingest_s, 3),
        "files_per_s": round(len(files) / ingest_s, 1),
        "pandas_read_s": round(pandas_s, 3),
        "unzip_s": round(unzip_s, 3),
        "ratio_vs_pandas": round(pandas_s / ingest_s, 2),
        "ratio_vs_unzip": round(ingest_s / unzip_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return figures


def main() -> None:
    figures = run(*sys.argv[1:2])
    labels = {
        "files": "报表份数",
        "accepted": "入账份数",
        "simulate_s": "生成模拟报表（秒）",
        "ingest_s": "读取+校验+入账（秒）",
        "files_per_s": "每秒处理份数",
        "pandas_read_s": "pandas.read_excel 读同样文件（秒）",
        "unzip_s": "仅解压（秒）",
        "ratio_vs_pandas": "比 pandas 快（倍）",
        "ratio_vs_unzip": "相当于解压时间的（倍）",
        "peak_rss_mb": "峰值内存（MB）",
    }
    for key, value in figures.items():
        print(f"{labels[key]:<28}{value}")
    print("结果已写入 outputs/bench/latest.json")


if __name__ == "__main__":
    main()
