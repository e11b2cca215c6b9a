"""Executes catalogue metrics: queries, facts, compilation and the Engine facade."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from supportmetrics.config import check_engine_url
from supportmetrics.dates import parse_date, parse_instant
from supportmetrics.engine.query import Clock, Grain, Query, Stat, TimeRange, parse_enum
from supportmetrics.engine.summary import (
    HEADLINE,
    format_seconds,
    format_value,
    missing_headlines,
    summary_rows,
)
from supportmetrics.errors import QueryError

if TYPE_CHECKING:
    from supportmetrics.engine.engine import Engine
    from supportmetrics.engine.sources import SOURCES
    from supportmetrics.engine.view import WorkspaceView


def build_query(
    metric: str,
    grain: str = "month",
    by: Iterable[str] = (),
    start: Any = None,
    end: Any = None,
    where: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    clock: str = "calendar",
    stat: str = "mean",
    as_of: Any = None,
) -> Query:
    """A Query from plain values (as the CLI, API and web receive them)."""
    from supportmetrics.metrics import get_metric

    get_metric(metric)
    pairs = tuple(where.items()) if isinstance(where, Mapping) else tuple(where or ())
    return Query(
        metric=metric,
        grain=parse_enum(Grain, grain, "--grain"),  # type: ignore[arg-type]
        range=TimeRange(parse_date(start, "--from"), parse_date(end, "--to")),
        by=tuple(by),
        where=pairs,
        clock=parse_enum(Clock, clock, "--clock"),  # type: ignore[arg-type]
        stat=parse_enum(Stat, stat, "--stat"),  # type: ignore[arg-type]
        as_of=parse_instant(as_of, "--as-of"),
    )


def open_engine(workspace: WorkspaceView, url: str | None = None) -> Engine:
    """A new engine over a workspace: DuckDB by default, Spark for ``spark://...``."""
    from supportmetrics.engine.engine import Engine

    url = url or workspace.settings.engine.url
    try:
        check_engine_url(url)
    except ValueError as exc:
        raise QueryError(f"--engine: {exc}") from None
    if url.startswith("spark") or url == "pyspark":
        from supportmetrics.engine.spark import spark_backend

        return Engine(spark_backend(workspace, url), workspace.settings)
    return Engine(workspace.backend, workspace.settings, workspace=workspace)


def __getattr__(name: str) -> Any:
    """``Engine`` and ``SOURCES`` (each source's tables), imported when first asked for: they
    bring Ibis, which commands that only print help or the catalogue do not need."""
    if name == "Engine":
        from supportmetrics.engine.engine import Engine

        return Engine
    if name == "SOURCES":
        from supportmetrics.engine.sources import SOURCES

        return SOURCES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Engine",
    "HEADLINE",
    "SOURCES",
    "Clock",
    "Grain",
    "Query",
    "Stat",
    "TimeRange",
    "build_query",
    "format_seconds",
    "format_value",
    "missing_headlines",
    "open_engine",
    "parse_enum",
    "summary_rows",
]
