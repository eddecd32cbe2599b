"""Dump formats: v2 pages and retweets, v1.1 lines, JSON documents, T4SA-style tables, format detection."""

import json

import pytest

from crowd_sentiment.core.dump_formats import detect_format, split_lines
from crowd_sentiment.core.tweets import DumpParser


def _parse(files, **kwargs):
    parser = DumpParser(**kwargs)
    for name, data in files.items():
        parser.add_file(name, data if isinstance(data, bytes) else data.encode())
    return parser.parsed


def _kept(parsed):
    return {t["tweet_id"]: t["text"] for t in parsed.tweets}


def _files(parsed):
    return sorted((p["tweet_id"], p["media_file"]) for p in parsed.photos)


def test_v2_page_with_retweet_resolved_to_the_original_and_long_text():
    page = {
        "data": [
            {"id": "1", "text": "RT @ann: cut sh…", "referenced_tweets": [{"type": "retweeted", "id": "9"}]},
            {
                "id": "2",
                "text": "short",
                "note_tweet": {"text": "the whole long text"},
                "attachments": {"media_keys": ["3_2"]},
            },
            {"id": "3", "text": "my words on it", "referenced_tweets": [{"type": "quoted", "id": "9"}]},
        ],
        "includes": {
            "media": [
                {"media_key": "3_9", "type": "photo", "url": "https://p/a.png"},
                {"media_key": "3_2", "type": "photo"},
            ],
            "tweets": [
                {"id": "9", "text": "the original, happy text", "attachments": {"media_keys": ["3_9"]}}
            ],
        },
        "meta": {"result_count": 3},
    }
    parsed = _parse({"page.jsonl": json.dumps(page)})
    assert _kept(parsed) == {"1": "the original, happy text", "2": "the whole long text"}
    assert _files(parsed) == [("1", "3_9.png"), ("2", "3_2.jpg")]
    assert [(r.item_id, r.reason) for r in parsed.rejections] == [("3", "no_photo")]  # a quote keeps its own


def test_v1_lines_full_text_extended_entities_and_retweets():
    photo = {"id_str": "55", "type": "photo", "media_url_https": "https://p/x.jpg"}
    lines = [
        {"id_str": "1", "text": "trunc…", "truncated": True, "user": {},
         "extended_tweet": {"full_text": "the full text", "extended_entities": {"media": [photo]}}},
        {"id_str": "2", "full_text": "plain full text", "extended_entities": {"media": [{**photo, "id_str": "56"}]}},
        {"id_str": "3", "text": "RT @a: trunc", "user": {},
         "retweeted_status": {"id_str": "4", "full_text": "original words", "extended_entities": {"media": [{**photo, "id_str": "57"}]}}},
        {"id_str": "5", "text": "video only", "user": {}, "extended_entities": {"media": [{"id_str": "58", "type": "video"}]}},
    ]  # fmt: skip
    parsed = _parse({"v1.jsonl": "\n".join(json.dumps(line) for line in lines)})
    assert _kept(parsed) == {"1": "the full text", "2": "plain full text", "3": "original words"}
    assert _files(parsed) == [("1", "3_55.jpg"), ("2", "3_56.jpg"), ("3", "3_57.jpg")]
    assert [(r.item_id, r.reason) for r in parsed.rejections] == [("5", "no_photo")]


def test_json_document_and_tables():
    document = [{"data": {"id": "1", "text": "nice", "attachments": {"media_keys": ["k"]}},
                 "includes": {"media": [{"media_key": "k", "type": "photo"}]}}]  # fmt: skip
    csv = 'tweet_id,text,image_url\n7,"happy\nnews",https://p/7-1.jpg\n8,sad day,8-1.jpg;8-2.jpg\n9,no picture,\n,no id,x.jpg\n'
    tsv = "id\ttext\timage\n10\tgreat\t../evil.jpg\n"
    parsed = _parse({"doc.json": json.dumps(document), "t4sa.csv": csv, "t.tsv": tsv})
    assert _kept(parsed) == {"1": "nice", "7": "happy\nnews", "8": "sad day"}
    assert _files(parsed) == [("1", "k.jpg"), ("7", "7-1.jpg"), ("8", "8-1.jpg"), ("8", "8-2.jpg")]
    assert next(p["url"] for p in parsed.photos if p["tweet_id"] == "7") == "https://p/7-1.jpg"
    reasons = {(r.item_kind, r.item_id): r.reason for r in parsed.rejections}
    assert reasons == {
        ("tweet", "9"): "no_photo",
        ("line", "t4sa.csv:6"): "missing_field",
        ("image", "'../evil.jpg'"): "unsafe_media_name",
        ("tweet", "10"): "no_photo",
    }


@pytest.mark.parametrize(
    "name, data, fmt",
    [
        ("a.jsonl", b'\xef\xbb\xbf{"data": {}}', "jsonl"),
        ("a.json", b'{"data": {}}', "json"),
        ("a.txt", b"[{}]", "json"),
        ("a.csv", b"tweet_id,text\n1,x", "table"),
        ("a.tsv", b"id\ttext\timage\n", "table"),
        ("README.md", b"# notes", None),
    ],
)
def test_format_detection(name, data, fmt):
    assert detect_format(name, data) == fmt


def test_lines_split_on_newline_only_with_physical_numbers():
    data = "\ufeffa\u2028b\r\n\n c\x85d\n".encode()
    assert list(split_lines(data)) == [(1, "a\u2028b".encode()), (3, " c\x85d".encode())]


def test_a_named_format_overrides_detection():
    parsed = _parse({"dump.txt": b'{"data": {"id": "1", "text": "hey"}}'}, dump_format="jsonl")
    assert [(r.item_id, r.reason) for r in parsed.rejections] == [("1", "no_photo")]
