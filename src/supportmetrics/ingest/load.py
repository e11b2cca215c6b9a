"""Load staged files into a canonical table: type, validate, report, upsert, atomically.

One load = one call of :func:`load_files`: every file is staged, typed and checked row by row
(types, required columns, allowed values, row rules), then across rows (repeated keys, events of
unknown tickets). A load is all or nothing: when one file cannot be read or mapped, no file is
loaded. Accepted rows are merged into the table on its key in one transaction, with the rejects
file written before the commit, so a load that is interrupted or fails (a full disk) leaves
the workspace exactly as it was (and gives back the file space it used); loading the same rows
again changes nothing. Rejected rows are reported with file, row, column, value and reason.
"""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import duckdb

from supportmetrics.atomic import atomic_write
from supportmetrics.config import Settings, TableMapping
from supportmetrics.csv_cells import safe_row
from supportmetrics.errors import (
    InputFileError,
    LoadFailed,
    MappingError,
    SupportMetricsError,
    UserError,
)
from supportmetrics.ingest.mapping import (
    ResolvedMapping,
    check_formats,
    missing_columns_message,
    resolve,
)
from supportmetrics.ingest.readers import CsvDialect, StagedFile, stage_file, stage_frame
from supportmetrics.ingest.sql import ident, literal
from supportmetrics.schema import Column, ColumnType, TableSpec

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
STORAGE_TYPES = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.TIMESTAMP: "TIMESTAMP",
    ColumnType.NUMBER: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN",
    ColumnType.DATE: "DATE",
}
EXPECTED = {
    ColumnType.TIMESTAMP: "is not a timestamp (ISO 8601 expected, e.g. 2025-10-01T09:30:00+02:00, or set a timestamp format)",
    ColumnType.NUMBER: "is not a number",  # or NOT_FINITE
    ColumnType.BOOL: "is not a boolean (true/false, yes/no, 1/0)",
    ColumnType.DATE: "is not a date (YYYY-MM-DD expected, or set a format)",
}

NOT_FINITE = "is not a finite number (NaN and infinity are not numbers)"
GAP = (
    "is not a time in {zone}: the clocks skipped that hour (daylight saving time began); "
    "write the time with its UTC offset"
)
REPEATED = (
    " ({zone} repeats an hour when its clocks go back, and a local time in that hour is read as "
    "its second occurrence, in standard time; give these times with their UTC offset)"
)
#: What a time-zone abbreviation may stand for: the reason of a rejected timestamp names it.
ZONE_ABBREVIATIONS = {
    "BST": "+01:00 for British Summer Time (Europe/London), +06:00 for Bangladesh (Asia/Dhaka)",
    "IST": (
        "+05:30 for India (Asia/Kolkata), +01:00 for Irish Standard Time (Europe/Dublin), "
        "+02:00 for Israel (Asia/Jerusalem)"
    ),
    "PST": "-08:00 for Pacific Standard Time, -07:00 in summer (America/Los_Angeles)",
    "PDT": "-07:00 for Pacific Daylight Time (America/Los_Angeles)",
    "MST": "-07:00 for Mountain Standard Time (America/Denver, America/Phoenix)",
    "MDT": "-06:00 for Mountain Daylight Time (America/Denver)",
    "CST": (
        "-06:00 for US Central Standard Time (America/Chicago), +08:00 for China "
        "(Asia/Shanghai), -05:00 for Cuba (America/Havana)"
    ),
    "CDT": "-05:00 for US Central Daylight Time (America/Chicago), -04:00 for Cuba",
    "EST": "-05:00 for US Eastern Standard Time (America/New_York), +10:00 for Australia (Australia/Sydney)",
    "EDT": "-04:00 for US Eastern Daylight Time (America/New_York)",
    "CET": "+01:00 for Central European Time (Europe/Berlin, Europe/Zagreb)",
    "CEST": "+02:00 for Central European Summer Time (Europe/Berlin, Europe/Zagreb)",
    "EET": "+02:00 for Eastern European Time (Europe/Athens)",
    "EEST": "+03:00 for Eastern European Summer Time (Europe/Athens)",
    "WET": "+00:00 for Western European Time (Europe/Lisbon)",
    "WEST": "+01:00 for Western European Summer Time (Europe/Lisbon)",
    "AEST": "+10:00 for Australian Eastern Standard Time (Australia/Sydney)",
    "AEDT": "+11:00 for Australian Eastern Daylight Time (Australia/Sydney)",
    "JST": "+09:00 (Asia/Tokyo)",
    "MSK": "+03:00 (Europe/Moscow)",
}
#: Words a timestamp may end with that are not time-zone abbreviations (or name UTC itself).
NOT_ABBREVIATIONS = ("AM", "PM", "UTC", "GMT", "UT")


@dataclass(frozen=True)
class Reject:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f" {self.value!r}" if self.value else ""
        column = f"{self.column}{shown} " if self.column else ""
        return f"{self.file} row {self.row}: {column}{self.reason}".replace("  ", " ")


