"""The filtering funnel: how many items of each class survive each step, as a table and a bar plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from crowd_sentiment.core.labels import SENTIMENTS  # noqa: E402

UNLABELLED = "unlabelled"
FUNNEL_COLUMNS = ["step", "unit", *SENTIMENTS, UNLABELLED, "total"]


class FunnelCounter:
    """Collects one row per step: counts per class index (0-2; -1 for items without a teacher label)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, step: str, unit: str, labels: np.ndarray) -> None:
        """Count ``labels`` ``(N,)`` (class index, -1 unlabelled) as step ``step`` of ``unit`` (tweets, pictures)."""
        counts = np.bincount(np.asarray(labels, dtype=np.int64) + 1, minlength=len(SENTIMENTS) + 1)
        row = {"step": step, "unit": unit, **dict(zip(SENTIMENTS, counts[1:].tolist()))}
        self.rows.append({**row, UNLABELLED: int(counts[0]), "total": int(counts.sum())})

    def table(self) -> pd.DataFrame:
        """``FUNNEL_COLUMNS``, one row per step in the order added."""
        return pd.DataFrame(self.rows, columns=FUNNEL_COLUMNS)


def funnel_metrics(table: pd.DataFrame) -> dict[str, int]:
    """``funnel.<unit>.<step>.<class or total>`` → count, for MLflow."""
    return {
        f"funnel.{row['unit']}.{row['step']}.{column}": int(row[column])
        for _, row in table.iterrows()
        for column in (*SENTIMENTS, "total")
    }


def funnel_figure(table: pd.DataFrame) -> Figure:
    """Grouped bars: one group per step, one bar per class (counts printed above)."""
    steps = table["step"].tolist()
    x = np.arange(len(steps))
    width = 0.8 / (len(SENTIMENTS) + 1)
    figure, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(steps)), 4.2))
    colours = {"negative": "#c0392b", "neutral": "#7f8c8d", "positive": "#27ae60", UNLABELLED: "#d5d8dc"}
    for k, column in enumerate((*SENTIMENTS, UNLABELLED)):
        values = table[column].to_numpy()
        bars = ax.bar(x + (k - 1.5) * width, values, width, label=column, color=colours[column])
        for bar, value in zip(bars, values):
            if value:
                ax.text(bar.get_x() + width / 2, bar.get_height(), str(int(value)), ha="center", va="bottom",
                        fontsize=6, rotation=90)  # fmt: skip
    ax.set_ylim(0, max(1.0, float(table[[*SENTIMENTS, UNLABELLED]].to_numpy().max())) * 1.25)
    ax.set_xticks(x, labels=[f"{s}\n({u})" for s, u in zip(steps, table["unit"])], rotation=30, ha="right",
                  fontsize=7)  # fmt: skip
    ax.set_ylabel("count")
    ax.set_title("Filtering funnel per class")
    ax.legend(fontsize=7, ncol=4, loc="upper right")
    figure.tight_layout()
    return figure
