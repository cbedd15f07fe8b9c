"""The reviewer's monitoring page shows the latest report; other roles cannot see it."""

from __future__ import annotations

import re
import shutil

import pytest

from casetriage.benchmarks.monitoring import caseload_of, draw_rows, reference_of
from casetriage.synth import PopulationShift


def _sign_in(client, key: str) -> None:
    form = client.get("/ui/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = client.post(
        "/ui/sign-in", data={"api_key": key, "csrf_token": token}, follow_redirects=False
    )
    assert signed.status_code == 303


@pytest.fixture
def latest_report(tmp_path, monkeypatch):
    from bias_audits import AuditPolicy
    from models import PriorityPolicy
    from monitoring import build_report, load_monitoring_policy, write_report
    from serving.monitoring_run import latest_report_path

    monkeypatch.setenv("CASETRIAGE_HOME", str(tmp_path / "var"))
    report = build_report(
        caseload_of(draw_rows(3_000, seed=8, shift=PopulationShift(income=-1.2))),
        reference_of(draw_rows(4_000, seed=9)),
        policy=load_monitoring_policy(),
        audit_policy=AuditPolicy.load(),
        threshold=PriorityPolicy.load().thresholds[2],
    )
    paths = write_report(report, tmp_path / "report")
    latest_report_path().parent.mkdir(parents=True)
    shutil.copyfile(paths["json"], latest_report_path())
    return report


def test_reviewer_sees_the_latest_verdict_and_what_drifted(client, keys, latest_report):
    _sign_in(client, keys["ethics_reviewer"])
    page = client.get("/ui/monitoring")
    assert page.status_code == 200
    assert latest_report.verdict == "drift"
    assert "verdict-drift" in page.text
    assert "categorical: income band" in page.text
    assert 'href="/ui/monitoring"' in page.text


def test_page_says_when_there_is_no_report_yet(client, keys, tmp_path, monkeypatch):
    monkeypatch.setenv("CASETRIAGE_HOME", str(tmp_path / "empty"))
    _sign_in(client, keys["admin"])
    page = client.get("/ui/monitoring")
    assert page.status_code == 200
    assert "No monitoring report yet" in page.text


def test_a_supervisor_cannot_see_it(client, keys, latest_report):
    _sign_in(client, keys["supervisor"])
    assert client.get("/ui/monitoring", follow_redirects=False).status_code == 403
