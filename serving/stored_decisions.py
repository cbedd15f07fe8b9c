"""The supervisors' stored decisions as the table ``bias_audits.audit_decisions`` reads.

Both the CLI (``casetriage audit-decisions``) and the reviewer's page audit through here,
so they audit the same rows by the same attributes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.schemas import SENSITIVE_ATTRIBUTES

if TYPE_CHECKING:
    import pandas as pd

    from serving.case_store import CaseStore

__all__ = ["StoredDecisions", "attributes_present", "stored_decisions"]

SOURCE = "the service's stored decisions (latest decision per case)"


@dataclass(frozen=True, kw_only=True)
class StoredDecisions:
    """The latest decision on every decided case, with the attributes it can be audited by.

    ``sha256`` is the hash of the table's CSV text: the report's source hash.
    """

    frame: pd.DataFrame
    attributes: tuple[str, ...]
    sha256: str
    source: str = SOURCE


def attributes_present(frame: pd.DataFrame) -> tuple[str, ...]:
    """Every sensitive attribute with at least one value in ``frame``."""
    return tuple(a for a in SENSITIVE_ATTRIBUTES if a in frame and frame[a].notna().any())


def stored_decisions(store: CaseStore) -> StoredDecisions:
    """Read the decided cases (sensitive attributes are joined only here)."""
    import pandas as pd

    frame = pd.DataFrame(store.decisions_for_audit())
    return StoredDecisions(
        frame=frame,
        attributes=attributes_present(frame),
        sha256=hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest(),
    )
