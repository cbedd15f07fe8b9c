"""``export-training``: decided cases with outcomes, de-identified, in the format train reads."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from casetriage.cli import app
from casetriage.training_export import ExportError, write_training_export
from core.schemas import SENSITIVE_ATTRIBUTES
from models import INPUT_COLUMNS, read_cases
from serving.api_schemas import CaseIn
from serving.audit_log import CLI_ACTOR, Actor, verify_chain
from serving.tables import AuditEntry, Case

from .conftest import sqlite_url
from .stored_cases import CASE_SYSTEM, backdate, decide, need, record, save, stored_result

ADMIN = Actor(key_id="admin", role="admin")
NOTE = "Cl Wilhelmina Fairweather got an eviction notice; drinks daily."


def _days_ago(days: int):
    return (datetime.now(UTC) - timedelta(days=days)).date()


def _caseload(store) -> None:
    """One case for each way a case is exported or left out."""
    needs = [
        need("housing_instability", NOTE, "eviction notice"),
        need("substance_use", NOTE, "drinks daily", status="negated"),
    ]
    attributes = {"race_ethnicity": "Black", "sex": "female", "age_band": "25-44"}
    for case_id in ("crisis", "calm", "late", "short", "undecided", "pending", "erased", "amend"):
        score_id = save(store, case_id, 3, needs=needs, attributes=attributes, note=NOTE)
        backdate(store, case_id, days=200)
        if case_id not in ("undecided",):
            decide(store, score_id)
        if case_id == "amend":
            decide(store, score_id, action="override", tier=1, reason="new risk", amend=True)
    created = {}
    with store.sessions() as session:
        for case in session.execute(select(Case)).scalars():
            created[case.case_id] = case.created_at.date()
    record(store, "crisis", crisis=True, crisis_on=created["crisis"] + timedelta(days=30))
    record(store, "calm", crisis=False)
    record(
        store,
        "late",
        crisis=True,
        crisis_on=created["late"] + timedelta(days=120),
        window_days=180,
    )
    record(store, "short", crisis=False, window_days=30)
    record(store, "undecided", crisis=False)
    record(store, "erased", crisis=False)
    record(store, "amend", crisis=False)
    store.erase_case(actor=ADMIN, case_id="erased")


def test_the_export_labels_de_identifies_and_keeps_attributes_apart(store, tmp_path):
    _caseload(store)
    out = tmp_path / "export"
    export = write_training_export(store, out, actor=CLI_ACTOR)
    cases = read_cases(out)
    assert cases["case_id"].tolist() == ["amend", "calm", "crisis", "late"]
    assert dict(zip(cases["case_id"], cases["crisis_90d"], strict=True)) == {
        "amend": 0,
        "calm": 0,
        "crisis": 1,
        "late": 0,  # its crisis came on day 120
    }
    # the supervisors' latest tier, beside the label and never it
    assert dict(zip(cases["case_id"], cases["supervisor_final_tier"], strict=True)) == {
        "amend": 1,
        "calm": 3,
        "crisis": 3,
        "late": 3,
    }
    assert not {"supervisor_final_tier", "crisis_90d", *SENSITIVE_ATTRIBUTES} & set(INPUT_COLUMNS)
    assert set(INPUT_COLUMNS) <= set(cases.columns)
    assert cases.loc[0, ["race_ethnicity", "sex", "age_band", "disability"]].tolist() == [
        "Black",
        "female",
        "25-44",
        "",
    ]
    assert "note" not in cases.columns
    assert json.loads(cases.loc[0, "needs"]) == [
        {
            "code": None,
            "confidence": "confident",
            "experiencer": "client",
            "need": "housing_instability",
            "safety": False,
            "source": "lexicon",
            "status": "present",
        },
        {
            "code": None,
            "confidence": "confident",
            "experiencer": "client",
            "need": "substance_use",
            "safety": False,
            "source": "lexicon",
            "status": "negated",
        },
    ]
    for file in out.iterdir():
        text = file.read_text()
        for fragment in ("Fairweather", "eviction notice", "drinks daily", "new risk", "Ann"):
            assert fragment not in text, (file.name, fragment)
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == export.manifest
    assert manifest["counts"]["cases"] == 4
    assert manifest["counts"]["crisis"] == 1
    assert manifest["counts"]["by_supervisor_final_tier"] == {"1": 1, "3": 3}
    assert manifest["counts"]["left_out"] == {
        "erased": 1,
        "outcome_but_not_decided": 1,
        "decided_but_no_outcome_yet": 1,
        "outcome_cannot_tell_90_days": 1,
    }
    assert manifest["source"]["table_rows"]["cases"] == 8
    assert manifest["needs_source"] == "precomputed"
    assert manifest["train_with"].endswith(f"--config {out / 'model.yaml'}")
    with store.sessions() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "training_export")
        ).scalar_one()
        assert verify_chain(session).ok
    assert manifest["export_audit_entry"] == {"seq": entry.seq, "entry_hash": entry.entry_hash}
    assert json.loads(entry.details)["cases_csv_sha256"] == manifest["files"]["cases.csv"]
    assert manifest["source"]["audit_head"]["seq"] == entry.seq - 1

    from models import load_model_config

    assert load_model_config(out / "model.yaml").needs_source == "precomputed"


def test_notes_only_on_request_and_only_cases_since_a_day(store, tmp_path):
    _caseload(store)
    with store.sessions.begin() as session:
        session.execute(
            update(Case)
            .where(Case.case_id == "crisis")
            .values(created_at=datetime.now(UTC) - timedelta(days=60))
        )
    since = (datetime.now(UTC) - timedelta(days=100)).date()
    export = write_training_export(
        store, tmp_path / "out", actor=CLI_ACTOR, since=since, include_notes=True
    )
    cases = read_cases(tmp_path / "out")
    assert cases["case_id"].tolist() == ["crisis"]
    assert cases.loc[0, "note"] == NOTE
    assert export.manifest["includes_note_text"] is True
    assert export.manifest["train_with"] == f"casetriage train {tmp_path / 'out'}"


def test_no_export_into_a_used_folder_or_of_nothing(store, tmp_path):
    with pytest.raises(ExportError, match="no decided case"):
        write_training_export(store, tmp_path / "empty", actor=CLI_ACTOR)
    assert not (tmp_path / "empty").exists()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "cases.csv").write_text("x")
    with pytest.raises(ExportError, match="not empty"):
        write_training_export(store, tmp_path / "used", actor=CLI_ACTOR)
    with store.sessions() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "training_export" not in actions


def test_an_export_the_audit_log_refused_leaves_no_files(store, tmp_path):
    from sqlalchemy.exc import IntegrityError

    from serving.tables import AuditHead

    _caseload(store)
    with store.sessions.begin() as session:
        # a row where the next entry must go: the export's append fails on the key
        head = session.get(AuditHead, 1)
        session.add(
            AuditEntry(
                seq=head.seq + 1,
                prev_hash="f" * 64,
                entry_hash="e" * 64,
                at="x",
                actor_key_id="x",
                actor_role="x",
                action="x",
                details="{}",
            )
        )
    with pytest.raises(IntegrityError):
        write_training_export(store, tmp_path / "out", actor=CLI_ACTOR)
    assert list((tmp_path / "out").iterdir()) == []


def test_the_cli_exports_from_the_service_database(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CASETRIAGE_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("CASETRIAGE_NOTE_KEY_FILE", str(tmp_path / "secrets" / "note.key"))
    _caseload(store)
    runner = CliRunner()
    result = runner.invoke(app, ["export-training", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "exported 4 cases (1 with a crisis within 90 days)" in result.output
    assert "train with: casetriage train" in result.output
    again = runner.invoke(app, ["export-training", str(tmp_path / "out")])
    assert again.exit_code == 2
    assert "not empty" in again.output
    bad = runner.invoke(app, ["export-training", str(tmp_path / "x"), "--since", "03/04/2026"])
    assert bad.exit_code == 2
    assert "--since" in bad.output


@pytest.mark.slow
def test_train_reads_the_export(store, tmp_path, monkeypatch):
    """A synthetic caseload goes through the service's tables and comes out trainable."""
    from casetriage.synth import generate_caseload

    caseload = generate_caseload(n_cases=400, seed=3).cases
    cases, results = [], []
    for row in caseload.to_dict(orient="records"):
        fields = {name: row[name] for name in CaseIn.model_fields if name in row}
        cases.append(
            CaseIn(
                **fields
                | {
                    "previous_worker_id": None,
                    "audit_attributes": {name: row[name] for name in SENSITIVE_ATTRIBUTES},
                }
            )
        )
        needs = [
            gold | {"evidence": row["note"][:20], "start": 0, "end": 20}
            for gold in json.loads(row["gold_needs"])
        ]
        results.append(stored_result(row["case_id"], 2, needs=needs))
    for start in range(0, len(cases), 100):
        records = store.save_scores(
            actor=CASE_SYSTEM,
            cases=cases[start : start + 100],
            results=results[start : start + 100],
        )
        for saved in records:
            decide(store, saved.score_id)
    with store.sessions.begin() as session:
        session.execute(update(Case).values(created_at=datetime.now(UTC) - timedelta(days=200)))
    for row in caseload.itertuples(index=False):
        if row.crisis_90d:
            record(store, row.case_id, crisis=True, crisis_on=_days_ago(170))
        else:
            record(store, row.case_id, crisis=False)
    out = tmp_path / "export"
    export = write_training_export(store, out, actor=CLI_ACTOR)
    assert export.manifest["counts"]["cases"] == 400
    exported = read_cases(out).set_index("case_id")
    expected = caseload.set_index("case_id")
    assert (exported["crisis_90d"] == expected["crisis_90d"]).all()
    assert (exported["race_ethnicity"] == expected["race_ethnicity"]).all()
    assert (exported["age"] == expected["age"]).all()

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("CASETRIAGE_HOME", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    command = export.train_command.split()[2:]
    trained = CliRunner().invoke(app, ["train", *command])
    assert trained.exit_code == 0, trained.output
    assert "version: 1 (alias: candidate)" in trained.output


@pytest.mark.postgres
def test_the_export_reads_one_snapshot_on_postgres(pg_store, tmp_path):
    _caseload(pg_store)
    export = write_training_export(pg_store, tmp_path / "out", actor=CLI_ACTOR)
    assert read_cases(tmp_path / "out")["case_id"].tolist() == ["amend", "calm", "crisis", "late"]
    assert export.manifest["source"]["database"] == "postgresql"
    assert export.manifest["counts"]["left_out"]["erased"] == 1
    with pg_store.sessions() as session:
        assert verify_chain(session).ok
