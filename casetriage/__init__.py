"""casetriage: ML-assisted triage of social-services cases with a human in the loop.

This top package is the command line (``casetriage.cli``), the synthetic caseload
generator and the benchmarks; it sits on top of every other package and none of them
imports it. Shared schemas, settings and config live in ``core``.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
