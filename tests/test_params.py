"""Consistency of the typed parameters with the core registries they name."""

from typing import get_args

import pytest
from pydantic import ValidationError

from crowd_sentiment.core.benchmarks import LOADERS
from crowd_sentiment.params import BenchmarkSpecParams


def test_benchmark_layout_literal_lists_exactly_the_registered_loaders():
    layouts = get_args(BenchmarkSpecParams.model_fields["layout"].annotation)
    assert sorted(layouts) == sorted(LOADERS)


@pytest.mark.parametrize("layout", sorted(LOADERS))
def test_every_registered_layout_validates(layout):
    assert BenchmarkSpecParams(name="b", layout=layout, root="data").layout == layout


def test_unknown_layout_is_rejected():
    with pytest.raises(ValidationError, match="layout"):
        BenchmarkSpecParams(name="b", layout="flickr", root="data")


def test_lbfgs_head_solver_needs_a_linear_head_on_a_frozen_backbone():
    from crowd_sentiment.params import DistillationParams

    DistillationParams.model_validate({"student": {"head_hidden": 0}, "training": {"head_solver": "lbfgs"}})
    with pytest.raises(ValueError, match="head_hidden 0"):
        DistillationParams.model_validate(
            {"student": {"head_hidden": 32}, "training": {"head_solver": "lbfgs"}}
        )
