"""Tickets and their events: every ticket lives a whole life, then the horizon cuts it.

Each step of a ticket's life (first reply, the customer's answer, a handoff, the solve, a reopen,
the close) is one array over all tickets, ``NEVER`` where the step does not happen. The steps of
one ticket are in time order by construction, so the events are the steps before the horizon
and the ticket's status is the last status change before it. A life does not know where the
horizon is: the team keeps working past it, so the tickets still new, open or pending at the
end are the ones a live queue has at any month's end (mostly the last days' tickets, a few
forgotten or waiting ones), and the last month looks like every other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportmetrics.demo.clock import (
    DAY,
    HOUR,
    MINUTE,
    NEVER,
    after_open,
    moments,
    next_open,
    seconds,
)
from supportmetrics.demo.columns import canonical, ids, number, pick, when
from supportmetrics.demo.vocab import (
    ASSIGN,
    AUTO,
    BOT,
    CATEGORIES,
    CATEGORY_P,
    CATEGORY_TEAM,
    CHANNEL_P,
    CHANNELS,
    CHAT,
    CLOSED,
    CUSTOMER_REPLY_HOURS,
    EMAIL,
    FIRST_REPLY_MINUTES,
    KINDS,
    LIVE_CHANNELS,
    MESSAGE,
    NEW,
    NOTE,
    OPEN,
    PENDING,
    PRIORITIES,
    PRIORITY_CAP_MINUTES,
    PRIORITY_P,
    PRIORITY_PENDING_P,
    PRIORITY_SPEEDUP,
    REPLY,
    SOLVED,
    STATUS,
    STATUSES,
    TEAMS,
    TECHNICAL,
    TIER2,
    URGENT,
    WEB,
)

if TYPE_CHECKING:
    from supportmetrics.demo.world import World

SPIKE_WEEK = date(2025, 6, 9)  # a product incident: three times the volume, mostly technical
SPIKE_PROFILE = np.array([3.0, 3.5, 2.5, 2.0, 1.5, 0.4, 0.3])  # Monday .. Sunday
SPIKE_HANDLE = 0.35  # the incident's tickets are answered with a prepared reply: quick to handle
ONE_TOUCH_P = np.array([0.55, 0.80, 0.85, 0.65, 0.55])  # solved with the first reply, by channel
CUSTOMER = -2  # actor code: the ticket's customer (agents are 0, 1, ...; -1 is nobody)
AUTO_SOLVE = 7 * DAY  # a pending ticket the customer never answers is solved after a week
CLEAN_UP = (10 * DAY, 21 * DAY)  # a ticket nobody ever answered is closed this long after


@dataclass(frozen=True)
class Tickets:
    """The tickets and events tables, and what surveys and reviews need to know about them."""

    tickets: pa.Table
    events: pa.Table
    created: np.ndarray
    solved: np.ndarray  # last solve (local seconds) of solved or closed tickets, else NEVER
    agent: np.ndarray  # last assignee, -1 if none
    customer: np.ndarray
    channel: np.ndarray
    reopened: np.ndarray
    complaint: np.ndarray


@dataclass(frozen=True)
class Step:
    """One possible event of every ticket: it happens where ``mask`` and before the horizon."""

    kind: int
    at: np.ndarray
    mask: np.ndarray | bool = True
    actor: np.ndarray | int = -1
    status: np.ndarray | int = -1


@dataclass(frozen=True)
class Life:
    """Every ticket's steps, and the moments the tickets table is filled from."""

    steps: list[Step]
    first_reply: np.ndarray
    assigned: np.ndarray
    handoff: np.ndarray
    handoff_at: np.ndarray
    second_agent: np.ndarray
    solve1: np.ndarray  # the first solve
    solve2: np.ndarray  # the solve after a reopen, else NEVER
    reopen: np.ndarray


