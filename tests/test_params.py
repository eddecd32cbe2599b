"""Typed parameters: one definition per setting, defaults equal to the committed YAML, errors naming the key."""

import shutil
from pathlib import Path
from typing import get_args

import pytest
from kedro.config import OmegaConfigLoader
from kedro.validation.exceptions import ParameterValidationError
from kedro.validation.parameter_validator import ParameterValidator
from pydantic import BaseModel, ValidationError

from crowd_sentiment.core.benchmarks import LOADERS
from crowd_sentiment.core.text_sets import TEXT_SETS
from crowd_sentiment.params import PARAMETER_MODELS, BenchmarkSpec, DistillationParams, TextSetSpec
from crowd_sentiment.pipeline_registry import register_pipelines
from crowd_sentiment.settings import CONFIG_LOADER_ARGS

CONF = Path(__file__).resolve().parents[1] / "conf"


@pytest.fixture(scope="module")
def base_params(tmp_path_factory) -> dict:
    """The committed ``conf/base`` parameters alone (``conf/local`` of this machine left out)."""
    conf = tmp_path_factory.mktemp("conf")
    shutil.copytree(CONF / "base", conf / "base")
    (conf / "local").mkdir()
    return OmegaConfigLoader(str(conf), **CONFIG_LOADER_ARGS)["parameters"]


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            keys |= _leaf_keys(nested, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def _yaml_leaf_keys(data: dict, model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, value in data.items():
        nested = model.model_fields[name].annotation if name in model.model_fields else None
        if isinstance(value, dict) and isinstance(nested, type) and issubclass(nested, BaseModel):
            keys |= _yaml_leaf_keys(value, nested, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


@pytest.mark.parametrize("key", sorted(PARAMETER_MODELS))
def test_code_defaults_equal_the_committed_yaml(base_params, key):
    model, data = PARAMETER_MODELS[key], base_params[key]
    required = {name: data[name] for name, field in model.model_fields.items() if field.is_required()}
    assert model.model_validate(data) == model.model_validate(required)


@pytest.mark.parametrize("key", sorted(PARAMETER_MODELS))
def test_the_yaml_lists_every_setting(base_params, key):
    model = PARAMETER_MODELS[key]
    assert _yaml_leaf_keys(base_params[key], model) == _leaf_keys(model)


def test_every_pipeline_parameter_block_has_a_model(base_params):
    assert set(base_params) == set(PARAMETER_MODELS)


def test_layout_literals_list_exactly_the_registered_loaders():
    assert sorted(get_args(BenchmarkSpec.model_fields["layout"].annotation)) == sorted(LOADERS)
    assert sorted(get_args(TextSetSpec.model_fields["layout"].annotation)) == sorted(TEXT_SETS)


def test_unknown_layout_is_rejected():
    with pytest.raises(ValidationError, match="layout"):
        BenchmarkSpec(name="b", layout="flickr", root="data")


def test_lbfgs_head_solver_needs_a_linear_head_on_a_frozen_backbone():
    DistillationParams.model_validate({"student": {"head_hidden": 0}, "training": {"head_solver": "lbfgs"}})
    with pytest.raises(ValueError, match="head_hidden 0"):
        DistillationParams.model_validate({"student": {"head_hidden": 32}, "training": {"head_solver": "lbfgs"}})


def test_kedro_validates_every_typed_node_input_before_a_run_naming_the_key(base_params):
    validator = ParameterValidator(register_pipelines())
    typed = validator.validate_raw_params(base_params)
    for key, model in PARAMETER_MODELS.items():
        assert isinstance(typed[key], model), key
    bad = base_params | {"filtering": {"min_confidence": {"negative": 0.7}}}
    with pytest.raises(ParameterValidationError, match="filtering") as error:
        validator.validate_raw_params(bad)
    assert "neutral" in str(error.value)
    misspelt = base_params | {"distillation": {"training": {"epochz": 3}}}
    with pytest.raises(ParameterValidationError, match="epochz"):
        validator.validate_raw_params(misspelt)
