"""A real ``bentoml serve`` with the test champion and a release awaiting review, driven by
Debian's chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import create_keys, start_server, stop_server
from tests.serving.champion_setup import champion_environment

CHROMIUM = shutil.which("chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(
    os.environ.get("CASETRIAGE_UI_SCREENSHOTS", REPO / "test-results" / "ui-screenshots")
)
README_SCREENSHOT = REPO / "docs" / "screenshots" / "review_case.png"

NOTES = {
    "ui-eviction": (
        "Cl received an eviction notice and the kids are skipping meals; denies SI. "
        "Her sister was homeless last year."
    ),
    "ui-violence": (
        "Client lost her job in March and is behind on rent. Reports her partner hit her "
        "last week; no drug use."
    ),
    "ui-childcare": (
        "Cl asks for help with childcare so she can attend job interviews. No food concerns."
    ),
}


def case_body(case_id: str, note: str, **attributes: str) -> dict:
    return {
        "case_id": case_id,
        "note": note,
        "age": 31,
        "household_size": 3,
        "n_children": 2,
        "prior_referrals": 1,
        "prior_crises": 1,
        "income_band": "under_15k",
        "housing_type": "renting",
        "referral_source": "self",
        "region": "north",
        "preferred_language": "en",
        "audit_attributes": {"race_ethnicity": "group_a", "sex": "female"} | attributes,
    }


@dataclass
class UiServer:
    url: str
    keys: dict[str, str]
    database_url: str
    review_version: str
    score_ids: dict[str, str]
    log: Path

    def api(self, role: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": self.keys[role]}, timeout=60)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (Playwright's own download cannot work offline)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); UI tests need it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """Replaces pytest-base-url's fixture, a method that pytest 9 deprecates (an error here
    under ``filterwarnings = error``); pages are opened by full URL."""
    return None


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def _register_review_release(env: dict[str, str]) -> str:
    """A second version of the champion's run whose audit verdict is ``review``.

    The fairness gate of the test champion passes (or was signed off), so the version an
    ethics reviewer must decide on is made here: same run, same audit artifacts, verdict
    tag ``review``, which is the registry state ``release_candidate`` leaves on a
    ``review`` verdict.
    """
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = env["MLFLOW_TRACKING_URI"]
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    name = env["CASETRIAGE_MODEL_NAME"]
    champion = client.get_model_version(name, env["CASETRIAGE_TEST_CHAMPION_VERSION"])
    # MLflow resolves a ``models:/m-…`` source through the process-wide tracking URI,
    # which an earlier test may have pointed at the shared store: point it at the copy
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        created = client.create_model_version(
            name, source=champion.source, run_id=champion.run_id, tags={}
        )
    finally:
        mlflow.set_tracking_uri(previous)
    for tag in ("audit_report_uri", "audit_policy_hash", "audit_at", "audit_holdout_cases"):
        if tag in (champion.tags or {}):
            client.set_model_version_tag(name, created.version, tag, champion.tags[tag])
    client.set_model_version_tag(name, created.version, "audit_verdict", "review")
    return str(created.version)


@pytest.fixture(scope="module")
def ui_server() -> Iterator[UiServer]:
    champion = champion_environment()
    root = Path(tempfile.mkdtemp(prefix="casetriage-ui-"))
    database_url = f"sqlite:///{root / 'service.db'}"
    # the browser signs a release off, which moves the champion alias: work on a copy of
    # the shared registry (artifacts stay where they are) so other tests keep theirs
    registry_copy = root / "mlflow.db"
    shutil.copyfile(champion["MLFLOW_TRACKING_URI"].removeprefix("sqlite:///"), registry_copy)
    env = champion | {
        "MLFLOW_TRACKING_URI": f"sqlite:///{registry_copy}",
        "CASETRIAGE_DATABASE_URL": database_url,
        "CASETRIAGE_NOTE_KEY_FILE": str(root / "secrets" / "note.key"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    process = None
    try:
        review_version = _register_review_release(env)
        keys = create_keys(database_url)
        process, url, log = start_server(env, root=root)
        if url is None:
            pytest.fail(f"bentoml serve did not become ready:\n{log.read_text()[-3000:]}")
        score_ids = {}
        with httpx.Client(
            base_url=url, headers={"X-API-Key": keys["case_system"]}, timeout=120
        ) as client:
            for case_id, note in NOTES.items():
                response = client.post("/v1/score", json=case_body(case_id, note))
                assert response.status_code == 201, response.text
                score_ids[case_id] = response.json()["score_id"]
        yield UiServer(
            url=url,
            keys=keys,
            database_url=database_url,
            review_version=review_version,
            score_ids=score_ids,
            log=log,
        )
    finally:
        if process is not None:
            stop_server(process)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)
