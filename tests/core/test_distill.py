"""End-to-end tests of student distillation on a few tiny generated images."""

import numpy as np
import pytest
import torch
from PIL import Image

from crowd_sentiment.core.distill import DistillationSettings, distill_student
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.students import StudentSpec, build_student
from crowd_sentiment.core.training import TrainingSettings

SPEC = StudentSpec(arch="test_efficientnet", weights="none", image_size=32, head_hidden=8)
CPU = torch.device("cpu")
CHECKPOINT_KEYS = {"spec", "state_dict", "best_epoch", "epochs_run", "history", "optimizer_state"}


def _images(tmp_path, n, offset):
    """Dark pictures are 'negative', bright ones 'positive'; a little noise each."""
    rng = np.random.default_rng(offset)
    paths, targets = [], []
    for i in range(n):
        bright = i % 2 == 1
        base = 200 if bright else 40
        pixels = np.clip(base + rng.normal(0, 10, (40, 40, 3)), 0, 255).astype(np.uint8)
        path = tmp_path / f"img_{offset + i}.png"
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
        targets.append([0.05, 0.1, 0.85] if bright else [0.85, 0.1, 0.05])
    return ImageSet.of([f"id{offset + i}" for i in range(n)], paths, np.array(targets, dtype=np.float32))


def _learnt(history):
    """The history without its timing figures (images/s, MFU)."""
    return [{k: v for k, v in row.items() if k not in {"images_per_second", "mfu"}} for row in history]


def _settings(train_backbone, **training):
    training = {"head_solver": "minibatch", "epochs": 2, "batch_size": 4, "lr": 0.01, "optimizer": "adamw"} | training
    return DistillationSettings(
        student=SPEC.model_copy(update={"train_backbone": train_backbone}), training=TrainingSettings(**training)
    )


@pytest.mark.parametrize("train_backbone", [False, True])
def test_distill_runs_and_returns_a_complete_checkpoint(tmp_path, train_backbone):
    train, val = _images(tmp_path, 8, 0), _images(tmp_path, 4, 100)
    epochs = []
    settings = _settings(train_backbone)
    result = distill_student(train, val, settings, CPU, on_epoch=epochs.append)
    checkpoint = result.checkpoint
    assert set(checkpoint) == CHECKPOINT_KEYS
    assert checkpoint["epochs_run"] == len(checkpoint["history"]) == len(epochs) == 2
    assert checkpoint["best_epoch"] == result.student.best_epoch == result.fit.best_epoch in (1, 2)
    assert StudentSpec.model_validate(checkpoint["spec"]) == settings.student == result.student.spec
    assert result.student.frozen_backbone is not train_backbone
    images = torch.randn(2, 3, 32, 32)
    student = result.student.build()
    with torch.no_grad():
        assert torch.allclose(student(images), student(images), atol=1e-5)  # eval mode: no dropout
    torch.manual_seed(42)  # the settings' seed: the same initial student
    initial = build_student(settings.student).backbone.state_dict()
    unchanged = all(torch.equal(v, student.backbone.state_dict()[k]) for k, v in initial.items())
    assert unchanged is not train_backbone


def test_distill_is_deterministic_and_supports_balanced_weights(tmp_path):
    train, val = _images(tmp_path, 8, 0), _images(tmp_path, 4, 100)
    settings = _settings(False, class_weighting="balanced")
    first = distill_student(train, val, settings, CPU)
    second = distill_student(train, val, settings, CPU)
    assert _learnt(first.checkpoint["history"]) == _learnt(second.checkpoint["history"])
    with pytest.raises(ValueError, match="class_weighting"):
        _settings(False, class_weighting="inverse")


def test_empty_split_raises(tmp_path):
    images = _images(tmp_path, 2, 0)
    empty = ImageSet.of([], [], np.zeros((0, 3)))
    with pytest.raises(ValueError, match="got 2 and 0"):
        distill_student(images, empty, _settings(False), CPU)
    with pytest.raises(ValueError, match="got 0 and 2"):
        distill_student(empty, images, _settings(False), CPU)


def test_lbfgs_linear_head_on_frozen_features(tmp_path):
    train, val = _images(tmp_path, 8, 0), _images(tmp_path, 4, 100)
    linear = SPEC.model_copy(update={"head_hidden": 0})
    settings = DistillationSettings(student=linear, training=TrainingSettings(epochs=2, l2=0.1))
    result = distill_student(train, val, settings, CPU)
    history = result.fit.history  # one row per block of 5 L-BFGS iterations, at most 2 x 25 iterations
    assert 1 <= len(history) <= 10 and "val_polar_auc" in history[0] and history[-1]["iterations"] <= 50
    with pytest.raises(ValueError, match="train_backbone"):
        DistillationSettings(student=linear.model_copy(update={"train_backbone": True}), training=settings.training)
