"""The project's pipelines: the five stages, their sum, and the sample generator."""

from __future__ import annotations

import click
from kedro.pipeline import Pipeline

from crowd_sentiment.pipelines import (
    benchmarking,
    distillation,
    filtering,
    ingestion,
    predict,
    sample_crowd,
    teacher_labeling,
    teacher_training,
)

STAGES = {
    "ingestion": ingestion,
    "teacher_labeling": teacher_labeling,
    "filtering": filtering,
    "distillation": distillation,
    "benchmarking": benchmarking,
}


class Pipelines(dict):
    """The registry: an unknown name fails with one line listing the valid ones (``kedro run --pipelines``)."""

    def __missing__(self, name: str) -> Pipeline:
        raise click.ClickException(f"no pipeline named {name!r}: choose one of {', '.join(sorted(self))}")


def _grouped(namespace: str, pipeline: Pipeline) -> Pipeline:
    """``pipeline`` with its nodes in ``namespace`` (one collapsible box in kedro-viz); dataset names unchanged."""
    return Pipeline(pipeline, namespace=namespace, prefix_datasets_with_namespace=False)


def register_pipelines() -> dict[str, Pipeline]:
    """Pipelines by name.

    ``__default__`` runs the five stages in order. ``distillation`` trains a student from
    the persisted manifest *and benchmarks it*, so one ``kedro run --pipelines
    distillation`` is one complete MLflow run (training curves, benchmark scores,
    model). ``teacher_training`` fits the learned text teacher (not part of
    ``__default__``). ``sample_crowd`` writes the embedded sample into ``data/01_raw``;
    ``media_download`` fetches the dumps' media URLs (the only pipeline that uses the network);
    ``predict`` scores a folder of pictures with a stored student (not part of ``__default__``).
    """
    stages = {name: _grouped(name, module.create_pipeline()) for name, module in STAGES.items()}
    pipelines = Pipelines(stages)
    pipelines["distillation"] = stages["distillation"] + stages["benchmarking"]
    pipelines["__default__"] = sum(stages.values(), Pipeline([]))
    pipelines["sample_crowd"] = _grouped("sample_crowd", sample_crowd.create_pipeline())
    pipelines["teacher_training"] = _grouped("teacher_training", teacher_training.create_pipeline())
    pipelines["media_download"] = _grouped("ingestion", ingestion.create_download_pipeline())
    pipelines["predict"] = _grouped("predict", predict.create_pipeline())
    return pipelines
