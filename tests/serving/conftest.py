"""Fixtures for the serving tests: a migrated database, keys per role, the app in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.api_keys import ROLES, create_key
from serving.audit_log import CLI_ACTOR
from serving.case_store import CaseStore
from serving.database import make_engine, make_session_factory, upgrade_schema
from serving.note_cipher import NoteCipher


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'serving.db'}"


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    engine = make_engine(sqlite_url(tmp_path))
    upgrade_schema(engine)
    yield CaseStore(
        sessions=make_session_factory(engine),
        cipher=NoteCipher(key_file=tmp_path / "secrets" / "note.key"),
    )
    engine.dispose()


@pytest.fixture
def keys(store: CaseStore) -> dict[str, str]:
    """One plaintext API key per role."""
    issued = {}
    with store.sessions.begin() as session:
        for role in ROLES:
            issued[role] = create_key(session, role=role, name=f"test {role}", actor=CLI_ACTOR).key
    return issued
