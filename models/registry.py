"""MLflow helpers: log a training run, register versions, aliases, audit tags, load, rebuild.

The tracking URI comes from ``core.settings.get_settings()`` on every call, so tests
and deployments point the registry elsewhere through ``MLFLOW_TRACKING_URI``.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from core.settings import get_settings
from models._config import ModelConfig, load_model_config
from models._data import read_cases
from models._featurize import INPUT_COLUMNS
from models._metrics import calibration_plot
from models._split import dataset_hash
from models._training import TrainingResult, train_risk_model

__all__ = [
    "EXPERIMENT_NAME",
    "ApprovalError",
    "RebuildError",
    "get_alias_version",
    "get_version_tags",
    "load_pipeline",
    "log_training_run",
    "rebuild",
    "require_approved",
    "resolve_version",
    "set_alias",
    "set_version_tags",
    "store_client",
    "train_and_register",
    "use_configured_store",
]

EXPERIMENT_NAME = "casetriage-risk"
_CONFIG_ARTIFACT = "config/model.yaml"


class ApprovalError(RuntimeError):
    """A model version has no passing audit and no reviewer's sign-off."""


class RebuildError(RuntimeError):
    """A logged run cannot be rebuilt (data missing or changed since training)."""


def _store_uri() -> str:
    uri = get_settings().mlflow_tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return uri


def store_client():
    """A client on the configured store for both tracking and the registry.

    The registry URI is passed explicitly: MLflow otherwise takes it from the process-wide
    value of an earlier ``mlflow.set_registry_uri``, which may name another store.
    """
    from mlflow import MlflowClient

    uri = _store_uri()
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def use_configured_store() -> str:
    """Point MLflow's fluent API (``mlflow.log_*``, ``models:/`` URIs) at the configured
    store, for tracking and registry alike; returns its URI."""
    import mlflow

    uri = _store_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def _model_name() -> str:
    return get_settings().model_name


def _experiment_id(client) -> str:
    experiment = client.get_experiment_by_name(EXPERIMENT_NAME)
    if experiment is not None:
        return experiment.experiment_id
    settings = get_settings()
    artifacts = None
    if settings.mlflow_tracking_uri.startswith("sqlite:///"):
        db = Path(settings.mlflow_tracking_uri.removeprefix("sqlite:///"))
        artifacts = (db.parent / "artifacts").resolve().as_uri()
    return client.create_experiment(EXPERIMENT_NAME, artifact_location=artifacts)


def resolve_version(version_or_alias: str | int) -> str:
    """A version number for a number or an alias; a clear error when neither exists."""
    from mlflow.exceptions import MlflowException

    client = store_client()
    text = str(version_or_alias)
    try:
        if text.isdigit():
            return str(client.get_model_version(_model_name(), text).version)
        return str(client.get_model_version_by_alias(_model_name(), text).version)
    except MlflowException:
        raise LookupError(
            f"model {_model_name()!r} has no version or alias {text!r} "
            f"in {get_settings().mlflow_tracking_uri}"
        ) from None


def set_alias(version: str | int, alias: str) -> None:
    """Point ``alias`` (e.g. ``candidate``, ``champion``) at a registered version."""
    store_client().set_registered_model_alias(_model_name(), alias, str(resolve_version(version)))


def get_alias_version(alias: str) -> str | None:
    """The version an alias points at, or None when the alias (or the model) does not exist."""
    from mlflow.exceptions import MlflowException

    try:
        return str(store_client().get_model_version_by_alias(_model_name(), alias).version)
    except MlflowException:
        return None


def set_version_tags(version: str | int, tags: dict) -> None:
    """Set tags (e.g. the release gate's ``audit_*`` and ``signoff_*``) on a version."""
    client = store_client()
    version = resolve_version(version)
    for key, value in tags.items():
        client.set_model_version_tag(_model_name(), version, str(key), str(value))


def get_version_tags(version: str | int) -> dict:
    """All tags of a version."""
    version = resolve_version(version)
    return dict(store_client().get_model_version(_model_name(), version).tags)


def require_approved(version: str | int) -> None:
    """Raise ``ApprovalError`` unless the version passed its audit or a reviewer signed off."""
    from core.release_tags import ReleaseTags

    tags = ReleaseTags.of(get_version_tags(version))
    if tags.approved:
        return
    verdict = tags.audit_verdict or "no audit recorded"
    if tags.blocked_by:
        verdict += ", blocked by a reviewer"
    raise ApprovalError(
        f"model {_model_name()!r} version {resolve_version(version)} is not approved "
        f"(audit_verdict: {verdict}); run the release gate or record a reviewer's sign-off"
    )


def load_pipeline(version_or_alias: str | int) -> tuple[Pipeline, str]:
    """Load a registered version's fitted pipeline; returns ``(pipeline, version)``."""
    import mlflow.sklearn

    version = resolve_version(version_or_alias)
    use_configured_store()
    return mlflow.sklearn.load_model(f"models:/{_model_name()}/{version}"), version


