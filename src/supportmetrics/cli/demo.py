"""``demo``: build the demo workspace and show its KPI summary."""

from __future__ import annotations

from pathlib import Path

import typer

from supportmetrics.cli.app import app, console
from supportmetrics.demo import build_demo, generate_to_parquet
from supportmetrics.engine.summary import print_summary
from supportmetrics.workspace import Workspace


@app.command()
def demo(
    directory: Path = typer.Argument(Path("demo"), help="Where to create the demo workspace."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same data."),
    tickets: int = typer.Option(60_000, "--tickets", help="Size: tickets in the year."),
    parquet_out: Path = typer.Option(
        None, "--parquet-out", help="Only write the generated tables as Parquet files here."
    ),
) -> None:
    """Build a demo workspace: a year of a 30-agent support team, then print its KPI summary."""
    if parquet_out is not None:
        files = generate_to_parquet(parquet_out, seed=seed, tickets=tickets)
        console.print(f"wrote {sum(len(f) for f in files.values())} Parquet files to {parquet_out}")
        return
    with console.status("building the demo workspace") as status:
        results = build_demo(directory, seed=seed, tickets=tickets, progress=status.update)
    loaded = ", ".join(f"{r.accepted:,} {name}" for name, r in results.items())
    console.print(f"demo workspace in {directory}: {loaded}", highlight=False)
    with Workspace.open(directory, must_exist=True) as ws:
        print_summary(ws, console)
    console.print(
        f"next: supportmetrics -w {directory} metrics --list | "
        f"supportmetrics -w {directory} metrics csat --by agent_id",
        highlight=False,
    )
