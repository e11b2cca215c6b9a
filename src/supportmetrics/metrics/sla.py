"""SLA: first-response and resolution targets per priority, met, breached or pending."""

from __future__ import annotations

import ibis
from ibis import _
from ibis.expr.types import Table

from supportmetrics.metrics.common import flag
from supportmetrics.metrics.model import Direction, Ratio, Unit
from supportmetrics.metrics.needs import REPLIES

SLA_COMPLIANCE = Ratio(
    id="sla_compliance", headline=10, tile=7, primary=True,
    title="SLA compliance", unit=Unit.PERCENT, direction=Direction.UP,
    needs=(REPLIES,),
    source="sla", anchor="created_at", where=_.has_targets,
    dimensions=("priority", "team", "agent_id"),
    numerator=flag(_.sla_met), denominator=flag(_.sla_decided),
    definition="100 x tickets meeting both their first-response and resolution targets (per "
    "priority, [sla] settings; business clock by default; pending and on_hold pause the clock) "
    "/ tickets whose targets are decided, as of the end of the ticket data or --as-of: a target "
    "reached in time is met, one reached late or whose clock ran past it is breached, and one "
    "not reached and not yet due is pending, which leaves the ticket out of the denominator "
    "(count = decided tickets); explain lists every ticket with targets, its sla_status (met, "
    "breached, pending) and each clock against its target",
    unit_label="decided tickets",
    explain_columns=(
        "sla_status",
        "frt_sla_seconds", "frt_target_seconds", "frt_breached",
        "resolution_sla_seconds", "resolution_target_seconds", "resolution_breached",
    ),
)

METRICS = (SLA_COMPLIANCE,)


# --- targets at risk: open targets that will be breached soon ------------------------------------
# Read from the SLA source judged as of an instant (the engine's ``Engine.sla_at_risk``): a
# pending target (not reached, clock not yet past it) has ``target - clock`` seconds left on the
# SLA clock ([sla] clock: business hours by default, pending / on_hold paused).

#: seconds left on the SLA clock before the first-response target is breached
FRT_SECONDS_LEFT = _.frt_target_seconds - _.frt_sla_seconds
#: seconds left on the SLA clock before the resolution target is breached
RESOLUTION_SECONDS_LEFT = _.resolution_target_seconds - _.resolution_sla_seconds
#: (target, status column, seconds left) of each target a ticket may have
AT_RISK_TARGETS = (
    ("first_response", _.frt_status, FRT_SECONDS_LEFT),
    ("resolution", _.resolution_status, RESOLUTION_SECONDS_LEFT),
)
AT_RISK_COLUMNS = ("ticket_id", "priority", "team", "agent_id", "created_at")


def at_risk(sla_as_of: Table, within_seconds: float) -> Table:
    """Rows (ticket, target, ``seconds_left``) of the pending targets of ``sla_as_of`` that
    will be breached within ``within_seconds`` on the SLA clock, soonest first."""
    parts = []
    for target, status, left in AT_RISK_TARGETS:
        rows = sla_as_of.filter((status.resolve(sla_as_of) == "pending")
                                & (left.resolve(sla_as_of) <= within_seconds))
        parts.append(rows.select(*AT_RISK_COLUMNS, target=ibis.literal(target),
                                 seconds_left=left.resolve(rows)))
    return ibis.union(*parts).order_by(["seconds_left", "ticket_id", "target"])
