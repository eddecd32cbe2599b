"""A Hugging Face sequence-classification model as a text teacher (the paper's teacher is
``cardiffnlp/twitter-roberta-base-sentiment-latest``).

Texts are tokenised in batches sorted by length (dynamic padding: each batch is padded to
its own longest text), run under ``torch.inference_mode`` and, on CUDA, bf16 autocast.
Loading never downloads unless ``allow_download`` is set: a hub id missing from the local
cache fails with a message naming the model and how to provide it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.progress import progress_bar
from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.training import resolve_device

log = logging.getLogger(__name__)

_LABEL_N = re.compile(r"^label_(\d+)$")


class HfTeacherSettings(Settings):
    """A ``transformers`` sequence-classification teacher.

    ``model``: a hub id (``cardiffnlp/twitter-roberta-base-sentiment-latest``) or a local
    model directory. ``label_map``: model label (``LABEL_0``, ``pos``, …) → sentiment, for
    models whose ``id2label`` does not name the classes; a two-class model must map both.
    """

    model: str = "cardiffnlp/twitter-roberta-base-sentiment-latest"
    label_map: dict[str, Literal["negative", "neutral", "positive"]] = {}
    batch_size: int = Field(256, ge=1)  # texts per forward pass
    max_length: int = Field(128, ge=8)  # tokens; longer texts are truncated
    device: str = "auto"  # auto = cuda when available, else cpu
    allow_download: bool = False  # True lets transformers fetch a hub id that is not cached
    languages: list[str] | None = ["en"]  # tweet languages (the dump's lang) it covers; None = all
    cpu_int8: bool = False  # on CPU: int8 dynamic quantization of the Linear layers (faster; scores change slightly)


def class_order(id2label: dict[int, str], label_map: dict[str, str]) -> list[int]:
    """Model output index of (negative, neutral, positive), from ``id2label`` and ``label_map``.

    Names are matched case-insensitively (``Negative``, ``NEUTRAL``, ``positive``);
    ``label_map`` renames model labels first (``{LABEL_0: negative, …}``).

    Raises:
        ValueError: a model that does not have exactly the three classes after mapping
            (a two-class model, or ``LABEL_0…`` names without a ``label_map``), naming its labels.
    """
    mapping = {str(k).lower(): v for k, v in label_map.items()}
    by_class: dict[str, int] = {}
    for index, label in sorted(id2label.items()):
        name = mapping.get(str(label).lower(), str(label).lower())
        if name in SENTIMENTS and name not in by_class:
            by_class[name] = int(index)
    labels = [id2label[i] for i in sorted(id2label)]
    if len(by_class) != len(SENTIMENTS) or len(id2label) != len(SENTIMENTS):
        generic = all(_LABEL_N.match(str(label).lower()) for label in labels)
        hint = (
            "map them with teacher_labeling.hf.label_map, e.g. {LABEL_0: negative, LABEL_1: neutral, LABEL_2: positive}"
            if generic
            else "only three-class (negative, neutral, positive) models can label tweets; "
            "map every label with teacher_labeling.hf.label_map"
        )
        raise ValueError(f"model labels {labels} are not negative/neutral/positive: {hint}")
    return [by_class[name] for name in SENTIMENTS]


def weights_digest(folder: Path) -> str:
    """sha256 (first 16 hex digits) over the weight files of a model folder, in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.iterdir() if p.suffix in {".safetensors", ".bin", ".pt"})
    for path in files:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def load_pretrained(model: str, *, allow_download: bool, loader: Callable[..., Any]) -> Any:
    """``loader(model, local_files_only=...)``, with a clear message when the model is not on disk.

    Raises:
        FileNotFoundError: ``model`` is neither a local directory nor in the Hugging Face
            cache (and downloading is off), naming the model and the ways to provide it.
    """
    local_only = not allow_download or os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false")
    try:
        return loader(model, local_files_only=local_only)
    except OSError as err:
        if Path(model).is_dir():
            raise
        raise FileNotFoundError(
            f"text teacher model {model!r} is not available offline: give a local directory "
            "holding it (config.json, weights, tokenizer) as teacher_labeling.hf.model, or put it "
            "in the Hugging Face cache (e.g. `hf download "
            f"{model}` on a connected machine, then copy ~/.cache/huggingface), or allow "
            f"downloading with teacher_labeling.hf.allow_download=true and HF_HUB_OFFLINE=0 ({err})"
        ) from err


