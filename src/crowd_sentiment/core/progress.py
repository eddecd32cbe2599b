"""Progress bars with rate and ETA on a terminal; silent in logs, pipes, CI and non-zero ranks."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

T = TypeVar("T")

_OFF = ("", "0", "false", "no")


def progress_enabled() -> bool:
    """True when stderr is a terminal, ``CI`` is unset (or false) and this is rank 0 of a ``torchrun`` job."""
    if os.environ.get("CI", "").strip().lower() not in _OFF or int(os.environ.get("RANK", "0") or 0) > 0:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class _Bar(tqdm):
    """A bar above which console log records are written while it is open (not through it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redirect = logging_redirect_tqdm()
        self._redirect.__enter__()

    def close(self) -> None:
        try:
            super().close()
        finally:
            redirect, self._redirect = getattr(self, "_redirect", None), None
            if redirect is not None:
                redirect.__exit__(None, None, None)


def progress_bar(
    iterable: Iterable[T] | None = None, *, total: float | None = None, desc: str, unit: str = "it",
    initial: float = 0,
) -> tqdm:  # fmt: skip
    """A tqdm bar on stderr (count, rate, ETA) that disappears when done; a silent no-op when not enabled.

    Iterate it, or call ``update(n)``; use it as a context manager so it always closes.
    """
    if not progress_enabled():
        return tqdm(iterable, total=total, disable=True)
    return _Bar(
        iterable, total=total, desc=desc, unit=unit, initial=initial, leave=False, dynamic_ncols=True,
        mininterval=0.5, file=sys.stderr,
    )  # fmt: skip
