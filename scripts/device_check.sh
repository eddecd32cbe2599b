#!/usr/bin/env bash
# Device check on a CUDA machine (target: under 5 minutes in all). Run from the repository root:
#   scripts/device_check.sh            # speed figures, then an end-to-end MVSA distillation run on the GPU
#   SKIP_KEDRO=1 scripts/device_check.sh   # speed figures only
# Without network, bring the project's wheels along: WHEELS=path/to/wheels scripts/device_check.sh
# (made here with `pip download -r requirements.txt -d wheels`). Prints figures; writes the MLflow
# store of the end-to-end run to ${OUT:-.}/device_check/ when OUT is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export KEDRO_DISABLE_TELEMETRY=1 MLFLOW_DISABLE_TELEMETRY=true HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
PY=${PYTHON:-python3}
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi

if ! "$PY" -c "import crowd_sentiment, timm, kedro, mlflow" 2>/dev/null; then
  echo "== installing the project (${WHEELS:+from $WHEELS, }no-deps fallback where offline)"
  if [ -n "${WHEELS:-}" ]; then
    "$PY" -m pip install -q --no-index --find-links "$WHEELS" -r requirements.txt -e . || true
  else
    "$PY" -m pip install -q -r requirements.txt -e . || "$PY" -m pip install -q --no-deps -e . || true
  fi
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"

echo "== speed (synthetic data on the device)"
timeout 240 "$PY" scripts/device_check.py "$@"

if [ -n "${SKIP_KEDRO:-}" ]; then exit 0; fi
if ! "$PY" -c "import kedro, kedro_mlflow, mlflow, vaderSentiment" 2>/dev/null; then
  echo "== end-to-end run skipped: the project's dependencies are not installed here (bring WHEELS)"; exit 0
fi
echo "== end to end: kedro run --env mvsa, ViT-B/32 student from random weights, full fine-tuning on the GPU"
PARAMS="distillation.student.arch=vit_base_patch32_224,distillation.student.weights=none"
PARAMS+=",distillation.student.train_backbone=true,distillation.student.head_hidden=32"
PARAMS+=",distillation.training.head_solver=minibatch,distillation.training.epochs=2"
PARAMS+=",distillation.training.optimizer=adamw,distillation.training.lr=0.0001,distillation.num_workers=8"
PARAMS+=",benchmarking.kfold.folds=2,benchmarking.kfold.epochs=2"
started=$(date +%s)
timeout 300 "$PY" -m kedro run --env mvsa --params "$PARAMS" 2>&1 | grep -E "epoch|images/s|Pipeline|Error|error" | tail -20
echo "end-to-end wall time: $(( $(date +%s) - started )) s"
"$PY" - <<'EOF'
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri="sqlite:///mlflow.db")
experiment = client.get_experiment_by_name("crowd_sentiment_mvsa") or client.get_experiment_by_name("crowd_sentiment")
run = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1)[0]
print("MLflow run", run.info.run_id, run.info.status, {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")})
for name in sorted(run.data.metrics):
    if name.startswith(("system/gpu", "distillation.images_per_second", "distillation.mfu")):
        print(f"  {name} = {run.data.metrics[name]:.3f}")
EOF
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT/device_check" && cp mlflow.db "$OUT/device_check/" || true; fi
