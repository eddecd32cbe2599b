"""Tests for the human-labelled tweet sets (TweetEval, MVSA text labels) and their registry."""

import re

import numpy as np
import pytest

from crowd_sentiment.core.text_sets import TEXT_SETS, load_mvsa_text, load_text_set, load_tweeteval

# --- fixtures -----------------------------------------------------------------------


def _write_tweeteval(root, texts, labels, split="val"):
    folder = root / "datasets" / "sentiment"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}_text.txt").write_bytes("".join(f"{t}\n" for t in texts).encode("utf-8"))
    (folder / f"{split}_labels.txt").write_text("".join(f"{label}\n" for label in labels), encoding="utf-8")
    (folder / "mapping.txt").write_text("0\tnegative\n1\tneutral\n2\tpositive\n", encoding="utf-8")
    return folder


GBK_TEXT = "今天很开心 “好” @amy"

MVSA_ROWS = [
    # guid, image_label, text_label, joint_label, text bytes
    ("1", "positive", "positive", "positive", b"RT @ann: I love it http://t.co/x\n"),
    ("2", "negative", "Negative", "", GBK_TEXT.encode("gbk")),
    ("3", "neutral", "", "", b"no text label here"),
    ("4", "positive", "neutral", "neutral", "caf\u00e9 at 9 \u2026".encode()),
    ("5", "negative", "negative", "negative", b"don\x92t \x93go\x94"),
]
MVSA_TEXTS = {
    "1": "RT @ann: I love it http://t.co/x",  # raw (normalised), not cleaned
    "2": GBK_TEXT,  # GBK bytes recovered, not cp1252 mojibake
    "4": "caf\u00e9 at 9 \u2026",  # UTF-8 stays UTF-8
    "5": "don\u2019t \u201cgo\u201d",  # not GBK either: cp1252
}


def _write_mvsa(root, rows=MVSA_ROWS, crowd=("1", "2", "3")):
    (root / "data").mkdir(parents=True)
    (root / "splits").mkdir()
    lines = ["guid,image_label,text_label,joint_label"]
    for guid, image, text_label, joint, data in rows:
        lines.append(f"{guid},{image},{text_label},{joint}")
        (root / "data" / f"{guid}.txt").write_bytes(data)
        (root / "data" / f"{guid}.jpg").write_bytes(b"not read")
    (root / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_split(root, "crowd.csv", crowd)
    return root


def _write_split(root, name, guids):
    (root / "splits" / name).write_text("guid\n" + "".join(f"{g}\n" for g in guids), encoding="utf-8")
    return f"splits/{name}"


# --- TweetEval ----------------------------------------------------------------------


def test_load_tweeteval_reads_aligned_lines(tmp_path):
    texts = ["I love it ", "@bob meh", 'He said "hi"\u2028then left', ""]
    _write_tweeteval(tmp_path, texts, [2, 1, 1, 0])
    frame = load_tweeteval(tmp_path, "val")
    assert list(frame.columns) == ["text", "label"]
    assert frame["text"].tolist() == texts  # U+2028 does not split a tweet; blank line kept
    assert frame["label"].tolist() == [2, 1, 1, 0]
    assert frame["label"].dtype == np.int64
    assert frame.equals(load_tweeteval(tmp_path, None))  # val by default


def test_load_tweeteval_other_split_and_crlf(tmp_path):
    folder = tmp_path / "datasets" / "sentiment"
    folder.mkdir(parents=True)
    (folder / "test_text.txt").write_bytes(b"good\r\nbad\r\n")
    (folder / "test_labels.txt").write_bytes(b"2\r\n0")  # no final newline
    frame = load_tweeteval(tmp_path, "test")
    assert frame.to_dict("list") == {"text": ["good", "bad"], "label": [2, 0]}


def test_load_tweeteval_mismatched_line_counts_name_both_files(tmp_path):
    folder = _write_tweeteval(tmp_path, ["a", "b", "c"], [0, 1])
    with pytest.raises(ValueError, match="line counts differ") as info:
        load_tweeteval(tmp_path, "val")
    assert str(folder / "val_text.txt") in str(info.value)
    assert str(folder / "val_labels.txt") in str(info.value)


@pytest.mark.parametrize("missing", ["val_text.txt", "val_labels.txt"])
def test_load_tweeteval_missing_file_names_path(tmp_path, missing):
    folder = _write_tweeteval(tmp_path, ["a"], [0])
    (folder / missing).unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(folder / missing))):
        load_tweeteval(tmp_path, "val")
    with pytest.raises(FileNotFoundError, match="train_text.txt"):
        load_tweeteval(tmp_path, "train")


def test_load_tweeteval_rejects_bad_label(tmp_path):
    _write_tweeteval(tmp_path, ["a", "b"], [0, 3])
    with pytest.raises(ValueError, match="line 2"):
        load_tweeteval(tmp_path, "val")


# --- MVSA ---------------------------------------------------------------------------


