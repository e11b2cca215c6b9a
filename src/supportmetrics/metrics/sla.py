"""SLA: first-response and resolution targets per priority, met or breached."""

from __future__ import annotations

from supportmetrics.metrics.common import flag
from supportmetrics.metrics.model import Direction, Ratio, Unit
from supportmetrics.metrics.needs import REPLIES

SLA_COMPLIANCE = Ratio(
    id="sla_compliance", needs=(REPLIES,), title="SLA compliance", unit=Unit.PERCENT, direction=Direction.UP,
    source="sla", anchor="created_at", where=lambda t, s: t.has_targets,
    dimensions=("priority", "team", "agent_id"),
    numerator=lambda t, s: flag(t.sla_met), denominator=lambda t, s: 1,
    definition="100 x tickets meeting both their first-response and resolution targets (per "
    "priority, [sla] settings; business clock by default; pending and on_hold pause the clock) "
    "/ tickets with targets; a ticket still inside its targets and not yet due counts as met only "
    "once it is answered and solved in time; breaches are listed per ticket by explain",
    unit_label="tickets with targets",
    explain_columns=(
        "frt_sla_seconds", "frt_target_seconds", "frt_breached",
        "resolution_sla_seconds", "resolution_target_seconds", "resolution_breached",
    ),
)

METRICS = (SLA_COMPLIANCE,)
