"""The whole path a fresh install runs, through the real CLI and a real ``bentoml serve``.

synth -> train -> release (fairness gate) -> keys -> serve -> score a case over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CASE = {
    "case_id": "walk-1",
    "note": (
        "Cl is 34 yo F with 2 kids, got an eviction notice for end of month and "
        "is behind on the electric bill. Denies SI/HI. No DV."
    ),
    "age": 34,
    "household_size": 3,
    "n_children": 2,
    "prior_referrals": 1,
    "prior_crises": 2,
    "income_band": "under_15k",
    "housing_type": "renting",
    "referral_source": "self",
    "region": "north",
    "preferred_language": "en",
}


def _casetriage(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 900
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "casetriage", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_fresh_install_path_scores_a_case_over_http(tmp_path):
    env = os.environ | {
        "CASETRIAGE_HOME": str(tmp_path / "var"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'var' / 'mlflow' / 'mlflow.db'}",
        "CASETRIAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'casetriage.db'}",
        "CASETRIAGE_NOTE_KEY_FILE": str(tmp_path / "var" / "secrets" / "note.key"),
        "CASETRIAGE_ROSTER": str(tmp_path / "data" / "workers.csv"),
    }
    steps = [
        ("synth", "--cases", "3000", "--seed", "11", "--out", str(tmp_path / "data")),
        ("train", str(tmp_path / "data")),
    ]
    for step in steps:
        done = _casetriage(*step, env=env, cwd=tmp_path)
        assert done.returncode == 0, f"{step[0]} failed:\n{done.stdout}\n{done.stderr}"

    report_dir = tmp_path / "report"
    released = _casetriage(
        "release", str(tmp_path / "data"), "--report-dir", str(report_dir), env=env, cwd=tmp_path
    )
    report = json.loads((report_dir / "report.json").read_text())
    assert (report_dir / "report.html").stat().st_size > 1000
    assert (report_dir / "model_card.md").is_file()
    if report["verdict"] == "review":
        # small data leave some groups too thin to judge: a person must sign it off
        assert released.returncode == 1, released.stdout + released.stderr
        refused = _casetriage("serve", "--port", "1", env=env, cwd=tmp_path, timeout=120)
        assert refused.returncode != 0
        assert "refusing to serve" in refused.stderr
        signed = _casetriage(
            "signoff",
            "1",
            "--reviewer",
            "E2E Reviewer",
            "--reason",
            "thin groups read and accepted for this test",
            env=env,
            cwd=tmp_path,
        )
        assert signed.returncode == 0, signed.stdout + signed.stderr
    else:
        assert report["verdict"] == "pass", report["verdict_reasons"]
        assert released.returncode == 0, released.stdout + released.stderr

    created = _casetriage("keys", "create", "case_system", "--name", "cms", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]

    process, url, log = start_server(env, root=tmp_path)
    try:
        assert url is not None, f"server did not become ready:\n{log.read_text()[-4000:]}"
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "walk-1"}
        response = httpx.post(f"{url}/v1/score", json=CASE, headers=headers, timeout=60)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "pending_review"
        found = {(n["need"], n["status"]) for n in body["needs"]}
        assert ("housing_instability", "present") in found
        assert ("suicide_risk", "negated") in found
        assert 0.0 <= body["risk"]["probability"] <= 1.0
        assert body["tier"]["tier"] in (1, 2, 3, 4)
        assert body["workers"], "no caseworker suggested"
        assert body["model_version"] == "1"

        retry = httpx.post(f"{url}/v1/score", json=CASE, headers=headers, timeout=60)
        assert retry.status_code == 200, retry.text
        assert retry.json()["score_id"] == body["score_id"]
    finally:
        stop_server(process)

    verified = _casetriage("audit-log", "verify", env=env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    from serving.audit_log import iter_entries
    from serving.runtime import open_store

    store = open_store(database_url=env["CASETRIAGE_DATABASE_URL"])
    with store.sessions() as session:
        actions = [entry.action for entry in iter_entries(session)]
    assert "release.audited" in actions
    assert any(a.startswith("score") for a in actions)
