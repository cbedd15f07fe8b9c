"""A live service database per scenario: synthetic cases scored by the session's real
champion, stored through the store, decided and given outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetriage.benchmarks.live_caseload import decide_and_tell_outcomes, store_scored_caseload
from serving.case_store import CaseStore
from serving.database import make_engine, make_session_factory, upgrade_schema
from serving.note_cipher import NoteCipher


@pytest.fixture
def monitor_env(champion_env, tmp_path: Path, monkeypatch) -> dict[str, str]:
    """The champion's MLflow store, and reports under ``tmp_path``."""
    for key, value in champion_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CASETRIAGE_HOME", str(tmp_path / "var"))
    return champion_env


@pytest.fixture(scope="session")
def champion_model(champion_env):
    from serving.champion import load_champion

    with pytest.MonkeyPatch.context() as patch:
        for key, value in champion_env.items():
            patch.setenv(key, value)
        return load_champion()


def live_database(tmp_path: Path, model, caseload, *, name: str = "live") -> str:
    """A migrated SQLite service database holding ``caseload`` scored, decided and told."""
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    store = CaseStore(
        sessions=make_session_factory(engine),
        cipher=NoteCipher(key_file=tmp_path / "secrets" / "note.key"),
    )
    cases = caseload.cases
    store_scored_caseload(store, cases, model)
    decide_and_tell_outcomes(
        store.sessions, cases.set_index("case_id")["crisis_90d"], override_share=0.1, seed=3
    )
    engine.dispose()
    return url
