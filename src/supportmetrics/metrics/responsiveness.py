"""How fast customers hear back: first response, every reply interval, feedback answered."""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import Combined, Count, Direction, Duration, Part, Ratio, Unit
from supportmetrics.metrics.needs import REPLIES

FIRST_RESPONSE_TIME = Duration(
    id="first_response_time", headline=3, tile=4, primary=True,
    title="First response time", unit=Unit.SECONDS,
    needs=(REPLIES,),
    direction=Direction.DOWN, source="first_responses", anchor="created_at",
    start="created_at", end="first_response_at",
    dimensions=("agent_id", "team", "channel", "category", "priority"),
    definition="per ticket: first public agent reply at or after creation - created_at; tickets "
    "never answered are left out of the statistic and counted in frt_unanswered; a ticket "
    "without events counts with the helpdesk's own first reply time (first_response_seconds) "
    "when its row has one, else its first_response_at, and explain says which",
    article="LiveAgent Academy; LiveAgent 2025; Parker; Malnik 2020", unit_label="tickets",
    explain_columns=("first_response_from",),
)
FRT_UNANSWERED = Count(
    id="frt_unanswered", title="Tickets without a first response", unit=Unit.COUNT,
    needs=(REPLIES,),
    direction=Direction.DOWN, source="first_responses", anchor="created_at",
    where=_.first_response_at.isnull(), variant_of="first_response_time",
    dimensions=FIRST_RESPONSE_TIME.dimensions,
    definition="tickets created in the period with no public agent reply yet",
    unit_label="tickets",
)
FRT_PER_RESOLVED = Combined(
    id="frt_per_resolved", title="First response time per resolved ticket (literal)",
    needs=(REPLIES,),
    unit=Unit.SECONDS, direction=Direction.DOWN, source="tickets", anchor="created_at",
    dimensions=("agent_id", "team", "channel", "category", "priority"),
    variant_of="first_response_time",
    parts={
        "total_frt": Part(
            source="first_responses", anchor="created_at",
            where=_.first_response_at.notnull(),
            measure=_.first_response_at.epoch_seconds()
            - _.created_at.epoch_seconds(),
        ),
        "solved": Part(source="solved", anchor="solved_at"),
    },
    formula=ratio(_.total_frt, _.solved), count_part="solved",
    definition="total first response time of tickets created in the period / tickets solved in "
    "the period (the source's literal formula; first_response_time is the per-ticket mean)",
    article="LiveAgent 2025", unit_label="tickets",
)
RESPONSE_TIME = Duration(
    id="response_time", title="Average response time (every reply)", unit=Unit.SECONDS,
    needs=(REPLIES,),
    direction=Direction.DOWN, source="waits", anchor="reply_at",
    start="waiting_since", end="reply_at", dimensions=("agent_id", "team", "channel"),
    where=_.reply_at.notnull(),
    definition="mean of all reply intervals: from the earliest unanswered customer message to "
    "the next public agent reply, anchored at the reply",
    article="LiveAgent 2025; Bitvinskas 2021", unit_label="replies",
)
FEEDBACK_RESPONSE_RATE = Ratio(
    id="feedback_response_rate", title="Feedback response rate", unit=Unit.PERCENT,
    direction=Direction.UP, source="feedback", anchor="at", dimensions=("source",),
    numerator=flag(_.responded_at.notnull()), denominator=1,
    definition="100 x feedback items answered / feedback items", article="LiveAgent 2025",
    unit_label="feedback items",
)
FEEDBACK_VOLUME = Count(
    id="feedback_volume", title="Feedback volume", unit=Unit.COUNT, direction=Direction.NEUTRAL,
    source="feedback", anchor="at", dimensions=("source", "hour_of_week"),
    definition="feedback items and mentions; by source, and by hour of week (local, Monday 0 = "
    "Monday 00:00-01:00) to see when customers are most active",
    article="LiveAgent 2025", unit_label="feedback items",
)

METRICS = (
    FIRST_RESPONSE_TIME, FRT_UNANSWERED, FRT_PER_RESOLVED, RESPONSE_TIME,
    FEEDBACK_RESPONSE_RATE, FEEDBACK_VOLUME,
)
