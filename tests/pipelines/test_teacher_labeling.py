"""The teacher_labeling slice: probabilities per tweet from the VADER teacher."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowd_sentiment.pipelines.teacher_labeling import create_pipeline

PARAMS = {"teacher": "vader", "vader": {"neutral_width": 0.15, "uniform_mix": 0.02}}


def test_scores_every_tweet_with_a_distribution(run_slice):
    tweets = pd.DataFrame(
        {
            "tweet_id": ["1", "2", "3"],
            "text_clean": [
                "I love this, what a wonderful day 😍",
                "The meeting starts at 5pm in room 4",
                "This is awful, I hate it",
            ],
        }
    )
    out = run_slice(create_pipeline(), {"tweets": tweets, "params:teacher_labeling": PARAMS})[
        "tweet_sentiment"
    ]
    probs = out[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    assert list(out["tweet_id"]) == ["1", "2", "3"]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert list(probs.argmax(axis=1)) == [2, 1, 0]
    assert set(out["teacher"]) == {"vader"}
