"""Figures for reports (matplotlib, no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


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
