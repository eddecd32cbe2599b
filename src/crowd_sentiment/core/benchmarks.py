"""Human-labelled image benchmarks: loaders by layout and the zero-shot binary protocol.

A loaded benchmark is a frame with one row per (subset, image): ``benchmark``,
``subset``, ``image`` (the image's path relative to the layout's image folder, POSIX
separators; unique within a subset), ``path`` (absolute), ``label`` (int64; 0 negative,
1 positive for binary benchmarks). Rows keep the order of the label files.

Layouts (:data:`LOADERS`; facts from the papers and the authors' redistribution):

* ``twitter_agreement`` — Twitter I (You et al., AAAI 2015; 1,269 tweet images, 5
  annotators each): ``images/`` and ``ground_truth/twitter_{five,four,three}_agrees.txt``
  with lines ``<file> <0|1>`` (1 = positive); subsets ``five_agree`` ⊆ ``four_agree`` ⊆
  ``three_agree``.
* ``twitter_testing_2`` — Twitter Testing Dataset II (~600 images): ``images/`` and
  ``twitter_testing_2.csv`` with columns ``path,class``, class ``0``/``1`` (1 =
  positive); one subset ``all``.
* ``fi`` — FI (Flickr & Instagram, You et al. 2016, ~23 k images):
  ``images/<emotion>/<emotion>_<n>.jpg``, ``FI_complete.csv`` and
  ``split_{1..5}/FI_{train,val,test}.csv`` (``path,class``). Subset ``all`` is
  ``FI_complete.csv``; each ``split_<k>/`` folder present adds ``split_<k>_test`` from its
  ``FI_test.csv`` (train/val files are not read: zero-shot only evaluates). amusement,
  awe, contentment, excitement → positive; anger, disgust, fear, sadness → negative.
* ``emotion_roi`` — EmotionROI (1,980 images, 6 emotions): ``images/<emotion>/<n>.jpg``
  and CSVs ``path,class`` at the root; joy, surprise → positive; anger, disgust, fear,
  sadness → negative. Subset ``test`` is the one root CSV named ``test.csv`` or
  ``*_test.csv`` (the authors ship ``emotion_ROI_test.csv``, 594 images; required).
  Subset ``all`` is every image listed in any root ``*.csv`` (deduplicated), emitted only
  when it holds more images than ``test``. File names repeat across emotion folders, so
  ``image`` keeps the folder (``joy/12.jpg``).
* ``mvsa_image_3class`` — the same split against ``image_label`` with all three classes.
* ``mvsa_image`` / ``mvsa_joint`` — the MVSA held-out split, binary against
  ``image_label`` / ``joint_label`` (:func:`~crowd_sentiment.core.mvsa.load_mvsa_benchmark`;
  subsets ``image_label_binary`` / ``joint_label_binary``). The 3-class variant is not
  registered: the benchmarking pipeline scores binary labels only.

``path,class`` CSVs (Twitter II, FI, EmotionROI): ``path`` is relative to the benchmark
root (``images/joy/1.jpg``) or to ``images/`` (``joy/1.jpg``, as the authors' files
are); absolute paths, ``..`` and empty cells are errors. ``class`` (case-insensitive) is
an emotion name of the layout, or a numeric polarity code as in the authors' files:
``0`` negative; ``1`` or ``2`` positive (FI uses 2, the T4SA index of positive;
EmotionROI uses 1; their loader maps every non-zero class to positive). Twitter II
accepts ``0``/``1`` only. When the first folder of ``path`` is an emotion of the layout,
the class must agree with that emotion's polarity. A row repeated with the same label is
kept once (logged); an image listed with two labels is an error.

Errors: a missing root, image folder, label file or image raises ``FileNotFoundError``
naming the path; an unknown class value, a malformed file or contradictory labels raise
``ValueError`` naming the value and the file.

Zero-shot binary protocol (paper): drop the neutral output and take the argmax of
(negative, positive); the ranking score is ``p_positive - p_negative``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from crowd_sentiment.core.files import require_path
from crowd_sentiment.core.labels import NEGATIVE, POSITIVE
from crowd_sentiment.core.mvsa import load_mvsa_benchmark

log = logging.getLogger(__name__)

TWITTER_SUBSETS = {"five_agree": "five", "four_agree": "four", "three_agree": "three"}
BENCHMARK_COLUMNS = ["benchmark", "subset", "image", "path", "label"]
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
# Numeric polarity codes of the authors' CSVs (module docstring).
POLARITY_CODES: dict[str, int] = {"0": 0, "1": 1, "2": 1}
TWITTER_II_CODES: dict[str, int] = {"0": 0, "1": 1}

Loader = Callable[[str | Path, str], pd.DataFrame]


# --- shared helpers -----------------------------------------------------------------


def _root_and_images(root: str | Path, name: str) -> tuple[Path, Path]:
    """``(root, root/images)`` as absolute paths; both must exist."""
    root = require_path(Path(root).absolute(), f"benchmark {name!r} root")
    return root, require_path(root / "images", f"benchmark {name!r} images folder")


def _benchmark_frame(rows: pd.DataFrame, name: str, subset: str, images: Path) -> pd.DataFrame:
    """Benchmark frame of ``rows`` (columns ``image``, ``label``); every ``images/<image>`` must exist.

    Returns:
        ``len(rows)`` rows with :data:`BENCHMARK_COLUMNS`, ``label`` int64.
    """
    paths = [str(require_path(images / image, f"benchmark {name!r} image")) for image in rows["image"]]
    frame = pd.DataFrame(
        {"benchmark": name, "subset": subset, "image": list(rows["image"]), "path": paths,
         "label": list(rows["label"])},
        columns=BENCHMARK_COLUMNS,
    )  # fmt: skip
    return frame.astype({"benchmark": str, "subset": str, "image": str, "path": str, "label": "int64"})


def _dedupe(rows: pd.DataFrame, source: str, *, log_repeats: bool = True) -> pd.DataFrame:
    """``rows`` (``image``, ``label``), repeats dropped (first kept); an image with two labels raises."""
    labels_per_image = rows.groupby("image", sort=False)["label"].nunique()
    conflicting = labels_per_image.index[labels_per_image > 1].tolist()
    if conflicting:
        raise ValueError(f"{source}: image(s) listed with different labels: {conflicting[:10]}")
    unique = rows.drop_duplicates("image").reset_index(drop=True)
    if log_repeats and len(unique) < len(rows):
        log.warning("%s: %d repeated row(s) kept once", source, len(rows) - len(unique))
    return unique


# --- path,class CSVs ----------------------------------------------------------------


def _read_path_class(path: Path, what: str) -> pd.DataFrame:
    """A ``path,class`` CSV as stripped strings (columns ``path``, ``class``)."""
    require_path(path, what)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file, expected a header 'path,class'") from None
    missing = [c for c in ("path", "class") if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")
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
    return _dedupe(rows, str(csv_path))


# --- loaders ------------------------------------------------------------------------


def _read_label_lines(path: Path) -> list[tuple[str, int]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in {"0", "1"}:
            raise ValueError(f"{path}:{number}: expected '<file> <0|1>', got {line!r}")
        rows.append((parts[0], int(parts[1])))
    return rows


def load_twitter_agreement(root: str | Path, name: str) -> pd.DataFrame:
    """Twitter I: subsets ``five_agree``, ``four_agree``, ``three_agree`` (module docstring)."""
    root, images = _root_and_images(root, name)
    frames = []
    for subset, word in TWITTER_SUBSETS.items():
        truth = require_path(
            root / "ground_truth" / f"twitter_{word}_agrees.txt", f"benchmark {name!r} ground truth"
        )
        rows = pd.DataFrame(_read_label_lines(truth), columns=["image", "label"])
        frames.append(_benchmark_frame(rows, name, subset, images))
    return pd.concat(frames, ignore_index=True)


def load_twitter_testing_2(root: str | Path, name: str) -> pd.DataFrame:
    """Twitter Testing Dataset II: one subset ``all`` from ``twitter_testing_2.csv`` (module docstring)."""
    root, images = _root_and_images(root, name)
    rows = _csv_rows(root / TWITTER_II_CSV, name, TWITTER_II_CODES, {})
    return _benchmark_frame(rows, name, "all", images)


def _fi_splits(root: Path) -> list[tuple[int, Path]]:
    """``(k, root/split_<k>)`` for every ``split_<k>`` folder, by ``k``."""
    found = [(FI_SPLIT_DIR.fullmatch(p.name), p) for p in root.iterdir() if p.is_dir()]
    return sorted((int(match.group(1)), path) for match, path in found if match)


def load_fi(root: str | Path, name: str) -> pd.DataFrame:
    """FI: subset ``all`` (``FI_complete.csv``) and ``split_<k>_test`` per split folder (module docstring)."""
    root, images = _root_and_images(root, name)
    table = {**FI_EMOTIONS, **POLARITY_CODES}
    frames = [
        _benchmark_frame(_csv_rows(root / FI_COMPLETE_CSV, name, table, FI_EMOTIONS), name, "all", images)
    ]
    for k, split in _fi_splits(root):
        rows = _csv_rows(split / FI_TEST_CSV, name, table, FI_EMOTIONS)
        frames.append(_benchmark_frame(rows, name, f"split_{k}_test", images))
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
    """EmotionROI: subset ``test`` and, when larger, ``all`` (every root CSV, deduplicated)."""
    root, images = _root_and_images(root, name)
    table = {**EMOTION_ROI_EMOTIONS, **POLARITY_CODES}
    csvs = sorted(root.glob("*.csv"))
    test_csv = _emotion_roi_test_csv(root, csvs, name)
    test = _csv_rows(test_csv, name, table, EMOTION_ROI_EMOTIONS)
    every = pd.concat([_csv_rows(p, name, table, EMOTION_ROI_EMOTIONS) for p in csvs], ignore_index=True)
    every = _dedupe(every, f"{root}/*.csv", log_repeats=False)  # CSVs overlap by design
    frames = [_benchmark_frame(test, name, "test", images)]
    if len(every) > len(test):
        frames.append(_benchmark_frame(every, name, "all", images))
    return pd.concat(frames, ignore_index=True)


def load_mvsa_image(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split, binary against ``image_label`` (subset ``image_label_binary``)."""
    return load_mvsa_benchmark(root, name, label_column="image_label", classes="binary")


