"""A deterministic synthetic crowd: tweets with pictures, plus a labelled image benchmark.

Why: the project learns image sentiment from tweets (a text teacher labels the tweets, an
image student learns that label from the pictures). A fresh checkout must run end to end
with no download, so this module simulates what a real crawl gives:

- a Twitter-API-v2 stream dump (one JSON object per line, ``data`` + ``includes.media``),
  tweets spread over April-June 2022, each with exactly one photo;
- pictures whose *visual* sentiment agrees with the text's sentiment only with
  probability ``agreement`` (as on real timelines, see MVSA's 53 % text/image agreement);
- the noise real crawls carry: retweets that repost a picture byte for byte, near
  duplicates (re-encoded and/or resized), undecodable media files, icon-sized pictures,
  tweets whose text is only @mentions and links, non-English tweets and malformed lines;
- a disjoint benchmark in the Twitter I layout: binary polarity, five simulated
  annotators, and ground-truth files for the 5/4/3-agree subsets.

Everything is a pure function of :class:`SampleSpec` (its ``seed`` above all): the same
spec gives the same bytes on every call. The crowd and the benchmark draw from two
independent child streams of ``numpy.random.SeedSequence(seed)`` and from different
date ranges, so no benchmark picture is rendered from a crowd picture's parameters.
"""

from __future__ import annotations

import io
import json
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from PIL import Image

from crowd_sentiment.core.sample.pictures import encode, render_picture
from crowd_sentiment.core.sample.texts import (
    FOREIGN_LANGS,
    english_text,
    foreign_text,
    mention_only_text,
    retweet_text,
)

try:  # the project-wide class order, when the labels module exists
    from crowd_sentiment.core.labels import SENTIMENTS
except ImportError:  # pragma: no cover - depends on what else is installed
    SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")  # type: ignore[no-redef]

KINDS: tuple[str, ...] = ("normal", "repost", "near_duplicate", "broken", "tiny", "mention_only")

_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
_CROWD_PERIOD = ("2022-04-01", "2022-07-01")  # [start, end) of crowd tweets
_BENCHMARK_PERIOD = ("2022-01-01", "2022-04-01")  # benchmark tweets: earlier, disjoint ids
_CROWD_CLARITY = (2.0, 1.3)  # Beta(a, b) of crowd pictures' clarity, mean ~0.6
_BENCHMARK_CLARITY = (0.8, 0.45)  # Beta(a, b) giving ~69 % five-agree, ~89 % >=4-agree (as Twitter I)
_N_ANNOTATORS = 5
_FIRST_NAMES = (
    "anna",
    "bob",
    "carla",
    "dev",
    "elif",
    "femi",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
    "marco",
    "nina",
    "omar",
    "pia",
    "quinn",
    "rosa",
    "sam",
    "tom",
    "uma",
    "vic",
    "wen",
    "yuki",
)


@dataclass(frozen=True)
class SampleSpec:
    """What to generate. Rates are fractions of ``n_tweets`` (rounded to whole tweets).

    ``n_tweets`` counts the *valid* tweet lines of the dump (one truth row each); the
    ``malformed_line_rate * n_tweets`` malformed lines come on top. The noise kinds
    (repost, near_duplicate, broken, tiny, mention_only) are exclusive per tweet; the
    rest are ``normal``. ``non_english_rate`` applies across normal, near-duplicate,
    broken and tiny tweets (retweets inherit their source's language).
    """

    seed: int = 7
    n_tweets: int = 600
    n_benchmark: int = 200
    agreement: float = 0.7
    class_mix: tuple[float, float, float] = (0.3, 0.3, 0.4)
    benchmark_positive_rate: float = 0.65
    image_size: tuple[int, int] = (320, 240)
    repost_rate: float = 0.08
    near_duplicate_rate: float = 0.05
    broken_image_rate: float = 0.02
    tiny_image_rate: float = 0.01
    mention_only_rate: float = 0.03
    non_english_rate: float = 0.08
    malformed_line_rate: float = 0.01

    def __post_init__(self) -> None:
        """Fail fast on values that cannot produce a sample, naming the bad value."""
        if self.n_tweets < 1 or self.n_benchmark < 1:
            raise ValueError(f"n_tweets={self.n_tweets} and n_benchmark={self.n_benchmark} must be >= 1")
        rates = {
            name: getattr(self, name)
            for name in (
                "agreement",
                "benchmark_positive_rate",
                "repost_rate",
                "near_duplicate_rate",
                "broken_image_rate",
                "tiny_image_rate",
                "mention_only_rate",
                "non_english_rate",
                "malformed_line_rate",
            )
        }
        for name, value in rates.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}={value} must be in [0, 1]")
        mix = self.class_mix
        if len(mix) != 3 or min(mix) < 0 or abs(sum(mix) - 1) > 1e-6:
            raise ValueError(f"class_mix={mix} must be 3 non-negative shares summing to 1")
        if min(self.image_size) < 48:
            raise ValueError(f"image_size={self.image_size} must be at least 48 px on each side")
        if self.kind_counts()["normal"] < 1:
            raise ValueError(f"noise rates leave no normal tweet among n_tweets={self.n_tweets}")

    def kind_counts(self) -> dict[str, int]:
        """Number of tweets of each kind in :data:`KINDS`, summing to ``n_tweets``."""
        noise = {
            "repost": self.repost_rate,
            "near_duplicate": self.near_duplicate_rate,
            "broken": self.broken_image_rate,
            "tiny": self.tiny_image_rate,
            "mention_only": self.mention_only_rate,
        }
        counts = {kind: int(round(rate * self.n_tweets)) for kind, rate in noise.items()}
        return {"normal": self.n_tweets - sum(counts.values()), **counts}


