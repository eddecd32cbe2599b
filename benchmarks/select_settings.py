"""Choose the distillation settings by people: the grid of ``benchmarking.selection`` on its development slice.

    .venv/bin/python benchmarks/select_settings.py        # make select-settings (after make mvsa)
    .venv/bin/python benchmarks/select_settings.py ROW…   # a preview on the named grid rows (writes nothing)

Reads the MVSA environment (``conf/mvsa``, ``data/mvsa``): the ingested tweets and pictures, the
frozen-backbone feature cache (missing features, e.g. another framing, are computed and
cached: minutes on CPU), the crowd's pictures and the benchmark pictures. A seeded slice of
crowd pictures (``selection.size``) is held out of the training manifest, which is built
here with the default teacher (VADER) and filtering; every setting of ``selection.grid`` fits its head on the rest, and the slice's human
image labels (``selection.labels``) score it: the mean over its fits on the manifest's train/validation
split and ``selection.splits`` re-drawn ones (once, on every row, with ``fit_validation``). The best
``selection.criterion`` is chosen.
The MVSA image benchmark (binary, neutral dropped) is scored beside it, never used to choose.
Prints the table (markdown) and the reliability diagrams of the chosen setting; writes both to
``data/mvsa/08_reporting/settings_selection.md`` and the table to ``settings_selection.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from kedro.config import OmegaConfigLoader

from crowd_sentiment.core.distill import fit_head
from crowd_sentiment.core.feature_cache import FeatureCache, backbone_key, student_features
from crowd_sentiment.core.heads import teacher_positive_share
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.metrics import binary_roc_auc, majority_rate, reliability, resampled_roc_auc
from crowd_sentiment.core.polar import binary_probability, polar_score
from crowd_sentiment.core.selection import FilteringSettings, build_manifest
from crowd_sentiment.core.settings_selection import (
    SelectionSettings,
    binary_scores,
    crowd_of,
    dev_slice_held_out,
    draw_dev_slice,
    manifest_splits,
    selection_table_markdown,
)
from crowd_sentiment.core.students import build_head, build_student
from crowd_sentiment.core.teachers import VaderSettings, VaderTeacher
from crowd_sentiment.core.training import FitResult
from crowd_sentiment.params import BenchmarkingParams, DistillationParams
from crowd_sentiment.settings import CONFIG_LOADER_ARGS

# Every grid row starts from the distillation defaults with these options reset, so that a row means
# the same whatever the defaults became; the calibration temperature changes no ranking (fitted after).
GRID_BASE: dict[str, Any] = {
    "student": {"views": "single", "ensemble": [], "levels": 0},
    "training": {"decision": "argmax", "positive_share": 0.0, "calibration_temperature": 1.0,
                 "noise_loss": "none", "shrink_to": "zero", "fit_validation": False},
}  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]
MVSA = OmegaConfigLoader(str(ROOT / "conf"), env="mvsa", **CONFIG_LOADER_ARGS)  # the mvsa environment's config
DATA = ROOT / MVSA["globals"]["data_dir"]  # its layers (CROWD_SENTIMENT_MVSA_DATA, else data/mvsa)
CPU = torch.device("cpu")


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` applied key by key, nested dicts merged."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = (
            merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def features_by_id(settings: DistillationParams, images: ImageSet, cache: FeatureCache, store: dict) -> dict:
    """The head's input features per image id for the backbones and views of ``settings`` (cached on disk and in ``store``)."""
    spec = settings.student
    key = (backbone_key(spec), spec.ensemble, spec.views, spec.feature_norm if spec.ensemble else "")
    if key not in store:
        vectors = student_features(build_student(spec), images, CPU, cache=cache,
                                   batch_size=settings.feature_batch_size)  # fmt: skip
        store[key] = dict(zip(images.ids, vectors, strict=True))
    return store[key]


def scored_images(train_rows: pd.DataFrame, dev: pd.DataFrame, bench: pd.DataFrame) -> ImageSet:
    """The pictures of the training rows, the development slice and the benchmark, in that order (ids and paths)."""
    store = DATA / "02_intermediate/tweet_image_store"
    return ImageSet.of(
        [*train_rows["image_id"], *dev["image_id"], *bench["image_id"]],
        [*(str(store / p) for p in train_rows["path"]), *(str(store / p) for p in dev["path"]), *bench["path"]],
    )


