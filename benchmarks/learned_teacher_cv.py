"""Choose the learned teacher's settings by stratified k-fold on its *training* set (MVSA-Multiple).

Each variant runs the pipeline's k-fold choice (``--folds``, default 5): every fold is predicted by
a fit on the other folds, and the script prints, per variant, the pooled out-of-fold macro-recall
against the annotators' majority at the chosen (VADER fusion weight, prior correction) pair, its
standard deviation over folds, and the fusion-free best. TweetEval is never touched here. The
frozen lower layers run once for all folds and variants of the same depth.

    .venv/bin/python benchmarks/learned_teacher_cv.py --set epochs=3 \
        --variant '{"train_layers": 2}' --variant '{"train_layers": 2, "label_smoothing": 0.1}'
"""

from __future__ import annotations

import argparse
import json
import logging
import os

from crowd_sentiment.core.learned_teacher import (
    LearnedTeacherSettings,
    TeacherTrainingSettings,
    train_teacher,
)
from crowd_sentiment.core.text_sets import load_annotated_tweets


def main() -> None:
    parser = argparse.ArgumentParser()
    shared = os.environ.get("CROWD_SENTIMENT_SHARED_DATA", "../shared/data")
    parser.add_argument("--root", default=os.path.join(shared, "mvsa_multiple_text"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], help="setting=JSON value for every variant")
    parser.add_argument("--variant", action="append", default=[], help="JSON object of settings; repeatable")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    common = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    labels = load_annotated_tweets(args.root)
    cache: dict = {}
    for variant in [json.loads(v) for v in args.variant] or [{}]:
        model = LearnedTeacherSettings(**{**common, **variant})
        stored, table = train_teacher(
            labels, TeacherTrainingSettings(data_root=args.root, folds=args.folds, model=model), cache=cache
        )
        plain = table[table["vader_weight"] == 0]
        best = table[table["chosen"]].iloc[0]
        print(
            json.dumps(
                {
                    "variant": variant,
                    "cv_macro_recall": round(float(best["macro_recall"]), 4),
                    "cv_macro_recall_fold_std": round(float(best["macro_recall_fold_std"]), 4),
                    "vader_weight": float(best["vader_weight"]),
                    "prior_correction": float(best["prior_correction"]),
                    "cv_macro_recall_without_fusion": round(float(plain["macro_recall"].max()), 4),
                    "n_train": stored["n_train"],
                    "fit_s": round(stored["fit_seconds"], 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
