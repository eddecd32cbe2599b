"""Tests for the frozen-backbone feature cache."""

import numpy as np
import torch
from PIL import Image
from torch import nn

from crowd_sentiment.core.feature_cache import FeatureCache, backbone_key, cached_features
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.students import StudentSpec

SPEC = StudentSpec(arch="test_efficientnet", weights="w", image_size=32, crop_pct=1.0, levels=0)
CPU = torch.device("cpu")


class MeanColour(nn.Module):
    """A stand-in backbone: the mean of each channel, shape (B, 3); counts images seen."""

    def __init__(self):
        super().__init__()
        self.seen = 0

    def forward(self, x):
        self.seen += len(x)
        return x.mean(dim=(2, 3))


def _files(tmp_path, n):
    paths = []
    for i in range(n):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (20, 20), (10 * i, 100, 200 - 10 * i)).save(path)
        paths.append(path)
    return paths


def _with(**changes) -> StudentSpec:
    return SPEC.model_copy(update=changes)


def test_key_depends_on_weights_and_preprocessing(tmp_path):
    assert backbone_key(SPEC) == backbone_key(StudentSpec(arch="test_efficientnet", weights="w", image_size=32, crop_pct=1.0, levels=0))
    assert backbone_key(SPEC) == backbone_key(_with(head_hidden=32, dropout=0.5))  # the head is not the backbone
    assert backbone_key(SPEC) != backbone_key(_with(weights="v"))
    assert backbone_key(SPEC) != backbone_key(_with(image_size=64))
    assert backbone_key(SPEC) != backbone_key(_with(framing="squash"))
    assert backbone_key(SPEC) != backbone_key(_with(levels=2))  # mid-level statistics are other features
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"1")
    first = backbone_key(_with(weights=str(weights)))
    weights.write_bytes(b"22")
    assert backbone_key(_with(weights=str(weights))) != first  # a changed file is another backbone


def test_features_are_computed_once_then_read_back(tmp_path):
    paths = _files(tmp_path, 5)
    images = ImageSet.of(["a", "b", "c", "a", "d"], paths)  # "a" twice: computed once
    cache = FeatureCache(tmp_path / "cache")
    backbone = MeanColour()
    first = cached_features(backbone, SPEC, images, CPU, cache=cache, batch_size=2)
    assert first.shape == (5, 3) and backbone.seen == 4
    torch.testing.assert_close(first[0], first[3])
    again = MeanColour()
    second = cached_features(again, SPEC, images, CPU, cache=cache)
    assert again.seen == 0
    torch.testing.assert_close(first, second)
    more = cached_features(again, SPEC, ImageSet.of(["a", "e"], [paths[0], paths[4]]), CPU, cache=cache)
    assert again.seen == 1 and more.shape == (2, 3)
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_random_weights_and_no_cache_always_compute(tmp_path):
    images = ImageSet.of(["a", "b"], _files(tmp_path, 2))
    cache = FeatureCache(tmp_path / "cache")
    backbone = MeanColour()
    cached_features(backbone, _with(weights="none"), images, CPU, cache=cache)
    cached_features(backbone, _with(weights="none"), images, CPU, cache=cache)
    cached_features(backbone, SPEC, images, CPU, cache=None)
    assert backbone.seen == 6 and not (tmp_path / "cache").exists()


def test_put_and_get_round_trip(tmp_path):
    cache = FeatureCache(tmp_path)
    assert cache.get("k", "abc") is None
    cache.put("k", "abc", np.arange(4))
    np.testing.assert_array_equal(cache.get("k", "abc"), np.arange(4, dtype=np.float32))
