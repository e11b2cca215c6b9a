"""Compile a metric and a query into an Ibis expression, by kind (an explicit table).

Every compiled expression has the columns ``period`` (date of the period start), one column per
``by`` dimension, ``value`` and ``count``; duration metrics add ``without_end``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.operations as ops
from ibis import _

from supportmetrics import calendar as cal
from supportmetrics.config import Settings
from supportmetrics.engine.query import Clock, Grain, Query, Stat
from supportmetrics.engine.sources import (
    ATTRIBUTE_PREFIX,
    SOURCES,
    Sources,
    attribute_name,
)
from supportmetrics.errors import QueryError, QueryWarning, UnsupportedOperation
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Derived,
    Duration,
    Mean,
    Metric,
    Part,
    Ratio,
    Rollup,
    Snapshot,
    setting,
)
from supportmetrics.metrics.model import resolve as resolve  # the engine's too

Table = Any


@dataclass(frozen=True)
class Context:
    """Everything a compiler needs besides the metric and the query."""

    sources: Sources
    settings: Settings
    zone_table: Table
    business_table: Table
    first: date
    last: date
    periods: tuple[cal.Period, ...]
    periods_table: Table
    #: the instant (naive UTC) sources judged as of an instant are judged at (SLA targets)
    as_of: datetime | None = None
    #: the range's first and last local instants as query parameters (timestamp scalars), so
    #: one compiled query serves every range; None: ``first`` and ``last`` as literals
    bounds: tuple[Any, Any] | None = None


def check_dimensions(metric: Metric, query: Query, table: Table) -> None:
    attributes = {c for c in table.columns if c.startswith(ATTRIBUTE_PREFIX)}
    allowed = set(metric.dimensions) | attributes
    for name in query.by:
        if name not in allowed:
            shown = sorted(attribute_name(c) for c in attributes)
            raise QueryError(
                f"{metric.id} cannot be broken down by {attribute_name(name)!r}; its dimensions "
                f"are: {', '.join(metric.dimensions) or 'none'}"
                + (f"; attribute columns of its units: {', '.join(shown)}" if shown else "")
            )
    for name, _value in query.where:
        if name not in table.columns:
            raise QueryError(
                f"{metric.id}: --where {attribute_name(name)}: no such column on its units"
            )


def filtered(metric_where: Any, query: Query, t: Table, settings: Settings) -> Table:
    if metric_where is not None:
        t = t.filter(resolve(metric_where, t, settings))
    for name, value in query.where:
        t = t.filter(t[name] == where_value(name, t[name].type(), value))
    return t


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def where_value(name: str, dtype: Any, value: str) -> Any:
    """The ``--where NAME=VALUE`` text as a value of the column's type, or a QueryError."""
    if dtype.is_boolean():
        if value.lower() not in _TRUE + _FALSE:
            raise QueryError(f"--where {name}={value}: {name} is true or false; give one of "
                             "true, false, yes, no, 1, 0")
        return value.lower() in _TRUE
    if dtype.is_numeric():
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise QueryError(f"--where {name}={value}: {name} is a number; give a number, "
                             f"e.g. --where {name}=4") from None
        return number
    if dtype.is_timestamp() or dtype.is_date():
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise QueryError(f"--where {name}={value}: {name} is a time; give it as ISO 8601, "
                             f"e.g. --where {name}=2025-10-01T09:00:00") from None
        return moment.date() if dtype.is_date() else moment
    if not dtype.is_string():
        raise QueryError(f"--where {name}: a column of type {dtype} cannot be filtered on; "
                         "filter on a text, number, true/false or time column")
    return value


def with_period(t: Table, anchor: str, query: Query, ctx: Context) -> Table:
    """Add ``period`` (local date of the period start) and keep units inside the range."""
    t = t.filter(t[anchor].notnull())
    t = cal.with_local_time(t, anchor, ctx.zone_table, "_local")
    if ctx.bounds is None:
        start: Any = datetime.combine(ctx.first, datetime.min.time())
        end: Any = datetime.combine(ctx.last, datetime.min.time())
        first = ibis.literal(ctx.first)
    else:
        start, end = ctx.bounds
        first = start.cast("date")
    t = t.filter((t._local >= start) & (t._local < end))
    if query.grain is Grain.RANGE:
        return t.mutate(period=first)
    return t.mutate(period=cal.period_start(t._local, query.grain.value))


