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
from crowd_sentiment.core.feature_cache import FeatureCache, cached_features
from crowd_sentiment.core.losses import balanced_class_weights
from crowd_sentiment.core.students import Student, StudentSpec, build_student, set_backbone_trainable
from crowd_sentiment.core.training import FitResult, TrainConfig, fit, fit_linear_head

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistillationSetup:
    """What to train and how (see :class:`~crowd_sentiment.core.training.TrainConfig`)."""

    spec: StudentSpec
    weights: str
    train_backbone: bool
    train: TrainConfig
    class_weighting: str = "none"  # "none" | "balanced"
    head_solver: str = (
        "minibatch"  # "minibatch" (epochs of RAdam/AdamW/SGD) | "lbfgs" (exact L2-penalised linear head)
    )
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
    image_ids: tuple[Sequence[str], Sequence[str]] | None = None,
    cache: FeatureCache | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> DistillationResult:
    """Train a student on images labelled by teacher probabilities ``(N, 3)``.

    With a frozen backbone, features come from ``cache`` when given (``image_ids`` —
    content hashes of the train and validation images — are then required).
    Raises ``ValueError`` when either split is empty.
    """
    if cache is not None and image_ids is None:
        raise ValueError("a feature cache needs the image ids of both splits")
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
        ids = image_ids or ([str(p) for p in train_paths], [str(p) for p in val_paths])
        features = [
            cached_features(
                student.backbone,
                setup.spec,
                setup.weights,
                split_ids,
                paths,
                device,
                cache=cache,
                batch_size=setup.feature_batch_size,
                num_workers=workers,
            )
            for split_ids, paths in zip(ids, (train_paths, val_paths), strict=True)
        ]
        train_set = TensorDataset(features[0], torch.as_tensor(np.asarray(train_targets, np.float32)))
        val_set = TensorDataset(features[1], torch.as_tensor(np.asarray(val_targets, np.float32)))
        train_loader = _loader(train_set, batch, shuffle=True, seed=setup.seed)
        val_loader = _loader(val_set, batch, shuffle=False, seed=setup.seed)
        model = student.head
    if setup.head_solver == "lbfgs":
        if setup.train_backbone:
            raise ValueError(
                "head_solver 'lbfgs' fits a linear head on frozen features; set train_backbone false"
            )
        result = fit_linear_head(model, train_set.tensors, val_set.tensors, setup.train, on_epoch=on_epoch)
    else:
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
        "backbone_weights": setup.weights,
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        "history": result.history,
        "optimizer_state": result.optimizer_state,
    }
    return DistillationResult(student=student, fit=result, checkpoint=checkpoint)
