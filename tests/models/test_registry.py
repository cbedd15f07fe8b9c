"""MLflow round trip against a real local store in a temporary folder (no mocks)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from models import TriageModel, load_model_config, read_cases, registry
from models._config import default_config_path
from tests.models.conftest import make_cases, make_roster


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    mp = pytest.MonkeyPatch()
    mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    mp.setenv("CASETRIAGE_HOME", str(root))
    mp.setenv("CASETRIAGE_MODEL_NAME", "test-risk")
    data = root / "data"
    data.mkdir()
    cases = make_cases(1500, seed=21)
    cases["needs"] = cases["needs"].map(json.dumps)
    cases.to_csv(data / "cases.csv", index=False)
    raw = yaml.safe_load(default_config_path().read_text())
    raw["needs_source"] = "precomputed"
    raw["calibration"]["folds"] = 3
    raw["families"]["gradient_boosting"]["max_iter"] = 40
    config_path = root / "model.yaml"
    config_path.write_text(yaml.safe_dump(raw))
    logged = registry.train_and_register(data, config_path=config_path)
    yield {"root": root, "data": data, "logged": logged, "config": config_path}
    mp.undo()


@pytest.mark.slow
def test_train_registers_a_candidate_with_metrics(store):
    logged = store["logged"]
    assert registry.get_alias_version("candidate") == logged["version"]
    assert registry.get_alias_version("champion") is None
    for name in ("holdout_auc", "holdout_brier", "holdout_ece", "holdout_log_loss", "oracle_auc"):
        assert 0 <= logged["metrics"][name] <= 1
    assert "selection_gradient_boosting_auc" in logged["metrics"]


@pytest.mark.slow
def test_unapproved_versions_are_refused_until_audited(store):
    version = store["logged"]["version"]
    with pytest.raises(registry.ApprovalError, match="not approved"):
        registry.require_approved(version)
    registry.set_version_tags(version, {"audit_verdict": "review", "audit_policy_hash": "abc"})
    with pytest.raises(registry.ApprovalError, match="review"):
        registry.require_approved("candidate")
    registry.set_version_tags(version, {"signoff_reviewer": "ethics-1", "signoff_reason": "ok"})
    registry.require_approved(version)
    assert registry.get_version_tags(version)["audit_policy_hash"] == "abc"


@pytest.mark.slow
def test_load_and_rebuild_give_the_same_predictions(store):
    version = store["logged"]["version"]
    registry.set_alias(version, "champion")
    pipeline, loaded_version = registry.load_pipeline("champion")
    assert loaded_version == version
    cases = read_cases(store["data"]).head(200)
    rebuilt = registry.rebuild(version)
    np.testing.assert_allclose(
        rebuilt.predict_proba(cases), pipeline.predict_proba(cases), atol=1e-9
    )


@pytest.mark.slow
def test_rebuild_refuses_changed_data(store, tmp_path):
    version = store["logged"]["version"]
    cases = read_cases(store["data"])
    original = (store["data"] / "cases.csv").read_text()
    cases.loc[0, "prior_crises"] += 1
    cases.to_csv(store["data"] / "cases.csv", index=False)
    try:
        with pytest.raises(registry.RebuildError, match="changed"):
            registry.rebuild(version)
    finally:
        (store["data"] / "cases.csv").write_text(original)


@pytest.mark.slow
def test_unknown_alias_is_a_clear_error(store):
    with pytest.raises(LookupError, match="no version or alias 'nope'"):
        registry.load_pipeline("nope")


@pytest.mark.slow
# simple-icd-10-cm (used by the needs extractor) calls a deprecated importlib API
@pytest.mark.filterwarnings("ignore:(read|open)_text is deprecated:DeprecationWarning")
def test_triage_model_scores_cases_end_to_end(store):
    version = store["logged"]["version"]
    registry.set_version_tags(version, {"audit_verdict": "pass"})
    registry.set_alias(version, "champion")
    triage = TriageModel.load("champion", roster=make_roster(10, seed=1))
    cases = make_cases(5, seed=99).drop(columns="needs")
    cases.loc[0, "note"] = "Client reports suicidal thoughts and got an eviction notice."
    cases.loc[0, "preferred_language"] = "en"
    results = triage.score(cases.to_dict("records"))
    assert [r.case_id for r in results] == cases.case_id.tolist()
    first = results[0]
    assert first.tier.tier == 1
    assert "suicide_risk" in first.tier.rule
    assert first.tier.safety_needs == ["suicide_risk"]
    assert 0 < first.risk.probability < 1
    assert len(first.workers) == 3
    assert first.model_version == version
    for reason in first.risk.reasons:
        assert reason.direction in {"raises", "lowers"}
        if reason.evidence is not None:
            span = reason.evidence
            assert cases.loc[0, "note"][span.start : span.end] == span.text
    assert load_model_config().version == 1


@pytest.mark.slow
def test_the_configured_store_wins_over_mlflow_process_wide_registry(store, tmp_path):
    """MLflow keeps the last ``set_registry_uri`` process-wide; a client built only from the
    tracking URI would then read another store's registry (the serving tests saw a champion
    vanish that way once the registry tests had run in the same process)."""
    import mlflow
    from mlflow.tracking._model_registry import utils as registry_utils

    elsewhere = f"sqlite:///{tmp_path / 'other-mlflow.db'}"
    previous = registry_utils._registry_uri
    mlflow.set_registry_uri(elsewhere)
    try:
        assert registry.get_alias_version("candidate") == store["logged"]["version"]
    finally:
        registry_utils._registry_uri = previous
