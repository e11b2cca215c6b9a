"""The engine facade: compile catalogue metrics for a query and run them on a backend."""

from __future__ import annotations

import contextlib
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import duckdb
import ibis
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa

from supportmetrics import calendar as cal
from supportmetrics.config import Settings
from supportmetrics.engine import store
from supportmetrics.engine.compile import (
    Context,
    check_dimensions,
    check_parts,
    compile_metric,
    derived_inputs,
    filtered,
    part_units,
    resolve,
    snapshot_units,
    unit_values,
    where_value,
    with_period,
)
from supportmetrics.engine.query import Clock, Grain, Query, Stat, TimeRange
from supportmetrics.engine.sources import SOURCES, Sources, attribute_column, attribute_name
from supportmetrics.errors import QueryError, QueryWarning, WorkspaceError, translate_errors
from supportmetrics.ingest.load import bump_generation
from supportmetrics.metrics import CATALOGUE, get_metric
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Data,
    Derived,
    Duration,
    Metric,
    Needs,
    Rollup,
    Snapshot,
    setting,
)
from supportmetrics.schema import TABLES
from supportmetrics.schema.tables import ColumnType

COUNT_KINDS = (Count, Snapshot)
_TIME_TYPES = (ColumnType.TIMESTAMP, ColumnType.DATE)
#: the columns of a metric's rows besides its ``--by`` columns
OUTPUT_COLUMNS = ("metric", "period", "value", "count", "without_end")


