"""A simulated Twitter API v2 crawl: tweets with one picture each, with a real crawl's noise.

Visual sentiment agrees with the text's only with probability ``agreement``; reposts, near
duplicates, broken and tiny media, mention-only, foreign and malformed lines come mixed in.
The same :class:`.SampleSpec` gives the same bytes.
"""

from __future__ import annotations

import io
import json
import string
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from PIL import Image

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.sample._random import generators, jittered_size, snowflake, sorted_times, streams, token
from crowd_sentiment.sample.pictures import encode, render_picture
from crowd_sentiment.sample.spec import KINDS, SampleSpec
from crowd_sentiment.sample.texts import mention_only_text, retweet_text, tweet_text
from crowd_sentiment.sample.vocabulary import FIRST_NAMES, FOREIGN_LANGS

_PERIOD = ("2022-04-01", "2022-07-01")  # [start, end) of crowd tweets
_CLARITY = (2.0, 1.3)  # Beta(a, b) of crowd pictures' clarity, mean ~0.6
_URL_SAFE = string.ascii_letters + string.digits + "-_"


@dataclass
class SampleCrowd:
    """The simulated crawl.

    ``dump_lines``: JSON lines without newline, chronological, malformed ones mixed in.
    ``media``: ``"<media_key>.<jpg|png>"`` -> file bytes, one per valid tweet.
    ``truth``: latent truth, one row per valid tweet: ``tweet_id, text_sentiment,
    image_sentiment, media_file, kind, lang, clarity, source_tweet_id`` (``""`` unless
    a repost or near duplicate).
    """

    dump_lines: list[str]
    media: dict[str, bytes]
    truth: pd.DataFrame


@dataclass(frozen=True)
class _Picture:
    """A tweet's media file and the visual sentiment it was rendered with."""

    sentiment: str
    clarity: float
    ext: str  # "jpg" or "png"
    data: bytes
    width: int
    height: int
    quality: int  # JPEG quality (0 for PNG or broken)


@dataclass(frozen=True)
class _Post:
    """One valid tweet."""

    tweet_id: str
    media_key: str
    created_ms: int
    author: tuple[str, str]  # (user id, username)
    kind: str
    text: str
    lang: str
    text_sentiment: str
    picture: _Picture
    source_tweet_id: str = ""  # the copied tweet, for reposts and near duplicates

    @property
    def media_file(self) -> str:
        """File name of the media in :attr:`SampleCrowd.media`."""
        return f"{self.media_key}.{self.picture.ext}"