def generate_tickets(rng: np.random.Generator, world: World, n: int, first_id: int) -> Tickets:
    """``n`` tickets (ids from ``first_id``) with their events, cut at the world's horizon."""
    created, category, spike = arrivals(rng, world, n)
    channel, team, day = work_days(rng, created, category)
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_P)
    priority = np.where(spike & (rng.random(n) < 0.3), 2 + (rng.random(n) < 0.4), priority)
    agent = world.shifts.assign(rng, team, day)
    customer = _customers(rng, world, created)
    life = _life(rng, world, created, channel, priority, agent, spike, day)
    horizon, steps, first_reply = world.horizon, life.steps, life.first_reply
    status = _status_at(steps, horizon)
    handed = life.handoff & (life.handoff_at < horizon)
    final = np.where(handed, life.second_agent, np.where(life.assigned < horizon, agent, -1))
    done = np.isin(status, [SOLVED, CLOSED])
    solved = np.where(~done, NEVER, np.where(life.solve2 < horizon, life.solve2, life.solve1))
    agent_team = world.agent_team
    escalated = handed & (agent_team[np.maximum(final, 0)] == TIER2) & (team != TIER2)
    complaint = (np.asarray(CATEGORIES)[category] == "complaint") | (
        (escalated | life.reopen) & (rng.random(n) < 0.3)
    )
    replies = np.zeros(n, dtype=np.int64)
    for step in steps:
        if step.kind == REPLY:
            replies += step.mask & (step.at < horizon)
    handle = np.round((replies + 0.3) * rng.lognormal(6.0, 0.5, size=n) * world.agent_speed[agent]
                      * np.where(spike, SPIKE_HANDLE, 1.0))
    tracked = (replies > 0) & (rng.random(n) > 0.04)
    ticket_ids = ids("T", np.arange(first_id, first_id + n))
    table = canonical("tickets", {
        "ticket_id": ticket_ids,
        "created_at": when(created),
        "channel": pick(CHANNELS, channel),
        "category": pick(CATEGORIES, category),
        "priority": pick(PRIORITIES, priority),
        "customer_id": ids("C", customer + 1),
        "agent_id": pick(world.agents, np.maximum(final, 0), final >= 0),
        "team": pick(TEAMS, np.where(final >= 0, agent_team[np.maximum(final, 0)], team)),
        "status": pick(STATUSES, status),
        "is_complaint": pa.array(complaint),
        "first_response_at": when(first_reply, first_reply < horizon),
        "resolved_at": when(solved, solved < NEVER),
        "handle_seconds": number(handle, tracked),
        # every demo ticket has its events: no helpdesk figures
        **{name: pa.nulls(n, pa.float64()) for name in
           ("first_response_seconds", "resolution_seconds", "reopens", "replies")},
    })
    events = _events(steps, horizon, table["ticket_id"], table["customer_id"], world.agents,
                     world.agent_team)
    return Tickets(table, events, created, solved, final, customer, channel,
                   life.reopen, complaint)