@dataclass
class SampleCrowd:
    """The simulated crawl.

    ``dump_lines``: JSON lines (no trailing newline), chronological, malformed ones mixed in.
    ``media``: file name ``"<media_key>.<jpg|png>"`` -> file bytes, one file per valid tweet.
    ``truth``: one row per valid tweet (latent truth, for analysis only), columns
    ``tweet_id, text_sentiment, image_sentiment, media_file, kind, lang, clarity,
    source_tweet_id`` (``source_tweet_id`` is ``""`` except for reposts and near duplicates).
    """

    dump_lines: list[str]
    media: dict[str, bytes]
    truth: pd.DataFrame


@dataclass
class SampleBenchmark:
    """A human-style labelled binary image benchmark in the Twitter I layout.

    ``images``: ``"u<user>_<tweet>_<n>.jpg"`` -> JPEG bytes.
    ``votes``: ``file, annotator_1..annotator_5`` (0 negative / 1 positive), ``label``
    (majority), ``agreement`` (size of the majority: 3, 4 or 5).
    ``ground_truth``: ``twitter_{five,four,three}_agrees.txt`` -> lines ``"<file> <label>"``.
    ``truth``: latent truth per file (``file, visual_sentiment, clarity``), for analysis.
    """

    images: dict[str, bytes]
    votes: pd.DataFrame
    ground_truth: dict[str, str]
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _Post:
    """One valid tweet while the crowd is assembled (internal)."""

    tweet_id: str
    media_key: str
    created_ms: int
    author: tuple[str, str]  # (user id, username)
    text: str
    lang: str
    text_sentiment: str
    image_sentiment: str
    clarity: float
    kind: str
    ext: str
    data: bytes
    width: int
    height: int
    quality: int = 0  # JPEG quality the picture was encoded at (0 for PNG or broken)
    source_tweet_id: str = ""

    @property
    def media_file(self) -> str:
        """File name of the media in :attr:`SampleCrowd.media`."""
        return f"{self.media_key}.{self.ext}"


# --- seeds, ids, dates ------------------------------------------------------------------


