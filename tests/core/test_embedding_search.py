"""Cosine k-nearest-neighbour matches on feature vectors."""

import numpy as np
from PIL import Image

from crowd_sentiment.core.embedding_search import backbone_features, cosine_matches, normalised
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.students import StudentSpec


def test_normalised_rows_have_unit_length_and_zero_rows_stay_zero():
    rows = normalised(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


def test_self_join_finds_close_pairs_once_within_the_neighbour_limit():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(50, 16))
    features[10] = features[3] * 2 + 0.01  # same direction: cosine ~1
    features[20] = features[3] * 0.5
    i, j = cosine_matches(features, features, min_cosine=0.95, neighbours=5, self_join=True, block=7)
    assert sorted(zip(i.tolist(), j.tolist())) == [(3, 10), (3, 20), (10, 20)]
    far = features.copy()
    far[20] = -far[3]
    i, j = cosine_matches(far, far, min_cosine=-1.0, neighbours=1, self_join=True)
    assert len(i) <= 50 and (3, 10) in set(zip(i.tolist(), j.tolist()))  # one nearest neighbour per picture


def test_queries_against_references():
    rng = np.random.default_rng(1)
    references = rng.normal(size=(30, 8))
    queries = np.vstack([references[[4, 9]] + 0.001, rng.normal(size=(5, 8))])
    q, r = cosine_matches(queries, references, min_cosine=0.99, neighbours=1)
    assert list(zip(q.tolist(), r.tolist())) == [(0, 4), (1, 9)]


def test_the_guard_compares_the_last_layers_pooled_features_whatever_the_students_levels(tmp_path):
    paths = []
    for k in range(2):
        paths.append(tmp_path / f"{k}.png")
        Image.new("RGB", (24, 24), (40 * k, 90, 160)).save(paths[-1])
    spec = StudentSpec(arch="test_efficientnet", weights="none", image_size=32, levels=3)
    features = backbone_features(spec, ImageSet.of(["a", "b"], paths), None, batch_size=2)
    assert features.shape == (2, 256)  # test_efficientnet's pooled width, no stage statistics
