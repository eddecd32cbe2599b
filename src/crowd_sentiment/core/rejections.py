"""The rejection table: every input item a stage drops, with the reason.

Columns: ``stage`` (pipeline step), ``item_kind`` (``line``, ``tweet``, ``image``),
``item_id`` (line number, tweet id or media file), ``reason`` (a short code such as
``malformed_json``, ``empty_text``, ``undecodable``) and ``detail`` (free text).
"""

from __future__ import annotations

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