@dataclass(frozen=True)
class FileProblem:
    file: str
    reason: str

    def __str__(self) -> str:
        return self.reason if self.reason.startswith(self.file) else f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class LoadResult:
    table: str
    files: tuple[str, ...]
    rows_read: int
    accepted: int
    rejected_rows: int
    inserted: int
    updated: int
    unchanged: int
    rejects: tuple[Reject, ...] = ()
    file_problems: tuple[FileProblem, ...] = ()
    rejects_path: Path | None = None
    seconds: float = 0.0
    load_id: str = ""
    attributes: tuple[str, ...] = field(default=())
    #: False when nothing was loaded: a file could not be read or mapped (``file_problems``),
    #: and a load is all or nothing.
    committed: bool = True

    @property
    def ok(self) -> bool:
        return self.rejected_rows == 0 and not self.file_problems


#: Tables whose rows shape the engine's stored per-ticket tables (see engine/store.py).
TICKET_KEYED = ("tickets", "ticket_events")
#: Ticket ids each load inserted or changed, with the load's number (``seq``, increasing): a
#: stored per-ticket table is behind for the tickets marked after the number it was refreshed to.
DIRTY_TABLE = "_sm_dirty_tickets"
DIRTY_SEQUENCE = "_sm_dirty_seq"
DIRTY_SQL = (
    f"CREATE TABLE IF NOT EXISTS {DIRTY_TABLE} (ticket_id VARCHAR, seq BIGINT); "
    f"CREATE SEQUENCE IF NOT EXISTS {DIRTY_SEQUENCE}"
)
#: Present once the engine has stored per-ticket tables; before that nothing is marked dirty.
STORE_META_TABLE = "_sm_d_sources"
#: The workspace's load generation: one row, bumped in the transaction of every write (a load,
#: a refresh of the stored tables). An engine compares it before each query (engine/engine.py).
GENERATION_TABLE = "_sm_state"
GENERATION_SQL = (
    f"CREATE TABLE IF NOT EXISTS {GENERATION_TABLE} (generation BIGINT); "
    f"INSERT INTO {GENERATION_TABLE} SELECT 0 WHERE NOT EXISTS (SELECT * FROM {GENERATION_TABLE})"
)


def bump_generation(con: duckdb.DuckDBPyConnection) -> None:
    """Count one more write (inside the writer's transaction)."""
    con.execute(GENERATION_SQL)
    con.execute(f"UPDATE {GENERATION_TABLE} SET generation = generation + 1")


def generation(con: duckdb.DuckDBPyConnection) -> int:
    """The workspace's load generation (0 for a workspace that never counted one)."""
    if not has_table(con, GENERATION_TABLE):
        return 0
    rows = con.execute(f"SELECT max(generation) FROM {GENERATION_TABLE}").fetchall()
    return int(rows[0][0] or 0)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the workspace database has a (non-temporary) table ``name``."""
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    ).fetchall()
    return bool(rows[0][0])


def storage_matches(stored: str, canonical: str) -> bool:
    """Whether a stored DuckDB type is of the canonical storage type's kind (a number column
    may hold any numeric type, as the engine reads it; a timestamp may carry a unit)."""
    base = stored.upper().split("(")[0]
    if canonical == "DOUBLE":
        return _numeric(base)
    return base.startswith(canonical)


def upgrade_columns(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """Give a table stored by an earlier version every canonical column of ``spec``.

    A column stored under a canonical name with another type is an attribute column an earlier
    version kept (a ``Reopens`` export column before ``reopens`` was canonical): it is renamed
    ``attr_NAME``, as a load now names a file's column that clashes with a canonical one.
    """
    stored = {
        str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {ident(spec.name)}").fetchall()
    }
    for column in spec.columns:
        kind = STORAGE_TYPES[column.type]
        if column.name in stored and not storage_matches(stored[column.name], kind):
            new, n = "attr_" + column.name, 2
            while new in stored:
                new, n = f"attr_{column.name}_{n}", n + 1
            con.execute(
                f"ALTER TABLE {ident(spec.name)} RENAME COLUMN {ident(column.name)} TO {ident(new)}"
            )
            stored[new] = stored.pop(column.name)
        if column.name not in stored:
            con.execute(f"ALTER TABLE {ident(spec.name)} ADD COLUMN {ident(column.name)} {kind}")
            stored[column.name] = kind


def create_table_sql(spec: TableSpec) -> str:
    columns = ", ".join(f"{ident(c.name)} {STORAGE_TYPES[c.type]}" for c in spec.columns)
    return f"CREATE TABLE IF NOT EXISTS {ident(spec.name)} ({columns})"


def load_files(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    paths: list[Path | tuple[str, object]],
    mapping: TableMapping,
    settings: Settings,
    rejects_dir: Path,
    progress: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Load files into ``spec``'s table; see the module docstring for the guarantees."""
    # Naive text timestamps are cast in the workspace zone; the connection goes back to UTC
    # afterwards, as Workspace.open left it, so later queries on it are not affected.
    con.execute(f"SET TimeZone = {literal(settings.timezone)}")
    try:
        return _load_files(con, spec, paths, mapping, settings, rejects_dir, progress)
    finally:
        con.execute("SET TimeZone = 'UTC'")


