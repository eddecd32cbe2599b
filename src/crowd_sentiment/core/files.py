"""Small helpers for files and tables: existence checks, atomic writes, column and id checks."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd


def require_path(path: Path, what: str) -> Path:
    """``path`` itself, or ``FileNotFoundError("<what> not found: <path>")`` when it does not exist."""
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers never see a partial one (temp file + rename), mode 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_temp_files(root: Path, older_than_s: float = 0) -> int:
    """Delete temp files of :func:`atomic_write_bytes` (``.*.tmp``) under ``root`` older than ``older_than_s`` s; returns how many."""
    removed, now = 0, time.time()
    for tmp in Path(root).rglob(".*.tmp"):
        try:
            if tmp.is_file() and now - tmp.stat().st_mtime >= older_than_s:
                tmp.unlink()
                removed += 1
        except FileNotFoundError:  # renamed into place meanwhile
            continue
    return removed


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: object) -> None:
    """``ValueError`` naming ``source`` and the columns of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; found {list(frame.columns)}")


def require_unique(values: pd.Series, source: object, what: str) -> None:
    """``ValueError`` naming ``source`` and up to ten ``what`` values listed more than once."""
    repeated = sorted(set(values[values.duplicated()]))
    if repeated:
        raise ValueError(f"{source}: {what}(s) listed more than once: {repeated[:10]}")
