"""Tests for the sample settings: defaults, checks, and Kedro's validation of the node inputs."""

from pathlib import Path

import pytest
import yaml
from kedro.validation.parameter_validator import ParameterValidator
from pydantic import ValidationError

from crowd_sentiment.pipelines.sample_crowd import create_pipeline
from crowd_sentiment.sample import KINDS, SampleSpec

YAML = Path(__file__).parents[2] / "conf" / "base" / "parameters_sample_crowd.yml"


def _committed() -> dict:
    return yaml.safe_load(YAML.read_text(encoding="utf-8"))["sample_crowd"]


def test_defaults_equal_the_committed_yaml():
    assert SampleSpec() == SampleSpec.model_validate(_committed())


def test_kind_counts_sum_to_n_tweets():
    counts = SampleSpec().kind_counts()
    assert tuple(counts) == KINDS and sum(counts.values()) == 600
    assert list(counts.values()) == [486, 48, 30, 12, 6, 18]


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"agreement": 1.5}, "1.5"),
        ({"class_mix": (0.5, 0.5, 0.5)}, "class_mix=(0.5, 0.5, 0.5)"),
        ({"class_mix": (0.5, 0.5)}, "class_mix"),
        ({"image_size": (20, 60)}, "20"),
        ({"n_tweets": 0}, "n_tweets"),
        ({"n_benchmark": 5}, "n_benchmark"),
        ({"benchmark_positive_rate": 1.0}, "benchmark_positive_rate"),
        ({"repost_rate": 0.6, "near_duplicate_rate": 0.5}, "n_tweets=600"),
        ({"n_twets": 600}, "n_twets"),
    ],
)
def test_spec_rejects_bad_values_naming_them(bad, named):
    with pytest.raises(ValidationError, match=named.replace("(", r"\(").replace(")", r"\)")):
        SampleSpec(**bad)


def test_spec_is_frozen():
    with pytest.raises(ValidationError):
        SampleSpec().seed = 8  # type: ignore[misc]


def test_kedro_validates_the_node_parameters_into_a_spec():
    validator = ParameterValidator({"sample_crowd": create_pipeline()})
    params = validator.validate_raw_params({"sample_crowd": {**_committed(), "seed": 11}})
    assert params["sample_crowd"] == SampleSpec(seed=11)
