"""Checks in a real browser: a three-run sweep in the MLflow UI (REST API, runs list, compare page) and the kedro-viz graph.

    python scripts/browser_check.py [--workdir data/browser_check] [--images DIR]

1. Starts an MLflow server on a free 127.0.0.1 port (SQLite store in ``--workdir``) and runs
   ``scripts/sweep.py`` (three ``tiny`` runs) into it.
2. Through the REST API: each run is FINISHED and carries its description in its name, the tags
   ``git.commit``, ``params.hash``, ``kedro.env``, ``device.name``, ``device.count``, its flattened
   parameters (with the value its variant sets) and zero-shot benchmark metrics.
3. In headless Chromium: the runs list (Model training view) shows the three descriptions; the
   compare page of runs 1 and 2 shows each parameter that differs, with both values.
4. Builds the sweep project's kedro-viz site (previews, the ``tiny`` row counts), serves it on
   127.0.0.1 and checks that every node of the five stages renders, that the manifest's row
   count is the file's, and that a dataset's side panel shows its catalog description.

Screenshots (kedro-viz graph, runs list, compare page) go to ``--images`` (default
``<workdir>/images``; ``docs/images`` refreshes the README's). Chromium comes from the
distribution (``apt-get install -y chromium`` when missing and run as root). Exits 1 listing
every failed assertion.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from sweep import VARIANTS  # noqa: E402

STAGES = ["ingestion", "teacher_labeling", "filtering", "distillation", "benchmarking"]
RUN_TAGS = ["git.commit", "params.hash", "kedro.env", "device.name", "device.count"]
MAX_IMAGE_BYTES = 300_000
MIN_OPENING_ZOOM = 0.42  # kedro-viz's fitted zoom of __default__ at 1600 x 1000 (45 % measured; 30 % with layer bands)
FAILURES: list[str] = []


def check(condition: bool, message: str) -> bool:
    """Record ``message`` as a failure unless ``condition``; print the outcome."""
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        FAILURES.append(message)
    return condition


def chromium() -> str:
    """Path of the distribution's Chromium, installed with apt-get when missing (root only)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing chromium from the distribution's packages (apt-get, about a minute)", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True)
        found = shutil.which("chromium")
    if not found:
        raise SystemExit(
            "chromium is missing: install it with `sudo apt-get install -y chromium`, then rerun"
        )
    return found


def browse(
    browser: str,
    url: str,
    screenshot: Path | None = None,
    size: str = "1400,900",
    budget_ms: int = 20000,
    before: str | None = None,
) -> str:
    """The DOM of ``url`` after ``budget_ms`` of virtual time in headless Chromium (or a PNG at ``screenshot``).

    ``before``: a page of the same origin opened first in the same profile (e.g. one that sets localStorage).
    """
    with tempfile.TemporaryDirectory() as profile:
        if before:
            browse_in(browser, profile, before, None, size, 2000)
        return browse_in(browser, profile, url, screenshot, size, budget_ms)


