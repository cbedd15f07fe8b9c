"""The audit of supervisors' decisions, run by ``bias_audits`` on the stored decisions."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serving.case_store import CaseStore
from serving.stored_decisions import stored_decisions

__all__ = ["DecisionAuditPage", "audit_stored_decisions"]


@dataclass(frozen=True, kw_only=True)
class DecisionAuditPage:
    """What the page shows: ``report`` is ``report.json``'s content, ``html`` the full
    self-contained report with plots (None when there is nothing to audit yet)."""

    n_decisions: int
    attributes: tuple[str, ...]
    report: dict[str, Any] | None
    html: str | None
    problem: str | None = None


def audit_stored_decisions(store: CaseStore) -> DecisionAuditPage:
    """Audit every decided case by each sensitive attribute the cases carry."""
    from bias_audits import AuditInputError, PolicyError, audit_decisions, write_decision_reports

    decided = stored_decisions(store)
    frame, attributes = decided.frame, decided.attributes
    if frame.empty:
        return DecisionAuditPage(n_decisions=0, attributes=(), report=None, html=None)
    if not attributes:
        return DecisionAuditPage(
            n_decisions=len(frame),
            attributes=(),
            report=None,
            html=None,
            problem="No decided case carries audit attributes, so there are no groups to compare.",
        )
    try:
        result = audit_decisions(
            frame,
            sensitive=list(attributes),
            source=decided.source,
            source_sha256=decided.sha256,
        )
    except (AuditInputError, PolicyError) as error:
        return DecisionAuditPage(
            n_decisions=len(frame),
            attributes=attributes,
            report=None,
            html=None,
            problem=str(error),
        )
    with tempfile.TemporaryDirectory(prefix="casetriage-decisions-") as folder:
        paths = write_decision_reports(result, folder)
        html = Path(paths["html"]).read_text(encoding="utf-8")
    return DecisionAuditPage(
        n_decisions=len(frame), attributes=attributes, report=result.to_dict(), html=html
    )
