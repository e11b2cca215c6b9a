"""Calls, surveys, quality reviews and feedback: the other ways the team meets its customers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from supportmetrics.demo.clock import (
    DAY,
    HOUR,
    HOUR_WEIGHT,
    MINUTE,
    NEVER,
    after_open,
    closed_day,
    moments,
)
from supportmetrics.demo.columns import canonical, ids, number, pick, text_or_null, when
from supportmetrics.demo.vocab import (
    BILLING,
    SURVEY_SCALES,
    SURVEYS,
    TIER1,
    TIER2,
    comments,
)

if TYPE_CHECKING:
    from supportmetrics.demo.tickets import Tickets
    from supportmetrics.demo.world import World

CALL_HOURS = np.where((np.arange(24) >= 7) & (np.arange(24) < 20), HOUR_WEIGHT, 0.02)
CALL_OUTCOMES = ("answered", "abandoned", "blocked")
CALL_OUTCOME_P = np.array([0.86, 0.105, 0.035])
QUEUES = ("support", "sales", "billing", "chat")
QUEUE_P = np.array([0.55, 0.22, 0.13, 0.10])
QUEUE_TEAM = np.array([TIER1, TIER1, BILLING, TIER1])
TIER2_SUPPORT_CALLS = 0.3  # of the support queue's calls go to second line
SURVEY_P = np.array([0.32, 0.10, 0.07, 0.05, 0.46])  # per solved ticket; the last is none
CRITERIA = ("tone", "accuracy", "response time", "resolution")
CRITERION_WEIGHT = np.array([1.0, 2.0, 1.0, 2.0])
SOURCES = ("twitter", "facebook", "review site", "form", "email")
SOURCE_P = np.array([0.25, 0.15, 0.15, 0.25, 0.20])
SOURCE_ANSWERED_P = np.array([0.90, 0.85, 0.60, 0.90, 0.95])
SOURCE_REPLY_HOURS = np.array([1.5, 3.0, 30.0, 8.0, 6.0])


def call_moments(rng: np.random.Generator, world: World, n: int) -> np.ndarray:
    """When ``n`` calls are queued (local seconds, ascending): mostly 07:00-20:00."""
    queued: np.ndarray = np.sort(moments(rng, world.midnights, world.day_p, n, CALL_HOURS))
    return queued


def call_teams(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The queue of each call and the team that answers it."""
    queue = rng.choice(len(QUEUES), size=n, p=QUEUE_P)
    second_line = (queue == 0) & (rng.random(n) < TIER2_SUPPORT_CALLS)
    team: np.ndarray = np.where(second_line, TIER2, QUEUE_TEAM[queue])
    return queue, team


