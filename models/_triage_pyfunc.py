"""The triage scorer as an MLflow pyfunc, so Spark (``mlflow.pyfunc.spark_udf``) can run it.

The registered model is a scikit-learn pipeline whose first step reads a ``needs`` column;
it cannot take intake notes. This wrapper takes cases with their notes and runs the very
same :class:`~models.TriageModel` the service and ``casetriage score`` run (needs
extraction, calibrated probability, reasons, tier), so a score computed on a cluster is
the score computed in process. The pipeline, the priority policy and the model config are
packed as artifacts, so executors never read the driver's files or its MLflow store.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import mlflow.pyfunc
import pandas as pd

__all__ = ["PYFUNC_RESULT_TYPE", "TriagePyfunc", "save_triage_pyfunc"]

PYFUNC_RESULT_TYPE = "probability double, tier int, result string, error string"
"""What the pyfunc returns per case, as a Spark DDL struct (``spark_udf``'s ``result_type``).

``probability`` is unrounded (``result`` holds the rounded value the service reports),
``result`` is the JSON line ``casetriage score`` writes, ``error`` is empty or names the
field of a case that could not be scored. A failed case's other columns are placeholders
(NaN, tier 0, empty result: ``spark_udf`` casts to the declared types and an int column
cannot hold a null); the Spark job writes nothing when any case failed.
"""

_BATCH_INDEX = re.compile(r"^case \d+ ")


class TriagePyfunc(mlflow.pyfunc.PythonModel):
    """Cases (notes + fields) in; probability, tier, the full triage result or an error out.

    Parameters
    ----------
    version : str
        The registered model version the packed pipeline is, reported with every score.
    """

    def __init__(self, *, version: str):
        self.version = str(version)

    def load_context(self, context) -> None:
        import mlflow.sklearn

        from models._config import load_model_config
        from models._priority import PriorityPolicy
        from models._triage import TriageModel

        self.triage = TriageModel(
            pipeline=mlflow.sklearn.load_model(context.artifacts["pipeline"]),
            version=self.version,
            policy=PriorityPolicy.load(context.artifacts["priority_policy"]),
            config=load_model_config(context.artifacts["model_config"]),
        )

    def predict(self, context, model_input, params=None):
        cases = [
            {key: value for key, value in row.items() if _present(value)}
            for row in model_input.to_dict("records")
        ]
        try:
            return pd.DataFrame(self._score(cases))
        except ValueError:
            # one malformed case must not fail its whole batch: score case by case
            rows = []
            for case in cases:
                try:
                    rows.extend(self._score([case]))
                except ValueError as error:
                    message = _BATCH_INDEX.sub("case ", str(error))
                    rows.append(
                        {"probability": float("nan"), "tier": 0, "result": "", "error": message}
                    )
            return pd.DataFrame(rows, columns=["probability", "tier", "result", "error"])

    def _score(self, cases: list[dict]) -> list[dict]:
        from models._triage import _validate

        results = self.triage.score(cases)
        frame = pd.DataFrame(_validate(cases))
        frame["needs"] = [[need.model_dump() for need in result.needs] for result in results]
        probability = self.triage.predict_probability(frame)
        return [
            {
                "probability": float(probability[i]),
                "tier": result.tier.tier,
                "result": result.model_dump_json(),
                "error": "",
            }
            for i, result in enumerate(results)
        ]


def _present(value: object) -> bool:
    """Spark nulls arrive as None or NaN; a missing field is left for validation to name."""
    return value is not None and not (isinstance(value, float) and value != value)


def save_triage_pyfunc(*, version: str, pipeline_dir: str | Path, path: str | Path) -> Path:
    """Write the wrapper for a downloaded registered model (``pipeline_dir``) to ``path``.

    The priority policy and model config are copied as they are now, so the scores use the
    same tiers and reasons as ``TriageModel.load`` on this machine.
    """
    from models._config import default_config_path
    from models._priority import default_policy_path

    path = Path(path)
    staging = path.parent / f"{path.name}-artifacts"
    staging.mkdir(parents=True, exist_ok=True)
    policy = shutil.copy(default_policy_path(), staging / "priority_policy.yaml")
    config = shutil.copy(default_config_path(), staging / "model.yaml")
    mlflow.pyfunc.save_model(
        path=str(path),
        python_model=TriagePyfunc(version=version),
        artifacts={
            "pipeline": str(pipeline_dir),
            "priority_policy": str(policy),
            "model_config": str(config),
        },
    )
    return path
