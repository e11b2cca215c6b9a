"""Memory and time of the monthly report as tickets grow, against a baseline in the same process.

    .venv/bin/python benchmarks/bench_report.py --tickets 10000 1000000 [--workdir DIR]
        [--memory-limit 300MB] [--formats html xlsx]

For each size the demo data is generated and loaded once into ``DIR/ws-N`` (the workspace
benchmarks/bench_engine.py builds, reused by both). Each measurement runs in a fresh child
process, so nothing of an earlier one stays in memory:

1. import supportmetrics and the report's libraries, open the workspace and bring its stored
   per-ticket tables up to date (a load's cost, not the report's);
2. **baseline**: the resident set size (RSS) at that point;
3. build the report (every number through the engine) and write each format, sampling the RSS
   every 20 ms; tracemalloc gives the peak of Python's own allocations (pandas frames, strings:
   what the report holds), the RSS adds DuckDB's buffers.

The ratio is the report's peak RSS over the baseline; what a report holds in Python should not
grow with the tickets (the report reads aggregates, never rows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def model_bytes(report: Any) -> int:
    """What the report model holds: its frames (deep) and its text."""
    frames = [report.volume.by_category, report.volume.by_channel,
              report.volume.weekly_category, report.scorecards.agents, report.scorecards.teams]
    size = sum(int(f.memory_usage(deep=True).sum()) for f in frames)
    return size + sum(len(c.text) for c in report.comments)


def child(directory: Path, formats: list[str], memory_limit: str | None, out: Path,
          trace: bool) -> None:
    """One measurement (run in a fresh process): prints one JSON line."""
    import psutil

    import supportmetrics.reports.charts  # noqa: F401 - the report's libraries, before the baseline
    import supportmetrics.reports.html  # noqa: F401
    import supportmetrics.reports.xlsx  # noqa: F401
    from supportmetrics import Workspace
    from supportmetrics.reports import build_report, write_report

    ws = Workspace.open(directory, must_exist=True)
    if memory_limit:
        ws.con.execute(f"SET memory_limit = '{memory_limit}'")
    ws.metric("ticket_volume", grain="range")
    tickets = int(ws.con.execute("SELECT count(*) FROM tickets").fetchall()[0][0])
    limit = ws.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    baseline = psutil.Process(os.getpid()).memory_info().rss
    if trace:
        tracemalloc.start()
    sys.path.insert(0, str(HERE))
    from bench_engine import PeakMemory  # the same sampler as the engine benchmark

    with PeakMemory() as rss:
        started = time.perf_counter()
        report = build_report(ws)
        built = time.perf_counter() - started
        for fmt in formats:
            write_report(report, fmt, out / f"report-{tickets}.{fmt}")
        seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    ws.close()
    print(json.dumps({"tickets": tickets, "duckdb_memory_limit": limit, "baseline": baseline,
                      "peak": rss.peak, "python_peak": python_peak,
                      "model_bytes": model_bytes(report), "build_s": built,
                      "total_s": seconds, "formats": formats}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/smr"))
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 300MB")
    parser.add_argument("--formats", nargs="+", default=["html", "xlsx"])
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python's allocations (slows the report 2-5x)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.formats, args.memory_limit, args.workdir, args.tracemalloc)
        return
    sys.path.insert(0, str(HERE))
    from bench_engine import build_workspace

    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for tickets in args.tickets:
        directory = build_workspace(args.workdir, tickets)
        command = [sys.executable, __file__, "--child", str(directory), "--workdir",
                   str(args.workdir), "--formats", *args.formats]
        if args.memory_limit:
            command += ["--memory-limit", args.memory_limit]
        if args.tracemalloc:
            command.append("--tracemalloc")
        result = subprocess.run(command, check=True, capture_output=True, text=True)
        row = json.loads(result.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    mib = 2**20
    print("\n| tickets | DuckDB memory_limit | baseline RSS MiB | report peak RSS MiB | peak / "
          "baseline | report model KiB | Python peak MiB (tracemalloc) | report s |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        traced = "-" if row["python_peak"] is None else f"{row['python_peak'] / mib:,.1f}"
        print(f"| {row['tickets']:,} | {row['duckdb_memory_limit']} | {row['baseline'] / mib:,.0f} "
              f"| {row['peak'] / mib:,.0f} | {row['peak'] / row['baseline']:.2f}x "
              f"| {row['model_bytes'] / 1024:,.0f} | {traced} | {row['total_s']:.1f} |")


if __name__ == "__main__":
    main()
