"""The workspace: a directory holding the embedded database and ``supportmetrics.toml``.

``Workspace`` is the one facade the CLI, web app, reports and alerts call.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis

from supportmetrics.backup import BackupResult, RestoreResult, backup, restore
from supportmetrics.config import (
    CONFIG_FILE,
    DEFAULT_CONFIG_TEXT,
    Settings,
    TableMapping,
    load_settings,
    table_mapping,
)
from supportmetrics.errors import (
    ConfigError,
    LoadFailed,
    MappingError,
    SupportMetricsError,
    WorkspaceDamaged,
    WorkspaceError,
    translate_errors,
)
from supportmetrics.ingest import LoadResult, create_table_sql, load_files, normalise_name
from supportmetrics.ingest.load import STORAGE_TYPES, reclaim_space, storage_matches
from supportmetrics.ingest.sql import ident, literal
from supportmetrics.integrity import (
    CheckResult,
    check_database,
    damaged_message,
    file_blocks,
    is_locked,
    mark_checked,
    needs_scan,
    scan,
)
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
        return cls(path, _connect(database, settings), settings)

    def close(self) -> None:
        """Checkpoint and close; the file is then recorded as checked (no scan on next open)."""
        try:
            self.con.execute("CHECKPOINT")
            healthy = True
        except duckdb.Error:  # a failed database (a full disk): the next open scans it
            healthy = False
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        if healthy:
            with contextlib.suppress(OSError):  # a read-only directory: scanned on each open
                mark_checked(self.directory / DATABASE_FILE)

    # -- safekeeping -------------------------------------------------------------------------

    def backup(self, target: str | Path) -> BackupResult:
        """Copy the database (checkpointed, verified) and settings into ``target``."""
        return backup(self.con, self.directory, Path(target))

    @staticmethod
    def check(directory: str | Path | None = None) -> CheckResult:
        """Read every block of the workspace database (without opening it as a workspace)."""
        path = Path(directory) if directory is not None else default_workspace_dir()
        if not (path / DATABASE_FILE).exists():
            raise WorkspaceError(f"{path}: no workspace here (no {DATABASE_FILE})")
        result = check_database(path / DATABASE_FILE)
        if result.ok:
            with contextlib.suppress(OSError):
                mark_checked(path / DATABASE_FILE)
        return result

    @staticmethod
    def restore(source: str | Path, directory: str | Path | None = None) -> RestoreResult:
        """Replace the workspace's database and settings with a backup (see backup.py)."""
        path = Path(directory) if directory is not None else default_workspace_dir()
        return restore(Path(source), path)

    def _reconnect(self) -> None:
        """Open the database again (DuckDB refuses every statement after a fatal error)."""
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        self._ibis = None
        self._engines.clear()
        self.con = _connect(self.directory / DATABASE_FILE, self.settings)

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
        try:
            return load_files(
                self.con, spec, [Path(p) for p in paths], resolved, self.settings,
                self.directory / REJECTS_DIR, progress,
            )
        except LoadFailed as exc:
            raise self._settle(exc) from exc.cause

    @translate_errors()
    def ingest_frame(
        self, table: str, frame: object, label: str | None = None,
        mapping: TableMapping | dict[str, Any] | None = None,
    ) -> LoadResult:
        """Load an in-memory Arrow table or pandas DataFrame, with the same checks as a file."""
        spec = table_spec(table)
        self._engines.clear()
        try:
            return load_files(
                self.con, spec, [(label or f"<{table}>", frame)], self._mapping(table, mapping),
                self.settings, self.directory / REJECTS_DIR,
            )
        except LoadFailed as exc:
            raise self._settle(exc) from exc.cause

    def _settle(self, failure: LoadFailed) -> LoadFailed:
        """After a failed load: find out whether it was committed, reopening if need be."""
        query = "SELECT count(*) FROM _sm_loads WHERE load_id = ?"
        try:
            try:
                row = self.con.execute(query, [failure.load_id]).fetchone()
            except duckdb.Error:  # the database refuses statements after a fatal error
                self._reconnect()
                row = self.con.execute(query, [failure.load_id]).fetchone()
                reclaim_space(self.con)
        except (duckdb.Error, SupportMetricsError):
            return failure.with_committed(None)
        return failure.with_committed(bool(row and row[0]))

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
        as_of: Any = None,
    ) -> Any:
        """One metric as a DataFrame: metric, period, one column per ``by``, value, count.

        ``as_of``: the instant SLA targets are judged at (default: the end of the ticket data).
        """
        from supportmetrics.engine import build_query

        query = build_query(metric, grain, by, start, end, where, clock, stat, as_of)
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
            extra = self.attributes(spec.name)
            infos.append(TableInfo(spec.name, int(rows), _dt(first), _dt(last), loaded, extra))
        return infos

    # -- attribute columns -------------------------------------------------------------------

    def attributes(self, table: str) -> tuple[str, ...]:
        """The attribute columns of a canonical table: the columns files brought that are not
        canonical (including one stored under a canonical name with another type, kept by a
        version that did not have that canonical column)."""
        spec = table_spec(table)
        types = {c.name: STORAGE_TYPES[c.type] for c in spec.columns}
        stored = self.con.execute(f"DESCRIBE {ident(spec.name)}").fetchall()
        return tuple(
            str(name) for name, kind, *_rest in stored
            if name not in types or not storage_matches(str(kind), types[name])
        )

    def drop_attribute(self, table: str, name: str) -> None:
        """Delete the attribute column ``name`` of ``table`` (its values are gone)."""
        self._attribute(table, name)
        self._alter(f"ALTER TABLE {ident(table)} DROP COLUMN {ident(name)}")

    def rename_attribute(self, table: str, old: str, new: str) -> None:
        """Give the attribute column ``old`` of ``table`` the name ``new``."""
        self._attribute(table, old)
        spec = table_spec(table)
        if normalise_name(new) != new:
            raise MappingError(
                f"{new!r} is not a column name of the form attribute columns have (lower case "
                f"letters, digits and _); use {normalise_name(new)!r}"
            )
        if new in spec.column_names:
            raise MappingError(
                f"{new!r} is a canonical column of {table}; an attribute cannot take its name"
            )
        existing = [str(r[0]) for r in self.con.execute(f"DESCRIBE {ident(table)}").fetchall()]
        if new in existing:
            raise MappingError(f"{table} already has a column {new!r}; choose another name")
        self._alter(f"ALTER TABLE {ident(table)} RENAME COLUMN {ident(old)} TO {ident(new)}")

    def _attribute(self, table: str, name: str) -> None:
        spec = table_spec(table)
        attributes = self.attributes(table)
        if name in attributes:
            return
        if name in spec.column_names:
            raise MappingError(
                f"{name!r} is a canonical column of {table}, not an attribute column; only "
                "attribute columns can be dropped or renamed"
            )
        known = ", ".join(attributes) or "none"
        raise MappingError(
            f"{table} has no attribute column {name!r}; its attribute columns: {known}"
        )

    def _alter(self, statement: str) -> None:
        self._engines.clear()
        try:
            self.con.execute(statement)
        except duckdb.Error as exc:
            raise WorkspaceError(f"{statement}: {exc}") from exc


