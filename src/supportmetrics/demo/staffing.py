"""The team: as many agents as the volume needs, on shifts that follow the traffic.

Workforce planning the way a support lead does it: the expected work of each team on each day
(tickets when they can first be worked, calls when they are queued, times the typical handle
time) divided by the utilization the lead plans for gives the staffed hours of that day. They
are split into shifts of up to 8 hours (shorter part-time shifts where a team needs less than a
person; up to 10 hours of overtime in the incident week, when the team cannot grow and answers
the incident's tickets with a prepared reply), and each
team has enough agents to staff its busy days with some of them on leave. Work is then handed
to the agents on shift that day, faster agents getting more tickets, so an agent's utilization
(handle time over shift time) lands near the plan whatever the size of the data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from supportmetrics.demo.clock import DAY, HOUR, MINUTE, closed_day, weekday
from supportmetrics.demo.columns import canonical, pick, when
from supportmetrics.demo.contacts import call_moments, call_teams
from supportmetrics.demo.tickets import SPIKE_HANDLE, arrivals, work_days
from supportmetrics.demo.vocab import TEAMS, TIER2

if TYPE_CHECKING:
    from supportmetrics.demo.world import World

PLANNED_UTILIZATION = 0.78  # the lead staffs for handle time = 78 % of shift time
# Agent time one ticket takes on average (seconds of handle_seconds over all tickets, at an
# agent speed of 1): about 1.35 agent replies per ticket at exp(6 + 0.5**2 / 2) = 457 s each,
# plus 0.3 of a reply of reading, for the 96 % of answered tickets whose time is tracked.
TICKET_WORK = 720.0
# Of first-line tickets, the share escalated to second line (a third need a second round, 15 % of
# those are handed over, 40 % of handovers go up): their time counts for the second-line agent.
ESCALATED = 0.02
# An offered call: 86 % are answered, talk 359 s + hold 14 s + wrap-up 70 s on average.
CALL_WORK = 381.0
CALLS_PER_TICKET = 0.4
PILOT = 200_000  # arrivals drawn to estimate each team's work per day
FULL_SHIFT, OVERTIME, SHORTEST = 8 * HOUR, 10 * HOUR, 30 * MINUTE
ON_LEAVE = 0.12  # share of a team's agents away (leave, sickness, training) on a busy day
SPEED_SPREAD = 0.25  # agents' handle times differ (log-normal spread of their speed)
PACE_SPREAD = 0.05  # ... and so does how much work they take on
SPAN = 1 << 24  # roster key: team * SPAN + day number


@dataclass(frozen=True)
class Roster:
    """Every shift, sorted by team and day, with the running weights work is drawn by."""

    key: np.ndarray  # team * SPAN + day number
    agent: np.ndarray
    ticket_weight: np.ndarray  # cumulative: shift length x pace / speed
    call_weight: np.ndarray  # cumulative: shift length x pace

    def assign(self, rng: np.random.Generator, team: np.ndarray, day: np.ndarray,
               calls: bool = False, avoid: np.ndarray | None = None) -> np.ndarray:
        """An agent on shift in ``team`` on ``day`` for each item of work.

        Drawn by the shift's weight; where nobody of the team works that day, the team's next
        staffed day (its last one at the end of the period). With ``avoid``, a colleague other
        than that agent where the shift has more than one person.
        """
        cumulative = self.call_weight if calls else self.ticket_weight
        query = team.astype(np.int64) * SPAN + day
        lo = np.searchsorted(self.key, query, "left")
        hi = np.searchsorted(self.key, query, "right")
        empty = lo == hi
        if empty.any():
            after = np.minimum(lo, len(self.key) - 1)
            same = (lo < len(self.key)) & (self.key[after] // SPAN == team)
            query = np.where(empty, np.where(same, self.key[after],
                                             self.key[np.maximum(lo - 1, 0)]), query)
            lo = np.searchsorted(self.key, query, "left")
            hi = np.searchsorted(self.key, query, "right")
        base = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
        top = cumulative[hi - 1]
        drawn = base + rng.random(len(query)) * (top - base)
        row = np.clip(np.searchsorted(cumulative, drawn, "right"), lo, hi - 1)
        if avoid is not None:
            clash = (self.agent[row] == avoid) & (hi - lo > 1)
            row = np.where(clash, lo + (row - lo + 1) % np.maximum(hi - lo, 1), row)
        agent: np.ndarray = self.agent[row]
        return agent


@dataclass(frozen=True)
class Staff:
    """The agents (their team and traits) and their shifts."""

    team: np.ndarray  # per agent, agents numbered team by team
    speed: np.ndarray  # > 1 is slower
    quality: np.ndarray  # > 0 makes customers happier
    shifts: pa.Table
    roster: Roster


def plan(rng: np.random.Generator, world: World, tickets: int) -> Staff:
    """Team sizes and shifts for ``tickets`` tickets (and their calls) over the world's period."""
    first_day = world.origin // DAY
    days = world.days
    created, category, spike = arrivals(rng, world, PILOT)
    _, team, day = work_days(rng, created, category)
    keep = (day - first_day) < days  # worked after the period: not this period's work
    work = np.zeros((len(TEAMS), days))
    ticket = (np.where(spike, SPIKE_HANDLE, 1.0) * TICKET_WORK * tickets / PILOT)[keep]
    share = np.where(team == TIER2, 1.0, 1 - ESCALATED)[keep] * ticket
    np.add.at(work, (team[keep], day[keep] - first_day), share)
    np.add.at(work[TIER2], day[keep] - first_day, ticket - share)
    queued = call_moments(rng, world, int(PILOT * CALLS_PER_TICKET))
    _, call_team = call_teams(rng, len(queued))
    np.add.at(work, (call_team, queued // DAY - first_day), CALL_WORK * tickets / PILOT)
    midnights = world.midnights
    work[:, closed_day(midnights // DAY)] = 0.0  # nobody works; the calls are blocked

    hours = work / PLANNED_UTILIZATION
    needed = np.ceil(hours / FULL_SHIFT)
    weekdays = weekday(midnights) < 5
    busy = np.quantile(needed[:, weekdays], 0.95, axis=1) if weekdays.any() else needed.max(1)
    size = np.maximum(np.ceil(busy / (1 - ON_LEAVE)), 1).astype(np.int64)
    on_shift = np.minimum(needed, size[:, None]).astype(np.int64)
    length = np.where(on_shift > 0, hours / np.maximum(on_shift, 1), 0.0)

    team_of = np.repeat(np.arange(len(TEAMS)), size)
    n_agents = int(size.sum())
    speed = np.exp(rng.normal(0, SPEED_SPREAD, size=n_agents))
    # each team as fast as planned on the whole (harmonic mean 1, as the tickets' share follows
    # 1 / speed), however its few agents happened to be drawn
    speed *= (np.bincount(team_of, 1 / speed) / size)[team_of]
    quality = rng.normal(0, 0.5, size=n_agents)
    pace = np.exp(rng.normal(0, PACE_SPREAD, size=n_agents))
    first_agent = np.concatenate([[0], np.cumsum(size)[:-1]])
    agent_parts, day_parts, length_parts, team_parts = [], [], [], []
    for t in range(len(TEAMS)):  # three teams: who of the team works each day
        order = np.argsort(rng.random((days, int(size[t]))), axis=1)
        works = np.arange(int(size[t]))[None, :] < on_shift[t][:, None]
        day_index, slot = np.nonzero(works)
        agent_parts.append(first_agent[t] + order[day_index, slot])
        day_parts.append(day_index)
        length_parts.append(length[t, day_index])
        team_parts.append(np.full(len(day_index), t))
    agent = np.concatenate(agent_parts)
    day_index = np.concatenate(day_parts)
    shift_length = np.concatenate(length_parts)
    shift_length = np.clip(np.round(shift_length / (15 * MINUTE)) * 15 * MINUTE,
                           SHORTEST, OVERTIME).astype(np.int64)
    shift_team = np.concatenate(team_parts)
    midnight = midnights[day_index]
    weekend = weekday(midnight) >= 5
    start = midnight + np.where(weekend, 9, np.where(agent % 2 == 0, 8, 10)) * HOUR
    start = np.where(start + shift_length > midnight + 20 * HOUR,
                     midnight + 20 * HOUR - shift_length, start)  # overtime starts earlier

    key = shift_team.astype(np.int64) * SPAN + midnight // DAY
    order = np.argsort(key, kind="stable")
    weight = (shift_length * pace[agent])[order]
    roster = Roster(
        key=key[order], agent=agent[order],
        ticket_weight=np.cumsum(weight / speed[agent[order]]), call_weight=np.cumsum(weight),
    )
    by_time = np.lexsort((start, agent))
    shifts = canonical("agent_shifts", {
        "agent_id": pick(agent_names(n_agents), agent[by_time]),
        "start": when(start[by_time]),
        "end": when((start + shift_length)[by_time]),
    })
    return Staff(team=team_of, speed=speed, quality=quality, shifts=shifts, roster=roster)


def agent_names(n: int) -> tuple[str, ...]:
    """a01, a02, ... (three digits from the 100th agent on)."""
    return tuple(f"a{i:02d}" for i in range(1, n + 1))
