"""Tests for the VADER teacher and its compound → probability mapping."""

import numpy as np
import pytest

from crowd_sentiment.core.teachers import VaderSettings, VaderTeacher, compound_to_probabilities

DEFAULTS = {"neutral_width": 0.15, "uniform_mix": 0.02}
GRID = np.linspace(-1, 1, 40001)


def _probs(c, **overrides):
    return compound_to_probabilities(np.asarray(c, dtype=float), **{**DEFAULTS, **overrides})


def test_rows_are_strictly_positive_distributions():
    p = _probs(GRID)
    assert p.shape == (len(GRID), 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert p.min() >= 0.02 / 3 - 1e-12
    np.testing.assert_allclose(_probs([0.0])[0], [0.02 / 3, 1 - 2 * 0.02 / 3, 0.02 / 3])


def test_positive_pole_grows_with_c_and_negative_pole_mirrors_it():
    p = _probs(GRID)
    up = GRID >= 0
    assert np.all(np.diff(p[:, 2]) >= 0)  # p_positive never decreases with c
    assert np.all(np.diff(p[:, 0]) <= 0)  # p_negative never increases with c
    assert np.all(np.diff(p[(GRID >= 0) & (GRID <= 0.5), 2]) > 0)  # and strictly grows until it saturates
    assert np.all(np.diff(p[up, 1]) <= 0)  # p_neutral falls away from 0 (to its floor ε/3)
    assert np.all(p[GRID < 0, 2] == 0.02 / 3)  # no positive mass for a negative compound
    np.testing.assert_allclose(p[::-1], p[:, ::-1], atol=1e-12)  # p(-c) = reversed p(c)
    assert p[-1].argmax() == 2 and p[0].argmax() == 0 and p[len(GRID) // 2].argmax() == 1


def _crossing(mask):
    """The compound values where ``mask`` holds, as (min, max)."""
    return GRID[mask].min(), GRID[mask].max()


def test_thresholds_stated_in_the_module_docstring():
    p = _probs(GRID)
    low, high = _crossing(p[:, 2] >= 0.9)
    assert high == 1.0 and 0.233 <= low <= 0.235  # p_pos ≥ 0.9 iff c ≥ 0.234
    low, high = _crossing(p[:, 0] >= 0.7)
    assert low == -1.0 and -0.167 <= high <= -0.165  # p_neg ≥ 0.7 iff c ≤ -0.166
    low, high = _crossing(p[:, 1] >= 0.9)
    assert -0.046 <= low <= -0.044 and 0.044 <= high <= 0.046  # p_neu ≥ 0.9 iff |c| ≤ 0.045
    mask = p[:, 1] >= 0.9
    assert np.array_equal(mask, (GRID >= low) & (GRID <= high))  # a single interval


def test_uniform_mix_zero_and_parameters_change_the_shape():
    p = _probs([0.0, 0.5], uniform_mix=0.0)
    np.testing.assert_allclose(p[0], [0, 1, 0])
    wide = _probs([0.1], neutral_width=0.5)[0]
    assert wide[1] > _probs([0.1])[0][1]


@pytest.fixture(scope="module")
def vader():
    return VaderTeacher()


def test_vader_gets_obvious_sentences_right(vader):
    texts = [
        "I love this, it is wonderful and amazing!",
        "This is terrible, I hate it. Awful.",
        "The train leaves at 5 pm.",
        "😍😍",
    ]
    p = vader.predict_proba(texts)
    assert p.shape == (4, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p.argmax(axis=1).tolist() == [2, 0, 1, 2]
    compound = vader.compound(texts)
    np.testing.assert_allclose(p, _probs(compound))
    assert compound[0] > 0.5 and compound[1] < -0.5 and compound[2] == 0.0
    assert vader.name == "vader"


@pytest.mark.parametrize(
    "kwargs",
    [{"neutral_width": 0}, {"neutral_width": -1}, {"uniform_mix": 1.0}, {"uniform_mix": -0.1}],
)
def test_invalid_parameters_raise(kwargs):
    with pytest.raises(ValueError):
        VaderSettings(**kwargs)
