"""The workspace: a directory holding the embedded database and ``supportmetrics.toml``.

``Workspace`` is the one facade the CLI, web app, reports and alerts call. It is opened by a
writer (loads, ``refresh``, ``demo``) or, with ``read_only=True``, by a reader that never writes
to the directory; docs/architecture.md describes the model.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

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
from supportmetrics.ingest.load import (
    GENERATION_SQL,
    STORAGE_TYPES,
    generation,
    reclaim_space,
    storage_matches,
)
from supportmetrics.ingest.sql import ident, literal
from supportmetrics.integrity import (
    CheckResult,
    check_database,
    damaged_message,
    file_blocks,
    mark_checked,
    needs_scan,
    scan,
)
from supportmetrics.locking import clear_holder, record_holder, wait_for
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


#: The writers' connections open in this process, by database file. DuckDB keeps one database
#: instance per file and process: a reader in the same process reads through a cursor of the
#: writer's connection instead of opening the file a second time (which DuckDB refuses).
#: Several writers of one file may be open at once (each a connection to the same instance):
#: the last opened serves readers, and closing one leaves the others registered.
_WRITERS: dict[Path, list[duckdb.DuckDBPyConnection]] = {}


def default_workspace_dir() -> Path:
    return Path(os.environ.get(ENV_WORKSPACE) or ".")


class Workspace:
    """A supportmetrics workspace: canonical tables in DuckDB plus settings.

    A writer holds the database file from ``open`` to ``close``. A reader (``read_only``) holds
    it only while in use: for a ``with`` block, or else for each query (:meth:`session`), so
    that a load in another process can run between two of its queries.
    """

    def __init__(
        self, directory: Path, con: duckdb.DuckDBPyConnection, settings: Settings,
        read_only: bool = False,
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = con
        self._ibis: Any = None
        self._engines: dict[str, Any] = {}
        self._sessions = 0
        self._held = False

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The database connection (a reader connects again when it had let go of the file)."""
        if self._con is None:
            self._con = _connect_read_only(self.directory / DATABASE_FILE, self.settings)
            self._ibis = None
        return self._con

    @contextlib.contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the database for the block; a reader lets go of it when the outermost ends."""
        self._sessions += 1
        try:
            yield self.con
        finally:
            self._sessions -= 1
            if self._sessions == 0 and self.read_only and not self._held:
                self.release()

    def release(self) -> None:
        """A reader lets go of the database file (reconnected when next used)."""
        if self.read_only and self._con is not None:
            for engine in self._engines.values():
                engine.forget_connection()
            with contextlib.suppress(duckdb.Error):
                self._con.close()
            self._con = None
            self._ibis = None

    def generation(self) -> int:
        """The load generation: changes with every load and refresh of the stored tables."""
        return generation(self.con)

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, directory: str | Path | None = None, *, must_exist: bool = False,
        read_only: bool = False,
    ) -> Workspace:
        """Open (and on first use create) the workspace in ``directory``.

        ``must_exist`` refuses to create one (commands that only read need data to read).
        ``read_only`` opens it for reading: nothing in the directory is created or changed
        (the database file stays byte for byte as it was), and other readers may use it at
        the same time. Either waits up to ``engine.lock_timeout`` seconds for a process
        that holds the database, then raises WorkspaceBusy naming it.
        """
        path = Path(directory) if directory is not None else default_workspace_dir()
        if path.exists() and not path.is_dir():
            raise WorkspaceError(f"{path}: is a file, not a workspace directory")
        database = path / DATABASE_FILE
        if (must_exist or read_only) and not database.exists():
            if (path / CONFIG_FILE).is_file():  # its problems first: they are what to fix
                load_settings(path / CONFIG_FILE)
            raise WorkspaceError(f"{path}: no workspace here (no {DATABASE_FILE}); ingest data or run `supportmetrics demo`")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot create the workspace directory: {exc}") from exc
        settings = load_settings(path / CONFIG_FILE)
        if read_only:
            return cls(path, _connect_read_only(database, settings), settings, read_only=True)
        config = path / CONFIG_FILE
        if not config.exists():
            config.write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
        return cls(path, _connect(database, settings), settings)

    def close(self) -> None:
        """Close the engines and the database.

        A writer checkpoints first and records the file as checked (no scan on next open); a
        reader writes nothing.
        """
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
        if self.read_only:
            self._held = False
            self.release()
            return
        try:
            self.con.execute("CHECKPOINT")
            healthy = True
        except duckdb.Error:  # a failed database (a full disk): the next open scans it
            healthy = False
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        _forget_writer(self.directory / DATABASE_FILE, self.con)
        if healthy:
            with contextlib.suppress(OSError):  # a read-only directory: scanned on each open
                mark_checked(self.directory / DATABASE_FILE)
        clear_holder(self.directory / DATABASE_FILE)

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
        _forget_writer(self.directory / DATABASE_FILE, self.con)
        self._ibis = None
        for engine in self._engines.values():
            engine.forget_connection()
        self._con = _connect(self.directory / DATABASE_FILE, self.settings)

    def __enter__(self) -> Workspace:
        self._held = True  # a reader keeps the file for the block (one snapshot)
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
        refresh: bool = True,
    ) -> LoadResult:
        """Load files into a canonical table; see :mod:`supportmetrics.ingest.load`.

        Then (unless ``refresh`` is False: several loads in a row refresh once, at the end)
        the stored per-ticket tables are brought up to date, so readers find them current.
        """
        spec = table_spec(table)
        self._writable("load data")
        if isinstance(paths, (str, Path)):
            paths = [paths]
        resolved = self._mapping(table, mapping)
        try:
            result = load_files(
                self.con, spec, [Path(p) for p in paths], resolved, self.settings,
                self.directory / REJECTS_DIR, progress,
            )
        except LoadFailed as exc:
            raise self._settle(exc) from exc.cause
        if refresh and result.committed:
            progress("refreshing the stored tables")
            self.refresh()
        return result

    @translate_errors()
    def ingest_frame(
        self, table: str, frame: object, label: str | None = None,
        mapping: TableMapping | dict[str, Any] | None = None, refresh: bool = True,
    ) -> LoadResult:
        """Load an in-memory Arrow table or pandas DataFrame, with the same checks as a file."""
        spec = table_spec(table)
        self._writable("load data")
        try:
            result = load_files(
                self.con, spec, [(label or f"<{table}>", frame)], self._mapping(table, mapping),
                self.settings, self.directory / REJECTS_DIR,
            )
        except LoadFailed as exc:
            raise self._settle(exc) from exc.cause
        if refresh and result.committed:
            self.refresh()
        return result

    def refresh(self) -> dict[str, Any]:
        """Bring the stored per-ticket tables up to date (what each did, per source).

        Done by every load; needed on its own after a change of the settings they depend on
        (time zone, business hours, SLA targets, repeat window) or of supportmetrics itself.
        """
        from supportmetrics.engine import open_engine

        self._writable("refresh the stored tables")
        with open_engine(self, "duckdb") as engine:
            return engine.refresh()

    def _writable(self, action: str) -> None:
        if self.read_only:
            raise WorkspaceError(
                f"{self.directory}: opened read-only, cannot {action}; open it without read_only"
            )

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
        con = self.con
        if self._ibis is None:
            import ibis  # only for queries: opening, loading and listing tables do not need it

            self._ibis = ibis.duckdb.from_connection(con)
        return self._ibis

    def engine(self, url: str | None = None) -> Any:
        """The metric engine over this workspace (DuckDB, or Spark when ``url`` says so).

        Kept while the workspace is open; it checks the load generation before each query.
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
        with self.session():
            return self._tables()

    def _tables(self) -> list[TableInfo]:
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
        self.refresh()  # a writer keeps the stored tables current (the columns changed)


