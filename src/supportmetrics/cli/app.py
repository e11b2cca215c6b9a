"""The Typer application and the options every command shares."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from supportmetrics.workspace import Workspace, default_workspace_dir

app = typer.Typer(
    name="supportmetrics",
    help="Customer-service KPIs from the data support teams already have.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


class State:
    workspace: Path | None = None
    engine: str | None = None


state = State()


@app.callback()
def _global(
    workspace: Path = typer.Option(
        None,
        "--workspace",
        "-w",
        help="Workspace directory (default: $SUPPORTMETRICS_WORKSPACE, else the current directory).",
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        help="Where metrics run: duckdb (default) or spark://MASTER (e.g. spark://local[2]).",
    ),
) -> None:
    state.workspace = workspace
    state.engine = engine


def workspace_dir() -> Path:
    return state.workspace if state.workspace is not None else default_workspace_dir()


def open_workspace(must_exist: bool = False, read_only: bool = False) -> Workspace:
    """The workspace of ``--workspace``; commands that only read open it ``read_only``."""
    return Workspace.open(workspace_dir(), must_exist=must_exist, read_only=read_only)


def console_error(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
