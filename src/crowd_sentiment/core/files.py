"""Small helpers for reading user-provided files and folders."""

from __future__ import annotations

from pathlib import Path


def require_path(path: Path, what: str) -> Path:
    """``path`` itself, or ``FileNotFoundError("<what> not found: <path>")`` when it does not exist."""
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path
