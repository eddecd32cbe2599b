"""Scoring pictures with a stored student outside training: the portable form and a folder of pictures."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

import pandas as pd
from pydantic import Field

from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.portable_student import (
    FORMAT,
    PictureError,
    PortableStudent,
    decode_picture,
    probability_frame,
)
from crowd_sentiment.core.preflight import SettingsError
from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import StudentSpec, _size_kwargs, ensemble_specs, view_specs

log = logging.getLogger(__name__)
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")
PREDICTION_COLUMNS = ["path", *PROBABILITY_COLUMNS, "label"]
REJECTION_COLUMNS = ["path", "reason", "detail"]
_KNOWN_FIELDS = {"spec", "state_dict", "best_epoch"}  # what portable_content translates


class PredictSettings(Settings):
    """Which pictures are scored, with which stored student.

    ``images``: a folder, searched recursively for files ending in :data:`PICTURE_SUFFIXES`
    (hidden files skipped). ``student``: a file written by the distillation pipeline
    (``06_models/student_model.pt``). ``max_pixels``: larger pictures are rejected before decoding.
    """

    images: str = "data/01_raw/predict_images"
    student: str = "data/06_models/student_model.pt"
    batch_size: int = Field(32, ge=1)
    max_pixels: int = Field(40_000_000, ge=1)


def check_predict(images: str, student: str, root: Path) -> None:
    """``images`` is a folder and ``student`` a file (relative paths from ``root``); else :class:`SettingsError`."""
    if not (root / images).is_dir():
        raise SettingsError(
            f"predict.images={images!r} is not a folder: give the folder of pictures to score"
        )
    if not (root / student).is_file():
        raise SettingsError(
            f"predict.student={student!r} is not a file: give a stored student (06_models/student_model.pt, "
            "written by kedro run --pipelines distillation)"
        )


def portable_content(stored: StoredStudent) -> dict:
    """``stored`` in the layout of :mod:`crowd_sentiment.core.portable_student` (plain tensors and values).

    Raises ``ValueError`` for a stored student with parts this translation does not know
    (they would be silently dropped from the portable model).
    """
    unknown = sorted({f.name for f in dataclasses.fields(stored)} - _KNOWN_FIELDS)
    if unknown:
        raise ValueError(
            f"cannot export a stored student with {unknown}: extend core.prediction.portable_content"
        )
    spec = stored.spec
    backbones = [
        {
            "arch": member.arch,
            "timm_kwargs": _size_kwargs(member) if k == 0 else {},  # as Student builds them
            "levels": member.levels,
            "views": [
                {"preprocessing": _preprocessing(view), "flip": flip} for view, flip in view_specs(member)
            ],
        }
        for k, member in enumerate(ensemble_specs(spec))
    ]
    return {
        "format": FORMAT, "classes": list(SENTIMENTS), "backbones": backbones,
        "block_norm": bool(spec.ensemble) and spec.feature_norm == "l2",
        "head": {"feature_norm": spec.feature_norm, "hidden": spec.head_hidden, "dropout": spec.dropout},
        "state_dict": {k: v.detach().cpu().contiguous() for k, v in stored.state_dict.items()},
    }  # fmt: skip


def _preprocessing(spec: StudentSpec) -> dict:
    return {
        "image_size": spec.image_size, "framing": spec.framing, "crop_pct": spec.crop_pct,
        "interpolation": spec.interpolation, "mean": list(spec.mean), "std": list(spec.std),
    }  # fmt: skip


def picture_files(folder: str | Path) -> list[Path]:
    """Picture files under ``folder`` (recursive, sorted, hidden ones skipped); ``FileNotFoundError`` when it is missing."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"predict.images={str(folder)!r} is not a folder: give a folder of pictures")
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in PICTURE_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )  # fmt: skip


def score_folder(settings: PredictSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predictions (``PREDICTION_COLUMNS``, paths relative to ``settings.images``) and rejected pictures
    (``REJECTION_COLUMNS``: ``empty_file``, ``undecodable``, ``too_large``). A broken picture is a row, not
    an error; pictures are decoded ``batch_size`` at a time, so memory does not grow with the folder."""
    root = Path(settings.images)
    files = picture_files(root)
    stored = StoredStudent.load(settings.student)
    student = PortableStudent(portable_content(stored), batch_size=settings.batch_size)
    scored, rejected = [], []
    for start in range(0, len(files), settings.batch_size):
        kept, pictures = [], []
        for path in files[start : start + settings.batch_size]:
            name = os.fspath(path.relative_to(root))
            try:
                pictures.append(decode_picture(path.read_bytes(), max_pixels=settings.max_pixels))
                kept.append(name)
            except PictureError as error:
                rejected.append({"path": name, "reason": error.reason, "detail": error.detail})
        if pictures:
            scored.append(probability_frame(student.predict_pictures(pictures)).assign(path=kept))
    log.info("scored %d of %d pictures under %s (%d rejected)", len(files) - len(rejected), len(files), root,
             len(rejected))  # fmt: skip
    predictions = pd.concat(scored, ignore_index=True) if scored else pd.DataFrame(columns=PREDICTION_COLUMNS)
    return predictions[PREDICTION_COLUMNS], pd.DataFrame(rejected, columns=REJECTION_COLUMNS)
