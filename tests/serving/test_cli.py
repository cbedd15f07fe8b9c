"""``casetriage keys``, ``audit-log verify`` and ``db upgrade`` on a throwaway home."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from casetriage.cli import app


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CASETRIAGE_HOME", str(tmp_path / "var"))
    monkeypatch.delenv("CASETRIAGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CASETRIAGE_NOTE_KEY_FILE", raising=False)
    return tmp_path / "var"


def test_keys_lifecycle_and_a_tampered_log(home):
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    demo = runner.invoke(app, ["keys", "demo"])
    assert demo.exit_code == 0, demo.output
    printed = [line.split()[-1] for line in demo.stdout.splitlines() if line.strip()]
    assert len(printed) == 4
    assert all(key.startswith("ct_") for key in printed)
    listed = runner.invoke(app, ["keys", "list"]).stdout
    assert all(key not in listed for key in printed)
    key_id = printed[0].split("_")[1]
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).stdout
    bad_role = runner.invoke(app, ["keys", "create", "root", "--name", "x"])
    assert bad_role.exit_code == 2
    assert "role" in bad_role.output
    assert runner.invoke(app, ["keys", "revoke", "nope"]).exit_code == 2
    intact = runner.invoke(app, ["audit-log", "verify"])
    assert (intact.exit_code, "5 entries" in intact.stdout) == (0, True)

    with sqlite3.connect(home / "casetriage.db") as connection:
        connection.execute("UPDATE audit_log SET actor_role = 'admin' WHERE seq = 3")
    broken = runner.invoke(app, ["audit-log", "verify"])
    assert broken.exit_code == 1
    assert "entry 3" in broken.output


def test_serve_refuses_without_a_servable_champion(home, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty-mlflow.db'}")
    monkeypatch.setenv("CASETRIAGE_ROSTER", str(tmp_path / "missing.csv"))
    result = CliRunner().invoke(app, ["serve", "--port", "3999"])
    assert result.exit_code == 1
    assert "refusing to serve" in result.output
    assert "CASETRIAGE_ROSTER" in result.output
