"""Flags: the per-unit columns that decide what metrics count, declared once by source.

A flag is a column the engine adds to every unit of its source (``engine/sources.py`` applies
them in the order declared here, so a flag may read the flags before it). Metrics then name it
like any column (``numerator=flag(_.satisfied)``), and a setting enters it by name
(``S.thresholds.satisfied_at``). A metric over a new flag takes three places: the flag here,
the metric's declaration and its test.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
from ibis import Deferred, _

from supportmetrics.metrics.model import S


@dataclass(frozen=True, kw_only=True)
class Flag:
    """A column ``name`` on the units of ``source``: ``expr`` over the unit and the settings."""

    name: str
    source: str
    expr: Deferred
    definition: str


_SHORT = S.thresholds.short_abandon_seconds

FLAGS: tuple[Flag, ...] = (
    Flag(name="wait_seconds", source="calls",
         expr=ibis.coalesce(_.answered_at, _.ended_at).epoch_seconds()
         - _.queued_at.epoch_seconds(),
         definition="seconds from queueing to the answer, or to the hang-up"),
    Flag(name="is_answered", source="calls", expr=_.outcome == "answered",
         definition="the call was answered"),
    Flag(name="is_abandoned", source="calls", expr=_.outcome == "abandoned",
         definition="the caller hung up before an answer"),
    Flag(name="is_blocked", source="calls", expr=_.outcome == "blocked",
         definition="the call was refused (no free line or agent, or a network fault)"),
    Flag(name="is_short_abandon", source="calls",
         expr=ibis.ifelse(_SHORT > 0, _.is_abandoned & (_.wait_seconds.fill_null(0) <= _SHORT),
                          False),
         definition="abandoned after waiting at most short_abandon_seconds; 0 turns the "
         "exclusion off, so a caller who hangs up at once (0 s) still counts as abandoned"),
    Flag(name="handle_seconds", source="calls",
         expr=_.talk_seconds.fill_null(0) + _.hold_seconds.fill_null(0)
         + _.wrap_seconds.fill_null(0),
         definition="talk + hold + wrap seconds"),
    Flag(name="answered", source="surveys", expr=_.score.notnull(),
         definition="the survey was answered (it has a score)"),
    Flag(name="normalized", source="surveys",
         expr=(_.score - _.scale_min) / (_.scale_max - _.scale_min),
         definition="the score on 0-1 across its scale"),
    Flag(name="satisfied", source="surveys",
         expr=_.normalized >= S.thresholds.satisfied_at - 1e-9,
         definition="normalized score at or above satisfied_at (0.75: 4-5 on 1-5)"),
)


def flags_of(source: str) -> tuple[Flag, ...]:
    """The flags of one source, in the order they are added."""
    return tuple(f for f in FLAGS if f.source == source)
