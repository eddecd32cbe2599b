"""The rejection table: every input item a stage drops, with the reason; the reject-rate guard.

Columns: ``stage`` (pipeline step), ``item_kind`` (``file``, ``line``, ``tweet``,
``image``), ``item_id`` (file name, ``<file>:<line number>``, tweet id or media file),
``reason`` (a short code such as ``malformed_json``, ``empty_text``, ``undecodable``) and
``detail`` (free text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

REJECTION_COLUMNS = ("stage", "item_kind", "item_id", "reason", "detail")


@dataclass(frozen=True)
class Rejection:
    """One dropped input item."""

    stage: str
    item_kind: str
    item_id: str
    reason: str
    detail: str = ""


def rejections_frame(rejections: list[Rejection]) -> pd.DataFrame:
    """Rejections as a frame with :data:`REJECTION_COLUMNS` (empty frame when none)."""
    return pd.DataFrame([asdict(r) for r in rejections], columns=list(REJECTION_COLUMNS)).astype(str)


class RejectRateError(ValueError):
    """More inputs of one kind were rejected than ``max_reject_share`` allows."""


def check_reject_rate(what: str, kept: int, reasons: Iterable[str], max_share: float) -> None:
    """Fail loudly when rejected / (kept + rejected) exceeds ``max_share``, with the breakdown by reason.

    Raises:
        RejectRateError: naming ``what``, the share, the counts by reason and the parameter.
    """
    counts = Counter(reasons)
    rejected = sum(counts.values())
    total = kept + rejected
    if total and rejected / total > max_share:
        breakdown = ", ".join(f"{reason}: {n}" for reason, n in counts.most_common())
        raise RejectRateError(
            f"{rejected} of {total} {what} rejected ({rejected / total:.1%} > "
            f"ingestion.max_reject_share={max_share:.1%}): {breakdown}. Fix the input, or raise "
            "ingestion.max_reject_share if this share is expected"
        )
