"""Load benchmark: N generated tickets from Parquet (or CSV) into a fresh workspace.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py            # 1,000,000 tickets
    .venv/bin/python benchmarks/bench_ingest.py -n 200000 --keep /tmp/bench
    .venv/bin/python benchmarks/bench_ingest.py -n 200000 --format csv

Prints the first load (all rows new), the reload of the same file (all rows unchanged) and a
baseline in the same process: a plain DuckDB ``CREATE TABLE AS SELECT * FROM read_parquet`` (or
``read_csv``, every column text) of the same file into a fresh database, with the ratio of each
load to it.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from supportmetrics import Workspace

CHANNELS = np.array(["email", "chat", "phone", "social", "web"])
CATEGORIES = np.array(["technical", "returns", "delivery", "sales question", "cancellation"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
STATUSES = np.array(["new", "open", "pending", "on_hold", "solved", "closed"])
TEAMS = np.array(["tier1", "tier2", "billing", "vip"])


def generate(n: int, path: Path, seed: int = 7) -> None:
    """Write ``n`` valid tickets as Parquet (vectorised; about a second per million)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    created = start + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")
    first = created + rng.integers(60, 8 * 3600, n).astype("timedelta64[s]")
    resolved = first + rng.integers(60, 5 * 86400, n).astype("timedelta64[s]")
    unresolved = rng.random(n) < 0.1
    ids = np.char.add("T", np.arange(1, n + 1).astype(str))
    table = pa.table(
        {
            "ticket_id": pa.array(ids, pa.string()),
            "created_at": pa.array(created, pa.timestamp("s")),
            "channel": pa.array(CHANNELS[rng.integers(0, len(CHANNELS), n)], pa.string()),
            "category": pa.array(CATEGORIES[rng.integers(0, len(CATEGORIES), n)], pa.string()),
            "priority": pa.array(PRIORITIES[rng.integers(0, len(PRIORITIES), n)], pa.string()),
            "customer_id": pa.array(
                np.char.add("C", rng.integers(1, n // 4 + 2, n).astype(str)), pa.string()
            ),
            "agent_id": pa.array(np.char.add("a", rng.integers(1, 200, n).astype(str)), pa.string()),
            "team": pa.array(TEAMS[rng.integers(0, len(TEAMS), n)], pa.string()),
            "status": pa.array(STATUSES[rng.integers(0, len(STATUSES), n)], pa.string()),
            "is_complaint": pa.array(rng.random(n) < 0.05, pa.bool_()),
            "first_response_at": pa.array(first, pa.timestamp("s")),
            "resolved_at": pa.array(resolved, pa.timestamp("s"), mask=unresolved),
            "handle_seconds": pa.array(rng.integers(30, 3600, n).astype(float), pa.float64()),
        }
    )
    pq.write_table(table, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="directory to work in (kept afterwards)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        source = work / "tickets.parquet"
        started = time.perf_counter()
        generate(args.rows, source)
        reader = "read_parquet"
        if args.format == "csv":
            csv_source = work / "tickets.csv"
            pacsv.write_csv(pq.read_table(source), csv_source)
            source, reader = csv_source, "read_csv"
        print(f"generated {args.rows:,} tickets in {time.perf_counter() - started:.2f}s "
              f"({source.stat().st_size / 1e6:.1f} MB)")

        baseline_db = work / "baseline.duckdb"
        baseline_db.unlink(missing_ok=True)
        con = duckdb.connect(str(baseline_db))
        started = time.perf_counter()
        options = ", all_varchar = true" if reader == "read_csv" else ""
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}('{source}'{options})")
        con.close()
        baseline = time.perf_counter() - started
        print(f"baseline (CREATE TABLE AS SELECT * FROM {reader}): {baseline:.2f}s, "
              f"{args.rows / baseline:,.0f} rows/s")

        shutil.rmtree(work / "ws", ignore_errors=True)
        with Workspace.open(work / "ws") as ws:
            for label in ("first load", "reload"):
                started = time.perf_counter()
                # the load alone: the refresh of the stored tables is bench_engine's
                result = ws.ingest("tickets", source, refresh=False)
                seconds = time.perf_counter() - started
                assert result.accepted == args.rows and result.rejected_rows == 0, result
                print(
                    f"{label}: {seconds:.2f}s, {args.rows / seconds:,.0f} rows/s, "
                    f"{seconds / baseline:.1f}x baseline "
                    f"({result.inserted:,} new, {result.updated:,} updated, "
                    f"{result.unchanged:,} unchanged)"
                )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
