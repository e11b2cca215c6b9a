"""Calls and queues: service level, ASA, waiting, abandonment, blocking, AHT, utilization."""

from __future__ import annotations

from dataclasses import replace

from ibis import _

from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import (
    Combined,
    Count,
    Direction,
    Duration,
    Mean,
    Part,
    Ratio,
    Unit,
)
from supportmetrics.metrics.needs import CALLS, HANDLE_TIME, REPLIES

SERVICE_LEVEL = Ratio(
    id="service_level", title="Service level", unit=Unit.PERCENT, direction=Direction.UP,
    source="requests", anchor="at", dimensions=("channel", "queue", "priority", "team"),
    numerator=_.sl_met, denominator=_.sl_eligible,
    definition="calls: 100 x answered within service_level_seconds (20 s) / (offered - short "
    "abandons); tickets: 100 x first response within the SLA target of the ticket's priority "
    "/ tickets with a target; both together unless filtered (e.g. --where request_kind=call): "
    "service_level_calls and service_level_tickets give each kind alone, as headlines show them",
    article="LiveAgent Academy", unit_label="requests",
)
SERVICE_LEVEL_CALLS = replace(
    SERVICE_LEVEL, id="service_level_calls", headline=12, primary=True,
    needs=(CALLS,), title="Service level (calls)",
    where=_.request_kind == "call", dimensions=("channel", "queue"),
    variant_of="service_level",
    definition="100 x calls answered within service_level_seconds (20 s) / (offered - short "
    "abandons)", unit_label="offered calls",
)
SERVICE_LEVEL_TICKETS = replace(
    SERVICE_LEVEL, id="service_level_tickets", headline=11, primary=True,
    needs=(REPLIES,), title="Service level (tickets)",
    where=_.request_kind == "ticket", dimensions=("channel", "priority", "team"),
    variant_of="service_level",
    definition="100 x tickets first answered within the SLA first-response target of their "
    "priority / tickets with a target", unit_label="tickets with a target",
)
ASA = Duration(
    id="asa", headline=13, primary=True,
    title="Average speed of answer", unit=Unit.SECONDS, direction=Direction.DOWN,
    source="calls", anchor="queued_at", start="queued_at", end="answered_at", calendar=None,
    where=_.is_answered, dimensions=("queue", "channel", "agent_id"),
    definition="mean (answered_at - queued_at) over answered calls", article="LiveAgent Academy",
    unit_label="answered calls",
)
AVG_WAIT_TIME = Ratio(
    id="avg_wait_time", title="Average waiting time (all queued callers)", unit=Unit.SECONDS,
    direction=Direction.DOWN, source="calls", anchor="queued_at",
    where=_.is_answered | _.is_abandoned, dimensions=("queue", "channel"),
    numerator=_.wait_seconds.fill_null(0), denominator=flag(_.is_answered),
    scale=1.0,
    definition="total waiting time of all queued callers (answered: until answer; abandoned: "
    "until hang-up) / callers served (answered)", article="LiveAgent 2025",
    unit_label="callers served",
)
ABANDONMENT_RATE = Ratio(
    id="abandonment_rate", headline=14, primary=True,
    title="Abandonment rate", unit=Unit.PERCENT, direction=Direction.DOWN,
    source="calls", anchor="queued_at", where=~_.is_short_abandon,
    dimensions=("queue", "channel"),
    numerator=flag(_.is_abandoned), denominator=flag(_.is_answered | _.is_abandoned),
    definition="100 x (abandoned - short abandons) / (offered - short abandons); offered = "
    "answered + abandoned", unit_label="offered calls",
)
BLOCKED_CALLS = Count(
    id="blocked_calls", title="Blocked calls", unit=Unit.COUNT, direction=Direction.DOWN,
    source="calls", anchor="queued_at", where=_.is_blocked,
    dimensions=("queue", "channel"),
    definition="calls refused (no free line or agent, or a network fault)", article="LiveAgent Academy",
    unit_label="calls",
)
BLOCKED_RATE = Ratio(
    id="blocked_rate", title="Blocked rate", unit=Unit.PERCENT, direction=Direction.DOWN,
    source="calls", anchor="queued_at", dimensions=("queue", "channel"),
    variant_of="blocked_calls",
    numerator=flag(_.is_blocked), denominator=1,
    definition="100 x blocked calls / call attempts", article="LiveAgent Academy", unit_label="attempts",
)
AHT = Mean(
    id="aht", headline=15, primary=True,
    title="Average handle time", unit=Unit.SECONDS, direction=Direction.DOWN,
    needs=(HANDLE_TIME,),
    source="handled", anchor="at", dimensions=("agent_id", "queue", "channel"),
    value=_.handle_seconds,
    definition="mean (talk + hold + wrap) over answered calls, anchored at the answer; tickets "
    "with handle_seconds count with it, anchored at creation (--where unit_kind=call for calls "
    "only)", article="LiveAgent Academy", unit_label="handled calls and tickets",
)
AGENT_UTILIZATION = Combined(
    id="agent_utilization", headline=16, primary=True,
    title="Agent utilization", unit=Unit.PERCENT,
    needs=(HANDLE_TIME,),
    direction=Direction.NEUTRAL, source="shifts", anchor="start", dimensions=("agent_id", "team"),
    parts={
        "handle": Part(source="handled", anchor="at", measure=_.handle_seconds),
        "available": Part(source="shifts", anchor="start", measure=_.shift_seconds),
    },
    formula=ratio(_.handle, _.available), scale=100.0, count_part="available",
    definition="100 x handle time (call talk + hold + wrap, ticket handle_seconds) / available "
    "shift time; benchmark band 70-85 %; count = available seconds", article="Malnik 2020",
    unit_label="shift seconds",
)

METRICS = (
    SERVICE_LEVEL, SERVICE_LEVEL_CALLS, SERVICE_LEVEL_TICKETS, ASA, AVG_WAIT_TIME,
    ABANDONMENT_RATE, BLOCKED_CALLS, BLOCKED_RATE, AHT, AGENT_UTILIZATION,
)