def _load_files(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    paths: list[Path | tuple[str, object]],
    mapping: TableMapping,
    settings: Settings,
    rejects_dir: Path,
    progress: Callable[[str], None],
) -> LoadResult:
    if not paths:
        raise InputFileError(f"no files given to load into {spec.name}")
    check_formats(mapping)
    started = time.perf_counter()
    load_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    parts: list[str] = []
    problems: list[FileProblem] = []
    staged_tables: list[str] = []
    structural: list[Reject] = []
    rows_read = 0
    attributes: dict[str, None] = {}
    provided: dict[str, None] = {}
    labels = tuple(p.name if isinstance(p, Path) else p[0] for p in paths)
    files: list[tuple[int, str, StagedFile, ResolvedMapping]] = []
    for index, (path, label) in enumerate(zip(paths, labels, strict=True)):
        stage = f"_sm_stage_{index}"
        staged_tables.append(stage)
        try:
            if isinstance(path, Path):
                dialect = CsvDialect(mapping.delimiter, mapping.quote, mapping.encoding)
                staged = stage_file(con, path, stage, dialect)
            else:
                staged = stage_frame(con, label, path[1], stage)
            try:
                resolved = resolve(spec, label, staged.columns, mapping)
            except MappingError as exc:
                raise MappingError(str(exc) + _delimiter_hint(staged)) from exc
        except UserError as exc:
            reason = str(exc)
            if isinstance(path, Path) and reason.startswith(f"{path}: "):
                reason = reason[len(f"{path}: "):]  # FileProblem names the file itself
            problems.append(FileProblem(label, reason))
            continue
        rows_read += staged.rows + len(staged.rejects)
        structural += [Reject(label, r.row, "", r.text[:200], r.reason) for r in staged.rejects]
        files.append((index, label, staged, resolved))
        provided.update(dict.fromkeys(resolved.provided))
        progress(f"read {label}: {staged.rows} rows")
    for index, label, staged, resolved in files:
        # A file without a required column updates rows already loaded; in a load of several
        # files, one without a column another gives keeps that column of existing rows.
        fill: tuple[str, ...] = ()
        if resolved.absent_required or (len(files) > 1 and set(provided) - set(resolved.provided)):
            fill = tuple(
                c.name for c in spec.columns
                if c.name not in resolved.provided and (c.name in provided or c.required)
            )
        typed = f"_sm_typed_{index}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(typed)} AS "
            + _typed_select(spec, staged, resolved, settings, index, label, fill)
        )
        parts.append(typed)
        if resolved.absent_required and staged.rows and not con.execute(
            f"SELECT count(*) FILTER (WHERE _exists) FROM {ident(typed)}"
        ).fetchall()[0][0]:
            # not one row to update: most likely the mapping misses the column
            problems.append(FileProblem(label, missing_columns_message(
                spec, label, staged.columns, resolved.absent_required
            ) + f"; a file without them can only update rows already loaded, and none of its "
                f"rows is in {spec.name} yet"))
        attributes.update(dict.fromkeys(resolved.attributes))
    if problems:
        # a load is all or nothing: one file that cannot be read (or mapped) stops all of them
        _drop(con, [*staged_tables, *parts])
        return LoadResult(
            spec.name, labels, rows_read, 0, 0, 0, 0, 0, (), tuple(problems), None,
            time.perf_counter() - started, load_id, committed=False,
        )
    if spec.name == "surveys":
        provided.update(dict.fromkeys(("scale_min", "scale_max")))
    write_columns = [c for c in spec.column_names if c in provided or c in spec.key]
    con.execute("DROP TABLE IF EXISTS _sm_batch")
    if len(parts) == 1:  # one file: no need to copy it
        con.execute(f"ALTER TABLE {ident(parts[0])} RENAME TO _sm_batch")
    else:
        union = " UNION ALL BY NAME ".join(f"SELECT * FROM {ident(p)}" for p in parts)
        con.execute(f"CREATE TEMP TABLE _sm_batch AS {union}")
    for name in attributes:
        con.execute(f"ALTER TABLE _sm_batch ADD COLUMN IF NOT EXISTS {ident(name)} VARCHAR")
    _cross_row_checks(con, spec)
    progress("validated")
    row_rejects = [
        Reject(str(f), int(r), str(c or ""), "" if v is None else str(v), str(reason))
        for f, r, c, v, reason in con.execute(
            "SELECT _file, _row, i.column, i.value, i.reason FROM "
            "(SELECT _file, _file_index, _row, unnest(_issues) AS i FROM _sm_batch "
            "WHERE len(_issues) > 0) ORDER BY _file_index, _row"
        ).fetchall()
    ]
    rejected_rows = len(structural) + int(
        con.execute("SELECT count(*) FROM _sm_batch WHERE len(_issues) > 0").fetchone()[0]  # type: ignore[index]
    )
    key_match = " AND ".join(f"t.{ident(k)} = s.{ident(k)}" for k in spec.key)
    merged_columns = write_columns + list(attributes)
    differs = (
        "(" + ", ".join(f"t.{ident(c)}" for c in merged_columns) + ") IS DISTINCT FROM ("
        + ", ".join(f"s.{ident(c)}" for c in merged_columns) + ")"
    )
    rejects = sorted(
        structural + row_rejects,
        key=lambda r: (labels.index(r.file) if r.file in labels else 0, r.row),
    )
    rejects_path: Path | None = None
    step = "merge"
    try:
        con.execute("BEGIN TRANSACTION")
        upgrade_columns(con, spec)
        for name in attributes:
            con.execute(f"ALTER TABLE {ident(spec.name)} ADD COLUMN IF NOT EXISTS {ident(name)} VARCHAR")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _sm_accepted AS SELECT "
            + ", ".join(ident(c) for c in merged_columns)
            + " FROM _sm_batch WHERE len(_issues) = 0"
        )
        accepted, updated, unchanged = con.execute(
            f"SELECT (SELECT count(*) FROM _sm_accepted), "
            f"count(*) FILTER (WHERE {differs}), count(*) FILTER (WHERE NOT ({differs})) "
            f"FROM _sm_accepted s JOIN {ident(spec.name)} t ON {key_match}"
        ).fetchone()  # type: ignore[misc]
        if spec.name in TICKET_KEYED and has_table(con, STORE_META_TABLE):
            # in the load's own transaction: the stored per-ticket tables learn exactly which
            # tickets this load inserted or changed (unchanged rows are not marked)
            con.execute(DIRTY_SQL)
            seq = con.execute(f"SELECT nextval('{DIRTY_SEQUENCE}')").fetchall()[0][0]
            con.execute(
                f"INSERT INTO {DIRTY_TABLE} SELECT DISTINCT s.ticket_id, {int(seq)} "
                f"FROM _sm_accepted s LEFT JOIN {ident(spec.name)} t ON {key_match} WHERE {differs}"
            )
        progress("merging")
        updates = ", ".join(f"{ident(c)} = s.{ident(c)}" for c in merged_columns if c not in spec.key)
        matched = f"WHEN MATCHED AND {differs} THEN UPDATE SET {updates} " if updates else ""
        con.execute(
            f"MERGE INTO {ident(spec.name)} t USING _sm_accepted s ON ({key_match}) "
            + matched
            + "WHEN NOT MATCHED THEN INSERT ("
            + ", ".join(ident(c) for c in merged_columns)
            + ") VALUES ("
            + ", ".join(f"s.{ident(c)}" for c in merged_columns)
            + ")"
        )
        inserted = int(accepted) - int(updated) - int(unchanged)
        bump_generation(con)
        con.execute(
            "INSERT INTO _sm_loads VALUES (?, ?, ?, timezone('UTC', now()), ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id, spec.name, [str(p) if isinstance(p, Path) else p[0] for p in paths], rows_read, int(accepted),
                rejected_rows, inserted, int(updated), int(unchanged), time.perf_counter() - started,
            ],
        )
        if os.environ.get("SUPPORTMETRICS_TEST_PAUSE_BEFORE_COMMIT"):
            progress("about to commit")
            # the CLI shows progress only on a terminal: a marker a test can wait for
            print("supportmetrics: about to commit", file=sys.stderr, flush=True)
            time.sleep(float(os.environ["SUPPORTMETRICS_TEST_PAUSE_BEFORE_COMMIT"]))
        # the rejects file is part of the load: written (complete, renamed into place) before
        # the commit, and removed again when the commit fails
        rejects_path = _write_rejects(rejects_dir, load_id, spec, rejects)
        step = "commit"
        con.execute("COMMIT")
    except (duckdb.Error, OSError) as exc:
        _abandon(con, rejects_path)
        raise LoadFailed(spec.name, load_id, step, exc) from exc
    except BaseException:
        _abandon(con, rejects_path)
        raise
    finally:
        _drop(con, [*staged_tables, *parts, "_sm_batch", "_sm_accepted"])
    return LoadResult(
        table=spec.name,
        files=labels,
        rows_read=rows_read,
        accepted=int(accepted),
        rejected_rows=rejected_rows,
        inserted=inserted,
        updated=int(updated),
        unchanged=int(unchanged),
        rejects=tuple(rejects),
        file_problems=tuple(problems),
        rejects_path=rejects_path,
        seconds=time.perf_counter() - started,
        load_id=load_id,
        attributes=tuple(attributes),
    )