def _input_example(result: TrainingResult) -> pd.DataFrame:
    example = result.train_cases.loc[:, list(INPUT_COLUMNS)].head(3).copy()
    example["needs"] = [json.dumps(list(n)) for n in example["needs"]]
    return example.reset_index(drop=True)


def log_training_run(
    result: TrainingResult,
    config: ModelConfig,
    *,
    config_text: str,
    data_path: str,
    data_hash: str,
) -> dict:
    """Log a training run to MLflow and register its model as a new version.

    Logs parameters, the data hash, metrics of every family, the oracle AUC, a calibration
    plot, the comparison table, the holdout case ids and the chosen model (signature and
    input example); registers a version and points the ``candidate`` alias at it.
    """
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    client = store_client()
    use_configured_store()
    experiment_id = _experiment_id(client)
    params = {
        "family": result.family,
        "data_path": str(Path(data_path).resolve()),
        "data_hash": data_hash,
        "config_sha256": config.sha256,
        "config_version": config.version,
        "split_seed": config.split.seed,
        "holdout_fraction": config.split.holdout_fraction,
        "selection_fraction": config.split.selection_fraction,
        "needs_source": config.needs_source,
        "calibration_method": config.calibration.method,
        "calibration_folds": config.calibration.folds,
        "n_train": len(result.train_ids),
        "n_holdout": len(result.holdout_ids),
        "selection_metric": config.selection.metric,
    }
    with mlflow.start_run(experiment_id=experiment_id) as run, tempfile.TemporaryDirectory() as tmp:
        mlflow.log_params(params)
        mlflow.log_metrics(result.metrics)
        mlflow.set_tags({"data_hash": data_hash, "family": result.family})
        tmp_path = Path(tmp)
        (tmp_path / "model.yaml").write_text(config_text)
        mlflow.log_artifact(str(tmp_path / "model.yaml"), artifact_path="config")
        result.comparison.to_csv(tmp_path / "model_comparison.csv", index=False)
        mlflow.log_artifact(str(tmp_path / "model_comparison.csv"))
        (tmp_path / "holdout_case_ids.json").write_text(json.dumps(result.holdout_ids))
        mlflow.log_artifact(str(tmp_path / "holdout_case_ids.json"))
        calibration_plot(
            {
                f"chosen ({result.family})": (result.holdout_labels, result.holdout_probability),
                "baseline": (result.holdout_labels, result.baseline_holdout_probability),
            },
            tmp_path / "calibration.png",
        )
        mlflow.log_artifact(str(tmp_path / "calibration.png"))
        example = _input_example(result)
        with warnings.catch_warnings():
            # MLflow's hint that integer columns cannot hold missing values: ours never do,
            # since every case is validated against core.schemas before scoring
            warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
            signature = infer_signature(example, result.pipeline.predict_proba(example))
        info = mlflow.sklearn.log_model(
            result.pipeline,
            name="model",
            signature=signature,
            input_example=example,
            serialization_format="cloudpickle",
            pyfunc_predict_fn="predict_proba",
            registered_model_name=_model_name(),
        )
    version = str(info.registered_model_version)
    set_alias(version, "candidate")
    return {"run_id": run.info.run_id, "version": version, "metrics": result.metrics}


def train_and_register(data_dir: str | Path, *, config_path: str | Path | None = None) -> dict:
    """Train on ``DATA_DIR/cases.csv`` and register a candidate (``casetriage train``)."""
    from models._config import default_config_path

    config_path = Path(config_path) if config_path is not None else default_config_path()
    config = load_model_config(config_path)
    cases = read_cases(data_dir)
    data_hash = dataset_hash(cases)
    result = train_risk_model(cases, config)
    logged = log_training_run(
        result,
        config,
        config_text=config_path.read_text(),
        data_path=str(data_dir),
        data_hash=data_hash,
    )
    return logged | {"family": result.family, "comparison": result.comparison}


def rebuild(version: str | int) -> Pipeline:
    """Retrain a version from its run's logged config and data, checking the data hash.

    The result predicts as the registered model does (training is deterministic given the
    config's seeds), which is how an auditor checks a version is what its run says it is.
    """
    import mlflow

    client = store_client()
    model_version = client.get_model_version(_model_name(), resolve_version(version))
    run = client.get_run(model_version.run_id)
    params = run.data.params
    use_configured_store()
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path=_CONFIG_ARTIFACT, dst_path=tmp
        )
        config_text = Path(local).read_text()
    config = ModelConfig.from_yaml_text(config_text, source=f"run {run.info.run_id}")
    data_path = params["data_path"]
    try:
        cases = read_cases(data_path)
    except FileNotFoundError as error:
        raise RebuildError(f"cannot rebuild version {model_version.version}: {error}") from None
    observed = dataset_hash(cases)
    if observed != params["data_hash"]:
        raise RebuildError(
            f"cannot rebuild version {model_version.version}: data at {data_path} changed "
            f"(hash {observed[:12]}… != logged {params['data_hash'][:12]}…)"
        )
    result = train_risk_model(cases, config)
    if result.family != params["family"]:
        raise RebuildError(
            f"rebuild chose family {result.family!r}, the run logged {params['family']!r}"
        )
    return result.pipeline
