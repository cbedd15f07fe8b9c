"""``casetriage bento`` builds a Bento with the champion in BentoML's model store, and
``bentoml serve`` of that Bento scores a case over HTTP with the model it carries."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
import yaml

from tests.e2e.conftest import REPO, create_keys, start_server, stop_server
from tests.e2e.test_walking_skeleton import CASE

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_the_bentofile_asks_for_what_the_distribution_depends_on():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    bentofile = yaml.safe_load((REPO / "bentofile.yaml").read_text())
    assert set(bentofile["python"]["packages"]) == set(project["dependencies"])
    assert bentofile["service"] == "serving.service:TriageAPI"


def test_a_built_bento_serves_the_champion_it_carries(champion_env):
    root = Path(tempfile.mkdtemp(prefix="casetriage-bento-"))
    env = (
        os.environ
        | champion_env
        | {
            "BENTOML_HOME": str(root / "bentoml"),
            "CASETRIAGE_DATABASE_URL": f"sqlite:///{root / 'service.db'}",
            "CASETRIAGE_NOTE_KEY_FILE": str(root / "note.key"),
        }
    )
    built = subprocess.run(
        [sys.executable, "-m", "casetriage", "bento"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    tag = built.stdout.strip().splitlines()[-1].removeprefix("bento ")
    assert tag.startswith("casetriage:")
    exported = built.stdout.split("model ", 1)[1].split(" ", 1)[0]
    (manifest,) = (root / "bentoml" / "bentos" / "casetriage").glob("*/bento.yaml")
    assert [m["tag"] for m in yaml.safe_load(manifest.read_text())["models"]] == [exported]

    # the Bento must not reach for the MLflow registry: point it at an empty one
    serve_env = env | {"MLFLOW_TRACKING_URI": f"sqlite:///{root / 'empty-mlflow.db'}"}
    saved = {key: os.environ.get(key) for key in serve_env}
    os.environ.update(serve_env)
    try:
        keys = create_keys(serve_env["CASETRIAGE_DATABASE_URL"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    process, url, log = start_server(serve_env, root=root, target=tag)
    try:
        assert url is not None, f"the Bento did not become ready:\n{log.read_text()[-4000:]}"
        response = httpx.post(
            f"{url}/v1/score",
            json=CASE,
            headers={"Authorization": f"Bearer {keys['case_system']}"},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["model_version"] == champion_env["CASETRIAGE_TEST_CHAMPION_VERSION"]
        assert body["status"] == "pending_review"
    finally:
        stop_server(process)
