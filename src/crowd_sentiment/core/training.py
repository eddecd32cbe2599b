"""Training loop: ``train_one_epoch`` / ``evaluate`` / ``fit``, plus feature extraction.

Works for a whole student on image batches and for a head alone on cached feature
batches: both are modules mapping a batch ``(B, ...)`` to logits ``(B, 3)``; targets are
teacher probabilities ``(B, 3)``. Validation scores are against the teacher's argmax —
no human label is involved in training or model selection.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.labels import NEGATIVE, NEUTRAL, POSITIVE, SENTIMENTS
from crowd_sentiment.core.losses import distillation_loss
from crowd_sentiment.core.metrics import binary_roc_auc, classification_scores

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (paper: RAdam, lr 1e-4, label smoothing 0.2)."""

    epochs: int = 20
    batch_size: int = 64
    optimizer: str = "radam"
    lr: float = 1e-3
    weight_decay: float = 1e-4
    loss: str = "hard"
    label_smoothing: float = 0.2
    temperature: float = 1.0
    patience: int = 0  # epochs without validation improvement before stopping; 0 = never stop early
    l2: float = 0.0  # coupled L2 penalty on the head's weights (the L-BFGS linear head)


@dataclass
class FitResult:
    """Best weights (by validation macro-F1 against teacher labels) and per-epoch history."""

    best_state: dict[str, Tensor]
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)
    optimizer_state: dict = field(default_factory=dict)  # after the last epoch run


def resolve_device(name: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; anything else is passed to ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def make_optimizer(parameters: Iterable[nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    """RAdam, AdamW or SGD (momentum 0.9) over the trainable parameters."""
    params = [p for p in parameters if p.requires_grad]
    if not params:
        raise ValueError("no trainable parameters")
    if config.optimizer == "radam":
        return torch.optim.RAdam(
            params, lr=config.lr, weight_decay=config.weight_decay, decoupled_weight_decay=True
        )
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, weight_decay=config.weight_decay)
    raise ValueError(f"unknown optimizer {config.optimizer!r}; expected radam, adamw or sgd")


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    config: TrainConfig,
    device: torch.device,
    class_weights: Tensor | None = None,
) -> dict[str, float]:
    """One pass over ``loader``; returns the sample-weighted mean ``train_loss``.

    Raises ``FloatingPointError`` on a non-finite loss (the run stops instead of
    training on NaNs).
    """
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        terms = distillation_loss(
            config.loss,
            model(inputs),
            targets,
            label_smoothing=config.label_smoothing,
            temperature=config.temperature,
            class_weights=class_weights,
        )
        loss = terms["loss"]
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()} after {count} samples")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(inputs)
        count += len(inputs)
    return {"train_loss": total / max(count, 1)}