def _group(t: Table, query: Query) -> list[str]:
    return ["period", *query.by]


def unit_values(metric: Metric, t: Table, query: Query, ctx: Context) -> tuple[Table, dict[str, Any]]:
    """Each unit's own numbers for ``metric``: ``t`` (with any column they need) and expressions.

    ``value`` always (1 for a unit that is simply counted); ``numerator`` and ``denominator``
    for a ratio; ``start`` and ``end`` for a duration (``value`` is then the seconds between them
    on the query's clock). The compilers aggregate these and ``Engine.explain`` lists them.
    """
    if isinstance(metric, Duration):
        t = duration_seconds(metric, t, query, ctx)
        return t, {"start": t[metric.start], "end": t[metric.end], "value": t._seconds}
    if isinstance(metric, Ratio):
        num = (ibis.literal(1) * resolve(metric.numerator, t, ctx.settings)).cast("float64")
        den = (ibis.literal(1) * resolve(metric.denominator, t, ctx.settings)).cast("float64")
        return t, {"numerator": num, "denominator": den, "value": num}
    if isinstance(metric, Mean):
        return t, {"value": resolve(metric.value, t, ctx.settings).cast("float64")}
    measure = resolve(getattr(metric, "measure", None), t, ctx.settings)
    return t, {"value": ibis.literal(1.0) if measure is None else measure.cast("float64")}


def compile_count(metric: Count, query: Query, ctx: Context) -> Table:
    t, unit = unit_values(metric, _units(metric, query, ctx), query, ctx)
    value = t.count().cast("float64") if metric.measure is None else unit["value"].sum()
    return t.group_by(_group(t, query)).aggregate(value=value, count=t.count())


def compile_ratio(metric: Ratio, query: Query, ctx: Context) -> Table:
    t, unit = unit_values(metric, _units(metric, query, ctx), query, ctx)
    t = t.mutate(_num=unit["numerator"], _den=unit["denominator"])
    agg = t.group_by(_group(t, query)).aggregate(n=_._num.sum(), d=_._den.sum())
    return agg.select(
        *_group(t, query),
        value=ibis.ifelse(agg.d > 0, metric.scale * agg.n / agg.d, ibis.null("float64")),
        count=agg.d.fill_null(0).cast("int64"),
    )


def compile_mean(metric: Mean, query: Query, ctx: Context) -> Table:
    t, unit = unit_values(metric, _units(metric, query, ctx), query, ctx)
    t = t.mutate(_v=unit["value"])
    return t.group_by(_group(t, query)).aggregate(value=_._v.mean(), count=_._v.count())


def duration_seconds(metric: Duration, t: Table, query: Query, ctx: Context) -> Table:
    """Add ``_seconds`` (end - start on the query's clock; null without an end)."""
    return cal.clock_duration(
        t, metric.start, metric.end, "_seconds", business=query.clock is Clock.BUSINESS,
        business_table=ctx.business_table, settings=ctx.settings,
        team="team" if metric.calendar == "team" else None,
    )


def compile_duration(metric: Duration, query: Query, ctx: Context) -> Table:
    t, _unit = unit_values(metric, _units(metric, query, ctx), query, ctx)
    ended = t._seconds.notnull()
    if query.stat is Stat.MEAN:
        value = t._seconds.mean()
    elif query.stat is Stat.MEDIAN:
        value = t._seconds.median()
    else:
        value = t._seconds.quantile(0.9)
    return t.group_by(_group(t, query)).aggregate(
        value=value.cast("float64"),
        count=ended.cast("int64").sum(),
        without_end=(~ended).cast("int64").sum(),
    )


