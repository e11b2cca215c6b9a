"""``check``, ``backup``, ``restore`` and ``refresh``: keeping a workspace safe and current."""

from __future__ import annotations

from pathlib import Path

import typer

from supportmetrics.cli.app import app, console, err_console, open_workspace, say, workspace_dir


@app.command()
def check() -> None:
    """Read every block of the workspace database and verify its checksums."""
    from supportmetrics.workspace import Workspace

    directory = workspace_dir()
    result = Workspace.check(directory)
    if not result.ok:
        say(err_console, "damaged:", "bold red", f"{result.database}: {result.problem}")
        err_console.print(
            "Restore the last backup with `supportmetrics restore BACKUP_DIR` (the damaged file "
            "is kept next to it), or load your files again into a new workspace.",
            highlight=False, markup=False,
        )
        raise typer.Exit(2)
    rows = sum(t.rows for t in result.tables)
    console.print(
        f"{result.database}: whole: {len(result.tables)} tables, {rows:,} rows read, every "
        "block's checksum verified",
        highlight=False, markup=False,
    )


@app.command()
def backup(
    directory: Path = typer.Argument(..., help="New or empty directory to write the backup to."),
) -> None:
    """Copy the workspace (database, verified, and settings) into a directory."""
    with open_workspace(must_exist=True) as ws:
        result = ws.backup(directory)
    rows = sum(result.tables.values())
    console.print(
        f"backed up {len(result.tables)} tables ({rows:,} rows, {result.database_bytes:,} bytes) "
        f"to {result.directory} at {result.created_at}; restore with "
        f"`supportmetrics restore {result.directory}`",
        highlight=False, markup=False,
    )


@app.command()
def restore(
    directory: Path = typer.Argument(..., help="A directory written by `supportmetrics backup`."),
) -> None:
    """Replace the workspace's database and settings with a backup (the old ones are kept)."""
    from supportmetrics.workspace import Workspace

    result = Workspace.restore(directory, workspace_dir())
    rows = sum(result.tables.values())
    console.print(
        f"restored {result.directory} from the backup of {result.created_at} in {result.source} "
        f"({len(result.tables)} tables, {rows:,} rows)",
        highlight=False, markup=False,
    )
    for path in result.set_aside:
        console.print(f"kept the replaced {path.name} (delete it when done)", highlight=False,
                      markup=False)


@app.command()
def refresh() -> None:
    """Store the per-ticket tables again (loads do it; needed after a change of settings)."""
    with open_workspace(must_exist=True) as ws:
        done = ws.refresh()
    for name, result in done.items():
        what = {"none": "already current", "full": "built", "incremental": "updated"}[result.kind]
        console.print(
            f"{name}: {what} ({result.tickets:,} ticket{'' if result.tickets == 1 else 's'} "
            f"computed, {result.seconds:.2f} s)",
            highlight=False, markup=False,
        )