def _connect(database: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """Connect to the workspace database, create what is missing and apply the settings.

    A damaged file is found out before anything reads from or writes to it (see
    :mod:`supportmetrics.integrity`): WorkspaceDamaged, with how to recover.
    """
    existed = database.exists()
    try:
        con = duckdb.connect(str(database))
    except duckdb.Error as exc:
        if is_locked(exc):
            raise WorkspaceError(
                f"{database}: cannot open the workspace database (is another supportmetrics "
                f"process using it?): {exc}"
            ) from exc
        raise WorkspaceDamaged(damaged_message(database, _first_line(exc))) from exc
    try:
        if existed and needs_scan(database):
            scan(con, database)
        for spec in TABLES.values():
            con.execute(create_table_sql(spec))
        con.execute(_LOADS_SQL)
    except duckdb.Error as exc:
        con.close()
        raise WorkspaceDamaged(damaged_message(database, _first_line(exc))) from exc
    con.execute("SET TimeZone = 'UTC'")
    try:
        if settings.engine.memory_limit:
            con.execute(f"SET memory_limit = {literal(settings.engine.memory_limit)}")
        if settings.engine.threads:
            con.execute(f"SET threads = {int(settings.engine.threads)}")
    except duckdb.Error as exc:
        con.close()
        raise ConfigError(f"{CONFIG_FILE}: [engine] memory_limit / threads: {exc}") from exc
    _reclaim_if_grown(con, database)
    return con


def _reclaim_if_grown(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """Give back the space of a load that was killed before its commit.

    Its rows were written into the file, past the blocks the last checkpoint uses; the file
    then holds more bytes than its headers and blocks. A checkpoint truncates it.
    """
    if database.exists() and database.stat().st_size > file_blocks(con):
        reclaim_space(con)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _dt(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time())  # type: ignore[arg-type]