def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Drop a load's temporary tables (each may not exist); best effort after a failure."""
    for name in tables:
        try:
            con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
        except duckdb.Error:  # the database failed (e.g. the disk is full): nothing to keep
            return


def _abandon(con: duckdb.DuckDBPyConnection, rejects_path: Path | None) -> None:
    """Undo a load that did not commit: roll back, remove its rejects file, give space back.

    Each step is best effort: the transaction may already be gone (a failed COMMIT ends it)
    or the database may refuse every statement after a fatal error; the caller then reopens
    it and asks whether the load is there (:class:`LoadFailed`).
    """
    if rejects_path is not None:
        rejects_path.unlink(missing_ok=True)
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")
    with contextlib.suppress(duckdb.Error):
        reclaim_space(con)


def reclaim_space(con: duckdb.DuckDBPyConnection) -> None:
    """Give back the file space a rolled-back or killed load wrote.

    DuckDB writes a large load's rows into the database file before the commit; a rollback
    frees those blocks but the file keeps its size. A checkpoint that has a change to write
    truncates the free blocks at the end of the file, so a tiny catalog change is made first.
    """
    con.execute("CREATE TABLE IF NOT EXISTS _sm_reclaim (x INTEGER)")
    con.execute("DROP TABLE _sm_reclaim")
    con.execute("CHECKPOINT")


