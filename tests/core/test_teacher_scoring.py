"""Resumable, language-routed teacher scoring: a run killed mid-way resumes and ends identical."""

from __future__ import annotations

import hashlib
import io
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd

from crowd_sentiment.core.languages import LanguageSettings, covered, tweet_languages
from crowd_sentiment.core.teacher_scoring import ScoreStore, excluded_tweets, score_in_partitions
from crowd_sentiment.core.teachers import VaderTeacher

NO_DETECT = LanguageSettings(detect=False)


def _tweets(n: int = 60) -> pd.DataFrame:
    words = ["love it", "hate it", "the bus", "great day", "awful news", "a chair"]
    return pd.DataFrame(
        {
            "tweet_id": [str(i) for i in range(n)],
            "text_clean": [f"{words[i % 6]} {i}" for i in range(n)],
            "lang": ["fr" if i % 10 == 3 else "en" for i in range(n)],
            "source": ["dump_a.jsonl" if i < n // 2 else "dump_b.jsonl" for i in range(n)],
        }
    )


def _sha(frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def _score(tweets, root, teachers=None):
    calls = []

    def make():
        calls.append(1)
        return teachers or (VaderTeacher(), None)

    out = score_in_partitions(
        tweets, make, ScoreStore(root), teacher_key="vader", partition_size=7, languages=NO_DETECT
    )
    return out, calls


SLOW_RUN = """
import sys, time
import pandas as pd
from crowd_sentiment.core.languages import LanguageSettings
from crowd_sentiment.core.teacher_scoring import ScoreStore, score_in_partitions
from crowd_sentiment.core.teachers import VaderTeacher

class Slow(VaderTeacher):
    def predict_proba(self, texts):
        time.sleep(0.15)
        return super().predict_proba(texts)

tweets = pd.read_parquet(sys.argv[1])
score_in_partitions(tweets, lambda: (Slow(), None), ScoreStore(sys.argv[2]), teacher_key="vader",
                    partition_size=7, languages=LanguageSettings(detect=False))
"""


def test_a_killed_run_resumes_with_only_the_missing_partitions_and_identical_output(tmp_path):
    tweets = _tweets()
    tweets.to_parquet(tmp_path / "tweets.parquet")
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(SLOW_RUN))
    store = tmp_path / "killed"
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path / "tweets.parquet"), str(store)])
    deadline = time.monotonic() + 60
    while len(list(store.rglob("*.parquet"))) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    written = len(list(store.rglob("*.parquet")))
    assert 3 <= written < 10  # 2 dumps of 30 tweets in partitions of 7: 10 partitions
    assert not list(store.rglob("*.tmp"))  # atomic writes: no torn partition
    resumed, calls = _score(tweets, store)
    assert len(list(store.rglob("*.parquet"))) == 10 and calls == [1]
    uninterrupted, _ = _score(tweets, tmp_path / "clean")
    assert _sha(resumed) == _sha(uninterrupted)
    again, calls = _score(tweets, store)  # everything on disk: the teacher is not even built
    assert calls == [] and _sha(again) == _sha(uninterrupted)


def test_uncovered_languages_are_excluded_with_a_reason_or_routed(tmp_path):
    tweets = _tweets(20)
    scores, _ = _score(tweets, tmp_path / "a")
    french = scores["lang"] == "fr"
    assert scores.loc[french, "p_neutral"].isna().all() and scores.loc[~french, "p_neutral"].notna().all()
    assert (
        excluded_tweets(scores)["reason"].eq("language_not_covered").all()
        and len(excluded_tweets(scores)) == 2
    )

    class Multilingual(VaderTeacher):
        name = "multi"
        languages = None

    routed, _ = _score(tweets, tmp_path / "b", teachers=(VaderTeacher(), Multilingual()))
    assert (
        routed.loc[french, "teacher"].eq("multi").all() and routed.loc[~french, "teacher"].eq("vader").all()
    )
    assert routed[["p_negative", "p_neutral", "p_positive"]].notna().all().all()


def test_language_comes_from_the_dump_else_the_detector():
    tweets = pd.DataFrame({"text_clean": ["what a lovely sunny day, I am so happy", "bonjour", "merci beaucoup mes amis, quelle belle journée"],
                           "lang": ["en", "und", ""]})  # fmt: skip
    found = tweet_languages(tweets, LanguageSettings())
    assert found["lang"].tolist()[0] == "en" and found["lang_source"].tolist()[0] == "dump"
    assert found["lang"].tolist()[2] == "fr" and found["lang_source"].tolist()[2] == "detected"
    assert covered(np.array(["en", "und", "fr"]), ["en"], label_undetermined=True).tolist() == [
        True,
        True,
        False,
    ]
    assert covered(np.array(["en", "und", "fr"]), ["en"], label_undetermined=False).tolist() == [
        True,
        False,
        False,
    ]
