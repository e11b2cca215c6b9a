"""What keeping a workspace safe costs: the scan of a changed file on open, a partial update.

Usage::

    .venv/bin/python benchmarks/bench_safety.py            # 1,000,000 tickets
    .venv/bin/python benchmarks/bench_safety.py -n 200000

In one process, on one workspace of N generated tickets (bench_ingest's generator):

- opening the workspace as supportmetrics left it (no scan), and after the file changed behind
  its back (every block read), against a baseline: a plain DuckDB connection reading every
  column of the tickets table (``SELECT count(*), bit_xor(hash(t)) FROM tickets t``);
- a file with the key and one column (``ticket_id,status``) for every ticket, which fills the
  other columns from the stored rows, against the reload of the full file (bench_ingest's
  "reload").
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from bench_ingest import generate

from supportmetrics import Workspace


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sm-bench-safety-"))
    try:
        source = work / "tickets.parquet"
        generate(args.rows, source)
        status = work / "status.parquet"
        pq.write_table(pq.read_table(source, columns=["ticket_id", "status"]), status)
        directory = work / "ws"
        with Workspace.open(directory) as ws:
            ws.ingest("tickets", source, refresh=False)  # loads alone (see bench_engine)
        database = directory / "supportmetrics.duckdb"
        print(f"{args.rows:,} tickets, database {database.stat().st_size / 1e6:.1f} MB")

        def baseline() -> None:
            con = duckdb.connect(str(database), read_only=True)
            con.execute("SELECT count(*), bit_xor(hash(t)) FROM tickets t").fetchall()
            con.close()

        base = timed(baseline)
        plain = timed(lambda: Workspace.open(directory).close())
        os.utime(database)  # the file changed behind supportmetrics' back: scan on open
        scanned = timed(lambda: Workspace.open(directory).close())
        print(f"baseline (DuckDB reads every column of tickets): {base:.2f}s")
        print(f"open, file as left: {plain:.2f}s ({plain / base:.2f}x baseline)")
        print(f"open, file changed (every block read): {scanned:.2f}s ({scanned / base:.2f}x baseline)")

        with Workspace.open(directory) as ws:
            reload = timed(lambda: ws.ingest("tickets", source, refresh=False))
            partial = timed(lambda: ws.ingest("tickets", status, refresh=False))
        print(f"reload of the full file: {reload:.2f}s")
        print(f"ticket_id,status for every ticket: {partial:.2f}s ({partial / reload:.2f}x the reload)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
