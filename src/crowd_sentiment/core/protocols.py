"""The paper's k-fold fine-tuning protocol, on cached (frozen) backbone features.

Small benchmarks are also scored by 5-fold stratified cross-validation fine-tuning (paper:
12 epochs, batch 32; accuracy reported as mean ± std over folds). Here the backbone stays
frozen and its pooled features ``(N, F)`` are computed once elsewhere, so only the head
(:func:`~crowd_sentiment.core.students.build_head`) is trained, per fold:

* **distilled start** — the head starts from the distilled student's head (``head_state``);
* **ImageNet start** — the head starts from a seeded random init on the same frozen
  ImageNet backbone, i.e. the same model without distillation (``head_state=None``).

Protocol per fold (:func:`kfold_finetune`):

1. Folds: ``StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)``
   (:func:`stratified_folds`); every sample is in exactly one test fold.
2. The head always has 3 outputs (negative, neutral, positive). Binary gold labels (0
   negative, 1 positive) are trained as head classes 0 and 2; 3-class labels (0/1/2) as is.
3. Training: hard-label cross-entropy with ``config.label_smoothing`` (``config.loss`` is
   ignored: gold labels are one-hot), :func:`~crowd_sentiment.core.training.make_optimizer`
   at a constant ``config.lr`` (no schedule: the paper publishes none), exactly
   ``config.epochs`` passes of :func:`~crowd_sentiment.core.training.train_one_epoch` over
   the training folds, shuffled, ``config.batch_size`` per batch. ``config.patience`` is
   ignored. There is **no model selection**: the head after the last epoch is evaluated
   once on the test fold, which is never seen before that (``epochs = 0`` scores the
   starting head as is).
4. Scoring: binary — :func:`~crowd_sentiment.core.benchmarks.binary_zero_shot` (neutral
   dropped, argmax of negative/positive; ROC-AUC on ``p_pos - p_neg``); macro-F1 over the
   two classes. 3-class — argmax over the three outputs; macro-F1 over three classes;
   ROC-AUC is the one-vs-rest macro average of the softmax probabilities (NaN when a class
   is missing from the test fold).

Reproducibility: fold ``k`` (1-based) seeds torch with ``seed + k`` before building the head
(its dropout and random init) and seeds the shuffling generator with the same value. The
global torch RNG is restored afterwards (``torch.random.fork_rng``), so calling this does
not disturb the caller's random stream.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.benchmarks import binary_zero_shot
from crowd_sentiment.core.labels import NEGATIVE, POSITIVE, SENTIMENTS
from crowd_sentiment.core.metrics import binary_roc_auc, classification_scores
from crowd_sentiment.core.students import StudentSpec, build_head
from crowd_sentiment.core.training import (
    TrainConfig,
    make_optimizer,
    predict_proba,
    resolve_device,
    train_one_epoch,
)

log = logging.getLogger(__name__)

PAPER_FOLDS, PAPER_KFOLD_EPOCHS, PAPER_KFOLD_BATCH_SIZE = 5, 12, 32  # the paper's k-fold settings
FOLD_COLUMNS = ["fold", "n_train", "n_test", "accuracy", "macro_f1", "roc_auc"]
SUMMARY_METRICS = ("accuracy", "macro_f1", "roc_auc")
BINARY_CLASSES = ("negative", "positive")
BINARY_TO_HEAD = np.array([NEGATIVE, POSITIVE])  # gold 0 → head class 0, gold 1 → head class 2


def stratified_folds(
    labels: np.ndarray, folds: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train_index, test_index)`` per fold of ``StratifiedKFold(folds, shuffle=True, random_state=seed)``."""
    labels = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((len(labels), 1)), labels))


