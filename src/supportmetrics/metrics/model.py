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
* :class:`Derived` -- a formula over other metrics, named by their ids (e.g. resolution rate =
  tickets_solved / ticket_volume).
* :class:`Rollup` -- a weighted mean of another metric over one of its dimensions.

Expressions are Ibis deferred expressions, inspectable and printable (docs/metrics.md shows
them): ``_`` stands for a unit (``_.score >= 9``), or for a Combined metric's parts and a Derived
metric's inputs (``_.solved / _.created``); :data:`S` stands for the workspace settings, so a
threshold enters an expression by name (``_.wait_seconds <= S.thresholds.service_level_seconds``).
Every field a kind needs is required: an incomplete declaration cannot be built.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeAlias

from ibis import Deferred
from ibis.common.deferred import var

#: the workspace settings inside an expression (``S.thresholds.satisfied_at``)
S: Deferred = var("settings")

#: a per-unit (or per-part, per-input) Ibis deferred expression, or a constant
Expr: TypeAlias = Deferred | int | float | bool


def resolve(expr: Any, table: Any, settings: Any) -> Any:
    """``expr`` on ``table`` under ``settings`` (a constant stays what it is; None stays None)."""
    if isinstance(expr, Deferred):
        return expr.resolve(table, settings=settings)
    return expr


def setting(expr: Any, settings: Any) -> Any:
    """An expression over the settings alone (``S.thresholds.backlog_age_hours * 3600``)."""
    return expr.resolve(settings=settings) if isinstance(expr, Deferred) else expr


class Unit(Enum):
    PERCENT = "%"
    POINTS = "points"
    SECONDS = "seconds"
    COUNT = "count"
    SCORE = "score"
    MONEY = "money"
    RATIO = "ratio"


class Format(Enum):
    """How a value is written in the summary, reports, dashboard and alerts."""

    DURATION = "duration"  # seconds as s, min, h or d
    PERCENT = "percent"  # one decimal and a % sign
    COUNT = "count"  # thousands separated, no decimals for whole numbers
    MONEY = "money"  # in the workspace currency
    DECIMAL = "decimal"  # one decimal


#: the format of each unit, unless a metric declares its own
UNIT_FORMATS = {
    Unit.PERCENT: Format.PERCENT,
    Unit.POINTS: Format.DECIMAL,
    Unit.SECONDS: Format.DURATION,
    Unit.COUNT: Format.COUNT,
    Unit.SCORE: Format.DECIMAL,
    Unit.MONEY: Format.MONEY,
    Unit.RATIO: Format.DECIMAL,
}


@dataclass(frozen=True, eq=False)
class Data:
    """Rows of a canonical table (those matching ``where``, an expression over its rows)."""

    table: str
    where: Deferred | None = None

    def _key(self) -> tuple[str, str]:
        # a deferred expression compares into another expression: the printed form is its key
        return self.table, repr(self.where)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Data) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


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


@dataclass(frozen=True, kw_only=True)
class Metric:
    """What every kind declares: meaning, units, dimensions and presentation."""

    id: str
    title: str
    unit: Unit
    direction: Direction
    #: the units' source (engine/sources.py); its tables give the metric's default time span
    source: str
    anchor: str
    dimensions: tuple[str, ...]
    definition: str
    article: str = ""  # the publications followed: names of supportmetrics.sources.SOURCES
    where: Deferred | None = None
    variant_of: str | None = None
    note: str = ""
    unit_label: str = "units"
    explain_columns: tuple[str, ...] = ()
    #: a survey whose scale direction (``[surveys.directions]``) decides this metric's direction;
    #: ``direction`` is then the default one (a higher score is better)
    follows_scale: str = ""
    #: data the metric needs besides its source's tables (see :class:`Needs`)
    needs: tuple[Needs, ...] = ()
    # -- presentation: read by the summary, the report, the dashboard and the alerts --------
    #: its place among the headline metrics (the one-screen summary, 1 first); None: not one
    headline: int | None = None
    #: its place among the report's tiles and trend charts (1 first); None: not one
    tile: int | None = None
    #: a primary metric of the report's tracker (the others are secondary)
    primary: bool = False
    #: how its values are written; None: the format of its unit (:data:`UNIT_FORMATS`)
    format: Format | None = None

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def shown_as(self) -> Format:
        """The format its values are written in."""
        return self.format or UNIT_FORMATS[self.unit]


@dataclass(frozen=True, kw_only=True)
class Count(Metric):
    measure: Expr | None = None


@dataclass(frozen=True, kw_only=True)
class Ratio(Metric):
    numerator: Expr
    denominator: Expr
    scale: float = 100.0


@dataclass(frozen=True, kw_only=True)
class Mean(Metric):
    value: Deferred


@dataclass(frozen=True, kw_only=True)
class Duration(Metric):
    start: str
    end: str
    #: ``"team"``: on the business clock, the calendar of the unit's team; None: the default one
    calendar: str | None = "team"


@dataclass(frozen=True, kw_only=True)
class Snapshot(Metric):
    opened: str
    closed: str
    #: count a unit only once it is this old at the period end (an expression over :data:`S`)
    min_age_seconds: Deferred | None = None
    age_from: str = ""
    count_distinct: str | None = None


@dataclass(frozen=True, kw_only=True)
class Part:
    """One input of a Combined metric: a Count, Ratio-free sum or Snapshot on its own source.

    ``at`` is ``"period"`` for units anchored in the period, ``"start"`` / ``"end"`` for a
    snapshot at the period's start / end, ``"during"`` for units alive during the period,
    ``"upto"`` for units anchored before the period end. ``dimensions`` lists the query
    dimensions this part honours; a part that ignores a dimension is joined on the period alone
    (e.g. the total in channel_share).
    """

    source: str
    anchor: str = ""
    at: str = "period"
    where: Deferred | None = None
    measure: Deferred | None = None
    opened: str = ""
    closed: str = ""
    dimensions: tuple[str, ...] | None = None
    distinct: str | None = None


@dataclass(frozen=True, kw_only=True)
class Combined(Metric):
    """``scale x formula``: ``formula`` reads the parts by name (``_.solved / _.created``) and
    ``_.period_days``, the length of the period in days."""

    parts: dict[str, Part]
    formula: Deferred
    #: the part whose value is the metric's ``count``
    count_part: str
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


@dataclass(frozen=True, kw_only=True)
class Rollup(Metric):
    """A weighted mean over one dimension of another metric (e.g. engagement over kinds).

    ``weights`` (an expression over :data:`S`) gives a weight per dimension value; values
    without one weigh 1.
    """

    of: str
    over: str
    weights: Deferred


@dataclass(frozen=True, kw_only=True)
class Derived(Metric):
    """``scale x formula`` over other metrics, named by their ids (MetricFlow's derived metric).

    ``inputs`` maps a name to a metric id; ``formula`` reads each input's value by its name
    (``_.support / _.tickets``); ``count_input`` is the input whose count is the metric's count.
    An input that lacks a query dimension counts for every value of it (its ``dimensions``
    decide), and its own ``--where`` columns only filter it.
    """

    inputs: dict[str, str]
    formula: Deferred
    count_input: str
    scale: float = 1.0


KINDS = (*KINDS, Rollup, Derived)
