"""Running a stored student on images, reusing cached features while its backbone is frozen."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader

from crowd_sentiment.core.feature_cache import FeatureCache, cached_features, student_features
from crowd_sentiment.core.image_sets import ImageFiles, ImageSet
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import build_student
from crowd_sentiment.core.training import predict_proba
from crowd_sentiment.core.transforms import batch_normalize, frame_transform


def starting_features(
    stored: StoredStudent, images: ImageSet, device: torch.device, *, cache: FeatureCache | None, batch_size: int = 64
) -> dict[str, torch.Tensor]:
    """Backbone features ``(N, F)`` of the two k-fold starts.

    ``distilled``: the student's backbone; ``imagenet``: its pretrained backbone before
    distillation. With a frozen backbone both are one tensor, computed or read once.
    """
    if stored.frozen_backbone:
        distilled = student_features(stored.build(), images, device, cache=cache, batch_size=batch_size)
        return {"distilled": distilled, "imagenet": distilled}
    trained = stored.build().backbone
    distilled = cached_features(trained, stored.spec, images, device, cache=None, batch_size=batch_size)
    pretrained = build_student(stored.spec).backbone
    imagenet = cached_features(pretrained, stored.spec, images, device, cache=cache, batch_size=batch_size)
    return {"distilled": distilled, "imagenet": imagenet}


def student_probabilities(
    stored: StoredStudent, images: ImageSet, device: torch.device, *, cache: FeatureCache | None, batch_size: int = 64
) -> np.ndarray:
    """Softmax probabilities ``(N, 3)`` (negative, neutral, positive) of the student on ``images``.

    A frozen backbone's features, of every backbone and view of its spec, come through ``cache`` (``None``: computed).
    """
    student = stored.build().to(device)
    if stored.frozen_backbone:
        features = student_features(student, images, device, cache=cache, batch_size=batch_size)
        with torch.inference_mode():
            return torch.softmax(student.head(features.to(device)), dim=1).cpu().numpy()
    loader = DataLoader(ImageFiles(images, frame_transform(stored.spec)), batch_size=batch_size)
    probs, _ = predict_proba(student, loader, device, prepare=batch_normalize(stored.spec).to(device))
    return probs
