"""A small sweep: three variants of the whole pipeline, each one named MLflow run with a description.

    python scripts/sweep.py [--env tiny] [--tracking-uri URI] [--workdir data/sweep]

The variants differ in the student's head and the teacher's confidence thresholds (``VARIANTS``).
They run in a scratch copy of the project's configuration (``--workdir``, inside the checkout so
that runs are tagged with its git commit), on the embedded sample, so the checkout's own
``data/`` is left alone. Runs go to ``--tracking-uri`` (default: the checkout's ``mlflow.db``;
an MLflow server's ``http://127.0.0.1:<port>`` works too). Prints each run's wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["01_raw", "02_intermediate", "03_primary", "04_feature", "05_model_input", "06_models",
          "07_model_output", "08_reporting"]  # fmt: skip
# (run description, --params): what varies between the runs; no commas or colons in descriptions
VARIANTS = [
    ("sweep 1 of 3 - L-BFGS head and the env thresholds", ""),
    ("sweep 2 of 3 - class-centroid head", "distillation.training.head_solver=centroid"),
    ("sweep 3 of 3 - L-BFGS head and argmax labels", "filtering.min_confidence=argmax"),
]


def scratch_project(workdir: Path, env: str) -> Path:
    """``workdir`` as a project with the checkout's configuration for ``base`` and ``env`` and empty data layers."""
    # ./mlruns stays: the artifacts of earlier runs may live there
    for stale in ("conf", "data", "src", ".viz", "build"):
        shutil.rmtree(workdir / stale, ignore_errors=True)
    for name in dict.fromkeys(["base", env]):
        if (ROOT / "conf" / name).is_dir():
            shutil.copytree(ROOT / "conf" / name, workdir / "conf" / name)
    (workdir / "conf" / "local").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "conf" / "logging.yml", workdir / "conf" / "logging.yml")
    shutil.copy(ROOT / "pyproject.toml", workdir / "pyproject.toml")
    (workdir / "src").mkdir()  # the package is imported from the checkout
    for layer in LAYERS:
        (workdir / "data" / layer).mkdir(parents=True)
    return workdir


def kedro_run(workdir: Path, env: str, tracking_uri: str, *args: str) -> float:
    """Seconds taken by ``kedro run --env env *args`` in ``workdir``; raises with the log's tail when it fails."""
    environ = os.environ | {
        "CROWD_SENTIMENT_TRACKING_URI": tracking_uri,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "KEDRO_DISABLE_TELEMETRY": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "HF_HUB_OFFLINE": "1",
    }
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kedro", "run", "--env", env, *args], cwd=workdir, env=environ,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(
            f"kedro run {' '.join(args)} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}"
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env", default="tiny", help="Kedro environment of every run (default tiny: seconds each)"
    )
    parser.add_argument("--tracking-uri", default=f"sqlite:///{ROOT / 'mlflow.db'}", help="where the runs go")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "data" / "sweep", help="scratch project (recreated)"
    )
    args = parser.parse_args()
    workdir = scratch_project(args.workdir.resolve(), args.env)
    print(
        f"sample: {kedro_run(workdir, args.env, args.tracking_uri, '--pipelines', 'sample_crowd'):.0f} s",
        flush=True,
    )
    for description, params in VARIANTS:
        overrides = ",".join(p for p in (params, f"run_description={description}") if p)
        seconds = kedro_run(workdir, args.env, args.tracking_uri, "--params", overrides)
        print(f"{description}: {seconds:.0f} s ({params or 'defaults'})", flush=True)
    print(f"{len(VARIANTS)} runs in {args.tracking_uri}, experiment crowd_sentiment")


if __name__ == "__main__":
    main()