def browse_in(
    browser: str, profile: str, url: str, screenshot: Path | None, size: str, budget_ms: int
) -> str:
    """:func:`browse` in the Chromium profile folder ``profile``."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", f"--window-size={size}", f"--virtual-time-budget={budget_ms}",
               f"--screenshot={screenshot}" if screenshot else "--dump-dom", url]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if screenshot:
        _shrink(screenshot)
    return done.stdout


def _shrink(png: Path) -> None:
    """Re-save ``png`` with a 256-colour palette when it is over MAX_IMAGE_BYTES."""
    if png.is_file() and png.stat().st_size > MAX_IMAGE_BYTES:
        Image.open(png).convert("RGB").quantize(256).save(png, optimize=True)


def page_text(dom: str) -> str:
    """The visible text of a DOM dump, one tab between elements."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\t", text))
    return re.sub(r"\s*\t[\t\s]*", "\t", text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(stack: ExitStack, command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start ``command`` (output to ``log``); it is terminated when ``stack`` closes."""
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    stack.callback(lambda: (process.terminate(), process.wait(timeout=30)))
    return process


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[:3]} exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def rest(base: str, path: str, body: dict | None = None) -> dict:
    """JSON answer of MLflow's REST API (POST when ``body`` is given)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/2.0/mlflow/{path}", data=data,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def check_runs(base: str) -> tuple[str, list[dict]]:
    """Experiment id and the sweep's runs in VARIANTS order, after checking each one's name, tags, params and metrics."""
    experiment = rest(base, "experiments/get-by-name?experiment_name=crowd_sentiment")["experiment"][
        "experiment_id"
    ]
    found = rest(base, "runs/search", {"experiment_ids": [experiment], "max_results": 100})["runs"]
    runs = []
    for description, params in VARIANTS:
        named = [r for r in found if r["info"]["run_name"].endswith(description)]
        if not check(len(named) == 1, f"one run named '… · {description}'"):
            continue
        run = named[0]
        runs.append(run)
        tags = {t["key"]: t["value"] for t in run["data"].get("tags", [])}
        values = {p["key"]: p["value"] for p in run["data"].get("params", [])}
        metrics = {m["key"] for m in run["data"].get("metrics", [])}
        check(run["info"]["status"] == "FINISHED", f"  status FINISHED ({run['info']['status']})")
        check(tags.get("mlflow.note.content") == description, "  description as the run's MLflow note")
        missing = [t for t in RUN_TAGS if not tags.get(t)]
        check(not missing and tags["kedro.env"] == "tiny" and tags["git.commit"] != "unknown",
              f"  tags {', '.join(f'{t}={tags.get(t)}' for t in RUN_TAGS)}")  # fmt: skip
        wanted = dict(p.split("=", 1) for p in params.split(",") if p)
        check(len(values) >= 50 and all(values.get(k) == v for k, v in wanted.items()),
              f"  {len(values)} parameters, including {wanted or 'the defaults'}")  # fmt: skip
        zero_shot = sorted(
            m for m in metrics if re.fullmatch(r"benchmark\.[^.]+\.[^.]+\.zero_shot\.(accuracy|roc_auc)", m)
        )
        check(len(zero_shot) >= 2, f"  zero-shot benchmark metrics ({', '.join(zero_shot[:2])}, …)")
    return experiment, runs


def check_mlflow_pages(browser: str, base: str, experiment: str, runs: list[dict], images: Path) -> None:
    """Runs list and compare page, rendered by Chromium: descriptions and differing parameter values appear."""
    runs_url = f"{base}/#/experiments/{experiment}/runs?workflowType=machine_learning"
    text = page_text(browse(browser, runs_url))
    check(all(d in text for d, _ in VARIANTS), "runs list (Model training) shows the three run descriptions")
    browse(browser, runs_url, images / "mlflow_runs.png", size="1800,600")
    first, second = runs[0], runs[1]
    ids = json.dumps([first["info"]["run_id"], second["info"]["run_id"]])
    compare_url = f"{base}/#/compare-runs?runs={urllib.parse.quote(ids)}&experiments={urllib.parse.quote(json.dumps([experiment]))}"
    text = page_text(browse(browser, compare_url))
    a, b = ({p["key"]: p["value"] for p in r["data"]["params"]} for r in (first, second))
    differing = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    check(bool(differing), f"runs 1 and 2 differ in parameters {differing}")
    for key in differing:
        shown = f"\t{key}\t{a[key]}\t{b[key]}\t" in text or f"\t{key}\t{b[key]}\t{a[key]}\t" in text
        check(shown, f"compare page shows {key}: {a[key]} | {b[key]}")
    browse(browser, compare_url, images / "mlflow_compare.png", size="1800,1000")


def opening_zoom(browser: str, url: str, tries: int = 10) -> tuple[str, float | None]:
    """The DOM of kedro-viz at ``url`` (1600 x 1000) and the scale of its graph once the fit-to-view zoom has settled.

    The DOM is dumped again, with 10 s more virtual time each try, while the zoom wrapper is missing or
    still animating (on a loaded machine virtual time can stop mid-transition); each try's state is printed.
    """
    dom = ""
    for attempt in range(tries):
        dom = browse(browser, url, size="1600,1000", budget_ms=20000 + 10000 * attempt)
        found = re.search(r'<g[^>]*class="pipeline-zoom-wrapper( [^"]*)?"[^>]*transform="[^"]*scale\(([0-9.]+)\)', dom)
        if found and "animating" not in (found.group(1) or ""):
            return dom, float(found.group(2))
        print(f"      zoom try {attempt + 1}: {'still animating' if found else 'no zoom wrapper in the DOM'}", flush=True)
    return dom, None


def check_kedro_viz(browser: str, stack: ExitStack, project: Path, workdir: Path, images: Path) -> None:
    """Build the sweep project's kedro-viz site, serve it, and check node names, namespaces and row counts."""
    environ = os.environ | {"KEDRO_ENV": "tiny", "PYTHONPATH": str(ROOT / "src")}
    python = sys.executable
    subprocess.run([python, str(ROOT / "scripts" / "viz_stats.py"), "--env", "tiny", "--project", str(project)],
                   check=True, env=environ, capture_output=True)  # fmt: skip
    done = subprocess.run([python, "-m", "kedro", "viz", "build", "--include-previews"], cwd=project, env=environ,
                          capture_output=True, text=True)  # fmt: skip
    if not check(done.returncode == 0 and (project / "build" / "index.html").is_file(), "kedro viz build"):
        print(done.stdout[-2000:] + done.stderr[-2000:])
        return
    port = free_port()
    server = start(stack, [python, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                           str(project / "build")], workdir / "viz_server.log")  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/api/main", server)
    from crowd_sentiment.pipeline_registry import register_pipelines

    pipelines = register_pipelines()
    dom, zoom = opening_zoom(browser, f"{base}/")
    check(
        all(f"\t{stage}\t" in page_text(dom) for stage in STAGES),
        "__default__ opens with the five stages as namespaces",
    )
    check(
        zoom is not None and zoom >= MIN_OPENING_ZOOM,
        f"__default__ opens at a readable zoom at 1600 x 1000 ({zoom and round(100 * zoom)} % >= {100 * MIN_OPENING_ZOOM:.0f} %)",
    )
    for stage in STAGES:
        text = page_text(browse(browser, f"{base}/?pid={stage}&expandAllPipelines=true"))
        names = sorted({node.name.rsplit(".", 1)[-1] for node in pipelines[stage].nodes})
        missing = [name for name in names if f"\t{name}\t" not in text]
        check(
            not missing,
            f"kedro-viz renders the {len(names)} nodes of {stage}"
            + (f" (missing {missing})" if missing else ""),
        )
    main = json.loads((project / "build" / "api" / "main").read_text())
    shown = next(n for n in main["nodes"] if n["name"] == "distillation_manifest")["node_extras"]["stats"][
        "rows"
    ]
    rows = len(pd.read_parquet(project / "data" / "05_model_input" / "distillation_manifest.parquet"))
    check(shown == rows, f"kedro-viz shows the tiny manifest's own row count ({shown} = {rows})")
    described = yaml.safe_load((project / "conf" / "base" / "catalog.yml").read_text())["student_model"]
    selected = next(n["id"] for n in main["nodes"] if n["name"] == "student_model")
    text = page_text(browse(browser, f"{base}/?pid=__default__&sid={selected}&expandAllPipelines=true"))
    check(
        described["metadata"]["description"] in text,
        "student_model's side panel shows its catalog description",
    )
    seed = project / "build" / "screenshot_settings.html"  # the screenshot without the new-feature hints
    seed.write_text('<script>localStorage.setItem("KedroViz", \'{"showFeatureHints": false}\')</script>')
    browse(browser, f"{base}/", images / "kedro_viz.png", size="1600,1000", before=f"{base}/{seed.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "data" / "browser_check", help="scratch folder (recreated)"
    )
    parser.add_argument("--images", type=Path, help="where the screenshots go (default <workdir>/images)")
    args = parser.parse_args()
    started = time.perf_counter()
    browser = chromium()
    workdir = args.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    images = (args.images or workdir / "images").resolve()
    for folder in (workdir, images):
        folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        port = free_port()
        server = start(stack, [str(Path(sys.executable).parent / "mlflow"), "server", "--backend-store-uri",
                               f"sqlite:///{workdir / 'mlflow.db'}", "--artifacts-destination", str(workdir / "mlartifacts"),
                               "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                       workdir / "mlflow_server.log", env=os.environ | {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health", server)
        print(f"MLflow server up at {base} after {time.perf_counter() - started:.0f} s", flush=True)
        project = workdir / "project"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "sweep.py"), "--env", "tiny", "--tracking-uri", base,
                        "--workdir", str(project)], check=True)  # fmt: skip
        experiment, runs = check_runs(base)
        if len(runs) == len(VARIANTS):
            check_mlflow_pages(browser, base, experiment, runs, images)
        check_kedro_viz(browser, stack, project, workdir, images)
    for png in sorted(images.glob("*.png")):
        check(
            png.stat().st_size < MAX_IMAGE_BYTES, f"screenshot {png.name}: {png.stat().st_size / 1000:.0f} KB"
        )
    print(
        f"browser check: {len(FAILURES)} failures in {time.perf_counter() - started:.0f} s; screenshots in {images}"
    )
    if FAILURES:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
