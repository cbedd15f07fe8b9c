"""The decisions table the audit of supervisors reads: latest decision, attributes joined."""

from __future__ import annotations

import pandas as pd
import pytest

from bias_audits import AuditPolicy, audit_decisions
from serving.api_schemas import CaseIn, DecisionIn
from serving.audit_log import Actor

from .conftest import make_case
from .stored_cases import stored_result

SYSTEM = Actor(key_id="system", role="case_system")
SUPERVISOR = Actor(key_id="supervisor", role="supervisor")


def save(store, case_id: str, tier: int, **attributes) -> str:
    case = CaseIn(**make_case(case_id, audit_attributes=attributes or None))
    (record,) = store.save_scores(
        actor=SYSTEM, cases=[case], results=[stored_result(case_id, tier)]
    )
    return record.score_id


def decide(store, score_id: str, **decision) -> None:
    store.decide(
        actor=SUPERVISOR,
        score_id=score_id,
        decision=DecisionIn(**decision),
        known_worker_ids=None,
    )


def test_export_joins_attributes_and_keeps_latest_decision(store):
    confirmed = save(store, "c1", 3, race_ethnicity="A", sex="female")
    raised = save(store, "c2", 3, race_ethnicity="B")
    lowered_then_amended = save(store, "c3", 2, race_ethnicity="B")
    worker_only = save(store, "c4", 2)  # no audit attributes
    save(store, "c5", 1, race_ethnicity="A")  # still pending: not exported
    erased = save(store, "c6", 2, race_ethnicity="A")
    decide(store, confirmed, action="confirm")
    decide(store, raised, action="override", tier=1, reason="threat reported")
    decide(store, lowered_then_amended, action="override", tier=4, reason="resolved")
    decide(
        store,
        lowered_then_amended,
        action="override",
        tier=1,
        reason="new information",
        amend=True,
    )
    decide(store, worker_only, action="override", worker_id="W009", reason="continuity")
    decide(store, erased, action="confirm")
    store.erase_case(actor=Actor(key_id="admin", role="admin"), case_id="c6")

    rows = store.decisions_for_audit()
    frame = pd.DataFrame(rows)
    assert frame[["suggested_tier", "final_tier", "overridden", "override_direction"]].to_dict(
        orient="records"
    ) == [
        {"suggested_tier": 3, "final_tier": 3, "overridden": False, "override_direction": "none"},
        {"suggested_tier": 3, "final_tier": 1, "overridden": True, "override_direction": "up"},
        {"suggested_tier": 2, "final_tier": 1, "overridden": True, "override_direction": "up"},
        {"suggested_tier": 2, "final_tier": 2, "overridden": True, "override_direction": "none"},
    ]
    assert [row["race_ethnicity"] for row in rows] == ["A", "B", "B", None]
    assert [row["sex"] for row in rows] == ["female", None, None, None]
    assert not {"note", "reason", "case_id"} & set(rows[0])

    policy = AuditPolicy.load().to_dict()
    policy["decisions"]["min_denominator"] = 1
    result = audit_decisions(
        frame, sensitive=["race_ethnicity"], policy=AuditPolicy.from_mapping(policy)
    )
    by_group = {g.group: g.metrics["override_rate"].value for g in result.groups}
    assert by_group == {"A": pytest.approx(0.0), "B": pytest.approx(1.0)}


def test_export_is_empty_without_decisions(store):
    save(store, "c1", 2, race_ethnicity="A")
    assert store.decisions_for_audit() == []


def test_audit_decisions_cli_reads_the_service_database(store, tmp_path, monkeypatch):
    """``casetriage audit-decisions`` without ``--from-csv`` audits the stored decisions, by
    every attribute the decided cases carry; no decided case is a clear error, not a report."""
    import json

    from typer.testing import CliRunner

    from casetriage.cli import app

    from .conftest import sqlite_url

    monkeypatch.setenv("CASETRIAGE_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("CASETRIAGE_NOTE_KEY_FILE", str(tmp_path / "secrets" / "note.key"))
    runner = CliRunner()
    empty = runner.invoke(app, ["audit-decisions", "--out", str(tmp_path / "none")])
    assert empty.exit_code == 2
    assert "no decided case" in empty.output
    assert not (tmp_path / "none").exists()

    for i in range(6):
        group = "A" if i % 2 else "B"
        score_id = save(store, f"c{i}", 3, race_ethnicity=group, sex="female")
        if group == "A":
            decide(store, score_id, action="confirm")
        else:
            decide(store, score_id, action="override", tier=4, reason="lower need than scored")
    result = runner.invoke(app, ["audit-decisions", "--out", str(tmp_path / "out")])
    assert result.exit_code in (0, 1), result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["kind"] == "decisions"
    assert (
        report["provenance"]["source"]
        == "the service's stored decisions (latest decision per case)"
    )
    assert report["provenance"]["n_input_rows"] == 6
    assert report["overall"]["override_rate"] == pytest.approx(0.5)
    assert {a["attribute"] for a in report["attributes"] if not a["is_intersection"]} == {
        "race_ethnicity",
        "sex",
    }
