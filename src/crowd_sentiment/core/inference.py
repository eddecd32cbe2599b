"""Running a trained student on image files, reusing cached features when its backbone is frozen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from crowd_sentiment.core.data import ImageFiles, eval_transform
from crowd_sentiment.core.feature_cache import FeatureCache, cached_features
from crowd_sentiment.core.students import Student, StudentSpec, build_student
from crowd_sentiment.core.training import predict_proba


def load_student(student_model: dict) -> Student:
    """Rebuild a student from its stored ``{spec, state_dict, ...}`` (eval mode, CPU)."""
    student = Student(StudentSpec.from_dict(student_model["spec"]))
    student.load_state_dict(student_model["state_dict"])
    return student.eval()


def has_frozen_backbone(student_model: dict) -> bool:
    """True when only the head was trained: the backbone still holds ``backbone_weights``."""
    return student_model.get("trained_module") == "head" and "backbone_weights" in student_model


def _backbone_features(
    student: Student,
    student_model: dict,
    image_ids: Sequence[str],
    paths: Sequence[str | Path],
    device: torch.device,
    cache: FeatureCache | None,
    batch_size: int,
) -> torch.Tensor:
    usable = cache if has_frozen_backbone(student_model) else None
    weights = student_model.get("backbone_weights", "none") if usable else "none"
    return cached_features(
        student.backbone, student.spec, weights, image_ids, paths, device, cache=usable, batch_size=batch_size
    )


def starting_features(
    student_model: dict,
    image_ids: Sequence[str],
    paths: Sequence[str | Path],
    device: torch.device,
    *,
    cache: FeatureCache | None,
    batch_size: int = 64,
) -> dict[str, torch.Tensor]:
    """Features ``(N, F)`` for the two k-fold starts: ``distilled`` (the student's backbone)
    and ``imagenet`` (its pretrained backbone, no distillation). With a frozen backbone
    they are the same tensor, computed or read once."""
    distilled = _backbone_features(
        load_student(student_model), student_model, image_ids, paths, device, cache, batch_size
    )
    if has_frozen_backbone(student_model):
        return {"distilled": distilled, "imagenet": distilled}
    spec = StudentSpec.from_dict(student_model["spec"])
    weights = student_model.get("backbone_weights", "none")
    backbone = build_student(spec, weights=weights).backbone
    imagenet = cached_features(
        backbone, spec, weights, image_ids, paths, device, cache=cache, batch_size=batch_size
    )
    return {"distilled": distilled, "imagenet": imagenet}


def student_probabilities(
    student_model: dict,
    image_ids: Sequence[str],
    paths: Sequence[str | Path],
    device: torch.device,
    *,
    cache: FeatureCache | None,
    batch_size: int = 64,
) -> np.ndarray:
    """Softmax probabilities ``(N, 3)`` (negative, neutral, positive) of the student on image files."""
    student = load_student(student_model).to(device)
    if has_frozen_backbone(student_model):
        features = _backbone_features(student, student_model, image_ids, paths, device, cache, batch_size)
        with torch.inference_mode():
            return torch.softmax(student.head(features.to(device)), dim=1).cpu().numpy()
    files = ImageFiles(list(paths), None, eval_transform(student.spec))
    probs, _ = predict_proba(student, DataLoader(files, batch_size=batch_size), device)
    return probs
