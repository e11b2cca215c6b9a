"""``report``: the monthly report (seed 003's template) as HTML, XLSX or PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from supportmetrics.cli.app import app, console, open_workspace
from supportmetrics.cli.metrics import _where
from supportmetrics.errors import QueryError


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
    from supportmetrics.reports import FORMATS, build_report, write_report

    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt!r}: expected html, xlsx or pdf")
    with open_workspace(read_only=True) as ws:
        model = build_report(ws, period=period, start=from_, end=to, grain=grain,
                             where=dict(_where(where)), title=title)
    write_report(model, fmt, out)
    console.print(f"{fmt} report for {model.period_label()} written to {out}", highlight=False)
