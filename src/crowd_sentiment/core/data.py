"""Image tensors for students: transforms and a dataset over image files.

Evaluation: resize the short side to ``image_size / crop_pct`` and centre-crop
``image_size`` (timm's recipe for ImageNet backbones). Training with a trainable backbone
adds a random resized crop and a horizontal flip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision import transforms as T

from crowd_sentiment.core.students import StudentSpec


def _interpolation(name: str) -> T.InterpolationMode:
    return T.InterpolationMode(name)


def eval_transform(spec: StudentSpec) -> Callable[[Image.Image], Tensor]:
    """PIL picture → normalised tensor ``(3, S, S)`` with ``S = image_size``."""
    return T.Compose(
        [
            T.Resize(
                int(round(spec.image_size / spec.crop_pct)), interpolation=_interpolation(spec.interpolation)
            ),
            T.CenterCrop(spec.image_size),
            T.ToTensor(),
            T.Normalize(spec.mean, spec.std),
        ]
    )


def train_transform(spec: StudentSpec) -> Callable[[Image.Image], Tensor]:
    """Augmenting transform for fine-tuning: random resized crop (scale 0.5–1) and flip."""
    return T.Compose(
        [
            T.RandomResizedCrop(
                spec.image_size, scale=(0.5, 1.0), interpolation=_interpolation(spec.interpolation)
            ),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(spec.mean, spec.std),
        ]
    )


class ImageFiles(Dataset):
    """Images read from files with per-image target vectors.

    Item ``i`` is ``(image (3, S, S) float32, target (K,) float32)``; ``targets`` is
    ``(N, K)`` (teacher probabilities, or zeros when only images are needed).
    """

    def __init__(self, paths: Sequence[str | Path], targets: np.ndarray | None, transform: Callable):
        self.paths = [Path(p) for p in paths]
        self.targets = (
            np.zeros((len(self.paths), 0), np.float32) if targets is None else np.asarray(targets, np.float32)
        )
        if len(self.targets) != len(self.paths):
            raise ValueError(f"{len(self.paths)} paths but {len(self.targets)} targets")
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        with Image.open(self.paths[index]) as image:
            tensor = self.transform(image.convert("RGB"))
        return tensor, torch.tensor(self.targets[index])
