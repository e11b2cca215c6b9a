"""The Typer application and the options every command shares.

Everything printed goes through :func:`console.print` with data as plain text (``Text`` or
``markup=False``): a value from a file is never read as terminal markup. Help texts are shown
as written (no markup mode).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:  # imported when a command opens one: `--help` does not load DuckDB
    from supportmetrics.workspace import Workspace

app = typer.Typer(
    name="supportmetrics",
    help="Customer-service KPIs from the data support teams already have.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console()
err_console = Console(stderr=True)

#: width of output that goes to a file or a pipe: lines are never wrapped for a terminal
PIPE_WIDTH = 10_000


def configure_consoles() -> None:
    """Wrap lines to the terminal only: piped or redirected output keeps each line whole.

    ``COLUMNS`` set in the environment still wins, as it does for every Rich program.
    """
    for each in (console, err_console):
        piped = not each.is_terminal and "COLUMNS" not in os.environ
        each.soft_wrap = piped
        each.width = PIPE_WIDTH if piped else None  # type: ignore[assignment]


class State:
    workspace: Path | None = None
    engine: str | None = None
    debug: bool = False


state = State()


def _version(value: bool) -> None:
    if value:
        from supportmetrics import __version__

        console.print(f"supportmetrics {__version__}", markup=False, highlight=False)
        raise typer.Exit()


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
    debug: bool = typer.Option(
        False, "--debug", help="On an internal error, print the full traceback.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit.",
    ),
) -> None:
    state.workspace = workspace
    state.engine = engine
    state.debug = debug


def workspace_dir() -> Path:
    from supportmetrics.workspace import default_workspace_dir

    return state.workspace if state.workspace is not None else default_workspace_dir()


def open_workspace(must_exist: bool = False, read_only: bool = False) -> Workspace:
    """The workspace of ``--workspace``; commands that only read open it ``read_only``."""
    from supportmetrics.workspace import Workspace

    return Workspace.open(workspace_dir(), must_exist=must_exist, read_only=read_only)


def check_writable(out: Path, option: str = "--out") -> None:
    """Refuse an output path whose directory is missing or read-only before any work is done."""
    from supportmetrics.errors import ResourceError

    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ResourceError(f"{option} {out}: the directory {parent} does not exist; create it "
                            "or choose another path")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ResourceError(f"{option} {out}: permission denied: choose a path you may write")
    if out.is_dir():
        raise ResourceError(f"{option} {out}: is a directory: give a file name")


def console_error(message: str) -> None:
    say(err_console, "error:", "bold red", message)


def say(where: Console, label: str, style: str, message: str) -> None:
    """``label message`` with the label styled and the message printed as it is (no markup)."""
    where.print(Text.assemble((label, style), " ", message), highlight=False)
