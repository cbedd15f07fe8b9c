"""Limits of the API, read from ``core/config/serving.yaml`` when the service starts."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.config import load_config

__all__ = ["THIS_MACHINE", "ServingConfig"]

THIS_MACHINE = ("localhost", "127.0.0.1", "::1")


class ServingConfig(BaseModel):
    """Request, page and database limits of the HTTP API."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    queue_page_max: int = Field(default=200, ge=1)
    connect_timeout_s: float = Field(default=3.0, gt=0)
    statement_timeout_s: float = Field(default=5.0, gt=0)
    webhook_hosts: tuple[str, ...] = Field(
        default=THIS_MACHINE,
        description="hosts a webhook may point at; shell patterns such as *.agency.example",
    )

    @classmethod
    def load(cls, path: Path | None = None) -> ServingConfig:
        """Read ``path``, else the operator's file from the settings, else the shipped one.

        Raises
        ------
        core.config.ConfigError
            Naming the file and field when the file is missing or a value is wrong.
        """
        from core.settings import get_settings

        return load_config("serving.yaml", cls, path=path or get_settings().serving_config_file)
