"""The floor: the core metrics as hand-written DuckDB SQL over the canonical tables.

One temporary table of ticket facts (the same definitions as the catalogue), then one query per
metric with GROUPING SETS for the two breakdowns. Local months through DuckDB's ``timezone()``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FACTS = """
CREATE OR REPLACE TEMP TABLE bench_facts AS
WITH per_ticket AS (
    SELECT e.ticket_id,
        count(*) FILTER (e.kind = 'agent_reply') AS public_replies,
        min(e."at") FILTER (e.kind = 'agent_reply' AND e."at" >= t.created_at) AS first_reply_at,
        arg_min(e.actor_id, (e."at", e.event_id))
            FILTER (e.kind = 'agent_reply' AND e."at" >= t.created_at) AS first_actor,
        arg_max(e.status, e."at") FILTER (e.kind = 'status_change') AS last_status
    FROM ticket_events e JOIN tickets t USING (ticket_id)
    GROUP BY e.ticket_id
),
changes AS (
    SELECT ticket_id, "at", status IN ('solved', 'closed') AS now_solved,
        coalesce(lag(status IN ('solved', 'closed'))
            OVER (PARTITION BY ticket_id ORDER BY "at", event_id), false) AS was_solved
    FROM ticket_events WHERE kind = 'status_change'
),
solves AS (
    SELECT ticket_id, max("at") AS last_solve_at FROM changes
    WHERE now_solved AND NOT was_solved GROUP BY ticket_id
),
facts AS (
    SELECT t.ticket_id, t.created_at, t.channel, t.agent_id,
        p.ticket_id IS NOT NULL AS has_events,
        CASE WHEN p.ticket_id IS NULL THEN t.first_response_at ELSE p.first_reply_at END
            AS first_response_at,
        CASE WHEN p.ticket_id IS NULL THEN t.agent_id ELSE coalesce(p.first_actor, t.agent_id) END
            AS first_responder,
        CASE WHEN coalesce(p.last_status, t.status) IN ('solved', 'closed') THEN
            CASE WHEN p.last_status IS NOT NULL THEN s.last_solve_at ELSE t.resolved_at END
        END AS solved_at,
        CASE WHEN p.ticket_id IS NOT NULL THEN p.public_replies END AS public_replies
    FROM tickets t
    LEFT JOIN per_ticket p USING (ticket_id)
    LEFT JOIN solves s USING (ticket_id)
),
credit AS (
    SELECT f.ticket_id, arg_max(a.actor_id, a."at") AS assignee
    FROM facts f JOIN ticket_events a
        ON a.ticket_id = f.ticket_id AND a.kind = 'assignment' AND a."at" <= f.solved_at
    GROUP BY f.ticket_id
)
SELECT f.*, coalesce(c.assignee, f.agent_id) AS solved_agent
FROM facts f LEFT JOIN credit c USING (ticket_id)
"""


def _month(column: str, zone: str) -> str:
    return f"date_trunc('month', timezone('{zone}', {column}::TIMESTAMPTZ))::DATE"


def _grouped(select: str, source: str, anchor: str, dims: dict[str, str], zone: str) -> str:
    """``select`` per (period, dim) for each dimension (column expression per dimension)."""
    parts = []
    for name, column in dims.items():
        parts.append(
            f"SELECT '{name}' AS dimension, {_month(anchor, zone)} AS period, "
            f"{column}::VARCHAR AS dim, {select} FROM {source} WHERE {anchor} IS NOT NULL "
            f"GROUP BY ALL"
        )
    return " UNION ALL ".join(parts)


def queries(zone: str) -> dict[str, str]:
    seconds = "epoch({end}) - epoch({start})"
    return {
        "ticket_volume": _grouped(
            "count(*)::DOUBLE AS value, count(*) AS count", "bench_facts", "created_at",
            {"agent_id": "agent_id", "channel": "channel"}, zone),
        "first_response_time": _grouped(
            f"avg({seconds.format(end='first_response_at', start='created_at')}) AS value, "
            "count(first_response_at) AS count", "bench_facts", "created_at",
            {"agent_id": "first_responder", "channel": "channel"}, zone),
        "resolution_time": _grouped(
            f"avg({seconds.format(end='solved_at', start='created_at')}) AS value, "
            "count(*) AS count", "bench_facts", "solved_at",
            {"agent_id": "solved_agent", "channel": "channel"}, zone),
        "fcr_rate": _grouped(
            "100 * avg((public_replies = 1)::INT) AS value, count(*) AS count",
            "(SELECT * FROM bench_facts WHERE public_replies IS NOT NULL)", "solved_at",
            {"agent_id": "solved_agent", "channel": "channel"}, zone),
        "csat": _grouped(
            "100 * avg(((score - scale_min) / (scale_max - scale_min) >= 0.75 - 1e-9)::INT) "
            "AS value, count(*) AS count",
            "(SELECT * FROM surveys WHERE survey = 'csat' AND score IS NOT NULL)",
            "responded_at", {"agent_id": "agent_id", "channel": "channel"}, zone),
        "asa": _grouped(
            f"avg({seconds.format(end='answered_at', start='queued_at')}) AS value, "
            "count(answered_at) AS count",
            "(SELECT * FROM calls WHERE outcome = 'answered')", "queued_at",
            {"agent_id": "agent_id", "channel": "channel"}, zone),
    }


def core_metrics(con: Any, zone: str) -> dict[tuple[str, str], pd.DataFrame]:
    """{(metric, dimension): frame of period, dim, value, count} from the workspace DuckDB."""
    con.execute(FACTS)
    out = {}
    for metric, sql in queries(zone).items():
        frame = con.execute(sql).df()
        for dimension, part in frame.groupby("dimension"):
            out[(metric, str(dimension))] = part.drop(columns="dimension")
    con.execute("DROP TABLE bench_facts")
    return out
