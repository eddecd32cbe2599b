"""Tests for reading MVSA tweets: decoding, the crowd and the label files, on generated fixtures."""

from pathlib import Path

import pandas as pd
import pytest

from crowd_sentiment.core.mvsa import (
    GBK_FIRST_ENCODINGS,
    decode_tweet_bytes,
    mvsa_stream_lines,
    read_guid_list,
    read_label_csv,
    sentiment_indices,
)
from crowd_sentiment.core.text import looks_garbled
from crowd_sentiment.core.tweets import parse_stream_lines

LABEL_HEADER = "guid,image_label,text_label,joint_label\n"


def _mvsa(root: Path, texts: dict[str, bytes]) -> Path:
    """MVSA layout under ``root``: ``data/<guid>.txt`` and ``data/<guid>.jpg`` per guid."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for guid, raw in texts.items():
        (data / f"{guid}.txt").write_bytes(raw)
        (data / f"{guid}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not decoded here")
    return root


def _split(root: Path, name: str, content: str) -> Path:
    path = root / "splits" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _reasons(parsed):
    return [(r.item_kind, r.item_id, r.reason) for r in parsed.rejections]


# --- decoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, text, encoding",
    [
        (b"\xef\xbb\xbfhello world\n", "hello world", "utf-8"),
        ("café ☕ 東京".encode(), "café ☕ 東京", "utf-8"),
        (b"\x93great\x94 day \x96 don\x92t stop", "\u201cgreat\u201d day \u2013 don\u2019t stop", "cp1252"),
        (b"caf\xe9 \x81ok", "café ok", "latin-1"),  # 0x81 is undefined in cp1252: Latin-1, C1 control removed
        (b"love it ?? \xef\xbf\xbd", "love it ?? \ufffd", "utf-8"),  # lost emoji are not repaired
        (b"e\xcc\x81t\xc3\xa9", "\u00e9t\u00e9", "utf-8"),  # NFC
        (b" a\tb\r\n c\x00d\x07  ", "a b cd", "utf-8"),
    ],
)
def test_decode_tweet_bytes(raw, text, encoding):
    assert decode_tweet_bytes(raw) == (text, encoding)


def test_gbk_bytes_decode_without_error_and_gbk_first_recovers_them():
    original = "\u201c@ann: 東京はいいね\u2026"
    raw = original.encode("gbk")
    text, encoding = decode_tweet_bytes(raw)
    assert encoding in {"cp1252", "latin-1"} and text.startswith("¡°@ann:")
    assert decode_tweet_bytes(raw, GBK_FIRST_ENCODINGS) == (original, "gbk")
    assert decode_tweet_bytes(b"\xff\xfe\x00\x81\x8d", ())[1] == "latin-1"  # the fallback never fails


@pytest.mark.parametrize(
    "text, garbled",
    [
        ("great day #love", False),
        ("???? #love the view", False),
        ("café ação", False),
        ("", False),
        ("@user http", False),
        ("??? ???? ?? #???", True),
        ("\ufffd\ufffd ok", True),
        ("¤Þ¤É¥Þ¥®¥ï¥ó¥É¥í¤Þ¤È¤á22 | #pixiv @user http", True),
        ("§³ §Õ§ß§Ö§Þ §ã§Ó§ñ§ä§à§Ô§à", True),
    ],
)
def test_looks_garbled(text, garbled):
    assert looks_garbled(text) is garbled


# --- the crowd ----------------------------------------------------------------------


def _parse(root: Path, guids: list[str]):
    """The crowd as the ingestion pipeline sees it: stream lines, then the v2 parser."""
    return parse_stream_lines(mvsa_stream_lines(root, guids), source="mvsa_crowd")


def test_crowd_lines_parse_like_a_crawl(tmp_path):
    raw = {
        "1": "RT @ann: \u201cLove\u201d it @bob https://t.co/x #happy".encode("cp1252"),
        "2": "so sad today 😢".encode(),
    }
    parsed = _parse(_mvsa(tmp_path, raw), ["1", "2"])
    assert parsed.rejections == []
    assert [t["text"] for t in parsed.tweets] == [
        "RT @ann: \u201cLove\u201d it @bob https://t.co/x #happy",
        "so sad today 😢",
    ]
    assert parsed.tweets[0]["text_clean"] == "\u201cLove\u201d it @user http #happy"
    assert {t["lang"] for t in parsed.tweets} == {"und"}
    assert parsed.photos == [
        {"tweet_id": "1", "media_key": "1", "media_file": "1.jpg", "url": "1.jpg"},
        {"tweet_id": "2", "media_key": "2", "media_file": "2.jpg", "url": "2.jpg"},
    ]


def test_gbk_texts_are_decoded_before_cleaning(tmp_path):
    parsed = _parse(_mvsa(tmp_path, {"1": "今天很开心".encode("gbk")}), ["1"])
    assert parsed.tweets[0]["text"] == "今天很开心"


def test_empty_garbled_and_missing_texts_are_rejected(tmp_path):
    root = _mvsa(tmp_path, {"1": b"@ann https://t.co/x", "2": b"t?? ?? ????", "3": b"fine day"})
    parsed = _parse(root, ["1", "2", "3", "4", "../3"])
    assert [t["tweet_id"] for t in parsed.tweets] == ["3"]
    reasons = {(r.item_kind, r.item_id, r.reason) for r in parsed.rejections}
    assert ("tweet", "1", "empty_text") in reasons and ("image", "1.jpg", "tweet_rejected") in reasons
    assert ("tweet", "2", "garbled_text") in reasons
    assert sum(r.reason == "missing_field" for r in parsed.rejections) == 2  # no text file; unsafe guid


def test_read_guid_list_keeps_guids_as_strings(tmp_path):
    assert read_guid_list(_split(tmp_path, "crowd.csv", "guid\n007\n 12 \n3\n")) == ["007", "12", "3"]
    benchmark = _split(
        tmp_path, "benchmark.csv", LABEL_HEADER + "5,positive,neutral,\n6,negative,,negative\n"
    )
    assert read_guid_list(benchmark) == ["5", "6"]


@pytest.mark.parametrize(
    "content, error, message",
    [
        (None, FileNotFoundError, "not found"),
        ("", ValueError, "empty file"),
        ("id,label\n1,positive\n", ValueError, "missing column"),
        ("guid,x\n1,a\n ,b\n", ValueError, "empty guid on line"),
    ],
)
def test_read_guid_list_errors_name_the_path(tmp_path, content, error, message):
    path = tmp_path / "splits" / "crowd.csv"
    if content is not None:
        _split(tmp_path, "crowd.csv", content)
    with pytest.raises(error, match=message) as raised:
        read_guid_list(path)
    assert str(path) in str(raised.value)


# --- label files --------------------------------------------------------------------


def test_read_label_csv_strips_and_lowers(tmp_path):
    path = _split(tmp_path, "benchmark.csv", LABEL_HEADER + " 5 ,Positive ,neutral,\n6,,,negative\n")
    rows = read_label_csv(path, "image_label", "benchmark split")
    assert rows.to_dict("list") == {"guid": ["5", "6"], "name": ["positive", ""]}
    assert sentiment_indices(rows["name"].iloc[:1], path, "image_label") == [2]
    with pytest.raises(ValueError, match=r"missing column\(s\) \['joint'\]"):
        read_label_csv(path, "joint", "benchmark split")
    with pytest.raises(FileNotFoundError, match="benchmark split not found"):
        read_label_csv(tmp_path / "none.csv", "image_label", "benchmark split")


def test_sentiment_indices_name_source_and_column():
    names = pd.Series(["negative", "neutral", "positive"])
    assert sentiment_indices(names, "f.csv", "text_label") == [0, 1, 2]
    with pytest.raises(ValueError, match=r"f\.csv: unknown text_label value\(s\) \['happy'\]"):
        sentiment_indices(pd.Series(["happy", "positive"]), "f.csv", "text_label")