def model_folder(settings: HfTeacherSettings) -> Path:
    """The folder holding the model's files: ``settings.model`` itself, or its Hugging Face cache snapshot."""
    if Path(settings.model).is_dir():
        return Path(settings.model)
    from huggingface_hub import snapshot_download

    return Path(
        load_pretrained(
            settings.model,
            allow_download=settings.allow_download,
            loader=lambda model, local_files_only: snapshot_download(
                model, local_files_only=local_files_only
            ),
        )
    )


def hf_identity(settings: HfTeacherSettings) -> dict[str, str]:
    """The model id or folder and its weights' hash (:func:`weights_digest`)."""
    return {"teacher": settings.model, "weights_sha256": weights_digest(model_folder(settings))}


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> Iterator[np.ndarray]:
    """Indices in batches of ``batch_size``, longest texts first, so each batch pads little."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def batched_outputs(
    texts: Sequence[str],
    tokenizer: Any,
    forward: Callable[[dict[str, torch.Tensor], np.ndarray], torch.Tensor],
    *,
    batch_size: int,
    max_length: int,
    device: torch.device,
    progress: bool = False,
) -> np.ndarray:
    """``forward`` over every text, batched and length-sorted, rows back in input order.

    ``forward`` maps a tokenised batch (on ``device``) and its rows' input indices ``(B,)`` to a
    ``(B, K)`` tensor; it runs under
    ``torch.inference_mode`` and, on CUDA, bf16 autocast. Returns float32 ``(N, K)``.
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    encoded = tokenizer(texts, truncation=True, max_length=max_length)  # once; each batch is only padded
    rows: list[np.ndarray | None] = [None] * len(texts)
    batches = list(length_sorted_batches([len(ids) for ids in encoded["input_ids"]], batch_size))
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
    if progress:
        batches = progress_bar(batches, desc="teacher", unit="batch")
    with torch.inference_mode(), autocast:
        for index in batches:
            batch = tokenizer.pad(
                {key: [values[i] for i in index] for key, values in encoded.items()}, return_tensors="pt"
            ).to(device)
            out = forward(dict(batch), index).float().cpu().numpy()
            for row, i in zip(out, index):
                rows[i] = row
    return np.stack(rows).astype(np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of float64 logits ``(N, K)`` (shifted by each row's max; modifies ``logits``)."""
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)


def int8_linear_layers(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` (eval, on CPU) with every ``nn.Linear`` dynamically quantized to int8: weights
    stored as int8, activations quantized per batch. The CPU counterpart of bf16 autocast on CUDA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's eager API asks to migrate to torchao, not installed here
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


class HfTeacher:
    """A ``transformers`` sequence-classification model; probabilities ``(N, 3)`` (softmax)."""

    def __init__(self, settings: HfTeacherSettings, *, progress: bool = False):
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.settings = settings
        self.progress = progress
        self.device = resolve_device(settings.device)
        self.tokenizer = load_pretrained(
            settings.model, allow_download=settings.allow_download, loader=AutoTokenizer.from_pretrained
        )
        self.model = load_pretrained(
            settings.model,
            allow_download=settings.allow_download,
            loader=AutoModelForSequenceClassification.from_pretrained,
        )
        self.order = class_order(self.model.config.id2label, settings.label_map)
        self.model.eval().to(self.device)
        if settings.cpu_int8 and self.device.type == "cpu":
            self.model = int8_linear_layers(self.model)
        self.name = settings.model
        self.languages = settings.languages

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Model logits ``(N, 3)`` in the class order negative, neutral, positive."""
        texts = list(texts)
        order = torch.as_tensor(self.order, device=self.device)
        out = batched_outputs(
            texts,
            self.tokenizer,
            lambda batch, _: self.model(**batch).logits.index_select(1, order),
            batch_size=self.settings.batch_size,
            max_length=self.settings.max_length,
            device=self.device,
            progress=self.progress,
        )
        return out.reshape(len(texts), len(SENTIMENTS))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(texts).astype(np.float64))

    def predict_proba_one_by_one(self, texts: Sequence[str]) -> np.ndarray:
        """The paper's loop: one tweet per forward pass (for the speed benchmark)."""
        rows = []
        with torch.inference_mode():
            for text in texts:
                batch = self.tokenizer(
                    text, truncation=True, max_length=self.settings.max_length, return_tensors="pt"
                )
                rows.append(
                    torch.softmax(self.model(**batch.to(self.device)).logits[0].float(), -1).cpu().numpy()
                )
        return np.stack(rows)[:, self.order]
