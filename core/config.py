"""Versioned configuration files, shipped inside the distribution under ``core/config/``.

Every policy and parameter file is found by name here, validated by a pydantic model and,
when it is missing or wrong, rejected with an error naming the file and the field; no
loader falls back to defaults silently.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "ConfigError",
    "config_file",
    "format_validation_error",
    "load_config",
    "read_config_text",
]

ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file is missing, unreadable, not YAML or has an invalid field."""


def config_file(name: str) -> Path:
    """The shipped copy of the config file ``name`` (e.g. ``"serving.yaml"``).

    Raises
    ------
    ConfigError
        When the distribution ships no file of that name.
    """
    path = Path(str(resources.files("core") / "config" / name))
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file shipped with casetriage")
    return path


def read_config_text(name: str, path: str | Path | None = None) -> tuple[Path, str]:
    """``(path, text)`` of ``path`` if given, else of the shipped file ``name``."""
    file = Path(path) if path is not None else config_file(name)
    try:
        return file, file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{file}: cannot read ({error.strerror})") from None


def format_validation_error(error: ValidationError) -> str:
    """``field.sub: message; ...`` for each problem pydantic found."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '<top>'}: {item['msg']}"
        for item in error.errors()
    )


def load_config(name: str, model: type[ModelT], *, path: str | Path | None = None) -> ModelT:
    """Read the config file ``name`` (or ``path``) and validate it as ``model``.

    Parameters
    ----------
    name : str
        File name under ``core/config/``, used when ``path`` is None.
    model : type of pydantic.BaseModel
        The schema; it should forbid unknown keys so a misspelt setting fails.
    path : path, optional
        An operator's own copy of the file.

    Raises
    ------
    ConfigError
        Naming the file, and the field when one is wrong.
    """
    file, text = read_config_text(name, path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{file}: not valid YAML: {error}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{file}: {format_validation_error(error)}") from None
