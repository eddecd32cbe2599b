"""End-to-end tests of student distillation on a few tiny generated images."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from crowd_sentiment.core.distill import DistillationSetup, distill_student
from crowd_sentiment.core.students import Student, StudentSpec, build_student
from crowd_sentiment.core.training import TrainConfig

SPEC = StudentSpec(arch="test_efficientnet", image_size=32, head_hidden=8)
CPU = torch.device("cpu")
CHECKPOINT_KEYS = {
    "spec",
    "state_dict",
    "trained_module",
    "backbone_weights",
    "best_epoch",
    "epochs_run",
    "history",
    "optimizer_state",
}


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
    return paths, np.array(targets, dtype=np.float32)


def _setup(train_backbone, **kwargs):
    train = TrainConfig(epochs=2, batch_size=4, lr=0.01, optimizer="adamw")
    return DistillationSetup(spec=SPEC, weights="none", train_backbone=train_backbone, train=train, **kwargs)


@pytest.mark.parametrize("train_backbone", [False, True])
def test_distill_runs_and_returns_a_complete_checkpoint(tmp_path, train_backbone):
    train_paths, train_targets = _images(tmp_path, 8, 0)
    val_paths, val_targets = _images(tmp_path, 4, 100)
    epochs = []
    result = distill_student(
        train_paths,
        train_targets,
        val_paths,
        val_targets,
        _setup(train_backbone),
        CPU,
        on_epoch=epochs.append,
    )
    checkpoint = result.checkpoint
    assert set(checkpoint) == CHECKPOINT_KEYS
    assert checkpoint["trained_module"] == ("student" if train_backbone else "head")
    assert checkpoint["epochs_run"] == len(checkpoint["history"]) == len(epochs) == 2
    assert checkpoint["best_epoch"] == result.fit.best_epoch in (1, 2)
    assert StudentSpec.from_dict(checkpoint["spec"]) == SPEC
    rebuilt = Student(SPEC)
    rebuilt.load_state_dict(checkpoint["state_dict"])
    assert not result.student.training
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(rebuilt.eval()(images), result.student(images), atol=1e-5)
    torch.manual_seed(42)  # the setup's seed: the same initial student
    initial = build_student(SPEC).backbone.state_dict()
    unchanged = all(torch.equal(v, result.student.backbone.state_dict()[k]) for k, v in initial.items())
    assert unchanged is not train_backbone
    assert all(p.requires_grad is train_backbone for p in result.student.backbone.parameters())


def test_distill_is_deterministic_and_supports_balanced_weights(tmp_path):
    train_paths, train_targets = _images(tmp_path, 8, 0)
    val_paths, val_targets = _images(tmp_path, 4, 100)
    setup = _setup(False, class_weighting="balanced")
    first = distill_student(train_paths, train_targets, val_paths, val_targets, setup, CPU)
    second = distill_student(train_paths, train_targets, val_paths, val_targets, setup, CPU)
    assert first.checkpoint["history"] == second.checkpoint["history"]
    with pytest.raises(ValueError, match="unknown class_weighting 'inverse'"):
        distill_student(
            train_paths, train_targets, val_paths, val_targets, _setup(False, class_weighting="inverse"), CPU
        )


def test_empty_split_raises(tmp_path):
    paths, targets = _images(tmp_path, 2, 0)
    with pytest.raises(ValueError, match="got 2 and 0"):
        distill_student(paths, targets, [], np.zeros((0, 3)), _setup(False), CPU)
    with pytest.raises(ValueError, match="got 0 and 2"):
        distill_student([], np.zeros((0, 3)), paths, targets, _setup(False), CPU)


def test_lbfgs_linear_head_on_frozen_features(tmp_path):
    train_paths, train_targets = _images(tmp_path, 8, 0)
    val_paths, val_targets = _images(tmp_path, 4, 100)
    linear = StudentSpec(arch="test_efficientnet", image_size=32, head_hidden=0)
    setup = DistillationSetup(
        spec=linear,
        weights="none",
        train_backbone=False,
        train=TrainConfig(epochs=2, l2=0.1),
        head_solver="lbfgs",
    )
    result = distill_student(train_paths, train_targets, val_paths, val_targets, setup, CPU)
    assert len(result.fit.history) == 2 and "val_polar_auc" in result.fit.history[0]
    with pytest.raises(ValueError, match="train_backbone"):
        distill_student(
            train_paths, train_targets, val_paths, val_targets, replace(setup, train_backbone=True), CPU
        )
