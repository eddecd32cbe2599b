"""Typed parameters: one model per top-level key of ``conf/base/parameters_<pipeline>.yml``.

Nodes annotate their ``params:<pipeline>`` input with these models, and Kedro validates
the YAML into them before any node runs: a misspelt key or an out-of-range value fails at
start-up, naming it. Blocks that ``core`` uses are defined there, once, and composed here;
every default equals the committed YAML (``tests/test_params.py``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crowd_sentiment.core.distill import DistillationSettings
from crowd_sentiment.core.download import DownloadSettings
from crowd_sentiment.core.hf_teacher import HfTeacherSettings
from crowd_sentiment.core.kfold import KFoldSettings
from crowd_sentiment.core.languages import LanguageSettings
from crowd_sentiment.core.learned_teacher import TeacherTrainingSettings
from crowd_sentiment.core.prediction import PredictSettings
from crowd_sentiment.core.selection import FilteringSettings
from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.settings_selection import SelectionSettings
from crowd_sentiment.core.teachers import VaderSettings
from crowd_sentiment.core.tweets import DEFAULT_MAX_TEXT_CHARS
from crowd_sentiment.sample import SampleSpec


class IngestionParams(Settings):
    """Which tweets and pictures are kept, and how pictures are stored."""

    languages: list[str] | None = None  # None keeps every language, as the paper did
    min_side: int = Field(64, ge=1)  # px; smaller pictures are rejected (icons, emoji)
    max_pixels: int = Field(40_000_000, ge=1)  # larger pictures are refused before decoding
    store_short_side: int = Field(256, ge=16)  # px; stored copies are downscaled, never upscaled
    store_quality: int = Field(90, ge=1, le=100)  # JPEG quality of stored copies
    workers: int = Field(2, ge=1)  # processes decoding and resizing pictures (1: in the node's process)
    dump_format: Literal["auto", "jsonl", "json", "table"] = "auto"  # auto: detected per file
    max_text_chars: int = Field(DEFAULT_MAX_TEXT_CHARS, ge=1)  # longer texts are rejected
    max_reject_share: float = Field(0.05, ge=0, le=1)  # more rejected tweets or pictures fail the run
    download: DownloadSettings = DownloadSettings()  # the media_download pipeline


class TextSetSpec(Settings):
    """A human-labelled tweet set the teacher is measured on (never a training target).

    ``split``: ``tweeteval`` — the split name (``val``); ``mvsa_text`` — a guid CSV
    relative to ``root`` (``splits/crowd.csv``), or none for every labelled pair.
    """

    name: str
    layout: Literal["tweeteval", "mvsa_text"]
    root: str
    split: str | None = None


class StoredTeacherSettings(Settings):
    """Running the learned teacher fitted by ``teacher_training`` (catalog ``learned_teacher``)."""

    batch_size: int = Field(128, ge=1)
    device: str = "auto"


class TeacherLabelingParams(Settings):
    """The text teacher, its language routing, its partitions and the tweet sets that measure it.

    ``teacher``: ``vader`` (offline default), ``hf`` (a ``transformers`` model, ``hf``
    block) or ``learned`` (the stored teacher of the ``teacher_training`` pipeline).
    ``multilingual``: the ``transformers`` teacher for tweets in languages the main teacher
    does not cover; ``None`` excludes them (``teacher_exclusions``).
    """

    teacher: Literal["vader", "hf", "learned"] = "vader"
    vader: VaderSettings = VaderSettings()
    hf: HfTeacherSettings = HfTeacherSettings()
    learned: StoredTeacherSettings = StoredTeacherSettings()
    multilingual: HfTeacherSettings | None = None
    languages: LanguageSettings = LanguageSettings()
    partition_size: int = Field(20_000, ge=1)  # tweets per stored partition of scores
    progress: bool = False  # a progress bar over batches (transformers teachers)
    evaluation: list[TextSetSpec] = []


TeacherTrainingParams = TeacherTrainingSettings
FilteringParams = FilteringSettings
DistillationParams = DistillationSettings
PredictParams = PredictSettings


class BenchmarkSpec(Settings):
    """One human-labelled benchmark: its name, layout (``core.benchmarks.LOADERS``) and root folder.

    ``paper_table``: show the paper's reported numbers beside it (only when it *is* that benchmark).
    """

    name: str
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
    paper_table: Literal["twitter_i"] | None = None


class BenchmarkingParams(Settings):
    """The benchmarks (also kept out of training by filtering) and the k-fold protocol."""

    device: str = "auto"
    batch_size: int = Field(64, ge=1)
    benchmarks: list[BenchmarkSpec] = Field(min_length=1)
    kfold: KFoldSettings = KFoldSettings()
    selection: SelectionSettings | None = None  # make select-settings (conf/mvsa): how the defaults are chosen


PARAMETER_MODELS: dict[str, type[Settings]] = {
    "sample_crowd": SampleSpec,
    "ingestion": IngestionParams,
    "teacher_labeling": TeacherLabelingParams,
    "teacher_training": TeacherTrainingParams,
    "filtering": FilteringParams,
    "distillation": DistillationParams,
    "benchmarking": BenchmarkingParams,
    "predict": PredictParams,
}