@torch.inference_mode()
def predict_proba(
    model: nn.Module, loader: DataLoader, device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities ``(N, C)`` and the loader's targets ``(N, K)``, in loader order."""
    model.eval()
    probs, targets = [], []
    for inputs, target in loader:
        probs.append(torch.softmax(model(inputs.to(device)).float(), dim=1).cpu())
        targets.append(target)
    return torch.cat(probs).numpy(), torch.cat(targets).numpy()


def evaluate(
    model: nn.Module, loader: DataLoader, config: TrainConfig, device: torch.device
) -> dict[str, float]:
    """``val_loss`` (same loss as training) and accuracy / macro-F1 against the teacher's argmax."""
    probs, teacher = predict_proba(model, loader, device)
    logits = torch.from_numpy(np.log(np.clip(probs, 1e-12, None)))
    terms = distillation_loss(
        config.loss,
        logits,
        torch.from_numpy(teacher),
        label_smoothing=config.label_smoothing,
        temperature=config.temperature,
    )
    scores = classification_scores(teacher.argmax(1), probs.argmax(1), SENTIMENTS)
    return {
        "val_loss": float(terms["loss"]),
        "val_accuracy": scores["accuracy"],
        "val_macro_f1": scores["macro_f1"],
        "val_polar_auc": polar_auc(teacher, probs),
    }


def polar_auc(teacher: np.ndarray, probs: np.ndarray) -> float:
    """ROC-AUC of ``p_positive - p_negative`` for the teacher's positive vs negative items.

    The benchmark's binary protocol, measured against teacher labels: it compares
    settings that change the training set (thresholds, balancing) on the same footing.
    NaN when the teacher labels no item of one of the two poles.
    """
    labels = teacher.argmax(1)
    polar = labels != NEUTRAL
    return binary_roc_auc(labels[polar] == POSITIVE, (probs[:, POSITIVE] - probs[:, NEGATIVE])[polar])


def fit_linear_head(
    head: nn.Module,
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor],
    config: TrainConfig,
    *,
    iterations_per_epoch: int = 25,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Fit a linear head on fixed features to the optimum of an L2-penalised loss (full-batch L-BFGS).

    Minimises ``mean_i loss(W x_i + b, p_i) + l2 · ||W||²`` over the whole training set
    (``loss`` is ``config.loss``: hard labels with label smoothing, or soft targets). The
    problem is convex: strong L2 shrinkage is the regulariser, chosen on the
    teacher-labelled validation split, and the final weights are kept. Each of
    ``config.epochs`` rounds runs up to ``iterations_per_epoch`` L-BFGS iterations and
    records the training/validation metrics, so the run still has a learning curve.
    ``head`` must end in its only ``nn.Linear`` (dropout layers before it are inactive here).
    """
    linear = head[-1] if isinstance(head, nn.Sequential) else head
    layers = [m for m in head.modules() if isinstance(m, nn.Linear)]
    if not isinstance(linear, nn.Linear) or layers != [linear]:
        raise ValueError("fit_linear_head needs a head whose only weight layer is its final nn.Linear")
    features, targets = train
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.LBFGS(
        linear.parameters(), lr=1, max_iter=iterations_per_epoch, line_search_fn="strong_wolfe"
    )
    val_loader = DataLoader(TensorDataset(*val), batch_size=4096)
    head.eval()

    def closure() -> Tensor:
        optimizer.zero_grad()
        terms = distillation_loss(
            config.loss, head(features), targets,
            label_smoothing=config.label_smoothing, temperature=config.temperature,
        )  # fmt: skip
        loss = terms["loss"] + config.l2 * linear.weight.pow(2).sum()
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()}")
        loss.backward()
        return loss

    history = []
    for epoch in range(1, config.epochs + 1):
        optimizer.step(closure)
        metrics = {"epoch": float(epoch), "train_loss": float(closure().detach())}
        metrics |= evaluate(head, val_loader, config, torch.device("cpu"))
        history.append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
    last = history[-1]
    log.info("linear head (L-BFGS, l2=%g, %d rounds): train_loss=%.4f val_polar_auc=%.3f val_macro_f1=%.3f",
             config.l2, config.epochs, last["train_loss"], last["val_polar_auc"], last["val_macro_f1"])  # fmt: skip
    return FitResult(copy.deepcopy(head.state_dict()), config.epochs, history, optimizer.state_dict())


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader,
    config: TrainConfig,
    device: torch.device,
    *,
    class_weights: Tensor | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Train for ``config.epochs`` with a cosine learning-rate decay; keep the best epoch.

    The best epoch maximises validation macro-F1 against teacher labels (ties: lowest
    validation loss). ``on_epoch`` receives each epoch's metrics (e.g. for logging).
    """
    model.to(device)
    if class_weights is not None:
        class_weights = class_weights.to(device)
    optimizer = make_optimizer(model.parameters(), config)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(config.epochs, 1))
    best_key, best_epoch, best_state = (-math.inf, -math.inf), 0, copy.deepcopy(model.state_dict())
    history: list[dict[str, float]] = []
    for epoch in range(1, config.epochs + 1):
        metrics = {"epoch": float(epoch), "lr": optimizer.param_groups[0]["lr"]}
        metrics |= train_one_epoch(model, train_loader, optimizer, config, device, class_weights)
        metrics |= evaluate(model, val_loader, config, device)
        scheduler.step()
        history.append(metrics)
        key = (metrics["val_macro_f1"], -metrics["val_loss"])
        if key > best_key:
            best_key, best_epoch, best_state = key, epoch, copy.deepcopy(model.state_dict())
        log.info(
            "epoch %d/%d train_loss=%.4f val_loss=%.4f val_acc=%.3f val_macro_f1=%.3f",
            epoch, config.epochs, metrics["train_loss"], metrics["val_loss"],
            metrics["val_accuracy"], metrics["val_macro_f1"],
        )  # fmt: skip
        if on_epoch is not None:
            on_epoch(metrics)
        if config.patience and epoch - best_epoch >= config.patience:
            log.info("stopping early: no validation improvement for %d epochs", config.patience)
            break
    return FitResult(best_state, best_epoch, history, optimizer.state_dict())


@torch.inference_mode()
def extract_features(backbone: nn.Module, loader: DataLoader, device: torch.device) -> tuple[Tensor, Tensor]:
    """Pooled backbone features ``(N, F)`` and targets ``(N, K)`` for every batch of ``loader``."""
    backbone.eval().to(device)
    features, targets = [], []
    done, total = 0, len(loader.dataset)
    for inputs, target in loader:
        features.append(backbone(inputs.to(device)).float().cpu())
        targets.append(target)
        done += len(inputs)
        log.info("features: %d/%d images", done, total)
    return torch.cat(features), torch.cat(targets)
