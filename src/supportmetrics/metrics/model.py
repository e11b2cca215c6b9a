"""Metric kinds: one declarative value per metric, a closed set of kinds.

A metric reads *units* (rows of a named source: tickets, solved tickets, reply waits, calls,
survey responses, customers, ...) whose time ``anchor`` places each unit in a period. Kinds:

* :class:`Count` -- number of units (or the sum of ``measure``).
* :class:`Ratio` -- ``scale x sum(numerator) / sum(denominator)``; numerator and denominator are
  per-unit expressions, so every unit's share can be shown (explain).
* :class:`Mean` -- mean of a per-unit value.
* :class:`Duration` -- ``end - start`` per unit, in seconds, on the calendar or business clock,
  summarised by mean, median or p90; units without an end are counted apart.
* :class:`Snapshot` -- units alive at the end of each period (``opened <= t < closed``).
* :class:`Combined` -- a formula over named parts, each part itself a Count/Ratio/Snapshot on its
  own source (e.g. churn = churned in period / customers at period start).

Per-unit expressions are callables ``(table, settings) -> ibis value`` so thresholds from the
settings (satisfied_at, service-level seconds, ...) enter the expression explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

Expr = Callable[[Any, Any], Any]


class Unit(Enum):
    PERCENT = "%"
    POINTS = "points"
    SECONDS = "seconds"
    COUNT = "count"
    SCORE = "score"
    MONEY = "money"
    RATIO = "ratio"


@dataclass(frozen=True)
class Data:
    """Rows of a canonical table (those matching ``where``, a ``(table, settings)`` predicate)."""

    table: str
    where: Expr | None = None


@dataclass(frozen=True)
class Needs:
    """Data a metric cannot be computed without, beyond its units' own tables.

    Any one of ``any_of`` will do; ``what`` names it for the user ("reply events"). A workspace
    without it leaves the metric empty with a note, never 0 (a tickets-only file has no
    replies, so no first response time and no "tickets without a first response").
    """

    what: str
    any_of: tuple[Data, ...]


class Direction(Enum):
    UP = "higher is better"
    DOWN = "lower is better"
    NEUTRAL = "neither"


@dataclass(frozen=True)
class Metric:
    """What every kind declares."""

    id: str
    title: str
    unit: Unit
    direction: Direction
    source: str
    anchor: str
    dimensions: tuple[str, ...]
    definition: str
    article: str = ""  # the publications followed: names of supportmetrics.sources.SOURCES
    where: Expr | None = None
    variant_of: str | None = None
    note: str = ""
    unit_label: str = "units"
    explain_columns: tuple[str, ...] = ()
    #: a survey whose scale direction (``[surveys.directions]``) decides this metric's direction;
    #: ``direction`` is then the default one (a higher score is better)
    follows_scale: str = ""
    #: data the metric needs besides its source's tables (see :class:`Needs`)
    needs: tuple[Needs, ...] = ()

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Count(Metric):
    measure: Expr | None = None


@dataclass(frozen=True)
class Ratio(Metric):
    numerator: Expr = field(default=lambda t, s: 1)
    denominator: Expr = field(default=lambda t, s: 1)
    scale: float = 100.0


@dataclass(frozen=True)
class Mean(Metric):
    value: Expr = field(default=lambda t, s: 0)


@dataclass(frozen=True)
class Duration(Metric):
    start: str = ""
    end: str = ""
    calendar: str | None = "team"


@dataclass(frozen=True)
class Snapshot(Metric):
    opened: str = ""
    closed: str = ""
    min_age_seconds: Callable[[Any], float] | None = None
    age_from: str = ""
    count_distinct: str | None = None


@dataclass(frozen=True)
class Part:
    """One input of a Combined metric: a Count, Ratio-free sum or Snapshot on its own source.

    ``at`` is ``"period"`` for units anchored in the period, ``"start"`` / ``"end"`` for a
    snapshot at the period's start / end. ``dimensions`` lists the query dimensions this part
    honours; a part that ignores a dimension is joined on the period alone (e.g. the total in
    channel_share).
    """

    source: str
    anchor: str = ""
    at: str = "period"
    where: Expr | None = None
    measure: Expr | None = None
    opened: str = ""
    closed: str = ""
    dimensions: tuple[str, ...] | None = None
    distinct: str | None = None


@dataclass(frozen=True)
class Combined(Metric):
    parts: dict[str, Part] = field(default_factory=dict)
    formula: Callable[[dict[str, Any], Any], Any] = field(default=lambda p, s: 0)
    count_part: str = ""
    scale: float = 1.0


KINDS: tuple[type[Metric], ...] = (Count, Ratio, Mean, Duration, Snapshot, Combined)


def direction_in(metric: Metric, settings: Any) -> Direction:
    """The metric's direction under a workspace's settings (a survey scale may turn it)."""
    if not metric.follows_scale or settings.higher_is_better(metric.follows_scale):
        return metric.direction
    return {Direction.UP: Direction.DOWN, Direction.DOWN: Direction.UP}.get(
        metric.direction, metric.direction
    )


def direction_label(metric: Metric) -> str:
    """The direction as the catalogue states it, saying when a survey scale decides it."""
    if metric.follows_scale:
        return (f"{metric.direction.value} by default; follows [surveys.directions] "
                f"{metric.follows_scale}")
    return metric.direction.value


@dataclass(frozen=True)
class Rollup(Metric):
    """A weighted mean over one dimension of another metric (e.g. engagement over kinds).

    ``weights(settings)`` gives a weight per dimension value; values without one weigh 1.
    """

    of: str = ""
    over: str = ""
    weights: Callable[[Any], dict[str, float]] = field(default=lambda s: {})


KINDS = (*KINDS, Rollup)
