"""Choose the distillation settings by people: the grid of ``benchmarking.selection`` on its development slice.

    .venv/bin/python benchmarks/select_settings.py        # make select-settings (after make mvsa)

Reads the MVSA environment (``conf/mvsa``, ``data/mvsa``): the ingested tweets and pictures, the
frozen-backbone feature cache (missing features, e.g. another framing, are computed and
cached: minutes on CPU), the crowd's pictures and the benchmark pictures. A seeded slice of
crowd pictures (``selection.size``) is held out of the training manifest, which is built
here with the default teacher (VADER) and filtering; every setting of ``selection.grid`` fits its head on the rest, and the slice's human
image labels (``selection.labels``) score it. The best ``selection.criterion`` is chosen.
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
from crowd_sentiment.core.feature_cache import FeatureCache, backbone_key, cached_features
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.metrics import binary_roc_auc, majority_rate, reliability
from crowd_sentiment.core.polar import binary_probability, polar_score
from crowd_sentiment.core.selection import FilteringSettings, build_manifest
from crowd_sentiment.core.settings_selection import binary_scores, draw_dev_slice
from crowd_sentiment.core.students import build_head, build_student
from crowd_sentiment.core.teachers import VaderSettings, VaderTeacher
from crowd_sentiment.core.training import FitResult
from crowd_sentiment.params import BenchmarkingParams, DistillationParams
from crowd_sentiment.settings import CONFIG_LOADER_ARGS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data/mvsa"
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
    """Pooled features per image id for the backbone and framing of ``settings`` (cached on disk and in ``store``)."""
    key = backbone_key(settings.student)
    if key not in store:
        backbone = build_student(settings.student).backbone
        vectors = cached_features(backbone, settings.student, images, CPU, cache=cache,
                                  batch_size=settings.feature_batch_size)  # fmt: skip
        store[key] = dict(zip(images.ids, vectors, strict=True))
    return store[key]


def default_manifest(
    params: dict, pictures: pd.DataFrame, benchmark: pd.DataFrame, dev_ids: pd.Series
) -> pd.DataFrame:
    """The training manifest of the default teacher (VADER on every crowd tweet) and filtering, the slice held out.

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
    manifest, _, _ = build_manifest(
        pictures, sentiment, fingerprints, held_out, settings, held_out_ids=list(dev_ids)
    )
    return manifest


def evaluate(
    settings: DistillationParams, vectors: dict, train_rows: pd.DataFrame, scored: list[pd.Series]
) -> tuple[FitResult, np.ndarray, np.ndarray]:
    """Fit the head of ``settings`` on the manifest rows; its probabilities ``(N, 3)`` for the two ``scored`` id lists."""

    def stack(ids: pd.Series) -> torch.Tensor:
        return torch.stack([vectors[i] for i in ids])

    def split(part: str) -> tuple[torch.Tensor, torch.Tensor]:
        frame = train_rows[train_rows["split"] == part]
        return stack(frame["image_id"]), torch.tensor(frame[list(PROBABILITY_COLUMNS)].to_numpy(np.float32))

    torch.manual_seed(settings.seed)
    head = build_head(next(iter(vectors.values())).shape[0], settings.student)
    result = fit_head(head, split("train"), split("validation"), settings.training)
    with torch.no_grad():
        dev_probs, bench_probs = (torch.softmax(head(stack(ids)), 1).numpy() for ids in scored)
    return result, dev_probs, bench_probs


def paired_auc_gap(
    gold: np.ndarray, probs: np.ndarray, reference: np.ndarray, rounds: int = 1000
) -> tuple[float, float]:
    """95 % paired-bootstrap interval of dev AUC(probs) − AUC(reference) (same resampled pictures; seed 0)."""
    rng = np.random.default_rng(0)
    score, base = polar_score(probs), polar_score(reference)
    gaps = []
    for _ in range(rounds):
        pick = rng.integers(0, len(gold), len(gold))
        gaps.append(binary_roc_auc(gold[pick], score[pick]) - binary_roc_auc(gold[pick], base[pick]))
    low, high = np.nanpercentile(gaps, [2.5, 97.5])
    return float(low), float(high)


