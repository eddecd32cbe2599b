"""Benchmarks labelled by ``path,class`` CSVs: Twitter Testing II, FI, EmotionROI.

``path`` is relative to the root (``images/joy/1.jpg``) or to ``images/`` (``joy/1.jpg``);
absolute paths, ``..`` and empty cells are errors. ``class`` (case-insensitive) is an
emotion of the layout or a polarity code of the authors' files: ``0`` negative, ``1`` or
``2`` positive. A class must agree with the emotion folder its path starts with. A row
repeated with the same label is kept once; an image listed with two labels is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import pandas as pd

from crowd_sentiment.core.benchmarks._frames import benchmark_frame, dedupe, root_and_images
from crowd_sentiment.core.files import require_columns, require_path

TWITTER_II_CSV = "twitter_testing_2.csv"
FI_COMPLETE_CSV = "FI_complete.csv"
FI_TEST_CSV = "FI_test.csv"
FI_SPLIT_DIR = re.compile(r"split_(\d+)")
FI_EMOTIONS: dict[str, int] = {
    "amusement": 1, "awe": 1, "contentment": 1, "excitement": 1,
    "anger": 0, "disgust": 0, "fear": 0, "sadness": 0,
}  # fmt: skip
EMOTION_ROI_EMOTIONS: dict[str, int] = {
    "joy": 1, "surprise": 1, "anger": 0, "disgust": 0, "fear": 0, "sadness": 0,
}  # fmt: skip
POLARITY_CODES: dict[str, int] = {"0": 0, "1": 1, "2": 1}  # FI writes 2, EmotionROI 1 for positive
TWITTER_II_CODES: dict[str, int] = {"0": 0, "1": 1}


def _read_path_class(path: Path, what: str) -> pd.DataFrame:
    """A ``path,class`` CSV as stripped strings (columns ``path``, ``class``)."""
    require_path(path, what)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file, expected a header 'path,class'") from None
    require_columns(frame, ("path", "class"), path)
    if frame.empty:
        raise ValueError(f"{path}: no rows after the header")
    frame = frame[["path", "class"]].apply(lambda column: column.str.strip())
    if ((frame["path"] == "") | (frame["class"] == "")).any():
        raise ValueError(f"{path}: empty 'path' or 'class' cell")
    return frame


def _image_key(value: str, csv_path: Path) -> str:
    """A CSV ``path`` value as a POSIX path relative to ``images/`` (a leading ``images/`` dropped)."""
    parts = PurePosixPath(value.replace("\\", "/")).parts
    if parts and parts[0] == "images":
        parts = parts[1:]
    if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0]:
        raise ValueError(
            f"{csv_path}: unusable image path {value!r}; expected a path relative to the root or to images/"
        )
    return "/".join(parts)


def _class_labels(classes: pd.Series, table: Mapping[str, int], csv_path: Path) -> list[int]:
    """Binary label of each ``class`` value (case-insensitive keys of ``table``)."""
    lowered = classes.str.lower()
    unknown = sorted(set(lowered) - set(table))
    if unknown:
        raise ValueError(
            f"{csv_path}: unknown class value(s) {unknown[:10]}; expected one of {sorted(table)}"
        )
    return [table[value] for value in lowered]


def _check_folders(rows: pd.DataFrame, emotions: Mapping[str, int], csv_path: Path) -> None:
    """Raise ``ValueError`` when a row's label contradicts its emotion folder (``<emotion>/...``)."""
    folders = rows["image"].str.split("/").str[0].str.lower()
    expected = folders.map(emotions)
    wrong = rows.loc[expected.notna() & (expected != rows["label"]), "image"].tolist()
    if wrong:
        raise ValueError(f"{csv_path}: class contradicts the emotion folder for {wrong[:10]}")


def _csv_rows(
    csv_path: Path, name: str, table: Mapping[str, int], emotions: Mapping[str, int]
) -> pd.DataFrame:
    """Validated rows of one ``path,class`` CSV (module docstring).

    Returns:
        Columns ``image`` (relative to ``images/``), ``label`` (0/1), one row per image, in file order.
    """
    frame = _read_path_class(csv_path, f"benchmark {name!r} labels file")
    rows = pd.DataFrame(
        {
            "image": [_image_key(value, csv_path) for value in frame["path"]],
            "label": _class_labels(frame["class"], table, csv_path),
        }
    )
    _check_folders(rows, emotions, csv_path)
    return dedupe(rows, str(csv_path))


