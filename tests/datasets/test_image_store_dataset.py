"""The image store dataset: resumable saves that first remove temp files left by a killed run."""

from crowd_sentiment.datasets import ImageStoreDataset


def test_save_removes_leftover_temp_files_and_keeps_stored_images(tmp_path):
    dataset = ImageStoreDataset(str(tmp_path / "store"))
    dataset.save({"ab" * 16: b"first"})
    leftover = tmp_path / "store" / "cd" / "cd" / f".{'cd' * 16}.jpg.x1.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a pic")
    dataset.save({"ab" * 16: b"other bytes", "cd" * 16: b"second"})
    store = dataset.load()
    assert not leftover.exists()
    assert store.ids() == ["ab" * 16, "cd" * 16]
    assert store.path("ab" * 16).read_bytes() == b"first"  # an id already stored is not rewritten
