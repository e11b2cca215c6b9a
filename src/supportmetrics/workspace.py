"""The workspace: a directory holding the embedded database and ``supportmetrics.toml``.

``Workspace`` is the one facade the CLI, web app, reports and alerts call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis

from supportmetrics.config import (
    CONFIG_FILE,
    DEFAULT_CONFIG_TEXT,
    Settings,
    TableMapping,
    load_settings,
    table_mapping,
)
from supportmetrics.errors import ConfigError, MappingError, WorkspaceError, translate_errors
from supportmetrics.ingest import LoadResult, create_table_sql, load_files
from supportmetrics.ingest.sql import ident, literal
from supportmetrics.schema import TABLES, table_spec

DATABASE_FILE = "supportmetrics.duckdb"
REJECTS_DIR = "rejects"
ENV_WORKSPACE = "SUPPORTMETRICS_WORKSPACE"

_LOADS_SQL = (
    "CREATE TABLE IF NOT EXISTS _sm_loads (load_id VARCHAR, table_name VARCHAR, files VARCHAR[], "
    "finished_at TIMESTAMP, rows_read BIGINT, accepted BIGINT, rejected BIGINT, inserted BIGINT, "
    "updated BIGINT, unchanged BIGINT, seconds DOUBLE)"
)


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int
    first_at: datetime | None
    last_at: datetime | None
    last_load_at: datetime | None
    attributes: tuple[str, ...]


def default_workspace_dir() -> Path:
    return Path(os.environ.get(ENV_WORKSPACE) or ".")


class Workspace:
    """A supportmetrics workspace: canonical tables in DuckDB plus settings."""

    def __init__(self, directory: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.directory = directory
        self.con = con
        self.settings = settings
        self._ibis: Any = None
        self._engines: dict[str, Any] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(cls, directory: str | Path | None = None, *, must_exist: bool = False) -> Workspace:
        """Open (and on first use create) the workspace in ``directory``.

        ``must_exist`` refuses to create one (commands that only read need data to read).
        """
        path = Path(directory) if directory is not None else default_workspace_dir()
        if path.exists() and not path.is_dir():
            raise WorkspaceError(f"{path}: is a file, not a workspace directory")
        database = path / DATABASE_FILE
        if must_exist and not database.exists():
            raise WorkspaceError(f"{path}: no workspace here (no {DATABASE_FILE}); ingest data or run `supportmetrics demo`")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot create the workspace directory: {exc}") from exc
        settings = load_settings(path / CONFIG_FILE)
        config = path / CONFIG_FILE
        if not config.exists():
            config.write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
        try:
            con = duckdb.connect(str(database))
        except duckdb.IOException as exc:
            raise WorkspaceError(
                f"{database}: cannot open the workspace database (is another supportmetrics "
                f"process using it?): {exc}"
            ) from exc
        for spec in TABLES.values():
            con.execute(create_table_sql(spec))
        con.execute(_LOADS_SQL)
        con.execute("SET TimeZone = 'UTC'")
        try:
            if settings.engine.memory_limit:
                con.execute(f"SET memory_limit = {literal(settings.engine.memory_limit)}")
            if settings.engine.threads:
                con.execute(f"SET threads = {int(settings.engine.threads)}")
        except duckdb.Error as exc:
            con.close()
            raise ConfigError(f"{CONFIG_FILE}: [engine] memory_limit / threads: {exc}") from exc
        return cls(path, con, settings)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- data in -----------------------------------------------------------------------------

    def mapping_for(self, table: str, name: str | None = None) -> TableMapping:
        """The configured mapping: ``[mappings.NAME]`` if named, else ``[mappings.TABLE]``."""
        if name is not None:
            if name not in self.settings.mappings:
                known = ", ".join(self.settings.mappings) or "none"
                raise MappingError(f"no mapping named {name!r} in {CONFIG_FILE} (configured: {known})")
            mapping = self.settings.mappings[name]
            if mapping.table not in (None, table):
                raise MappingError(f"mapping {name!r} is for table {mapping.table!r}, not {table!r}")
            return mapping
        return self.settings.mappings.get(table, TableMapping())

    @translate_errors()
    def ingest(
        self,
        table: str,
        paths: str | Path | Sequence[str | Path],
        mapping: TableMapping | dict[str, Any] | None = None,
        progress: Callable[[str], None] = lambda message: None,
    ) -> LoadResult:
        """Load files into a canonical table; see :mod:`supportmetrics.ingest.load`."""
        spec = table_spec(table)
        self._engines.clear()
        if isinstance(paths, (str, Path)):
            paths = [paths]
        resolved = self._mapping(table, mapping)
        return load_files(
            self.con, spec, [Path(p) for p in paths], resolved, self.settings,
            self.directory / REJECTS_DIR, progress,
        )

    @translate_errors()
    def ingest_frame(
        self, table: str, frame: object, label: str | None = None,
        mapping: TableMapping | dict[str, Any] | None = None,
    ) -> LoadResult:
        """Load an in-memory Arrow table or pandas DataFrame, with the same checks as a file."""
        spec = table_spec(table)
        self._engines.clear()
        return load_files(
            self.con, spec, [(label or f"<{table}>", frame)], self._mapping(table, mapping),
            self.settings, self.directory / REJECTS_DIR,
        )

    def _mapping(self, table: str, mapping: TableMapping | dict[str, Any] | None) -> TableMapping:
        if mapping is None:
            return self.mapping_for(table)
        if isinstance(mapping, TableMapping):
            return mapping
        return table_mapping(mapping)

    # -- data out ----------------------------------------------------------------------------

    @property
    def backend(self) -> Any:
        """The Ibis backend over the workspace database."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def engine(self, url: str | None = None) -> Any:
        """The metric engine over this workspace (DuckDB, or Spark when ``url`` says so).

        Cached until the next load, which makes the engine build its facts afresh.
        """
        from supportmetrics.engine import open_engine

        key = url or self.settings.engine.url
        if key not in self._engines:
            self._engines[key] = open_engine(self, url)
        return self._engines[key]

    @translate_errors()
    def metric(
        self,
        metric: str,
        grain: str = "month",
        by: list[str] | tuple[str, ...] = (),
        start: Any = None,
        end: Any = None,
        where: dict[str, str] | None = None,
        clock: str = "calendar",
        stat: str = "mean",
    ) -> Any:
        """One metric as a DataFrame: metric, period, one column per ``by``, value, count."""
        from supportmetrics.engine import build_query

        query = build_query(metric, grain, by, start, end, where, clock, stat)
        return self.engine().metric(query)

    def table(self, name: str) -> Any:
        """A canonical table as an Ibis table expression."""
        table_spec(name)
        return self.backend.table(name)

    @translate_errors()
    def tables(self) -> list[TableInfo]:
        """Rows, time span and last load of every canonical table."""
        infos = []
        for spec in TABLES.values():
            span = ident(spec.span)
            rows, first, last = self.con.execute(
                f"SELECT count(*), min({span}), max({span}) FROM {ident(spec.name)}"
            ).fetchone()  # type: ignore[misc]
            loaded = self.con.execute(
                "SELECT max(finished_at) FROM _sm_loads WHERE table_name = ?", [spec.name]
            ).fetchone()[0]  # type: ignore[index]
            columns = [
                str(r[0]) for r in self.con.execute(f"DESCRIBE {ident(spec.name)}").fetchall()
            ]
            extra = tuple(c for c in columns if c not in spec.column_names)
            infos.append(TableInfo(spec.name, int(rows), _dt(first), _dt(last), loaded, extra))
        return infos


def _dt(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time())  # type: ignore[arg-type]
