"""Migrations, SQLite settings, note encryption and API keys, at the function level."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from serving.api_keys import authenticate, create_key, hash_key, list_keys, revoke_key
from serving.audit_log import CLI_ACTOR
from serving.database import make_engine, upgrade_schema
from serving.note_cipher import NoteCipher
from serving.tables import ApiKey, Base, Case

from .conftest import sqlite_url


def test_migrations_build_exactly_the_declared_tables(tmp_path):
    engine = make_engine(sqlite_url(tmp_path))
    upgrade_schema(engine)
    upgrade_schema(engine)  # idempotent: a second start changes nothing
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(store):
    with store.sessions() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_unsupported_database_url_is_a_clear_error():
    with pytest.raises(ValueError, match="database_url"):
        make_engine("mysql://somewhere/db")


def test_note_key_file_is_created_private_and_reused(tmp_path):
    key_file = tmp_path / "secrets" / "note.key"
    token = NoteCipher(key_file=key_file).encrypt("cl sleeping in car")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert b"sleeping" not in token
    assert NoteCipher(key_file=key_file).decrypt(token) == "cl sleeping in car"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        NoteCipher(key_file=tmp_path / "other.key").decrypt(token)


def test_notes_are_stored_only_as_ciphertext(store):
    with store.sessions.begin() as session:
        session.add(
            Case(
                case_id="c1",
                note_ciphertext=store.cipher.encrypt("denies SI, eviction notice"),
                created_at=datetime.now(UTC),
            )
        )
    database = Path(store.sessions.kw["bind"].url.database)
    assert b"eviction" not in database.read_bytes()
    assert store.note_of("c1") == "denies SI, eviction notice"


def test_keys_are_stored_hashed_and_checked(store):
    with store.sessions.begin() as session:
        issued = create_key(session, role="supervisor", name="Team A", actor=CLI_ACTOR)
    with store.sessions() as session:
        stored = session.get(ApiKey, issued.key_id)
        assert stored.key_hash == hash_key(issued.key)
        assert issued.key not in stored.key_hash
        actor = authenticate(session, issued.key)
        assert (actor.key_id, actor.role) == (issued.key_id, "supervisor")
        tampered = issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")
        assert authenticate(session, tampered) is None
        assert authenticate(session, "ct_000000000000_" + "x" * 43) is None
        assert authenticate(session, "not a key") is None
        assert authenticate(session, None) is None
    with store.sessions.begin() as session:
        revoke_key(session, key_id=issued.key_id, actor=CLI_ACTOR)
    with store.sessions() as session:
        assert authenticate(session, issued.key) is None
        assert [k.key_id for k in list_keys(session)] == [issued.key_id]


def test_bad_roles_and_unknown_keys_are_named(store):
    with store.sessions.begin() as session, pytest.raises(ValueError, match="role"):
        create_key(session, role="root", name="x", actor=CLI_ACTOR)
    with store.sessions.begin() as session, pytest.raises(LookupError, match="key_id"):
        revoke_key(session, key_id="nope", actor=CLI_ACTOR)


def test_reads_neither_wait_for_an_open_write_nor_see_it(store, keys):
    """Key checks and lookups read the last commit at once; before, they queued behind
    the SQLite writers' lock for the whole of a score transaction."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as reader:
        with store.sessions.begin() as session:  # holds the writers' lock until it commits
            new_key = create_key(session, role="supervisor", name="late", actor=CLI_ACTOR).key
            session.flush()
            known = reader.submit(store.authenticate, keys["case_system"]).result(timeout=2)
            uncommitted = reader.submit(store.authenticate, new_key).result(timeout=2)
        assert known is not None
        assert known.role == "case_system"
        assert uncommitted is None
        assert reader.submit(store.authenticate, new_key).result(timeout=2).role == "supervisor"
