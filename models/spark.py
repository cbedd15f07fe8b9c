"""Caseload-wide scoring on Apache Spark with the released model, through ``spark_udf``.

The driver resolves the version (``champion`` by default; it must have passed its fairness
gate), packs it with the priority policy and model config as a pyfunc
(:mod:`models._triage_pyfunc`) and hands it to ``mlflow.pyfunc.spark_udf``, which ships it
to every executor. Each executor runs the same :class:`~models.TriageModel` code as the
service, so the scores equal the in-process scorer's. The same job runs in local mode
(``local[2]``) and against a cluster master URL; executors then need this package and
``pyspark`` installed in the same Python version (``env_manager="local"``).

Only the case columns the scorer reads (``case_id``, ``note``, the case fields,
``previous_worker_id``) are sent to the executors: audit attributes and labels in the
input never reach the model.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.schemas import CaseFields

__all__ = [
    "SCORED_COLUMNS",
    "SparkScoringError",
    "SparkScoringSummary",
    "read_scored",
    "score_with_spark",
    "spark_session",
]

_REQUIRED_COLUMNS: tuple[str, ...] = ("case_id", "note", *CaseFields.model_fields)
_OPTIONAL_COLUMNS: tuple[str, ...] = ("previous_worker_id",)
SCORED_COLUMNS: tuple[str, ...] = ("case_id", "model_version", "probability", "tier", "result")
"""Columns of the output: ``result`` is the JSON line ``casetriage score`` writes."""
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
# PySpark counts as a shell: Spark then resets the root level to this logger's level
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
"""


class SparkScoringError(ValueError):
    """The input cannot be scored (missing file or column, a malformed case, bad output)."""


@dataclass(frozen=True, kw_only=True)
class SparkScoringSummary:
    """What a Spark scoring job did."""

    n_cases: int
    model_version: str
    out: str
    seconds: float
    master: str


@contextmanager
def spark_session(*, master: str = "local[2]", app_name: str = "casetriage-score") -> Iterator:
    """A quiet Spark session whose scratch space is a temp dir, stopped on exit.

    Python workers run this interpreter (``PYSPARK_PYTHON``), so they import the same
    casetriage, scikit-learn and spaCy as the driver.
    """
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory(prefix="casetriage-spark-") as scratch, _quiet():
        log_config = Path(scratch) / "log4j2.properties"
        log_config.write_text(_LOG4J2)
        # Spark reads log4j2.properties from its conf dir when the JVM starts
        saved_conf_dir = os.environ.get("SPARK_CONF_DIR")
        os.environ["SPARK_CONF_DIR"] = scratch
        java_options = f"-Dlog4j2.configurationFile={log_config.as_uri()}"
        spark = (
            SparkSession.builder.master(master)
            .appName(app_name)
            .config("spark.local.dir", str(Path(scratch) / "local"))
            .config("spark.driver.extraJavaOptions", java_options)
            .config("spark.executor.extraJavaOptions", java_options)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", str(Path(scratch) / "warehouse"))
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            yield spark
        finally:
            spark.stop()
            if saved_conf_dir is None:
                os.environ.pop("SPARK_CONF_DIR", None)
            else:
                os.environ["SPARK_CONF_DIR"] = saved_conf_dir


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence what is noise for an operator: MLflow's progress bars and advice about
    environments (executors run this interpreter on purpose), PySpark's pandas notice."""
    import logging
    import warnings

    saved = {name: os.environ.get(name) for name in ("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR",)}
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    mlflow_logger = logging.getLogger("mlflow")
    level = mlflow_logger.level
    mlflow_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
            yield
    finally:
        mlflow_logger.setLevel(level)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _read_cases(spark, path: str):
    """Parquet (file or folder) or CSV with a header; CSV values stay text so that the
    case validation (not Spark's type inference) decides what is a valid number."""
    lowered = path.rstrip("/").lower()
    local = "://" not in path
    if local and not Path(path).exists():
        raise SparkScoringError(f"cases file not found: {path}")
    if lowered.endswith(".csv"):
        return (
            spark.read.option("header", True)
            .option("multiLine", True)
            .option("escape", '"')
            .csv(path)
        )
    if lowered.endswith(".parquet") or (local and Path(path).is_dir()):
        return spark.read.parquet(path)
    raise SparkScoringError(f"{path}: expected a .csv or .parquet caseload")


def _out_format(out: str) -> str:
    return "json" if out.rstrip("/").lower().endswith((".jsonl", ".json")) else "parquet"


def score_with_spark(
    cases_path: str | Path,
    out: str | Path,
    *,
    master: str = "local[2]",
    model: str = "champion",
    require_approval: bool = True,
    spark=None,
) -> SparkScoringSummary:
    """Score a caseload on Spark and write one row per case to ``out``.

    Parameters
    ----------
    cases_path : str or Path
        A CSV (with a header) or Parquet caseload.
    out : str or Path
        A new folder: Parquet, or JSON lines when it ends in ``.jsonl``. Existing output is
        never overwritten.
    master : str
        ``local[N]`` or a cluster's master URL (ignored when ``spark`` is given).
    model : str
        Alias or version number; it must be approved unless ``require_approval=False``.
    spark : SparkSession or None
        Reuse a session (e.g. in tests); by default one is started and stopped.

    Raises
    ------
    SparkScoringError
        Missing input or columns, existing output, or cases that fail validation (the
        message names the first case and field; nothing is written then).
    """
    from models import registry

    cases_path, out = str(cases_path), str(out)
    if "://" not in cases_path and not Path(cases_path).exists():
        raise SparkScoringError(f"cases file not found: {cases_path}")
    if "://" not in out and Path(out).exists():
        raise SparkScoringError(f"--out: {out} already exists; choose a new folder")
    version = registry.resolve_version(model)
    if require_approval:
        registry.require_approved(version)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="casetriage-pyfunc-") as tmp, _quiet():
        model_dir = _pack_model(version, Path(tmp))
        if spark is not None:
            n = _run(spark, cases_path, out, model_dir=model_dir, version=version)
            used_master = spark.sparkContext.master
        else:
            with spark_session(master=master) as session:
                n = _run(session, cases_path, out, model_dir=model_dir, version=version)
            used_master = master
    return SparkScoringSummary(
        n_cases=n,
        model_version=version,
        out=out,
        seconds=time.perf_counter() - started,
        master=used_master,
    )


