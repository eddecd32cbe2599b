"""The teacher_labeling slice: probabilities per tweet from the VADER teacher."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro_datasets.pandas import CSVDataset

from crowd_sentiment.core.teacher_scoring import ScoreStore
from crowd_sentiment.params import TeacherLabelingParams, TextSetSpec
from crowd_sentiment.pipelines.teacher_labeling import create_pipeline
from crowd_sentiment.pipelines.teacher_labeling.nodes import teacher_identity

PARAMS = TeacherLabelingParams(teacher="vader", vader={"neutral_width": 0.15, "uniform_mix": 0.02})


def _no_learned_teacher() -> dict:
    raise FileNotFoundError("no learned teacher")


def _inputs(tmp_path, tweets, params=PARAMS) -> dict:
    return {"tweets": tweets, "params:teacher_labeling": params, "learned_teacher": _no_learned_teacher,
            "tweet_sentiment_partitions": ScoreStore(tmp_path / "scores")}  # fmt: skip


def test_scores_every_tweet_with_a_distribution(run_slice, tmp_path):
    tweets = pd.DataFrame(
        {
            "tweet_id": ["1", "2", "3"],
            "text_clean": [
                "I love this, what a wonderful day 😍",
                "The meeting starts at 5pm in room 4",
                "This is awful, I hate it",
            ],
            "lang": ["en", "und", "en"],
        }
    )
    out = run_slice(create_pipeline().to_outputs("tweet_sentiment", "teacher_exclusions"), _inputs(tmp_path, tweets))
    assert teacher_identity(PARAMS, _no_learned_teacher) == {"main.teacher": "vader", "main.version": "3.3.2"}
    assert out["teacher_exclusions"].empty
    out = out["tweet_sentiment"]
    probs = out[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    assert list(out["tweet_id"]) == ["1", "2", "3"]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert list(probs.argmax(axis=1)) == [2, 1, 0]
    assert set(out["teacher"]) == {"vader"}


def test_the_teacher_is_measured_on_human_labelled_tweets(run_slice, tmp_path):
    root = tmp_path / "tweeteval"
    (root / "datasets" / "sentiment").mkdir(parents=True)
    texts = ["I love this, wonderful!", "Terrible, I hate it", "The bus leaves at 9", "So happy today :)"]
    (root / "datasets" / "sentiment" / "val_text.txt").write_text("\n".join(texts) + "\n")
    (root / "datasets" / "sentiment" / "val_labels.txt").write_text("2\n0\n1\n0\n")
    evaluation = [TextSetSpec(name="tweets", layout="tweeteval", root=str(root), split="val")]
    params = PARAMS.model_copy(update={"evaluation": evaluation})
    tweets = pd.DataFrame({"tweet_id": ["1"], "text_clean": ["fine"], "lang": ["en"]})
    tables = {name: CSVDataset(filepath=str(tmp_path / f"{name}.csv")) for name in ("agreement", "calibration")}
    inputs = _inputs(tmp_path, tweets, params) | {f"teacher_{name}": table for name, table in tables.items()}
    out = run_slice(create_pipeline(), inputs)  # the tables go through CSV, as in the catalog
    row = tables["agreement"].load().set_index("set").loc["tweets"]
    assert row["n"] == 4 and row["accuracy"] == 0.75  # the last gold label is deliberately wrong
    assert out["teacher_scores"]["tweets.accuracy"] == [{"step": 0, "value": 0.75}]
    assert out["learned_teacher_transfer"].empty  # the k-fold choice's transfer is the learned teacher's only
    calibration = tables["calibration"].load()
    assert calibration.query("kind == 'reliability'")["n"].sum() == 4
    curve = calibration.query("kind == 'precision_coverage' and `class` == 'positive'")
    assert curve["n"].is_monotonic_decreasing and curve["threshold"].is_monotonic_increasing
    figures = out["teacher_figures"]
    assert list(figures) == ["teacher_label_distribution", "teacher_calibration"]
    assert [axes.get_title() for axes in figures["teacher_calibration"].axes] == [
        "tweets: reliability", "tweets: precision vs coverage"
    ]  # fmt: skip


def test_the_learned_teacher_without_a_fitted_one_names_the_command(run_slice, tmp_path):
    from crowd_sentiment.datasets import StoredTeacherDataset

    tweets = pd.DataFrame({"tweet_id": ["1"], "text_clean": ["fine"], "lang": ["en"]})
    inputs = _inputs(tmp_path, tweets, PARAMS.model_copy(update={"teacher": "learned"}))
    inputs["learned_teacher"] = StoredTeacherDataset(str(tmp_path / "learned.pt")).load()
    with pytest.raises(FileNotFoundError, match="kedro run --pipelines teacher_training"):
        run_slice(create_pipeline(), inputs)
