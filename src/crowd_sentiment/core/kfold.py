"""The paper's k-fold fine-tuning protocol on frozen backbone features ``(N, F)``.

Per fold (``StratifiedKFold(folds, shuffle=True, random_state=seed)``) the head trains for
exactly ``epochs`` passes at a constant learning rate on the other folds, from the
distilled head or from a seeded random head, and is scored once on its test fold; there
is no model selection. Binary gold labels train head classes negative/positive. Fold
``k`` seeds torch with ``seed + k``; the caller's random stream is left untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch
from pydantic import Field
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.losses import make_loss
from crowd_sentiment.core.metrics import classification_scores
from crowd_sentiment.core.polar import (
    BINARY_CLASSES,
    BINARY_TO_SENTIMENT,
    binary_prediction,
    polar_roc_auc,
    polar_score,
)
from crowd_sentiment.core.students import StudentSpec, build_head
from crowd_sentiment.core.training import OptimiserSettings, make_optimizer, predict_proba, train_one_epoch

log = logging.getLogger(__name__)
CPU = torch.device("cpu")

FOLD_COLUMNS = ["fold", "n_train", "n_test", "accuracy", "macro_f1", "roc_auc"]
SUMMARY_METRICS = ("accuracy", "macro_f1", "roc_auc")


class KFoldSettings(OptimiserSettings):
    """The protocol's settings (paper: 5 folds, 12 epochs, batch 32; the head learns on frozen features)."""

    enabled: bool = True
    folds: int = Field(5, ge=2)
    epochs: int = Field(12, ge=0)
    batch_size: int = Field(32, ge=1)
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    seed: int = 0


def stratified_folds(
    labels: np.ndarray, folds: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train_index, test_index)`` per fold of ``StratifiedKFold(folds, shuffle=True, random_state=seed)``."""
    labels = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((len(labels), 1)), labels))


def _check_inputs(features: np.ndarray, labels: np.ndarray, n_classes: int) -> None:
    if n_classes not in (2, 3):
        raise ValueError(f"n_classes must be 2 (negative/positive) or 3, got {n_classes}")
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


def _score(gold: np.ndarray, probs: np.ndarray, n_classes: int) -> dict[str, float]:
    """Accuracy, macro-F1 and ROC-AUC of head probabilities ``(N, 3)`` against gold labels."""
    if n_classes == 2:
        scores = classification_scores(gold, binary_prediction(probs), BINARY_CLASSES)
        auc = polar_roc_auc(gold, polar_score(probs), n_classes)
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
    settings: KFoldSettings,
    n_classes: int,
    device: torch.device = CPU,
) -> pd.DataFrame:
    """Stratified k-fold fine-tuning of the head on features ``(N, F)`` (module docstring).

    ``labels`` ``(N,)``: binary 0/1 (``n_classes = 2``) or 0/1/2. ``head_state``: the
    distilled head's tensors, or ``None`` for a seeded random head (the ImageNet start).
    Returns one row per fold with :data:`FOLD_COLUMNS` (``fold`` 1-based, scores as fractions).
    Raises ``ValueError`` on malformed inputs or a class with fewer members than folds.
    """
    features = np.asarray(features, dtype=np.float32)
    labels = np.asarray(labels)
    _check_inputs(features, labels, n_classes)
    head_targets = BINARY_TO_SENTIMENT[labels] if n_classes == 2 else labels
    # torch.tensor copies (small arrays): either may be a read-only view (a pandas column, a cache)
    x = torch.tensor(features)
    y = torch.nn.functional.one_hot(torch.tensor(head_targets).long(), len(SENTIMENTS)).float()
    rows = []
    cuda = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    folds, seed = settings.folds, settings.seed
    for fold, (train_index, test_index) in enumerate(stratified_folds(labels, folds, seed), start=1):
        fold_seed = seed + fold
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(fold_seed)
            head = build_head(features.shape[1], spec)
            if head_state is not None:
                head.load_state_dict(head_state, strict=True)
            head.to(device)
            train_loader = DataLoader(
                TensorDataset(x[train_index], y[train_index]),
                batch_size=settings.batch_size,
                shuffle=True,
                generator=torch.Generator().manual_seed(fold_seed),
            )
            train_loss = _train_fixed_epochs(head, train_loader, settings, device)
            test_loader = DataLoader(TensorDataset(x[test_index], y[test_index]), batch_size=settings.batch_size)
            probs, _ = predict_proba(head, test_loader, device)
        scores = _score(labels[test_index], probs, n_classes)
        rows.append({"fold": fold, "n_train": len(train_index), "n_test": len(test_index), **scores})
        log.info("fold %d/%d (%s start): train_loss %.4f accuracy %.3f macro-F1 %.3f AUC %.3f (n_test=%d)",
                 fold, folds, "distilled" if head_state is not None else "random", train_loss,
                 scores["accuracy"], scores["macro_f1"], scores["roc_auc"], len(test_index))  # fmt: skip
    return pd.DataFrame(rows, columns=FOLD_COLUMNS)


def _train_fixed_epochs(head: nn.Module, loader: DataLoader, settings: KFoldSettings, device: torch.device) -> float:
    """``settings.epochs`` passes of hard-label cross-entropy at a constant rate; the last epoch's loss (NaN if none)."""
    if settings.epochs == 0:
        return float("nan")
    optimizer = make_optimizer(head.parameters(), settings)
    loss_fn = make_loss("hard", label_smoothing=settings.label_smoothing, temperature=1.0)
    loss = float("nan")
    for _ in range(settings.epochs):
        loss = train_one_epoch(head, loader, optimizer, loss_fn, device)["train_loss"]
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
