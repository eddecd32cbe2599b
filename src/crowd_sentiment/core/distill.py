"""Cross-modal distillation: an image student trained on teacher probabilities ``(N, 3)``.

With a frozen backbone (the CPU default) each image's pooled features are computed once
(or read from the cache) and only the head is trained on them; with a trainable backbone
the whole student is fine-tuned on augmented image batches (``uint8`` pictures decoded by
loader workers into pinned memory, normalised on the device). Under ``torchrun`` every
process trains its shard through DDP and rank 0 alone writes checkpoints.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from pydantic import Field, model_validator
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core import distributed
from crowd_sentiment.core.checkpoints import CheckpointStore
from crowd_sentiment.core.distributed import EpochSampler
from crowd_sentiment.core.feature_cache import FeatureCache, student_features
from crowd_sentiment.core.flops import forward_flops, training_flops
from crowd_sentiment.core.heads import correct_prior, scale_logits
from crowd_sentiment.core.image_sets import ImageFiles, ImageSet
from crowd_sentiment.core.losses import balanced_class_weights
from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import StudentSpec, build_student, set_backbone_trainable
from crowd_sentiment.core.training import (
    FitResult,
    RuntimeSettings,
    TrainingSettings,
    fit,
    fit_centroid_head,
    fit_linear_head,
)  # fmt: skip
from crowd_sentiment.core.transforms import augment_transform, batch_normalize, frame_transform

log = logging.getLogger(__name__)


class DistillationSettings(Settings):
    """What student to distil and how. ``device``: ``auto`` = CUDA when available, else CPU.

    ``cpu_threads``: torch's intra-op threads on CPU; 0 = torch's default (one per core).
    """

    seed: int = 42
    device: str = "auto"
    num_workers: int = Field(0, ge=0)  # DataLoader workers decoding images
    feature_batch_size: int = Field(64, ge=1)  # batch size of frozen-backbone feature extraction
    cpu_threads: int = Field(0, ge=0)
    student: StudentSpec = StudentSpec()
    training: TrainingSettings = TrainingSettings()
    runtime: RuntimeSettings = RuntimeSettings()

    @model_validator(mode="after")
    def _linear_solvers_need_a_linear_head_on_frozen_features(self) -> DistillationSettings:
        training, student = self.training, self.student
        if training.head_solver != "minibatch" and (student.head_hidden or student.train_backbone):
            raise ValueError(
                f"training.head_solver {training.head_solver!r} fits a linear head on frozen features: "
                f"needs student.head_hidden 0 (got {student.head_hidden}) and "
                f"student.train_backbone false (got {student.train_backbone})"
            )
        if training.noise_loss != "none" and training.head_solver == "minibatch":
            raise ValueError(f"training.noise_loss {training.noise_loss!r} is a head option on cached features: "
                             "set training.head_solver lbfgs or training.noise_loss none")  # fmt: skip
        return self


@dataclass
class DistillationResult:
    """The stored student (best weights), the fit's history and a full training checkpoint."""

    student: StoredStudent
    fit: FitResult
    checkpoint: dict


def _loader(
    dataset, batch_size: int, *, shuffle: bool, seed: int, num_workers: int = 0, pin: bool = False
) -> DataLoader:
    """Seeded loader; training loaders shard and order by :class:`EpochSampler` (resumable, DDP-ready).

    A training loader drops a last batch of one sample (BatchNorm cannot train on it).
    """
    if not shuffle:
        return DataLoader(dataset, batch_size=batch_size, num_workers=num_workers, pin_memory=pin)
    process = distributed.current()
    sampler = EpochSampler(len(dataset), seed=seed, rank=process.rank, world=process.world)
    return DataLoader(
        dataset, batch_size=batch_size, sampler=sampler, num_workers=num_workers, pin_memory=pin,
        drop_last=sampler.per_rank % batch_size == 1, prefetch_factor=4 if num_workers else None,
    )  # fmt: skip


def _class_weights(targets: np.ndarray, kind: str) -> torch.Tensor | None:
    if kind == "balanced":
        return balanced_class_weights(torch.from_numpy(targets.argmax(1)), targets.shape[1])
    return None


def place_decision(head: nn.Module, train: tuple[Tensor, Tensor], training: TrainingSettings, result: FitResult) -> None:
    """Apply ``training.calibration_temperature``, then ``training.decision``, to a fitted head on frozen
    features, in place; ``result.best_state`` follows."""
    if training.calibration_temperature != 1.0:
        scale_logits(head, training.calibration_temperature)
    if training.decision == "prior":
        shift = correct_prior(head, *train, share=training.positive_share)
        log.info("prior-corrected decision: positive logit shift %.3f", shift)
    result.best_state = copy.deepcopy(head.state_dict())