def _connect(database: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """Connect to the workspace database, create what is missing and apply the settings.

    A damaged file is found out before anything reads from or writes to it (see
    :mod:`supportmetrics.integrity`): WorkspaceDamaged, with how to recover.
    """
    existed = database.exists()
    con = _connect_file(database, settings, read_only=False)
    record_holder(database)
    _WRITERS.setdefault(database.resolve(), []).append(con)
    try:
        if existed and needs_scan(database):
            scan(con, database)
        for spec in TABLES.values():
            con.execute(create_table_sql(spec))
        con.execute(_LOADS_SQL)
        con.execute(GENERATION_SQL)
    except duckdb.Error as exc:
        con.close()
        _forget_writer(database, con)
        clear_holder(database)
        raise WorkspaceDamaged(damaged_message(database, _first_line(exc))) from exc
    _session_settings(con, settings)
    _reclaim_if_grown(con, database)
    return con


def _connect_file(database: Path, settings: Settings, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect, waiting for a process that holds the file (then WorkspaceBusy)."""
    try:
        return wait_for(
            database,
            lambda: duckdb.connect(str(database), read_only=read_only),
            settings.engine.lock_timeout,
            reading=read_only,
        )
    except duckdb.Error as exc:
        if "different configuration" in str(exc):
            mode = "read-write" if read_only else "read-only"
            raise WorkspaceError(
                f"{database.parent}: this process has the workspace open {mode} already; use "
                "that Workspace (or close it first)"
            ) from exc
        raise WorkspaceDamaged(damaged_message(database, _first_line(exc))) from exc


def _connect_read_only(database: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """Connect for reading: no table created, nothing reclaimed or recorded; never writes."""
    writers = _WRITERS.get(database.resolve())
    if writers:  # this process writes to it: read through the writer's instance
        shared = writers[-1].cursor()
        _session_settings(shared, settings)
        return shared
    con = _connect_file(database, settings, read_only=True)
    try:
        if needs_scan(database):  # found out, not recorded: a reader writes nothing
            scan(con, database)
        missing = [s.name for s in TABLES.values() if s.name not in _table_names(con)]
    except duckdb.Error as exc:
        con.close()
        raise WorkspaceDamaged(damaged_message(database, _first_line(exc))) from exc
    if missing:
        con.close()
        raise WorkspaceError(
            f"{database.parent}: the workspace lacks the tables {', '.join(missing)}; run "
            "`supportmetrics refresh` (which writes) once, then read it again"
        )
    _session_settings(con, settings)
    return con


def _forget_writer(database: Path, con: duckdb.DuckDBPyConnection) -> None:
    writers = _WRITERS.get(database.resolve(), [])
    if con in writers:
        writers.remove(con)
    if not writers:
        _WRITERS.pop(database.resolve(), None)


def _table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    return {str(r[0]) for r in rows}


def _session_settings(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    con.execute("SET TimeZone = 'UTC'")
    try:
        if settings.engine.memory_limit:
            con.execute(f"SET memory_limit = {literal(settings.engine.memory_limit)}")
        if settings.engine.threads:
            con.execute(f"SET threads = {int(settings.engine.threads)}")
    except duckdb.Error as exc:
        con.close()
        raise ConfigError(f"{CONFIG_FILE}: [engine] memory_limit / threads: {exc}") from exc


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
