"""End to end through KedroSession on the tiny configuration: sample → all stages → MLflow.

The project's configuration is copied into a temporary project folder, so data, the
MLflow store and artifacts are written there, never into the checkout.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import mlflow
import nbformat
import pandas as pd
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from mlflow.tracking import MlflowClient
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    "01_raw",
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
]

FIGURES = [  # 08_reporting pictures, each also an MLflow artifact
    "benchmark_confusion_matrix.png",
    "benchmark_roc_curves.png",
    "student_reliability.png",
    "training_curves.png",
    "benchmark_accuracy.png",
    "benchmark_examples.png",
    "teacher_label_distribution.png",
    "teacher_calibration.png",
    "filtering_funnel.png",
]

OUTBOUND: list[str] = []  # every non-loopback connection or name lookup tried during the runs


def _is_local(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost", None, "")


def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Networking blocked: non-loopback connects and DNS lookups are recorded in OUTBOUND and refused."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            OUTBOUND.append(f"connect {address}")
            raise OSError(f"network blocked by the test: connect to {address}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            OUTBOUND.append(f"lookup {host}")
            raise socket.gaierror(f"network blocked by the test: lookup of {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


def _run(project: Path, pipeline: str) -> None:
    with KedroSession.create(project_path=project, env="tiny") as session:
        session.run(pipeline_name=pipeline)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    for env in ("base", "tiny"):
        shutil.copytree(ROOT / "conf" / env, project / "conf" / env)
    (project / "conf" / "local").mkdir()
    shutil.copy(ROOT / "conf" / "logging.yml", project / "conf" / "logging.yml")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    (project / "src").mkdir()  # the package itself is imported from the checkout
    for layer in LAYERS:
        (project / "data" / layer).mkdir(parents=True)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(project)
    bootstrap_project(project)
    _block_network(monkeypatch)
    _run(project, "sample_crowd")
    _run(project, "__default__")
    yield project
    mlflow.end_run()
    monkeypatch.undo()


def _runs(project: Path) -> list:
    client = MlflowClient(tracking_uri=f"sqlite:///{project / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("crowd_sentiment")
    return client, client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])


def test_every_stage_writes_its_outputs(project):
    data = project / "data"
    tweets = pd.read_parquet(data / "02_intermediate" / "tweets.parquet")
    rejected = pd.read_csv(data / "02_intermediate" / "rejected_inputs.csv", dtype=str)
    manifest = pd.read_parquet(data / "05_model_input" / "distillation_manifest.parquet")
    metrics = pd.read_csv(data / "08_reporting" / "benchmark_metrics.csv").query("protocol == 'zero_shot'")
    assert len(tweets) > 0 and {"malformed_json", "empty_text"} <= set(rejected["reason"])
    assert set(manifest["split"]) == {"train", "validation"}
    assert list(metrics["subset"]) == ["five_agree", "four_agree", "three_agree"]
    assert (data / "06_models" / "student_model.pt").is_file()
    for figure in FIGURES:
        assert (data / "08_reporting" / figure).stat().st_size > 1000, figure


def test_no_run_tries_to_reach_the_network(project):
    assert OUTBOUND == []


def test_the_run_is_tracked_in_mlflow(project):
    client, runs = _runs(project)
    run = runs[-1]
    assert run.info.status == "FINISHED"
    assert {"git.commit", "params.hash", "device.name", "device.count"} <= set(run.data.tags)
    assert (
        run.info.run_name
        == "__default__ · tf_efficientnet_lite0 · lbfgs l2=3 prior · teacher vader · thresholds 0.5/0.5/0.5 · env tiny"
    )
    assert run.data.tags["kedro.env"] == "tiny" and not any(
        p.startswith("manifest.") for p in run.data.params
    )
    assert run.data.params["distillation.training.epochs"] == "2"
    assert run.data.params["filtering.min_confidence.negative"] == "0.5"
    assert run.data.params["teacher.main.teacher"] == "vader" and run.data.params["teacher.main.version"]
    history = client.get_metric_history(run.info.run_id, "distillation.val_macro_f1")
    assert [m.step for m in history] == list(range(1, len(history) + 1))  # one point per L-BFGS block
    objective = [m.value for m in client.get_metric_history(run.info.run_id, "distillation.objective")]
    assert len(objective) == len(history) and all(a > b for a, b in zip(objective, objective[1:]))
    assert "benchmark.sample.five_agree.zero_shot.accuracy" in run.data.metrics
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert set(FIGURES) <= artifacts
    assert client.search_logged_models(
        [run.info.experiment_id], filter_string=f"source_run_id = '{run.info.run_id}'"
    )


def test_distillation_reruns_alone_from_the_command_line_as_a_new_mlflow_run(project):
    tweets = project / "data" / "02_intermediate" / "tweets.parquet"
    manifest = project / "data" / "05_model_input" / "distillation_manifest.parquet"
    before = (tweets.stat().st_mtime_ns, manifest.stat().st_mtime_ns)
    _, runs_before = _runs(project)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "kedro", "run", "--env", "tiny", "--pipelines", "distillation",
               "--params", "run_description=rerun alone"]  # fmt: skip
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    _, runs_after = _runs(project)
    assert len(runs_after) == len(runs_before) + 1
    rerun = runs_after[-1]
    assert rerun.info.run_name == (
        "distillation · tf_efficientnet_lite0 · lbfgs l2=3 prior · teacher vader · thresholds 0.5/0.5/0.5 (manifest) · env tiny"
        " · rerun alone"
    )
    assert rerun.data.tags["mlflow.note.content"] == "rerun alone"
    assert rerun.data.params["manifest.thresholds.neutral"] == "0.5"
    assert rerun.data.params["manifest.guarded_against"] == "sample"
    assert int(rerun.data.params["manifest.funnel.pictures.train.total"]) > 0
    full = runs_before[-1].data.params  # the settings that made the manifest, under the full run's names
    upstream = ("ingestion", "teacher_labeling", "filtering", "teacher")
    made = {k: v for k, v in full.items() if k.split(".")[0] in upstream}
    assert {"ingestion.store_short_side", "teacher_labeling.teacher", "teacher.main.version"} <= set(made)
    assert {k: rerun.data.params.get(k) for k in made} == made
    assert (tweets.stat().st_mtime_ns, manifest.stat().st_mtime_ns) == before
    assert "benchmark.sample.three_agree.zero_shot.accuracy" in runs_after[-1].data.metrics


def test_the_notebook_runs_on_the_finished_run(project, monkeypatch):
    notebook = nbformat.read(ROOT / "notebooks" / "explore_run.ipynb", as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells)  # committed without outputs
    monkeypatch.setenv("KEDRO_ENV", "tiny")  # the kernel loads the project through kedro.ipython
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(project)}}
    ).execute()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    text = "".join(
        output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in outputs
    )
    assert not [output for output in outputs if output.get("name") == "stderr"], text[-2000:]
    assert "environment: tiny" in text and "near_duplicates" in text  # the funnel table
    assert "teacher_label" in text and "vader" in text  # tweets with the teacher's labels
    assert {"zero_shot", "kfold_distilled", "kfold_imagenet"} <= set(text.split())
    assert sum("image/png" in output.get("data", {}) for output in outputs) == 3  # funnel, labels, pictures
