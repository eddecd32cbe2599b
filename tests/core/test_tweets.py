"""Tests for parsing a Twitter API v2 stream dump into tweets, photos and rejections."""

import json

import pytest

from crowd_sentiment.core.tweets import media_file_name, parse_stream_lines


def _tweet(tweet_id, text, *media_keys, lang="en"):
    tweet = {"id": tweet_id, "text": text, "lang": lang, "created_at": "2023-01-01T00:00:00Z"}
    if media_keys:
        tweet["attachments"] = {"media_keys": list(media_keys)}
    return tweet


def _photo(key, url=None, kind="photo"):
    media = {"media_key": key, "type": kind}
    if url is not None:
        media["url"] = url
    return media


def _line(data, *media):
    return json.dumps({"data": data, "includes": {"media": list(media)}})


def _reasons(parsed):
    return [(r.item_kind, r.item_id, r.reason) for r in parsed.rejections]


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://pbs.twimg.com/media/abc.png", "3_1.png"),
        ("https://pbs.twimg.com/media/abc.JPEG?format=x", "3_1.jpeg"),
        ("https://pbs.twimg.com/media/abc", "3_1.jpg"),
        (None, "3_1.jpg"),
    ],
)
def test_media_file_name_takes_the_url_extension(url, name):
    assert media_file_name(_photo("3_1", url)) == name


def test_object_and_list_data_with_photo_resolution():
    lines = [
        _line(_tweet("1", "RT @ann: love it @bob https://t.co/x", "m1"), _photo("m1", "https://x/a.png")),
        _line(
            [_tweet("2", "so sad", "m2", "m3"), _tweet("3", "great day", "m4")],
            _photo("m2", "https://x/b.jpg"),
            _photo("m3", "https://x/c.jpg"),
            _photo("m4", "https://x/d.jpg"),
        ),
    ]
    parsed = parse_stream_lines(lines, source="dump1")
    assert parsed.rejections == []
    assert parsed.tweets[0] == {
        "tweet_id": "1",
        "text": "RT @ann: love it @bob https://t.co/x",
        "text_clean": "love it @user http",
        "lang": "en",
        "created_at": "2023-01-01T00:00:00Z",
        "source": "dump1",
    }
    assert [t["tweet_id"] for t in parsed.tweets] == ["1", "2", "3"]
    assert [{k: p[k] for k in ("tweet_id", "media_key", "media_file")} for p in parsed.photos] == [
        {"tweet_id": "1", "media_key": "m1", "media_file": "m1.png"},
        {"tweet_id": "2", "media_key": "m2", "media_file": "m2.jpg"},
        {"tweet_id": "2", "media_key": "m3", "media_file": "m3.jpg"},
        {"tweet_id": "3", "media_key": "m4", "media_file": "m4.jpg"},
    ]
    assert parsed.photos[0]["url"] == "https://x/a.png"


def test_videos_and_unresolved_keys_are_not_photos():
    lines = [
        _line(_tweet("1", "nice video", "v1"), _photo("v1", kind="video")),
        _line(_tweet("2", "two keys", "gone", "m2"), _photo("m2")),
    ]
    parsed = parse_stream_lines(lines, source="s")
    assert _reasons(parsed) == [("tweet", "1", "no_photo")]
    assert parsed.photos == [{"tweet_id": "2", "media_key": "m2", "media_file": "m2.jpg", "url": ""}]


def test_bad_lines_and_missing_fields_are_rejected_by_line_number():
    lines = [
        "{not json",
        "",
        json.dumps({"includes": {}}),  # no data
        json.dumps([1, 2]),  # not an object
        _line({"text": "no id", "attachments": {"media_keys": ["m"]}}, _photo("m")),
        _line({"id": "9", "text": None}),
        _line(_tweet("1", "fine", "m1"), _photo("m1")),
    ]
    parsed = parse_stream_lines(lines, source="s")
    assert _reasons(parsed) == [
        ("line", "1", "malformed_json"),
        ("line", "3", "malformed_json"),
        ("line", "4", "malformed_json"),
        ("line", "5", "missing_field"),
        ("line", "6", "missing_field"),
    ]
    assert [t["tweet_id"] for t in parsed.tweets] == ["1"]
    assert all(r.stage == "ingestion" for r in parsed.rejections)


def test_duplicate_and_empty_tweets_also_reject_their_photos():
    lines = [
        _line(_tweet(7, "hello", "m1"), _photo("m1", "https://x/a.png")),
        _line(_tweet("7", "hello again", "m2"), _photo("m2", "https://x/b.png")),
        _line(_tweet("8", "@bob https://t.co/z", "m3"), _photo("m3")),
    ]
    parsed = parse_stream_lines(lines, source="s")
    assert [t["tweet_id"] for t in parsed.tweets] == ["7"]
    assert [p["media_file"] for p in parsed.photos] == ["m1.png"]
    assert _reasons(parsed) == [
        ("tweet", "7", "duplicate_tweet"),
        ("image", "m2.png", "tweet_rejected"),
        ("tweet", "8", "empty_text"),
        ("image", "m3.jpg", "tweet_rejected"),
    ]
    assert parsed.rejections[3].detail == "tweet 8: empty_text"


def test_language_filter():
    lines = [
        _line(_tweet("1", "hello", "m1", lang="en"), _photo("m1")),
        _line(_tweet("2", "hola", "m2", lang="es"), _photo("m2")),
        _line({"id": "3", "text": "no lang", "attachments": {"media_keys": ["m3"]}}, _photo("m3")),
    ]
    parsed = parse_stream_lines(lines, source="s", languages=["en"])
    assert [t["tweet_id"] for t in parsed.tweets] == ["1"]
    assert _reasons(parsed) == [
        ("tweet", "2", "language_excluded"),
        ("image", "m2.jpg", "tweet_rejected"),
        ("tweet", "3", "language_excluded"),
        ("image", "m3.jpg", "tweet_rejected"),
    ]
    kept_all = parse_stream_lines(lines, source="s")
    assert [t["tweet_id"] for t in kept_all.tweets] == ["1", "2", "3"]
    assert kept_all.tweets[2]["lang"] == "und"


def test_emoji_only_tweet_is_kept():
    parsed = parse_stream_lines([_line(_tweet("1", "@ann 😍", "m1"), _photo("m1"))], source="s")
    assert [t["text_clean"] for t in parsed.tweets] == ["@user 😍"]


@pytest.mark.parametrize(
    "line, kind",
    [
        ('{"data": {"id": "1", "text": "hi"}, "includes": ["x"]}', "line"),
        ('{"data": {"id": "2", "text": "hi", "attachments": ["m"]}}', "tweet"),
        ('{"data": {"id": "3", "text": "hi", "attachments": {"media_keys": [["m"]]}}}', "tweet"),
    ],
)
def test_wrongly_shaped_objects_are_rejected_not_raised(line, kind):
    good = '{"data": {"id": "9", "text": "nice", "attachments": {"media_keys": ["k"]}}, "includes": {"media": [{"media_key": "k", "type": "photo"}]}}'
    parsed = parse_stream_lines([line, good], source="s")
    assert [t["tweet_id"] for t in parsed.tweets] == ["9"]
    assert [(r.item_kind, r.reason) for r in parsed.rejections] == [(kind, "malformed_json")]
