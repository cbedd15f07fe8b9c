"""Placeholder until this group's commands land."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
