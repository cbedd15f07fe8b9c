"""Fixtures for the scale tests: the serving tests' real champion, built once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def champion_env() -> dict[str, str]:
    from tests.serving.champion_setup import champion_environment

    return champion_environment()


@pytest.fixture
def champion(champion_env, monkeypatch):
    """Point the settings at the champion's MLflow store for one test."""
    for key, value in champion_env.items():
        monkeypatch.setenv(key, value)
    return champion_env
