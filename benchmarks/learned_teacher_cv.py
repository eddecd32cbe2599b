"""Choose the learned teacher's settings on a held-out part of its *training* set (MVSA-Multiple).

Fits on a seeded, stratified 80 % of MVSA-Multiple, predicts the other 20 % and prints the
held-out macro-recall against the annotators' majority for each prior correction. TweetEval
is never touched here. Each run takes minutes on 2 CPU cores.

    .venv/bin/python benchmarks/learned_teacher_cv.py --set train_layers=2 --set targets='"votes"'
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
    parser.add_argument(
        "--set", action="append", default=[], help="model setting=JSON value, e.g. train_layers=2"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    model = LearnedTeacherSettings(**{k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)})
    stored, table = train_teacher(
        load_annotated_tweets(args.root), TeacherTrainingSettings(data_root=args.root, model=model)
    )
    print(
        json.dumps(
            {
                "settings": model.model_dump(mode="json"),
                "n_train": stored["n_train"],
                "fit_s": round(stored["fit_seconds"], 1),
            }
        )
    )
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