def main() -> int:
    loader = OmegaConfigLoader(str(ROOT / "conf"), env="mvsa", **CONFIG_LOADER_ARGS)
    params = loader["parameters"]
    selection = BenchmarkingParams.model_validate(params["benchmarking"]).selection
    if selection is None:
        sys.exit("benchmarking.selection is not set: it lives in conf/mvsa/parameters.yml")
    tweets_path = DATA / "02_intermediate/tweets.parquet"
    if not tweets_path.is_file():
        sys.exit(f"{tweets_path} is missing: run `make mvsa` first")
    store_root = DATA / "02_intermediate/tweet_image_store"
    pictures = pd.read_parquet(DATA / "02_intermediate/tweet_images.parquet")
    crowd = pictures.assign(tweet_id=pictures["tweet_id"].astype(int))
    crowd = crowd[crowd["tweet_id"].isin(pd.read_csv(selection.crowd)["guid"])]
    dev = draw_dev_slice(crowd, pd.read_csv(selection.labels), selection.size, selection.seed)
    bench = pd.read_parquet(DATA / "03_primary/benchmark_images.parquet")
    train_rows = default_manifest(params, pictures, bench, dev["image_id"])
    bench = bench.query("benchmark == 'mvsa'")
    everything = ImageSet.of(
        [*train_rows["image_id"], *dev["image_id"], *bench["image_id"]],
        [*(str(store_root / p) for p in train_rows["path"]), *(str(store_root / p) for p in dev["path"]),
         *bench["path"]],
    )  # fmt: skip
    print(
        f"development slice: {selection.size} crowd pictures (seed {selection.seed}), {len(dev)} polar "
        f"(positive share {dev['gold'].mean():.3f}); training rows {len(train_rows)} "
        f"(slice held out in filtering); MVSA benchmark n={len(bench)}, majority {majority_rate(bench['label']):.3f}"
    )
    cache, store, rows, outputs = FeatureCache(DATA / "04_feature/image_feature_cache"), {}, [], {}
    for name, overrides in selection.grid.items():
        settings = DistillationParams.model_validate(merged(params["distillation"], overrides))
        vectors = features_by_id(settings, everything, cache, store)
        result, dev_probs, bench_probs = evaluate(
            settings, vectors, train_rows, [dev["image_id"], bench["image_id"]]
        )
        outputs[name] = (dev_probs, bench_probs)
        row = {"setting": name, "teacher_val_polar_auc": result.history[-1]["val_polar_auc"]}
        row |= {f"dev_{k}": v for k, v in binary_scores(dev["gold"].to_numpy(), dev_probs).items()}
        row |= {f"mvsa_{k}": v for k, v in binary_scores(bench["label"].to_numpy(), bench_probs).items()}
        rows.append(row)
        print(f"  {name}: dev AUC {row['dev_auc']:.3f}, MVSA AUC {row['mvsa_auc']:.3f}", flush=True)
    table = pd.DataFrame(rows)
    first = next(iter(outputs))
    gaps = [paired_auc_gap(dev["gold"].to_numpy(), probs[0], outputs[first][0]) for probs in outputs.values()]
    table["dev_auc_gap_low"], table["dev_auc_gap_high"] = zip(*gaps, strict=True)
    key = f"dev_{selection.criterion}"
    chosen = table.sort_values([key, "dev_accuracy"], ascending=False, kind="stable")["setting"].iloc[0]
    table["chosen"] = table["setting"] == chosen
    (DATA / "08_reporting").mkdir(parents=True, exist_ok=True)
    table.to_csv(DATA / "08_reporting/settings_selection.csv", index=False)
    lines = [f"chosen by the development slice ({key}): {chosen}", "", markdown(table)]
    for label, gold, probs in (("development slice", dev["gold"], outputs[chosen][0]),
                               ("MVSA benchmark", bench["label"], outputs[chosen][1])):  # fmt: skip
        ece, diagram = reliability(gold.to_numpy(), binary_probability(probs))
        lines += [
            "",
            f"reliability of {chosen} on the {label} (ECE {ece:.3f}): bin, n, mean p(positive), positive rate",
        ]
        lines += [f"    [{lo:.1f}, {lo + 0.1:.1f})  {int(n):4d}  {p:.3f}  {r:.3f}" for lo, n, p, r in diagram]
    text = "\n".join(lines) + "\n"
    (DATA / "08_reporting/settings_selection.md").write_text(text)
    print("\n" + text)
    return 0


def markdown(table: pd.DataFrame) -> str:
    """The selection table: signal columns, then MVSA figures (reported only); the chosen row in bold."""
    columns = [("setting", "setting"), ("teacher_val_polar_auc", "teacher val AUC (old signal)"),
               ("dev_auc", "dev AUC (signal)"), ("dev_auc_gap", "dev AUC − first row, 95 % CI"),
               ("dev_accuracy", "dev acc."), ("mvsa_accuracy", "MVSA acc."),
               ("mvsa_macro_f1", "MVSA macro-F1"), ("mvsa_auc", "MVSA AUC"), ("mvsa_ece", "MVSA ECE"),
               ("mvsa_positive_share", "MVSA predicted positive")]  # fmt: skip
    lines = ["| " + " | ".join(title for _, title in columns) + " |", "|" + "---|" * len(columns)]
    for _, row in table.iterrows():
        row["dev_auc_gap"] = f"[{row['dev_auc_gap_low']:+.3f}, {row['dev_auc_gap_high']:+.3f}]"
        cells = [row[key] if key in ("setting", "dev_auc_gap") else f"{row[key]:.3f}" for key, _ in columns]
        if row["chosen"]:
            cells = [f"**{cell}**" for cell in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
