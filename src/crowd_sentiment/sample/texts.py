"""Synthetic tweet texts that a lexicon teacher such as VADER reads mostly, not always, right.

Phrases of varied strength, negation, capitals, emoji, hashtags, @mentions and links, some
sarcasm and slang, and short foreign-language posts (word tables: :mod:`.vocabulary`).
"""

from __future__ import annotations

import numpy as np

from crowd_sentiment.sample import vocabulary as words
from crowd_sentiment.sample._random import pick, token

_URL_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def short_url(rng: np.random.Generator) -> str:
    """A t.co-style link, e.g. ``https://t.co/aB3xK9qZ1m`` (10 random characters)."""
    return "https://t.co/" + token(rng, 10, _URL_ALPHABET)


def mention(rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """``@`` plus one of ``usernames``."""
    return "@" + pick(rng, usernames)


def _neutral_core(rng: np.random.Generator) -> str:
    """An informational sentence, placeholders filled (10 % contain lexicon words)."""
    template = pick(rng, words.NEUTRAL_LEXICAL if rng.random() < 0.1 else words.NEUTRAL_PHRASES)
    hour = int(rng.integers(7, 12))
    return template.format(
        time=f"{hour}pm" if rng.random() < 0.5 else f"{hour}:{int(rng.integers(0, 4)) * 15:02d}",
        place=pick(rng, words.PLACES),
        city=pick(rng, words.CITIES),
        day=pick(rng, words.DAYS),
        n=int(rng.integers(2, 40)),
    )


def _polar_core(sentiment: str, strength: int, rng: np.random.Generator) -> str:
    """A polar phrase of ``strength`` 0-2 (10 % sarcasm/slang), intensified when strong."""
    options = words.HARD_PHRASES[sentiment] if rng.random() < 0.1 else words.PHRASES[sentiment][strength]
    phrase = pick(rng, options).format(t=pick(rng, words.TOPICS))
    phrase = phrase[0].upper() + phrase[1:]
    if strength == 2 and rng.random() < 0.4:
        phrase = phrase.upper()
    if strength == 0:
        return phrase + ("" if rng.random() < 0.5 else ".")
    return phrase + "!" * int(rng.integers(1, 4) if strength == 2 else rng.integers(0, 2))


def _emoji_tail(sentiment: str, strength: int, rng: np.random.Generator) -> str:
    """Zero to three emoji of ``sentiment``; more when strong."""
    n = int(rng.integers(0, 2 + strength)) if sentiment != "neutral" else int(rng.random() < 0.3)
    return "".join(pick(rng, words.EMOJI[sentiment]) for _ in range(n))


def english_text(sentiment: str, rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """An English tweet whose wording carries ``sentiment`` (negative|neutral|positive).

    Strength weak/medium/strong with probability 0.35/0.40/0.25; optional leading
    @mention, emoji, 0-2 hashtags and a link.
    """
    if sentiment == "neutral":
        core, strength = _neutral_core(rng), 0
    else:
        strength = int(rng.choice(3, p=(0.35, 0.40, 0.25)))
        core = _polar_core(sentiment, strength, rng)
    parts = [mention(rng, usernames)] if rng.random() < 0.2 else []
    parts.append(core)
    emoji = _emoji_tail(sentiment, strength, rng)
    if emoji:
        parts.append(emoji)
    n_tags = int(rng.choice(3, p=(0.55, 0.3, 0.15)))
    parts.extend(pick(rng, words.HASHTAGS[sentiment]) for _ in range(n_tags))
    if rng.random() < 0.4:
        parts.append(short_url(rng))
    return " ".join(parts)


def foreign_text(sentiment: str, lang: str, rng: np.random.Generator) -> str:
    """A short tweet in ``lang`` (a :data:`.vocabulary.FOREIGN_LANGS` code), maybe with emoji or link."""
    parts = [pick(rng, words.FOREIGN[lang][sentiment])]
    if rng.random() < 0.3:
        parts.append(pick(rng, words.EMOJI[sentiment]))
    if rng.random() < 0.3:
        parts.append(short_url(rng))
    return " ".join(parts)


def tweet_text(sentiment: str, lang: str, rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """A tweet carrying ``sentiment`` in ``lang`` (``"en"`` or one of :data:`.vocabulary.FOREIGN_LANGS`)."""
    if lang == "en":
        return english_text(sentiment, rng, usernames)
    return foreign_text(sentiment, lang, rng)


def mention_only_text(rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """A tweet of only 0-3 @mentions and 0-1 link, never empty: ``@anna @bob https://t.co/…``."""
    n_mentions = int(rng.integers(0, 4))
    parts = [mention(rng, usernames) for _ in range(n_mentions)]
    if n_mentions == 0 or rng.random() < 0.6:
        parts.append(short_url(rng))
    return " ".join(parts)


def retweet_text(original_author: str, original_text: str) -> str:
    """``RT @author: <original text>``."""
    return f"RT @{original_author}: {original_text}"
