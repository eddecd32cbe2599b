"""Running a stored student: the cached-feature path agrees with the full forward pass."""

import numpy as np
import torch
from PIL import Image

from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.inference import starting_features, student_probabilities
from crowd_sentiment.core.students import Student, StudentSpec

SPEC = StudentSpec(arch="test_efficientnet", image_size=32, crop_pct=1.0, head_hidden=0)
CPU = torch.device("cpu")


def _stored(trained_module):
    torch.manual_seed(0)
    student = Student(SPEC).eval()
    return {
        "spec": SPEC.to_dict(),
        "state_dict": student.state_dict(),
        "trained_module": trained_module,
        "backbone_weights": "w",
    }


def _images(tmp_path, n=5):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(paths[-1])
    return [f"id{i}" for i in range(n)], paths


def test_frozen_head_path_matches_the_full_forward_and_fills_the_cache(tmp_path):
    ids, paths = _images(tmp_path)
    cache = FeatureCache(tmp_path / "cache")
    via_cache = student_probabilities(_stored("head"), ids, paths, CPU, cache=cache)
    full = student_probabilities(_stored("student"), ids, paths, CPU, cache=cache)
    assert via_cache.shape == (5, 3)
    np.testing.assert_allclose(via_cache, full, atol=1e-5)
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 5


def test_starting_features_share_one_tensor_when_the_backbone_is_frozen(tmp_path):
    ids, paths = _images(tmp_path, 3)
    frozen = starting_features(_stored("head"), ids, paths, CPU, cache=None)
    assert frozen["distilled"] is frozen["imagenet"] and frozen["distilled"].shape[0] == 3
    stored = _stored("student") | {"backbone_weights": "none"}  # fine-tuned: the start is another backbone
    tuned = starting_features(stored, ids, paths, CPU, cache=None)
    assert not torch.allclose(tuned["distilled"], tuned["imagenet"])
