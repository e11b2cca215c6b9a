"""Is the workspace database whole? Checking it, and knowing when it needs checking.

DuckDB keeps a checksum for every block of the file and verifies it when the block is read, so
a file that was cut short or overwritten is found out by reading every block: every column of
every table (:func:`scan`). That costs a full read, so it is done when the file may have
changed behind supportmetrics' back: each time a workspace is closed, the size and
modification time of its database file are written to ``supportmetrics.duckdb.checked``; a
workspace opened with a file that no longer matches (copied, cut short, edited, or left by a
killed process) is scanned before anything reads from or writes to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supportmetrics.errors import WorkspaceError
from supportmetrics.ingest.sql import ident

CHECKED_SUFFIX = ".checked"
#: DuckDB's file header: one main header and two database headers of 4 KiB each.
FILE_HEADER_BYTES = 3 * 4096


@dataclass(frozen=True)
class TableCheck:
    name: str
    rows: int


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check_database` found: the tables read, or the problem that stopped it."""

    database: Path
    tables: tuple[TableCheck, ...]
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def damaged_message(database: Path, detail: str) -> str:
    """The message a user sees for a damaged database: what, and how to recover."""
    return (
        f"{database}: the workspace database is damaged ({detail}). Nothing was read from or "
        "written to it. Run `supportmetrics check` for details, then restore the last backup "
        "with `supportmetrics restore BACKUP_DIR`, or load your files again into a new workspace"
    )


def file_blocks(con: duckdb.DuckDBPyConnection) -> int:
    """Bytes of the database file its headers and blocks take (DuckDB's own bookkeeping)."""
    row = con.execute(
        "SELECT block_size, total_blocks FROM pragma_database_size() "
        "WHERE database_name = current_database()"
    ).fetchone()
    if row is None:
        return 0
    return FILE_HEADER_BYTES + int(row[0]) * int(row[1])


def scan(con: duckdb.DuckDBPyConnection, database: Path) -> list[TableCheck]:
    """Read every block of every table; raises duckdb.Error on a block that fails its checksum.

    Also compares the file's length with the blocks DuckDB has: a file cut short fails even
    when the part cut off held only free blocks (the cut shows the copy or the disk failed).
    """
    expected = file_blocks(con)
    size = database.stat().st_size
    if size < expected:
        raise duckdb.IOException(
            f"the file is {size:,} bytes, shorter than the {expected:,} bytes of its blocks: "
            "it was cut short"
        )
    names = [
        str(name)
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND NOT temporary ORDER BY table_name"
        ).fetchall()
    ]
    checks = []
    for name in names:
        # hashing the whole row reads every column, so every block of the table is verified
        row = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {ident(name)} t").fetchone()
        checks.append(TableCheck(name, int(row[0]) if row else 0))
    return checks


def check_database(database: Path, read_only: bool = False) -> CheckResult:
    """Open the database on its own connection and scan it; never raises for a damaged file.

    A database another process holds raises WorkspaceError (it cannot be checked now).
    """
    if not database.exists():
        return CheckResult(database, (), "the file does not exist")
    try:
        con = duckdb.connect(str(database), read_only=read_only)
    except duckdb.Error as exc:
        if is_locked(exc):
            raise WorkspaceError(
                f"{database}: another supportmetrics process is using the workspace; check it "
                "when that has finished"
            ) from exc
        return CheckResult(database, (), _first_line(exc))
    try:
        return CheckResult(database, tuple(scan(con, database)))
    except duckdb.Error as exc:
        return CheckResult(database, (), _first_line(exc))
    finally:
        con.close()


def is_locked(exc: BaseException) -> bool:
    """Whether a connection failed because another process holds the database."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _marker(database: Path) -> Path:
    return database.with_name(database.name + CHECKED_SUFFIX)


def _fingerprint(database: Path) -> dict[str, int]:
    stat = database.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def mark_checked(database: Path) -> None:
    """Record the file as supportmetrics last left it (after a checkpoint and close)."""
    if database.exists():
        _marker(database).write_text(json.dumps(_fingerprint(database)) + "\n", encoding="utf-8")


def needs_scan(database: Path) -> bool:
    """Whether the file changed since supportmetrics last left it (or it never recorded it)."""
    marker = _marker(database)
    if not database.exists():
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(recorded != _fingerprint(database))