def snapshot_units(
    source: Table,
    opened: str,
    closed: str,
    at: str,
    ctx: Context,
    min_age: float | None = None,
    age_from: str = "",
) -> Table:
    """Units alive at each period's start or end instant: opened < t and (closed null or >= t)."""
    p = ctx.periods_table
    if at == "upto":
        return source.join(p, source[opened] < p.end_utc).mutate(period=p.period)
    if at == "during":
        condition = (source[opened] < p.end_utc) & (
            source[closed].isnull() | (source[closed] >= p.start_utc)
        )
        return source.join(p, condition).mutate(period=p.period)
    instant = p.start_utc if at == "start" else p.end_utc
    condition = (source[opened] < instant) & (
        source[closed].isnull() | (source[closed] >= instant)
    )
    if min_age is not None:
        condition = condition & (
            source[age_from or opened].epoch_seconds() <= instant.epoch_seconds() - min_age
        )
    return source.join(p, condition).mutate(period=p.period)


def compile_snapshot(metric: Snapshot, query: Query, ctx: Context) -> Table:
    t = ctx.sources.get(metric.source, ctx.as_of)
    check_dimensions(metric, query, t)
    t = filtered(metric.where, query, prune(t, metric, query, ctx.settings), ctx.settings)
    age = setting(metric.min_age_seconds, ctx.settings)
    t = snapshot_units(t, metric.opened, metric.closed, "end", ctx, age, metric.age_from)
    value = t[metric.count_distinct].nunique() if metric.count_distinct else t.count()
    return t.group_by(_group(t, query)).aggregate(value=value.cast("float64"), count=value)


def part_units(name: str, part: Part, query: Query, ctx: Context,
               dims: list[str] | None = None) -> Table:
    """The units of one part of a Combined metric, with ``period``, filtered by the query.

    ``dims``: the query dimensions the part honours; the part's columns are then pruned to what
    it needs (None keeps every column, as ``explain`` lists them).
    """
    t = ctx.sources.get(part.source, ctx.as_of)
    # a filter on a column this part's units lack cannot apply to it: said, not hidden
    missing = sorted({attribute_name(c) for c, _v in query.where if c not in t.columns})
    if missing:
        warnings.warn(QueryWarning(
            f"{query.metric}: --where {', '.join(missing)} does not apply to its part "
            f"{name!r} ({SOURCES[part.source].description}), which has no such column; "
            "that part counts every unit"), stacklevel=2)
    honoured = replace(query, where=tuple((c, v) for c, v in query.where if c in t.columns))
    if dims is not None:
        t = prune(t, part, replace(honoured, by=tuple(dims)), ctx.settings)
    t = filtered(part.where, honoured, t, ctx.settings)
    if part.at == "period":
        return with_period(t, part.anchor, query, ctx)
    if part.at == "upto":
        return snapshot_units(t.filter(t[part.anchor].notnull()), part.anchor, "", "upto", ctx)
    return snapshot_units(t, part.opened, part.closed, part.at, ctx)


def _part_table(name: str, part: Part, query: Query, ctx: Context, dims: list[str]) -> Table:
    t = part_units(name, part, query, ctx, dims)
    measure = resolve(part.measure, t, ctx.settings)
    if part.distinct:
        value = t[part.distinct].nunique().cast("float64")
    elif measure is None:
        value = t.count().cast("float64")
    else:
        value = measure.sum().cast("float64")
    return t.group_by(["period", *dims]).aggregate(**{name: value})


def check_parts(metric: Combined, query: Query, ctx: Context) -> None:
    """A Combined metric is broken down only by its own dimensions (a part's attribute columns
    are not shared by the others), all of them honoured by one part at least, and filtered
    only on columns one part has at least."""
    for name in query.by:
        if name not in metric.dimensions:
            raise QueryError(
                f"{metric.id} cannot be broken down by {name!r}; its dimensions are: "
                f"{', '.join(metric.dimensions) or 'none'}")
    honoured = [p.dimensions if p.dimensions is not None else metric.dimensions
                for p in metric.parts.values()]
    if query.by and not any(set(query.by) <= set(dims) for dims in honoured):
        raise QueryError(f"{metric.id} cannot be broken down by {', '.join(query.by)} together: "
                         "no part of it has them all; ask for one at a time")
    columns = set().union(*(ctx.sources.get(p.source).columns for p in metric.parts.values()))
    for name, _value in query.where:
        if name not in columns:
            raise QueryError(f"{metric.id}: --where {name}: no such column on its units")