def _streams(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """Independent (crowd, benchmark) seed sequences derived from ``seed``."""
    crowd, benchmark = np.random.SeedSequence(seed).spawn(2)
    return crowd, benchmark


def _period_ms(period: tuple[str, str]) -> tuple[int, int]:
    """UTC ``[start, end)`` dates as epoch milliseconds."""
    start, end = (datetime.fromisoformat(d).replace(tzinfo=UTC) for d in period)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def _snowflake(created_ms: int, rng: np.random.Generator, used: set[int]) -> str:
    """A Twitter-style 19-digit id encoding ``created_ms``, unique within ``used``."""
    while True:
        value = ((created_ms - _TWITTER_EPOCH_MS) << 22) | int(rng.integers(0, 1 << 22))
        if value not in used:
            used.add(value)
            return str(value)


def _created_at(created_ms: int) -> str:
    """API v2 ``created_at``: ``2022-04-03T12:34:56.000Z``."""
    moment = datetime.fromtimestamp(created_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _random_token(rng: np.random.Generator, length: int) -> str:
    """``length`` random URL-safe characters."""
    alphabet = list(string.ascii_letters + string.digits + "-_")
    return "".join(rng.choice(alphabet, size=length))


def _make_users(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """``n`` distinct ``(user id, username)`` pairs."""
    users: dict[str, str] = {}
    while len(users) < n:
        name = str(rng.choice(_FIRST_NAMES)) + ("_" if rng.random() < 0.3 else "")
        name += str(int(rng.integers(1, 999))) if rng.random() < 0.7 else ""
        if name not in users.values():
            users[str(int(rng.integers(10**7, 10**18)))] = name
    return list(users.items())


# --- choosing what each tweet is --------------------------------------------------------


def _assign_kinds(spec: SampleSpec, rng: np.random.Generator) -> list[str]:
    """Kind of each tweet in chronological order; the first one is always ``normal``.

    (A repost or near duplicate always has an earlier source to copy.)
    """
    counts = spec.kind_counts()
    kinds = [kind for kind in KINDS for _ in range(counts[kind])]
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    first_normal = kinds.index("normal")
    kinds[0], kinds[first_normal] = kinds[first_normal], kinds[0]
    return kinds


def _assign_langs(kinds: list[str], spec: SampleSpec, rng: np.random.Generator) -> list[str]:
    """Language per tweet: ``en``, a foreign code, ``und`` for mention-only, ``""`` for reposts.

    Reposts get ``""`` here and inherit their source's language later.
    """
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


def _jittered_size(size: tuple[int, int], rng: np.random.Generator) -> tuple[int, int]:
    """``size`` with each side scaled by a random factor in [0.8, 1.25]."""
    w, h = (int(round(side * rng.uniform(0.8, 1.25))) for side in size)
    return w, h


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
    """An undecodable media file: ``jpeg`` truncated to 30-60 %, random bytes, or empty."""
    mode = rng.choice(3, p=(0.5, 0.3, 0.2))
    if mode == 0:
        return jpeg[: int(len(jpeg) * rng.uniform(0.3, 0.6))]
    if mode == 1:
        while True:
            noise = rng.integers(0, 256, int(rng.integers(200, 4000)), dtype=np.uint8).tobytes()
            if not _decodes(noise):
                return noise
    return b""


def _near_duplicate(source: _Post, rng: np.random.Generator) -> tuple[bytes, int, int, int]:
    """``source``'s picture resized by 0.6-0.9 and/or re-encoded at another JPEG quality.

    Returns ``(jpeg bytes, width, height, quality)``; the bytes always differ from the source.
    """
    with Image.open(io.BytesIO(source.data)) as opened:
        image = opened.convert("RGB")
    resize = rng.random() < 0.6
    if resize:
        scale = rng.uniform(0.6, 0.9)
        new_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(new_size, Image.Resampling.BILINEAR)
    qualities = [q for q in range(60, 96) if q != source.quality]
    quality = int(rng.choice(qualities))
    return encode(image, "jpeg", quality), image.width, image.height, quality


# --- building posts ---------------------------------------------------------------------


def _text_for(sentiment: str, lang: str, rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """Tweet text of ``sentiment`` in ``lang`` (English or one of the foreign languages)."""
    if lang == "en":
        return english_text(sentiment, rng, usernames)
    return foreign_text(sentiment, lang, rng)


def _original_post(
    kind: str,
    lang: str,
    spec: SampleSpec,
    rng: np.random.Generator,
    pic_rng: np.random.Generator,
    usernames: tuple[str, ...],
) -> dict:
    """Fields of a tweet with its own freshly rendered picture (normal/broken/tiny/mention_only)."""
    if kind == "mention_only":  # the text carries no sentiment; the picture still does
        text_sentiment, text = "neutral", mention_only_text(rng, usernames)
        image_sentiment = _draw_sentiment(spec.class_mix, rng)
    else:
        text_sentiment = _draw_sentiment(spec.class_mix, rng)
        text = _text_for(text_sentiment, lang, rng, usernames)
        image_sentiment = _follow(text_sentiment, spec.agreement, rng)
    clarity = float(rng.beta(*_CROWD_CLARITY))
    if kind == "tiny":
        side = int(rng.choice([16, 24, 32]))
        width, height = side, side
    else:
        width, height = _jittered_size(spec.image_size, rng)
    png = kind != "broken" and rng.random() < (0.5 if kind == "tiny" else 0.05)
    quality = 0 if png else int(rng.integers(60, 96))
    picture = render_picture(image_sentiment, clarity, pic_rng, (width, height))
    data = encode(picture, "png" if png else "jpeg", quality or 85)
    if kind == "broken":
        data, quality = _break(data, rng), 0
    return dict(
        text=text,
        lang=lang,
        text_sentiment=text_sentiment,
        image_sentiment=image_sentiment,
        clarity=clarity,
        kind=kind,
        ext="png" if png else "jpg",
        data=data,
        width=width,
        height=height,
        quality=quality,
    )


def _copied_post(
    kind: str,
    lang: str,
    source: _Post,
    spec: SampleSpec,
    rng: np.random.Generator,
    usernames: tuple[str, ...],
) -> dict:
    """Fields of a repost (retweet, same bytes) or near duplicate (own text, altered bytes)."""
    common = dict(
        image_sentiment=source.image_sentiment,
        clarity=source.clarity,
        kind=kind,
        source_tweet_id=source.tweet_id,
    )
    if kind == "repost":
        return dict(
            common,
            text=retweet_text(source.author[1], source.text),
            lang=source.lang,
            text_sentiment=source.text_sentiment,
            ext=source.ext,
            data=source.data,
            width=source.width,
            height=source.height,
            quality=source.quality,
        )
    text_sentiment = _follow(source.image_sentiment, spec.agreement, rng)
    data, width, height, quality = _near_duplicate(source, rng)
    return dict(
        common,
        text=_text_for(text_sentiment, lang, rng, usernames),
        lang=lang,
        text_sentiment=text_sentiment,
        ext="jpg",
        data=data,
        width=width,
        height=height,
        quality=quality,
    )


def _build_posts(spec: SampleSpec, seq: np.random.SeedSequence) -> list[_Post]:
    """All valid tweets of the crowd, in chronological order."""
    decisions, pictures = seq.spawn(2)
    rng, pic_rng = np.random.default_rng(decisions), np.random.default_rng(pictures)
    users = _make_users(max(20, spec.n_tweets // 4), rng)
    usernames = tuple(name for _, name in users)
    kinds = _assign_kinds(spec, rng)
    langs = _assign_langs(kinds, spec, rng)
    start, end = _period_ms(_CROWD_PERIOD)
    times = np.sort(rng.integers(start, end, spec.n_tweets))
    used_ids: set[int] = set()
    posts: list[_Post] = []
    sources: list[_Post] = []  # earlier tweets whose full-size picture can be copied
    for kind, lang, created in zip(kinds, langs, times.tolist()):
        if kind in ("repost", "near_duplicate"):
            source = sources[int(rng.integers(len(sources)))]
            fields = _copied_post(kind, lang, source, spec, rng, usernames)
        else:
            fields = _original_post(kind, lang, spec, rng, pic_rng, usernames)
        media_ms = created - int(rng.integers(1_000, 120_000))  # uploaded shortly before
        posts.append(
            _Post(
                tweet_id=_snowflake(created, rng, used_ids),
                media_key="3_" + _snowflake(media_ms, rng, used_ids),
                created_ms=created,
                author=users[int(rng.integers(len(users)))],
                **fields,
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
                    "url": f"https://pbs.twimg.com/media/{_random_token(rng, 15)}.{post.ext}",
                    "width": post.width,
                    "height": post.height,
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
    letters = rng.choice(list(string.ascii_letters + " "), size=int(rng.integers(12, 60)))
    return "x" + "".join(letters)  # letters only: never a JSON number or literal


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
            "image_sentiment": [p.image_sentiment for p in posts],
            "media_file": [p.media_file for p in posts],
            "kind": [p.kind for p in posts],
            "lang": [p.lang for p in posts],
            "clarity": [p.clarity for p in posts],
            "source_tweet_id": [p.source_tweet_id for p in posts],
        }
    )


def generate_crowd(spec: SampleSpec) -> SampleCrowd:
    """Simulate a crawl of ``spec.n_tweets`` valid tweets with one picture each.

    Returns the dump lines (``n_tweets`` valid + ``round(malformed_line_rate * n_tweets)``
    malformed), one media file per valid tweet and the latent truth. Deterministic in
    ``spec``; about 5 ms per tweet.
    """
    crowd_seq, _ = _streams(spec.seed)
    posts_seq, lines_seq = crowd_seq.spawn(2)
    posts = _build_posts(spec, posts_seq)
    rng = np.random.default_rng(lines_seq)
    valid = [_tweet_line(post, rng) for post in posts]
    n_bad = int(round(spec.malformed_line_rate * spec.n_tweets))
    return SampleCrowd(
        dump_lines=_with_malformed(valid, n_bad, rng),
        media={post.media_file: post.data for post in posts},
        truth=_truth_frame(posts),
    )


# --- benchmark --------------------------------------------------------------------------


def _annotate(polarity: int, clarity: float, rng: np.random.Generator) -> list[int]:
    """Five votes (0/1); each is ``polarity`` with probability ``0.5 + 0.5 * clarity ** (1/3)``.

    People read weak cues well (a vote is right with probability 0.9 already at clarity
    0.5), so annotators split mostly over pictures with little visual sentiment left: the
    three-agree pictures are the visually ambiguous ones.
    """
    p_right = 0.5 + 0.5 * np.cbrt(clarity)
    right = rng.random(_N_ANNOTATORS) < p_right
    return [polarity if r else 1 - polarity for r in right]


def _benchmark_name(created_ms: int, rng: np.random.Generator, used: set[int]) -> str:
    """Twitter I style file name ``u<user>_<tweet id>_<media index>.jpg``."""
    user = int(rng.integers(10**5, 10**9))
    index = 1 if rng.random() < 0.85 else 2
    return f"u{user}_{_snowflake(created_ms, rng, used)}_{index}.jpg"


def _ground_truth(votes: pd.DataFrame) -> dict[str, str]:
    """The three Twitter I ground-truth files: five = 5 agree, four = >= 4, three = all."""

    def lines(rows: pd.DataFrame) -> str:
        return "".join(f"{f} {label}\n" for f, label in zip(rows["file"], rows["label"]))

    return {
        "twitter_five_agrees.txt": lines(votes[votes["agreement"] == 5]),
        "twitter_four_agrees.txt": lines(votes[votes["agreement"] >= 4]),
        "twitter_three_agrees.txt": lines(votes),
    }


def generate_benchmark(spec: SampleSpec) -> SampleBenchmark:
    """Simulate a Twitter I style benchmark of ``spec.n_benchmark`` binary-labelled pictures.

    Each picture is positive with probability ``benchmark_positive_rate``, rendered with
    clarity ~ Beta(0.8, 0.45) from a stream independent of the crowd's; five annotators
    vote (see :func:`_annotate`), the label is the majority. Expect ~69 % of images in the
    five-agree subset and ~89 % in the four-agree one, with mean clarity ~0.2 in the
    three-agree-only pictures, ~0.4 in the four-agree-only ones and ~0.77 in the five-agree
    subset. Deterministic in ``spec``.
    """
    _, bench_seq = _streams(spec.seed)
    decisions, pictures = bench_seq.spawn(2)
    rng, pic_rng = np.random.default_rng(decisions), np.random.default_rng(pictures)
    start, end = _period_ms(_BENCHMARK_PERIOD)
    used: set[int] = set()
    images: dict[str, bytes] = {}
    rows, truth = [], []
    for created in np.sort(rng.integers(start, end, spec.n_benchmark)).tolist():
        polarity = int(rng.random() < spec.benchmark_positive_rate)
        clarity = float(rng.beta(*_BENCHMARK_CLARITY))
        sentiment = "positive" if polarity else "negative"
        picture = render_picture(sentiment, clarity, pic_rng, _jittered_size(spec.image_size, rng))
        name = _benchmark_name(created, rng, used)
        images[name] = encode(picture, "jpeg", int(rng.integers(60, 96)))
        votes = _annotate(polarity, clarity, rng)
        label = int(sum(votes) > _N_ANNOTATORS // 2)
        rows.append([name, *votes, label, max(sum(votes), _N_ANNOTATORS - sum(votes))])
        truth.append((name, sentiment, clarity))
    annotators = [f"annotator_{i}" for i in range(1, _N_ANNOTATORS + 1)]
    columns = ["file", *annotators, "label", "agreement"]
    votes_frame = pd.DataFrame(rows, columns=columns)
    return SampleBenchmark(
        images=images,
        votes=votes_frame,
        ground_truth=_ground_truth(votes_frame),
        truth=pd.DataFrame(truth, columns=["file", "visual_sentiment", "clarity"]),
    )
