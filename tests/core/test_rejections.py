"""Tests for the rejection table."""

from crowd_sentiment.core.rejections import REJECTION_COLUMNS, Rejection, rejections_frame


def test_frame_has_one_string_row_per_rejection():
    frame = rejections_frame(
        [
            Rejection("ingestion", "line", "3", "malformed_json", "bad"),
            Rejection("images", "image", "ab.jpg", "undecodable"),
        ]
    )
    assert list(frame.columns) == list(REJECTION_COLUMNS)
    assert frame.to_dict("records") == [
        {
            "stage": "ingestion",
            "item_kind": "line",
            "item_id": "3",
            "reason": "malformed_json",
            "detail": "bad",
        },
        {"stage": "images", "item_kind": "image", "item_id": "ab.jpg", "reason": "undecodable", "detail": ""},
    ]
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


def test_empty_frame_keeps_the_columns():
    frame = rejections_frame([])
    assert list(frame.columns) == ["stage", "item_kind", "item_id", "reason", "detail"]
    assert len(frame) == 0
