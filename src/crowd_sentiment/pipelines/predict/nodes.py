"""Nodes scoring a folder of pictures with a stored student."""

from __future__ import annotations

import pandas as pd

from crowd_sentiment.core.prediction import score_folder
from crowd_sentiment.params import PredictParams


def score_pictures(params: PredictParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``path, p_negative, p_neutral, p_positive, label`` per picture of ``params.images``, and the
    pictures that could not be scored (``path, reason, detail``)."""
    return score_folder(params)