def compile_combined(metric: Combined, query: Query, ctx: Context) -> Table:
    check_parts(metric, query, ctx)
    base = ctx.periods_table.select("period")
    if query.grain is Grain.RANGE:
        base = base.limit(1)
    tables: dict[str, Table] = {}
    for name, part in metric.parts.items():
        honoured = part.dimensions if part.dimensions is not None else metric.dimensions
        dims = [d for d in query.by if d in honoured]
        tables[name] = (_part_table(name, part, query, ctx, dims), dims)
    # the frame: every period x every combination of the requested dimensions seen in any part
    frame = None
    for _name, (table, dims) in tables.items():
        if len(dims) == len(query.by):
            keys = table.select("period", *query.by)
            frame = keys if frame is None else frame.union(keys)
    if frame is None:
        frame = base
    frame = frame.distinct()
    days = ctx.periods_table.select("period", period_days=_.days)
    joined = frame.left_join(days, "period").select(*frame.columns, "period_days")
    for name, (table, dims) in tables.items():
        joined = joined.left_join(table, ["period", *dims]).select(
            *joined.columns, table[name]
        )
    values = joined.select(
        "period", *query.by,
        **{name: joined[name].fill_null(0) for name in metric.parts},
        period_days=joined.period_days.cast("float64"),
    )
    value = resolve(metric.formula, values, ctx.settings)
    return values.select(
        "period",
        *query.by,
        value=(metric.scale * value).cast("float64"),
        count=values[metric.count_part].cast("int64"),
    )


def _units(metric: Metric, query: Query, ctx: Context) -> Table:
    t = ctx.sources.get(metric.source, ctx.as_of)
    check_dimensions(metric, query, t)
    t = filtered(metric.where, query, prune(t, metric, query, ctx.settings), ctx.settings)
    return with_period(t, metric.anchor, query, ctx)


_COLUMN_FIELDS = ("anchor", "start", "end", "opened", "closed", "age_from", "count_distinct",
                  "distinct")
_EXPRESSION_FIELDS = ("where", "numerator", "denominator", "measure", "value")


def prune(t: Table, spec: Any, query: Query, settings: Settings) -> Table:
    """Only the columns of ``t`` that ``spec`` (a metric or a part) and ``query`` read.

    Sources are wide (the ticket facts have about sixty columns) and every column carried
    through the local-time and period joins costs Ibis compile time on each query (several
    times the cost of the query itself on small workspaces); the backend prunes them anyway.
    The columns an expression reads are found by resolving it on ``t`` and collecting its fields.
    """
    names = set(query.by) | {c for c, _v in query.where}
    names |= {v for f in _COLUMN_FIELDS if isinstance(v := getattr(spec, f, None), str) and v}
    if getattr(spec, "calendar", None) == "team":
        names.add("team")
    for field in _EXPRESSION_FIELDS:
        expr = resolve(getattr(spec, field, None), t, settings)
        if isinstance(expr, ibis.Expr):
            names |= {node.name for node in expr.op().find(ops.Field)}
    return t.select([c for c in t.columns if c in names])


def compile_rollup(metric: Rollup, query: Query, ctx: Context) -> Table:
    from supportmetrics.metrics import get_metric

    for name in query.by:
        if name == metric.over or name not in metric.dimensions:
            raise QueryError(
                f"{metric.id} cannot be broken down by {name!r}; its dimensions are: "
                f"{', '.join(metric.dimensions) or 'none'}")
    inner_query = replace(query, metric=metric.of, by=(*query.by, metric.over))
    inner = compile_metric(get_metric(metric.of), inner_query, ctx)
    weights: dict[str, float] = setting(metric.weights, ctx.settings)
    cases = [(inner[metric.over] == k, ibis.literal(float(w))) for k, w in weights.items()]
    weight = ibis.cases(*cases, else_=ibis.literal(1.0)) if cases else ibis.literal(1.0)
    inner = inner.filter(inner.value.notnull()).mutate(_w=weight)
    agg = inner.group_by(["period", *query.by]).aggregate(
        _num=(inner.value * inner._w).sum(), _den=inner._w.sum(), count=inner["count"].max()
    )
    return agg.select(
        "period", *query.by,
        value=ibis.ifelse(agg._den > 0, agg._num / agg._den, ibis.null("float64")),
        count=agg["count"].cast("int64"),
    )


