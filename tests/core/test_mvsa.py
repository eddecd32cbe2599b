"""Tests for reading MVSA tweets (crowd) and the MVSA image benchmark, on generated fixtures."""

import re
import shutil
from pathlib import Path

import pytest

from crowd_sentiment.core import benchmarks, labels
from crowd_sentiment.core.mvsa import (
    BENCHMARK_COLUMNS,
    GBK_FIRST_ENCODINGS,
    SENTIMENT_NAMES,
    decode_tweet_bytes,
    load_mvsa_benchmark,
    mvsa_stream_lines,
    read_guid_list,
)
from crowd_sentiment.core.text import looks_garbled
from crowd_sentiment.core.tweets import parse_stream_lines

LABEL_HEADER = "guid,image_label,text_label,joint_label\n"


def _mvsa(root: Path, texts: dict[str, bytes], images: set[str] | None = None) -> Path:
    """MVSA layout under ``root``: ``data/<guid>.txt`` and ``data/<guid>.jpg`` (all guids unless ``images``)."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for guid, raw in texts.items():
        (data / f"{guid}.txt").write_bytes(raw)
    for guid in texts if images is None else images:
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
        {"tweet_id": "1", "media_key": "1", "media_file": "1.jpg"},
        {"tweet_id": "2", "media_key": "2", "media_file": "2.jpg"},
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


# --- the benchmark ------------------------------------------------------------------


@pytest.fixture
def bench_root(tmp_path):
    rows = {
        "10": "positive,neutral,positive",
        "11": "negative,negative,",
        "12": "neutral,positive,neutral",
        "13": "Positive ,positive,negative",
        "14": "negative,neutral,",
    }
    root = _mvsa(tmp_path / "mvsa", dict.fromkeys(rows, b"unused"))
    _split(root, "benchmark.csv", LABEL_HEADER + "".join(f"{g},{r}\n" for g, r in rows.items()))
    return root


def test_benchmark_binary(bench_root):
    frame = load_mvsa_benchmark(bench_root, "mvsa")
    assert list(frame.columns) == BENCHMARK_COLUMNS
    assert frame["image"].tolist() == ["10.jpg", "11.jpg", "13.jpg", "14.jpg"]
    assert frame["label"].tolist() == [1, 0, 1, 0]
    assert str(frame["label"].dtype) == "int64"
    assert set(frame["subset"]) == {"image_label_binary"} and set(frame["benchmark"]) == {"mvsa"}
    assert frame["path"].tolist() == [str(bench_root / "data" / image) for image in frame["image"]]


def test_benchmark_three_class_and_empty_labels_dropped(bench_root):
    three = load_mvsa_benchmark(bench_root, "mvsa", classes="three")
    assert three["label"].tolist() == [2, 0, 1, 2, 0]
    assert set(three["subset"]) == {"image_label_3class"}
    joint = load_mvsa_benchmark(bench_root, "mvsa", label_column="joint_label", classes="three")
    assert joint["image"].tolist() == ["10.jpg", "12.jpg", "13.jpg"]
    assert joint["label"].tolist() == [2, 1, 0]
    text = load_mvsa_benchmark(bench_root, "mvsa", label_column="text_label")
    assert text[["image", "label"]].values.tolist() == [["11.jpg", 0], ["12.jpg", 1], ["13.jpg", 1]]
    assert set(text["subset"]) == {"text_label_binary"}


def test_benchmark_relative_root_gives_absolute_paths(bench_root, monkeypatch):
    monkeypatch.chdir(bench_root.parent)
    frame = load_mvsa_benchmark(Path(bench_root.name), "mvsa")
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in frame["path"])


def test_benchmark_missing_image_raises_naming_the_path(bench_root):
    (bench_root / "data" / "14.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="14.jpg") as raised:
        load_mvsa_benchmark(bench_root, "mvsa")
    assert str(bench_root / "data" / "14.jpg") in str(raised.value)
    # an image whose row is not kept is not needed
    assert len(load_mvsa_benchmark(bench_root, "mvsa", label_column="text_label")) == 3


@pytest.mark.parametrize("missing", ["splits/benchmark.csv", "data"])
def test_benchmark_missing_split_or_folder_raises(tmp_path, missing):
    root = _mvsa(tmp_path, {"1": b"x"})
    _split(root, "benchmark.csv", LABEL_HEADER + "1,positive,positive,positive\n")
    target = root / missing
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(target))):
        load_mvsa_benchmark(root, "mvsa")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"label_column": "guid"}, "unknown MVSA label column"),
        ({"classes": "five"}, "unknown MVSA classes"),
    ],
)
def test_benchmark_unknown_options(bench_root, options, message):
    with pytest.raises(ValueError, match=message):
        load_mvsa_benchmark(bench_root, "mvsa", **options)


@pytest.mark.parametrize(
    "content, message",
    [
        ("guid,text_label\n1,positive\n", "missing column"),
        (LABEL_HEADER + "1,happy,,\n", "unknown image_label value"),
        (LABEL_HEADER + "1,positive,,\n1,negative,,\n", "more than once"),
    ],
)
def test_benchmark_bad_split_raises_naming_the_path(tmp_path, content, message):
    root = _mvsa(tmp_path, {"1": b"x"})
    path = _split(root, "benchmark.csv", content)
    with pytest.raises(ValueError, match=message) as raised:
        load_mvsa_benchmark(root, "mvsa")
    assert str(path) in str(raised.value)


def test_conventions_mirror_the_project():
    assert BENCHMARK_COLUMNS == benchmarks.BENCHMARK_COLUMNS
    assert SENTIMENT_NAMES == labels.SENTIMENTS
