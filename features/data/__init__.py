"""Versioned data files of the needs pipeline (a package so that they ship in wheels)."""

__all__: list[str] = []
