"""The engine facade: compile catalogue metrics for a query and run them on a backend."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from supportmetrics import calendar as cal
from supportmetrics.config import Settings
from supportmetrics.engine import store
from supportmetrics.engine.compile import (
    Context,
    compile_metric,
    filtered,
    part_units,
    resolve,
    snapshot_units,
    unit_values,
    with_period,
)
from supportmetrics.engine.query import Clock, Grain, Query, Stat, TimeRange
from supportmetrics.engine.sources import SOURCES, Sources
from supportmetrics.errors import QueryError, QueryWarning
from supportmetrics.metrics import CATALOGUE, get_metric
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Data,
    Duration,
    Metric,
    Needs,
    Rollup,
    Snapshot,
)
from supportmetrics.schema import TABLES
from supportmetrics.schema.tables import ColumnType

COUNT_KINDS = (Count, Snapshot)
_TIME_TYPES = (ColumnType.TIMESTAMP, ColumnType.DATE)


class Engine:
    """Runs metric queries against one Ibis backend holding the canonical tables."""

    _serial = 0
    #: compiled queries kept per engine (a long-lived engine asked for ever new ranges)
    compiled_limit = 512

    def __init__(self, backend: Any, settings: Settings, materialize: bool = True) -> None:
        self.backend = backend
        self.settings = settings
        self._span: tuple[date, date] | None = None
        self._source_spans: dict[tuple[str, ...], tuple[date, date] | None] = {}
        self._has: dict[Data, bool] = {}
        self._data_end: datetime | None = None
        first, last = self.data_span()
        self._first_day = first - timedelta(days=400)
        self._last_day = last + timedelta(days=400)
        self.zone_table = ibis.memtable(
            cal.zone_days(settings.timezone, self._first_day, self._last_day)
        )
        self.business_table = ibis.memtable(
            cal.business_table(settings, self._first_day, self._last_day)
        )
        self._temporaries: list[str] = []
        self.sources = Sources(
            backend.table,
            settings,
            materialize=self._materialize if materialize else None,
            zone_table=self.zone_table,
            business_table=self.business_table,
        )
        #: what the refresh of each stored source did (engine/store.py), once it was needed
        self.refreshed: dict[str, store.Refresh] = {}
        self._fingerprint: str | None = None
        #: each query's compiled form by its shape (or shape and range), the most recently used
        #: last: building and compiling the Ibis expression costs several times running it
        self._compiled: OrderedDict[tuple[Any, ...], Compiled] = OrderedDict()
        self._bounds = (ibis.param("timestamp"), ibis.param("timestamp"))
        self._periods: dict[tuple[str, date, date], tuple[tuple[cal.Period, ...], Any]] = {}
        #: how many metric expressions this engine compiled (each query shape once)
        self.compilations = 0
        if materialize and backend.name == "duckdb":
            # the per-ticket stage is kept in the workspace, built when first needed and then
            # refreshed only where loads touched tickets; see engine/store.py
            for name in store.STORED:
                self.sources.loader(name, partial(self._stored, name))

    def _stored(self, name: str) -> Any:
        if name != "facts":
            self.sources.get("facts")  # the other stored sources are built from the facts
        if self._fingerprint is None:
            self._fingerprint = store.fingerprint(self.backend.con, self.settings)
        self.refreshed[name] = store.refresh(self, name, self._build_source, self._fingerprint)
        return self.backend.table(store.stored_name(name))

    def refresh(self) -> dict[str, store.Refresh]:
        """Bring every stored source up to date now (otherwise each is, when first needed)."""
        for name in store.STORED:
            self.sources.get(name)
        return dict(self.refreshed)

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

    def _materialize(self, name: str, expr: Any) -> Any:
        """Compute a source once per engine as a temporary table (facts, waits, SLA clocks).

        Each engine gets fresh names, so no table is ever overwritten (Ibis's overwrite of
        temporary tables is not portable). Spark has no temporary tables: there it is a cached
        temporary view.
        """
        Engine._serial += 1
        table = f"_sm_cache_{name}_{Engine._serial}"
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
        if self._span is None:
            # one query over every table's time column (one round trip, not one per table)
            spans = ibis.union(*(self._span_expr(name) for name in TABLES))
            span = _dates(spans.aggregate(lo=spans.lo.min(), hi=spans.hi.max()).execute())
            self._span = span or (date.today(), date.today())
        return self._span

    def table_span(self, name: str) -> tuple[date, date]:
        """First and last UTC date of one table's time column (the data span when empty)."""
        return self._span_of(name) or self.data_span()

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
        if key not in self._periods:  # one in-memory table per range, shared by its queries
            made = cal.periods(grain, first, last, self.settings.timezone)
            self._periods[key] = tuple(made), ibis.memtable(
                pd.DataFrame(
                    {
                        "period": [p.start for p in made],
                        "start_utc": [p.start_utc for p in made],
                        "end_utc": [p.end_utc for p in made],
                        "days": [float((p.end - p.start).days) for p in made],
                    }
                )
            )
            if len(self._periods) > self.compiled_limit:  # the oldest range goes
                del self._periods[next(iter(self._periods))]
        periods, periods_table = self._periods[key]
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

    def expression(self, query: Query) -> Any:
        metric = get_metric(query.metric)
        return compile_metric(metric, query, self.context(query))

    def metric(self, query: Query) -> pd.DataFrame:
        """Rows of (metric, period, *by, value, count[, without_end]) for one metric."""
        metric = get_metric(query.metric)
        if query.clock is Clock.BUSINESS and not isinstance(metric, Duration):
            query = replace(query, clock=Clock.CALENDAR)
        ctx = self.context(query)
        missing = self.missing_data(metric)
        if missing is not None:
            # nothing to compute it from: every value null with a note, never 0
            warnings.warn(QueryWarning(missing), stacklevel=2)
            return self._complete(metric, query, ctx, pd.DataFrame(), empty=True)
        return self._complete(metric, query, ctx, self._run(metric, query, ctx))

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
            compiled = Compiled(self.backend, metric, query, ctx, self._bounds)
            key = exact if compiled.per_range else shape
            self._compiled[key] = compiled
            while len(self._compiled) > self.compiled_limit:  # the least recently used goes,
                self._compiled.popitem(last=False)  # with the in-memory tables only it read
        self._compiled.move_to_end(key)
        return compiled.execute(bounds)

    def _complete(self, metric: Metric, query: Query, ctx: Context, frame: pd.DataFrame,
                  empty: bool = False) -> pd.DataFrame:
        columns = ["period", *query.by, "value", "count"]
        if isinstance(metric, Duration):
            columns.append("without_end")
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

    def metrics(self, queries: list[Query]) -> pd.DataFrame:
        frames = [self.metric(q) for q in queries]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -- explain ---------------------------------------------------------------------------

    def explain(self, query: Query) -> pd.DataFrame:
        """The units behind each number of ``query``, with each unit's own value."""
        metric = get_metric(query.metric)
        ctx = self.context(query)
        if isinstance(metric, (Combined, Rollup)):
            return self._explain_parts(metric, query, ctx)
        source = SOURCES[metric.source]
        t = filtered(metric.where, query, self.sources.get(metric.source, ctx.as_of),
                     self.settings)
        if isinstance(metric, Snapshot):
            age = metric.min_age_seconds(self.settings) if metric.min_age_seconds else None
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

    def _explain_parts(self, metric: Any, query: Query, ctx: Context) -> pd.DataFrame:
        if isinstance(metric, Rollup):
            return self.explain(replace(query, metric=metric.of))
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
        """The per-ticket facts table (Ibis), with calendar and business-clock durations."""
        from supportmetrics.engine.facts import with_wait_summary

        t = with_wait_summary(self.sources.get("sla"), self.sources.get("waits"))
        for name, start, end in (
            ("first_response", "created_at", "first_response_at"),
            ("resolution", "created_at", "solved_at"),
        ):
            t = t.mutate(
                **{f"{name}_seconds": (t[end].epoch_seconds() - t[start].epoch_seconds()).cast("float64")}
            )
            if business:
                t = t.mutate(_cal=cal.calendar_key(t.team, self.settings))
                t = cal.business_duration(
                    t, start, end, self.business_table, f"{name}_business_seconds", calendar=t._cal
                ).drop("_cal")
        return t


