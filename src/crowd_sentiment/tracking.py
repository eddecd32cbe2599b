"""Metric series in the shape kedro-mlflow's ``MlflowMetricsHistoryDataset`` saves: ``{name: [{step, value}]}``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

MetricSeries = dict[str, list[dict[str, float]]]


def single_values(values: Mapping[str, object]) -> MetricSeries:
    """One step-0 point per finite number of ``values``; NaN and non-numbers are left out."""
    series: MetricSeries = {}
    for name, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            series[name] = [{"step": 0, "value": float(value)}]
    return series


def epoch_series(history: Iterable[Mapping[str, float]], *, step: str = "epoch") -> MetricSeries:
    """One series per metric of a per-epoch history, stepped by its ``step`` entry; missing (NaN) values are skipped."""
    series: MetricSeries = {}
    for row in history:
        for name, value in row.items():
            if name != step and not math.isnan(float(value)):
                series.setdefault(name, []).append({"step": int(row[step]), "value": float(value)})
    return series