def generate_calls(rng: np.random.Generator, world: World, n: int, first_id: int) -> pa.Table:
    """Calls offered to the queues: answered, abandoned (a third of them within 5 s), blocked
    (all of them on the days nobody works), answered by an agent of the queue's team on shift."""
    queued = call_moments(rng, world, n)
    load = CALL_HOURS[queued % DAY // HOUR] / CALL_HOURS.max()  # busy hours: longer waits
    outcome = rng.choice(3, size=n, p=CALL_OUTCOME_P)
    outcome[closed_day(queued // DAY)] = 2
    answered, abandoned = outcome == 0, outcome == 1
    short = rng.random(n) < 0.35
    wait = np.select(
        [answered, abandoned & short, abandoned],
        [rng.lognormal(np.log(9), 0.8, size=n) * (0.4 + 1.2 * load),  # 20 s: ~75 %
         rng.uniform(1, 5, size=n), rng.lognormal(np.log(90), 0.6, size=n)],
        0,
    ).astype(np.int64)
    talk = np.round(rng.lognormal(np.log(300), 0.6, size=n))
    hold = np.round(rng.exponential(40, size=n) * (rng.random(n) < 0.35))
    wrap = np.round(rng.uniform(20, 120, size=n))
    queue, team = call_teams(rng, n)
    agent = world.shifts.assign(rng, team, queued // DAY, calls=True)
    known = rng.random(n) < 0.75
    return canonical("calls", {
        "call_id": ids("K", np.arange(first_id, first_id + n)),
        "queued_at": when(queued),
        "outcome": pick(CALL_OUTCOMES, outcome),
        "answered_at": when(queued + wait, answered),
        "ended_at": when(queued + wait + (talk + hold).astype(np.int64) * answered, outcome < 2),
        "agent_id": pick(world.agents, agent, answered),
        "queue": pick(QUEUES, queue),
        "channel": pick(("phone", "chat"), (queue == 3).astype(np.int64)),
        "talk_seconds": number(talk, answered),
        "hold_seconds": number(hold, answered),
        "wrap_seconds": number(wrap, answered),
        "customer_id": text_or_null(ids("C", world.active_customer(rng, queued) + 1), known),
    })


def generate_surveys(rng: np.random.Generator, world: World, tickets: Tickets,
                     first_id: int) -> pa.Table:
    """A survey for about half the solved tickets, a third answered; scores follow the agent's
    quality, the resolution time, reopens and complaints."""
    n_tickets = len(tickets.created)
    kind = rng.choice(len(SURVEY_P), size=n_tickets, p=SURVEY_P)
    sent = tickets.solved + rng.integers(30 * MINUTE, 3 * HOUR, size=n_tickets)
    rows = np.flatnonzero((kind < len(SURVEYS)) & (sent < world.horizon))
    n = len(rows)
    kind, sent = kind[rows], sent[rows]
    responded = sent + (rng.exponential(6, size=n) * HOUR).astype(np.int64) + MINUTE
    answered = (rng.random(n) < 0.36) & (responded < world.horizon)
    days = (tickets.solved[rows] - tickets.created[rows]) / DAY
    agent = tickets.agent[rows]
    mood = (
        2.4 + world.agent_quality[np.maximum(agent, 0)] - 0.45 * np.log1p(days)
        - 0.9 * tickets.reopened[rows] - 0.7 * tickets.complaint[rows]
        + rng.logistic(0, 0.9, size=n)
    )
    happy = 1 / (1 + np.exp(-mood))
    low, high = SURVEY_SCALES[kind, 0], SURVEY_SCALES[kind, 1]
    score = low + np.minimum(np.floor(happy * (high - low + 1)), high - low)
    sentiment = np.digitize((score - low) / (high - low), [0.45, 0.75])
    take = pa.array(rows)
    return canonical("surveys", {
        "response_id": ids("S", np.arange(first_id, first_id + n)),
        "survey": pick(SURVEYS, kind),
        "sent_at": when(sent),
        "responded_at": when(responded, answered),
        "score": number(score, answered),
        "scale_min": number(low),
        "scale_max": number(high),
        "ticket_id": tickets.tickets["ticket_id"].take(take),
        "agent_id": tickets.tickets["agent_id"].take(take),
        "customer_id": tickets.tickets["customer_id"].take(take),
        "channel": tickets.tickets["channel"].take(take),
        "comment": text_or_null(comments(rng, sentiment), answered & (rng.random(n) < 0.3)),
    })


def generate_reviews(rng: np.random.Generator, world: World, tickets: Tickets) -> pa.Table:
    """Three to five reviews per agent per month of a ticket they solved, four criteria each."""
    months = np.unique(world.midnights.astype("datetime64[s]").astype("datetime64[M]"))
    month_start = months.astype("datetime64[s]").astype(np.int64)
    month_end = (months + 1).astype("datetime64[s]").astype(np.int64)
    agent, month = (a.ravel() for a in np.meshgrid(np.arange(len(world.agents)),
                                                  np.arange(len(months))))
    count = rng.integers(3, 6, size=len(agent))
    agent, month = np.repeat(agent, count), np.repeat(month, count)
    n = len(agent)
    solved = np.flatnonzero((tickets.solved < NEVER) & (tickets.agent >= 0))
    key = (tickets.agent[solved] << 36) + tickets.solved[solved]
    order = np.argsort(key)
    key, solved = key[order], solved[order]
    lo = np.searchsorted(key, (agent << 36) + np.maximum(month_start[month], world.origin))
    hi = np.searchsorted(key, (agent << 36) + np.minimum(month_end[month], world.horizon))
    found = hi > lo
    chosen = np.minimum(lo + (rng.random(n) * (hi - lo)).astype(np.int64), len(key) - 1)
    ticket = solved[chosen] if len(solved) else np.zeros(n, dtype=np.int64)
    reviewed = np.where(
        found, tickets.solved[ticket] + rng.integers(2 * HOUR, 5 * DAY, size=n),
        month_start[month] + (rng.random(n) * (month_end - month_start)[month]).astype(np.int64),
    )
    reviewed = np.clip(reviewed, world.origin, world.horizon - MINUTE)
    row = np.repeat(np.arange(n), len(CRITERIA))
    criterion = np.tile(np.arange(len(CRITERIA)), n)
    base = np.where(criterion == 2, 4.2 - 1.5 * np.log(world.agent_speed[agent[row]]),
                    4.0 + 0.8 * world.agent_quality[agent[row]])
    score = np.clip(np.round(base + rng.normal(0, 0.7, size=len(row))), 1, 5)
    return canonical("quality_reviews", {
        "review_id": ids("R", row + 1, 6),
        "ticket_id": text_or_null(tickets.tickets["ticket_id"].take(pa.array(ticket[row])),
                                  found[row]),
        "agent_id": pick(world.agents, agent[row]),
        "reviewed_at": when(reviewed[row]),
        "criterion": pick(CRITERIA, criterion),
        "score": number(score),
        "max_score": number(np.full(len(row), 5.0)),
        "weight": number(CRITERION_WEIGHT[criterion]),
    })


def generate_feedback(rng: np.random.Generator, world: World, n: int, first_id: int) -> pa.Table:
    """Mentions and feedback items, more negative than surveys; most get an answer."""
    at = np.sort(moments(rng, world.midnights, world.day_p, n))
    source = rng.choice(len(SOURCES), size=n, p=SOURCE_P)
    sentiment = rng.choice(3, size=n, p=[0.3, 0.15, 0.55])
    delay = (rng.exponential(SOURCE_REPLY_HOURS[source]) * HOUR).astype(np.int64)
    responded = after_open(at, delay, weekends=source < 2)
    answered = (rng.random(n) < SOURCE_ANSWERED_P[source]) & (responded < world.horizon)
    known = (source >= 2) | (rng.random(n) < 0.4)
    return canonical("feedback", {
        "feedback_id": ids("F", np.arange(first_id, first_id + n)),
        "at": when(at),
        "source": pick(SOURCES, source),
        "customer_id": text_or_null(ids("C", world.active_customer(rng, at) + 1), known),
        "text": comments(rng, sentiment),
        "responded_at": when(responded, answered),
    })
