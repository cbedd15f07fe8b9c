"""Release decisions taken at the operator's command line, recorded as the CLI actor.

The CLI, the notebooks, the benchmarks and the test fixtures all release this way; the
web pages call :mod:`governance` with their request's store and the reviewer's key.
"""

from __future__ import annotations

from pathlib import Path

from governance import (
    ReleaseOutcome,
    check_reviewer_decision,
    record_reviewer_decision,
    release_candidate,
)

__all__ = ["release", "signoff"]


def release(
    data_dir: str | Path,
    *,
    version: str | None = None,
    policy_path: str | Path | None = None,
    report_dir: str | Path | None = None,
) -> ReleaseOutcome:
    """Audit ``version`` (default: alias ``candidate``) and promote it if the gate passes."""
    from serving.audit_log import CLI_ACTOR
    from serving.runtime import operator_store

    with operator_store() as store:
        return release_candidate(
            data_dir,
            sink=store,
            actor=CLI_ACTOR,
            version=version,
            policy_path=policy_path,
            report_dir=report_dir,
        )


def signoff(version: str, *, reviewer: str, reason: str, block: bool = False) -> str:
    """Sign off (or block) a ``review`` release; returns the version."""
    from serving.audit_log import CLI_ACTOR
    from serving.runtime import operator_store

    decision = check_reviewer_decision(reviewer=reviewer, reason=reason, block=block)
    with operator_store() as store:
        return record_reviewer_decision(version, decision, sink=store, actor=CLI_ACTOR)
