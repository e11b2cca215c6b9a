"""Support levels: escalation between tiers and resolution at the first level.

Levels come from ``assignment`` events that carry a ``level`` (1 = first level); see
engine/levels.py. Tickets without a levelled assignment are left out of both metrics, and a
workspace without any says so instead of showing 0.
"""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.common import flag
from supportmetrics.metrics.model import Data, Direction, Needs, Ratio, Unit

LEVELS = Needs(
    "support levels (assignment events with a level)",
    (Data("ticket_events", (_.kind == "assignment") & _.level.notnull()),),
)
_with_level = _.top_level.notnull()

ESCALATION_RATE = Ratio(
    id="escalation_rate", title="Escalation rate", unit=Unit.PERCENT,
    direction=Direction.DOWN, needs=(LEVELS,),
    source="escalations", anchor="created_at", where=_with_level,
    dimensions=("agent_id", "team", "channel", "category", "priority"),
    numerator=flag(_.escalations > 0), denominator=1,
    definition="100 x tickets assigned at least once to a higher support level than the one "
    "before / tickets with a support level, over tickets created in the period; credited to "
    "the agent and team of the ticket's first levelled assignment (the level that passed it on)",
    unit_label="tickets", explain_columns=("first_level", "top_level", "escalations"),
)
FIRST_LEVEL_RESOLUTION = Ratio(
    id="first_level_resolution", title="First-level resolution", unit=Unit.PERCENT,
    direction=Direction.UP, needs=(LEVELS,),
    source="solved", anchor="solved_at", where=_with_level,
    dimensions=("agent_id", "team", "channel", "category", "priority"),
    numerator=flag(_.top_level <= 1), denominator=1,
    definition="100 x solved tickets that never left the first level (every levelled "
    "assignment at level 1) / solved tickets with a support level, over tickets solved in the "
    "period (last solve); credited to the assignee at the solve",
    unit_label="solved tickets", explain_columns=("first_level", "top_level", "escalations"),
)

METRICS = (ESCALATION_RATE, FIRST_LEVEL_RESOLUTION)
