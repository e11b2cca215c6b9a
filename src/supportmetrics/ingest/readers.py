"""Read CSV, Parquet and JSON Lines files (and gzip of each) into a DuckDB staging table.

The staging table has ``_row`` (the row number a person sees: for CSV the header is row 1, so
the first record is row 2; for JSON Lines the line number; for Parquet the record number from 1)
and one column per source column, named as in the file. CSV and JSON Lines columns are text;
Parquet keeps its types. Lines that cannot be parsed at all (wrong number of fields, broken
quoting, bad JSON) are returned as structural rejects with their row number.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supportmetrics.errors import InputFileError
from supportmetrics.ingest.sql import ident, literal

FORMATS = ("csv", "parquet", "jsonl")


@dataclass(frozen=True)
class StructuralReject:
    row: int
    reason: str
    text: str


@dataclass(frozen=True)
class StagedFile:
    path: Path
    format: str
    table: str
    columns: tuple[str, ...]
    types: dict[str, str]
    rows: int
    rejects: tuple[StructuralReject, ...]


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".tsv", ".txt"):
        return "csv"
    if last in (".parquet", ".pq"):
        return "parquet"
    if last in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InputFileError(
        f"{path}: cannot tell the format from the name; use .csv, .parquet or .jsonl (optionally .gz)"
    )


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> StagedFile:
    """Stage one file into the temporary table ``table``."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            rejects = _stage_csv(con, path, table)
        elif fmt == "parquet":
            rejects = _stage_parquet(con, path, table)
        else:
            rejects = _stage_jsonl(con, path, table)
    except duckdb.Error as exc:
        raise InputFileError(f"{path}: cannot be read as {fmt}: {exc}") from exc
    described = con.execute(f"DESCRIBE {ident(table)}").fetchall()
    types = {str(name): str(kind) for name, kind, *_ in described if name != "_row"}
    rows = int(con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0])  # type: ignore[index]
    return StagedFile(path, fmt, table, tuple(types), types, rows, tuple(rejects))


def stage_frame(con: duckdb.DuckDBPyConnection, label: str, frame: object, table: str) -> StagedFile:
    """Stage an in-memory Arrow table or pandas DataFrame (row numbers from 1)."""
    con.register("_sm_frame", frame)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
            "SELECT row_number() OVER () AS _row, * FROM _sm_frame"
        )
    finally:
        con.unregister("_sm_frame")
    described = con.execute(f"DESCRIBE {ident(table)}").fetchall()
    types = {str(name): str(kind) for name, kind, *_ in described if name != "_row"}
    rows = int(con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0])  # type: ignore[index]
    return StagedFile(Path(label), "frame", table, tuple(types), types, rows, ())


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[StructuralReject]:
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    source = (
        f"read_csv({literal(str(path))}, all_varchar = true, header = true, "
        "store_rejects = true, auto_detect = true)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
        f"SELECT row_number() OVER () AS _raw_index, * FROM {source}"
    )
    # DuckDB may log several errors for one line (one per extra column): keep the last one,
    # which describes the whole line ("Found: 4"), so the line counts once.
    bad = con.execute(
        "SELECT line, error_type, coalesce(csv_line, ''), error_message FROM reject_errors "
        "QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx DESC, "
        "byte_position DESC) = 1 ORDER BY line"
    ).fetchall()
    rejects = [
        StructuralReject(int(line), f"{str(kind).lower()}: {message}", text)
        for line, kind, text, message in bad
    ]
    # A good record's row number is its index among good records, plus the header row, plus the
    # rejected lines before it. Rejected line L_j (j-th, sorted) comes after L_j - j - 1 good rows.
    lines = sorted({r.row for r in rejects})
    thresholds = [line - index - 1 for index, line in enumerate(lines, start=1)]
    shift = "0"
    if thresholds:
        con.execute("CREATE OR REPLACE TEMP TABLE _sm_reject_lines (good_before BIGINT)")
        con.executemany("INSERT INTO _sm_reject_lines VALUES (?)", [(t,) for t in thresholds])
        shift = "(SELECT count(*) FROM _sm_reject_lines r WHERE r.good_before < s._raw_index)"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
        f"SELECT s._raw_index + 1 + {shift} AS _row, s.* EXCLUDE (_raw_index) "
        f"FROM {ident(table)} s"
    )
    return rejects


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[StructuralReject]:
    with _plain(path) as plain:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
            f"SELECT file_row_number + 1 AS _row, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({literal(str(plain))}, file_row_number = true)"
        )
    return []


def _stage_jsonl(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[StructuralReject]:
    # Each line is read as one text value (JSON text cannot hold a raw U+001F), then parsed.
    lines = (
        f"read_csv({literal(str(path))}, columns = {{'j': 'VARCHAR'}}, header = false, "
        "delim = '\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _sm_json_lines AS "
        f"SELECT row_number() OVER () AS _row, j FROM {lines}"
    )
    bad = con.execute(
        "SELECT _row, j FROM _sm_json_lines WHERE j IS NOT NULL AND trim(j) <> '' "
        "AND (NOT json_valid(j) OR json_type(j) <> 'OBJECT') ORDER BY _row"
    ).fetchall()
    rejects = [
        StructuralReject(int(row), "not a JSON object", str(text)[:200]) for row, text in bad
    ]
    good = (
        "FROM _sm_json_lines WHERE j IS NOT NULL AND trim(j) <> '' "
        "AND json_valid(j) AND json_type(j) = 'OBJECT'"
    )
    keys = [
        str(k)
        for (k,) in con.execute(
            f"SELECT k FROM (SELECT unnest(json_keys(j)) AS k, min(_row) AS first {good} "
            "GROUP BY k) ORDER BY first"
        ).fetchall()
    ]
    if not keys:
        raise InputFileError(f"{path}: no JSON objects found")
    projections = ", ".join(
        f"json_extract_string(j, {literal('$.' + _json_key(k))}) AS {ident(k)}" for k in keys
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT _row, {projections} {good}")
    return rejects


def _json_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


class _plain:
    """Context manager giving a plain path for a possibly gzipped Parquet file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: tempfile._TemporaryFileWrapper[bytes] | None = None

    def __enter__(self) -> Path:
        if self.path.suffix.lower() != ".gz":
            return self.path
        self.tmp = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False)
        with gzip.open(self.path, "rb") as src:
            shutil.copyfileobj(src, self.tmp)
        self.tmp.close()
        return Path(self.tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            Path(self.tmp.name).unlink(missing_ok=True)
