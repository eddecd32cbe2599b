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

.PHONY: help venv sample run test mvsa mvsa-ci viz viz-serve mlflow-ui clean-data

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install --quiet -r requirements.txt -e . 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the pinned dependencies

$(SAMPLE): | $(STAMP)
	$(BIN)/kedro run --pipeline sample_crowd

sample: $(SAMPLE)  ## write the embedded sample crowd and benchmark into data/01_raw

run: $(STAMP) $(SAMPLE)  ## set up, then run all pipelines end to end on the sample
	$(BIN)/kedro run

test: $(STAMP)  ## set up, then run the test suite
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

mvsa: $(STAMP)  ## the real MVSA crowd and benchmarks end to end (conf/mvsa, outputs in data/mvsa)
	$(BIN)/kedro run --env mvsa

mvsa-ci: $(STAMP)  ## the real-data run on the first 300 crowd pairs (what CI runs)
	$(BIN)/kedro run --env mvsa --params crowd_limit=300

viz: $(STAMP)  ## build the static kedro-viz site into build/
	$(BIN)/kedro viz build

viz-serve: viz  ## serve the static kedro-viz site on http://127.0.0.1:4141
	$(BIN)/python -m http.server 4141 --bind 127.0.0.1 --directory build

mlflow-ui: $(STAMP)  ## MLflow UI over the project's store on http://127.0.0.1:5000
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(BIN)/mlflow server --backend-store-uri sqlite:///mlflow.db \
	  --default-artifact-root ./mlruns --host 127.0.0.1 --port 5000 --workers 1

clean-data:  ## delete generated data, models, reports and the MLflow store (keeps .gitkeep)
	find data -type f ! -name .gitkeep -delete
	rm -rf mlflow.db mlruns build
