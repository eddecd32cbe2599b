"""The read-only MVSA crowd datasets: only the crowd split, never a label."""

from __future__ import annotations

import json

from crowd_sentiment.datasets import MvsaCrowdDumpDataset, MvsaCrowdMediaDataset


def _layout(root):
    (root / "data").mkdir(parents=True)
    for guid, text in {"1": b"good", "2": b"bad", "9": b"held out"}.items():
        (root / "data" / f"{guid}.txt").write_bytes(text)
    for guid in ("1", "9"):
        (root / "data" / f"{guid}.jpg").write_bytes(b"\xff\xd8 bytes")
    (root / "splits").mkdir()
    (root / "splits" / "crowd.csv").write_text("guid\n1\n2\n")
    return root


def test_crowd_datasets_read_only_the_split_and_never_labels(tmp_path):
    root = _layout(tmp_path / "mvsa")
    dumps = MvsaCrowdDumpDataset(root=str(root)).load()
    lines = dumps["mvsa_crowd"]().splitlines()
    assert [json.loads(line)["data"]["id"] for line in lines] == ["1", "2"]
    media = MvsaCrowdMediaDataset(root=str(root)).load()
    assert set(media) == {"1.jpg"}  # 2.jpg is missing, 9.jpg is not in the crowd split
    assert media["1.jpg"]().startswith(b"\xff\xd8")
    assert list(MvsaCrowdMediaDataset(root=str(root), limit=1).load()) == ["1.jpg"]
    assert not (root / "labels.csv").exists()
