"""A deterministic generator of realistic support data: the demo workspace and benchmark data.

A year of a support team in three teams (tier1, tier2, billing), staffed to its volume (16 agents,
a01..a16, at the default 60,000 tickets; see staffing), five channels, seven categories, priorities
worked in order (urgent first), weekday and hour-of-day seasonality on the Europe/Zagreb clock,
quiet holidays (Christmas Day near-empty), a spike week (a product incident in the week of
2025-06-09: three times the volume, mostly technical), auto and bot replies, internal notes,
handoffs and escalations, pending periods, reopens (some only to say thank you), never answered
and still open tickets, calls with abandons (some short) and blocks, four survey kinds with
unanswered sends and comments, customers with churn and referrals, orders, a monthly ledger,
shifts, quality reviews, feedback and engagement.

Everything is drawn with numpy from one seed (same seed, same tables) and sized by ``tickets``;
the other tables and the team scale with it (calls 0.4x, surveys about 0.5x, customers 0.25x,
the agents and their shift hours). The team works past the end of the period, so the last
month is settled like the others. No loop runs over rows.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from supportmetrics.demo.contacts import (
    generate_calls,
    generate_feedback,
    generate_reviews,
    generate_surveys,
)
from supportmetrics.demo.staffing import CALLS_PER_TICKET
from supportmetrics.demo.tickets import Tickets, generate_tickets
from supportmetrics.demo.world import World, make_world

START = date(2025, 1, 1)
PER_CHUNK = ("tickets", "ticket_events", "calls", "surveys", "feedback")
ONCE = ("customers", "orders", "ledger", "agent_shifts", "quality_reviews", "engagement")


def generate(
    seed: int = 7, tickets: int = 60_000, start: date = START, days: int = 365,
    first_id: int = 1,
) -> dict[str, pa.Table]:
    """One Arrow table per canonical table, deterministic from ``seed``.

    ``first_id`` numbers the first ticket (and call, survey, feedback item): data sets generated
    separately with ids far apart can be loaded into one workspace.
    """
    world = make_world(seed, tickets, start, days)
    chunk, ticket_set = generate_chunk(world, seed, 0, tickets, first_id)
    chunk["quality_reviews"] = reviews(world, seed, ticket_set)
    return {**chunk, **{name: world.tables[name] for name in ONCE if name in world.tables}}


def generate_chunk(
    world: World, seed: int, number: int, tickets: int, first_id: int
) -> tuple[dict[str, pa.Table], Tickets]:
    """The tables that grow with the tickets, for chunk ``number`` of a data set."""
    rng = np.random.default_rng([seed, 1, number])
    ticket_set = generate_tickets(rng, world, tickets, first_id)
    tables = {
        "tickets": ticket_set.tickets,
        "ticket_events": ticket_set.events,
        "calls": generate_calls(rng, world, max(1, int(tickets * CALLS_PER_TICKET)), first_id),
        "surveys": generate_surveys(rng, world, ticket_set, first_id),
        "feedback": generate_feedback(rng, world, max(1, tickets // 20), first_id),
    }
    return tables, ticket_set


def reviews(world: World, seed: int, ticket_set: Tickets) -> pa.Table:
    """Quality reviews of the agents' solved tickets (drawn once per data set)."""
    return generate_reviews(np.random.default_rng([seed, 2]), world, ticket_set)
