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
