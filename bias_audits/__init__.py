"""Fairness audits that gate each release of the risk model, and audits of human decisions.

No model version serves unless its audit passed or an ethics reviewer signed off. An audit
reports, per sensitive attribute and intersection, each group's rates with bootstrap
intervals and denominators, each group's disparity to a reference group judged against a
versioned policy, and where the data are too thin to tell.
"""

from bias_audits._audit import AuditResult, audit_table
from bias_audits._inputs import AuditInputError
from bias_audits._metrics import METRIC_NAMES, expected_calibration_error
from bias_audits._policy import AuditPolicy, PolicyError, Tolerance, default_policy_path
from bias_audits._reports import write_reports
from bias_audits._results import AttributeSummary, Disparity, GroupResult, MetricEstimate
from bias_audits.decisions import DecisionAuditResult, audit_decisions, write_decision_reports
from bias_audits.mitigation import MitigationRow, attach_mitigation, compare_mitigations
from bias_audits.model_card import write_model_card

__all__ = [
    "METRIC_NAMES",
    "AttributeSummary",
    "AuditInputError",
    "AuditPolicy",
    "AuditResult",
    "DecisionAuditResult",
    "Disparity",
    "GroupResult",
    "MetricEstimate",
    "MitigationRow",
    "PolicyError",
    "Tolerance",
    "attach_mitigation",
    "audit_decisions",
    "audit_table",
    "compare_mitigations",
    "default_policy_path",
    "expected_calibration_error",
    "write_decision_reports",
    "write_model_card",
    "write_reports",
]
