# Crowd Sentiment — set-up and everyday commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KEDRO_DISABLE_TELEMETRY := 1
export HF_HUB_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1
SAMPLE := data/01_raw/tweet_dumps/sample_crowd.jsonl
# Kedro environment of `make viz` (mvsa, tiny, ...)
ENV ?= local

.PHONY: help venv sample run test mvsa mvsa-ci viz viz-serve sweep browser-check mlflow-ui lab clean-data bench bench-filtering bench-ingestion bench-distillation bench-teacher bench-learned-teacher select-settings device-check media-download check-model

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install --quiet -r requirements.txt -e . 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the pinned dependencies

$(SAMPLE): | $(STAMP)
	$(BIN)/kedro run --pipelines sample_crowd

sample: $(SAMPLE)  ## write the embedded sample crowd and benchmark into data/01_raw

run: $(STAMP) $(SAMPLE)  ## set up, then run all pipelines end to end on the sample
	$(BIN)/kedro run

test: $(STAMP)  ## set up, then run the test suite
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

mvsa: $(STAMP)  ## the real MVSA crowd and benchmarks end to end (conf/mvsa, outputs in data/mvsa)
	$(BIN)/kedro run --env mvsa

bench-filtering: $(STAMP)  ## near-duplicate search on 1,000,000 hashes vs all pairs; recall per copy transform on MVSA pictures
	$(BIN)/python benchmarks/bench_filtering.py

bench-distillation: $(STAMP)  ## CPU feature extraction old vs new path (ratio); training images/s (frozen features, Lite0 fine-tuning)
	$(BIN)/python benchmarks/bench_distillation.py

select-settings: $(STAMP)  ## choose distillation settings on the MVSA crowd's development slice (human image labels); MVSA figures beside
	$(BIN)/python benchmarks/select_settings.py

device-check:  ## on a CUDA machine: ViT-B/16 bf16 training (eager, compiled), features, teacher; MVSA run on the GPU
	scripts/device_check.sh

bench-teacher: $(STAMP)  ## teacher tweets/s: per-tweet loop vs batched MiniLM (ratio), VADER per core; RoBERTa-base bf16 on CUDA
	$(BIN)/python benchmarks/bench_teacher.py

bench-learned-teacher: $(STAMP)  ## the learned teacher's default 5-fold choice on MVSA-Multiple: pooled out-of-fold macro-recall at the chosen (VADER weight, prior correction), its spread over folds, fit time
	$(BIN)/python benchmarks/learned_teacher_cv.py

bench-ingestion: $(STAMP)  ## pictures/s of validate+resize+store vs a naive PIL loop; JSON-lines tweets/s; a 200,000-tweet dump end to end
	$(BIN)/python benchmarks/bench_ingestion.py

media-download: $(STAMP)  ## fetch the dumps' media URLs missing from data/01_raw/tweet_media (the only command that uses the network)
	$(BIN)/kedro run --pipelines media_download

mvsa-ci: $(STAMP)  ## the real-data run on the first 300 crowd pairs (what CI runs)
	$(BIN)/kedro run --env mvsa --params crowd_limit=300

viz: $(STAMP)  ## static kedro-viz site in build/ with previews and this ENV's row counts (ENV=mvsa; default local)
	$(BIN)/python scripts/viz_stats.py --env $(ENV)
	KEDRO_ENV=$(ENV) $(BIN)/kedro viz build --include-previews

viz-serve: viz  ## serve the static kedro-viz site on http://127.0.0.1:4141
	$(BIN)/python -m http.server 4141 --bind 127.0.0.1 --directory build

sweep: $(STAMP)  ## three tiny runs (head, thresholds) with descriptions into TRACKING_URI (default the project's mlflow.db)
	$(BIN)/python scripts/sweep.py --env tiny $(if $(TRACKING_URI),--tracking-uri $(TRACKING_URI))

browser-check: $(STAMP)  ## Chromium on kedro-viz and the MLflow UI over a sweep (REST, runs list, compare page); IMAGES=docs/images keeps the screenshots
	$(BIN)/python scripts/browser_check.py $(if $(IMAGES),--images $(IMAGES))

check-model: $(STAMP)  ## the student's MLflow model in a fresh venv with only its requirements: install time, probabilities vs the project's
	$(BIN)/python scripts/check_portable_model.py

lab: $(STAMP)  ## JupyterLab on the project's kernel (kedro jupyter lab); open notebooks/explore_run.ipynb
	$(BIN)/kedro jupyter lab

mlflow-ui: $(STAMP)  ## MLflow UI over the project's store on http://127.0.0.1:5000
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(BIN)/mlflow server --backend-store-uri sqlite:///mlflow.db \
	  --default-artifact-root ./mlruns --host 127.0.0.1 --port 5000 --workers 1

bench: bench-filtering bench-ingestion bench-distillation bench-teacher bench-learned-teacher select-settings  ## every benchmark (prints figures)

clean-data:  ## delete generated data, models, reports and the MLflow store (keeps .gitkeep)
	find data -type f ! -name .gitkeep -delete
	rm -rf mlflow.db mlruns build
