"""How much one train/validation split moves the zero-shot figures, and what fitting the head on every row does.

    .venv/bin/python benchmarks/split_spread.py [--splits 5]     # after make mvsa

Reads the MVSA environment's own training manifest (``data/mvsa``, or ``$CROWD_SENTIMENT_MVSA_DATA``
as for ``kedro run --env mvsa``) and cached features. With the default distillation settings, the head is fitted on
the manifest's split and on ``--splits`` re-drawn ones (20 % of the split groups, i.e. of the
near-duplicate clusters, to validation; seeds 1…), each on its training rows only; then once
on every row (``training.fit_validation``). On each split the class-centroid rule
(``training.head_solver: centroid``) is fitted too, on the same features: the baseline the
student should not fall below. Each fit is scored on the development slice of
``benchmarking.selection`` (human image labels) and, reported beside, on the binary MVSA
benchmarks (image label; joint label). Prints one row per fit, the mean and standard deviation
of the default head's training-rows fits and of its AUC gap to the centroid rule on the same split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from select_settings import DATA, MVSA, evaluate, features_by_id, scored_images  # noqa: E402

from crowd_sentiment.core.feature_cache import FeatureCache  # noqa: E402
from crowd_sentiment.core.settings_selection import binary_scores, crowd_of, draw_dev_slice  # noqa: E402
from crowd_sentiment.params import BenchmarkingParams, DistillationParams  # noqa: E402

VALIDATION_SHARE = 0.2


def redrawn(manifest: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``manifest`` with ``VALIDATION_SHARE`` of its split groups (seeded) as validation, the rest as train."""
    groups = manifest["split_group"].unique()
    chosen = np.random.default_rng(seed).choice(groups, size=round(VALIDATION_SHARE * len(groups)), replace=False)
    return manifest.assign(split=np.where(manifest["split_group"].isin(chosen), "validation", "train"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", type=int, default=5, help="re-drawn splits beside the manifest's own")
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
    splits = [("manifest split", manifest)]
    splits += [(f"re-drawn split {seed}", redrawn(manifest, seed)) for seed in range(1, args.splits + 1)]
    fits = [(name, frame, {}) for name, frame in splits]
    fits.append(("every row (fit_validation)", manifest, {"fit_validation": True}))
    fits += [(f"{name}, class-centroid rule", frame, {"head_solver": "centroid"}) for name, frame in splits]
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
    spread = table.iloc[: len(splits)].agg(["mean", "std"]).round(4)
    print("training-rows fits:", spread.to_dict())
    gaps = table.iloc[: len(splits)].to_numpy() - table.iloc[len(splits) + 1 :].to_numpy()
    gap = pd.DataFrame(gaps, columns=columns)[["dev_auc", "mvsa_auc", "joint_auc"]].agg(["mean", "std"]).round(4)
    print("default head minus the class-centroid rule, same split:", gap.to_dict())


if __name__ == "__main__":
    main()