def default_manifest(
    params: dict, pictures: pd.DataFrame, benchmark: pd.DataFrame, selection: SelectionSettings
) -> pd.DataFrame:
    """The training manifest of the default teacher (VADER on every crowd tweet) and filtering, the slice held out
    (as ``kedro run --env mvsa`` holds it out: every drawn picture and its near-duplicate cluster).

    Built here rather than read from ``data/mvsa``, so that the choice does not depend on
    which teacher the last ``make mvsa`` ran.
    """
    tweets = pd.read_parquet(DATA / "02_intermediate/tweets.parquet")
    teacher = VaderTeacher(VaderSettings.model_validate(params["teacher_labeling"]["vader"]))
    sentiment = pd.DataFrame(
        teacher.predict_proba(tweets["text_clean"].tolist()), columns=list(PROBABILITY_COLUMNS)
    )
    sentiment.insert(0, "tweet_id", tweets["tweet_id"].to_numpy())
    fingerprints = pd.read_parquet(DATA / "04_feature/image_fingerprints.parquet")
    held_out = [int(h, 16) for h in benchmark["dhash"].unique()]
    settings = FilteringSettings.model_validate(params["filtering"])
    dev_ids = dev_slice_held_out(pictures, fingerprints, selection)
    manifest, _, _ = build_manifest(pictures, sentiment, fingerprints, held_out, settings, held_out_ids=dev_ids)
    return manifest


def evaluate(
    settings: DistillationParams, vectors: dict, train_rows: pd.DataFrame, scored: list[pd.Series]
) -> tuple[FitResult, list[np.ndarray]]:
    """Fit the head of ``settings`` on the manifest rows; its probabilities ``(N, 3)`` for each ``scored`` id list."""

    def stack(ids: pd.Series) -> torch.Tensor:
        return torch.stack([vectors[i] for i in ids])

    def split(part: str) -> tuple[torch.Tensor, torch.Tensor]:
        frame = train_rows[train_rows["split"] == part]
        return stack(frame["image_id"]), torch.tensor(frame[list(PROBABILITY_COLUMNS)].to_numpy(np.float32))

    torch.manual_seed(settings.seed)
    head = build_head(next(iter(vectors.values())).shape[0], settings.student)
    result = fit_head(head, split("train"), split("validation"), settings.training)
    with torch.no_grad():
        return result, [torch.softmax(head(stack(ids)), 1).numpy() for ids in scored]


def confident_teacher_auc(teacher: np.ndarray, probs: np.ndarray) -> float:
    """Label-free proxy: ROC-AUC of the student's ``p_pos - p_neg`` against the teacher's polar call, on the
    validation pictures whose teacher margin ``|p_pos - p_neg|`` is in the upper half of the polar ones."""
    margin = polar_score(teacher)
    polar = np.isin(teacher.argmax(1), [0, 2])
    confident = polar & (np.abs(margin) >= np.median(np.abs(margin[polar])))
    return binary_roc_auc((margin[confident] > 0).astype(int), polar_score(probs[confident]))


