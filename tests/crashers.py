"""Readers that fail the way real ones did, for the worker-process tests (importable by spawn).

A file whose name contains "panic" raises what pyo3 raises on a Rust panic (a BaseException,
not an Exception); "abort" kills the reading process outright; "hog" asks for more memory than
a worker may have. Any other file is read by the real reader.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.readers import read_workbook


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException, which derives from BaseException."""


def reader(path: Path):
    name = path.name
    if "panic" in name:
        os.write(2, b"thread '<unnamed>' panicked at src/xls.rs:42: index out of bounds\n")
        raise PanicException("index out of bounds: the len is 3 but the index is 7")
    if "abort" in name:
        os.abort()
    if "hog" in name:
        hog = bytearray(8 * 1024**3)  # 8 GB: beyond the worker's address-space limit
        return hog  # pragma: no cover - never reached under the limit
    return read_workbook(path)
