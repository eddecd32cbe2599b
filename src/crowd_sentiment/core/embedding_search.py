"""Near-duplicates by cosine similarity of frozen-backbone features: what a 64-bit dHash misses.

Flips, crops and text overlays move many dHash bits but keep the backbone's pooled
features close. The search is exact k-nearest-neighbour by blocked matrix products on
L2-normalised features (``O(N² F)`` multiply-adds, ``O(block · N)`` memory): fine for the
tens of thousands of pictures of MVSA-sized crowds; at millions an approximate index
(FAISS, as the paper used) would replace it. Features come from the feature cache that
distillation fills, so a picture is embedded once per backbone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from crowd_sentiment.core.settings import Settings

if TYPE_CHECKING:  # torch is imported only when features are computed
    from crowd_sentiment.core.feature_cache import FeatureCache
    from crowd_sentiment.core.image_sets import ImageSet
    from crowd_sentiment.core.students import StudentSpec


class EmbeddingSearchSettings(Settings):
    """The optional cosine search on the student's frozen backbone features (``distillation.student``)."""

    enabled: bool = False
    min_cosine: float = Field(0.90, gt=0, le=1)  # two pictures within this cosine are near-duplicates
    neighbours: int = Field(10, ge=1)  # per picture, only its k nearest are considered
    batch_size: int = Field(64, ge=1)  # feature extraction batch


def normalised(features: np.ndarray) -> np.ndarray:
    """Rows of ``(N, F)`` scaled to unit length, float32 (zero rows stay zero)."""
    matrix = np.asarray(features, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1)


def cosine_matches(
    queries: np.ndarray,
    references: np.ndarray,
    *,
    min_cosine: float,
    neighbours: int,
    block: int = 2048,
    self_join: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(query, reference) index pairs: the reference is among the query's ``neighbours`` nearest and
    within ``min_cosine``. ``self_join`` (queries are the references): pairs ``i < j``, self excluded."""
    q, r = normalised(queries), normalised(references)
    found_q, found_r = [], []
    k = min(neighbours, len(r))  # self (masked to -inf) never passes the threshold
    for start in range(0, len(q), block):
        sims = q[start : start + block] @ r.T  # (B, M)
        if self_join:
            rows = np.arange(sims.shape[0])
            sims[rows, rows + start] = -np.inf
        top = (
            np.argpartition(-sims, k - 1, axis=1)[:, :k]
            if k < sims.shape[1]
            else np.tile(np.arange(k), (len(sims), 1))
        )
        close = np.take_along_axis(sims, top, axis=1) >= min_cosine
        rows, cols = np.nonzero(close)
        found_q.append(rows + start)
        found_r.append(top[rows, cols])
    if not found_q:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(found_q).astype(np.int64), np.concatenate(found_r).astype(np.int64)
    if self_join:
        pairs = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)]), axis=1)
        return pairs[0], pairs[1]
    return a, b


def backbone_features(
    spec: StudentSpec, images: ImageSet, cache: FeatureCache | None, *, batch_size: int
) -> np.ndarray:
    """Pooled features ``(N, F)`` float32 of ``images`` from the student's frozen backbone (cached, CPU).

    Always the last layer's pooled features (``levels`` 0), whatever ``spec.levels``: the near-duplicate
    threshold ``min_cosine`` is measured on them (``make bench-filtering``).
    """
    import torch

    from crowd_sentiment.core.feature_cache import cached_features
    from crowd_sentiment.core.students import build_student

    spec = spec.model_copy(update={"levels": 0})
    backbone = build_student(spec).backbone.eval()
    with torch.no_grad():
        features = cached_features(
            backbone, spec, images, torch.device("cpu"), cache=cache, batch_size=batch_size
        )
    return features.numpy()
