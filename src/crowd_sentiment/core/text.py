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


# Two or more characters in a row from the Latin-1 supplement or cp1252's extra
# punctuation: the trace of multi-byte text (UTF-8, GBK) decoded one byte at a time.
_MOJIBAKE_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
_LOST_CHARS = frozenset({"?", "\ufffd"})


def _content_chars(text: str) -> str:
    """Non-space characters of a (cleaned) text, without the ``@user``/``http`` masks."""
    return "".join(tok for tok in text.split() if tok not in _MASKS)


def looks_garbled(text: str, threshold: float = 0.5) -> bool:
    """True when at least ``threshold`` of the text's characters are lost or mojibake.

    Counted as garbled: ``?`` and U+FFFD (lost emoji and characters) and every character
    of a run of two or more Latin-1-supplement / cp1252 punctuation characters (bytes of
    multi-byte text read one at a time). Whitespace and the ``@user``/``http`` masks are
    not counted; an empty text is not garbled (that is :func:`has_content`'s job).
    """
    chars = _content_chars(text)
    if not chars:
        return False
    mojibake = sum(len(run) for run in _MOJIBAKE_RUN.findall(chars))
    lost = sum(1 for char in _MOJIBAKE_RUN.sub("", chars) if char in _LOST_CHARS)
    return (mojibake + lost) / len(chars) >= threshold
