"""The dashboard's filters: period, grain, team, channel, agent, priority, clock and statistic.

They live in the URL's query string, so a view can be bookmarked and shared; every link a page
draws keeps them (:meth:`Filters.query`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from supportmetrics.engine import Clock, Stat
from supportmetrics.errors import QueryError
from supportmetrics.reports import GRAINS, period_label, resolve_periods

#: query-string name -> the metric dimension it filters on
DIMENSIONS = {"team": "team", "channel": "channel", "agent": "agent_id", "priority": "priority"}
CLOCKS = tuple(c.value for c in Clock)
STATS = tuple(s.value for s in Stat)


@dataclass(frozen=True)
class Filters:
    """What the page shows: the periods up to the chosen one, and the units it counts."""

    grain: str = "month"
    period: str = ""  # a month (2025-10) or a day of the chosen week/month; "" = the latest
    start: str = ""  # first period shown ("" = six before the chosen one)
    team: str = ""
    channel: str = ""
    agent: str = ""
    priority: str = ""
    clock: str = "calendar"
    stat: str = "mean"

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From the request's query parameters (unknown ones are ignored, bad values refused)."""
        def text(name: str, default: str = "") -> str:
            return str(params.get(name) or default).strip()

        filters = cls(
            grain=text("grain", "month"), period=text("period"), start=text("from"),
            team=text("team"), channel=text("channel"), agent=text("agent"),
            priority=text("priority"), clock=text("clock", "calendar"), stat=text("stat", "mean"),
        )
        if filters.grain not in GRAINS:
            raise QueryError(f"grain {filters.grain!r}: expected one of {'|'.join(GRAINS)}")
        if filters.clock not in CLOCKS:
            raise QueryError(f"clock {filters.clock!r}: expected one of {'|'.join(CLOCKS)}")
        if filters.stat not in STATS:
            raise QueryError(f"stat {filters.stat!r}: expected one of {'|'.join(STATS)}")
        return filters

    @property
    def where(self) -> dict[str, str]:
        """The dimension filters as the engine's ``where``."""
        return {DIMENSIONS[k]: getattr(self, k) for k in DIMENSIONS if getattr(self, k)}

    def params(self, **changes: str) -> dict[str, str]:
        """The non-default filters as query parameters, ``changes`` applied (names that are
        not filters, such as ``page``, are added as they are)."""
        own = {k: v for k, v in changes.items() if k in self.__dataclass_fields__}
        values = replace(self, **own) if own else self
        default = Filters()
        names = {"start": "from"}
        params = {names.get(k, k): getattr(values, k) for k in self.__dataclass_fields__
                  if getattr(values, k) != getattr(default, k)}
        params.update({k: v for k, v in changes.items() if k not in own and v})
        return params

    def query(self, **changes: str) -> str:
        """``?grain=week&team=tier1`` (empty when every filter has its default)."""
        params = self.params(**changes)
        return "?" + urlencode(params) if params else ""

    def periods(self, last_day: date) -> tuple[tuple[date, ...], date]:
        """Period starts shown (oldest first; the last is the chosen one) and its end."""
        return resolve_periods(self.grain, self.period or None, self.start or None, None, last_day)

    def label(self, start: date) -> str:
        return period_label(start, self.grain)
