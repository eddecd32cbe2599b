"""A Markdown table of benchmark results next to the paper's reported numbers.

:func:`benchmark_report_markdown` is a pure function: a frame of scores (fractions in
[0, 1]) and a mapping of the paper's numbers (accuracy in %) in, one Markdown string out.

The paper's numbers (Serra et al., ECAI 2023, arXiv 2304.14942) are Twitter I accuracies
as transcribed in ``docs/PAPER.md`` ("Reported results"); the numbers for the other
benchmarks were not available. :data:`PAPER_TWITTER_I` is the paper's best student
(ViT-L/16 trained on the merged set), :data:`PAPER_TWITTER_I_VIT_B32` the ViT-B/32 on
the same data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

TWITTER_I_LAYOUT = "twitter_agreement"
MERGED_DATA = (
    "merged set (~1.5 M images: unbalanced T4SA 2.0 + B-T4SA 1.0 relabelled by the new teacher), "
    "teacher thresholds 0.90/0.90/0.70 (pos/neu/neg)"
)
PAPER_STUDENT = "ViT-L/16"
PAPER_STUDENTS: dict[str, str] = {
    "ViT-L/16": f"ViT-L/16 (ImageNet-21k, 384 px) trained on the {MERGED_DATA}",
    "ViT-B/32": f"ViT-B/32 (ImageNet-21k, 224 px) trained on the {MERGED_DATA}",
}
# Twitter I accuracy (%), subsets five_agree ⊆ four_agree ⊆ three_agree (PAPER.md, "Reported results").
PAPER_TWITTER_I: dict[str, float] = {"five_agree": 87.8, "four_agree": 84.8, "three_agree": 81.9}
PAPER_TWITTER_I_VIT_B32: dict[str, float] = {"five_agree": 86.5, "four_agree": 82.6, "three_agree": 78.9}
PAPER_TWITTER_I_BY_STUDENT: dict[str, dict[str, float]] = {
    "ViT-L/16": PAPER_TWITTER_I,
    "ViT-B/32": PAPER_TWITTER_I_VIT_B32,
}
PAPER_SOURCE = (
    'Serra, Carrara, Tesconi, Falchi, "The Emotions of the Crowd: Learning Image Sentiment from '
    'Tweets via Cross-modal Distillation", ECAI 2023 (arXiv 2304.14942): Twitter I accuracy table'
)

MISSING = "—"
PREAMBLE = (
    "Scores in %. **Zero-shot**: the distilled student as is (binary benchmarks: neutral output "
    "dropped, argmax of negative/positive; ROC-AUC on p_pos − p_neg). **k-fold**: stratified k-fold "
    "cross-validation fine-tuning of the head on frozen backbone features for a fixed number of "
    "epochs, the final head scored once per test fold, starting from the distilled head "
    '("distilled") or from a fresh head on the same ImageNet backbone ("ImageNet"); accuracy '
    f"mean ± std (ddof=0) over folds. Majority = always predicting the most frequent class; {MISSING} = not run "
    "or not available."
)
_BASE_COLUMNS: list[tuple[str, str]] = [
    ("n", "n"),
    ("majority_rate", "majority"),
    ("zero_shot_accuracy", "zero-shot acc."),
    ("zero_shot_macro_f1", "zero-shot macro-F1"),
    ("zero_shot_roc_auc", "zero-shot ROC-AUC"),
]
_KFOLD_COLUMNS: list[tuple[str, str]] = [
    ("kfold_distilled_accuracy", "k-fold distilled acc."),
    ("kfold_imagenet_accuracy", "k-fold ImageNet acc."),
]


def paper_reference(students: Sequence[str] = (PAPER_STUDENT,)) -> dict[tuple[str, str], dict[str, float]]:
    """The ``paper`` argument of :func:`benchmark_report_markdown` for the given students.

    Returns ``{(layout, subset): {student: accuracy %}}`` for Twitter I
    (layout :data:`TWITTER_I_LAYOUT`); students are keys of :data:`PAPER_TWITTER_I_BY_STUDENT`.
    """
    unknown = [s for s in students if s not in PAPER_TWITTER_I_BY_STUDENT]
    if unknown:
        raise ValueError(f"no paper numbers for {unknown}; known: {sorted(PAPER_TWITTER_I_BY_STUDENT)}")
    subsets = PAPER_TWITTER_I.keys()
    return {
        (TWITTER_I_LAYOUT, subset): {s: PAPER_TWITTER_I_BY_STUDENT[s][subset] for s in students}
        for subset in subsets
    }


PAPER_REFERENCE: dict[tuple[str, str], dict[str, float]] = paper_reference()


def _number(value) -> float | None:
    """``value`` as a finite float, or ``None`` when missing/NaN/non-numeric."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _percent(value) -> str:
    number = _number(value)
    return MISSING if number is None else f"{100 * number:.1f}"


