"""Each tweet's language: the dump's ``lang`` where it has one, else an offline detector.

The detector is ``py3langid`` (langid.py's model, inside the wheel; Lui & Baldwin, 2012).
A detection is kept only when its normalised probability reaches ``min_confidence``;
short tweets often fall below it and stay ``und`` (undetermined).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
from pydantic import Field

from crowd_sentiment.core.settings import Settings
from crowd_sentiment.core.text import strip_masks

UNDETERMINED = "und"


class LanguageSettings(Settings):
    """How languages are found and which tweets a teacher may label."""

    detect: bool = True  # run the offline detector on tweets whose dump says nothing (lang und/empty)
    min_confidence: float = Field(0.9, ge=0, le=1)  # detector probability needed to accept its language
    label_undetermined: bool = True  # tweets still und go to the main teacher (False: excluded)


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_languages(texts: Sequence[str], min_confidence: float) -> list[str]:
    """Detected ISO 639-1 code per text (``und`` below ``min_confidence``)."""
    identifier = _identifier()
    codes = []
    for text in texts:
        code, prob = identifier.classify(text)
        codes.append(code if prob >= min_confidence else UNDETERMINED)
    return codes


def tweet_languages(tweets: pd.DataFrame, settings: LanguageSettings) -> pd.DataFrame:
    """``lang`` and ``lang_source`` (``dump``, ``detected`` or ``none``) per tweet, in row order.

    ``tweets`` needs ``text_clean``; ``lang`` is optional (absent, empty or ``und`` = unknown).
    """
    given = tweets["lang"].fillna("").astype(str) if "lang" in tweets else pd.Series([""] * len(tweets))
    given = given.where(given != UNDETERMINED, "").to_numpy(dtype=object)
    unknown = given == ""
    lang = np.where(unknown, UNDETERMINED, given).astype(object)
    source = np.where(unknown, "none", "dump").astype(object)
    if settings.detect and unknown.any():
        texts = [strip_masks(t) for t in tweets["text_clean"].to_numpy()[unknown]]
        codes = detect_languages(texts, settings.min_confidence)
        lang[unknown] = codes
        source[unknown] = np.where(np.array(codes) != UNDETERMINED, "detected", "none")
    return pd.DataFrame({"lang": lang, "lang_source": source}, index=tweets.index)


def covered(langs: Sequence[str], covers: Sequence[str] | None, *, label_undetermined: bool) -> np.ndarray:
    """True where a teacher covering ``covers`` (``None`` = every language) may label the tweet."""
    langs = np.asarray(langs, dtype=object)
    if covers is None:
        return np.ones(len(langs), dtype=bool)
    ok = np.isin(langs, list(covers))
    return ok | ((langs == UNDETERMINED) & label_undetermined)
