"""Shared test settings: offline, no telemetry, and a runner for pipeline slices."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402
from kedro.io import DataCatalog, MemoryDataset  # noqa: E402
from kedro.runner import SequentialRunner  # noqa: E402


@pytest.fixture
def run_slice():
    """Run a pipeline on an in-memory catalog; returns ``{output name: data}``.

    ``datasets`` maps names to data (wrapped in ``MemoryDataset``) or to dataset objects.
    Outputs not given are kept in memory; the free outputs are returned.
    """

    def run(pipeline, datasets: dict) -> dict:
        entries = {
            name: value if hasattr(value, "load") and hasattr(value, "save") else MemoryDataset(value)
            for name, value in datasets.items()
        }
        for name in pipeline.datasets() - set(entries):
            entries[name] = MemoryDataset(copy_mode="assign")
        catalog = DataCatalog(datasets=entries)
        SequentialRunner().run(pipeline, catalog)
        return {name: catalog.load(name) for name in pipeline.outputs()}

    return run


@pytest.fixture
def single_thread():
    """Torch on one thread for tiny models: faster than two threads fighting over shared cores."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
