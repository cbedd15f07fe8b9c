"""Release governance: the fairness gate in front of serving, and the reviewers' decisions.

``train -> audit the candidate (bias_audits) -> tags on the MLflow version -> alias
"champion"`` when the audit passes, or when an ethics reviewer signs off a ``review``.
Every decision is written to an audit sink the caller passes (the service's hash-chained
log), so the CLI and the web pages record the same way and nothing here imports
``serving``.
"""

from governance.candidate import ReleaseOutcome, release_candidate
from governance.catalog import (
    RELEASE_DOCUMENTS,
    ReleaseCatalog,
)
from governance.errors import ReleaseError
from governance.review import ReviewerDecision, check_reviewer_decision, record_reviewer_decision
from governance.sink import AuditSink

__all__ = [
    "RELEASE_DOCUMENTS",
    "AuditSink",
    "ReleaseCatalog",
    "ReleaseError",
    "ReleaseOutcome",
    "ReviewerDecision",
    "check_reviewer_decision",
    "record_reviewer_decision",
    "release_candidate",
]
