"""The company around the support team: customers, orders, money, the team and engagement.

These tables are drawn once per data set (also when tickets are generated in chunks); the team
(its size, the agents' traits and shifts, see staffing) lives here too so that every chunk sees
the same agents.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from supportmetrics.demo.clock import (
    DAY,
    NEVER,
    day_weights,
    moments,
    month_index,
    seconds,
)
from supportmetrics.demo.columns import canonical, ids, number, pick, text_or_null, when
from supportmetrics.demo.staffing import Roster, agent_names, plan
from supportmetrics.demo.vocab import (
    ACQUISITION,
    ACQUISITION_P,
    PLANS,
    REFERRAL,
    SEGMENT_P,
    SEGMENT_PLAN_P,
    SEGMENTS,
)

HISTORY_DAYS = 3 * 365  # customers signed up over the three years before the period too
ORDERS_PER_YEAR = np.array([3.0, 6.0, 12.0])  # by segment
ORDER_SIZE = np.array([4.6, 6.3, 7.9])  # log of a typical order amount, by segment
LEDGER_KINDS = {  # kind -> (entry id name, share of revenue low, high)
    "revenue": ("revenue", 1.0, 1.0),
    "support_cost": ("support", 0.055, 0.085),
    "sales_cost": ("sales", 0.08, 0.12),
    "marketing_cost": ("marketing", 0.10, 0.15),
}
ENGAGEMENT_KINDS = ("visit", "login", "social_interaction", "loyalty", "training")
ENGAGEMENT_P = np.array([0.40, 0.30, 0.12, 0.10, 0.08])


@dataclass(frozen=True)
class World:
    """The period, the customers and the agents every chunk of tickets shares."""

    start: date
    days: int
    midnights: np.ndarray  # local midnight of each day of the period
    day_p: np.ndarray  # each day's share of the traffic
    signup: np.ndarray  # local seconds, ascending: customer i is "C" + (i + 1)
    churn: np.ndarray  # local seconds, NEVER when still a customer at the horizon
    segment: np.ndarray
    agent_team: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    agent_speed: np.ndarray = field(default_factory=lambda: np.zeros(0))  # > 1 is slower
    agent_quality: np.ndarray = field(default_factory=lambda: np.zeros(0))  # > 0: happier
    roster: Roster | None = None  # who is on shift when
    tables: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def origin(self) -> int:
        return seconds(self.start)

    @property
    def horizon(self) -> int:
        """The end of the period: what happens at or after it has not happened yet."""
        return seconds(self.start + timedelta(days=self.days))

    @property
    def agents(self) -> tuple[str, ...]:
        """The agents' ids, a01 onwards, numbered team by team."""
        return agent_names(len(self.agent_team))

    @property
    def shifts(self) -> Roster:
        """Who works when (the world is built with it)."""
        assert self.roster is not None, "make_world plans the staff"
        return self.roster

    @property
    def customers(self) -> int:
        return len(self.signup)

    def active_customer(self, rng: np.random.Generator, at: np.ndarray) -> np.ndarray:
        """A customer (index) who had signed up by ``at``, preferring ones not churned yet."""
        known = np.maximum(np.searchsorted(self.signup, at), 1)
        who = (rng.random(len(at)) * known).astype(np.int64)
        again = (rng.random(len(at)) * known).astype(np.int64)
        result: np.ndarray = np.where(self.churn[who] < at, again, who)
        return result


