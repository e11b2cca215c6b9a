"""Warm latency of single metric queries, `summary`, the report model and CLI start-up.

    .venv/bin/python benchmarks/bench_latency.py [--workspace DIR] [--tickets N] [--repeat R]
        [--skip-cli]

Uses the workspace in ``DIR`` (default ``/tmp/sm-latency/demo-N``), building the demo workspace
of N tickets (default 60,000, as ``supportmetrics demo``) first when it does not exist. One
engine is opened and every stored source brought up to date first (untimed): every figure is
*warm*, as a long-running process or the second call after a load sees it. Then, in the same
process, side by side:

* one query per metric kind of the catalogue (monthly, over the metric's own data), R times
  each: p50 and p95 of the engine, against a floor run R times on the same DuckDB connection.
  For the core metrics the floor is hand-written SQL (``core_sql.py``, over a facts table built
  once beforehand) and the numbers are checked equal; for the other kinds the floor is the SQL
  the engine compiled for that query, replayed (what a query costs without any Python);
* the same queries, each run over another single month (up to 12 months back): the compiled
  query of each shape is reused with other bounds; the note counts the compilations;
* `summary` (its 19 headline metrics, three months) and the whole monthly report model
  (``build_report``, without rendering), then the report written as HTML: engine against the SQL
  those calls sent to DuckDB, recorded and replayed;
* (``--catalogue``) the core subset (6 metrics x agent and channel, as bench_engine.py) and the
  whole catalogue (monthly, by agent and channel where the metric has them, durations on both
  clocks), warm, against the hand-written DuckDB SQL of the core subset (``core_sql.py``,
  deriving its facts from the raw events as bench_engine's floor does);
* CLI start-up: ``supportmetrics --help`` and ``--version`` in a fresh process, against
  ``python -c pass`` and ``python -c "import duckdb"``.

Numbers are ratios against the floor measured in the same run, never assertions.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis

sys.path.insert(0, str(Path(__file__).parent))

import core_pandas  # noqa: E402
import core_sql  # noqa: E402

from supportmetrics import Workspace  # noqa: E402
from supportmetrics.demo import build_demo  # noqa: E402
from supportmetrics.engine import build_query  # noqa: E402
from supportmetrics.engine.engine import Compiled  # noqa: E402
from supportmetrics.engine.summary import summary_rows  # noqa: E402

#: one metric per kind of the catalogue; the core ones have a hand-written floor
PER_KIND = {
    "Count": "ticket_volume",
    "Ratio": "csat",
    "Duration": "first_response_time",
    "Duration (calls)": "asa",
    "Ratio (solved)": "fcr_rate",
    "Mean": "aht",
    "Snapshot": "backlog",
    "Combined": "agent_utilization",
    "Rollup": "engagement_score",
}
CORE = ("ticket_volume", "first_response_time", "resolution_time", "fcr_rate", "csat", "asa")


@dataclass
class Row:
    name: str
    engine: list[float]
    floor: list[float]
    floor_kind: str
    note: str = ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def repeat(run: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        out.append(time.perf_counter() - started)
    return out


class Recorder:
    """Records the SQL (and parameters) of every query the engine runs, to replay it.

    Metric queries run from their compiled SQL (``Compiled.execute``); anything else through
    the backend's ``execute``.
    """

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.sql: list[tuple[str, dict[str, Any] | None]] = []
        self._execute = backend.execute
        self._compiled = Compiled.execute

    def __enter__(self) -> Recorder:
        def execute(expr: Any, *args: Any, **kwargs: Any) -> Any:
            self.sql.append((str(ibis.to_sql(expr, dialect="duckdb")), None))
            return self._execute(expr, *args, **kwargs)

        def compiled(query: Compiled, backend: Any, bounds: dict[str, Any]) -> Any:
            if query.sql is not None:
                used = {k: v for k, v in bounds.items() if f"${k}" in query.sql}
                self.sql.append((query.sql, used or None))
            return self._compiled(query, backend, bounds)

        self.backend.execute = execute
        Compiled.execute = compiled  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.backend.execute  # the class's method again
        Compiled.execute = self._compiled  # type: ignore[method-assign]


def replay(con: Any, statements: list[tuple[str, dict[str, Any] | None]]) -> None:
    for sql, params in statements:
        con.sql(sql, params=params).fetchall()


def channel_sql(metric: str, zone: str) -> str:
    """The hand-written query of ``metric`` monthly by channel (its core_sql channel part)."""
    parts = core_sql.queries(zone)[metric].split(" UNION ALL ")
    return next(p for p in parts if p.startswith("SELECT 'channel'"))


def single_queries(ws: Workspace, engine: Any, times: int) -> list[Row]:
    con = ws.con
    zone = ws.settings.timezone
    con.execute(core_sql.FACTS)  # the floor's facts, built once like the engine's stored ones
    rows = []
    try:
        for kind, metric_id in PER_KIND.items():
            by: tuple[str, ...] = ("channel",) if metric_id in CORE else ()
            query = build_query(metric_id, "month", by)
            engine.metric(query)  # warm: the stored sources this metric reads are up to date
            timings = repeat(lambda q=query: engine.metric(q), times)
            if metric_id in CORE:
                sql = channel_sql(metric_id, zone)
                floor = repeat(lambda s=sql: con.execute(s).fetchall(), times)
                expected = con.execute(sql).df().drop(columns="dimension")
                got = engine.metric(query).rename(columns={"channel": "dim"})
                bad = core_pandas.differences(core_pandas.normalise(expected),
                                              core_pandas.normalise(got))
                note = "same numbers" if not bad else f"MISMATCH: {bad} rows differ"
                floor_kind = "hand-written SQL"
            else:
                with Recorder(engine.backend) as recorder:
                    engine.metric(query)
                floor = repeat(lambda s=recorder.sql: replay(con, s), times)
                note = f"{len(recorder.sql)} statement(s)"
                floor_kind = "its SQL replayed"
            label = f"{kind}: {metric_id}" + (" by channel" if by else "")
            rows.append(Row(label, timings, floor, floor_kind, note))
            print(f"  {label}: p50 {statistics.median(timings) * 1000:.0f} ms, floor "
                  f"{statistics.median(floor) * 1000:.0f} ms ({note})", flush=True)
    finally:
        con.execute("DROP TABLE IF EXISTS bench_facts")
    return rows


def other_months(engine: Any, times: int) -> list[Row]:
    """Each run the same query over another month: a compiled shape run with other bounds."""
    last = engine.table_span("tickets")[1]
    months = []
    for back in range(times):
        index = last.year * 12 + last.month - 2 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    rows = []
    for kind, metric_id in PER_KIND.items():
        by: tuple[str, ...] = ("channel",) if metric_id in CORE else ()
        queries = [build_query(metric_id, "month", by, start=m,
                               end=date(m.year + m.month // 12, m.month % 12 + 1, 1))
                   for m in months]
        before = engine.compilations
        timings = []
        for query in queries:
            started = time.perf_counter()
            engine.metric(query)
            timings.append(time.perf_counter() - started)
        whole = build_query(metric_id, "month", by)
        with Recorder(engine.backend) as recorder:
            engine.metric(whole)
        floor = repeat(lambda s=recorder.sql: replay(engine.backend.con, s), times)
        rows.append(Row(f"{kind}: {metric_id}" + (" by channel" if by else ""), timings, floor,
                        "its SQL, all months, replayed",
                        f"{engine.compilations - before} compilations for {len(queries)} months"))
    return rows


def recorded(name: str, ws: Workspace, engine: Any, run: Callable[[], Any], times: int,
             note: str = "") -> Row:
    run()  # warm
    with Recorder(engine.backend) as recorder:
        run()
    timings = repeat(run, times)
    floor = repeat(lambda: replay(ws.con, recorder.sql), times)
    print(f"  {name}: p50 {statistics.median(timings):.2f} s, its SQL replayed "
          f"{statistics.median(floor):.2f} s", flush=True)
    return Row(name, timings, floor, "its SQL replayed",
               f"{len(recorder.sql)} statements" + (f"; {note}" if note else ""))


def catalogue(ws: Workspace, engine: Any, times: int) -> list[Row]:
    """The core subset and the whole catalogue through the held engine, against the core floor."""
    import bench_engine

    zone = ws.settings.timezone
    floor = repeat(lambda: core_sql.core_metrics(ws.con, zone), times)
    rows = []
    for name, queries in (("engine, core subset (12 queries)", bench_engine.core_queries()),
                          ("engine, whole catalogue", bench_engine.catalogue_queries())):
        engine.metrics(queries)  # warm: compiled once
        timings = repeat(lambda q=queries: engine.metrics(q), times)
        rows.append(Row(name, timings, floor, "hand-written SQL, core subset",
                        f"{len(queries)} queries"))
        print(f"  {name}: p50 {statistics.median(timings):.2f} s, core floor "
              f"{statistics.median(floor):.2f} s", flush=True)
    return rows


def report_period(engine: Any) -> str:
    last = engine.table_span("tickets")[1]
    month = date(last.year, last.month, 1)
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return f"{previous:%Y-%m}"


def cli_start(times: int) -> list[Row]:
    exe = Path(sys.executable).parent
    cli = str(exe / "supportmetrics")
    rows = []
    python_pass = repeat(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                         times)
    duckdb = repeat(lambda: subprocess.run([sys.executable, "-c", "import duckdb"], check=True),
                    times)
    for option in ("--help", "--version"):
        codes: set[int] = set()

        def run(option: str = option, codes: set[int] = codes) -> None:
            codes.add(subprocess.run([cli, option], capture_output=True).returncode)

        timings = repeat(run, times)
        note = "" if codes == {0} else f"exit {sorted(codes)}"
        rows.append(Row(f"CLI `supportmetrics {option}`", timings, python_pass,
                        "`python -c pass`", note))
    rows.append(Row("`python -c \"import duckdb\"`", duckdb, python_pass, "`python -c pass`"))
    return rows


def print_table(title: str, rows: list[Row], unit: str) -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    print(f"\n{title}\n")
    print(f"| step | p50 {unit} | p95 {unit} | floor p50 {unit} | floor | p50 vs floor | note |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        p50, p95 = percentile(row.engine, 0.5), percentile(row.engine, 0.95)
        f50 = percentile(row.floor, 0.5)
        digits = 0 if unit == "ms" else 2
        print(f"| {row.name} | {p50 * scale:.{digits}f} | {p95 * scale:.{digits}f} | "
              f"{f50 * scale:.{digits}f} | {row.floor_kind} | {p50 / f50:.1f}x | {row.note} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--tickets", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each single query")
    parser.add_argument("--repeat-slow", type=int, default=5,
                        help="runs of summary, the report and each CLI start-up")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--catalogue", action="store_true",
                        help="also time the core subset and the whole catalogue (as bench_engine)")
    args = parser.parse_args()
    directory = args.workspace or Path(tempfile.gettempdir()) / "sm-latency" / f"demo-{args.tickets}"
    if not (directory / "supportmetrics.duckdb").exists():
        started = time.perf_counter()
        build_demo(directory, tickets=args.tickets)
        print(f"built the demo workspace ({args.tickets:,} tickets) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    with Workspace.open(directory) as ws:
        tickets = ws.con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
        print(f"workspace {directory}: {tickets:,} tickets", flush=True)
        started = time.perf_counter()
        engine = ws.engine()
        engine.refresh()
        print(f"  engine opened, stored sources up to date in "
              f"{time.perf_counter() - started:.2f} s (untimed below)", flush=True)
        whole = catalogue(ws, engine, args.repeat_slow) if args.catalogue else []
        singles = single_queries(ws, engine, args.repeat)
        months = other_months(engine, min(args.repeat, 12))
        from supportmetrics.reports import build_report, write_report

        period = report_period(engine)
        summary = recorded("`summary` (19 headline metrics x 3 months)", ws, engine,
                           lambda: summary_rows(ws), args.repeat_slow)
        report = recorded(f"report model, monthly, {period}", ws, engine,
                          lambda: build_report(ws, period=period), args.repeat_slow)
        out = Path(tempfile.mkdtemp()) / "report.html"
        html = Row("report written as HTML (model + render)",
                   repeat(lambda: write_report(build_report(ws, period=period), "html", out),
                          args.repeat_slow),
                   report.floor, "report SQL replayed")
    cli = [] if args.skip_cli else cli_start(args.repeat_slow)
    print_table(f"Single metric queries, warm, {tickets:,} tickets ({args.repeat} runs each)",
                singles, "ms")
    print_table(f"The same queries, each run over another month ({len(months[0].engine)} "
                "months, each once)", months, "ms")
    print_table(f"Whole calls, warm ({args.repeat_slow} runs each)", [summary, report, html], "s")
    if whole:
        print_table(f"Core subset and whole catalogue, warm ({args.repeat_slow} runs each)",
                    whole, "s")
    if cli:
        print_table(f"CLI start-up ({args.repeat_slow} runs each)", cli, "s")
    mismatches = [r.name for r in singles if r.note.startswith("MISMATCH")]
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