def _check_inputs(features: np.ndarray, labels: np.ndarray, n_classes: int, spec: StudentSpec) -> None:
    if n_classes not in (2, 3):
        raise ValueError(f"n_classes must be 2 (negative/positive) or 3, got {n_classes}")
    if spec.num_classes != len(SENTIMENTS):
        raise ValueError(f"the head must have {len(SENTIMENTS)} outputs, spec has {spec.num_classes}")
    if features.ndim != 2:
        raise ValueError(f"features must be (N, F), got shape {features.shape}")
    if labels.ndim != 1 or len(labels) != len(features):
        raise ValueError(f"labels must be (N,) with N = {len(features)}, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    unknown = sorted(set(np.unique(labels).tolist()) - set(range(n_classes)))
    if unknown:
        raise ValueError(
            f"labels {unknown} out of range for n_classes={n_classes} (expected 0..{n_classes - 1})"
        )
    if not np.isfinite(features).all():
        raise ValueError("features contain NaN or infinite values")


def _head_only(state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """The head's tensors of a head state dict, or of a whole student's (``head.*`` keys)."""
    if any(key.startswith("head.") for key in state):
        return {key.removeprefix("head."): value for key, value in state.items() if key.startswith("head.")}
    return dict(state)


def _score(gold: np.ndarray, probs: np.ndarray, n_classes: int) -> dict[str, float]:
    """Accuracy, macro-F1 and ROC-AUC of head probabilities ``(N, 3)`` against gold labels."""
    if n_classes == 2:
        predicted, score = binary_zero_shot(probs)
        scores = classification_scores(gold, predicted, BINARY_CLASSES)
        auc = binary_roc_auc(gold, score)
    else:
        scores = classification_scores(gold, probs.argmax(1), SENTIMENTS)
        if len(np.unique(gold)) < len(SENTIMENTS):
            auc = float("nan")
        else:
            auc = float(roc_auc_score(gold, probs, multi_class="ovr", average="macro", labels=[0, 1, 2]))
    return {"accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"], "roc_auc": auc}


def kfold_finetune(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    head_state: Mapping[str, Tensor] | None,
    spec: StudentSpec,
    config: TrainConfig,
    n_classes: int,
    folds: int = 5,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> pd.DataFrame:
    """Stratified k-fold fine-tuning of the head on cached features (module docstring).

    Args:
        features: pooled backbone features ``(N, F)``.
        labels: gold labels ``(N,)``; binary 0 negative / 1 positive, or 3-class 0/1/2.
        head_state: the distilled head's state dict ("distilled start"; a whole student's
            state dict is accepted, its ``head.*`` keys are used), or ``None`` for a seeded
            random head ("ImageNet start").
        spec: the student's spec (``head_hidden``, ``dropout``; ``num_classes`` must be 3).
        config: ``epochs``, ``batch_size``, optimiser, ``lr``, ``weight_decay``,
            ``label_smoothing`` (paper: 12 epochs, batch 32).
        n_classes: 2 (binary benchmark) or 3.
        folds, seed: the ``StratifiedKFold`` split; ``seed`` also seeds torch per fold.
        device: where the head trains (``"auto"`` allowed); CPU is plenty for a small head.

    Returns:
        One row per fold with :data:`FOLD_COLUMNS` (``fold`` is 1-based; scores are fractions).

    Raises:
        ValueError: malformed inputs, labels out of range, or a class with fewer members than
            ``folds`` (from ``StratifiedKFold``).
    """
    features = np.asarray(features, dtype=np.float32)
    labels = np.asarray(labels)
    _check_inputs(features, labels, n_classes, spec)
    if config.epochs < 0:
        raise ValueError(f"config.epochs must be >= 0, got {config.epochs}")
    state = _head_only(head_state) if head_state is not None else None
    device = resolve_device(device) if isinstance(device, str) else device
    train_config = dataclasses.replace(config, loss="hard")  # one-hot gold: cross-entropy + smoothing
    head_targets = BINARY_TO_HEAD[labels] if n_classes == 2 else labels
    x = torch.from_numpy(features)
    y = torch.nn.functional.one_hot(torch.from_numpy(head_targets).long(), len(SENTIMENTS)).float()
    rows = []
    cuda = (
        [device.index if device.index is not None else torch.cuda.current_device()]
        if device.type == "cuda"
        else []
    )
    for fold, (train_index, test_index) in enumerate(stratified_folds(labels, folds, seed), start=1):
        fold_seed = seed + fold
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(fold_seed)
            head = build_head(features.shape[1], spec)
            if state is not None:
                head.load_state_dict(state, strict=True)
            head.to(device)
            train_loader = DataLoader(
                TensorDataset(x[train_index], y[train_index]),
                batch_size=config.batch_size,
                shuffle=True,
                generator=torch.Generator().manual_seed(fold_seed),
            )
            train_loss = _train_fixed_epochs(head, train_loader, train_config, device)
            test_loader = DataLoader(
                TensorDataset(x[test_index], y[test_index]), batch_size=config.batch_size
            )
            probs, _ = predict_proba(head, test_loader, device)
        scores = _score(labels[test_index], probs, n_classes)
        rows.append({"fold": fold, "n_train": len(train_index), "n_test": len(test_index), **scores})
        log.info("fold %d/%d (%s start): train_loss %.4f accuracy %.3f macro-F1 %.3f AUC %.3f (n_test=%d)",
                 fold, folds, "distilled" if state is not None else "random", train_loss,
                 scores["accuracy"], scores["macro_f1"], scores["roc_auc"], len(test_index))  # fmt: skip
    return pd.DataFrame(rows, columns=FOLD_COLUMNS)


def _train_fixed_epochs(
    head: nn.Module, loader: DataLoader, config: TrainConfig, device: torch.device
) -> float:
    """``config.epochs`` passes at a constant learning rate; returns the last epoch's loss (NaN if none)."""
    if config.epochs == 0:
        return float("nan")
    optimizer = make_optimizer(head.parameters(), config)
    loss = float("nan")
    for _ in range(config.epochs):
        loss = train_one_epoch(head, loader, optimizer, config, device)["train_loss"]
    return loss


def summarise_folds(frame: pd.DataFrame) -> dict[str, float]:
    """Mean and population std (``ddof=0``) over folds of accuracy, macro-F1 and ROC-AUC.

    Keys ``<metric>_mean`` and ``<metric>_std`` for each of :data:`SUMMARY_METRICS`, plus
    ``folds`` (the number of rows). A NaN in any fold makes that metric's mean and std NaN
    (no silent averaging over a subset of folds). An empty frame gives NaNs.
    """
    summary: dict[str, float] = {"folds": len(frame)}
    for metric in SUMMARY_METRICS:
        values = frame[metric].to_numpy(dtype=float) if len(frame) else np.array([np.nan])
        summary[f"{metric}_mean"] = float(np.mean(values))
        summary[f"{metric}_std"] = float(np.std(values, ddof=0))
    return summary
