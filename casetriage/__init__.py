"""casetriage: ML-assisted triage of social-services cases with a human in the loop.

The top-level package holds what every other package shares: the command-line interface,
settings, and the data contracts in :mod:`core.schemas`. It must not hold model,
audit or HTTP logic; those live in ``features``, ``models``, ``bias_audits`` and ``serving``.
"""

__version__ = "0.1.0"
