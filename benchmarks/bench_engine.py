"""The metric engine against pandas and a hand-written DuckDB floor, in one process.

    .venv/bin/python benchmarks/bench_engine.py --tickets 1000000 [--workdir DIR] [--spark]
        [--incremental] [--skip-pandas] [--skip-full]

Generates the demo data (src/supportmetrics/demo: about 8 events per ticket, calls and surveys
in proportion; Europe/Zagreb, per-team business hours) as Parquet, loads it into a workspace with
``Workspace.ingest`` (kept in ``DIR/ws-N`` and reused by later runs), then times side by side:

* floor -- the core subset (ticket_volume, first_response_time, resolution_time, fcr_rate, csat,
  asa; monthly, by agent_id and by channel) as hand-written DuckDB SQL (benchmarks/core_sql.py);
* engine, core, cold -- the same twelve results through a new engine, the stored per-ticket
  tables (engine/store.py) built first as the end of a load does, so this includes deriving
  every ticket's facts, waits, open spans and SLA clocks from the raw events;
* engine, core, warm -- the same through a new engine once the stored tables are up to date
  (every later engine, in any process, until the next load);
* engine, catalogue -- every metric of the catalogue, monthly, by agent_id and by channel where
  the metric has them (else overall), durations on the calendar and the business clock (warm);
* pandas -- the core subset as an analyst would write it (benchmarks/core_pandas.py), reading
  the four tables from Parquet, in a child process stopped if its memory passes
  ``--pandas-limit`` GiB (pandas needs about 7 GiB per million tickets);
* (``--spark``) engine, core on Spark local[2].

The core results are checked equal (values to 1e-9 relative, counts exactly). Peak memory is
the highest resident set size sampled during each step. ``--incremental`` then loads one more
day (without its refresh) and times the refresh of the stored tables plus the current month.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).parent))

import core_pandas  # noqa: E402
import core_sql  # noqa: E402

from supportmetrics import Workspace  # noqa: E402
from supportmetrics.config import CONFIG_FILE  # noqa: E402
from supportmetrics.demo import DEMO_SETTINGS, LOAD_ORDER, generate, generate_to_parquet  # noqa: E402
from supportmetrics.engine import Query, build_query, open_engine  # noqa: E402
from supportmetrics.engine.engine import Engine  # noqa: E402
from supportmetrics.engine.store import META_TABLE  # noqa: E402
from supportmetrics.metrics import CATALOGUE  # noqa: E402

CORE = ("ticket_volume", "first_response_time", "resolution_time", "fcr_rate", "csat", "asa")
DIMS = ("agent_id", "channel")
INPUT_TABLES = ("tickets", "ticket_events", "calls", "surveys")
ONCE = ("customers", "orders", "ledger", "agent_shifts", "quality_reviews", "engagement")


@dataclass
class Step:
    name: str
    seconds: float
    peak_bytes: int
    note: str = ""


class PeakMemory:
    """Samples this process's resident set size every 20 ms while active."""

    def __init__(self) -> None:
        self.process = psutil.Process(os.getpid())
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> PeakMemory:
        self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def timed(name: str, run: Callable[[], Any], note: str = "") -> tuple[Step, Any]:
    print(f"  {name} ...", flush=True)
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
    step = Step(name, seconds, memory.peak, note)
    print(f"  {name}: {seconds:.2f} s, peak {memory.peak / 2**30:.2f} GiB", flush=True)
    return step, result


# -- the workspace ----------------------------------------------------------------------------

def build_workspace(workdir: Path, tickets: int, engine_settings: str = "") -> Path:
    directory = workdir / f"ws-{tickets}"
    if (directory / "supportmetrics.duckdb").exists():
        print(f"reusing {directory}")
        return directory
    data = workdir / f"data-{tickets}"
    started = time.perf_counter()
    files = generate_to_parquet(data, seed=7, tickets=tickets)
    print(f"generated {tickets:,} tickets as Parquet in {time.perf_counter() - started:.1f} s")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(DEMO_SETTINGS + engine_settings, encoding="utf-8")
    started = time.perf_counter()
    with Workspace.open(directory) as ws:
        for name in LOAD_ORDER:
            result = ws.ingest(name, files[name], refresh=False)
            assert result.ok, (name, result.rejects[:3])
        ws.refresh()
    print(f"loaded the workspace in {time.perf_counter() - started:.1f} s")
    return directory


