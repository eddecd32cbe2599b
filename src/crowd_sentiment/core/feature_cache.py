"""A disk cache of frozen-backbone features: ``<root>/<backbone key>/<id[:2]>/<image id>.npy``.

A frozen backbone's features depend only on the image's bytes, the backbone with its
weights, and the preprocessing; the backbone key hashes the last two, so changing either
starts a fresh cache. Writes are atomic: an interrupted run leaves only whole vectors.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from crowd_sentiment.core import distributed
from crowd_sentiment.core.files import atomic_write_bytes
from crowd_sentiment.core.image_sets import ImageFiles, ImageSet
from crowd_sentiment.core.students import (
    L2Normalize,
    PooledBackbone,
    Student,
    StudentSpec,
    ensemble_specs,
    view_specs,
    weights_file,
)
from crowd_sentiment.core.training import extract_features
from crowd_sentiment.core.transforms import batch_normalize, frame_transform

log = logging.getLogger(__name__)


def backbone_key(spec: StudentSpec, *, flip: bool = False) -> str:
    """16 hex digits identifying (arch, weights, preprocessing, view, levels); a weights file counts by path, size
    and mtime.

    ``flip``: the mirrored view (a key of its own; the unflipped key is unchanged by it).
    """
    weights_id = spec.weights
    path = Path(spec.weights).expanduser()
    if path.exists() and spec.weights not in ("none", "hub"):
        path = weights_file(path)  # a folder counts by the file it holds
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
    } | ({"flip": True} if flip else {}) | ({"levels": spec.levels} if spec.levels else {})
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
    images: ImageSet,
    device: torch.device,
    *,
    cache: FeatureCache | None,
    batch_size: int = 64,
    num_workers: int = 0,
    flip: bool = False,
) -> torch.Tensor:
    """Pooled features ``(N, F)`` float32 of ``images`` at ``spec.levels``, in order; computes only what is missing.

    ``backbone`` must hold exactly ``spec.weights``, unchanged (a frozen backbone). Without
    a cache, or with random weights (``"none"``), every feature is computed. Pictures travel
    as ``uint8`` and are normalised per batch on ``device``; a background thread decodes
    ahead when ``num_workers`` is 0. ``flip``: features of the mirrored pictures.
    """
    if spec.weights == "none":
        cache = None
    key = backbone_key(spec, flip=flip)
    ids = images.ids
    found = {i: cache.get(key, i) for i in dict.fromkeys(ids)} if cache else {}
    first: dict[str, int] = {}
    for n, image_id in enumerate(ids):
        if found.get(image_id) is None:
            first.setdefault(image_id, n)
    todo = list(first.values())
    log.info("features (backbone %s): %d cached, %d to compute", key, len(ids) - len(todo), len(todo))
    if todo:
        subset = ImageSet.of([ids[n] for n in todo], [images.paths[n] for n in todo])
        loader = DataLoader(
            ImageFiles(subset, frame_transform(spec, flip=flip)), batch_size=batch_size, shuffle=False, num_workers=num_workers,
            pin_memory=device.type == "cuda",
        )  # fmt: skip
        computed = extract_features(
            PooledBackbone(backbone, spec.levels), loader, device, prepare=batch_normalize(spec).to(device)
        )
        writes = cache is not None and distributed.current().is_main  # under torchrun, rank 0 writes
        for n, vector in zip(todo, computed.numpy(), strict=True):
            found[ids[n]] = vector
            if writes:
                cache.put(key, ids[n], vector)
    return torch.from_numpy(np.stack([found[i] for i in ids]).astype(np.float32))


def student_features(
    student: Student, images: ImageSet, device: torch.device, *, cache: FeatureCache | None, batch_size: int = 64,
    num_workers: int = 0,
) -> torch.Tensor:  # fmt: skip
    """The frozen features ``(N, F)`` a student's head sees before its own layers, for ``images`` in order.

    Per backbone (``spec.ensemble``) the mean over ``spec.views`` of :func:`cached_features`
    (each view a cache key of its own); with several backbones and ``feature_norm`` ``l2``
    each block is scaled to length ``√F_b`` before they are concatenated. One backbone with
    one view gives exactly :func:`cached_features`.
    """
    spec, blocks = student.spec, []
    for backbone, member in zip(student.backbones, ensemble_specs(spec), strict=True):
        views = [
            cached_features(backbone, view, images, device, cache=cache, batch_size=batch_size,
                            num_workers=num_workers, flip=flip)
            for view, flip in view_specs(member)
        ]  # fmt: skip
        block = torch.stack(views).mean(0) if len(views) > 1 else views[0]
        blocks.append(L2Normalize()(block) if spec.ensemble and spec.feature_norm == "l2" else block)
    return torch.cat(blocks, dim=1) if len(blocks) > 1 else blocks[0]
