"""Support levels (tiers) of a ticket, from its assignment events (Ibis expressions).

An ``assignment`` event may carry the ``level`` of the team or agent the ticket moved to (1 =
first level, 2 = second, ...) and that ``team``. Per ticket, over its assignments with a level
in time order (ties by event id):

* ``first_level``: the level of the first such assignment (where the ticket started);
* ``top_level``: the highest level it reached;
* ``escalations``: assignments to a higher level than the previous one;
* ``first_level_agent`` / ``first_level_team``: the agent and team of the first such assignment
  (credited with an escalation: the level that passed the ticket on).

A ticket with no levelled assignment has these null, and the level metrics leave it out.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

Table = Any

LEVEL_COLUMNS = (
    "first_level", "top_level", "escalations", "first_level_agent", "first_level_team",
)


def level_facts(events: Table) -> Table:
    """One row per ticket with a levelled assignment; columns :data:`LEVEL_COLUMNS`."""
    moves = events.filter((_.kind == "assignment") & _.level.notnull())
    order = ibis.window(group_by=moves.ticket_id, order_by=[moves.at, moves.event_id])
    moves = moves.mutate(
        _prev=moves.level.lag().over(order),
        _seq=ibis.row_number().over(order),
    )
    return moves.group_by("ticket_id").aggregate(
        first_level=_.level.max(where=_._seq == 0),
        top_level=_.level.max(),
        escalations=(_.level > _._prev).fill_null(False).cast("int64").sum(),
        first_level_agent=_.actor_id.max(where=_._seq == 0),
        first_level_team=_.team.max(where=_._seq == 0),
    )


def with_levels(facts: Table, events: Table) -> Table:
    """``facts`` + the level columns (null for tickets without a levelled assignment)."""
    return facts.left_join(level_facts(events), "ticket_id").drop("ticket_id_right")
