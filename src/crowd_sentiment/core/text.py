"""Tweet text preprocessing: the teacher's input.

The paper (Serra et al., 2023) feeds the teacher tweets in which every token starting
with ``@`` becomes ``@user`` and every token starting with ``http`` becomes ``http``.
We do the same and also drop a leading retweet marker (``RT @user:``), which carries no
sentiment. A text with nothing left but masks, punctuation or whitespace has no
usable sentiment and is reported as empty.
"""

from __future__ import annotations

import re
import unicodedata

_RETWEET_PREFIX = re.compile(r"^\s*RT\s+@\w+\s*:\s*", flags=re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_MASKS = frozenset({"@user", "http"})


def mask_token(token: str) -> str:
    """The paper's masking of one whitespace-separated token."""
    if token.startswith("@") and len(token) > 1:
        return "@user"
    if token.startswith("http"):
        return "http"
    return token


def clean_tweet_text(text: str) -> str:
    """Teacher input for a raw tweet text.

    Drops a leading ``RT @user:`` marker, masks mentions and links as in the paper and
    collapses whitespace. Example: ``"RT @ann: love it @bob https://t.co/x"`` →
    ``"love it @user http"``.
    """
    text = _RETWEET_PREFIX.sub("", text)
    return " ".join(mask_token(tok) for tok in _WHITESPACE.split(text.strip()) if tok)


def _is_meaningful(char: str) -> bool:
    """Letters, digits and pictographic symbols (emoji) carry content; punctuation does not."""
    return char.isalnum() or unicodedata.category(char) == "So"


def has_content(clean_text: str) -> bool:
    """True when a cleaned text holds a word or an emoji besides the ``@user``/``http`` masks."""
    return any(tok not in _MASKS and any(_is_meaningful(ch) for ch in tok) for tok in clean_text.split())
