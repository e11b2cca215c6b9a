"""SLA: first-response and resolution targets per priority, met, breached or pending."""

from __future__ import annotations

from ibis import _

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
