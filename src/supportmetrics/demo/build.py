"""Build a demo workspace, or write generated data as Parquet files (benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from supportmetrics.config import CONFIG_FILE
from supportmetrics.demo.generator import generate
from supportmetrics.ingest import LoadResult
from supportmetrics.workspace import Workspace

LOAD_ORDER = (
    "customers", "tickets", "ticket_events", "calls", "surveys", "orders", "ledger",
    "agent_shifts", "quality_reviews", "feedback", "engagement",
)

DEMO_SETTINGS = """\
# The demo workspace: a 30-agent support team in Zagreb (see docs/configuration.md).
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


def build_demo(
    directory: str | Path, seed: int = 7, tickets: int = 60_000,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, LoadResult]:
    """Create (or refresh) a demo workspace in ``directory`` and load every table."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / CONFIG_FILE).write_text(DEMO_SETTINGS, encoding="utf-8")
    progress("generating")
    tables = generate(seed=seed, tickets=tickets)
    results = {}
    with Workspace.open(path) as ws:
        for name in LOAD_ORDER:
            progress(f"loading {name}")
            results[name] = ws.ingest_frame(name, tables[name], label=f"demo {name}")
    return results


def generate_to_parquet(
    directory: str | Path, seed: int = 7, tickets: int = 1_000_000, chunk: int = 1_000_000,
    start: date = date(2025, 1, 1), days: int = 365,
) -> dict[str, list[Path]]:
    """Write generated tables as Parquet, ``chunk`` tickets at a time (ids stay unique)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = {}
    for number, first in enumerate(range(0, tickets, chunk)):
        size = min(chunk, tickets - first)
        tables = generate(seed=seed + number, tickets=size, start=start, days=days,
                          first_id=first + 1)
        for name, table in tables.items():
            if number > 0 and name in ("customers", "orders", "ledger", "agent_shifts",
                                       "quality_reviews", "engagement"):
                continue  # people and money are generated once
            target = out / f"{name}-{number:03d}.parquet"
            pq.write_table(table, target)
            files.setdefault(name, []).append(target)
    return files
