"""How much one train/validation split moves the zero-shot figures, and what fitting the head on every row does.

    .venv/bin/python benchmarks/split_spread.py [--splits N]     # after make mvsa

Reads the MVSA environment's own training manifest (``data/mvsa``, or ``$CROWD_SENTIMENT_MVSA_DATA``
as for ``kedro run --env mvsa``) and cached features. With the default distillation settings, the head is fitted on
the manifest's split and on ``--splits`` re-drawn ones (``selection.validation_share`` of the split
groups, i.e. of the near-duplicate clusters, to validation; seeds 1…), each on its training rows only; then once
on every row (``training.fit_validation``). On each split, and on every row, the class-centroid rule
(``training.head_solver: centroid``) is fitted too, on the same features: the baseline the
student should not fall below. Each fit is scored on the development slice of
``benchmarking.selection`` (human image labels) and, reported beside, on the binary MVSA
benchmarks (image label; joint label). Prints one row per fit, the mean and standard deviation
of the default head's training-rows fits and of its AUC gap to the centroid rule on the same rows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from select_settings import DATA, MVSA, evaluate, features_by_id, scored_images  # noqa: E402

from crowd_sentiment.core.feature_cache import FeatureCache  # noqa: E402
from crowd_sentiment.core.settings_selection import binary_scores, crowd_of, draw_dev_slice, manifest_splits  # noqa: E402
from crowd_sentiment.params import BenchmarkingParams, DistillationParams  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", type=int, help="re-drawn splits beside the manifest's own (default: selection.splits)")
    args = parser.parse_args()
    params = MVSA["parameters"]
    selection = BenchmarkingParams.model_validate(params["benchmarking"]).selection
    manifest_path = DATA / "05_model_input/distillation_manifest.parquet"
    if selection is None or not manifest_path.is_file():
        sys.exit(f"needs benchmarking.selection (conf/mvsa) and {manifest_path}: run `make mvsa` first")
    manifest = pd.read_parquet(manifest_path)
    pictures = pd.read_parquet(DATA / "02_intermediate/tweet_images.parquet")
    dev = draw_dev_slice(crowd_of(pictures, selection), pd.read_csv(selection.labels), selection.size, selection.seed)
    benchmarks = pd.read_parquet(DATA / "03_primary/benchmark_images.parquet")
    bench, joint = (benchmarks.query(f"benchmark == '{name}'") for name in ("mvsa", "mvsa_joint"))
    images = scored_images(manifest, dev, pd.concat([bench, joint]))
    settings = DistillationParams.model_validate(params["distillation"])
    vectors = features_by_id(settings, images, FeatureCache(DATA / "04_feature/image_feature_cache"), {})
    splits = manifest_splits(manifest, selection.splits if args.splits is None else args.splits, selection.validation_share)
    fits = [(name, frame, {"fit_validation": False}) for name, frame in splits]
    fits += [(f"{name}, class-centroid rule", frame, {"head_solver": "centroid", "fit_validation": False})
             for name, frame in splits]  # fmt: skip
    fits += [("every row (fit_validation)", manifest, {"fit_validation": True}),
             ("every row, class-centroid rule", manifest, {"head_solver": "centroid", "fit_validation": True})]  # fmt: skip
    rows = []
    for name, frame, training in fits:
        fitted = settings.model_copy(update={"training": settings.training.model_copy(update=training)})
        _, (dev_probs, bench_probs, joint_probs) = evaluate(
            fitted, vectors, frame, [dev["image_id"], bench["image_id"], joint["image_id"]]
        )
        scores = {f"dev_{k}": v for k, v in binary_scores(dev["gold"].to_numpy(), dev_probs).items()}
        scores |= {f"mvsa_{k}": v for k, v in binary_scores(bench["label"].to_numpy(), bench_probs).items()}
        scores |= {f"joint_{k}": v for k, v in binary_scores(joint["label"].to_numpy(), joint_probs).items()}
        every_row = training.get("fit_validation", False)
        rows.append({"fit": name, "rows_fitted": len(frame) if every_row else int((frame["split"] == "train").sum())} | scores)
        print(f"  {name}: dev AUC {scores['dev_auc']:.3f}, MVSA AUC {scores['mvsa_auc']:.3f}, "
              f"joint AUC {scores['joint_auc']:.3f}", flush=True)  # fmt: skip
    columns = ["rows_fitted", "dev_auc", "dev_macro_f1", "mvsa_auc", "mvsa_accuracy", "joint_auc", "joint_accuracy"]
    table = pd.DataFrame(rows).set_index("fit")[columns]
    print(table.round(3).to_string())
    n, scores = len(splits), ["dev_auc", "mvsa_auc", "joint_auc"]
    print("training-rows fits:", table.iloc[:n].agg(["mean", "std"]).round(4).to_dict())
    gaps = pd.DataFrame(table.iloc[:n].to_numpy() - table.iloc[n : 2 * n].to_numpy(), columns=columns)
    print("default head minus the class-centroid rule, same split:", gaps[scores].agg(["mean", "std"]).round(4).to_dict())
    print("default head minus the class-centroid rule, both on every row:", (table.iloc[-2] - table.iloc[-1])[scores].round(4).to_dict())


if __name__ == "__main__":
    main()