def _delimiter_hint(staged: StagedFile) -> str:
    """When a CSV header read by the default rule is one column holding another delimiter."""
    if staged.format != "csv" or len(staged.columns) != 1:
        return ""
    for delimiter, option in ((";", "';'"), ("\t", "'\\t'"), ("|", "'|'")):
        if delimiter in staged.columns[0]:
            return f" (the header is one column: if the values are separated by {option}, give --delimiter {option})"
    return ""


def _write_rejects(directory: Path, load_id: str, spec: TableSpec, rejects: list[Reject]) -> Path | None:
    """Write the rejects of one load to ``rejects/<load>-<table>.csv`` (atomically renamed).

    The file is written to a temporary file, flushed to disk and renamed (atomic_write); when
    writing fails (a full disk) the partial file is removed and the OSError goes to the caller.
    """
    if not rejects:
        return None
    path = directory / f"{load_id}-{spec.name}.csv"
    directory.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp, open_rejects(tmp) as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "value", "reason"])
        writer.writerows(safe_row((r.file, r.row, r.column, r.value, r.reason)) for r in rejects)
    return path


def open_rejects(path: Path) -> IO[str]:
    """Open a rejects file for writing (a seam: tests make it fail like a full disk)."""
    return path.open("w", newline="", encoding="utf-8")


# --- typed projection -------------------------------------------------------------------------


