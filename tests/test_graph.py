"""What kedro-viz draws: stages as namespaces with unchanged dataset names, a description per catalog entry."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from crowd_sentiment.datasets import StoredStudentDataset
from crowd_sentiment.pipeline_registry import STAGES, register_pipelines

ROOT = Path(__file__).resolve().parents[1]
CATALOG = yaml.safe_load((ROOT / "conf" / "base" / "catalog.yml").read_text())


def test_each_stage_is_one_namespace_and_dataset_names_do_not_change():
    pipelines = register_pipelines()
    assert {node.namespace for node in pipelines["__default__"].nodes} == set(STAGES)
    assert {node.namespace for node in pipelines["filtering"].nodes} == {"filtering"}
    datasets = {name for name in pipelines["__default__"].datasets() if not name.startswith("params:")}
    assert {"distillation_manifest", "student_model", "benchmark_metrics"} <= datasets
    assert not any("." in name for name in datasets)


def test_every_catalog_entry_has_a_description_that_kedro_viz_can_show(tmp_path):
    undescribed = [
        name for name, entry in CATALOG.items() if not (entry.get("metadata") or {}).get("description")
    ]
    assert undescribed == []
    metadata = CATALOG["student_model"]["metadata"]
    preview = StoredStudentDataset(filepath=str(tmp_path / "student.pt"), metadata=metadata).preview()
    assert json.loads(preview) == {
        "description": metadata["description"],
        "filepath": str(tmp_path / "student.pt"),
    }
