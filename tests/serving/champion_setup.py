"""A real champion for the serving tests: synthetic caseload -> train -> fairness gate.

Built once per test session in a temp dir (small data, lighter training settings) and
shared by the in-process and end-to-end tests through the environment it returns.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_BUILT: dict[str, dict[str, str]] = {}

N_CASES = 800


def champion_environment(*, n_cases: int = N_CASES) -> dict[str, str]:
    """Environment variables under which ``TriageModel.load("champion")`` succeeds."""
    if "env" in _BUILT:
        return _BUILT["env"]
    root = Path(tempfile.mkdtemp(prefix="casetriage-serving-"))
    env = {
        "CASETRIAGE_HOME": str(root / "var"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
        "CASETRIAGE_ROSTER": str(root / "data" / "workers.csv"),
        "CASETRIAGE_MODEL_NAME": "casetriage-risk",
        "CASETRIAGE_DATABASE_URL": f"sqlite:///{root / 'var' / 'casetriage.db'}",
        "CASETRIAGE_NOTE_KEY_FILE": str(root / "var" / "secrets" / "note.key"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        version = _train_and_release(root, n_cases=n_cases)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    env["CASETRIAGE_TEST_CHAMPION_VERSION"] = version
    env["CASETRIAGE_TEST_DATA_DIR"] = str(root / "data")
    _BUILT["env"] = env
    return env


def _train_and_release(root: Path, *, n_cases: int) -> str:
    from casetriage.operator_release import release, signoff
    from casetriage.synth import generate_caseload, write_caseload
    from models import dataset_hash, load_model_config, read_cases, train_risk_model
    from models._config import default_config_path
    from models.registry import log_training_run

    data = root / "data"
    write_caseload(generate_caseload(n_cases=n_cases, seed=1), data)
    config = load_model_config()
    lighter = config.families.model_copy(
        update={
            "gradient_boosting": config.families.gradient_boosting.model_copy(
                update={"max_iter": 40}
            )
        }
    )
    config = config.model_copy(
        update={
            "families": lighter,
            "calibration": config.calibration.model_copy(update={"folds": 3}),
        }
    )
    cases = read_cases(data)
    logged = log_training_run(
        train_risk_model(cases, config),
        config,
        config_text=default_config_path().read_text(),
        data_path=str(data),
        data_hash=dataset_hash(cases),
    )
    version = logged["version"]
    outcome = release(data, version=version, report_dir=root / "report")
    if outcome.verdict == "review":
        signoff(
            version,
            reviewer="serving test reviewer",
            reason="synthetic caseload used only by the serving tests",
        )
    elif outcome.verdict != "pass":
        raise RuntimeError(f"the test champion failed its fairness gate: {outcome.verdict_reasons}")
    return version
