"""Tests for the path helper."""

import pytest

from crowd_sentiment.core.files import require_path


def test_require_path_returns_existing_paths_and_names_missing_ones(tmp_path):
    assert require_path(tmp_path, "folder") == tmp_path
    with pytest.raises(FileNotFoundError, match=f"benchmark images not found: {tmp_path / 'x'}"):
        require_path(tmp_path / "x", "benchmark images")