#: stand-in values for the range's bounds while compiling, each then a query parameter
_SENTINELS = {"sm_start": datetime(1901, 2, 3, 4, 5, 6, 789012),
              "sm_end": datetime(1902, 3, 4, 5, 6, 7, 890123)}


class Compiled:
    """A metric query compiled once and run as often as asked, for any range.

    On DuckDB the SQL is compiled once with the range's bounds as parameters (``$sm_start``,
    ``$sm_end``) and run straight on the connection, its result converted as Ibis converts it.
    The expression is kept: the in-memory tables it reads (zones, periods) stay registered while
    it lives. Other backends (Spark) run the expression, its range as literals, each time.
    """

    def __init__(self, backend: Any, metric: Metric, query: Query, ctx: Context,
                 bounds: tuple[Any, Any]) -> None:
        self.backend = backend
        self.sql: str | None = None
        #: whether it serves its own range only (it reads the range's periods table, or the
        #: backend is not DuckDB)
        self.per_range = True
        if backend.name != "duckdb":  # Spark: the expression with its range as literals
            self.expr = compile_metric(metric, query, ctx)
            return
        self.expr = compile_metric(metric, query, replace(ctx, bounds=bounds))
        backend._run_pre_execute_hooks(self.expr)  # registers the in-memory tables it reads
        self.table = self.expr.as_table()
        self.schema = self.table.schema()
        stand_in = dict(zip(bounds, _SENTINELS.values(), strict=True))
        sql = str(backend.compile(self.table, params=stand_in))
        for name, instant in _SENTINELS.items():
            rendered = str(backend.compile(ibis.literal(instant)))  # SELECT <literal> AS "..."
            sql = sql.replace(rendered.split("SELECT", 1)[1].split(" AS ", 1)[0].strip(),
                              f"${name}")
        if any(f"{i.year}, {i.month}, {i.day}" in sql or f"{i:%Y-%m-%d}" in sql
               for i in _SENTINELS.values()):
            # a bound rendered some other way: this range's own SQL, never a stand-in value
            real = {"sm_start": datetime.combine(ctx.first, datetime.min.time()),
                    "sm_end": datetime.combine(ctx.last, datetime.min.time())}
            sql = str(backend.compile(self.table, params=dict(
                zip(bounds, real.values(), strict=True))))
        else:
            self.per_range = ctx.periods_table.op().name in sql
        self.sql = sql

    def execute(self, bounds: dict[str, datetime]) -> pd.DataFrame:
        if self.sql is None:
            return self.backend.execute(self.expr)
        from ibis.backends.duckdb.converter import DuckDBPandasData

        used = {name: value for name, value in bounds.items() if f"${name}" in self.sql}
        arrow = self.backend.con.sql(self.sql, params=used or None).to_arrow_table()
        frame = pd.DataFrame({
            name: (column.to_pylist() if column.null_count or pa.types.is_nested(column.type)
                   or pa.types.is_dictionary(column.type) else column.to_pandas())
            for name, column in zip(arrow.column_names, arrow.columns, strict=True)
        })
        return DuckDBPandasData.convert_table(frame, self.schema)


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


def parse_instant(value: str | date | datetime | None, option: str) -> datetime | None:
    """An ISO date or date-time (a date is its midnight); naive ones are local times."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(
            f"{option} {value!r}: expected a date or a date and time like 2025-10-06T13:00"
        ) from None


def parse_date(value: str | date | datetime | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{option} {value!r}: expected a date like 2025-10-01") from None


__all__ = ["CATALOGUE", "Engine", "Query", "Stat", "TimeRange"]
