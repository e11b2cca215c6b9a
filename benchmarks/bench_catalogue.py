"""Time the whole catalogue, monthly, by agent_id where the metric allows it, on a demo workspace.

    .venv/bin/python benchmarks/bench_catalogue.py [WORKSPACE] [--tickets N]

Builds the demo workspace first when WORKSPACE does not exist (default: a temp directory).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from supportmetrics import Workspace
from supportmetrics.demo import build_demo
from supportmetrics.engine import build_query
from supportmetrics.metrics import CATALOGUE


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", nargs="?")
    parser.add_argument("--tickets", type=int, default=60_000)
    args = parser.parse_args()
    directory = Path(args.workspace or tempfile.mkdtemp()) / "demo"
    if not (directory / "supportmetrics.duckdb").exists():
        started = time.perf_counter()
        build_demo(directory, tickets=args.tickets)
        print(f"built the demo workspace ({args.tickets:,} tickets) in "
              f"{time.perf_counter() - started:.1f} s")
    with Workspace.open(directory) as ws:
        started = time.perf_counter()
        engine = ws.engine()
        queries = [
            build_query(m.id, "month", ("agent_id",) if "agent_id" in m.dimensions else (),
                        clock=clock)
            for m in CATALOGUE.values()
            for clock in (("calendar", "business") if m.kind == "Duration" else ("calendar",))
        ]
        rows = sum(len(engine.metric(q)) for q in queries)
        seconds = time.perf_counter() - started
    print(f"{len(CATALOGUE)} metrics, {len(queries)} queries (durations on both clocks), "
          f"monthly, by agent_id where allowed: {rows:,} result rows in {seconds:.1f} s")


if __name__ == "__main__":
    main()