class Engine:
    """Runs metric queries against one Ibis backend holding the canonical tables.

    Over a workspace (``workspace``), every query first compares the workspace's load
    generation with the one the engine's state (data span, calendars, temporary tables) was
    built at, and builds it again when a load came in between, in this process or another: a
    held engine never answers from old data. A query never writes to the workspace; the stored
    per-ticket tables are read when current and computed afresh (temporary tables) when not.
    ``close()`` (or a ``with`` block) drops what the engine created.
    """

    def __init__(
        self, backend: Any, settings: Settings, materialize: bool = True, workspace: Any = None,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self._workspace = workspace
        self._materializing = materialize
        # temporary tables are named per engine (no counter shared between engines)
        self._prefix = uuid.uuid4().hex[:10]
        self._serial = 0
        self._temporaries: list[str] = []
        self._generation: int | None = None
        self._depth = 0
        self._closed = False
        #: what Engine.refresh() did to each stored source (engine/store.py)
        self.refreshed: dict[str, store.Refresh] = {}
        #: stored sources this engine computed itself because the store was not current
        self.stale: tuple[str, ...] = ()
        #: compiled queries kept (a long-lived engine asked for ever new ranges)
        self.compiled_limit = 512
        #: how many metric expressions this engine compiled (each query shape once per load)
        self.compilations = 0
        #: each query's compiled form by its shape (or shape and range), most recently used
        #: last: building and compiling the Ibis expression costs several times running it
        self._compiled: OrderedDict[tuple[Any, ...], Compiled] = OrderedDict()
        #: the range's bounds as query parameters of the compiled queries
        self._bounds = (ibis.param("timestamp"), ibis.param("timestamp"))
        #: the in-memory tables the queries read (zones, business hours, each range's periods)
        #: by name, and those present on the current connection (DuckDB: temporary tables)
        self._helpers: dict[str, pa.Table] = {}
        self._live: set[str] = set()
        self._live_on: Any = None
        with self._current():
            pass

    # -- freshness and lifetime ------------------------------------------------------------

    @contextmanager
    def _current(self) -> Iterator[None]:
        """Around each query: hold the workspace and rebuild the state if a load came in."""
        if self._closed:
            raise WorkspaceError("this engine was closed; open a new one with Workspace.engine()")
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        session = self._workspace.session() if self._workspace is not None else None
        with session if session is not None else contextlib.nullcontext():
            self._depth += 1
            try:
                if self._workspace is not None:
                    backend = self._workspace.backend
                    generation = self._workspace.generation()
                    if generation != self._generation:
                        self._setup(backend, generation)
                    elif backend is not self.backend:
                        self._bind(backend)  # connected again, same data
                elif self._generation is None:
                    self._setup(self.backend, 0)
                yield
            finally:
                self._depth -= 1

    def _setup(self, backend: Any, generation: int) -> None:
        """(Re)build the engine's state over ``backend`` at load ``generation``.

        Everything derived from the data goes: spans, calendars, compiled queries (a compiled
        query never answers from an older load than the engine's).
        """
        self._drop_temporaries()
        self.backend = backend
        self._generation = generation
        self._compiled.clear()
        self._periods: dict[tuple[str, date, date], tuple[tuple[cal.Period, ...], Any]] = {}
        self._helpers.clear()
        self._live.clear()
        self._span: tuple[date, date] | None = None
        self._source_spans: dict[tuple[str, ...], tuple[date, date] | None] = {}
        self._has: dict[Data, bool] = {}
        self._data_end: datetime | None = None
        first, last = self._data_span()
        self._first_day = first - timedelta(days=400)
        self._last_day = last + timedelta(days=400)
        self.zone_table = self._helper(
            "zones", cal.zone_days(self.settings.timezone, self._first_day, self._last_day)
        )
        self.business_table = self._helper(
            "hours", cal.business_table(self.settings, self._first_day, self._last_day)
        )
        self._fingerprint: str | None = None
        self.stale = ()
        self._bind(backend)

    def _bind(self, backend: Any) -> None:
        """Sources over ``backend``; the data span, calendars, fingerprint and the compiled
        queries are kept (those that read tables this engine computed go with them)."""
        self.backend = backend
        for key in [k for k, c in self._compiled.items() if c.sql and "_sm_cache_" in c.sql]:
            del self._compiled[key]
        if self._helpers and backend.name == "duckdb":
            for name in (self.zone_table.get_name(), self.business_table.get_name()):
                self._present(name)
            # expressions the engine hands out (ticket_facts, units) are executed by the caller
            # on the backend their tables name: these tables must be the new backend's
            self.zone_table = backend.table(self.zone_table.get_name())
            self.business_table = backend.table(self.business_table.get_name())
        self.sources = Sources(
            backend.table,
            self.settings,
            materialize=self._materialize if self._materializing else None,
            zone_table=self.zone_table,
            business_table=self.business_table,
        )
        if self._materializing and backend.name == "duckdb":
            # the per-ticket stage is kept in the workspace by the writers (engine/store.py)
            for name in store.STORED:
                self.sources.loader(name, partial(self._stored, name))

    def _stored(self, name: str) -> Any:
        """A stored source when it is current; else computed here, in temporary tables."""
        con = self.backend.con
        if self._fingerprint is None:
            self._fingerprint = store.fingerprint(con, self.settings)
        if store.is_current(con, name, self._fingerprint):
            return self.backend.table(store.stored_name(name))
        if not self.stale:
            warnings.warn(
                "the stored per-ticket tables are older than the data or the settings, so this "
                "answer was computed from the tickets directly (slower); run `supportmetrics "
                "refresh` to store them again",
                QueryWarning,
                stacklevel=2,
            )
        if name not in self.stale:
            self.stale = (*self.stale, name)
        return self.sources.build(name)

    def refresh(self) -> dict[str, store.Refresh]:
        """Bring every stored source up to date (a write: loads and ``refresh`` call it)."""
        if self._workspace is not None and self._workspace.read_only:
            raise WorkspaceError(
                f"{self._workspace.directory}: opened read-only; the stored tables are refreshed "
                "by `supportmetrics refresh` or a load"
            )
        with self._current():
            con = self.backend.con
            current = store.fingerprint(con, self.settings)
            done = {
                name: store.refresh(self, name, self._build_source, current)
                for name in store.STORED
            }
            if any(r.kind != "none" for r in done.values()):
                bump_generation(con)  # engines holding the computed sources switch to these
        self.refreshed = done
        return dict(done)

    def forget_connection(self) -> None:
        """The workspace let go of its connection: the temporary tables went with it."""
        self._temporaries.clear()
        self._live.clear()

    def close(self) -> None:
        """Drop the temporary tables this engine made; it answers no more queries."""
        if not self._closed:
            self._drop_temporaries()
            self._closed = True

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drop_temporaries(self) -> None:
        tables, self._temporaries = self._temporaries, []
        self._live.clear()
        if not tables or self.backend.name != "duckdb":
            return
        with contextlib.suppress(duckdb.Error):
            for table in tables:
                self.backend.con.execute(f"DROP TABLE IF EXISTS {table}")

    def _build_source(self, name: str, scoped: dict[str, str] | None) -> Any:
        """Source ``name`` over all tickets or (``scoped``) over stand-in tables.

        ``scoped`` maps ``tickets`` / ``ticket_events`` to tables holding only the tickets to
        recompute. Over all tickets the expression is left for the caller to write into the
        workspace, and the sources built from the facts read the stored facts.
        """
        renames = scoped or {}

        def materialize(source: str, expr: Any) -> Any:
            # the built source goes straight into the workspace; the status changes have one
            # reader in any one build, so they are computed inline rather than written first
            if (scoped is None and source == name) or source == "status_changes":
                return expr
            return self._materialize(source, expr)

        sources = Sources(
            lambda table: self.backend.table(renames.get(table, table)),
            self.settings,
            materialize=materialize,
            zone_table=self.zone_table,
            business_table=self.business_table,
        )
        if scoped is None and name != "facts":
            sources.preset("facts", self.backend.table(store.stored_name("facts")))
        return sources.get(name)

    @contextmanager
    def scratch(self) -> Iterator[None]:
        """Temporary tables made inside the block are dropped when it ends."""
        mark = len(self._temporaries)
        try:
            yield
        finally:
            for table in self._temporaries[mark:]:
                self.backend.con.execute(f"DROP TABLE IF EXISTS {table}")
            del self._temporaries[mark:]

    # -- plumbing --------------------------------------------------------------------------

    def _helper(self, kind: str, data: pa.Table) -> Any:
        """A small table of the engine's own (time zones, business hours, periods) as a table
        the queries read.

        On DuckDB it is a temporary table of a name unique to this engine, made again on a
        new connection (a reader connects per query), so a compiled query that reads it by
        name keeps working; elsewhere (Spark) an in-memory table.
        """
        if self.backend.name != "duckdb":
            return ibis.memtable(data)
        self._serial += 1
        name = f"_sm_helper_{self._prefix}_{kind}_{self._serial}"
        self._helpers[name] = data
        self._present(name)
        return self.backend.table(name)

    def _present(self, name: str) -> None:
        """Make helper table ``name`` on the current connection if it is not there yet."""
        con = self.backend.con
        if con is not self._live_on:  # another connection: its temporary tables are its own
            self._live, self._live_on = set(), con
        if name in self._live:
            return
        con.register(f"{name}_in", self._helpers[name])
        try:
            con.execute(f'CREATE OR REPLACE TEMPORARY TABLE "{name}" AS SELECT * FROM "{name}_in"')
        finally:
            con.unregister(f"{name}_in")
        self._live.add(name)
        self._temporaries.append(name)

    def _materialize(self, name: str, expr: Any) -> Any:
        """Compute a source once per engine as a temporary table (facts, waits, SLA clocks).

        Each engine gets fresh names, so no table is ever overwritten (Ibis's overwrite of
        temporary tables is not portable). Spark has no temporary tables: there it is a cached
        temporary view.
        """
        self._serial += 1
        table = f"_sm_cache_{self._prefix}_{name}_{self._serial}"
        if self.backend.name == "pyspark":
            from supportmetrics.engine.spark import cache_view

            return cache_view(self.backend, table, expr)
        self._temporaries.append(table)
        return self.backend.create_table(table, expr, temp=True)

    def _span_expr(self, name: str, every_time: bool = False) -> Any:
        """First and last instant of one table's time column (``lo``, ``hi``) as an expression.

        ``every_time``: over all its time columns (a ticket's solve, a customer's churn).
        """
        t = self.backend.table(name)
        spec = TABLES[name]
        names = ([c.name for c in spec.columns if c.type in _TIME_TYPES] if every_time
                 else [spec.span])
        columns = []
        for column_name in names:
            column = t[column_name]
            if column.type().is_date():  # the ledger's: a booking day, placed at its noon
                column = column.cast("timestamp") + ibis.interval(hours=12)
            columns.append(column.cast("timestamp"))
        if len(columns) == 1:
            return t.aggregate(lo=columns[0].min(), hi=columns[0].max())
        return t.aggregate(lo=ibis.least(*(c.min() for c in columns)),
                           hi=ibis.greatest(*(c.max() for c in columns)))

    def _span_of(self, name: str) -> tuple[date, date] | None:
        """First and last UTC date of one table's time column; None when it is empty."""
        return _dates(self._span_expr(name).execute())

    def data_span(self) -> tuple[date, date]:
        """First and last date with any data (today when the workspace is empty)."""
        with self._current():
            return self._data_span()

    def _data_span(self) -> tuple[date, date]:
        if self._span is None:
            # one query over every table's time column (one round trip, not one per table)
            spans = ibis.union(*(self._span_expr(name) for name in TABLES))
            span = _dates(spans.aggregate(lo=spans.lo.min(), hi=spans.hi.max()).execute())
            self._span = span or (date.today(), date.today())
        return self._span

    def table_span(self, name: str) -> tuple[date, date]:
        """First and last UTC date of one table's time column (the data span when empty)."""
        with self._current():
            return self._span_of(name) or self._data_span()

    def metric_span(self, metric: Metric) -> tuple[date, date] | None:
        """First and last local date of the metric's own data: the tables of its source.

        None when those tables are empty.
        """
        return self.local_span(SOURCES[metric.source].tables)

    def local_span(self, tables: tuple[str, ...] = tuple(TABLES)) -> tuple[date, date] | None:
        """First and last local date (workspace time zone) of any time in ``tables``' rows.

        None when they are all empty.
        """
        if tables not in self._source_spans:
            spans = ibis.union(*(self._span_expr(name, every_time=True) for name in tables))
            row = spans.aggregate(lo=spans.lo.min(), hi=spans.hi.max()).execute()
            utc = _dates_utc(row)
            self._source_spans[tables] = None if utc is None else (
                _local_date(utc[0], self.settings.timezone),
                _local_date(utc[1], self.settings.timezone),
            )
        return self._source_spans[tables]

    def context(self, query: Query) -> Context:
        first, last = self.resolve_range(query)
        grain = "range" if query.grain is Grain.RANGE else query.grain.value
        key = (grain, first, last)
        if key not in self._periods:  # one periods table per range, shared by its queries
            made = cal.periods(grain, first, last, self.settings.timezone)
            columns = {
                "period": [p.start for p in made],
                "start_utc": [p.start_utc for p in made],
                "end_utc": [p.end_utc for p in made],
                "days": [float((p.end - p.start).days) for p in made],
            }
            table = (self._helper("periods", pa.table({
                "period": pa.array(columns["period"], pa.date32()),
                "start_utc": pa.array(columns["start_utc"], pa.timestamp("us")),
                "end_utc": pa.array(columns["end_utc"], pa.timestamp("us")),
                "days": pa.array(columns["days"], pa.float64()),
            })) if self.backend.name == "duckdb" else ibis.memtable(pd.DataFrame(columns)))
            self._periods[key] = tuple(made), table
            if len(self._periods) > self.compiled_limit:  # the oldest range goes (its table
                del self._periods[next(iter(self._periods))]  # stays until the next load)
        periods, periods_table = self._periods[key]
        if self.backend.name == "duckdb":
            self._present(periods_table.get_name())
        return Context(
            self.sources, self.settings, self.zone_table, self.business_table,
            first, last, periods, periods_table, self.as_of(query),
        )

    def as_of(self, query: Query) -> datetime:
        """The instant (naive UTC) SLA targets are judged at: --as-of, else the data's end."""
        if query.as_of is None:
            return self.data_end()
        instant = query.as_of
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=self.settings.zone)
        return instant.astimezone(UTC).replace(tzinfo=None)

    def data_end(self) -> datetime:
        """The last instant of the ticket data: the latest creation, reply, solve or event."""
        if self._data_end is None:
            spans = ibis.union(self._span_expr("tickets", every_time=True),
                               self._span_expr("ticket_events", every_time=True))
            utc = _dates_utc(spans.aggregate(lo=spans.lo.min(), hi=spans.hi.max()).execute())
            self._data_end = (utc[1].to_pydatetime() if utc is not None
                              else datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        return self._data_end

    def resolve_range(self, query: Query) -> tuple[date, date]:
        """The query's [start, end) in local dates; an open side ends at the metric's own data.

        A metric's own data is the time span of the tables its units come from (tickets and
        their events, calls, surveys, ...), not of the whole workspace: customers who signed
        up years before the first ticket do not give a ticket metric years of empty periods.
        """
        start, end = query.range.start, query.range.end
        lo, hi = self.metric_span(get_metric(query.metric)) or self.data_span()
        start = start or lo
        end = end or hi + timedelta(days=1)
        if query.grain is not Grain.RANGE:
            start = _grain_start(start, query.grain)
            if end != _grain_start(end, query.grain):
                end = _next_grain(_grain_start(end, query.grain), query.grain)
        return start, end

    # -- what the workspace has -----------------------------------------------------------

    def has(self, data: Data) -> bool:
        """Whether the workspace holds any row of ``data`` (asked once per engine)."""
        if data not in self._has:
            t = self.backend.table(data.table)
            if data.where is not None:
                t = t.filter(resolve(data.where, t, self.settings))
            self._has[data] = bool(t.limit(1).count().execute())
        return self._has[data]

    def lacking(self, metric: Metric) -> str | None:
        """The data the workspace lacks to compute ``metric`` ("calls"); None when it has it.

        A metric needs a row in one of its source's tables, then every one of its declared
        :class:`~supportmetrics.metrics.model.Needs`; a rollup also what its metric needs.
        """
        if isinstance(metric, Rollup):
            inner = self.lacking(get_metric(metric.of))
            if inner is not None:
                return inner
        source = SOURCES[metric.source]
        needs = (Needs(source.data, tuple(Data(t) for t in source.tables)), *metric.needs)
        for need in needs:  # the first thing missing: without the source, nothing else counts
            if not any(self.has(d) for d in need.any_of):
                return need.what
        return None

    def missing_data(self, metric: Metric) -> str | None:
        """The note for a metric the workspace cannot compute (None when it can)."""
        lacking = self.lacking(metric)
        if lacking is None:
            return None
        return f"{metric.id}: no {lacking} in the workspace; left empty (not 0)"

    # -- metrics ---------------------------------------------------------------------------

    def in_namespace(self, metric: Metric, query: Query) -> Query:
        """``query`` with each ``--by`` / ``--where`` name that means an attribute column made
        the engine's name for it (see ``ATTRIBUTE_PREFIX``).

        A name means an attribute when it is not one of the metric's dimensions and the
        metric's units carry an attribute column of that name; otherwise it names a column of
        the units as it is (a dimension, or a column such as ``request_kind`` for ``--where``).
        """
        if not query.by and not query.where:
            return query
        columns = set(self.sources.get(metric.source).columns)

        def column(name: str) -> str:
            inner = attribute_column(name)
            return inner if inner in columns and name not in metric.dimensions else name

        by = tuple(column(name) for name in query.by)
        for name, inner in zip(query.by, by, strict=True):
            if inner != name and name in OUTPUT_COLUMNS:
                raise QueryError(
                    f"--by {name}: the attribute column {name!r} has the name of a column every "
                    f"row of a metric has ({', '.join(OUTPUT_COLUMNS)}); rename it to break "
                    f"down by it: `supportmetrics attributes rename TABLE {name} NEW_NAME`"
                )
        return replace(query, by=by, where=tuple((column(n), v) for n, v in query.where))

    def expression(self, query: Query) -> Any:
        metric = get_metric(query.metric)
        with self._current():
            query = self.in_namespace(metric, query)
            return compile_metric(metric, query, self.context(query))

    @translate_errors()
    def metric(self, query: Query) -> pd.DataFrame:
        """Rows of (metric, period, *by, value, count[, without_end]) for one metric."""
        with self._current():
            return self._metric(query)

    def _metric(self, query: Query) -> pd.DataFrame:
        metric = get_metric(query.metric)
        if query.clock is Clock.BUSINESS and not isinstance(metric, Duration):
            query = replace(query, clock=Clock.CALENDAR)
        query = self.in_namespace(metric, query)
        ctx = self.context(query)
        missing = self.missing_data(metric)
        if missing is not None:
            # nothing to compute it from: every value null with a note, never 0
            warnings.warn(QueryWarning(missing), stacklevel=2)
            return self._complete(metric, query, ctx, pd.DataFrame(), empty=True)
        frame = self._complete(metric, query, ctx, self._run(metric, query, ctx))
        return frame.rename(columns={c: attribute_name(c) for c in query.by})

    def _run(self, metric: Metric, query: Query, ctx: Context) -> pd.DataFrame:
        """The rows of ``query``, from its compiled form (compiled here the first time).

        A query is compiled once per shape: the same query over another range runs the same
        compiled SQL with other bounds, unless it reads the range's periods table (snapshots,
        combined metrics), which makes it one compiled query per range.
        """
        shape = (replace(query, range=TimeRange()), ctx.as_of)
        exact = (query, ctx.first, ctx.last, ctx.as_of)
        bounds = {"sm_start": datetime.combine(ctx.first, datetime.min.time()),
                  "sm_end": datetime.combine(ctx.last, datetime.min.time())}
        key = shape if shape in self._compiled else exact
        compiled = self._compiled.get(key)
        if compiled is None:
            self.compilations += 1
            compiled = Compiled(self.backend, metric, query, ctx, self._bounds, self._helpers)
            key = exact if compiled.per_range else shape
            self._compiled[key] = compiled
            while len(self._compiled) > self.compiled_limit:  # the least recently used goes,
                self._compiled.popitem(last=False)  # with the in-memory tables only it read
        self._compiled.move_to_end(key)
        for name in compiled.helpers:  # a new connection, or a range's table made again
            self._present(name)
        return compiled.execute(self.backend, bounds)

    def _complete(self, metric: Metric, query: Query, ctx: Context, frame: pd.DataFrame,
                  empty: bool = False) -> pd.DataFrame:
        columns = ["period", *query.by, "value", "count"]
        if isinstance(metric, Duration):
            columns.append("without_end")
        if not query.by:  # one row per period of the range: made directly, not merged
            return self._complete_periods(metric, ctx, frame, columns, empty)
        frame = frame[columns].copy() if len(frame) else pd.DataFrame(columns=columns)
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        if not query.by:
            periods = pd.DataFrame({"period": [p.start for p in ctx.periods]})
            frame = periods.merge(frame, on="period", how="left")
        frame["count"] = frame["count"].fillna(0).astype("int64")
        if "without_end" in frame:
            frame["without_end"] = frame["without_end"].fillna(0).astype("int64")
        if isinstance(metric, COUNT_KINDS) and not empty:
            frame["value"] = frame["value"].fillna(0.0)
        # 9 decimals: below any unit shown, above float noise (700 / 10000 x 100 = 7.000000000000001)
        frame["value"] = frame["value"].astype("float64").round(9)
        frame = frame.sort_values(["period", *query.by], na_position="last").reset_index(drop=True)
        frame.insert(0, "metric", metric.id)
        frame["period"] = frame["period"].map(lambda d: d.isoformat())
        return frame

    def _complete_periods(self, metric: Metric, ctx: Context, frame: pd.DataFrame,
                          columns: list[str], empty: bool) -> pd.DataFrame:
        """The rows of a query without ``--by``: each period of the range once, in order, a
        period without units holding a count of 0 and no value (0 for counts)."""
        found: dict[date, tuple[Any, ...]] = {}
        if len(frame):
            days = pd.to_datetime(frame["period"]).dt.date
            found = dict(zip(days, zip(*(frame[c] for c in columns[1:]), strict=True),
                             strict=True))
        zero = 0.0 if isinstance(metric, COUNT_KINDS) and not empty else None
        blank = (zero, 0, 0)
        rows = [found.get(p.start, blank) for p in ctx.periods]
        out = pd.DataFrame({
            "metric": metric.id,
            "period": [p.start.isoformat() for p in ctx.periods],
            "value": pd.array([zero if pd.isna(r[0]) else r[0] for r in rows], dtype="float64"),
        })
        out["value"] = out["value"].astype("float64").round(9)
        for index, name in enumerate(columns[2:], start=1):
            out[name] = pd.Series([0 if pd.isna(r[index]) else r[index] for r in rows],
                                  dtype="float64").astype("int64")
        return out

    @translate_errors()
    def metrics(self, queries: list[Query]) -> pd.DataFrame:
        with self._current():
            frames = [self._metric(q) for q in queries]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @translate_errors()
    def sla_at_risk(self, as_of: datetime, within_seconds: float,
                    where: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
        """Open tickets whose SLA target will be breached within ``within_seconds`` on the SLA
        clock, judged as of ``as_of`` (local time of the workspace when naive): one row per
        target at risk (``ticket_id``, ``priority``, ``team``, ``agent_id``, ``created_at``,
        ``target``, ``seconds_left``), soonest first. A target not yet due is pending, not
        breached; a ticket created after ``as_of`` is not open yet.
        """
        from supportmetrics.metrics.sla import SLA_COMPLIANCE, at_risk

        with self._current():
            query = self.in_namespace(SLA_COMPLIANCE, Query(SLA_COMPLIANCE.id, where=where,
                                                            as_of=as_of))
            at = self.as_of(query)
            t = self.sources.get("sla", at)
            t = t.filter(t.has_targets & (t.created_at <= ibis.literal(at, "timestamp")))
            for column, value in query.where:
                if column not in t.columns:
                    raise QueryError(f"--where {column}: not a column of the SLA's tickets "
                                     f"({', '.join(SLA_COMPLIANCE.dimensions)})")
                t = t.filter(t[column].cast("string") == value)
            return self.backend.execute(at_risk(t, within_seconds))

    # -- explain ---------------------------------------------------------------------------

    @translate_errors()
    def explain(self, query: Query) -> pd.DataFrame:
        """The units behind each number of ``query``, with each unit's own value."""
        with self._current():
            return self._explain(query)

    def _explain(self, query: Query) -> pd.DataFrame:
        metric = get_metric(query.metric)
        query = self.in_namespace(metric, query)
        ctx = self.context(query)
        if isinstance(metric, (Combined, Rollup)):
            return self._explain_parts(metric, query, ctx)
        if isinstance(metric, Derived):
            return self._explain_inputs(metric, query, ctx)
        source = SOURCES[metric.source]
        units = self.sources.get(metric.source, ctx.as_of)
        check_dimensions(metric, query, units)
        t = filtered(metric.where, query, units, self.settings)
        if isinstance(metric, Snapshot):
            age = setting(metric.min_age_seconds, self.settings)
            t = snapshot_units(t, metric.opened, metric.closed, "end", ctx, age, metric.age_from)
        else:
            t = with_period(t, metric.anchor, query, ctx)
        t, values = unit_values(metric, t, query, ctx)
        unit_value = values.pop("value")
        extra = dict(values)
        dims = [d for d in metric.dimensions if d in t.columns]
        extra.update({c: t[c] for c in metric.explain_columns})
        anchor = t[metric.anchor] if metric.anchor in t.columns else ibis.null("timestamp")
        out = t.select(
            period=t.period,
            unit=t[source.unit_id].cast("string"),
            anchor_at=anchor,
            **{d: t[d] for d in dims},
            **extra,
            value=unit_value,
        ).order_by(["period", "anchor_at", "unit"])
        frame = self.backend.execute(out)
        frame["period"] = pd.to_datetime(frame["period"]).dt.date.map(lambda d: d.isoformat())
        return frame

    def _explain_inputs(self, metric: Derived, query: Query, ctx: Context) -> pd.DataFrame:
        """The units of each input of a Derived metric, named by the input (``part``)."""
        frames = []
        for name, inner in derived_inputs(metric, query, ctx).items():
            # over the metric's own periods, not the input's (its data may span others)
            frame = self._explain(replace(inner, range=TimeRange(ctx.first, ctx.last)))
            frames.append(frame[["period", "unit", "anchor_at", "value"]].assign(part=name))
        frame = pd.concat(frames, ignore_index=True)
        frame = frame[["period", "part", "unit", "anchor_at", "value"]]
        return frame.sort_values(["period", "part", "anchor_at", "unit"]).reset_index(drop=True)

    def _explain_parts(self, metric: Any, query: Query, ctx: Context) -> pd.DataFrame:
        if isinstance(metric, Rollup):
            return self._explain(replace(query, metric=metric.of))
        check_parts(metric, query, ctx)
        frames = []
        for name, part in metric.parts.items():
            source = SOURCES[part.source]
            t = part_units(name, part, query, ctx)
            anchor = t[part.opened if part.at in ("start", "end") else part.anchor]
            measure = resolve(part.measure, t, self.settings)
            out = t.select(
                period=t.period,
                part=ibis.literal(name),
                unit=t[source.unit_id].cast("string"),
                anchor_at=anchor.cast("timestamp"),
                value=ibis.literal(1.0) if measure is None else measure.cast("float64"),
            )
            frames.append(self.backend.execute(out))
        frame = pd.concat(frames, ignore_index=True)
        frame["period"] = pd.to_datetime(frame["period"]).dt.date.map(lambda d: d.isoformat())
        return frame.sort_values(["period", "part", "anchor_at", "unit"]).reset_index(drop=True)

    # -- facts -----------------------------------------------------------------------------

    def ticket_facts(self, business: bool = True) -> Any:
        """The per-ticket facts table (Ibis), with calendar and business-clock durations.

        The expression reads the workspace when executed: hold it (``with workspace:``) until.
        """
        with self._current():
            return self._ticket_facts(business)

    def agent_teams(self) -> pd.DataFrame:
        """Each agent's team (columns ``agent_id``, ``team``): the team of most of the agent's
        tickets, ties to the first name; the team calls and shifts count for."""
        with self._current():
            teams = self.sources.agent_teams().select("agent_id", team="agent_team")
            return self.backend.execute(teams.order_by("agent_id"))

    def units(self, source: str, where: tuple[tuple[str, str], ...] = ()) -> Any:
        """The units of ``source`` (e.g. ``surveys``: one row per response, with the ticket's
        team and category) as the metrics count them, filtered by ``where`` as a query's
        ``--where`` is; a column the source does not have is not filtered on, and a
        :class:`QueryWarning` says so.

        The expression reads the workspace when executed: hold it (``with workspace:``) until.
        """
        with self._current():
            t = self.sources.get(source)
            for name, value in where:
                if name in t.columns:
                    t = t.filter(t[name] == where_value(name, t[name].type(), value))
                else:
                    warnings.warn(QueryWarning(
                        f"{source}: --where {name} does not apply to the "
                        f"{SOURCES[source].description}, which have no such column; "
                        "not filtered on it"), stacklevel=2)
            return t

    def _ticket_facts(self, business: bool) -> Any:
        from supportmetrics.engine.facts import with_wait_summary

        t = with_wait_summary(self.sources.get("sla"), self.sources.get("waits"))
        for name, start, end in (
            ("first_response", "created_at", "first_response_at"),
            ("resolution", "created_at", "solved_at"),
        ):
            for clock, out in ((False, f"{name}_seconds"), (True, f"{name}_business_seconds")):
                if business or not clock:
                    t = cal.clock_duration(t, start, end, out, business=clock,
                                           business_table=self.business_table, settings=self.settings)
        # attribute columns under their own names; one named like a facts column gets the
        # prefix ``attr_`` (as a load names an attribute named like a canonical column)
        names = set(t.columns)
        return t.rename({
            (attribute_name(c) if attribute_name(c) not in names else "attr_" + attribute_name(c)): c
            for c in t.columns if c != attribute_name(c)
        })


#: stand-in values for the range's bounds while compiling, each then a query parameter
_SENTINELS = {"sm_start": datetime(1901, 2, 3, 4, 5, 6, 789012),
              "sm_end": datetime(1902, 3, 4, 5, 6, 7, 890123)}


class Compiled:
    """A metric query compiled once and run as often as asked, for any range.

    On DuckDB the SQL is compiled once with the range's bounds as parameters (``$sm_start``,
    ``$sm_end``) and run straight on the connection, its result converted as Ibis converts it.
    ``helpers`` names the engine's own tables it reads (made again on a new connection before
    it runs). An expression reading an in-memory table, or on another backend (Spark), runs
    as an expression each time, its range as literals.
    """

    def __init__(self, backend: Any, metric: Metric, query: Query, ctx: Context,
                 bounds: tuple[Any, Any], helpers: Iterable[str] = ()) -> None:
        self.sql: str | None = None
        self.helpers: tuple[str, ...] = ()
        #: whether it serves its own range only (it reads the range's periods table, or it is
        #: not run from SQL)
        self.per_range = True
        if backend.name != "duckdb":  # Spark: the expression with its range as literals
            self.expr = compile_metric(metric, query, ctx)
            return
        expr = compile_metric(metric, query, replace(ctx, bounds=bounds))
        if expr.op().find(ops.InMemoryTable):  # Ibis registers those when it runs them
            self.expr = compile_metric(metric, query, ctx)
            return
        table = expr.as_table()
        self.schema = table.schema()
        stand_in = dict(zip(bounds, _SENTINELS.values(), strict=True))
        sql = str(backend.compile(table, params=stand_in))
        for name, instant in _SENTINELS.items():
            rendered = str(backend.compile(ibis.literal(instant)))  # SELECT <literal> AS "..."
            sql = sql.replace(rendered.split("SELECT", 1)[1].split(" AS ", 1)[0].strip(),
                              f"${name}")
        if any(f"{i.year}, {i.month}, {i.day}" in sql or f"{i:%Y-%m-%d}" in sql
               for i in _SENTINELS.values()):
            # a bound rendered some other way: this range's own SQL, never a stand-in value
            real = {"sm_start": datetime.combine(ctx.first, datetime.min.time()),
                    "sm_end": datetime.combine(ctx.last, datetime.min.time())}
            sql = str(backend.compile(table, params=dict(zip(bounds, real.values(), strict=True))))
        else:
            self.per_range = ctx.periods_table.get_name() in sql
        self.sql = sql
        self.helpers = tuple(name for name in helpers if name in sql)
        self.parameters = tuple(name for name in _SENTINELS if f"${name}" in sql)

    def execute(self, backend: Any, bounds: dict[str, datetime]) -> pd.DataFrame:
        """The rows for ``bounds`` on ``backend`` (the engine's current connection)."""
        if self.sql is None:
            return backend.execute(self.expr)
        used = {name: bounds[name] for name in self.parameters}
        arrow = backend.con.sql(self.sql, params=used or None).to_arrow_table()
        return _frame(arrow, self.schema)


def _frame(arrow: pa.Table, schema: Any) -> pd.DataFrame:
    """A DuckDB result as a frame typed as Ibis types the same query's result."""
    from ibis.backends.duckdb.converter import DuckDBPandasData

    frame = pd.DataFrame({
        name: (column.to_pylist() if column.null_count or pa.types.is_nested(column.type)
               or pa.types.is_dictionary(column.type) else column.to_pandas())
        for name, column in zip(arrow.column_names, arrow.columns, strict=True)
    })
    return DuckDBPandasData.convert_table(frame, schema)


def _dates_utc(row: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(lo, hi) of a one-row span result as UTC timestamps; None when there were no rows."""
    lo, hi = row["lo"].iloc[0], row["hi"].iloc[0]
    if pd.isna(lo):
        return None
    return pd.Timestamp(lo), pd.Timestamp(hi)


def _dates(row: pd.DataFrame) -> tuple[date, date] | None:
    """(lo, hi) of a one-row span result as UTC dates; None when there were no rows."""
    span = _dates_utc(row)
    return None if span is None else (span[0].date(), span[1].date())


def _local_date(instant: pd.Timestamp, timezone: str) -> date:
    """The local date of a naive UTC instant in ``timezone``."""
    stamp = instant.tz_localize("UTC") if instant.tzinfo is None else instant
    return stamp.tz_convert(timezone).date()  # type: ignore[no-any-return]


def _grain_start(day: date, grain: Grain) -> date:
    return day if grain is Grain.RANGE else cal.grain_start(day, grain.value)


def _next_grain(day: date, grain: Grain) -> date:
    return cal.next_grain(day, grain.value)


__all__ = ["CATALOGUE", "Engine", "Query", "Stat", "TimeRange"]