def export_for_pandas(ws: Workspace, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in INPUT_TABLES:
        # written afresh each run (untimed): a workspace reused after --incremental has more rows
        path = directory / f"{name}.parquet"
        ws.con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
    return directory


def input_rows(ws: Workspace) -> dict[str, int]:
    return {
        name: int(ws.con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
        for name in INPUT_TABLES
    }


# -- the engine -------------------------------------------------------------------------------

def core_queries(start: date | None = None) -> list[Query]:
    return [build_query(m, "month", (d,), start=start) for m in CORE for d in DIMS]


def catalogue_queries(start: date | None = None) -> list[Query]:
    queries = []
    for metric in CATALOGUE.values():
        clocks = ("calendar", "business") if metric.kind == "Duration" else ("calendar",)
        dims = [(d,) for d in DIMS if d in metric.dimensions] or [()]
        queries += [build_query(metric.id, "month", by, start=start, clock=clock)
                    for by in dims for clock in clocks]
    return queries


def pandas_in_child(parquet: Path, zone: str, workdir: Path, limit_gib: float
                    ) -> tuple[Step, dict[tuple[str, str], pd.DataFrame] | None]:
    """Time the pandas core in a child process; stop it when its memory passes ``limit_gib``.

    The child's resident set is sampled every 20 ms; past the limit it is killed and the step
    is reported as not finished (with the time and memory reached), so a size pandas cannot
    hold does not take the machine down.
    """
    import pickle
    import subprocess

    out = workdir / "pandas-result.pkl"
    out.unlink(missing_ok=True)
    code = (
        "import pickle, sys; sys.path.insert(0, sys.argv[1]); import core_pandas; "
        "from pathlib import Path; "
        "r = core_pandas.core_metrics(core_pandas.load(Path(sys.argv[2])), ('agent_id', 'channel'), sys.argv[3]); "
        "pickle.dump(r, open(sys.argv[4], 'wb'))"
    )
    name = "pandas: core (read Parquet + compute)"
    print(f"  {name} (child process, limit {limit_gib:g} GiB) ...", flush=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(Path(__file__).parent), str(parquet),
                              zone, str(out)])
    proc = psutil.Process(child.pid)
    peak, killed = 0, False
    while child.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        if peak > limit_gib * 2**30:
            child.kill()
            killed = True
            break
        time.sleep(0.02)
    child.wait()
    seconds = time.perf_counter() - started
    if killed or child.returncode != 0:
        why = f"stopped at the {limit_gib:g} GiB limit" if killed else f"failed ({child.returncode})"
        print(f"  {name}: {why} after {seconds:.1f} s", flush=True)
        return Step(name, seconds, peak, f"did not finish: {why} after {seconds:.0f} s"), None
    print(f"  {name}: {seconds:.2f} s, peak {peak / 2**30:.2f} GiB", flush=True)
    with out.open("rb") as f:
        return Step(name, seconds, peak), pickle.load(f)


def run_engine(engine: Engine, queries: list[Query]) -> list[pd.DataFrame]:
    return [engine.metric(q) for q in queries]


def engine_core(frames: list[pd.DataFrame]) -> dict[tuple[str, str], pd.DataFrame]:
    out = {}
    for frame in frames:
        dim = next(c for c in frame.columns if c in DIMS)
        out[(str(frame.metric.iloc[0]), dim)] = frame.rename(columns={dim: "dim"})
    return out


def check(name: str, expected: dict[tuple[str, str], pd.DataFrame],
          got: dict[tuple[str, str], pd.DataFrame]) -> int:
    bad = 0
    for key, frame in expected.items():
        n = core_pandas.differences(core_pandas.normalise(frame), core_pandas.normalise(got[key]))
        if n:
            print(f"  MISMATCH {name} {key}: {n} rows differ")
        bad += n
    rows = sum(len(core_pandas.normalise(f)) for f in expected.values())
    print(f"  {name}: {'same numbers' if not bad else f'{bad} rows differ'} ({rows} result rows)")
    return bad


# -- incremental ------------------------------------------------------------------------------

def add_one_day(ws: Workspace, workdir: Path, tickets: int) -> Step:
    """Generate and load one more day of tickets, events, calls and surveys."""
    last = ws.con.execute("SELECT max(created_at)::DATE FROM tickets").fetchall()[0][0]
    day = last + timedelta(days=1)
    per_day = max(100, tickets // 365)
    base = int(ws.con.execute("SELECT count(*) FROM tickets").fetchall()[0][0])
    tables = generate(seed=99, tickets=per_day, start=day, days=1, first_id=base + 10_000_000)
    directory = workdir / f"day-{tickets}-{day}"
    directory.mkdir(parents=True, exist_ok=True)
    import pyarrow.parquet as pq

    def load() -> None:
        for name in LOAD_ORDER:
            if name in ONCE:
                continue
            path = directory / f"{name}.parquet"
            pq.write_table(tables[name], path)
            assert ws.ingest(name, path, refresh=False).ok
    step, _ = timed(f"load one more day ({per_day:,} tickets, {day})", load)
    return step


# -- main -------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportmetrics-bench"))
    parser.add_argument("--spark", action="store_true", help="also time the core on Spark")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--incremental-only", action="store_true")
    parser.add_argument("--pandas-limit", type=float, default=20.0,
                        help="stop pandas when its memory passes this many GiB (default 20)")
    parser.add_argument("--memory-limit", help="[engine] memory_limit of a new workspace, e.g. 12GB")
    args = parser.parse_args()
    engine_settings = f'\n[engine]\nmemory_limit = "{args.memory_limit}"\n' if args.memory_limit else ""
    if args.incremental_only:
        with Workspace.open(build_workspace(args.workdir, args.tickets, engine_settings)) as ws:
            incremental(ws, args.workdir, args.tickets)
        return 0

    directory = build_workspace(args.workdir, args.tickets, engine_settings)
    ws = Workspace.open(directory)
    zone = ws.settings.timezone
    rows = input_rows(ws)
    total_rows = sum(rows.values())
    print("input rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    parquet = export_for_pandas(ws, args.workdir / f"parquet-{args.tickets}")
    steps: list[Step] = []

    frames_pd = None
    if not args.skip_pandas:
        # first, while this process holds little memory: the child may take up to the limit
        step, frames_pd = pandas_in_child(parquet, zone, args.workdir, args.pandas_limit)
        steps.append(step)
    step, floor = timed("floor: hand-written DuckDB SQL, core", lambda: core_sql.core_metrics(
        ws.con, zone))
    steps.append(step)
    ws.con.execute(f"DROP TABLE IF EXISTS {META_TABLE}")  # as before the first load's refresh
    step, frames = timed("engine: core, cold (stored tables built first)",
                         lambda: (ws.refresh(), run_engine(open_engine(ws), core_queries()))[1])
    steps.append(step)
    bad = check("engine (cold) vs floor", floor, engine_core(frames))
    step, frames = timed("engine: core, warm (stored tables up to date)",
                         lambda: run_engine(open_engine(ws), core_queries()))
    steps.append(step)
    bad += check("engine (warm) vs floor", floor, engine_core(frames))
    if not args.skip_full:
        queries = catalogue_queries()
        step, _ = timed("engine: whole catalogue, warm", lambda: run_engine(open_engine(ws), queries),
                        f"{len(queries)} queries")
        steps.append(step)
    if frames_pd is not None:
        bad += check("pandas vs floor", floor, frames_pd)
    if args.spark:
        spark = open_engine(ws, "spark://local[2]")  # session start and Parquet export untimed
        step, frames_sp = timed("engine on Spark local[2]: core",
                                lambda: run_engine(spark, core_queries()))
        steps.append(step)
        bad += check("spark vs floor", floor, engine_core(frames_sp))

    print_table(steps, total_rows, args.tickets)
    if args.incremental:
        incremental(ws, args.workdir, args.tickets)
    ws.close()
    return 1 if bad else 0


def incremental(ws: Workspace, workdir: Path, tickets: int) -> None:
    print("\nincremental: one more day, then the current month")
    last = ws.con.execute("SELECT max(created_at)::DATE FROM tickets").fetchall()[0][0]
    month = last.replace(day=1)
    before, _ = timed(f"engine: core, month of {month} only, before", lambda: run_engine(
        open_engine(ws), core_queries(month)))
    month = (last + timedelta(days=1)).replace(day=1)
    load = add_one_day(ws, workdir, tickets)
    done: list[dict[str, Any]] = []
    refresh, _ = timed("refresh the stored tables (the end of the load)",
                       lambda: done.append(ws.refresh()))
    refreshed = done[0]
    after, _ = timed(f"engine: core, month of {month} only, after", lambda: run_engine(
        open_engine(ws), core_queries(month)))
    full, _ = timed("engine: core, all months, after", lambda: run_engine(
        open_engine(ws), core_queries()))
    print(f"refresh: {refreshed}")
    for step in (before, load, refresh, after, full):
        print(f"| {step.name} | {step.seconds:.2f} |")


def print_table(steps: list[Step], total_rows: int, tickets: int) -> None:
    floor = next(s for s in steps if s.name.startswith("floor"))
    pandas_step = next((s for s in steps if s.name.startswith("pandas")), None)
    print(f"\n{tickets:,} tickets, {total_rows:,} input rows (tickets, events, calls, surveys)")
    print("| step | seconds | vs floor | vs pandas | peak RSS GiB | input rows/s | note |")
    print("|---|---|---|---|---|---|---|")
    if pandas_step and pandas_step.note.startswith("did not finish"):
        pandas_step = None
    for s in steps:
        vs_pandas = f"{s.seconds / pandas_step.seconds:.2f}x" if pandas_step else "-"
        print(f"| {s.name} | {s.seconds:.2f} | {s.seconds / floor.seconds:.2f}x | {vs_pandas} | "
              f"{s.peak_bytes / 2**30:.2f} | {total_rows / s.seconds:,.0f} | {s.note} |")


if __name__ == "__main__":
    raise SystemExit(main())