def _created_at(created_ms: int) -> str:
    """API v2 ``created_at``: ``2022-04-03T12:34:56.000Z``."""
    moment = datetime.fromtimestamp(created_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _make_users(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """``n`` distinct ``(user id, username)`` pairs."""
    users: dict[str, str] = {}
    while len(users) < n:
        name = str(rng.choice(FIRST_NAMES)) + ("_" if rng.random() < 0.3 else "")
        name += str(int(rng.integers(1, 999))) if rng.random() < 0.7 else ""
        if name not in users.values():
            users[str(int(rng.integers(10**7, 10**18)))] = name
    return list(users.items())


# --- choosing what each tweet is --------------------------------------------------------


def _assign_kinds(spec: SampleSpec, rng: np.random.Generator) -> list[str]:
    """Kind of each tweet in time order; the first is ``normal``, so copies have a source."""
    counts = spec.kind_counts()
    kinds = [kind for kind in KINDS for _ in range(counts[kind])]
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    first_normal = kinds.index("normal")
    kinds[0], kinds[first_normal] = kinds[first_normal], kinds[0]
    return kinds


def _assign_langs(kinds: list[str], spec: SampleSpec, rng: np.random.Generator) -> list[str]:
    """Language per tweet: ``en``, a foreign code, ``und`` (mention-only) or ``""`` (repost, set later)."""
    langs = ["und" if k == "mention_only" else "" if k == "repost" else "en" for k in kinds]
    eligible = [i for i, lang in enumerate(langs) if lang == "en"]
    n_foreign = min(len(eligible), int(round(spec.non_english_rate * spec.n_tweets)))
    for i in rng.choice(eligible, size=n_foreign, replace=False):
        langs[int(i)] = str(rng.choice(FOREIGN_LANGS))
    return langs


def _draw_sentiment(mix: tuple[float, float, float], rng: np.random.Generator) -> str:
    """A class of :data:`SENTIMENTS` drawn with probabilities ``mix``."""
    return SENTIMENTS[int(rng.choice(len(SENTIMENTS), p=mix))]


def _follow(sentiment: str, agreement: float, rng: np.random.Generator) -> str:
    """``sentiment`` with probability ``agreement``, else one of the other classes uniformly."""
    if rng.random() < agreement:
        return sentiment
    return str(rng.choice([s for s in SENTIMENTS if s != sentiment]))


# --- media bytes ------------------------------------------------------------------------


def _decodes(data: bytes) -> bool:
    """Whether Pillow fully decodes ``data``."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception:  # noqa: BLE001 - any failure means undecodable
        return False
    return True


def _break(jpeg: bytes, rng: np.random.Generator) -> bytes:
    """An undecodable media file: ``jpeg`` cut to 30-60 %, random bytes, or empty."""
    mode = rng.choice(3, p=(0.5, 0.3, 0.2))
    if mode == 0:
        return jpeg[: int(len(jpeg) * rng.uniform(0.3, 0.6))]
    if mode == 1:
        while True:
            noise = rng.integers(0, 256, int(rng.integers(200, 4000)), dtype=np.uint8).tobytes()
            if not _decodes(noise):
                return noise
    return b""


def _near_duplicate(source: _Picture, rng: np.random.Generator) -> _Picture:
    """``source`` resized by 0.6-0.9 and/or re-encoded as JPEG at another quality (never same bytes)."""
    with Image.open(io.BytesIO(source.data)) as opened:
        image = opened.convert("RGB")
    resize = rng.random() < 0.6
    if resize:
        scale = rng.uniform(0.6, 0.9)
        new_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(new_size, Image.Resampling.BILINEAR)
    qualities = [q for q in range(60, 96) if q != source.quality]
    quality = int(rng.choice(qualities))
    data = encode(image, "jpeg", quality)
    return replace(source, ext="jpg", data=data, width=image.width, height=image.height, quality=quality)


# --- building posts ---------------------------------------------------------------------

_Content = tuple[str, str, str, _Picture]  # (text, lang, text sentiment, picture)


def _original_post(
    kind: str,
    lang: str,
    spec: SampleSpec,
    rng: np.random.Generator,
    pic_rng: np.random.Generator,
    usernames: tuple[str, ...],
) -> _Content:
    """A tweet with its own freshly rendered picture (normal/broken/tiny/mention_only)."""
    if kind == "mention_only":  # the text carries no sentiment; the picture still does
        text_sentiment, text = "neutral", mention_only_text(rng, usernames)
        image_sentiment = _draw_sentiment(spec.class_mix, rng)
    else:
        text_sentiment = _draw_sentiment(spec.class_mix, rng)
        text = tweet_text(text_sentiment, lang, rng, usernames)
        image_sentiment = _follow(text_sentiment, spec.agreement, rng)
    clarity = float(rng.beta(*_CLARITY))
    if kind == "tiny":
        side = int(rng.choice([16, 24, 32]))
        width, height = side, side
    else:
        width, height = jittered_size(spec.image_size, rng)
    png = kind != "broken" and rng.random() < (0.5 if kind == "tiny" else 0.05)
    quality = 0 if png else int(rng.integers(60, 96))
    image = render_picture(image_sentiment, clarity, pic_rng, (width, height))
    data = encode(image, "png" if png else "jpeg", quality or 85)
    if kind == "broken":
        data, quality = _break(data, rng), 0
    ext = "png" if png else "jpg"
    return text, lang, text_sentiment, _Picture(image_sentiment, clarity, ext, data, width, height, quality)


def _copied_post(
    kind: str,
    lang: str,
    source: _Post,
    spec: SampleSpec,
    rng: np.random.Generator,
    usernames: tuple[str, ...],
) -> _Content:
    """A repost (retweet, same bytes) or a near duplicate (own text, altered bytes) of ``source``."""
    if kind == "repost":
        return retweet_text(source.author[1], source.text), source.lang, source.text_sentiment, source.picture
    text_sentiment = _follow(source.picture.sentiment, spec.agreement, rng)
    picture = _near_duplicate(source.picture, rng)
    return tweet_text(text_sentiment, lang, rng, usernames), lang, text_sentiment, picture


def _build_posts(spec: SampleSpec, seq: np.random.SeedSequence) -> list[_Post]:
    """All valid tweets of the crowd, in time order."""
    rng, pic_rng = generators(seq)
    users = _make_users(max(20, spec.n_tweets // 4), rng)
    usernames = tuple(name for _, name in users)
    kinds = _assign_kinds(spec, rng)
    langs = _assign_langs(kinds, spec, rng)
    times = sorted_times(_PERIOD, spec.n_tweets, rng)
    used_ids: set[int] = set()
    posts: list[_Post] = []
    sources: list[_Post] = []  # earlier tweets whose full-size picture can be copied
    for kind, lang, created in zip(kinds, langs, times):
        source_id = ""
        if kind in ("repost", "near_duplicate"):
            source = sources[int(rng.integers(len(sources)))]
            text, lang, text_sentiment, picture = _copied_post(kind, lang, source, spec, rng, usernames)
            source_id = source.tweet_id
        else:
            text, lang, text_sentiment, picture = _original_post(kind, lang, spec, rng, pic_rng, usernames)
        media_ms = created - int(rng.integers(1_000, 120_000))  # uploaded shortly before
        posts.append(
            _Post(
                tweet_id=snowflake(created, rng, used_ids),
                media_key="3_" + snowflake(media_ms, rng, used_ids),
                created_ms=created,
                author=users[int(rng.integers(len(users)))],
                kind=kind,
                text=text,
                lang=lang,
                text_sentiment=text_sentiment,
                picture=picture,
                source_tweet_id=source_id,
            )
        )
        if kind in ("normal", "mention_only"):
            sources.append(posts[-1])
    return posts


# --- dump lines -------------------------------------------------------------------------


def _tweet_line(post: _Post, rng: np.random.Generator) -> str:
    """The API v2 stream line of ``post`` (compact JSON, UTF-8 text, no newline)."""
    tweet = {
        "data": {
            "id": post.tweet_id,
            "text": post.text,
            "lang": post.lang,
            "created_at": _created_at(post.created_ms),
            "author_id": post.author[0],
            "attachments": {"media_keys": [post.media_key]},
        },
        "includes": {
            "media": [
                {
                    "media_key": post.media_key,
                    "type": "photo",
                    "url": f"https://pbs.twimg.com/media/{token(rng, 15, _URL_SAFE)}.{post.picture.ext}",
                    "width": post.picture.width,
                    "height": post.picture.height,
                }
            ]
        },
    }
    return json.dumps(tweet, ensure_ascii=False, separators=(",", ":"))


def _malformed_line(valid_lines: list[str], rng: np.random.Generator) -> str:
    """A line that is not valid JSON: a valid line cut short, a bare prefix, or garbage."""
    mode = int(rng.integers(3))
    if mode == 0:
        line = valid_lines[int(rng.integers(len(valid_lines)))]
        return line[: int(len(line) * rng.uniform(0.3, 0.7))]
    if mode == 1:
        return '{"data": '
    if rng.random() < 0.5:
        return "<html><body><h1>503 Service Unavailable</h1></body></html>"
    return "x" + token(rng, int(rng.integers(12, 60)), string.ascii_letters + " ")  # never a JSON literal


def _with_malformed(valid_lines: list[str], n_bad: int, rng: np.random.Generator) -> list[str]:
    """``valid_lines`` with ``n_bad`` malformed lines inserted at random positions."""
    lines = list(valid_lines)
    for _ in range(n_bad):
        lines.insert(int(rng.integers(len(lines) + 1)), _malformed_line(valid_lines, rng))
    return lines


def _truth_frame(posts: list[_Post]) -> pd.DataFrame:
    """Latent truth, one row per valid tweet (see :class:`SampleCrowd`)."""
    return pd.DataFrame(
        {
            "tweet_id": [p.tweet_id for p in posts],
            "text_sentiment": [p.text_sentiment for p in posts],
            "image_sentiment": [p.picture.sentiment for p in posts],
            "media_file": [p.media_file for p in posts],
            "kind": [p.kind for p in posts],
            "lang": [p.lang for p in posts],
            "clarity": [p.picture.clarity for p in posts],
            "source_tweet_id": [p.source_tweet_id for p in posts],
        }
    )


def generate_crowd(spec: SampleSpec) -> SampleCrowd:
    """Simulate a crawl of ``spec.n_tweets`` valid tweets with one picture each (~5 ms a tweet).

    ``round(malformed_line_rate * n_tweets)`` malformed dump lines come on top.
    """
    crowd_seq, _ = streams(spec.seed)
    posts_seq, lines_seq = crowd_seq.spawn(2)
    posts = _build_posts(spec, posts_seq)
    rng = np.random.default_rng(lines_seq)
    valid = [_tweet_line(post, rng) for post in posts]
    n_bad = int(round(spec.malformed_line_rate * spec.n_tweets))
    return SampleCrowd(
        dump_lines=_with_malformed(valid, n_bad, rng),
        media={post.media_file: post.picture.data for post in posts},
        truth=_truth_frame(posts),
    )
