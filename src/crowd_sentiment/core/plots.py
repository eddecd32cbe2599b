"""Figures for reports (matplotlib, no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402


def confusion_matrices_figure(
    matrices: Mapping[str, np.ndarray], class_names: Sequence[str] | Mapping[str, Sequence[str]]
) -> Figure:
    """One annotated heat map per titled ``(K, K)`` count matrix (rows gold, columns predicted).

    ``class_names`` is one list for every matrix, or a list per title (matrices of
    different sizes, e.g. binary and three-class subsets side by side).
    """
    if not matrices:
        raise ValueError("no confusion matrix to draw")
    names_of = class_names if isinstance(class_names, Mapping) else dict.fromkeys(matrices, class_names)
    size = 1.0 + 0.7 * max(len(names) for names in names_of.values())
    figure, axes = plt.subplots(
        1, len(matrices), figsize=(size * len(matrices) + 0.5, size + 0.6), squeeze=False
    )
    for ax, (title, matrix) in zip(axes[0], matrices.items()):
        names = names_of[title]
        ticks = np.arange(len(names))
        ax.imshow(matrix, cmap="Blues", vmin=0)
        ax.set_xticks(ticks, labels=names)
        ax.set_yticks(ticks, labels=names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(title, fontsize=9)
        threshold = matrix.max() / 2
        for (row, col), value in np.ndenumerate(matrix):
            ax.text(
                col,
                row,
                str(int(value)),
                ha="center",
                va="center",
                color="white" if value > threshold else "black",
            )
    figure.tight_layout()
    return figure


def _note(text: str) -> Figure:
    """A small figure that says why there is nothing to draw."""
    figure, ax = plt.subplots(figsize=(4, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, wrap=True)
    return figure


def roc_curves_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]]) -> Figure:
    """One ROC line per titled ``(false positive rates, true positive rates, AUC)``, with the chance diagonal."""
    if not curves:
        return _note("no benchmark subset with both poles: no ROC curve")
    figure, ax = plt.subplots(figsize=(4.6, 4.2))
    for title, (fpr, tpr, auc) in curves.items():
        ax.plot(fpr, tpr, label=f"{title} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate", ylabel="true positive rate")
    ax.set_title("Zero-shot ROC, polar score p_pos − p_neg", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def training_curves_figure(history: pd.DataFrame, *, in_sample: bool = False) -> Figure:
    """Losses (left) and validation scores (right) per curve point of ``training_history``.

    ``in_sample``: the head was fitted on the validation rows too (``training.fit_validation``), which
    the right panel's title says: its scores then show the fit, not how it generalises.

    The x axis is L-BFGS iterations when the table has ``iterations`` (one row per block), else
    epochs. Columns drawn when present: ``objective`` (penalised), ``train_loss``, ``val_loss``;
    ``val_polar_auc``, ``val_macro_f1``, ``val_accuracy`` (against the teacher's labels).
    """
    if len(history) < 2:
        return _note("a single curve point: no training curve")
    x_name = "iterations" if "iterations" in history and history["iterations"].notna().all() else "epoch"
    x = history[x_name].to_numpy()
    figure, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.8))
    for column, label in (("objective", "objective (with penalty)"), ("train_loss", "train loss"),
                          ("val_loss", "validation loss")):  # fmt: skip
        if column in history:
            left.plot(x, history[column].to_numpy(), marker="o", markersize=3, label=label)
    for column, label in (("val_polar_auc", "polar ROC-AUC"), ("val_macro_f1", "macro-F1"),
                          ("val_accuracy", "accuracy")):  # fmt: skip
        if column in history:
            right.plot(x, history[column].to_numpy(), marker="o", markersize=3, label=label)
    left.set(xlabel=x_name, ylabel="loss", title="Losses")
    right.set(xlabel=x_name, ylabel="score", title="Validation, against the teacher"
              + (" (in-sample: also fitted on)" if in_sample else ""))
    for ax in (left, right):  # legends under the axes: the curves are often flat and close
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
        ax.title.set_fontsize(10)
    figure.tight_layout()
    return figure


def reliability_figure(diagrams: Mapping[str, tuple[float, np.ndarray]]) -> Figure:
    """Observed positive rate against mean predicted probability per titled ``(ECE, rows (bins, 4))``.

    Rows are ``metrics.reliability``'s: bin lower edge, count, mean probability, positive rate.
    """
    if not diagrams:
        return _note("no binary benchmark subset: no reliability diagram")
    figure, ax = plt.subplots(figsize=(4.6, 4.4))
    for title, (_, rows) in diagrams.items():
        filled = rows[:, 1] > 0
        ax.plot(rows[filled, 2], rows[filled, 3], marker="o", markersize=4, label=title)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="predicted P(positive) among polar outputs",
        ylabel="observed positive rate",
    )
    eces = ", ".join(f"{title.split()[-1]} {ece:.3f}" for title, (ece, _) in diagrams.items())
    ax.set_title(f"Student reliability\nECE: {eces}", fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def accuracy_figure(metrics: pd.DataFrame, paper: Mapping[tuple[str, str], Mapping[str, float]]) -> Figure:
    """Two panels per benchmark subset: zero-shot and k-fold accuracy (%) beside the paper's; distilled vs ImageNet k-fold.

    ``metrics`` rows: benchmark, subset, protocol (zero_shot, kfold_distilled, kfold_imagenet), accuracy
    in [0, 1], accuracy_std; ``paper``: ``{(benchmark, subset): {student: accuracy %}}``, only where it applies.
    """
    subsets = list(dict.fromkeys(zip(metrics["benchmark"], metrics["subset"])))
    if not subsets:
        return _note("no benchmark metrics to draw")
    table = metrics.set_index(["benchmark", "subset", "protocol"])

    def values(protocol: str, column: str = "accuracy") -> np.ndarray:
        return np.array([
            100 * table[column].get((b, s, protocol), np.nan) if column in table else np.nan for b, s in subsets
        ])  # fmt: skip

    students = list(dict.fromkeys(student for numbers in paper.values() for student in numbers))
    left = {"zero-shot": values("zero_shot"), "k-fold (distilled)": values("kfold_distilled")}
    left |= {
        f"paper {st}": np.array([paper.get(key, {}).get(st, np.nan) for key in subsets]) for st in students
    }
    x = np.arange(len(subsets))
    labels = [f"{b}\n{s}" for b, s in subsets]
    figure, (ax1, ax2) = plt.subplots(1, 2, figsize=(max(8.0, 2.2 * len(subsets) + 3), 4.2))
    width = 0.8 / len(left)
    for n, (name, heights) in enumerate(left.items()):
        ax1.bar(x + (n - (len(left) - 1) / 2) * width, heights, width, label=name)
    ax1.set_title(
        "Zero-shot and k-fold accuracy beside the paper's" if students else "Zero-shot and k-fold accuracy",
        fontsize=10,
    )
    right = {
        start: (values(f"kfold_{start}"), values(f"kfold_{start}", "accuracy_std"))
        for start in ("distilled", "imagenet")
    }
    for n, (start, (mean, std)) in enumerate(right.items()):
        ax2.bar(x + (n - 0.5) * 0.38, mean, 0.38, yerr=np.nan_to_num(std), capsize=3, label=f"from {start}")
    ax2.set_title("k-fold accuracy, mean ± std over folds", fontsize=10)
    for ax in (ax1, ax2):
        ax.set_xticks(x, labels=labels, fontsize=8)
        ax.set_ylabel("accuracy (%)")
        ax.set_ylim(0, 118)  # headroom for the legend above the bars
        ax.set_yticks(range(0, 101, 20))
        ax.legend(loc="upper center", ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def thumbnail(path: str | Path, size: int = 96) -> np.ndarray:
    """The picture at ``path`` as an RGB array at most ``size`` pixels a side (aspect kept)."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        return np.asarray(image)


def picture_grid_figure(
    pictures: Sequence[np.ndarray], captions: Sequence[str], correct: Sequence[bool], columns: int = 6
) -> Figure:
    """Pictures (RGB arrays) in a grid, each captioned, the caption green when right and red when wrong."""
    if not pictures:
        return _note("no benchmark picture to show")
    rows = -(-len(pictures) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.75 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, picture, caption, ok in zip(axes.flat, pictures, captions, correct):
        ax.imshow(picture)
        ax.set_title(caption, fontsize=6.5, color="darkgreen" if ok else "firebrick")
    figure.suptitle(
        "Benchmark pictures: gold, zero-shot prediction, polar score (green right, red wrong)", fontsize=9
    )
    figure.tight_layout()
    return figure


def label_distribution_figure(counts: Mapping[str, Mapping[str, int]]) -> Figure:
    """Bars of how many tweets each teacher labels as each class (argmax), ``{teacher: {class: count}}``."""
    if not counts:
        return _note("no tweet scored by a teacher")
    classes = list(dict.fromkeys(c for per_class in counts.values() for c in per_class))
    figure, ax = plt.subplots(figsize=(1.2 + 1.3 * len(classes), 3.4))
    x = np.arange(len(classes))
    width = 0.8 / len(counts)
    for n, (teacher, per_class) in enumerate(counts.items()):
        heights = [per_class.get(c, 0) for c in classes]
        bars = ax.bar(x + (n - (len(counts) - 1) / 2) * width, heights, width, label=teacher)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(x, labels=classes)
    ax.set_ylabel("tweets")
    ax.set_title("Teacher labels (argmax)", fontsize=10)
    ax.margins(y=0.15)
    ax.legend(fontsize=8, title="teacher", title_fontsize=8)
    figure.tight_layout()
    return figure
