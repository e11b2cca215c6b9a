"""Build a demo workspace, or write generated data as Parquet files (benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from supportmetrics.config import CONFIG_FILE
from supportmetrics.demo.generator import ONCE, START, generate, generate_chunk, reviews
from supportmetrics.demo.world import make_world
from supportmetrics.ingest import LoadResult
from supportmetrics.workspace import Workspace

CHUNK = 1_000_000  # tickets generated at a time when writing Parquet
LOAD_ORDER = (
    "customers", "tickets", "ticket_events", "calls", "surveys", "orders", "ledger",
    "agent_shifts", "quality_reviews", "feedback", "engagement",
)

DEMO_SETTINGS = """\
# The demo workspace: a support team in Zagreb (see docs/configuration.md).
timezone = "Europe/Zagreb"

[business_hours]
mon = "08:00-18:00"
tue = "08:00-18:00"
wed = "08:00-18:00"
thu = "08:00-18:00"
fri = "08:00-18:00"
country = "HR"
holidays = ["2025-12-24"]

[business_hours.teams.tier2]        # second line has a lunch break
mon = "08:00-12:00,13:00-18:00"
tue = "08:00-12:00,13:00-18:00"
wed = "08:00-12:00,13:00-18:00"
thu = "08:00-12:00,13:00-18:00"
fri = "08:00-12:00,13:00-18:00"

[sla.first_response_minutes]
urgent = 60
high = 240
normal = 480
low = 1440

[sla.resolution_hours]
urgent = 8
high = 24
normal = 72
low = 120

[targets]
csat = 85
nps = 30
first_response_time = 14400
fcr_rate = 70
sla_compliance = 90
"""


Progress = Callable[[str], None]


def build_demo(
    directory: str | Path, seed: int = 7, tickets: int = 60_000,
    parquet_out: str | Path | None = None, progress: Progress = lambda message: None,
) -> dict[str, LoadResult]:
    """Create (or refresh) a demo workspace in ``directory`` and load every table.

    The demo settings are written before the workspace opens, so they are the ones it uses.
    With ``parquet_out`` the data is first written there as Parquet files (in chunks, for sizes
    that do not fit in memory) and loaded from them. ``progress`` is told each step's name.
    """
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / CONFIG_FILE).write_text(DEMO_SETTINGS, encoding="utf-8")
    sources: dict[str, pa.Table] | dict[str, list[Path]]
    if parquet_out is None:
        progress("generating")
        sources = generate(seed=seed, tickets=tickets)
    else:
        sources = generate_to_parquet(parquet_out, seed=seed, tickets=tickets, progress=progress)
    results = {}
    with Workspace.open(path) as ws:
        for name in LOAD_ORDER:
            progress(f"loading {name}")
            source = sources[name]
            if isinstance(source, pa.Table):
                results[name] = ws.ingest_frame(name, source, label=f"demo {name}", refresh=False)
            else:
                results[name] = ws.ingest(name, source, refresh=False)
        progress("storing the per-ticket tables")
        ws.refresh()  # once, after every table is in
    return results


def steps(tickets: int, parquet_out: str | Path | None = None, chunk: int = CHUNK) -> int:
    """How many times :func:`build_demo` reports progress."""
    generating = 1 if parquet_out is None else -(-tickets // chunk)
    return generating + len(LOAD_ORDER) + 1


def generate_to_parquet(
    directory: str | Path, seed: int = 7, tickets: int = 1_000_000, chunk: int = CHUNK,
    start: date = START, days: int = 365, progress: Progress = lambda message: None,
) -> dict[str, list[Path]]:
    """Write the data set as Parquet (``NAME-NNN.parquet``), ``chunk`` tickets at a time.

    Customers, orders, ledger, shifts, engagement and quality reviews are written once; the
    tables that grow with the tickets are written per chunk, with ids that stay unique across
    chunks. Memory stays that of one chunk whatever the size.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    world = make_world(seed, tickets, start, days)
    files: dict[str, list[Path]] = {}

    def write(name: str, table: pa.Table, number: int) -> None:
        target = out / f"{name}-{number:03d}.parquet"
        pq.write_table(table, target)
        files.setdefault(name, []).append(target)

    for number, first in enumerate(range(0, tickets, chunk)):
        progress(f"generating tickets {first + 1:,}..{min(first + chunk, tickets):,}")
        tables, ticket_set = generate_chunk(world, seed, number, min(chunk, tickets - first),
                                            first + 1)
        if number == 0:
            write("quality_reviews", reviews(world, seed, ticket_set), 0)
        for name, table in tables.items():
            write(name, table, number)
    for name in ONCE:
        if name in world.tables:
            write(name, world.tables[name], 0)
    return files
