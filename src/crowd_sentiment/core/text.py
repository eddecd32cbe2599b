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
_MENTION = re.compile(r"(?<!\S)@\S+")  # what mask_token does, for a whole text at once
_LINK = re.compile(r"(?<!\S)http\S*")
_MASK_TOKEN = re.compile(r"(?<!\S)(?:@user|http)(?!\S)")  # a whole token equal to a mask


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
    text = _LINK.sub("http", _MENTION.sub("@user", _RETWEET_PREFIX.sub("", text)))
    return " ".join(text.split())


def _is_meaningful(char: str) -> bool:
    """Letters, digits and pictographic symbols (emoji) carry content; punctuation does not."""
    return char.isalnum() or unicodedata.category(char) == "So"


_ALNUM = re.compile(r"[^\W_]")  # str.isalnum() as a pattern


def has_content(clean_text: str) -> bool:
    """True when a cleaned text holds a word or an emoji besides the ``@user``/``http`` masks."""
    chars = _content_chars(clean_text)
    return _ALNUM.search(chars) is not None or any(_is_meaningful(ch) for ch in chars)


# Two or more characters in a row from the Latin-1 supplement or cp1252's extra
# punctuation: the trace of multi-byte text (UTF-8, GBK) decoded one byte at a time.
_MOJIBAKE_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
_LOST_CHARS = frozenset({"?", "\ufffd"})


def _content_chars(text: str) -> str:
    """Non-space characters of a (cleaned) text, without the ``@user``/``http`` masks."""
    return "".join(_MASK_TOKEN.sub("", text).split())


def strip_masks(text: str) -> str:
    """A (cleaned) text without its ``@user``/``http`` mask tokens, words joined by single spaces."""
    return " ".join(_MASK_TOKEN.sub("", text).split())


def looks_garbled(text: str, threshold: float = 0.5) -> bool:
    """True when at least ``threshold`` of the text's characters are lost or mojibake.

    Counted as garbled: ``?`` and U+FFFD (lost emoji and characters) and every character
    of a run of two or more Latin-1-supplement / cp1252 punctuation characters (bytes of
    multi-byte text read one at a time). Whitespace and the ``@user``/``http`` masks are
    not counted; an empty text is not garbled (that is :func:`has_content`'s job).
    """
    chars = _content_chars(text)
    if not chars or ("?" not in chars and "\ufffd" not in chars and not _MOJIBAKE_RUN.search(chars)):
        return False
    mojibake = sum(len(run) for run in _MOJIBAKE_RUN.findall(chars))
    lost = sum(1 for char in _MOJIBAKE_RUN.sub("", chars) if char in _LOST_CHARS)
    return (mojibake + lost) / len(chars) >= threshold


class TextProblem(ValueError):
    """A tweet text that cannot be used; ``reason`` is the rejection code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def normalise_tweet_text(text: str, max_chars: int) -> str:
    """NFC form of a tweet text, with escaped surrogate pairs joined.

    Raises:
        TextProblem: ``invalid_text`` (a lone surrogate such as ``\\ud83d``, valid JSON but
            no character) or ``text_too_long`` (more than ``max_chars`` characters).
    """
    try:
        text.encode("utf-8")  # fails only on surrogates
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise TextProblem(
                "invalid_text", "a lone surrogate (half of an escaped emoji) in the text"
            ) from None
    if len(text) > max_chars:
        raise TextProblem("text_too_long", f"{len(text)} characters > max_text_chars={max_chars}")
    return unicodedata.normalize("NFC", text)