def load_twitter_testing_2(root: str | Path, name: str) -> pd.DataFrame:
    """Twitter Testing Dataset II (~600 images): one subset ``all``.

    Layout: ``images/`` and ``twitter_testing_2.csv``; class ``0``/``1`` only (1 positive).
    """
    root, images = root_and_images(root, name)
    rows = _csv_rows(root / TWITTER_II_CSV, name, TWITTER_II_CODES, {})
    return benchmark_frame(rows, name, "all", images)


def _fi_splits(root: Path) -> list[tuple[int, Path]]:
    """``(k, root/split_<k>)`` for every ``split_<k>`` folder, by ``k``."""
    found = [(FI_SPLIT_DIR.fullmatch(p.name), p) for p in root.iterdir() if p.is_dir()]
    return sorted((int(match.group(1)), path) for match, path in found if match)


def load_fi(root: str | Path, name: str) -> pd.DataFrame:
    """FI (Flickr & Instagram, You et al., AAAI 2016; ~23 k images, 8 emotions).

    Layout: ``images/<emotion>/<emotion>_<n>.jpg``, ``FI_complete.csv`` (subset ``all``)
    and ``split_<k>/FI_{train,val,test}.csv``; each ``split_<k>/`` adds subset
    ``split_<k>_test`` (train/val are not read). amusement, awe, contentment, excitement
    are positive; anger, disgust, fear, sadness negative.
    """
    root, images = root_and_images(root, name)
    table = {**FI_EMOTIONS, **POLARITY_CODES}
    frames = [
        benchmark_frame(_csv_rows(root / FI_COMPLETE_CSV, name, table, FI_EMOTIONS), name, "all", images)
    ]
    for k, split in _fi_splits(root):
        rows = _csv_rows(split / FI_TEST_CSV, name, table, FI_EMOTIONS)
        frames.append(benchmark_frame(rows, name, f"split_{k}_test", images))
    return pd.concat(frames, ignore_index=True)


def _emotion_roi_test_csv(root: Path, csvs: list[Path], name: str) -> Path:
    """The one root CSV named ``test.csv`` or ``*_test.csv`` (case-insensitive)."""
    tests = [p for p in csvs if p.stem.lower() == "test" or p.stem.lower().endswith("_test")]
    if not tests:
        raise FileNotFoundError(
            f"benchmark {name!r} test split not found: {root / 'test.csv'} (or *_test.csv)"
        )
    if len(tests) > 1:
        raise ValueError(f"benchmark {name!r}: several test splits in {root}: {[p.name for p in tests]}")
    return tests[0]


def load_emotion_roi(root: str | Path, name: str) -> pd.DataFrame:
    """EmotionROI (Peng et al., ICIP 2016; 1,980 images, 6 emotions).

    Layout: ``images/<emotion>/<n>.jpg`` and ``path,class`` CSVs at the root. Subset
    ``test``: the one root ``test.csv`` or ``*_test.csv`` (the authors ship
    ``emotion_ROI_test.csv``, 594 images); subset ``all``: every root CSV, deduplicated,
    only when larger than ``test``. joy, surprise are positive; anger, disgust, fear,
    sadness negative. ``image`` keeps the folder (``joy/12.jpg``): names repeat across folders.
    """
    root, images = root_and_images(root, name)
    table = {**EMOTION_ROI_EMOTIONS, **POLARITY_CODES}
    csvs = sorted(root.glob("*.csv"))
    test_csv = _emotion_roi_test_csv(root, csvs, name)
    test = _csv_rows(test_csv, name, table, EMOTION_ROI_EMOTIONS)
    every = pd.concat([_csv_rows(p, name, table, EMOTION_ROI_EMOTIONS) for p in csvs], ignore_index=True)
    every = dedupe(every, f"{root}/*.csv", log_repeats=False)  # CSVs overlap by design
    frames = [benchmark_frame(test, name, "test", images)]
    if len(every) > len(test):
        frames.append(benchmark_frame(every, name, "all", images))
    return pd.concat(frames, ignore_index=True)
