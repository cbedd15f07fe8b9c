"""Retention: closed cases past their keeping period are erased as a request would erase
them, nothing else is, a second run erases nothing, and no erased text is left behind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from casetriage.cli import app
from core.config import ConfigError
from serving.audit_log import CLI_ACTOR, Actor, verify_chain
from serving.retention import apply_retention
from serving.retention_policy import RetentionPolicy
from serving.tables import AuditEntry, Decision, Outcome, ScoreRecord

from .conftest import sqlite_url
from .stored_cases import backdate, decide, need, record, save

ADMIN = Actor(key_id="admin", role="admin")
NOTE = "Cl Zebulon Quartermaine sleeps in his car since the eviction."
REASON = "Quartermaine's sister called: he is safe with her tonight"
SECRETS = (b"Quartermaine", b"sleeps in his car", b'"household_size"')


def _age(store, case_id: str, *, decided_days: int, outcome_days: int | None = None) -> None:
    """Move a case's decisions (and its outcome's recording) into the past."""
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        score_ids = select(ScoreRecord.score_id).where(ScoreRecord.case_id == case_id)
        session.execute(
            update(Decision)
            .where(Decision.score_id.in_(score_ids))
            .values(decided_at=now - timedelta(days=decided_days))
        )
        if outcome_days is not None:
            session.execute(
                update(Outcome)
                .where(Outcome.case_id == case_id)
                .values(recorded_at=now - timedelta(days=outcome_days))
            )


def _decided(
    store, case_id: str, *, decided_days: int, outcome: bool, reason="family asked", **saved
) -> str:
    score_id = save(store, case_id, **saved)
    backdate(store, case_id, days=decided_days + 100)
    decide(store, score_id, action="override", tier=1, reason=reason)
    if outcome:
        record(store, case_id, crisis=False)
    _age(store, case_id, decided_days=decided_days, outcome_days=decided_days if outcome else None)
    return score_id


def _caseload(store) -> None:
    _decided(store, "closed_by_outcome", decided_days=400, outcome=True)  # due
    _decided(store, "closed_by_time", decided_days=600, outcome=False)  # closed 420 days ago
    _decided(store, "recently_closed", decided_days=400, outcome=False)  # closed 220 days ago
    _decided(store, "fresh", decided_days=10, outcome=True)
    save(store, "never_decided")
    backdate(store, "never_decided", days=2000)
    _decided(store, "scored_again", decided_days=600, outcome=True)
    save(store, "scored_again")  # pending review again: open
    _decided(store, "erased_on_request", decided_days=600, outcome=True)
    store.erase_case(actor=ADMIN, case_id="erased_on_request")


def _erasures(store) -> list[dict]:
    with store.sessions() as session:
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.action == "erasure").order_by(AuditEntry.seq)
        ).scalars()
        return [{"case_id": e.case_id, **json.loads(e.details)} for e in entries]


def test_the_shipped_policy_loads_and_a_bad_one_names_the_field(tmp_path):
    policy = RetentionPolicy.load()
    assert (policy.version, policy.close_without_outcome_after_days) == (2, 180)
    assert (policy.keep_after_closed_days, policy.keep_settled_events_days) == (365, 30)
    assert len(policy.sha256) == 64
    typo = tmp_path / "typo.yaml"
    typo.write_text("version: 1\nclose_without_outcome_after_days: 180\nkeep_days: 10\n")
    with pytest.raises(ConfigError, match="keep_days"):
        RetentionPolicy.load(typo)
    too_short = tmp_path / "short.yaml"
    too_short.write_text(
        "version: 2\nclose_without_outcome_after_days: 30\nkeep_after_closed_days: 30\n"
        "keep_settled_events_days: 30\n"
    )
    with pytest.raises(ConfigError, match=r"keep_after_closed_days: .*outcome window"):
        RetentionPolicy.load(too_short)


def test_only_closed_cases_past_their_keeping_are_erased_and_only_once(store):
    _caseload(store)
    policy = RetentionPolicy.load()
    dry = apply_retention(store, policy, actor=CLI_ACTOR, dry_run=True)
    assert dry.due == ["closed_by_outcome", "closed_by_time"]
    assert (dry.erased, dry.closed_kept, dry.open) == (0, 2, 2)
    assert store.note_of("closed_by_outcome") is not None
    assert len(_erasures(store)) == 1  # the request's, before

    applied = apply_retention(store, policy, actor=CLI_ACTOR)
    assert applied.due == ["closed_by_outcome", "closed_by_time"]
    assert (applied.erased, applied.scores_scrubbed, applied.decisions_scrubbed) == (2, 2, 2)
    assert applied.purge == {
        "database": "sqlite",
        "action": "wal_checkpoint(TRUNCATE)",
        "complete": True,
    }
    for case_id in applied.due:
        assert store.note_of(case_id) is None
    for case_id in ("recently_closed", "fresh", "never_decided", "scored_again"):
        assert store.note_of(case_id) is not None
    request, *by_policy = _erasures(store)
    assert request == {
        "case_id": "erased_on_request",
        "reason": "request",
        "scores": 1,
        "decisions": 1,
    }
    assert by_policy == [
        {
            "case_id": case_id,
            "reason": "retention",
            "scores": 1,
            "decisions": 1,
            "policy_version": 2,
            "policy_sha256": policy.sha256,
        }
        for case_id in ("closed_by_outcome", "closed_by_time")
    ]
    with store.sessions() as session:
        assert session.get(Outcome, "closed_by_outcome").crisis is False  # the trail stays
        reasons = session.execute(select(Decision.reason)).scalars().all()
    assert reasons.count(None) == 3  # the request's and the policy's two

    again = apply_retention(store, policy, actor=CLI_ACTOR)
    assert (again.due, again.erased) == ([], 0)
    assert len(_erasures(store)) == 3
    with store.sessions() as session:
        runs = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "retention_run")
        ).scalars()
        assert [json.loads(run)["erased"] for run in runs] == [2, 0]
        assert verify_chain(session).ok


def test_a_case_scored_again_after_listing_is_not_erased(store, monkeypatch):
    """The check runs again under the case's lock: a new score reopens the case."""
    import serving.retention as retention

    _decided(store, "c1", decided_days=600, outcome=True)
    listed = retention._classify

    def list_then_rescore(session, policy, now, *, case_id=None):
        found = listed(session, policy, now, case_id=case_id)
        if case_id is None:
            save(store, "c1")  # committed between the listing and the erasure
        return found

    monkeypatch.setattr(retention, "_classify", list_then_rescore)
    report = apply_retention(store, RetentionPolicy.load(), actor=CLI_ACTOR)
    assert (report.due, report.erased) == ([], 0)
    assert store.note_of("c1") is not None


