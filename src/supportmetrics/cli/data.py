"""``ingest`` and ``tables``: getting data in and seeing what is there."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console, err_console, open_workspace, say
from supportmetrics.errors import MappingError

if TYPE_CHECKING:  # imported when a load runs: `--help` does not load the ingest stack
    from supportmetrics.ingest import LoadResult

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
    unit: list[str] = typer.Option(
        [], "--unit",
        help="COLUMN=UNIT of a file's durations (seconds, minutes, hours, days), converted to "
        "seconds, e.g. --unit first_response_seconds=minutes.",
    ),
    mapping: str = typer.Option(None, "--mapping", help="Use [mappings.NAME] from supportmetrics.toml."),
    delimiter: str = typer.Option(
        None, "--delimiter", help="CSV delimiter, one character (default ',', a tab for .tsv; '\\t' is a tab)."
    ),
    quote: str = typer.Option(
        None, "--quote", help="CSV quote character (default '\"'; '' for none)."
    ),
    encoding: str = typer.Option(
        None, "--encoding", help="CSV text encoding, e.g. cp1252 (default UTF-8, or UTF-16 by its byte-order mark)."
    ),
    refresh: bool = typer.Option(
        True, "--refresh/--no-refresh",
        help="Bring the stored per-ticket tables up to date after the load; --no-refresh for "
        "several loads in a row, then `supportmetrics refresh` once.",
    ),
) -> None:
    """Load files into a canonical table: validated, idempotent, atomic."""
    from supportmetrics.config import check_timestamp_format, table_mapping
    from supportmetrics.ingest import parse_map_options

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
            missing_values=(*base.missing_values, *missing_value),
            delimiter=_character(delimiter) if delimiter is not None else base.delimiter,
            quote=quote if quote is not None else base.quote,
            encoding=encoding or base.encoding,
            units={**base.units, **parse_map_options(
                unit, "--unit", "first_response_seconds=minutes", "COLUMN=UNIT")},
        ), source="ingest options")
        with console.status(Text(f"loading {table}")) as status:
            result = ws.ingest(table, files, mapping=merged,
                               progress=lambda m: status.update(Text(m)),
                               refresh=refresh)
    report_load(result)
    if result.committed and result.accepted:
        alerts_after_load(ws.directory, (table,))
    if result.file_problems:  # a file missing or unreadable, or a mapping it does not fit
        raise typer.Exit(2)
    if not result.ok:
        raise typer.Exit(3)


def _character(text: str) -> str:
    """``\\t`` and ``tab`` as typed on a command line are a tab."""
    return "\t" if text in ("\\t", "tab") else text


def alerts_after_load(directory: Path, tables: tuple[str, ...]) -> None:
    """Evaluate the alert rules that read what a load just wrote (docs/alerts.md)."""
    from supportmetrics.alerts import after_load

    if not ws_has_alerts(directory):
        return
    result = after_load(directory, tables)
    if result is None:
        return
    held = [e.rule for e in result.evaluated if e.held]
    say(err_console, "alerts:", "bold", f"{len(result.evaluated)} rule(s) evaluated, "
        f"{len(held)} holding{': ' + ', '.join(held) if held else ''}; {result.sent} notice(s) "
        f"sent, {result.retrying} to retry")
    for message in result.errors:
        say(err_console, "alerts:", "bold red", message)


def ws_has_alerts(directory: Path) -> bool:
    from supportmetrics.config import load_settings

    return bool(load_settings(directory / "supportmetrics.toml").alerts)


def report_load(result: LoadResult) -> None:
    # every line holds values from the files: printed as text, never read as markup
    for problem in result.file_problems:
        say(err_console, "file rejected:", "red", str(problem))
    if not result.committed:
        files = len(result.file_problems)
        console.print(
            f"{result.table}: nothing loaded: {files} of {len(result.files)} file(s) could not be "
            "loaded, and a load is all or nothing; fix them (or leave them out) and load again",
            highlight=False, markup=False,
        )
        return
    for reject in result.rejects[:MAX_SHOWN]:
        say(err_console, "rejected:", "yellow", str(reject))
    if len(result.rejects) > MAX_SHOWN:
        err_console.print(f"... and {len(result.rejects) - MAX_SHOWN} more", highlight=False,
                          markup=False)
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
    with open_workspace(read_only=True) as ws:
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


attributes_app = typer.Typer(
    help="List, drop or rename the attribute columns files brought (columns that are not "
    "canonical, usable with --by and --where).",
    no_args_is_help=True,
)
app.add_typer(attributes_app, name="attributes")


@attributes_app.command("list")
def attributes_list(
    table: str = typer.Argument(None, help="A canonical table (default: every table)."),
) -> None:
    """Show the attribute columns of each table."""
    with open_workspace(must_exist=True) as ws:
        names = [table] if table else [info.name for info in ws.tables()]
        rows = [(name, ws.attributes(name)) for name in names]
    view = Table("table", "attribute columns")
    for name, attributes in rows:
        view.add_row(Text(name), Text(", ".join(attributes)))
    console.print(view)


@attributes_app.command("drop")
def attributes_drop(
    table: str = typer.Argument(..., help="Canonical table, e.g. tickets."),
    column: str = typer.Argument(..., help="Attribute column to delete, with its values."),
) -> None:
    """Delete an attribute column and its values (a later load of a file with it adds it again)."""
    with open_workspace(must_exist=True) as ws:
        ws.drop_attribute(table, column)
    console.print(f"{table}: attribute column {column} dropped", highlight=False, markup=False)


@attributes_app.command("rename")
def attributes_rename(
    table: str = typer.Argument(..., help="Canonical table, e.g. tickets."),
    old: str = typer.Argument(..., help="Attribute column to rename."),
    new: str = typer.Argument(..., help="Its new name (lower case letters, digits and _)."),
) -> None:
    """Rename an attribute column (a later load of a file with the old column adds it again)."""
    with open_workspace(must_exist=True) as ws:
        ws.rename_attribute(table, old, new)
    console.print(f"{table}: attribute column {old} renamed to {new}", highlight=False,
                  markup=False)


def _local(moment: datetime | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """A stored (UTC) time in ``zone`` with its offset: 2025-10-01 06:57+02:00."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return local.isoformat(sep=" ", timespec="seconds" if seconds else "minutes")
