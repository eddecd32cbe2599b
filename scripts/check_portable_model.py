"""Check that the student's MLflow model runs on a clean machine: a fresh venv with only its requirements.

Saves the stored student as the MLflow pyfunc (or downloads a logged one, ``--model-uri``) into a
temp folder outside the repository, creates a virtual environment with ``python -m venv``,
``pip install -r`` the model's ``requirements.txt`` (nothing else: no crowd_sentiment), loads the
model there with ``mlflow.pyfunc.load_model`` from outside the repository, scores pictures, and
compares the probabilities with the project's own inference (``core.inference``) on the same files.

    .venv/bin/python scripts/check_portable_model.py [--student data/06_models/student_model.pt]
        [--model-uri runs:/<run id>/student] [--picture a.jpg ...] [--venv /tmp/keep] [--tolerance 1e-5]

Prints the install, load and scoring times and the largest difference; exits 1 when it exceeds the tolerance.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import student_probabilities
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.mlflow_model import example_jpeg, save_student_pyfunc

ROOT = Path(__file__).resolve().parents[1]
SCORE = """
import importlib.util, json, sys, time
import pandas as pd
assert importlib.util.find_spec("crowd_sentiment") is None, "crowd_sentiment is importable: not a clean environment"
started = time.perf_counter()
import mlflow.pyfunc
model = mlflow.pyfunc.load_model(sys.argv[1])
loaded = time.perf_counter()
frame = pd.DataFrame({"image": [open(p, "rb").read() for p in sys.argv[2:]]})
out = model.predict(frame)
done = time.perf_counter()
print(json.dumps({"load_s": loaded - started, "predict_s": done - loaded, "columns": list(out.columns),
                  "probabilities": out[["p_negative", "p_neutral", "p_positive"]].to_numpy().tolist(),
                  "labels": out["label"].tolist(), "mlflow": mlflow.__version__}))
"""


def _model_folder(args, scratch: Path) -> tuple[Path, StoredStudent]:
    stored = StoredStudent.load(args.student)
    if args.model_uri:
        import mlflow

        folder = Path(mlflow.artifacts.download_artifacts(args.model_uri, dst_path=str(scratch / "download")))
        print(f"model: {args.model_uri} (downloaded to {folder}); compared with {args.student}")
        return folder, stored
    folder = save_student_pyfunc(stored, scratch / "student_model")
    print(f"model: {args.student} saved as an MLflow pyfunc in {folder}")
    return folder, stored


def _pictures(args, scratch: Path) -> list[Path]:
    if args.picture:
        return [Path(p).resolve() for p in args.picture]
    pictures = [scratch / "example.jpg"]
    pictures[0].write_bytes(example_jpeg((320, 200)))
    sample = sorted((ROOT / "data" / "01_raw" / "sample_benchmark" / "images").glob("*.jpg"))[:3]
    return pictures + sample


def _clean_env() -> dict[str, str]:
    """This process's environment without what would point the clean venv at the project's."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _venv(path: Path, requirements: Path) -> float:
    """Create ``path`` (unless it holds a venv already) and install ``requirements``; returns the seconds it took."""
    python = path / "bin" / "python"
    if python.exists():
        print(f"venv: reusing {path}")
        return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], env=_clean_env(),
                          cwd=path, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"pip install -r {requirements} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", default=str(ROOT / "data" / "06_models" / "student_model.pt"))
    parser.add_argument(
        "--model-uri", help="a logged model instead of saving --student, e.g. runs:/<run id>/student"
    )
    parser.add_argument(
        "--picture", nargs="*", help="pictures to score (default: a generated JPEG and 3 sample ones)"
    )
    parser.add_argument(
        "--venv", help="keep the environment here (reused when it exists); default: a temp folder"
    )
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="portable_model_"))
    try:
        folder, stored = _model_folder(args, scratch)
        pictures = _pictures(args, scratch)
        venv = Path(args.venv) if args.venv else scratch / "venv"
        requirements = folder / "requirements.txt"
        print("requirements:", ", ".join(requirements.read_text().split()))
        install_s = _venv(venv, requirements)
        done = subprocess.run([str(venv / "bin" / "python"), "-c", SCORE, str(folder), *map(str, pictures)],
                              cwd=scratch, env=_clean_env(), capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:])
            return 1
        result = json.loads(done.stdout.strip().splitlines()[-1])
        clean = np.array(result["probabilities"])
        ids = [str(k) for k in range(len(pictures))]
        project = student_probabilities(stored, ImageSet.of(ids, pictures), torch.device("cpu"), cache=None)
        difference = float(np.abs(clean - project).max())
        installed = f"install {install_s:.1f} s" if install_s else "reused (no install)"
        print(f"venv {venv}: {installed}, load {result['load_s']:.2f} s, "
              f"score {len(pictures)} pictures {result['predict_s']:.2f} s (mlflow {result['mlflow']})")  # fmt: skip
        for picture, row, label in zip(pictures, clean, result["labels"], strict=True):
            print(
                f"  {picture.name}: p_negative {row[0]:.6f} p_neutral {row[1]:.6f} p_positive {row[2]:.6f} → {label}"
            )
        print(
            f"largest difference from the project's inference: {difference:.2e} (tolerance {args.tolerance:g})"
        )
        return 0 if difference <= args.tolerance else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
