"""User errors stop a run before any node and before an MLflow run: one line, no traceback."""

from __future__ import annotations

import click
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline, node

from crowd_sentiment.hooks import PreflightHook
from crowd_sentiment.pipeline_registry import Pipelines


def _pipeline_reading(*params: str) -> Pipeline:
    return Pipeline([node(lambda *args: 0, inputs=[f"params:{p}" for p in params], outputs="out")])


def test_a_wrong_student_arch_stops_the_run_with_one_line(tmp_path):
    catalog = DataCatalog(
        {"parameters": MemoryDataset({"distillation": {"student": {"arch": "not_a_model"}}})}
    )
    with pytest.raises(
        click.ClickException, match=r"^distillation.student.arch='not_a_model' is not a timm model"
    ):
        PreflightHook().before_pipeline_run(
            {"project_path": str(tmp_path)}, _pipeline_reading("distillation"), catalog
        )
    PreflightHook().before_pipeline_run(
        {"project_path": str(tmp_path)}, _pipeline_reading("filtering"), catalog
    )


def test_an_unknown_pipeline_lists_the_valid_names():
    with pytest.raises(click.ClickException, match="no pipeline named 'nope': choose one of a, b"):
        Pipelines({"b": Pipeline([]), "a": Pipeline([])})["nope"]