def _typed_select(
    spec: TableSpec,
    staged: StagedFile,
    resolved: ResolvedMapping,
    settings: Settings,
    file_index: int,
    label: str,
    fill: tuple[str, ...] = (),
) -> str:
    """SELECT that types every canonical column of one staged file and lists each row's issues.

    Columns in ``fill`` (ones the file does not give) take the value of the row already in the
    table with the same key, so a file with the key and a few columns updates those columns
    and the row is checked as it will be stored; a row not in the table yet has them empty.
    """
    raw: list[str] = []
    present: list[str] = []
    typed: list[str] = []
    issues: list[str] = []
    key_sql: dict[str, str] = {}
    flags: list[str] = []
    for column in spec.columns:
        if column.name in fill:
            stored = f"e.{ident(column.name)}"
            sql = _ColumnSql("NULL::VARCHAR", stored, stored)
        else:
            sql = _column_sql(column, staged, resolved, settings)
        raw.append(f"{sql.raw} AS {ident('_raw_' + column.name)}")
        present.append(f"{sql.present} AS {ident('_present_' + column.name)}")
        typed.append(f"{sql.typed} AS {ident(column.name)}")
        key_sql[column.name] = sql.typed
        if column.type is ColumnType.TIMESTAMP:
            gap, word = ident("_gap_" + column.name), ident("_zone_word_" + column.name)
            repeated = ident("_repeated_" + column.name)
            flags += [f"{sql.gap} AS {gap}", f"{sql.zone_word} AS {word}", f"{sql.repeated} AS {repeated}"]
    for name, source in resolved.attributes.items():
        typed.append(f"{_missing_to_null(_trimmed(f's.{ident(source)}'), resolved)} AS {ident(name)}")
    for column in spec.columns:
        r, t = ident("_raw_" + column.name), ident(column.name)
        v = ident("_present_" + column.name)
        if column.type is ColumnType.NUMBER:
            reason = (
                f"CASE WHEN TRY_CAST({v} AS DOUBLE) IS NULL THEN {literal(EXPECTED[column.type])} "
                f"ELSE {literal(NOT_FINITE)} END"
            )
            issues.append(_issue(f"{v} IS NOT NULL AND {t} IS NULL", column.name, r, reason_sql=reason))
        elif column.type is ColumnType.TIMESTAMP:
            gap, word = ident("_gap_" + column.name), ident("_zone_word_" + column.name)
            issues.append(
                _issue(
                    f"{v} IS NOT NULL AND {t} IS NULL AND {word} IS NULL AND NOT {gap}",
                    column.name, r, EXPECTED[column.type],
                )
            )
            issues.append(
                _issue(f"{gap}", column.name, r, GAP.format(zone=settings.timezone))
            )
            issues.append(_issue(f"{word} IS NOT NULL", column.name, r, reason_sql=_zone_word_reason(word)))
        elif column.type is not ColumnType.TEXT:
            issues.append(_issue(f"{v} IS NOT NULL AND {t} IS NULL", column.name, r, EXPECTED[column.type]))
        if column.required and column.name in resolved.absent_required:
            reason = (
                f"is not in the file, and this {'/'.join(spec.key)} is not in {spec.name} yet "
                f"(a file without {column.name} can only update rows already loaded)"
            )
            issues.append(_issue(f"{t} IS NULL", column.name, "NULL", reason))
        elif column.required:
            issues.append(_issue(f"{v} IS NULL", column.name, "NULL", "is empty (required)"))
        if column.allowed:
            allowed = ", ".join(literal(v) for v in column.allowed)
            issues.append(
                _issue(
                    f"{t} IS NOT NULL AND {t} NOT IN ({allowed})",
                    column.name,
                    r,
                    f"is not one of: {', '.join(column.allowed)} (map other values with a value map)",
                )
            )
    for rule in spec.rules:
        # the value as the file has it (a timestamp not yet turned to UTC), else the typed one
        shown = (
            f"coalesce(CAST({ident('_raw_' + rule.column)} AS VARCHAR), "
            f"CAST({ident(rule.column)} AS VARCHAR))"
        )
        times = [c for c in rule.compares if spec.column(c).type is ColumnType.TIMESTAMP]
        if times:  # a broken order may come from reading a repeated local hour: say so
            either = " OR ".join(ident("_repeated_" + c) for c in times)
            hint = literal(REPEATED.format(zone=settings.timezone))
            reason = f"{literal(rule.reason)} || CASE WHEN {either} THEN {hint} ELSE '' END"
            issues.append(_issue(f"({rule.broken_when})", rule.column, shown, reason_sql=reason))
        else:
            issues.append(_issue(f"({rule.broken_when})", rule.column, shown, rule.reason))
    source = f"{ident(staged.table)} s"
    exists = ""
    if fill:
        match = " AND ".join(f"e.{ident(k)} = ({key_sql[k]})" for k in spec.key)
        source += f" LEFT JOIN {ident(spec.name)} e ON {match}"
        exists = f", e.{ident(spec.key[0])} IS NOT NULL AS _exists"
    inner = (
        f"SELECT {literal(label)} AS _file, {file_index} AS _file_index, s._row, "
        + ", ".join(raw + present + flags + typed)
        + exists
        + f" FROM {source}"
    )
    if spec.name == "surveys":
        inner = _with_survey_scales(inner, settings)
    internal = [ident(prefix + c.name) for prefix in ("_raw_", "_present_") for c in spec.columns] + [
        ident(prefix + c.name)
        for c in spec.columns
        if c.type is ColumnType.TIMESTAMP
        for prefix in ("_gap_", "_zone_word_", "_repeated_")
    ]
    return (
        "SELECT * EXCLUDE ("
        + ", ".join(internal)
        + "), list_filter(["
        + ", ".join(issues)
        + f"], lambda x: x IS NOT NULL) AS _issues FROM ({inner})"
    )


def _trimmed(value: str) -> str:
    return f"nullif(trim(CAST({value} AS VARCHAR)), '')"


def _missing_to_null(text: str, resolved: ResolvedMapping) -> str:
    """``text`` (trimmed text SQL), NULL when it is one of the file's missing-value markers."""
    if not resolved.missing:
        return text
    markers = ", ".join(literal(m.strip().lower()) for m in resolved.missing)
    return f"CASE WHEN lower({text}) IN ({markers}) THEN NULL ELSE {text} END"


def _issue(
    condition: str, column: str, value_sql: str, reason: str = "", reason_sql: str | None = None
) -> str:
    return (
        f"CASE WHEN {condition} THEN {{'column': {literal(column)}, "
        f"'value': CAST({value_sql} AS VARCHAR), 'reason': {reason_sql or literal(reason)}}} END"
    )


def _zone_word_reason(word: str) -> str:
    """SQL: why a timestamp ending in a time-zone abbreviation is rejected, and what to write."""
    hints = " ".join(
        f"WHEN {literal(name)} THEN {literal(hint)}" for name, hint in ZONE_ABBREVIATIONS.items()
    )
    return (
        f"'ends in the time-zone abbreviation ' || {word} || ', which is not read (an "
        "abbreviation can name several offsets and does not say whether daylight saving time "
        "applies); write the UTC offset instead, e.g. 2025-10-01T09:00:00+01:00, or an IANA zone "
        f"name' || coalesce(': ' || CASE upper({word}) {hints} END, '')"
    )


def _with_survey_scales(inner: str, settings: Settings) -> str:
    """Fill scale_min / scale_max from the survey's declared scale when the row has none."""
    scales = settings.all_scales()
    low = " ".join(f"WHEN {literal(k)} THEN {v[0]}" for k, v in scales.items())
    high = " ".join(f"WHEN {literal(k)} THEN {v[1]}" for k, v in scales.items())
    return (
        f"SELECT * REPLACE (coalesce(scale_min, CASE survey {low} END) AS scale_min, "
        f"coalesce(scale_max, CASE survey {high} END) AS scale_max) FROM ({inner})"
    )