def make_world(seed: int, tickets: int, start: date, days: int) -> World:
    """Customers (a quarter as many as tickets), orders, ledger, the team and engagement."""
    rng = np.random.default_rng([seed, 0])
    midnights, day_p = day_weights(start, days)
    n = max(50, tickets // 4)
    origin, horizon = seconds(start), seconds(start + timedelta(days=days))
    first = origin - HISTORY_DAYS * DAY
    signup = np.sort(first + ((horizon - first) * rng.random(n) ** 0.8).astype(np.int64))
    lifetime = (rng.exponential(700, size=n) * DAY).astype(np.int64) + DAY
    churn = np.where(
        (rng.random(n) < 0.35) & (signup + lifetime < horizon), signup + lifetime, NEVER
    )
    segment = rng.choice(3, size=n, p=SEGMENT_P)
    world = World(
        start=start, days=days, midnights=midnights, day_p=day_p, signup=signup, churn=churn,
        segment=segment,
    )
    staff = plan(np.random.default_rng([seed, 3]), world, tickets)
    world = replace(world, agent_team=staff.team, agent_speed=staff.speed,
                    agent_quality=staff.quality, roster=staff.roster)
    world.tables["customers"] = _customers(rng, world)
    world.tables["orders"], ordered_at, amount = _orders(rng, world)
    world.tables["ledger"] = _ledger(rng, world, ordered_at, amount)
    world.tables["agent_shifts"] = staff.shifts
    world.tables["engagement"] = _engagement(rng, world, 3 * n)
    return world


def _customers(rng: np.random.Generator, world: World) -> pa.Table:
    n = world.customers
    channel = rng.choice(len(ACQUISITION), size=n, p=ACQUISITION_P)
    channel[0] = 0  # the first customer was not referred by anyone
    referral = channel == REFERRAL
    referrer = (rng.random(n) * np.arange(n)).astype(np.int64)  # an earlier customer
    cumulative = SEGMENT_PLAN_P.cumsum(axis=1)[world.segment]
    plan = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    return canonical("customers", {
        "customer_id": ids("C", np.arange(1, n + 1)),
        "signup_at": when(world.signup),
        "churned_at": when(world.churn, world.churn < NEVER),
        "acquisition_channel": pick(ACQUISITION, channel),
        "referred_by": text_or_null(ids("C", referrer + 1), referral),
        "segment": pick(SEGMENTS, world.segment),
        "plan": pick(PLANS, plan),
    })


def _orders(rng: np.random.Generator, world: World) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Several orders per customer while a customer, within the period (and when, how much)."""
    begin = np.maximum(world.signup, world.origin)
    end = np.minimum(world.churn, world.horizon)
    years = np.maximum(end - begin, 0) / (365 * DAY)
    count = rng.poisson(ORDERS_PER_YEAR[world.segment] * years)
    who = np.repeat(np.arange(world.customers), count)
    at = begin[who] + ((end - begin)[who] * rng.random(len(who))).astype(np.int64)
    order = np.argsort(at, kind="stable")
    who, at = who[order], at[order]
    amount = np.round(rng.lognormal(ORDER_SIZE[world.segment[who]], 0.5), 2)
    table = canonical("orders", {
        "order_id": ids("O", np.arange(1, len(who) + 1), 8),
        "customer_id": ids("C", who + 1),
        "at": when(at),
        "amount": number(amount),
        "gross_margin": number(np.round(rng.uniform(0.3, 0.6, size=len(who)), 3)),
    })
    return table, at, amount


def _ledger(
    rng: np.random.Generator, world: World, ordered_at: np.ndarray, amount: np.ndarray
) -> pa.Table:
    """Monthly revenue (the orders of the month) and costs as shares of it, on the month's end."""
    first = int(month_index(np.array([world.origin]))[0])
    months = np.arange(first, int(month_index(np.array([world.horizon - 1]))[0]) + 1)
    revenue = np.bincount(month_index(ordered_at) - first, amount, len(months))
    month_end = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    labels = np.datetime_as_string(months.astype("datetime64[M]"))
    columns: dict[str, list[object]] = {"entry_id": [], "date": [], "kind": [], "amount": []}
    for kind, (name, low, high) in LEDGER_KINDS.items():
        amount = np.round(revenue * rng.uniform(low, high, size=len(months)), 2)
        columns["entry_id"] += [f"L-{label}-{name}" for label in labels]
        columns["date"] += list(month_end.astype(object))
        columns["kind"] += [kind] * len(months)
        columns["amount"] += list(amount)
    return canonical("ledger", {k: pa.array(v) for k, v in columns.items()})


def _engagement(rng: np.random.Generator, world: World, n: int) -> pa.Table:
    """Visits, logins, social interactions, loyalty points and training minutes."""
    at = moments(rng, world.midnights, world.day_p, n)
    who = world.active_customer(rng, at)
    kind = rng.choice(len(ENGAGEMENT_KINDS), size=n, p=ENGAGEMENT_P)
    value = np.select(
        [kind == 0, kind == 3, kind == 4],
        [rng.integers(1, 20, size=n), rng.integers(10, 500, size=n), rng.integers(5, 90, size=n)],
        1,
    )
    key = (who << 40) | (at << 3) | kind  # the table's key is (customer, at, kind)
    _, first = np.unique(key, return_index=True)
    return canonical("engagement", {
        "customer_id": ids("C", who[first] + 1),
        "at": when(at[first]),
        "kind": pick(ENGAGEMENT_KINDS, kind[first]),
        "value": number(value[first]),
    })
