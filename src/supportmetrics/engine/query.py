"""A metric query: immutable values describing what to compute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from supportmetrics.errors import QueryError


class Grain(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


class Clock(Enum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class Stat(Enum):
    MEAN = "mean"
    MEDIAN = "median"
    P90 = "p90"


@dataclass(frozen=True)
class TimeRange:
    """Half-open [start, end) in local dates of the workspace time zone; None = the data span."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise QueryError(f"--to {self.end} must be after --from {self.start}")


@dataclass(frozen=True)
class Query:
    metric: str
    grain: Grain = Grain.MONTH
    range: TimeRange = TimeRange()
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    clock: Clock = Clock.CALENDAR
    stat: Stat = Stat.MEAN
    #: the instant SLA targets are judged at (local time of the workspace when naive); None:
    #: the end of the ticket data
    as_of: datetime | None = None


def parse_enum(kind: type[Enum], value: str, option: str) -> Enum:
    try:
        return kind(value)
    except ValueError:
        choices = "|".join(str(m.value) for m in kind)
        raise QueryError(f"{option} {value!r}: expected one of {choices}") from None