@dataclass(frozen=True)
class _ColumnSql:
    """SQL of one canonical column: its raw value, its present value (NULL for a missing-value
    marker), its typed value and, for timestamps, whether the local time falls in a
    daylight-saving gap and the time-zone abbreviation it ends in."""

    raw: str
    present: str
    typed: str
    gap: str = "FALSE"
    zone_word: str = "NULL::VARCHAR"
    repeated: str = "FALSE"


#: a time followed by what can only be a zone: Z, an offset, a zone name or abbreviation
_ZONED = r"\d:\d\d(:\d\d([.,]\d+)?)?\s*[zZ+A-Za-z-]"
#: the letters a time ends with (``09:00 BST`` -> ``BST``)
_ZONE_WORD = r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*([A-Za-z]{2,5})\s*$"


def _column_sql(
    column: Column, staged: StagedFile, resolved: ResolvedMapping, settings: Settings
) -> _ColumnSql:
    """Raw, present and typed value (and timestamp checks) SQL for one canonical column of a file.

    The raw value is the trimmed text, or, where a typed source (Parquet) is taken as it is, the
    source value itself: turning a million timestamps into text only to test them for NULL
    was most of the time of a Parquet load. Reports cast it to text when a row is rejected.
    The present value is the raw text after the file's missing-value markers and the column's
    value map: NULL when the cell is empty or says it is (``?`` with ``--missing-value ?``, or
    a value mapped to ``""``), so it is stored empty and never taken for a bad value.
    """
    if column.name in resolved.sources:
        source = resolved.sources[column.name]
        source_type = staged.types[source].upper()
        value = f"s.{ident(source)}"
    elif column.name in resolved.constants:
        source_type, value = "VARCHAR", literal(resolved.constants[column.name])
    else:
        return _ColumnSql("NULL::VARCHAR", "NULL::VARCHAR", f"NULL::{STORAGE_TYPES[column.type]}")
    raw = _trimmed(value)
    mapped = _missing_to_null(raw, resolved)
    if column.name in resolved.values:
        cases = " ".join(
            f"WHEN {literal(k.strip().lower())} THEN {literal(v)}" for k, v in resolved.values[column.name].items()
        )
        # a value mapped to "" becomes empty (null), like an empty cell
        mapped = f"nullif(CASE lower({raw}) {cases} ELSE {mapped} END, '')"
    if column.type is ColumnType.TEXT:
        if column.allowed:
            return _ColumnSql(raw, mapped, f"regexp_replace(lower({mapped}), '[ -]+', '_', 'g')")
        return _ColumnSql(raw, mapped, f"lower({mapped})" if column.lower else mapped)
    if column.type is ColumnType.NUMBER:
        # NaN and infinities are no numbers (as in calc): typed NULL, so the row is rejected
        scale = f" * {resolved.scales[column.name]!r}" if column.name in resolved.scales else ""
        if _numeric(source_type):
            return _ColumnSql(value, value, _finite(f"CAST({value} AS DOUBLE)") + scale)
        return _ColumnSql(raw, mapped, _finite(f"TRY_CAST({mapped} AS DOUBLE)") + scale)
    if column.type is ColumnType.BOOL:
        if source_type == "BOOLEAN":
            return _ColumnSql(value, value, value)
        words_true = ", ".join(literal(w) for w in TRUE_WORDS)
        words_false = ", ".join(literal(w) for w in FALSE_WORDS)
        return _ColumnSql(raw, mapped, (
            f"CASE WHEN lower({mapped}) IN ({words_true}) THEN TRUE "
            f"WHEN lower({mapped}) IN ({words_false}) THEN FALSE END"
        ))
    fmt = resolved.formats.get(column.name) or resolved.formats.get("*")
    zone = literal(settings.timezone)
    if column.type is ColumnType.DATE:
        if source_type == "DATE":
            return _ColumnSql(value, value, value)
        if source_type.startswith("TIMESTAMP"):
            return _ColumnSql(value, value, f"CAST({value} AS DATE)")
        if fmt:
            return _ColumnSql(raw, mapped, f"CAST(try_strptime({mapped}, {literal(fmt)}) AS DATE)")
        return _ColumnSql(raw, mapped, f"TRY_CAST({mapped} AS DATE)")
    # timestamps: stored as naive UTC; naive input is read in the workspace time zone. A local
    # time the zone skips (a daylight-saving gap) is rejected; one it repeats (the hour the
    # clocks go back) is read as the second, standard-time occurrence. Abbreviations such as
    # BST or IST are rejected: each names several offsets.
    if source_type in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return _ColumnSql(value, value, f"timezone('UTC', {value})")
    if source_type.startswith("TIMESTAMP") or source_type == "DATE":
        if settings.timezone == "UTC":
            return _ColumnSql(value, value, f"CAST({value} AS TIMESTAMP)")
        return _local(f"CAST({value} AS TIMESTAMP)", value, value, zone, "TRUE", "NULL::VARCHAR")
    word = (
        f"CASE WHEN upper(nullif(regexp_extract({mapped}, {literal(_ZONE_WORD)}, 1), '')) "
        f"NOT IN ({', '.join(literal(w) for w in NOT_ABBREVIATIONS)}) "
        f"THEN regexp_extract({mapped}, {literal(_ZONE_WORD)}, 1) END"
    )
    if fmt:
        parsed = f"try_strptime({mapped}, {literal(fmt)})"
        if "%z" in fmt or "%Z" in fmt:
            return _ColumnSql(raw, mapped, f"CASE WHEN {word} IS NULL THEN timezone('UTC', {parsed}) END", zone_word=word)
        if settings.timezone == "UTC":
            return _ColumnSql(raw, mapped, f"CASE WHEN {word} IS NULL THEN {parsed} END", zone_word=word)
        return _local(parsed, raw, mapped, zone, "TRUE", word)
    if settings.timezone == "UTC":  # no gaps: the check is left out
        typed = f"timezone('UTC', TRY_CAST({mapped} AS TIMESTAMPTZ))"
        return _ColumnSql(raw, mapped, f"CASE WHEN {word} IS NULL THEN {typed} END", zone_word=word)
    naive = f"NOT regexp_matches(coalesce({mapped}, ''), {literal(_ZONED)})"
    local = f"TRY_CAST({mapped} AS TIMESTAMP)"
    typed = f"timezone('UTC', TRY_CAST({mapped} AS TIMESTAMPTZ))"
    gap = f"coalesce({naive} AND {_in_gap(local, zone)}, FALSE)"
    repeated = f"coalesce({naive} AND {_repeated(local, zone)}, FALSE)"
    typed = f"CASE WHEN {word} IS NULL AND NOT {gap} THEN {typed} END"
    return _ColumnSql(raw, mapped, typed, gap, word, repeated)


