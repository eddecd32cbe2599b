"""Metric series in the shape kedro-mlflow's ``MlflowMetricsHistoryDataset`` saves: ``{name: [{step, value}]}``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

MetricSeries = dict[str, list[dict[str, float]]]


def single_values(values: Mapping[str, object]) -> MetricSeries:
    """One step-0 point per finite number of ``values``; NaN and non-numbers are left out."""
    series: MetricSeries = {}
    for name, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            series[name] = [{"step": 0, "value": float(value)}]
    return series


def row_values(table: Iterable[Mapping[str, object]], keys: Sequence[str], columns: Sequence[str] | None = None) -> MetricSeries:
    """:func:`single_values` of each row's ``columns`` (default: all but ``keys``), named ``<key values>.<column>``."""
    series: MetricSeries = {}
    for row in table:
        prefix = ".".join(str(row[key]) for key in keys)
        names = [c for c in (columns or row) if c in row and c not in keys]
        series |= single_values({f"{prefix}.{name}": row[name] for name in names})
    return series


def epoch_series(history: Iterable[Mapping[str, float]], *, step: str = "epoch") -> MetricSeries:
    """One series per metric of a per-epoch history, stepped by its ``step`` entry; missing (NaN) values are skipped."""
    series: MetricSeries = {}
    for row in history:
        for name, value in row.items():
            if name != step and not math.isnan(float(value)):
                series.setdefault(name, []).append({"step": int(row[step]), "value": float(value)})
    return series
