"""``import`` and ``sync``: a helpdesk's export files or API into the canonical tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from supportmetrics.cli.app import app, console, err_console, open_workspace, say
from supportmetrics.cli.data import MAX_SHOWN, report_load
from supportmetrics.errors import MappingError
from supportmetrics.importers import SOURCES, importer

if TYPE_CHECKING:
    from supportmetrics.importers import ImportResult

SOURCE_HELP = "Source: " + ", ".join(sorted(SOURCES)) + "."


@app.command("import")
def import_(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    files: list[Path] = typer.Argument(..., help="The source's export files (JSON, JSON Lines or CSV, any order)."),
    option: list[str] = typer.Option(
        [], "--option", help="KEY=VALUE for the importer (see docs/sources/SOURCE.md)."),
    check: bool = typer.Option(
        False, "--check",
        help="After the load, compare the source's own per-ticket figures (first reply, "
        "resolution) with the engine's and print the share that agree and why the others do not."),
) -> None:
    """Import a helpdesk's export files: validated, idempotent, like ingest."""
    reader = importer(source)
    options = _options(option)
    with console.status(Text(f"reading the {source} export")):
        imported = reader.read(files, options)  # a file that is not the export: nothing opened
    with open_workspace() as ws:
        with console.status(Text(f"loading the {source} export")) as status:
            from supportmetrics.importers import load_imported

            result = load_imported(ws, source, imported, progress=lambda m: status.update(Text(m)))
        report_import(result)
        if check:
            from supportmetrics.cli.source_check import print_check

            print_check(ws, source, imported.figures)
    if not result.committed:
        raise typer.Exit(2)
    if not result.ok:
        raise typer.Exit(3)


def _options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise MappingError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def report_import(result: ImportResult) -> None:
    """The importer's rejects, then each table's load as ``ingest`` reports it."""
    for reject in result.rejects[:MAX_SHOWN]:
        say(err_console, "rejected:", "yellow", str(reject))
    if len(result.rejects) > MAX_SHOWN:
        err_console.print(f"... and {len(result.rejects) - MAX_SHOWN} more", highlight=False,
                          markup=False)
    if result.rejects_path is not None:
        console.print(f"{len(result.rejects)} record(s) of the export could not be read; "
                      f"rejects written to {result.rejects_path}", highlight=False, markup=False)
    for load in result.loads:
        report_load(load)
    if not result.loads:
        console.print(f"{result.source}: nothing to load in these files", highlight=False,
                      markup=False)


@app.command()
def sync(
    source: str = typer.Argument(..., help="Source with an API sync: zendesk, freshdesk."),
) -> None:
    """Fetch what changed in a helpdesk's API since the last sync and load it.

    Credentials come from the environment (SUPPORTMETRICS_SOURCE_URL, _EMAIL, _TOKEN, e.g.
    SUPPORTMETRICS_ZENDESK_TOKEN) or [sources.SOURCE] in supportmetrics.toml, and are never
    printed. Each page is loaded as it arrives and its cursor stored (sync/SOURCE.json): the
    next sync fetches only what changed, and a sync that stopped resumes where it did.
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from supportmetrics.importers import run_sync, sync_for

    runner = sync_for(source)
    with open_workspace() as ws, Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
            TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(f"sync {source}", total=None)
        result = run_sync(ws, runner, progress=lambda m: bar.update(task, description=m))
    rejects = [r for each in result.imports for r in each.all_rejects()]
    for reject in rejects[:MAX_SHOWN]:
        say(err_console, "rejected:", "yellow", str(reject))
    if len(rejects) > MAX_SHOWN:
        err_console.print(f"... and {len(rejects) - MAX_SHOWN} more", highlight=False,
                          markup=False)
    totals: dict[str, list[int]] = {}
    for each in result.imports:
        for load in each.loads:
            row = totals.setdefault(load.table, [0, 0, 0, 0, 0])
            for i, n in enumerate((load.rows_read, load.inserted, load.updated, load.unchanged,
                                   load.rejected_rows)):
                row[i] += n
    for table, (read, new, updated, unchanged, rejected) in totals.items():
        console.print(f"{table}: {read} rows read ({new} new, {updated} updated, {unchanged} "
                      f"unchanged), {rejected} rejected", highlight=False, markup=False)
    console.print(f"sync {source}: {result.pages} page(s) in {result.requests} request(s)"
                  + ("" if not rejects else f", {len(rejects)} rejected (written to "
                     f"{ws.directory / 'rejects'})"), highlight=False, markup=False)
    if rejects:
        raise typer.Exit(3)
