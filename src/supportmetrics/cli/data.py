"""``ingest`` and ``tables``: getting data in and seeing what is there."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console, err_console, open_workspace, say
from supportmetrics.config import check_timestamp_format, table_mapping
from supportmetrics.errors import MappingError
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
        [], "--value", help="COLUMN:SOURCE=CANONICAL value mapping, e.g. --value status:Closed=closed."
    ),
    timestamp_format: str = typer.Option(
        None, "--timestamp-format", help="strptime format of every timestamp, e.g. '%m/%d/%Y %I:%M:%S %p'."
    ),
    set_: list[str] = typer.Option([], "--set", help="COLUMN=VALUE constant for a column the files lack."),
    mapping: str = typer.Option(None, "--mapping", help="Use [mappings.NAME] from supportmetrics.toml."),
) -> None:
    """Load files into a canonical table: validated, idempotent, atomic."""
    with open_workspace() as ws:
        base = ws.mapping_for(table, mapping)
        values = {k: dict(v) for k, v in base.values.items()}
        for option in value:
            column, _, pair = option.partition(":")
            source, _, target = pair.partition("=")
            if not column or not pair or "=" not in pair:
                raise MappingError(f"--value {option!r}: expected COLUMN:SOURCE=CANONICAL")
            values.setdefault(column, {})[source] = target
        if timestamp_format is not None:
            try:
                check_timestamp_format(timestamp_format)
            except ValueError as exc:
                raise MappingError(f"--timestamp-format: {exc}") from None
        merged = table_mapping(dict(
            table=table,
            columns={**base.columns, **parse_map_options(map_)},
            values=values,
            timestamp_format=timestamp_format or base.timestamp_format,
            timestamp_formats=base.timestamp_formats,
            set={**base.set, **parse_map_options(set_)},
        ), source="ingest options")
        with console.status(Text(f"loading {table}")) as status:
            result = ws.ingest(table, files, mapping=merged,
                               progress=lambda m: status.update(Text(m)))
    report_load(result)
    if result.file_problems:  # a file missing or unreadable, or a mapping it does not fit
        raise typer.Exit(2)
    if not result.ok:
        raise typer.Exit(3)


def report_load(result: LoadResult) -> None:
    # every line holds values from the files: printed as text, never read as markup
    for problem in result.file_problems:
        say(err_console, "file rejected:", "red", str(problem))
    for reject in result.rejects[:MAX_SHOWN]:
        say(err_console, "rejected:", "yellow", str(reject))
    if len(result.rejects) > MAX_SHOWN:
        err_console.print(f"... and {len(result.rejects) - MAX_SHOWN} more", highlight=False)
    console.print(
        f"{result.table}: {result.rows_read} rows read, {result.accepted} accepted "
        f"({result.inserted} new, {result.updated} updated, {result.unchanged} unchanged), "
        f"{result.rejected_rows} rejected in {result.seconds:.2f}s",
        highlight=False, markup=False,
    )
    if result.rejects_path is not None:
        console.print(f"rejects written to {result.rejects_path}", highlight=False, markup=False)


@app.command()
def tables() -> None:
    """Show each table's rows, time span and last load (times in the workspace time zone)."""
    with open_workspace() as ws:
        infos = ws.tables()
        zone = ws.settings.zone
    view = Table("table", "rows", "from", "to", "last load", "attributes",
                 caption=f"times in {zone.key}")
    view.columns[1].justify = "right"
    for info in infos:
        view.add_row(*(Text(cell) for cell in (
            info.name,
            f"{info.rows:,}",
            _local(info.first_at, zone),
            _local(info.last_at, zone),
            _local(info.last_load_at, zone, seconds=True) or "never",
            ", ".join(info.attributes[:6]) + (" ..." if len(info.attributes) > 6 else ""),
        )))
    console.print(view)


def _local(moment: datetime | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """A stored (UTC) time in ``zone`` with its offset: 2025-10-01 06:57+02:00."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return local.isoformat(sep=" ", timespec="seconds" if seconds else "minutes")