def tempered(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``(N, 3)`` whose logits are divided by ``temperature`` (softmax of log p / T)."""
    logits = np.log(np.clip(probs, 1e-12, None)) / temperature
    logits -= logits.max(1, keepdims=True)
    return np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def fit_temperature(gold: np.ndarray, probs: np.ndarray) -> float:
    """The temperature (of 0.05–5, log grid) minimising the binary log-loss of ``p_pos / (p_pos + p_neg)`` on ``gold``."""
    grid = np.geomspace(0.05, 5.0, 93)
    losses = []
    for t in grid:
        p = np.clip(binary_probability(tempered(probs, t)), 1e-12, 1 - 1e-12)
        losses.append(-np.mean(gold * np.log(p) + (1 - gold) * np.log(1 - p)))
    return float(grid[int(np.argmin(losses))])


def bootstrap_mean_aucs(gold: np.ndarray, fits: list[np.ndarray], picks: np.ndarray) -> np.ndarray:
    """Slice AUC ``(R,)`` on each resample of ``picks`` ``(R, N)``, averaged over ``fits`` (probabilities ``(N, 3)``
    of each fit): the bootstrap of a setting's signal, paired across settings by sharing ``picks``."""
    return np.mean([resampled_roc_auc(gold, polar_score(probs), picks) for probs in fits], axis=0)


def main() -> int:
    params = MVSA["parameters"]
    selection = BenchmarkingParams.model_validate(params["benchmarking"]).selection
    if selection is None:
        sys.exit("benchmarking.selection is not set: it lives in conf/mvsa/parameters.yml")
    tweets_path = DATA / "02_intermediate/tweets.parquet"
    if not tweets_path.is_file():
        sys.exit(f"{tweets_path} is missing: run `make mvsa` first")
    pictures = pd.read_parquet(DATA / "02_intermediate/tweet_images.parquet")
    dev = draw_dev_slice(crowd_of(pictures, selection), pd.read_csv(selection.labels), selection.size, selection.seed)
    bench = pd.read_parquet(DATA / "03_primary/benchmark_images.parquet")
    train_rows = default_manifest(params, pictures, bench, selection)
    bench = bench.query("benchmark == 'mvsa'")
    everything = scored_images(train_rows, dev, bench)
    print(
        f"development slice: {selection.size} crowd pictures (seed {selection.seed}), {len(dev)} polar "
        f"(human positive share {dev['gold'].mean():.3f}); training rows {len(train_rows)} "
        f"(slice held out in filtering; teacher positive share among polar rows "
        f"{teacher_positive_share(torch.tensor(train_rows[list(PROBABILITY_COLUMNS)].to_numpy())):.3f}); "
        f"MVSA benchmark n={len(bench)}, majority {majority_rate(bench['label']):.3f}"
    )
    cache, store, outputs = FeatureCache(DATA / "04_feature/image_feature_cache"), {}, {}
    splits = manifest_splits(train_rows, selection.splits, selection.validation_share)
    print(f"each setting is fitted on {len(splits)} train/validation splits (the manifest's own and "
          f"{selection.splits} re-drawn) and scored by the mean; a setting fitted on every row, once")  # fmt: skip

    def fit_once(settings: DistillationParams, vectors: dict, rows: pd.DataFrame) -> tuple[dict, tuple]:
        """One fit's figures (teacher validation AUC, label-free proxy, slice and MVSA scores), and its slice and
        MVSA probabilities."""
        val = rows[rows["split"] == "validation"]
        result, (dev_probs, bench_probs, val_probs) = evaluate(
            settings, vectors, rows, [dev["image_id"], bench["image_id"], val["image_id"]]
        )
        figures = {"teacher_val_polar_auc": result.history[-1]["val_polar_auc"],
                   "proxy_confident_val_auc": confident_teacher_auc(val[list(PROBABILITY_COLUMNS)].to_numpy(), val_probs)}
        figures |= {f"dev_{k}": v for k, v in binary_scores(dev["gold"].to_numpy(), dev_probs).items()}
        figures |= {f"mvsa_{k}": v for k, v in binary_scores(bench["label"].to_numpy(), bench_probs).items()}
        return figures, (dev_probs, bench_probs)  # fmt: skip

    def score(name: str, overrides: dict, stage: str) -> dict:
        settings = DistillationParams.model_validate(merged(merged(params["distillation"], GRID_BASE), overrides))
        vectors = features_by_id(settings, everything, cache, store)
        fitted = splits[:1] if settings.training.fits_validation_rows else splits  # every row: the split does not matter
        fits, outputs[name] = zip(*(fit_once(settings, vectors, rows) for _, rows in fitted), strict=True)
        row = {"setting": name, "stage": stage, "fit_validation": settings.training.fits_validation_rows, "fits": len(fits),
               **pd.DataFrame(fits).mean().to_dict(),
               "dev_auc_std": float(np.std([fit["dev_auc"] for fit in fits]))}
        print(f"  {name}: dev AUC {row['dev_auc']:.3f} (sd {row['dev_auc_std']:.3f}, {len(fits)} fits) "
              f"acc {row['dev_accuracy']:.3f}, MVSA AUC {row['mvsa_auc']:.3f} acc {row['mvsa_accuracy']:.3f}", flush=True)  # fmt: skip
        return row

    key = f"dev_{selection.criterion}"
    only = sys.argv[1:]  # a preview on the named rows: nothing is written
    unknown = sorted(set(only) - set(selection.grid))
    if unknown:
        sys.exit(f"no grid rows {unknown}; the grid has {list(selection.grid)}")
    rows = [score(name, overrides, "grid") for name, overrides in selection.grid.items() if not only or name in only]
    table = pd.DataFrame(rows)
    best = table.sort_values([key, "dev_accuracy"], ascending=False, kind="stable")["setting"].iloc[0]
    chosen = best
    if selection.decisions:  # stage 2: the decision point of the chosen setting, by the slice's decision_criterion
        # an argmax row is shown for reference only: the decision point must come from the crowd (issue 10, point 3)
        rows += [score(f"{best}+{name}", merged(selection.grid[best], {"training": decision}),
                       "reference" if decision.get("decision") == "argmax" else "decision")
                 for name, decision in selection.decisions.items()]  # fmt: skip
        table = pd.DataFrame(rows)
        stage2 = table[table["stage"] == "decision"]
        by = f"dev_{selection.decision_criterion}"
        chosen = stage2.sort_values([by, key], ascending=False, kind="stable")["setting"].iloc[0]
    gold = dev["gold"].to_numpy()
    slice_probs = {name: [probs[0] for probs in fits] for name, fits in outputs.items()}
    picks = np.random.default_rng(0).integers(0, len(gold), (1000, len(gold)))  # paired: the same resamples for all
    resampled = {name: bootstrap_mean_aucs(gold, fits, picks) for name, fits in slice_probs.items()}
    first = resampled[next(iter(resampled))]
    gaps = [np.nanpercentile(aucs - first, [2.5, 97.5]) for aucs in resampled.values()]  # 95 % interval of the gap
    table["dev_auc_gap_low"], table["dev_auc_gap_high"] = zip(*gaps, strict=True)
    table["chosen"] = table["setting"] == chosen
    chosen_fits = outputs[chosen]  # one temperature for the chosen setting's fits together
    temperature = fit_temperature(np.tile(gold, len(chosen_fits)), np.concatenate(slice_probs[chosen]))
    table["calibration_temperature"] = np.where(table["chosen"], temperature, 1.0)
    calibrated = [reliability(bench["label"].to_numpy(), binary_probability(tempered(probs[1], temperature)))[0]
                  for probs in chosen_fits]  # fmt: skip
    table["mvsa_ece_calibrated"] = np.where(table["chosen"], np.mean(calibrated), np.nan)
    if not only:
        (DATA / "08_reporting").mkdir(parents=True, exist_ok=True)
        table.to_csv(DATA / "08_reporting/settings_selection.csv", index=False)
    chosen_row = table[table["chosen"]].iloc[0]
    grid = table[(table["stage"] == "grid") & ~table["fit_validation"]]  # their teacher figures are in-sample otherwise
    agreement = {signal: grid["dev_auc"].corr(grid[signal], method="spearman")
                 for signal in ("teacher_val_polar_auc", "proxy_confident_val_auc", "mvsa_auc")}  # fmt: skip
    lines = [f"chosen by the development slice ({key} over the grid, then dev {selection.decision_criterion} over the decisions): "
             f"{chosen}; calibration temperature fitted on the slice: {temperature:.2f} "
             f"(MVSA ECE {chosen_row['mvsa_ece']:.3f} at T = 1 -> {chosen_row['mvsa_ece_calibrated']:.3f})",
             "", f"Spearman rank correlation with the slice's AUC over the {len(grid)} grid rows fitted on training rows only: "
             + ", ".join(f"{k} {v:+.2f}" for k, v in agreement.items()),
             "", selection_table_markdown(table)]  # fmt: skip
    shown = "fitted on every row" if chosen_row["fit_validation"] else f"fitted on the {splits[0][0]}"
    for label, labels, probs in (("development slice", dev["gold"], chosen_fits[0][0]),
                                 ("MVSA benchmark", bench["label"], chosen_fits[0][1])):  # fmt: skip
        for t in (1.0, temperature):
            ece, diagram = reliability(labels.to_numpy(), binary_probability(tempered(probs, t)))
            lines += ["", f"reliability of {chosen} ({shown}) at T = {t:.2f} on the {label} "
                      f"(ECE {ece:.3f}): bin, n, mean p(positive), positive rate"]  # fmt: skip
            lines += [f"    [{lo:.1f}, {lo + 0.1:.1f})  {int(n):4d}  {p:.3f}  {r:.3f}" for lo, n, p, r in diagram]
    text = "\n".join(lines) + "\n"
    if not only:
        (DATA / "08_reporting/settings_selection.md").write_text(text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
