"""Cross-modal distillation of an image student from teacher probabilities.

Two regimes:

* frozen backbone (CPU default): pooled backbone features of every training and
  validation image are computed once, then only the head is trained on them — the
  same result as running the frozen backbone each epoch, at a fraction of the cost;
* trainable backbone: the whole student is fine-tuned on augmented image batches.

Targets are the teacher's probabilities ``(N, 3)``; the loss uses their argmax with
label smoothing (paper) or the full distribution (``loss = "soft"``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.data import ImageFiles, eval_transform, train_transform
from crowd_sentiment.core.losses import balanced_class_weights
from crowd_sentiment.core.students import Student, StudentSpec, build_student, set_backbone_trainable
from crowd_sentiment.core.training import FitResult, TrainConfig, extract_features, fit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistillationSetup:
    """What to train and how (see :class:`~crowd_sentiment.core.training.TrainConfig`)."""

    spec: StudentSpec
    weights: str
    train_backbone: bool
    train: TrainConfig
    class_weighting: str = "none"  # "none" | "balanced"
    seed: int = 42
    num_workers: int = 0
    feature_batch_size: int = 64


@dataclass
class DistillationResult:
    """The student with its best weights, the training history and a full checkpoint."""

    student: Student
    fit: FitResult
    checkpoint: dict


def _loader(dataset, batch_size: int, *, shuffle: bool, seed: int, num_workers: int = 0) -> DataLoader:
    """Seeded loader; a shuffled (training) loader drops a last batch of one sample,
    which BatchNorm cannot normalise in training mode."""
    generator = torch.Generator().manual_seed(seed)
    drop_last = shuffle and len(dataset) % batch_size == 1
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        num_workers=num_workers,
        drop_last=drop_last,
    )


def _class_weights(targets: np.ndarray, kind: str) -> torch.Tensor | None:
    if kind == "none":
        return None
    if kind == "balanced":
        return balanced_class_weights(torch.from_numpy(targets.argmax(1)), targets.shape[1])
    raise ValueError(f"unknown class_weighting {kind!r}; expected 'none' or 'balanced'")


def distill_student(
    train_paths: Sequence[str | Path],
    train_targets: np.ndarray,
    val_paths: Sequence[str | Path],
    val_targets: np.ndarray,
    setup: DistillationSetup,
    device: torch.device,
    *,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> DistillationResult:
    """Train a student on images labelled by teacher probabilities ``(N, 3)``.

    Raises ``ValueError`` when either split is empty.
    """
    if len(train_paths) == 0 or len(val_paths) == 0:
        raise ValueError(f"need training and validation images, got {len(train_paths)} and {len(val_paths)}")
    torch.manual_seed(setup.seed)
    student = build_student(setup.spec, weights=setup.weights)
    set_backbone_trainable(student, setup.train_backbone)
    weights = _class_weights(np.asarray(train_targets), setup.class_weighting)
    batch, workers = setup.train.batch_size, setup.num_workers
    if setup.train_backbone:
        train_loader = _loader(
            ImageFiles(train_paths, train_targets, train_transform(setup.spec)),
            batch,
            shuffle=True,
            seed=setup.seed,
            num_workers=workers,
        )
        val_loader = _loader(
            ImageFiles(val_paths, val_targets, eval_transform(setup.spec)),
            batch,
            shuffle=False,
            seed=setup.seed,
            num_workers=workers,
        )
        model = student
    else:
        features = []
        for paths, targets in ((train_paths, train_targets), (val_paths, val_targets)):
            files = ImageFiles(paths, targets, eval_transform(setup.spec))
            features.append(
                extract_features(
                    student.backbone,
                    _loader(
                        files, setup.feature_batch_size, shuffle=False, seed=setup.seed, num_workers=workers
                    ),
                    device,
                )
            )
        train_loader = _loader(TensorDataset(*features[0]), batch, shuffle=True, seed=setup.seed)
        val_loader = _loader(TensorDataset(*features[1]), batch, shuffle=False, seed=setup.seed)
        model = student.head
    result = fit(
        model, train_loader, val_loader, setup.train, device, class_weights=weights, on_epoch=on_epoch
    )
    model.load_state_dict(result.best_state)
    student.to("cpu").eval()
    log.info("best epoch %d of %d", result.best_epoch, len(result.history))
    checkpoint = {
        "spec": setup.spec.to_dict(),
        "state_dict": student.state_dict(),
        "trained_module": "student" if setup.train_backbone else "head",
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        "history": result.history,
        "optimizer_state": result.optimizer_state,
    }
    return DistillationResult(student=student, fit=result, checkpoint=checkpoint)