def _pack_model(version: str, tmp: Path) -> Path:
    import mlflow

    from core.settings import get_settings
    from models import registry
    from models._triage_pyfunc import save_triage_pyfunc

    settings = get_settings()
    registry.use_configured_store()
    pipeline_dir = mlflow.artifacts.download_artifacts(
        artifact_uri=f"models:/{settings.model_name}/{version}", dst_path=str(tmp / "pipeline")
    )
    return save_triage_pyfunc(version=version, pipeline_dir=pipeline_dir, path=tmp / "pyfunc")


def _run(spark, cases_path: str, out: str, *, model_dir: Path, version: str) -> int:
    import mlflow.pyfunc
    from pyspark import StorageLevel
    from pyspark.sql import functions as sf

    from models._triage_pyfunc import PYFUNC_RESULT_TYPE

    frame = _read_cases(spark, cases_path)
    missing = [column for column in _REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise SparkScoringError(f"{cases_path}: missing column(s) {', '.join(missing)}")
    inputs = [*_REQUIRED_COLUMNS, *(c for c in _OPTIONAL_COLUMNS if c in frame.columns)]
    parallelism = spark.sparkContext.defaultParallelism
    cases = (
        frame.select(*inputs)
        .withColumn("_row", sf.monotonically_increasing_id())
        .repartition(max(2, 2 * parallelism))
    )
    triage_udf = mlflow.pyfunc.spark_udf(
        spark, str(model_dir), result_type=PYFUNC_RESULT_TYPE, env_manager="local"
    )
    scored = (
        cases.withColumn("_score", triage_udf(sf.struct(*inputs)))
        .select(
            "_row",
            sf.col("case_id").cast("string").alias("case_id"),
            sf.lit(version).alias("model_version"),
            "_score.*",
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        failed = scored.where(sf.coalesce(sf.col("error"), sf.lit("")) != "")
        first = failed.select("error").first()
        if first is not None:
            raise SparkScoringError(
                f"{failed.count()} case(s) could not be scored, nothing written; "
                f"first: {first['error']}"
            )
        n = scored.count()
        writer = scored.orderBy("_row").select(*SCORED_COLUMNS).write.mode("errorifexists")
        if _out_format(out) == "json":
            writer.json(out)
        else:
            writer.parquet(out)
    finally:
        scored.unpersist()
    return n


def read_scored(out: str | Path):
    """Read a scoring job's output back as a pandas DataFrame (both output formats)."""
    import pandas as pd

    out = Path(out)
    if _out_format(str(out)) == "json":
        parts = sorted(out.glob("part-*"))
        return pd.concat(
            [
                pd.read_json(part, lines=True, dtype={"case_id": str}, precise_float=True)
                for part in parts
            ],
            ignore_index=True,
        )
    return pd.read_parquet(out)
