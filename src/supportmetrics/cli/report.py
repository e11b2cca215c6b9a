"""``report``: the monthly report (Parker's template) as HTML, XLSX or PDF."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from supportmetrics.cli.app import (
    app,
    check_writable,
    console,
    err_console,
    open_workspace,
    say,
)
from supportmetrics.cli.metrics import parse_where
from supportmetrics.errors import QueryError, query_notes

#: the optional packages each format is written with (the error boundary names their extra)


@app.command()
def report(
    fmt: str = typer.Option(..., "--format", help="html|xlsx|pdf"),
    out: Path = typer.Option(..., "--out", help="Output file."),
    period: str = typer.Option(None, "--period", help="The month (2025-10) or a day of the "
                               "week; default: the period of the last ticket."),
    from_: str = typer.Option(None, "--from", help="First month or day (inclusive)."),
    to: str = typer.Option(None, "--to", help="End month or day (exclusive); its period before "
                           "is the chosen one."),
    grain: str = typer.Option("month", "--grain", help="month|week"),
    where: list[str] = typer.Option([], "--where", help="COLUMN=VALUE filter, e.g. team=tier1."),
    title: str = typer.Option("Customer service report", "--title", help="Report title."),
) -> None:
    """Write the report: tracker, volume and spikes, agents, SLA, comments, definitions."""
    from supportmetrics.reports import (
        FORMATS,
        build_report,
        report_steps,
        require_weasyprint,
        write_report,
    )

    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt!r}: expected html, xlsx or pdf")
    check_writable(out)
    if fmt == "pdf":  # say what to install before minutes of work, not after
        require_weasyprint()
    with _progress() as progress:
        with open_workspace(read_only=True) as ws, query_notes() as notes:
            model = build_report(ws, period=period, start=from_, end=to, grain=grain,
                                 where=dict(parse_where(where)), title=title, progress=progress)
        steps = report_steps()
        progress(steps, steps, f"writing the {fmt} file")
        write_report(model, fmt, out)
    console.print(f"{fmt} report for {model.period_label()} written to {out}", highlight=False,
                  markup=False)
    for message in notes:
        say(err_console, "note:", "bold yellow", message)


@contextmanager
def _progress() -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on stderr when it is a terminal; nothing when piped or redirected."""
    if not err_console.is_terminal:
        yield lambda done, total, step: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("report"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err_console,
                  transient=True) as bar:
        task = bar.add_task("opening the workspace", total=None)

        def update(done: int, total: int, step: str) -> None:
            bar.update(task, completed=done, total=total, description=step, refresh=True)

        yield update
