"""A disk cache of frozen-backbone features, keyed by image content and preprocessing.

With a frozen backbone an image's pooled features depend only on (the image's bytes,
the backbone and its weights, the preprocessing). The cache stores each vector once as
``<root>/<backbone key>/<id[:2]>/<image id>.npy`` so later runs and the k-fold protocol
reuse them; the backbone key hashes the architecture, weights and preprocessing, so a
change of any of them starts a fresh cache. Writes are atomic: an interrupted run leaves
only complete vectors.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from crowd_sentiment.core.data import ImageFiles, eval_transform
from crowd_sentiment.core.images import atomic_write_bytes
from crowd_sentiment.core.students import StudentSpec
from crowd_sentiment.core.training import extract_features

log = logging.getLogger(__name__)


def backbone_key(spec: StudentSpec, weights: str) -> str:
    """16 hex digits identifying (arch, weights, preprocessing).

    A local weights file is identified by its path, size and modification time.
    """
    weights_id = weights
    path = Path(weights)
    if path.is_file():
        stat = path.stat()
        weights_id = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    payload = {
        "arch": spec.arch,
        "weights": weights_id,
        "image_size": spec.image_size,
        "crop_pct": spec.crop_pct,
        "mean": list(spec.mean),
        "std": list(spec.std),
        "interpolation": spec.interpolation,
        "framing": spec.framing,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class FeatureCache:
    """Feature vectors ``(F,)`` float32 per (backbone key, image id) under ``root``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str, image_id: str) -> Path:
        return self.root / key / image_id[:2] / f"{image_id}.npy"

    def get(self, key: str, image_id: str) -> np.ndarray | None:
        """The cached vector, or ``None`` when absent."""
        path = self._path(key, image_id)
        return np.load(path) if path.is_file() else None

    def put(self, key: str, image_id: str, vector: np.ndarray) -> None:
        """Store one vector atomically."""
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(vector, dtype=np.float32))
        atomic_write_bytes(self._path(key, image_id), buffer.getvalue())


def cached_features(
    backbone: nn.Module,
    spec: StudentSpec,
    weights: str,
    image_ids: Sequence[str],
    paths: Sequence[str | Path],
    device: torch.device,
    *,
    cache: FeatureCache | None,
    batch_size: int = 64,
    num_workers: int = 0,
) -> torch.Tensor:
    """Pooled features ``(N, F)`` of the images, in the given order; computes only what is missing.

    ``backbone`` must hold exactly the weights named by ``weights`` (frozen backbone).
    Without a cache, or with randomly initialised weights (``"none"``), every feature is
    computed.
    """
    if len(image_ids) != len(paths):
        raise ValueError(f"{len(image_ids)} image ids but {len(paths)} paths")
    if weights == "none":
        cache = None
    key = backbone_key(spec, weights)
    found = {i: cache.get(key, i) for i in dict.fromkeys(image_ids)} if cache else {}
    missing = [n for n, i in enumerate(image_ids) if found.get(i) is None]
    first = {}
    for n in missing:
        first.setdefault(image_ids[n], n)
    todo = list(first.values())
    log.info(
        "features (backbone %s): %d cached, %d to compute", key, len(image_ids) - len(missing), len(todo)
    )
    if todo:
        files = ImageFiles([paths[n] for n in todo], None, eval_transform(spec))
        loader = DataLoader(files, batch_size=batch_size, shuffle=False, num_workers=num_workers)
        computed, _ = extract_features(backbone, loader, device)
        for n, vector in zip(todo, computed.numpy(), strict=True):
            found[image_ids[n]] = vector
            if cache:
                cache.put(key, image_ids[n], vector)
    return torch.from_numpy(np.stack([found[i] for i in image_ids]).astype(np.float32))