def derived_inputs(metric: Derived, query: Query, ctx: Context) -> dict[str, Query]:
    """The query of each input of a Derived metric, by input name.

    A Derived metric is broken down only by its own dimensions; an input asked for the
    dimensions it has (one without a dimension counts for each of its values), and filtered
    on the columns its units have (a filter it cannot apply is said, not hidden).
    """
    from supportmetrics.metrics import get_metric

    for name in query.by:
        if name not in metric.dimensions:
            raise QueryError(
                f"{metric.id} cannot be broken down by {name!r}; its dimensions are: "
                f"{', '.join(metric.dimensions) or 'none'}")
    inputs = {name: get_metric(metric_id) for name, metric_id in metric.inputs.items()}
    columns = {name: set(ctx.sources.get(m.source, ctx.as_of).columns)
               for name, m in inputs.items()}
    for name, _value in query.where:
        if not any(name in c for c in columns.values()):
            raise QueryError(f"{metric.id}: --where {name}: no such column on its units")
    queries = {}
    for name, inner in inputs.items():
        missing = sorted({attribute_name(c) for c, _v in query.where if c not in columns[name]})
        if missing:
            warnings.warn(QueryWarning(
                f"{query.metric}: --where {', '.join(missing)} does not apply to its part "
                f"{name!r} ({SOURCES[inner.source].description}), which has no such column; "
                "that part counts every unit"), stacklevel=2)
        queries[name] = replace(
            query, metric=inner.id, by=tuple(d for d in query.by if d in inner.dimensions),
            where=tuple((c, v) for c, v in query.where if c in columns[name]))
    return queries


def compile_derived(metric: Derived, query: Query, ctx: Context) -> Table:
    from supportmetrics.metrics import get_metric

    tables: dict[str, tuple[Table, list[str]]] = {}
    for name, inner in derived_inputs(metric, query, ctx).items():
        t = compile_metric(get_metric(inner.metric), inner, ctx)
        tables[name] = (t.select("period", *inner.by, **{name: t.value, f"_n_{name}": t["count"]}),
                        list(inner.by))
    frame = None
    for table, dims in tables.values():
        if len(dims) == len(query.by):
            keys = table.select("period", *query.by)
            frame = keys if frame is None else frame.union(keys)
    if frame is None:
        frame = ctx.periods_table.select("period")
        if query.grain is Grain.RANGE:
            frame = frame.limit(1)
    frame = frame.distinct()
    days = ctx.periods_table.select("period", period_days=_.days)
    joined = frame.left_join(days, "period").select(*frame.columns, "period_days")
    for name, (table, dims) in tables.items():
        joined = joined.left_join(table, ["period", *dims]).select(
            *joined.columns, table[name], table[f"_n_{name}"])
    values = joined.select(
        "period", *query.by,
        **{name: joined[name].fill_null(0) for name in metric.inputs},
        period_days=joined.period_days.cast("float64"),
        _count=joined[f"_n_{metric.count_input}"].fill_null(0),
    )
    value = resolve(metric.formula, values, ctx.settings)
    return values.select(
        "period", *query.by,
        value=(metric.scale * value).cast("float64"),
        count=values._count.cast("int64"),
    )


COMPILERS: dict[type, Callable[..., Table]] = {
    Count: compile_count,
    Ratio: compile_ratio,
    Mean: compile_mean,
    Duration: compile_duration,
    Snapshot: compile_snapshot,
    Combined: compile_combined,
    Rollup: compile_rollup,
    Derived: compile_derived,
}


def compile_metric(metric: Metric, query: Query, ctx: Context) -> Table:
    try:
        compiler = COMPILERS[type(metric)]
    except KeyError:
        raise UnsupportedOperation(f"no compiler for metric kind {metric.kind}") from None
    return compiler(metric, query, ctx)
