"""Apache Spark as the engine's backend (Ibis's PySpark backend).

``spark_backend(workspace, url)`` starts (or reuses) a SparkSession, exports each canonical table
of the workspace DuckDB to Parquet in ``DIR/.spark/`` (rewritten only when the table changed),
registers the files as Spark temporary views named like the tables, and returns the Ibis
backend. The engine then compiles the same catalogue to Spark SQL.

URLs: ``spark`` (the ``[engine] spark_master`` setting, ``local[2]`` by default),
``spark://local[N]`` or ``spark://local[*]`` (local mode), ``spark://HOST:PORT`` (a standalone
cluster master), ``spark://yarn`` and ``spark://k8s://...`` (``yarn`` / ``k8s://...``).
On a real cluster the Parquet cache directory must be readable by the executors at the same
path (a shared file system), or point ``spark.supportmetrics.cache`` at shared storage.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportmetrics.errors import InternalError, UserError
from supportmetrics.ingest.sql import ident
from supportmetrics.schema import TABLES

if TYPE_CHECKING:
    from supportmetrics.engine.view import WorkspaceView

CACHE_DIR = ".spark"
CACHE_SETTING = "spark.supportmetrics.cache"

#: Defaults for a session started here; ``[engine] spark_conf`` overrides any of them.
DEFAULT_CONF = {
    "spark.app.name": "supportmetrics",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # read DuckDB's naive timestamps as Spark TIMESTAMP (in the UTC session zone), like memtables
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
    # Arrow both ways: memtables keep nullable integer columns (the business table's s1/e1)
    # and results come back fast
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # never fall back silently to the row path, which turns those columns into nulls
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}
LOCAL_CONF = {"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "4g"}


def spark_master(url: str, default: str) -> str:
    """The Spark master of an engine URL: ``spark://local[2]`` -> ``local[2]``, etc."""
    if url in ("spark", "spark://", "pyspark"):
        return default
    if not url.startswith("spark://"):
        raise UserError(f"engine {url!r}: expected spark://local[N] or spark://HOST:PORT")
    rest = url[len("spark://") :]
    if rest.startswith(("local", "yarn", "k8s://")):
        return rest
    if not rest:
        return default
    return url


def spark_session(master: str, conf: dict[str, str]) -> Any:
    """Start a SparkSession on ``master`` (or return the active one, re-applying ``conf``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise UserError(
            "the Spark engine needs pyspark: pip install 'supportmetrics[spark]' (and Java 17)"
        ) from exc
    settings = {**DEFAULT_CONF, **(LOCAL_CONF if master.startswith("local") else {}), **conf}
    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in settings.items():
            if key.startswith("spark.sql."):
                active.conf.set(key, value)
        return active
    builder = SparkSession.builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _stamp(workspace: WorkspaceView, table: str) -> str:
    """What identifies a table's content: its last load, its row count and its columns (an
    attribute column dropped or renamed changes only them)."""
    con = workspace.con
    loaded = con.execute(
        "SELECT max(finished_at) FROM _sm_loads WHERE table_name = ?", [table]
    ).fetchone()
    rows = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()
    columns = [str(r[0]) for r in con.execute(f"DESCRIBE {ident(table)}").fetchall()]
    return json.dumps([str(loaded[0] if loaded else None), int(rows[0] if rows else 0), columns])


def export_tables(workspace: WorkspaceView, directory: Path) -> dict[str, Path]:
    """Write each canonical table to ``directory/<table>.parquet`` unless unchanged since."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        stamp_file = directory / f"{name}.stamp"
        stamp = _stamp(workspace, name)
        if not path.exists() or not stamp_file.exists() or stamp_file.read_text() != stamp:
            if path.is_dir():
                shutil.rmtree(path)
            tmp = directory / f"{name}.parquet.tmp"
            target = str(tmp).replace("'", "''")
            workspace.con.execute(
                f"COPY (SELECT * FROM {ident(name)}) TO '{target}' (FORMAT parquet)"
            )
            tmp.replace(path)
            stamp_file.write_text(stamp)
        paths[name] = path
    return paths


def spark_backend(workspace: WorkspaceView, url: str) -> Any:
    """An Ibis PySpark backend whose tables are the workspace's canonical tables."""
    import ibis

    engine = workspace.settings.engine
    session = spark_session(spark_master(url, engine.spark_master), dict(engine.spark_conf))
    cache = engine.spark_conf.get(CACHE_SETTING)
    directory = Path(cache) if cache else workspace.directory / CACHE_DIR
    for name, path in export_tables(workspace, directory).items():
        session.read.parquet(str(path.resolve())).createOrReplaceTempView(name)
    return ibis.pyspark.connect(session)


def cache_view(backend: Any, name: str, expr: Any) -> Any:
    """Compute ``expr`` once per session as a cached temporary view (Spark's temp table).

    Ibis's PySpark ``create_table`` has no ``temp=True``; a persisted DataFrame registered as a
    temporary view is Spark's equivalent and is released with the session.
    """
    try:
        backend._run_pre_execute_hooks(expr)  # registers the memtables the expression reads
        frame = backend._session.sql(backend.compile(expr)).persist()
    except AttributeError as exc:  # pragma: no cover - a changed Ibis internals
        raise InternalError(f"cannot cache {name} on this PySpark backend: {exc}") from exc
    frame.createOrReplaceTempView(name)
    return backend.table(name)
