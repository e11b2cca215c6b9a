"""Volume: requests, tickets, channel share, repeat contacts."""

from __future__ import annotations

from ibis import _

from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import Combined, Count, Direction, Part, Ratio, Unit
from supportmetrics.metrics.needs import CUSTOMERS_ON_TICKETS

REQUEST_VOLUME = Count(
    id="request_volume", title="Request volume (tickets + calls)", unit=Unit.COUNT,
    direction=Direction.NEUTRAL, source="requests", anchor="at",
    dimensions=("channel", "category", "priority", "team"),
    definition="tickets created + calls queued in the period", article="LiveAgent Academy; Parker",
    unit_label="requests",
)
TICKET_VOLUME = Count(
    id="ticket_volume", headline=1, tile=1, primary=True,
    title="Ticket volume", unit=Unit.COUNT, direction=Direction.NEUTRAL,
    source="tickets", anchor="created_at",
    dimensions=("channel", "category", "priority", "team", "agent_id"),
    definition="tickets created in the period", article="Parker; Malnik 2020", unit_label="tickets",
)
CHANNEL_SHARE = Combined(
    id="channel_share", title="Channel share", unit=Unit.PERCENT, direction=Direction.NEUTRAL,
    source="requests", anchor="at", dimensions=("channel",),
    parts={
        "in_channel": Part(source="requests", anchor="at"),
        "all_requests": Part(source="requests", anchor="at", dimensions=()),
    },
    formula=ratio(_.in_channel, _.all_requests), scale=100.0,
    count_part="in_channel",
    definition="100 x request_volume of the channel / all requests in the period",
    article="LiveAgent Academy; LiveAgent 2025; Parker", unit_label="requests",
)
REPEAT_CONTACT_RATE = Ratio(
    id="repeat_contact_rate", title="Repeat contact rate", unit=Unit.PERCENT,
    needs=(CUSTOMERS_ON_TICKETS,),
    direction=Direction.DOWN, source="tickets", anchor="created_at",
    where=_.customer_id.notnull(), dimensions=("channel", "category", "agent_id"),
    numerator=flag(_.repeat_contact), denominator=1,
    definition="100 x tickets whose customer opens another ticket within repeat_window_days "
    "(default 7) after this one / tickets with a customer", article="Malnik 2020",
    unit_label="tickets",
)

METRICS = (REQUEST_VOLUME, TICKET_VOLUME, CHANNEL_SHARE, REPEAT_CONTACT_RATE)
