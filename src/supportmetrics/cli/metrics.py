"""``metrics``, ``explain`` and ``facts``: numbers, the units behind them, per-ticket facts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import (
    app,
    check_writable,
    console,
    err_console,
    open_workspace,
    say,
    state,
)
from supportmetrics.errors import QueryError, query_notes

if TYPE_CHECKING:  # the commands import these when they run: `--help` does not load them
    import pandas as pd

    from supportmetrics.metrics import Unit

AS_OF_HELP = ("Judge SLA targets as of this local date or time (2025-12-31T18:00; a date is "
              "its midnight); default: the end of the ticket data.")
FORMATS = ("table", "csv", "json")


def parse_where(options: list[str]) -> list[tuple[str, str]]:
    """The `--where COLUMN=VALUE` options as (column, value) pairs, or a QueryError."""
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
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: str = typer.Option("table", "--format", help="table|csv|json"),
) -> None:
    """Compute metrics per period (and per dimension).

    Table output is humanised (durations in s/min/h/d, percentages with %); CSV and JSON keep
    the raw numbers (durations in seconds) and name each row's unit. Periods start on local
    dates of the workspace time zone.
    """
    from supportmetrics.engine import build_query
    from supportmetrics.records import with_units

    _check_format(fmt)
    if list_ or not ids:
        _print_catalogue(fmt)
        return
    queries = [
        build_query(i, grain, _by(by), from_, to, parse_where(where), clock, stat, as_of) for i in ids
    ]
    with open_workspace(read_only=True) as ws, query_notes() as notes:
        engine = ws.engine(state.engine)
        frame = with_units(engine.metrics(queries))
        zone = ws.settings.timezone
    emit(frame, fmt, zone, caption=f"periods in {zone}", humanise=True)
    for message in notes:
        say(err_console, "note:", "bold yellow", message)


@app.command()
def explain(
    metric: str = typer.Argument(..., help="Metric id."),
    period: str = typer.Option(None, "--period", help="A month (2025-10), day or ISO week start."),
    grain: str = typer.Option(None, "--grain", help="Grain of --period when ambiguous."),
    where: list[str] = typer.Option([], "--where", help="COLUMN=VALUE filter (repeatable)."),
    clock: str = typer.Option("calendar", "--clock"),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: str = typer.Option("table", "--format", help="table|csv|json"),
) -> None:
    """List the units behind one number, each with its own value.

    Times are shown in the workspace time zone with their UTC offset.
    """
    from supportmetrics.engine import build_query
    from supportmetrics.metrics import CATALOGUE, Unit
    from supportmetrics.records import period_bounds as _period_bounds

    _check_format(fmt)
    start, end, g = _period_bounds(period, grain)
    query = build_query(metric, g, (), start, end, parse_where(where), clock, as_of=as_of)
    with open_workspace(read_only=True) as ws, query_notes() as notes:
        frame = ws.engine(state.engine).explain(query)
        zone = ws.settings.timezone
    seconds = "; durations in seconds" if CATALOGUE[metric].unit is Unit.SECONDS else ""
    emit(frame, fmt, zone, caption=f"periods and times in {zone}{seconds}")
    if fmt == "table" and "value" in frame and len(frame):
        console.print(f"{len(frame)} units", highlight=False, markup=False)
    for message in notes:
        say(err_console, "note:", "bold yellow", message)


@app.command()
def facts(
    what: str = typer.Argument("tickets", help="tickets"),
    fmt: str = typer.Option("csv", "--format", help="csv|parquet"),
    out: Path = typer.Option(None, "--out", help="Output file (csv defaults to stdout)."),
) -> None:
    """Export per-ticket facts row by row (first response, solves, reopens, SLA, ...).

    Times carry their offset: CSV gives them in the workspace time zone (2025-10-01
    11:00:00+0200), Parquet as UTC instants. Durations are in seconds.
    """
    from supportmetrics.records import aware as _aware

    if what != "tickets":
        raise QueryError(f"facts {what!r}: only 'tickets' facts exist")
    if fmt not in ("csv", "parquet"):
        raise QueryError(f"--format {fmt!r}: expected csv or parquet")
    if fmt == "parquet" and out is None:
        raise QueryError("--format parquet needs --out FILE")
    if out is not None:
        check_writable(out)
    with open_workspace(read_only=True) as ws:
        table = _aware(ws.engine(state.engine).ticket_facts())
        if fmt == "parquet":
            table.to_parquet(out)
            return
        _write_csv(table.order_by("ticket_id"), ws.settings.timezone, out)


def _write_csv(table: Any, zone: str, out: Path | None) -> None:
    """Stream ``table`` as CSV, its times in ``zone``, to ``out`` or stdout."""
    import pyarrow.csv as pacsv

    from supportmetrics.records import zoned_arrow

    arrow = zoned_arrow(table.to_pyarrow(), zone)  # text cells follow the formula policy
    sink: Any = typer.get_binary_stream("stdout") if out is None else str(out)
    pacsv.write_csv(arrow, sink)
    if out is None:
        sink.flush()


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt!r}: expected table, csv or json")


def emit(frame: pd.DataFrame, fmt: str, zone: str = "UTC", caption: str | None = None,
         humanise: bool = False) -> None:
    """``frame`` as a table, CSV or JSON: the same columns in each, times in ``zone`` with
    their offset. ``humanise``: the table shows ``value`` in the unit its row names (``unit``)."""
    import pandas as pd

    from supportmetrics.csv_cells import safe_frame
    from supportmetrics.metrics import Unit
    from supportmetrics.records import clean as _clean
    from supportmetrics.records import zoned as _zoned

    _check_format(fmt)
    frame = _zoned(frame, zone)
    if fmt == "json":
        records = frame.to_dict("records")
        console.file.write(json.dumps([_clean(r) for r in records]) + "\n")
    elif fmt == "csv":
        safe_frame(frame).to_csv(console.file, index=False)
    else:
        view = Table(caption=caption)
        for column in frame.columns:
            numeric = pd.api.types.is_numeric_dtype(frame[column]) or column == "value"
            view.add_column(Text(str(column)), justify="right" if numeric else "left")
        units = frame["unit"] if humanise else None
        for index, row in enumerate(frame.itertuples(index=False)):
            unit = Unit(units.iloc[index]) if units is not None else None
            view.add_row(*[
                Text(_cell(v, unit if c == "value" else None)) for c, v in zip(
                    frame.columns, row, strict=True)])
        console.print(view)


def _cell(value: Any, unit: Unit | None = None) -> str:
    import pandas as pd

    from supportmetrics.engine import format_value

    if value is None or value is pd.NaT or value is pd.NA or (
            isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat(sep=" "))
    if unit is not None:
        return format_value(float(value), unit)
    if isinstance(value, int) or (hasattr(value, "is_integer") and value.is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _print_catalogue(fmt: str) -> None:
    from supportmetrics.metrics import DOMAINS, direction_label
    from supportmetrics.records import catalogue_records

    if fmt == "json":
        items = catalogue_records()
        console.file.write(json.dumps(items) + "\n")
        return
    for domain, metrics in DOMAINS.items():
        view = Table("id", "title", "unit", "better", "definition", title=Text(domain),
                     show_lines=False)
        for m in metrics:
            view.add_row(*(Text(cell) for cell in (
                m.id, m.title, m.unit.value, direction_label(m), m.definition)))
        console.print(view)


@app.command()
def summary() -> None:
    """Headline KPIs of the last three months."""
    from supportmetrics.cli.summary import print_summary

    with open_workspace(read_only=True) as ws, query_notes() as notes:
        print_summary(ws, console)
    for message in notes:
        say(err_console, "note:", "bold yellow", message)