def fit_head(
    head: nn.Module,
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor],
    training: TrainingSettings,
    *,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Fit a linear head on frozen features ``(N, F)`` / targets ``(N, 3)`` by ``head_solver`` lbfgs or centroid
    (on ``train`` and ``val`` together with ``training.fit_validation``).

    Then places its binary decision (``training.decision``); ``head`` holds the result.
    """
    solvers = {"lbfgs": fit_linear_head, "centroid": fit_centroid_head}
    if training.head_solver not in solvers:
        raise ValueError(f"fit_head solves lbfgs or centroid heads, not {training.head_solver!r}")
    if training.fits_validation_rows:  # the split only monitors these solvers: fit on every row
        train = (torch.cat([train[0], val[0]]), torch.cat([train[1], val[1]]))
        log.info("head fitted on the training and validation rows (%d); validation figures are in-sample", len(train[0]))
    result = solvers[training.head_solver](head, train, val, training, on_epoch=on_epoch)
    head.load_state_dict(result.best_state)
    place_decision(head, train, training, result)
    return result


def distill_student(
    train: ImageSet,
    val: ImageSet,
    settings: DistillationSettings,
    device: torch.device,
    *,
    cache: FeatureCache | None = None,
    checkpoints: CheckpointStore | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> DistillationResult:
    """Train a student on images whose targets are teacher probabilities ``(N, 3)``.

    ``checkpoints``: where minibatch training saves its full state (and resumes from, with
    ``runtime.resume``). Raises ``ValueError`` when either set is empty.
    """
    if len(train) == 0 or len(val) == 0:
        raise ValueError(f"need training and validation images, got {len(train)} and {len(val)}")
    spec, training, seed = settings.student, settings.training, settings.seed
    if settings.cpu_threads:
        torch.set_num_threads(settings.cpu_threads)
    torch.manual_seed(seed)
    student = build_student(spec)
    set_backbone_trainable(student, spec.train_backbone)
    weights = _class_weights(train.targets, training.class_weighting)
    batch, workers, pin = training.batch_size, settings.num_workers, device.type == "cuda"
    prepare = None
    if spec.train_backbone:
        augmented = ImageFiles(train, augment_transform(spec), seed=seed)
        train_loader = _loader(augmented, batch, shuffle=True, seed=seed, num_workers=workers, pin=pin)
        val_loader = _loader(ImageFiles(val, frame_transform(spec)), batch, shuffle=False, seed=seed,
                             num_workers=workers, pin=pin)  # fmt: skip
        model, prepare = student, batch_normalize(spec).to(device)
        probe = torch.zeros(1, 3, spec.image_size, spec.image_size, device=device)  # one item (MFU)
    else:
        features = [
            student_features(student, images, device, cache=cache, batch_size=settings.feature_batch_size,
                             num_workers=workers)  # fmt: skip
            for images in (train, val)
        ]
        # torch.tensor copies: the targets may be a read-only view of a pandas frame
        train_set = TensorDataset(features[0], torch.tensor(train.targets))
        val_set = TensorDataset(features[1], torch.tensor(val.targets))
        train_loader = _loader(train_set, batch, shuffle=True, seed=seed)
        val_loader = _loader(val_set, batch, shuffle=False, seed=seed)
        model = student.head
        probe = torch.zeros(1, student.num_features)  # the head stays on CPU until fit moves it
    if training.head_solver != "minibatch":
        result = fit_head(model, train_set.tensors, val_set.tensors, training, on_epoch=on_epoch)
    else:  # only minibatch training reports MFU, so only it counts the FLOPs
        flops = training_flops(forward_flops(model.to(probe.device), probe))
        result = fit(
            model, train_loader, val_loader, training, device, class_weights=weights, on_epoch=on_epoch,
            runtime=settings.runtime, checkpoints=checkpoints, prepare=prepare, flops_per_item=flops,
        )  # fmt: skip
        model.load_state_dict(result.best_state)
        if not spec.train_backbone and not spec.head_hidden:  # the decision options place a linear head's call
            place_decision(model.cpu(), train_set.tensors, training, result)
    student.to("cpu", memory_format=torch.contiguous_format).eval()
    if training.head_solver == "minibatch":  # lbfgs and centroid heads log their own fit and keep the final one
        log.info("best epoch %d of %d (validation macro-F1 against teacher labels)", result.best_epoch,
                 len(result.history))  # fmt: skip
    stored = StoredStudent(spec, student.state_dict(), result.best_epoch)
    checkpoint = stored.to_state() | {
        "epochs_run": len(result.history),
        "history": result.history,
        "optimizer_state": result.optimizer_state,
    }
    return DistillationResult(student=stored, fit=result, checkpoint=checkpoint)
