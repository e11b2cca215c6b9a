"""``ingest`` and ``tables``: getting data in and seeing what is there."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from supportmetrics.cli.app import app, console, err_console, open_workspace
from supportmetrics.config import TableMapping
from supportmetrics.ingest import LoadResult, parse_map_options

MAX_SHOWN = 20


@app.command()
def ingest(
    table: str = typer.Argument(..., help="Canonical table: tickets, ticket_events, calls, surveys, ..."),
    files: list[Path] = typer.Argument(..., help="CSV, Parquet or JSON Lines files (optionally .gz)."),
    map_: list[str] = typer.Option(
        [], "--map", help="CANONICAL=SOURCE column mapping, e.g. --map 'created_at=Created Date'."
    ),
    value: list[str] = typer.Option(
        [], "--value",
        help="COLUMN:SOURCE=CANONICAL value mapping, e.g. --value status:Closed=closed; an empty "
        "CANONICAL empties the value: --value 'resolved_at:?='.",
    ),
    timestamp_format: str = typer.Option(
        None, "--timestamp-format", help="strptime format of every timestamp, e.g. '%m/%d/%Y %I:%M:%S %p'."
    ),
    set_: list[str] = typer.Option([], "--set", help="COLUMN=VALUE constant for a column the files lack."),
    missing_value: list[str] = typer.Option(
        [], "--missing-value",
        help="A value that means empty in every column, e.g. --missing-value '?' --missing-value N/A.",
    ),
    mapping: str = typer.Option(None, "--mapping", help="Use [mappings.NAME] from supportmetrics.toml."),
    refresh: bool = typer.Option(
        True, "--refresh/--no-refresh",
        help="Bring the stored per-ticket tables up to date after the load; --no-refresh for "
        "several loads in a row, then `supportmetrics refresh` once.",
    ),
) -> None:
    """Load files into a canonical table: validated, idempotent, atomic."""
    with open_workspace() as ws:
        base = ws.mapping_for(table, mapping)
        values = {k: dict(v) for k, v in base.values.items()}
        for option in value:
            column, _, pair = option.partition(":")
            source, _, target = pair.partition("=")
            if not column or not pair or "=" not in pair:
                from supportmetrics.errors import MappingError

                raise MappingError(f"--value {option!r}: expected COLUMN:SOURCE=CANONICAL")
            values.setdefault(column, {})[source] = target
        merged = TableMapping(
            table=table,
            columns={**base.columns, **parse_map_options(map_)},
            values=values,
            timestamp_format=timestamp_format or base.timestamp_format,
            timestamp_formats=base.timestamp_formats,
            set={**base.set, **parse_map_options(set_)},
            missing_values=(*base.missing_values, *missing_value),
        )
        with console.status(f"loading {table}") as status:
            result = ws.ingest(table, files, mapping=merged, progress=lambda m: status.update(m),
                               refresh=refresh)
    report_load(result)
    if result.file_problems:  # a file missing or unreadable, or a mapping it does not fit
        raise typer.Exit(2)
    if not result.ok:
        raise typer.Exit(3)


def report_load(result: LoadResult) -> None:
    for problem in result.file_problems:
        err_console.print(f"[red]file rejected:[/] {problem}", highlight=False)
    if not result.committed:
        files = len(result.file_problems)
        console.print(
            f"{result.table}: nothing loaded: {files} of {len(result.files)} file(s) could not be "
            "loaded, and a load is all or nothing; fix them (or leave them out) and load again",
            highlight=False,
        )
        return
    for reject in result.rejects[:MAX_SHOWN]:
        err_console.print(f"[yellow]rejected:[/] {reject}", highlight=False)
    if len(result.rejects) > MAX_SHOWN:
        err_console.print(f"... and {len(result.rejects) - MAX_SHOWN} more", highlight=False)
    console.print(
        f"{result.table}: {result.rows_read} rows read, {result.accepted} accepted "
        f"({result.inserted} new, {result.updated} updated, {result.unchanged} unchanged), "
        f"{result.rejected_rows} rejected in {result.seconds:.2f}s",
        highlight=False,
    )
    if result.rejects_path is not None:
        console.print(f"rejects written to {result.rejects_path}", highlight=False)


@app.command()
def tables() -> None:
    """Show each table's rows, time span and last load."""
    with open_workspace(read_only=True) as ws:
        infos = ws.tables()
    view = Table("table", "rows", "from", "to", "last load", "attributes")
    for info in infos:
        view.add_row(
            info.name,
            f"{info.rows:,}",
            f"{info.first_at:%Y-%m-%d %H:%M}" if info.first_at else "",
            f"{info.last_at:%Y-%m-%d %H:%M}" if info.last_at else "",
            f"{info.last_load_at:%Y-%m-%d %H:%M:%S}" if info.last_load_at else "never",
            ", ".join(info.attributes[:6]) + (" ..." if len(info.attributes) > 6 else ""),
        )
    console.print(view)
