"""``metrics``, ``explain`` and ``facts``: numbers, the units behind them, per-ticket facts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from supportmetrics.cli.app import app, console, err_console, open_workspace, state
from supportmetrics.engine import build_query
from supportmetrics.errors import QueryError, query_notes
from supportmetrics.metrics import CATALOGUE, DOMAINS


def _where(options: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name:
            raise QueryError(f"--where {option!r}: expected COLUMN=VALUE")
        pairs.append((name.strip(), value))
    return pairs


def _by(option: list[str]) -> list[str]:
    return [c.strip() for part in option for c in part.split(",") if c.strip()]


@app.command("metrics")
def metrics_command(
    ids: list[str] = typer.Argument(None, help="Metric ids (see --list)."),
    list_: bool = typer.Option(False, "--list", help="Show the catalogue with definitions."),
    grain: str = typer.Option("month", "--grain", help="day|week|month|quarter|year|range"),
    from_: str = typer.Option(None, "--from", help="First local date (inclusive)."),
    to: str = typer.Option(None, "--to", help="End local date (exclusive)."),
    by: list[str] = typer.Option([], "--by", help="Dimension(s), e.g. --by agent_id,channel."),
    where: list[str] = typer.Option([], "--where", help="COLUMN=VALUE filter (repeatable)."),
    clock: str = typer.Option("calendar", "--clock", help="calendar|business (durations)."),
    stat: str = typer.Option("mean", "--stat", help="mean|median|p90 (durations)."),
    fmt: str = typer.Option("table", "--format", help="table|csv|json"),
) -> None:
    """Compute metrics per period (and per dimension)."""
    if list_ or not ids:
        _print_catalogue(fmt)
        return
    queries = [
        build_query(i, grain, _by(by), from_, to, _where(where), clock, stat) for i in ids
    ]
    with open_workspace(read_only=True) as ws, query_notes() as notes:
        engine = ws.engine(state.engine)
        frame = engine.metrics(queries)
    emit(frame, fmt, drop_for_json=("without_end",))
    for message in notes:
        err_console.print(f"[bold yellow]note:[/] {message}", highlight=False)


@app.command()
def explain(
    metric: str = typer.Argument(..., help="Metric id."),
    period: str = typer.Option(None, "--period", help="A month (2025-10), day or ISO week start."),
    grain: str = typer.Option(None, "--grain", help="Grain of --period when ambiguous."),
    where: list[str] = typer.Option([], "--where", help="COLUMN=VALUE filter (repeatable)."),
    clock: str = typer.Option("calendar", "--clock"),
    fmt: str = typer.Option("table", "--format", help="table|csv|json"),
) -> None:
    """List the units behind one number, each with its own value."""
    start, end, g = _period_bounds(period, grain)
    query = build_query(metric, g, (), start, end, _where(where), clock)
    with open_workspace(read_only=True) as ws, query_notes() as notes:
        frame = ws.engine(state.engine).explain(query)
    emit(frame, fmt)
    if fmt == "table" and "value" in frame and len(frame):
        console.print(f"{len(frame)} units", highlight=False)
    for message in notes:
        err_console.print(f"[bold yellow]note:[/] {message}", highlight=False)


@app.command()
def facts(
    what: str = typer.Argument("tickets", help="tickets"),
    fmt: str = typer.Option("csv", "--format", help="csv|parquet"),
    out: Path = typer.Option(None, "--out", help="Output file (csv defaults to stdout)."),
) -> None:
    """Export per-ticket facts row by row (first response, solves, reopens, SLA, ...)."""
    if what != "tickets":
        raise QueryError(f"facts {what!r}: only 'tickets' facts exist")
    with open_workspace(read_only=True) as ws:
        table = ws.engine(state.engine).ticket_facts()
        if fmt == "parquet":
            if out is None:
                raise QueryError("--format parquet needs --out FILE")
            table.to_parquet(out)
        elif fmt == "csv":
            import pyarrow.csv as pacsv

            arrow = table.order_by("ticket_id").to_pyarrow()
            if out is None:
                sink = typer.get_binary_stream("stdout")
                pacsv.write_csv(arrow, sink)
                sink.flush()
            else:
                pacsv.write_csv(arrow, str(out))
        else:
            raise QueryError(f"--format {fmt!r}: expected csv or parquet")


def _period_bounds(period: str | None, grain: str | None) -> tuple[Any, Any, str]:
    from datetime import date

    from supportmetrics.engine.engine import _next_grain
    from supportmetrics.engine.query import Grain

    if period is None:
        return None, None, grain or "range"
    try:
        if len(period) == 7:
            start = date.fromisoformat(period + "-01")
            g = grain or "month"
        elif len(period) == 4:
            start, g = date(int(period), 1, 1), grain or "year"
        else:
            start, g = date.fromisoformat(period), grain or "day"
    except ValueError:
        raise QueryError(f"--period {period!r}: expected 2025, 2025-10 or 2025-10-06") from None
    return start, _next_grain(start, Grain(g)), g


def emit(frame: pd.DataFrame, fmt: str, drop_for_json: tuple[str, ...] = ()) -> None:
    if fmt == "json":
        records = frame.drop(columns=[c for c in drop_for_json if c in frame]).to_dict("records")
        console.file.write(json.dumps([_clean(r) for r in records], default=str) + "\n")
    elif fmt == "csv":
        frame.to_csv(console.file, index=False)
    elif fmt == "table":
        view = Table(*[str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            view.add_row(*[_cell(v) for v in row])
        console.print(view)
    else:
        raise QueryError(f"--format {fmt!r}: expected table, csv or json")


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = None if value is pd.NaT else value
    return out


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _print_catalogue(fmt: str) -> None:
    if fmt == "json":
        items = [
            {"id": m.id, "title": m.title, "unit": m.unit.value, "direction": m.direction.value,
             "kind": m.kind, "anchor": m.anchor, "dimensions": list(m.dimensions),
             "definition": m.definition, "variant_of": m.variant_of, "source": m.article}
            for m in CATALOGUE.values()
        ]
        console.file.write(json.dumps(items) + "\n")
        return
    for domain, metrics in DOMAINS.items():
        view = Table("id", "title", "unit", "better", "definition", title=domain, show_lines=False)
        for m in metrics:
            view.add_row(m.id, m.title, m.unit.value, m.direction.value, m.definition)
        console.print(view)


@app.command()
def summary() -> None:
    """Headline KPIs of the last three months."""
    from supportmetrics.engine.summary import print_summary

    with open_workspace(read_only=True) as ws:
        print_summary(ws, console)