def _stored_bytes(database: Path) -> bytes:
    return b"".join(
        path.read_bytes() for path in database.parent.glob(database.name + "*") if path.is_file()
    )


def _secret_case(store) -> None:
    needs = [need("homelessness", NOTE, "sleeps in his car")]
    _decided(store, "c1", decided_days=600, outcome=True, reason=REASON, note=NOTE, needs=needs)


def test_after_retention_the_sqlite_files_hold_no_erased_text(store, tmp_path, monkeypatch):
    _secret_case(store)
    database = Path(store.sessions.kw["bind"].url.database)
    before = _stored_bytes(database)
    # the note itself is ciphertext; its evidence, the reason and the fields are not
    assert all(secret in before for secret in SECRETS)

    monkeypatch.setenv("CASETRIAGE_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("CASETRIAGE_NOTE_KEY_FILE", str(tmp_path / "secrets" / "note.key"))
    runner = CliRunner()
    applied = runner.invoke(app, ["retention", "apply", "--json"])
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.stdout)
    assert (report["erased"], report["chain"]["ok"], report["purge"]["complete"]) == (
        1,
        True,
        True,
    )
    after = _stored_bytes(database)
    for secret in SECRETS:
        assert secret not in after, secret
    assert runner.invoke(app, ["audit-log", "verify"]).exit_code == 0
    second = runner.invoke(app, ["retention", "apply"])
    assert second.exit_code == 0
    assert "0 cases erased" in second.output
    assert "audit log intact" in second.output


def test_the_cli_dry_run_lists_and_erases_nothing(store, tmp_path, monkeypatch):
    _caseload(store)
    monkeypatch.setenv("CASETRIAGE_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("CASETRIAGE_NOTE_KEY_FILE", str(tmp_path / "secrets" / "note.key"))
    runner = CliRunner()
    dry = runner.invoke(app, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 cases due (dry run, nothing erased); 2 closed and kept; 2 open" in dry.output
    assert store.note_of("closed_by_time") is not None
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 0\n")
    refused = runner.invoke(app, ["retention", "apply", "--policy", str(bad)])
    assert refused.exit_code == 2
    assert "version" in refused.output


def _all_rows_as_text(store) -> str:
    with store.sessions() as session:
        tables = session.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        return "\n".join(
            row
            for table in list(tables)
            for row in session.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
        )


def _raw_heap_pages(store) -> bytes:
    """Every page of every table and TOAST table, as PostgreSQL stores it on disk."""
    engine = store.sessions.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        relations = connection.execute(
            text(
                "SELECT c.oid::regclass::text FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 't') AND n.nspname IN ('public', 'pg_toast') "
                "AND (n.nspname = 'public' OR c.oid IN "
                "(SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace))"
            )
        ).scalars()
        pages = []
        for relation in list(relations):
            blocks = connection.execute(
                text("SELECT pg_relation_size(CAST(:r AS regclass)) / 8192"), {"r": relation}
            ).scalar()
            for block in range(blocks):
                pages.append(
                    connection.execute(
                        text("SELECT get_raw_page(:r, :b)"), {"r": relation, "b": block}
                    ).scalar()
                )
    return b"".join(bytes(page) for page in pages)


@pytest.mark.postgres
def test_after_retention_postgres_rows_and_pages_hold_no_erased_text(pg_store):
    _secret_case(pg_store)
    _caseload(pg_store)
    rows = _all_rows_as_text(pg_store)
    assert all(secret.decode() in rows for secret in SECRETS)
    assert all(secret in _raw_heap_pages(pg_store) for secret in SECRETS)

    report = apply_retention(pg_store, RetentionPolicy.load(), actor=CLI_ACTOR)
    assert report.due == ["c1", "closed_by_outcome", "closed_by_time"]
    assert report.purge == {"database": "postgresql", "action": "VACUUM", "complete": True}
    rows = _all_rows_as_text(pg_store)
    pages = _raw_heap_pages(pg_store)
    for secret in SECRETS:
        if secret == b'"household_size"':
            # cases kept open or kept closed still have their fields
            assert rows.count(secret.decode()) == 4
            continue
        assert secret.decode() not in rows, secret
        assert secret not in pages, secret
    with pg_store.sessions() as session:
        assert verify_chain(session).ok
    assert apply_retention(pg_store, RetentionPolicy.load(), actor=CLI_ACTOR).erased == 0
