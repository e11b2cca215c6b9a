"""Backing a workspace up into a directory, and restoring it from one.

A backup is a directory holding a checkpointed copy of the database file, the settings file
and ``supportmetrics-backup.json`` (what was copied, when, byte counts, SHA-256 checksums and
the rows of every table). It is made while the workspace is open, so no load can change the
file during the copy; the copy is read back in full before the backup is declared done.
A restore checks the backup (checksums, then every block) before it touches the workspace, and
keeps the database and settings it replaces next to them (``*.before-restore-<time>``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from supportmetrics.atomic import atomic_write
from supportmetrics.errors import WorkspaceError
from supportmetrics.integrity import check_database, is_locked, mark_checked, scan

MANIFEST = "supportmetrics-backup.json"
DATABASE_FILE = "supportmetrics.duckdb"
CONFIG_FILE = "supportmetrics.toml"


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    tables: dict[str, int]
    database_bytes: int
    created_at: str


@dataclass(frozen=True)
class RestoreResult:
    directory: Path
    source: Path
    tables: dict[str, int]
    created_at: str
    set_aside: tuple[Path, ...]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> None:
    """Copy to ``target`` through a temporary file flushed to disk, then renamed."""
    with atomic_write(target) as part, source.open("rb") as src, part.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def backup(con: duckdb.DuckDBPyConnection, workspace: Path, target: Path) -> BackupResult:
    """Back up the open workspace ``workspace`` (its connection ``con``) into ``target``."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(f"{target}: exists and is not an empty directory; back up into a new one")
    database = workspace / DATABASE_FILE
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    written: list[Path] = []
    made = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        con.execute("CHECKPOINT")  # every committed load into the file; the log is empty
        tables = {t.name: t.rows for t in scan(con, database)}  # never back up a damaged file
        files = {DATABASE_FILE: database}
        if (workspace / CONFIG_FILE).exists():
            files[CONFIG_FILE] = workspace / CONFIG_FILE
        for name, source in files.items():
            written.append(target / name)
            _copy(source, target / name)
        check = check_database(target / DATABASE_FILE, read_only=True)
        if not check.ok:
            raise WorkspaceError(f"{target / DATABASE_FILE}: the copy does not read back: {check.problem}")
        manifest = {
            "created_at": created,
            "files": {
                name: {"bytes": (target / name).stat().st_size, "sha256": sha256(target / name)}
                for name in files
            },
            "tables": tables,
            "duckdb": duckdb.__version__,
        }
        written.append(target / MANIFEST)
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except (OSError, duckdb.Error) as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if made:
            shutil.rmtree(target, ignore_errors=True)
        raise WorkspaceError(f"backup into {target} failed, nothing was kept there: {exc}") from exc
    return BackupResult(target, tables, (target / DATABASE_FILE).stat().st_size, created)


def read_backup(source: Path) -> dict[str, object]:
    """The manifest of a backup after checking its files; raises WorkspaceError when damaged."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise WorkspaceError(
            f"{source}: not a supportmetrics backup (no {MANIFEST}); make one with "
            "`supportmetrics backup DIR`"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        for name, expected in files.items():
            path = source / name
            if not path.is_file():
                raise WorkspaceError(f"{source}: the backup is incomplete: {name} is missing")
            if path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
                raise WorkspaceError(
                    f"{path}: the backup is damaged: the file differs from its checksum in {MANIFEST}"
                )
    except (ValueError, KeyError, TypeError) as exc:
        raise WorkspaceError(f"{manifest_path}: not a readable backup manifest: {exc}") from exc
    check = check_database(source / DATABASE_FILE, read_only=True)
    if not check.ok:
        raise WorkspaceError(f"{source / DATABASE_FILE}: the backup does not read: {check.problem}")
    return dict(manifest)


def restore(source: Path, workspace: Path) -> RestoreResult:
    """Replace the workspace's database (and settings) with the backup in ``source``."""
    if source.resolve() == workspace.resolve():
        raise WorkspaceError(f"{source}: is the workspace itself; restore from a backup directory")
    manifest = read_backup(source)
    database = workspace / DATABASE_FILE
    if database.exists():
        try:
            duckdb.connect(str(database), read_only=True).close()
        except duckdb.Error as exc:
            if is_locked(exc):
                raise WorkspaceError(
                    f"{database}: another supportmetrics process is using the workspace; "
                    "let it finish, then restore"
                ) from exc
            # a damaged database does not open: that is what the restore is for
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    workspace.mkdir(parents=True, exist_ok=True)
    incoming = workspace / (DATABASE_FILE + ".restoring")
    try:
        _copy(source / DATABASE_FILE, incoming)
    except OSError as exc:
        raise WorkspaceError(f"restoring into {workspace} failed, it is unchanged: {exc}") from exc
    aside: list[Path] = []
    for name in (DATABASE_FILE, DATABASE_FILE + ".wal", CONFIG_FILE):
        current = workspace / name
        if current.exists() and (name != CONFIG_FILE or (source / CONFIG_FILE).exists()):
            kept = workspace / f"{name}.before-restore-{stamp}"
            current.replace(kept)
            aside.append(kept)
    (workspace / (DATABASE_FILE + ".checked")).unlink(missing_ok=True)
    incoming.replace(database)
    if (source / CONFIG_FILE).exists():
        shutil.copyfile(source / CONFIG_FILE, workspace / CONFIG_FILE)
    mark_checked(database)
    tables = manifest.get("tables")
    return RestoreResult(
        workspace, source, dict(tables) if isinstance(tables, dict) else {},
        str(manifest.get("created_at", "")), tuple(aside),
    )
