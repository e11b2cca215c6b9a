"""A deterministic generator of realistic support data: the demo workspace and benchmark data.

A year of a 30-agent team in three teams (tier1, tier2, billing; agents a01..a30), five channels,
the seed categories, priorities, weekday and hour-of-day seasonality in Europe/Zagreb, a holiday
(2025-12-25), a spike week (a product incident: 2025-06-09, three times the technical volume),
auto and bot replies, internal notes, handoffs, pending periods, reopens (with thank-you reopens
re-solved without a reply), unanswered and still-open tickets, calls with abandons (some short)
and blocks, four survey kinds with unanswered sends and comments, customers with churn and
referrals, orders, a monthly ledger, shifts, quality reviews, feedback and engagement.

Everything is drawn with numpy from one seed (same seed, same tables) and sized by ``tickets``;
other tables scale with it. No loop runs over rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ZONE = "Europe/Zagreb"
CHANNELS = np.array(["email", "chat", "phone", "social", "web"])
CHANNEL_P = np.array([0.34, 0.26, 0.14, 0.10, 0.16])
# typical first response in minutes per channel during opening hours
CHANNEL_FRT_MIN = np.array([150.0, 3.0, 2.0, 45.0, 200.0])
CATEGORIES = np.array([
    "technical", "sales question", "delivery", "returns", "cancellation",
    "product availability", "complaint",
])
CATEGORY_P = np.array([0.30, 0.16, 0.17, 0.13, 0.08, 0.10, 0.06])
CATEGORY_TEAM = np.array([1, 0, 0, 2, 2, 0, 1])  # tier1 0, tier2 1, billing 2
TEAMS = np.array(["tier1", "tier2", "billing"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
PRIORITY_P = np.array([0.2, 0.55, 0.18, 0.07])
AGENTS = np.array([f"a{i:02d}" for i in range(1, 31)])
WEEKDAY_WEIGHT = np.array([1.3, 1.2, 1.05, 1.0, 0.9, 0.35, 0.25])
HOUR_WEIGHT = np.array([
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.4, 3.8, 3.6, 3.0, 3.2, 3.5, 3.3, 2.9, 2.2,
    1.6, 1.2, 1.0, 0.8, 0.5, 0.3,
])
HOLIDAY = date(2025, 12, 25)
SPIKE_WEEK = date(2025, 6, 9)
POSITIVE = np.array([
    "Quick and friendly, thank you!", "Solved on the first reply.", "Great help, very clear.",
    "Agent went the extra mile.", "Fast refund, thanks.", "Exactly what I needed.",
])
NEUTRAL = np.array(["It was fine.", "Took a while but OK.", "Answer was a bit generic."])
NEGATIVE = np.array([
    "Waited days for an answer.", "Had to explain my problem three times.",
    "Still not fixed.", "Transferred between agents, frustrating.", "Nobody replied to me.",
])
SECOND = np.timedelta64(1, "s")


def _ids(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    text = pc.utf8_lpad(pa.array(numbers.astype(np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _utc(local: np.ndarray) -> pa.Array:
    """Local Europe/Zagreb wall-clock datetime64 values -> UTC timestamps (DST-correct)."""
    series = pd.Series(pd.to_datetime(local)).dt.tz_localize(
        ZONE, ambiguous="NaT", nonexistent="shift_forward"
    )
    series = series.fillna(pd.Series(pd.to_datetime(local)).dt.tz_localize("Etc/GMT-1"))
    return pa.array(series.dt.tz_convert("UTC"), pa.timestamp("us", tz="UTC"))


def _ts(values: np.ndarray) -> pa.Array:
    """UTC datetime64 values (NaT = empty) -> timestamp column."""
    return pa.array(pd.to_datetime(values).tz_localize("UTC"), pa.timestamp("us", tz="UTC"))


def _to_utc64(local: np.ndarray) -> np.ndarray:
    arr = _utc(local).cast(pa.timestamp("us"))
    values: np.ndarray = np.asarray(arr.to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    return values


def _next_open(local: np.ndarray) -> np.ndarray:
    """The first instant at or after ``local`` inside mon-fri 08:00-18:00 (local wall clock)."""
    days = local.astype("datetime64[D]")
    seconds = (local - days) / SECOND
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    before = (seconds < 8 * 3600) & (weekday < 5)
    after = (seconds >= 18 * 3600) | (weekday >= 5)
    skip = np.where(weekday == 4, 3, np.where(weekday == 5, 2, 1))
    next_day = days + np.where(after, skip, 0).astype("timedelta64[D]")
    opening = next_day.astype("datetime64[us]") + np.timedelta64(8, "h")
    return np.where(before | after, opening, local)


def _days(start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    day_list = np.arange(np.datetime64(start), np.datetime64(start + timedelta(days=days)))
    weekday = (day_list.astype(np.int64) + 3) % 7
    weight = WEEKDAY_WEIGHT[weekday] * (1 + 0.15 * np.arange(days) / days)
    weight[day_list == np.datetime64(HOLIDAY)] *= 0.08
    weight[day_list == np.datetime64(HOLIDAY - timedelta(days=1))] *= 0.5
    return day_list, weight / weight.sum()


def _moments(rng: np.random.Generator, day_list: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    """n local wall-clock moments with the daily and hourly seasonality."""
    day = day_list[rng.choice(len(day_list), size=n, p=p)]
    hour = rng.choice(24, size=n, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    second = rng.integers(0, 3600, size=n)
    offset = (hour * 3600 + second).astype("timedelta64[s]")
    moments: np.ndarray = day.astype("datetime64[us]") + offset
    return moments


def generate(
    seed: int = 7, tickets: int = 60_000, start: date = date(2025, 1, 1), days: int = 365,
    first_id: int = 1,
) -> dict[str, pa.Table]:
    """One Arrow table per canonical table; deterministic from ``seed``."""
    rng = np.random.default_rng(seed)
    day_list, p = _days(start, days)
    n_customers = max(50, tickets // 4)
    customers, signup_local, churn_local = _customers(rng, n_customers, start, days)
    tables = _tickets_and_events(rng, tickets, day_list, p, n_customers, first_id)
    tables["customers"] = customers
    tables["calls"] = _calls(rng, max(10, int(tickets * 0.4)), day_list, p, first_id)
    tables["surveys"] = _surveys(rng, tables["tickets"], tables.pop("_solved"), first_id)
    tables["orders"] = _orders(rng, n_customers, signup_local, churn_local, start, days)
    tables["ledger"] = _ledger(rng, tables["orders"], start, days)
    tables["agent_shifts"] = _shifts(rng, day_list)
    tables["quality_reviews"] = _reviews(rng, start, days)
    tables["feedback"] = _feedback(rng, max(20, tickets // 20), day_list, p, n_customers)
    tables["engagement"] = _engagement(rng, n_customers * 3, day_list, p, n_customers)
    return tables


def _customers(
    rng: np.random.Generator, n: int, start: date, days: int
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    begin = np.datetime64(start - timedelta(days=3 * 365), "s")
    span = (np.datetime64(start + timedelta(days=days), "s") - begin) / SECOND
    signup = np.sort(begin + rng.integers(0, int(span), size=n).astype("timedelta64[s]"))
    lifetime = rng.exponential(900, size=n).astype("timedelta64[D]")
    churn = signup + lifetime.astype("timedelta64[s]") + np.timedelta64(1, "D")
    churn = np.where(churn < np.datetime64(start + timedelta(days=days)), churn, np.datetime64("NaT"))
    channel = rng.choice(["organic", "ads", "referral", "partner"], size=n, p=[0.4, 0.33, 0.17, 0.1])
    referrer = np.where(
        (channel == "referral") & (np.arange(n) > 0),
        (rng.random(n) * np.maximum(np.arange(n), 1)).astype(np.int64) + 1, -1,
    )
    referred = pc.if_else(
        pa.array(referrer > 0), _ids("C", np.maximum(referrer, 0)), pa.scalar(None, pa.string())
    )
    table = pa.table({
        "customer_id": _ids("C", np.arange(1, n + 1)),
        "signup_at": _utc(signup), "churned_at": _utc(churn),
        "acquisition_channel": channel, "referred_by": referred,
        "segment": rng.choice(["smb", "mid-market", "enterprise"], size=n, p=[0.6, 0.3, 0.1]),
        "plan": rng.choice(["basic", "pro", "enterprise"], size=n, p=[0.5, 0.38, 0.12]),
    })
    return table, signup, churn


def _tickets_and_events(
    rng: np.random.Generator, n: int, day_list: np.ndarray, p: np.ndarray, n_customers: int,
    first_id: int,
) -> dict[str, pa.Table]:
    spike = int(n * 0.04)
    created = _moments(rng, day_list, p, n - spike)
    spike_days = np.arange(np.datetime64(SPIKE_WEEK), np.datetime64(SPIKE_WEEK + timedelta(7)))
    spike_p = WEEKDAY_WEIGHT[(spike_days.astype(np.int64) + 3) % 7]
    created = np.concatenate([created, _moments(rng, spike_days, spike_p / spike_p.sum(), spike)])
    category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_P)
    category[n - spike:] = 0
    order = np.argsort(created, kind="stable")
    created, category = created[order], category[order]
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_P)
    priority = rng.choice(len(PRIORITIES), size=n, p=PRIORITY_P)
    team = CATEGORY_TEAM[category]
    agent = team * 10 + rng.integers(0, 10, size=n)
    skill = np.linspace(0.6, 1.6, 30)[rng.permutation(30)]  # per-agent slowness factor
    customer = (rng.pareto(1.2, size=n) * n_customers / 20).astype(np.int64) % n_customers + 1
    end = day_list[-1].astype("datetime64[us]") + np.timedelta64(1, "D")

    minutes = CHANNEL_FRT_MIN[channel] * rng.lognormal(0, 0.8, size=n) * skill[agent]
    minutes /= np.array([1.0, 1.0, 1.4, 2.0])[priority]
    frt_local = _next_open(created) + (minutes * 60).astype("timedelta64[s]")
    recent = created > end - np.timedelta64(21, "D")
    # unanswered and unsolved tickets are mostly the recent ones, as in a live queue
    answered = ~((recent & (rng.random(n) < 0.08)) | (rng.random(n) < 0.003)) & (frt_local < end)
    work_h = rng.lognormal(1.2, 1.1, size=n) * skill[agent]
    solve_local = frt_local + (work_h * 3600).astype("timedelta64[s]")
    solved = answered & (solve_local < end) & ~(recent & (rng.random(n) < 0.12))
    handoff = rng.random(n) < 0.08
    agent2 = team * 10 + (agent % 10 + 1 + rng.integers(0, 9, size=n)) % 10
    final_agent = np.where(handoff, agent2, agent)
    reopen = solved & (rng.random(n) < 0.07)
    thanks = solved & ~reopen & (rng.random(n) < 0.03)
    reopen_at = solve_local + (rng.exponential(30, size=n) * 3600).astype("timedelta64[s]")
    resolve2 = reopen_at + (rng.lognormal(0.8, 0.8, size=n) * 3600).astype("timedelta64[s]")
    reopen &= resolve2 < end
    pending = answered & (rng.random(n) < 0.15)
    closed = solved & (solve_local + np.timedelta64(4, "D") < end) & (rng.random(n) < 0.6)
    last_solve = np.where(reopen, resolve2, np.where(thanks, reopen_at + np.timedelta64(300, "s"), solve_local))

    ids = np.arange(first_id, first_id + n)
    t_id = _ids("T", ids)
    status = np.where(closed, "closed", np.where(solved, "solved", np.where(
        pending, "pending", np.where(answered, "open", "new"))))
    complaint = (CATEGORIES[category] == "complaint") | (rng.random(n) < 0.02)
    created_utc, frt_utc, solve_utc = _to_utc64(created), _to_utc64(frt_local), _to_utc64(last_solve)
    tickets = pa.table({
        "ticket_id": t_id, "created_at": _ts(created_utc),
        "channel": CHANNELS[channel], "category": CATEGORIES[category],
        "priority": PRIORITIES[priority], "customer_id": _ids("C", customer),
        "agent_id": AGENTS[final_agent], "team": TEAMS[team], "status": status,
        "is_complaint": complaint,
        "first_response_at": _ts(np.where(answered, frt_utc, np.datetime64("NaT"))),
        "resolved_at": _ts(np.where(solved, solve_utc, np.datetime64("NaT"))),
        "handle_seconds": np.round(rng.lognormal(7.25, 0.55, size=n) * skill[agent]),
    })
    c = created_utc
    s = np.timedelta64
    blocks = [  # (mask, at, kind, actor, status)
        (np.ones(n, bool), c, "customer_message", "C", None),
        (np.isin(channel, [0, 4]) & (rng.random(n) < 0.85), c + s(4, "s"), "auto_reply", None, None),
        ((channel == 1) & (rng.random(n) < 0.45), c + s(2, "s"), "bot_reply", None, None),
        (np.ones(n, bool), c + s(30, "s"), "assignment", agent, None),
        (answered & (rng.random(n) < 0.1), c + (frt_utc - c) // 3, "customer_message", "C", None),
        (answered, frt_utc, "agent_reply", agent, None),
        (answered, frt_utc + s(20, "s"), "status_change", None, "open"),
        (answered & (rng.random(n) < 0.3), frt_utc + s(120, "s"), "internal_note", agent, None),
        (pending, frt_utc + s(60, "s"), "status_change", None, "pending"),
        (pending & solved, frt_utc + (solve_utc - frt_utc) // 2, "status_change", None, "open"),
        (answered & (rng.random(n) < 0.4), frt_utc + (solve_utc - frt_utc) // 3, "customer_message", "C", None),
        (handoff & answered, frt_utc + (solve_utc - frt_utc) // 2, "assignment", agent2, None),
        (solved & ~handoff & (rng.random(n) < 0.45), frt_utc + (solve_utc - frt_utc) * 2 // 3, "agent_reply", agent, None),
        (solved & handoff, frt_utc + (solve_utc - frt_utc) * 2 // 3, "agent_reply", agent2, None),
        (solved, _to_utc64(solve_local), "status_change", None, "solved"),
        (reopen | thanks, _to_utc64(reopen_at), "customer_message", "C", None),
        (reopen | thanks, _to_utc64(reopen_at) + s(1, "s"), "status_change", None, "open"),
        (reopen, np.maximum(_to_utc64(resolve2) - s(600, "s"), _to_utc64(reopen_at) + s(60, "s")),
         "agent_reply", final_agent, None),
        (reopen | thanks, solve_utc, "status_change", None, "solved"),
        (closed, _to_utc64(last_solve + s(4, "D")), "status_change", None, "closed"),
    ]
    events = _event_table(blocks, ids, customer, t_id)
    return {"tickets": tickets, "ticket_events": events, "_solved": solved}


Block = tuple[Any, Any, str, Any, Any]


def _event_table(blocks: list[Block], ids: np.ndarray, customer: np.ndarray,
                 t_id: pa.Array) -> pa.Table:
    parts = []
    for number, (mask, at, kind, actor, status) in enumerate(blocks):
        rows = np.flatnonzero(mask)
        if isinstance(actor, str):
            actors = pa.array(_ids("C", customer[rows]))
        elif actor is None:
            actors = pa.nulls(len(rows), pa.string())
        else:
            actors = pa.array(AGENTS[np.asarray(actor)[rows]])
        event_ids = pc.binary_join_element_wise(
            pa.array(t_id.take(pa.array(rows))), pa.scalar(f"-{number:02d}"), ""
        )
        parts.append(pa.table({
            "event_id": event_ids, "ticket_id": t_id.take(pa.array(rows)),
            "at": _ts(np.asarray(at)[rows]),
            "kind": pa.array(np.full(len(rows), kind)),
            "actor_id": actors,
            "status": pa.array([status] * len(rows), pa.string()),
        }))
    return pa.concat_tables(parts)


def _calls(rng: np.random.Generator, n: int, day_list: np.ndarray, p: np.ndarray,
           first_id: int) -> pa.Table:
    queued = np.sort(_to_utc64(_moments(rng, day_list, p, n)))
    outcome = rng.choice(["answered", "abandoned", "blocked"], size=n, p=[0.85, 0.11, 0.04])
    short = rng.random(n) < 0.35
    wait = np.where(outcome == "answered", rng.lognormal(3.0, 0.9, size=n),
                    np.where(short, rng.uniform(1, 5, size=n), rng.lognormal(4.3, 0.6, size=n)))
    wait = np.round(wait).astype("timedelta64[s]")
    talk = np.round(rng.lognormal(5.6, 0.6, size=n))
    hold = np.round(rng.exponential(25, size=n) * (rng.random(n) < 0.4))
    wrap = np.round(rng.uniform(20, 120, size=n))
    is_answered = outcome == "answered"
    answered = np.where(is_answered, queued + wait, np.datetime64("NaT"))
    ended = np.where(is_answered, queued + wait + (talk + hold).astype("timedelta64[s]"),
                     np.where(outcome == "abandoned", queued + wait, np.datetime64("NaT")))
    agent = rng.integers(0, 30, size=n)
    return pa.table({
        "call_id": _ids("K", np.arange(first_id, first_id + n)), "queued_at": _ts(queued),
        "outcome": outcome, "answered_at": _ts(answered), "ended_at": _ts(ended),
        "agent_id": pc.if_else(pa.array(is_answered), pa.array(AGENTS[agent]),
                               pa.scalar(None, pa.string())),
        "queue": rng.choice(["support", "sales"], size=n, p=[0.7, 0.3]),
        "channel": rng.choice(["phone", "chat"], size=n, p=[0.9, 0.1]),
        "talk_seconds": pa.array(np.where(is_answered, talk, np.nan), from_pandas=True),
        "hold_seconds": pa.array(np.where(is_answered, hold, np.nan), from_pandas=True),
        "wrap_seconds": pa.array(np.where(is_answered, wrap, np.nan), from_pandas=True),
        "customer_id": pa.nulls(n, pa.string()),
    })


def _surveys(rng: np.random.Generator, tickets: pa.Table, solved: np.ndarray,
             first_id: int) -> pa.Table:
    rows = np.flatnonzero(solved & (rng.random(len(solved)) < 0.6))
    n = len(rows)
    kind = rng.choice(["csat", "nps", "ces", "happiness"], size=n, p=[0.55, 0.2, 0.15, 0.1])
    resolved = np.asarray(tickets["resolved_at"].cast(pa.timestamp("us")).to_numpy(False))[rows]
    created = np.asarray(tickets["created_at"].cast(pa.timestamp("us")).to_numpy(False))[rows]
    hours = (resolved - created) / np.timedelta64(1, "h")
    agent_number = pc.cast(pc.utf8_slice_codeunits(tickets["agent_id"], 1), pa.int64()).to_numpy()
    quality = np.linspace(-0.8, 0.8, 30)[(agent_number[rows] * 7) % 30]
    mood = np.clip(0.84 + 0.12 * quality - 0.03 * np.log1p(hours) + rng.normal(0, 0.18, n), 0, 1)
    low = np.select([kind == "nps", kind == "ces", kind == "happiness"], [0, 1, 1], 1)
    high = np.select([kind == "nps", kind == "ces", kind == "happiness"], [10, 7, 3], 5)
    score = np.round(low + mood * (high - low))
    score = np.where(kind == "ces", high + low - score, score)  # effort: low is good
    answered = rng.random(n) < 0.35
    sent = resolved + np.timedelta64(1, "h")
    responded = sent + (rng.exponential(10, size=n) * 3600).astype("timedelta64[s]")
    comment_pick = rng.integers(0, 100, size=n)
    comment = np.where(mood > 0.7, POSITIVE[comment_pick % len(POSITIVE)],
                       np.where(mood > 0.45, NEUTRAL[comment_pick % len(NEUTRAL)],
                                NEGATIVE[comment_pick % len(NEGATIVE)]))
    has_comment = answered & (rng.random(n) < 0.3)
    take = pa.array(rows)
    return pa.table({
        "response_id": _ids("S", np.arange(first_id, first_id + n)), "survey": kind,
        "sent_at": _ts(sent), "responded_at": _ts(np.where(answered, responded, np.datetime64("NaT"))),
        "score": pa.array(np.where(answered, score, np.nan), from_pandas=True),
        "ticket_id": tickets["ticket_id"].take(take), "agent_id": tickets["agent_id"].take(take),
        "customer_id": tickets["customer_id"].take(take), "channel": tickets["channel"].take(take),
        "comment": pc.if_else(pa.array(has_comment), pa.array(comment),
                              pa.scalar(None, pa.string())),
    })


def _orders(rng: np.random.Generator, n_customers: int, signup: np.ndarray, churn: np.ndarray,
            start: date, days: int) -> pa.Table:
    n = n_customers * 3
    who = rng.integers(0, n_customers, size=n)
    end = np.datetime64(start + timedelta(days=days), "s")
    until = np.where(np.isnat(churn[who]), end, churn[who])
    span = np.maximum((until - signup[who]) / SECOND, 1)
    at = signup[who] + (rng.random(n) * span).astype("timedelta64[s]")
    return pa.table({
        "order_id": _ids("O", np.arange(1, n + 1), 8), "customer_id": _ids("C", who + 1),
        "at": _utc(at), "amount": np.round(rng.lognormal(4.2, 0.6, size=n), 2),
        "gross_margin": np.round(rng.uniform(0.3, 0.6, size=n), 3),
    })


def _ledger(rng: np.random.Generator, orders: pa.Table, start: date, days: int) -> pa.Table:
    months = pd.period_range(start, start + timedelta(days=days - 1), freq="M")
    at = pd.Series(orders["at"].to_pandas()).dt.tz_convert(ZONE).dt.tz_localize(None)
    revenue = pd.Series(orders["amount"].to_numpy()).groupby(at.dt.to_period("M")).sum()
    revenue = revenue.reindex(months, fill_value=0.0).to_numpy() * 4
    shares = {"revenue": 1.0, "support_cost": 0.07, "sales_cost": 0.09, "marketing_cost": 0.11}
    rows: dict[str, list[Any]] = {"entry_id": [], "date": [], "kind": [], "amount": []}
    for kind, share in shares.items():
        noise = rng.uniform(0.9, 1.1, size=len(months))
        rows["entry_id"] += [f"L-{m}-{kind}" for m in months]
        rows["date"] += [m.to_timestamp(how="end").date() for m in months]
        rows["kind"] += [kind] * len(months)
        rows["amount"] += list(np.round(revenue * share * noise, 2))
    return pa.table(rows, schema=pa.schema([
        ("entry_id", pa.string()), ("date", pa.date32()), ("kind", pa.string()),
        ("amount", pa.float64()),
    ]))


def _shifts(rng: np.random.Generator, day_list: np.ndarray) -> pa.Table:
    weekday = (day_list.astype(np.int64) + 3) % 7
    grid = np.meshgrid(np.arange(30), np.arange(len(day_list)), indexing="ij")
    agent, day = grid[0].ravel(), grid[1].ravel()
    works = (weekday[day] < 5) | ((day + agent) % 7 == 0) & (agent % 5 == 0)
    works &= rng.random(len(agent)) > 0.05  # leave and sick days
    agent, day = agent[works], day[works]
    start_hour = np.where(agent % 2 == 0, 8, 10)
    start = day_list[day].astype("datetime64[s]") + (start_hour * 3600).astype("timedelta64[s]")
    return pa.table({
        "agent_id": AGENTS[agent], "start": _utc(start), "end": _utc(start + np.timedelta64(7, "h")),
    })


def _reviews(rng: np.random.Generator, start: date, days: int) -> pa.Table:
    n = 30 * 4 * max(1, days // 30)
    criteria = np.array(["tone", "accuracy", "response time", "resolution"])
    weights = np.array([1.0, 2.0, 1.0, 2.0])
    review = np.repeat(np.arange(n), 4)
    agent = review % 30
    at = np.datetime64(start, "s") + (rng.random(n) * days * 86400).astype("timedelta64[s]")
    score = np.clip(np.round(rng.normal(4.0 - (agent % 6) * 0.15, 0.8)), 1, 5)
    return pa.table({
        "review_id": _ids("R", review + 1), "ticket_id": pa.nulls(len(review), pa.string()),
        "agent_id": AGENTS[agent], "reviewed_at": _utc(at[review]),
        "criterion": criteria[np.arange(len(review)) % 4], "score": score,
        "max_score": np.full(len(review), 5.0), "weight": weights[np.arange(len(review)) % 4],
    })


def _feedback(rng: np.random.Generator, n: int, day_list: np.ndarray, p: np.ndarray,
              n_customers: int) -> pa.Table:
    at = np.sort(_to_utc64(_moments(rng, day_list, p, n)))
    responded = rng.random(n) < 0.8
    reply = at + (rng.exponential(6, size=n) * 3600).astype("timedelta64[s]")
    pick = rng.integers(0, 100, size=n)
    text = np.where(pick % 3 == 0, NEGATIVE[pick % len(NEGATIVE)], POSITIVE[pick % len(POSITIVE)])
    return pa.table({
        "feedback_id": _ids("F", np.arange(1, n + 1)), "at": _ts(at),
        "source": rng.choice(["twitter", "facebook", "review site", "form", "email"], size=n),
        "customer_id": _ids("C", rng.integers(1, n_customers + 1, size=n)), "text": text,
        "responded_at": _ts(np.where(responded, reply, np.datetime64("NaT"))),
    })


def _engagement(rng: np.random.Generator, n: int, day_list: np.ndarray, p: np.ndarray,
                n_customers: int) -> pa.Table:
    at = _to_utc64(_moments(rng, day_list, p, n))
    customer = rng.integers(1, n_customers + 1, size=n)
    kind = rng.choice(["visit", "login", "social_interaction", "loyalty", "training"], size=n,
                      p=[0.4, 0.3, 0.12, 0.1, 0.08])
    table = pa.table({
        "customer_id": _ids("C", customer), "at": _ts(at), "kind": kind,
        "value": np.ones(n),
    })
    # one event per customer, instant and kind (the table's key)
    unique = table.to_pandas().drop_duplicates(["customer_id", "at", "kind"])
    return pa.Table.from_pandas(unique, schema=table.schema, preserve_index=False)
