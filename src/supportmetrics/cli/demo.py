"""``demo``: build the demo workspace, show its tables and its KPI summary."""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console, state


@app.command()
def demo(
    directory: Path | None = typer.Argument(None, help="Where to create the demo workspace (default: "
                                     "the -w workspace when given, else ./demo).",
                                     show_default=False),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same data."),
    tickets: int = typer.Option(60_000, "--tickets", help="Size: tickets in the year."),
    parquet_out: Path = typer.Option(
        None, "--parquet-out", help="Also write the data here as Parquet files (chunked: any size)."
    ),
) -> None:
    """Build a demo workspace: a year of a support team sized to its volume, then its KPIs."""
    from supportmetrics.cli.summary import print_summary
    from supportmetrics.demo import build_demo, steps
    from supportmetrics.workspace import Workspace

    if directory is None:
        directory = state.workspace if state.workspace is not None else Path("demo")
    with _progress(steps(tickets, parquet_out)) as step:
        results = build_demo(directory, seed, tickets, parquet_out, progress=step)
    view = Table("table", "rows", "rejected", title=Text(f"demo workspace in {directory}"))
    for name, result in results.items():
        view.add_row(name, f"{result.accepted:,}", f"{result.rejected_rows:,}")
    console.print(view)
    from supportmetrics.cli.data import alerts_after_load

    alerts_after_load(directory, tuple(results))
    with Workspace.open(directory, read_only=True) as ws:
        print_summary(ws, console)
    console.print(
        f"next: {program()} -w {shlex.quote(str(directory))} metrics --list",
        highlight=False, markup=False,
    )


def program(argv0: str | None = None) -> str:
    """How to type this command again: ``supportmetrics`` when the PATH finds this very program,
    else the path it was started by (``.venv/bin/supportmetrics`` outside the environment)."""
    started = Path(argv0 if argv0 is not None else sys.argv[0])
    if started.name != "supportmetrics":  # python -m, or called from Python
        return "supportmetrics"
    found = shutil.which("supportmetrics")
    if found is not None and Path(found).resolve() == started.resolve():
        return "supportmetrics"
    return shlex.quote(str(started))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar; the callback names the step starting (and completes the one before)."""
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=total)
        started = [False]

        def step(message: str) -> None:
            bar.update(task, description=message, advance=1 if started[0] else 0)
            started[0] = True

        yield step
        bar.update(task, completed=total)
