"""Workarounds for behaviour of libraries we depend on, one small module each.

Each has a test in ``tests/serving/test_workarounds.py`` that fails when the upstream
behaviour it works around changes, so it can be removed rather than kept by habit.
"""

from serving.workarounds.worker_heap import freeze_startup_heap

__all__ = ["freeze_startup_heap"]