def _mean_std(mean, std) -> str:
    m, s = _number(mean), _number(std)
    if m is None:
        return MISSING
    return f"{100 * m:.1f}" if s is None else f"{100 * m:.1f} ± {100 * s:.1f}"


def _count(value) -> str:
    number = _number(value)
    return MISSING if number is None else f"{int(round(number)):,}"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _paper_students(paper: Mapping[tuple[str, str], Mapping[str, float]], keys: Iterable) -> list[str]:
    """Student labels with a number for at least one of ``keys``, in first-appearance order."""
    seen: list[str] = []
    for key in keys:
        for student, value in paper.get(key, {}).items():
            if student not in seen and _number(value) is not None:
                seen.append(student)
    return seen


def benchmark_report_markdown(
    rows: pd.DataFrame, paper: Mapping[tuple[str, str], Mapping[str, float]]
) -> str:
    """One Markdown table: zero-shot and k-fold scores per benchmark/subset, next to the paper's.

    Args:
        rows: one row per benchmark/subset with ``benchmark``, ``subset`` and any of ``n``,
            ``majority_rate``, ``zero_shot_{accuracy,macro_f1,roc_auc}``,
            ``kfold_{distilled,imagenet}_accuracy_{mean,std}`` (fractions; a missing column
            or NaN renders as "—"). An optional ``layout`` column (e.g.
            ``twitter_agreement``) is matched against ``paper``'s keys; without it, or where
            it is empty, ``benchmark`` is.
        paper: ``{(layout, subset): {student: accuracy %}}``, e.g. :data:`PAPER_REFERENCE`.
            Each student with a number for some row gets a column "paper (<student>)"
            (cells "—" where the paper has no number); none when no row matches.

    Returns:
        A preamble line, the table, and a footnote naming the source of the paper's numbers
        (when a paper column is shown), separated by blank lines, ending in a newline.
    """
    missing = [c for c in ("benchmark", "subset") if c not in rows.columns]
    if missing:
        raise ValueError(f"rows lack column(s) {missing}; found {list(rows.columns)}")
    records = rows.to_dict("records")

    def paper_key(record) -> tuple[str, str]:
        layout = record.get("layout")
        name = layout if isinstance(layout, str) and layout else record["benchmark"]
        return (str(name), str(record["subset"]))

    students = _paper_students(paper, [paper_key(r) for r in records])
    header = ["benchmark", "subset", *(h for _, h in _BASE_COLUMNS), *(h for _, h in _KFOLD_COLUMNS)]
    header += [f"paper ({student})" for student in students]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for record in records:
        cells = [_cell(record["benchmark"]), _cell(record["subset"]), _count(record.get("n"))]
        cells += [_percent(record.get(column)) for column, _ in _BASE_COLUMNS[1:]]
        cells += [_mean_std(record.get(f"{c}_mean"), record.get(f"{c}_std")) for c, _ in _KFOLD_COLUMNS]
        reported = paper.get(paper_key(record), {})
        for student in students:
            value = _number(reported.get(student))
            cells.append(MISSING if value is None else f"{value:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    parts = [PREAMBLE, "\n".join(lines)]
    if students:
        described = "; ".join(f"{s}: {PAPER_STUDENTS.get(s, s)}" for s in students)
        parts.append(
            f"Paper columns: accuracy % reported by {PAPER_SOURCE}. Students — {described}. "
            "Their protocol (zero-shot or fine-tuned) is not stated beside that table; compare with care."
        )
    return "\n\n".join(parts) + "\n"


def report_rows(metrics: pd.DataFrame, layouts: Mapping[str, str]) -> pd.DataFrame:
    """The ``rows`` of :func:`benchmark_report_markdown` from a benchmark metrics table.

    ``metrics``: one row per (benchmark, subset, protocol) as ``core.scoring.subset_metrics``
    gives; ``layouts``: the paper table each benchmark is compared with ("" for none).
    """
    zero = metrics[metrics["protocol"] == "zero_shot"].set_index(["benchmark", "subset"])
    rows = zero[["n", "majority_rate"]].copy()
    for key in ("accuracy", "macro_f1", "roc_auc"):
        rows[f"zero_shot_{key}"] = zero[key]
    for start in ("distilled", "imagenet"):
        folds = metrics[metrics["protocol"] == f"kfold_{start}"].set_index(["benchmark", "subset"])
        if len(folds):
            rows[f"kfold_{start}_accuracy_mean"] = folds["accuracy"]
            rows[f"kfold_{start}_accuracy_std"] = folds["accuracy_std"]
    rows = rows.reset_index()
    rows["layout"] = rows["benchmark"].map(layouts)
    return rows