def test_load_mvsa_text_decodes_gbk_and_drops_unlabelled(tmp_path):
    _write_mvsa(tmp_path)
    frame = load_mvsa_text(tmp_path, None)
    assert list(frame.columns) == ["text", "label"]
    assert frame["text"].tolist() == list(MVSA_TEXTS.values())  # guid 3 has no text_label
    assert frame["label"].tolist() == [2, 0, 1, 0]
    assert frame["label"].dtype == np.int64


def test_load_mvsa_text_restricted_to_a_split(tmp_path):
    _write_mvsa(tmp_path)
    frame = load_mvsa_text(tmp_path, _write_split(tmp_path, "some.csv", ["5", "3", " 2 "]))
    # labels.csv order; 3 dropped (no text_label)
    assert frame.to_dict("list") == {"text": [MVSA_TEXTS["2"], MVSA_TEXTS["5"]], "label": [0, 0]}
    with pytest.raises(ValueError, match=r"1 requested guid\(s\) not listed, e.g. \['99'\]"):
        load_mvsa_text(tmp_path, _write_split(tmp_path, "odd.csv", ["1", "99"]))


def test_load_mvsa_text_errors(tmp_path):
    _write_mvsa(tmp_path)
    (tmp_path / "data" / "4.txt").unlink()
    with pytest.raises(FileNotFoundError, match="4.txt"):
        load_mvsa_text(tmp_path, None)
    only_one = _write_split(tmp_path, "one.csv", ["1"])
    assert load_mvsa_text(tmp_path, only_one)["text"].tolist() == [MVSA_TEXTS["1"]]  # only kept rows are read
    with pytest.raises(FileNotFoundError, match="none.csv"):
        load_mvsa_text(tmp_path, "splits/none.csv")
    (tmp_path / "labels.csv").unlink()
    with pytest.raises(FileNotFoundError, match="labels.csv"):
        load_mvsa_text(tmp_path, None)


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            [*MVSA_ROWS[:2], ("9", "positive", "happy", "", b"x")],
            r"unknown text_label value\(s\) \['happy'\]",
        ),
        ([*MVSA_ROWS[:3], MVSA_ROWS[2]], r"guid\(s\) listed more than once: \['3'\]"),
    ],
)
def test_load_mvsa_text_bad_labels_name_the_file(tmp_path, rows, message):
    _write_mvsa(tmp_path, rows=rows)
    with pytest.raises(ValueError, match=message) as raised:
        load_mvsa_text(tmp_path, None)
    assert str(tmp_path / "labels.csv") in str(raised.value)


def test_load_mvsa_text_missing_column(tmp_path):
    _write_mvsa(tmp_path)
    (tmp_path / "labels.csv").write_text("guid,image_label\n1,positive\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['text_label'\]"):
        load_mvsa_text(tmp_path, None)


# --- registry -----------------------------------------------------------------------


def test_load_text_set_layouts(tmp_path):
    _write_tweeteval(tmp_path / "te", ["good", "bad"], [2, 0])
    _write_mvsa(tmp_path / "mvsa")
    assert sorted(TEXT_SETS) == ["mvsa_text", "tweeteval"]
    tweeteval = load_text_set("tweeteval", tmp_path / "te", None)
    assert tweeteval.to_dict("list") == {"text": ["good", "bad"], "label": [2, 0]}
    crowd = load_text_set("mvsa_text", tmp_path / "mvsa", "splits/crowd.csv")
    assert list(crowd.columns) == ["text", "label"]
    assert crowd["label"].tolist() == [2, 0]  # guids 1, 2 (3 unlabelled); 4, 5 not in the crowd
    assert crowd["text"].tolist()[1] == GBK_TEXT
    everything = load_text_set("mvsa_text", tmp_path / "mvsa", None)
    assert len(everything) == 4


def test_load_text_set_unknown_layout_lists_known(tmp_path):
    with pytest.raises(ValueError, match=r"'imdb'.*\['mvsa_text', 'tweeteval'\]"):
        load_text_set("imdb", tmp_path, None)
    with pytest.raises(FileNotFoundError, match="crowd.csv"):
        load_text_set("mvsa_text", tmp_path, "splits/crowd.csv")


def test_annotated_tweets_join_texts_and_three_annotators(tmp_path):
    from crowd_sentiment.core.text_sets import load_annotated_tweets

    (tmp_path / "texts.csv").write_text('id,text\n7,"good, very good"\n9,bad\n')
    (tmp_path / "labels.csv").write_text(
        "id,text_1,text_2,text_3,image_1\n9,negative,,Negative,x\n7,positive,neutral,positive,y\n8,neutral,neutral,neutral,z\n"
    )
    frame = load_annotated_tweets(tmp_path)
    assert frame.to_dict("list") == {"id": ["7", "9"], "text": ["good, very good", "bad"], "text_1": ["positive", "negative"],
                                     "text_2": ["neutral", ""], "text_3": ["positive", "negative"]}  # fmt: skip
    (tmp_path / "labels.csv").write_text(
        "id,text_1,text_2,text_3\n9,negative,,happy\n7,positive,neutral,positive\n"
    )
    with pytest.raises(ValueError, match="happy"):
        load_annotated_tweets(tmp_path)
