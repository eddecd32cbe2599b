"""The base of every typed setting: frozen, and unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """A block of settings; each field is defined once, with its default equal to the committed YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)
