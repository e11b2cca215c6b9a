"""What freshness costs a reader: the load-generation check and connecting per query.

    .venv/bin/python benchmarks/bench_serving.py [--tickets 3000] [--workdir DIR]

Builds a demo workspace of N tickets (kept in ``DIR/serving-N``), then, in one process, times
the median of 30 runs of ``ticket_volume`` monthly through a held read-only engine (the
baseline), the generation check each query starts with, and the same query through a reader
outside a ``with`` block, which connects for each query so that loads of other processes can
run between its queries. Figures are ratios against the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from supportmetrics import Workspace
from supportmetrics.demo import build_demo
from supportmetrics.engine import build_query


def median_ms(action: Callable[[], object], runs: int = 30) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportmetrics-bench"))
    args = parser.parse_args()
    directory = args.workdir / f"serving-{args.tickets}"
    if not (directory / "supportmetrics.duckdb").exists():
        build_demo(directory, tickets=args.tickets)
    query = build_query("ticket_volume", "month")
    with Workspace.open(directory, read_only=True) as ws:
        held = ws.engine()
        held.metric(query)
        baseline = median_ms(lambda: held.metric(query))
        check = median_ms(ws.generation)
    reader = Workspace.open(directory, read_only=True)
    engine = reader.engine()
    per_query = median_ms(lambda: engine.metric(query), runs=10)
    reader.close()
    print(f"{args.tickets:,} tickets; ticket_volume monthly, median")
    print(f"| held read-only engine (baseline) | {baseline:.1f} ms | 1.00x |")
    print(f"| load-generation check | {check:.2f} ms | {check / baseline:.3f}x |")
    print(f"| reader connecting per query | {per_query:.1f} ms | {per_query / baseline:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