def load_mvsa_joint(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split, binary against ``joint_label`` (subset ``joint_label_binary``)."""
    return load_mvsa_benchmark(root, name, label_column="joint_label", classes="binary")


def load_mvsa_image_3class(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split, three classes against ``image_label`` (subset ``image_label_3class``;
    labels 0 negative, 1 neutral, 2 positive)."""
    return load_mvsa_benchmark(root, name, label_column="image_label", classes="three")


LOADERS: dict[str, Loader] = {
    "twitter_agreement": load_twitter_agreement,
    "twitter_testing_2": load_twitter_testing_2,
    "fi": load_fi,
    "emotion_roi": load_emotion_roi,
    "mvsa_image": load_mvsa_image,
    "mvsa_joint": load_mvsa_joint,
    "mvsa_image_3class": load_mvsa_image_3class,
}
# Layouts whose labels are the three classes (0 negative, 1 neutral, 2 positive); all
# others are binary (0 negative, 1 positive) and are scored with the neutral output dropped.
THREE_CLASS_LAYOUTS = frozenset({"mvsa_image_3class"})


def three_class_predictions(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three-class prediction (argmax) and the same ranking score as binary, ``p_pos - p_neg``."""
    probs = np.asarray(probs)
    return probs.argmax(axis=1).astype(np.int64), probs[:, POSITIVE] - probs[:, NEGATIVE]


def load_benchmark(layout: str, root: str | Path, name: str) -> pd.DataFrame:
    """Load a benchmark by layout name (see :data:`LOADERS` and the module docstring).

    Returns:
        One row per (subset, image) with :data:`BENCHMARK_COLUMNS`.

    Raises:
        ValueError: an unknown layout (listing the known ones) or bad label data.
        FileNotFoundError: a missing root, label file or image (naming the path).
    """
    try:
        loader = LOADERS[layout]
    except KeyError:
        raise ValueError(f"unknown benchmark layout {layout!r}; expected one of {sorted(LOADERS)}") from None
    return loader(root, name)


def binary_zero_shot(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary prediction (0 negative, 1 positive) and score ``p_pos - p_neg`` from ``(N, 3)`` probabilities."""
    probs = np.asarray(probs)
    negative, positive = probs[:, NEGATIVE], probs[:, POSITIVE]
    return (positive > negative).astype(np.int64), positive - negative