def arrivals(
    rng: np.random.Generator, world: World, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Creation moments (ascending), categories, and which tickets came with the incident."""
    spike_days = seconds(SPIKE_WEEK) + DAY * np.arange(7)
    in_period = np.isin(spike_days, world.midnights).all()
    week_share = world.day_p[np.isin(world.midnights, spike_days)].sum() if in_period else 0.0
    extra = int(round(n * 2 * week_share / (1 + 2 * week_share)))
    created = np.concatenate([
        moments(rng, world.midnights, world.day_p, n - extra),
        moments(rng, spike_days, SPIKE_PROFILE / SPIKE_PROFILE.sum(), extra),
    ])
    category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_P)
    spike = np.arange(n) >= n - extra
    category[spike] = np.where(rng.random(extra) < 0.85, TECHNICAL, category[spike])
    order = np.argsort(created, kind="stable")
    return created[order], category[order], spike[order]


def work_days(rng: np.random.Generator, created: np.ndarray, category: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each ticket's channel, its team, and the day (number) it can first be worked on.

    Live channels are answered on weekends too; email and web wait for the next working day.
    """
    channel = rng.choice(len(CHANNELS), size=len(created), p=CHANNEL_P)
    day = next_open(created, np.isin(channel, LIVE_CHANNELS)) // DAY
    return channel, CATEGORY_TEAM[category], day


def _customers(rng: np.random.Generator, world: World, created: np.ndarray) -> np.ndarray:
    """Who wrote: a customer by then; about 12 % write again within 7 days of a ticket."""
    customer = world.active_customer(rng, created)
    n = len(created)
    index = np.arange(n)
    week_before = np.searchsorted(created, created - 7 * DAY)
    repeat = (rng.random(n) < 0.12) & (week_before < index)
    earlier = week_before + (rng.random(n) * (index - week_before)).astype(np.int64)
    result: np.ndarray = np.where(repeat, customer[np.minimum(earlier, n - 1)], customer)
    return result


def _life(
    rng: np.random.Generator, world: World, created: np.ndarray, channel: np.ndarray,
    priority: np.ndarray, agent: np.ndarray, spike: np.ndarray, day: np.ndarray,
) -> Life:
    """Every ticket's whole life as steps in time order (see the module docstring)."""
    n = len(created)

    def chance(p: float | np.ndarray) -> np.ndarray:
        return rng.random(n) < p

    def uniform(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, size=n)

    live = np.isin(channel, LIVE_CHANNELS)
    urgency = PRIORITY_SPEEDUP[priority]
    speed = world.agent_speed[agent] * np.where(spike, 2.5, 1.0)
    # the queue is worked by priority: an urgent ticket waits minutes whatever its channel
    typical = np.minimum(FIRST_REPLY_MINUTES[channel] / urgency, PRIORITY_CAP_MINUTES[priority])

    def agent_delay(scale: float) -> np.ndarray:
        minutes = typical * scale * rng.lognormal(0, 0.8, size=n) * speed
        delay: np.ndarray = (minutes * MINUTE).astype(np.int64)
        return delay

    def customer_wait(scale: float) -> np.ndarray:
        hours = CUSTOMER_REPLY_HOURS[channel] * scale / urgency * rng.exponential(1.0, size=n)
        wait: np.ndarray = (hours * HOUR).astype(np.int64) + MINUTE
        return wait

    def days_late(mean_days: float) -> np.ndarray:
        late: np.ndarray = (rng.exponential(mean_days, size=n) * DAY).astype(np.int64)
        return late

    urgent = priority == URGENT
    spam = chance(0.012)  # solved without a reply (spam, duplicates)
    lost = ~spam & chance(0.012)  # never answered: closed by a clean-up weeks later
    worked = ~spam & ~lost
    forgotten = worked & chance(np.where(urgent, 0.004, 0.02))  # answered days late
    ready = np.where(forgotten, created + days_late(1.5), created)
    first_reply = np.where(worked, after_open(ready, agent_delay(1.0), live), NEVER)
    assigned = created + np.minimum(uniform(20, 600),
                                    0.4 * (np.minimum(first_reply, created + DAY) - created)
                                    ).astype(np.int64)
    double = ~spam & chance(0.08)  # two customer messages before one reply
    second_message = created + (np.minimum(first_reply - created, 2 * DAY) * uniform(0.55, 0.9)
                                ).astype(np.int64)
    spam_solved = np.maximum(after_open(created, agent_delay(3.0), live), created + 15 * MINUTE)
    cleaned = created + uniform(*CLEAN_UP).astype(np.int64)

    multi = worked & ~chance(ONE_TOUCH_P[channel])  # needs a second round
    pending = multi & chance(PRIORITY_PENDING_P[priority])  # waiting on the customer
    silent = pending & chance(0.1)  # the customer never answers: solved after a week
    answer = np.where(multi & ~silent, first_reply + customer_wait(1.0), NEVER)
    stuck = chance(np.where(urgent, 0.004, 0.02))  # then waits days on an agent
    reply2 = after_open(answer + np.where(stuck, days_late(3.0), 0), agent_delay(1.5), live)
    note = answer + (reply2 - answer) // 4
    handoff = multi & ~silent & chance(0.15)
    handoff_at = answer + (reply2 - answer) // 2
    escalate = handoff & (world.agent_team[agent] != TIER2) & chance(0.4)  # to second line
    team = world.agent_team[agent]
    colleague = world.shifts.assign(rng, team, day, avoid=agent)
    second = np.where(escalate, world.shifts.assign(rng, np.full(n, TIER2), day), colleague)
    last_agent = np.where(handoff, second, agent)
    auto_solved = first_reply + AUTO_SOLVE + uniform(0, HOUR).astype(np.int64)
    solve1 = np.select([spam, lost, silent, multi],
                       [spam_solved, cleaned, auto_solved, reply2 + 30], first_reply + 30)

    reopen = worked & ~silent & chance(0.07)  # the customer writes again after the solve
    thanks = worked & ~silent & ~reopen & chance(0.04)  # ... only to say thank you
    later = rng.exponential(np.where(reopen, 30.0, 1.0), size=n) * HOUR + MINUTE
    again = np.where(reopen | thanks, solve1 + later.astype(np.int64), NEVER)
    reply3 = np.where(reopen, after_open(again, agent_delay(1.0), live), NEVER)
    solve2 = np.where(reopen, reply3 + 30, again + uniform(120, 1800).astype(np.int64))
    close = np.where(lost | chance(0.5), np.where(reopen | thanks, solve2, solve1) + 4 * DAY
                     + uniform(0, 6 * HOUR).astype(np.int64), NEVER)

    auto = np.isin(channel, [EMAIL, WEB]) & chance(0.7)
    bot = chance(np.where(channel == CHAT, 0.4, np.where(channel == WEB, 0.1, 0.0)))
    steps = [
        Step(MESSAGE, created, actor=CUSTOMER),
        Step(AUTO, created + 5, auto),
        Step(BOT, created + 8, bot),
        Step(ASSIGN, assigned, actor=agent),
        Step(MESSAGE, second_message, double, actor=CUSTOMER),
        Step(REPLY, first_reply, actor=agent),
        Step(STATUS, first_reply + 5, multi, status=np.where(pending, PENDING, OPEN)),
        Step(MESSAGE, answer, actor=CUSTOMER),
        Step(STATUS, answer + 2, pending, status=OPEN),
        Step(NOTE, note, multi & chance(0.3), actor=agent),
        Step(ASSIGN, handoff_at, handoff, actor=second),
        Step(REPLY, reply2, multi, actor=last_agent),
        Step(STATUS, solve1, True, status=SOLVED),
        Step(MESSAGE, again, actor=CUSTOMER),
        Step(STATUS, again + 2, reopen | thanks, status=OPEN),
        Step(REPLY, reply3, reopen, actor=last_agent),
        Step(STATUS, solve2, reopen | thanks, status=SOLVED),
        Step(STATUS, close, True, status=CLOSED),
    ]
    return Life(steps, first_reply, assigned, handoff, handoff_at, second, solve1,
                np.where(reopen | thanks, solve2, NEVER), reopen)


def _status_at(steps: list[Step], horizon: int) -> np.ndarray:
    """Each ticket's status at the horizon: its last status change before it, else new."""
    status = np.full(len(steps[0].at), NEW)
    for step in steps:
        if step.kind == STATUS:
            status = np.where(step.mask & (step.at < horizon), step.status, status)
    return status


def _events(steps: list[Step], horizon: int, ticket_ids: pa.ChunkedArray,
            customer_ids: pa.ChunkedArray, agent_names: tuple[str, ...],
            agent_team: np.ndarray) -> pa.Table:
    """The steps before the horizon as ticket_events, ordered by ticket and time.

    Assignments carry the assignee's team and its support level (second line 2, else 1).
    """
    rows, at, kind, actor, status, number = [], [], [], [], [], []
    for index, step in enumerate(steps):
        happened = np.flatnonzero(step.mask & (step.at < horizon))
        size = len(happened)
        rows.append(happened)
        at.append(step.at[happened])
        kind.append(np.full(size, step.kind))
        actor.append(np.broadcast_to(step.actor, step.at.shape)[happened])
        status.append(np.broadcast_to(step.status, step.at.shape)[happened])
        number.append(np.full(size, index))
    ticket, step_number = np.concatenate(rows), np.concatenate(number)
    order = np.argsort(ticket * 32 + step_number, kind="stable")  # sorted runs: a quick merge
    ticket, step_number = ticket[order], step_number[order]
    actors = np.concatenate(actor)[order]
    statuses = np.concatenate(status)[order]
    tickets = ticket_ids.take(pa.array(ticket))
    customers = customer_ids.take(pa.array(ticket))
    agents = pick(agent_names, np.maximum(actors, 0), actors >= 0)
    kinds = np.concatenate(kind)[order]
    moved = (kinds == KINDS.index("assignment")) & (actors >= 0)
    teams = agent_team[np.maximum(actors, 0)]
    return canonical("ticket_events", {
        "event_id": pc.binary_join_element_wise(
            tickets, pick([f"{i:02d}" for i in range(len(steps))], step_number), "-"),
        "ticket_id": tickets,
        "at": when(np.concatenate(at)[order]),
        "kind": pick(KINDS, kinds),
        "actor_id": pc.if_else(pa.array(actors == CUSTOMER), customers, agents),
        "status": pick(STATUSES, np.maximum(statuses, 0), statuses >= 0),
        "team": pick(TEAMS, teams, moved),
        "level": pa.array(np.where(teams == TIER2, 2.0, 1.0), pa.float64(), mask=~moved),
    })

