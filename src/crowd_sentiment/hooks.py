"""Project hooks."""

from __future__ import annotations

from kedro.framework.hooks import hook_impl
from pydantic import ValidationError

from crowd_sentiment.params import PARAMETER_MODELS


class ParameterValidationHook:
    """Validate every pipeline's parameters against its typed model before anything runs."""

    @hook_impl
    def after_context_created(self, context) -> None:
        params = context.params
        problems = []
        for key, model in PARAMETER_MODELS.items():
            if key not in params:
                continue
            try:
                model.model_validate(params[key])
            except ValidationError as err:
                problems.append(f"parameters '{key}':\n{err}")
        if problems:
            raise ValueError("invalid parameters (conf/<env>/parameters_*.yml):\n" + "\n".join(problems))