def _in_gap(local: str, zone: str) -> str:
    """SQL: the naive local time ``local`` does not exist in ``zone`` (it is moved on)."""
    return f"timezone({zone}, timezone({zone}, {local})) <> {local}"


def _repeated(local: str, zone: str) -> str:
    """SQL: the naive local time ``local`` happens twice in ``zone`` (it is read as the second):
    an hour before that moment the clock showed the same time."""
    return f"timezone({zone}, timezone({zone}, {local}) - INTERVAL 1 HOUR) = {local}"


def _local(local: str, raw: str, present: str, zone: str, naive: str, word: str) -> _ColumnSql:
    """A naive local time read in the workspace zone, stored in UTC; NULL in a DST gap."""
    gap = f"coalesce({naive} AND {_in_gap(local, zone)}, FALSE)"
    typed = f"CASE WHEN NOT {gap} THEN timezone('UTC', timezone({zone}, {local})) END"
    if word != "NULL::VARCHAR":
        typed = f"CASE WHEN {word} IS NULL THEN {typed} END"
    repeated = f"coalesce({naive} AND {_repeated(local, zone)}, FALSE)"
    return _ColumnSql(raw, present, typed, gap, word, repeated)


def _finite(number: str) -> str:
    return f"CASE WHEN isfinite({number}) THEN {number} END"


def _numeric(source_type: str) -> bool:
    return source_type.split("(")[0] in (
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL",
    )


# --- checks across rows -----------------------------------------------------------------------


def _cross_row_checks(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """Add issues that need other rows: a key seen before in this load, an unknown ticket."""
    key = ", ".join(ident(k) for k in spec.key)
    key_text = " || '/' || ".join(f"CAST({ident(k)} AS VARCHAR)" for k in spec.key)
    key_name = "/".join(spec.key)
    not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in spec.key)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sm_dups AS SELECT _file_index, _row, "
        f"first_value(_file) OVER w AS first_file, first_value(_row) OVER w AS first_row, "
        f"row_number() OVER w AS n, {key_text} AS key_text FROM _sm_batch "
        f"WHERE len(_issues) = 0 AND {not_null} "
        f"WINDOW w AS (PARTITION BY {key} ORDER BY _file_index, _row)"
    )
    con.execute(
        "UPDATE _sm_batch b SET _issues = list_append(b._issues, {'column': "
        f"{literal(key_name)}, 'value': d.key_text, 'reason': 'repeats the row at ' || d.first_file "
        "|| ' row ' || d.first_row || ' (the first is loaded)'}) FROM _sm_dups d "
        "WHERE d.n > 1 AND b._file_index = d._file_index AND b._row = d._row"
    )
    con.execute("DROP TABLE _sm_dups")
    if spec.name == "ticket_events":
        con.execute(
            "UPDATE _sm_batch b SET _issues = list_append(b._issues, {'column': 'ticket_id', "
            "'value': b.ticket_id, 'reason': 'is not a known ticket (load its ticket first)'}) "
            "WHERE b.ticket_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM tickets t WHERE t.ticket_id = b.ticket_id)"
        )


def describe_failure(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SupportMetricsError) else f"{type(exc).__name__}: {exc}"
