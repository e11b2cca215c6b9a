"""The core metrics written the way an analyst would in pandas (vectorised, no row loops).

Volume, first response time, resolution time, FCR, CSAT and ASA, monthly in the workspace time
zone, by one dimension, with the catalogue's definitions (docs/metrics.md): bot and auto replies are
not responses, the first response is credited to its author, resolution and FCR to the last
assignee before the (last) solve, a ticket without events falls back to its own row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SOLVED = ("solved", "closed")
COLUMNS = {
    "tickets": ["ticket_id", "created_at", "channel", "agent_id", "status", "first_response_at",
                "resolved_at"],
    "ticket_events": ["event_id", "ticket_id", "at", "kind", "actor_id", "status"],
    "calls": ["call_id", "queued_at", "outcome", "answered_at", "agent_id", "channel"],
    "surveys": ["response_id", "survey", "responded_at", "score", "scale_min", "scale_max",
                "agent_id", "channel"],
}


def load(directory: Path) -> dict[str, pd.DataFrame]:
    """Read the four tables from Parquet (Arrow-backed strings, as pandas 3 reads them)."""
    return {
        name: pd.read_parquet(directory / f"{name}.parquet", columns=columns)
        for name, columns in COLUMNS.items()
    }


def _month(ts: pd.Series, zone: str) -> pd.Series:
    local = ts.dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)
    return local.dt.to_period("M").dt.start_time.dt.date


def ticket_facts(tickets: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per ticket: first response (and who), last solve (and who), public replies."""
    events = events.sort_values(["ticket_id", "at", "event_id"])
    has_events = tickets.ticket_id.isin(events.ticket_id)
    replies = events[events.kind == "agent_reply"]
    public_replies = replies.groupby("ticket_id").size()
    created = tickets.set_index("ticket_id").created_at
    after = replies[replies["at"].values >= created.reindex(replies.ticket_id).values]
    first = after.drop_duplicates("ticket_id").set_index("ticket_id")

    changes = events[events.kind == "status_change"].copy()
    changes["now"] = changes.status.isin(SOLVED)
    changes["was"] = changes.groupby("ticket_id")["now"].shift(fill_value=False).astype(bool)
    last_status = changes.groupby("ticket_id").status.last()
    last_solve = changes[changes.now & ~changes.was].groupby("ticket_id")["at"].max()

    f = tickets.set_index("ticket_id")
    f["has_events"] = has_events.values
    from_events = f.has_events
    f["first_response_at"] = f.first_response_at.where(~from_events, first["at"].reindex(f.index))
    responder = first.actor_id.reindex(f.index).fillna(f.agent_id)
    f["first_responder"] = f.agent_id.where(~from_events, responder)
    status = last_status.reindex(f.index)
    solved_from_events = status.notna()
    solved = status.fillna(f.status).isin(SOLVED)
    solved_at = f.resolved_at.where(~solved_from_events, last_solve.reindex(f.index))
    f["solved_at"] = solved_at.where(solved)
    f["public_replies"] = public_replies.reindex(f.index).fillna(0).where(from_events)

    # the last assignee at or before the solve
    assignments = events.loc[events.kind == "assignment", ["ticket_id", "at", "actor_id"]]
    solved_rows = f.loc[f.solved_at.notna(), ["solved_at"]].reset_index()
    pairs = assignments.merge(solved_rows, on="ticket_id")
    pairs = pairs[pairs["at"] <= pairs.solved_at]
    last_assignee = pairs.drop_duplicates("ticket_id", keep="last").set_index("ticket_id").actor_id
    f["solved_agent"] = last_assignee.reindex(f.index).fillna(f.agent_id)
    return f.reset_index()


def _summarise(units: pd.DataFrame, anchor: str, dim: str, value: str, kind: str,
               zone: str) -> pd.DataFrame:
    units = units[units[anchor].notna()]
    keys = [_month(units[anchor], zone).rename("period"), units[dim].rename("dim")]
    grouped = units[value].groupby(keys, dropna=False)
    if kind == "count":
        out = grouped.size().to_frame("count")
        out["value"] = out["count"].astype("float64")
    elif kind == "rate":
        out = pd.DataFrame({"value": 100 * grouped.mean(), "count": grouped.size()})
    else:  # mean over units with a value
        out = pd.DataFrame({"value": grouped.mean(), "count": grouped.count()})
    return out.reset_index()


def core_metrics(tables: dict[str, pd.DataFrame], dims: tuple[str, ...], zone: str
                 ) -> dict[tuple[str, str], pd.DataFrame]:
    """{(metric, dimension): frame of period, dim, value, count}."""
    facts = ticket_facts(tables["tickets"], tables["ticket_events"])
    facts["frt"] = (facts.first_response_at - facts.created_at).dt.total_seconds()
    facts["resolution"] = (facts.solved_at - facts.created_at).dt.total_seconds()
    facts["one_touch"] = (facts.public_replies == 1).astype("float64")
    solved = facts[facts.solved_at.notna()]
    with_replies = solved[solved.public_replies.notna()]

    calls = tables["calls"]
    answered = calls[calls.outcome == "answered"].copy()
    answered["wait"] = (answered.answered_at - answered.queued_at).dt.total_seconds()

    surveys = tables["surveys"]
    csat = surveys[(surveys.survey == "csat") & surveys.score.notna()].copy()
    normalized = (csat.score - csat.scale_min) / (csat.scale_max - csat.scale_min)
    csat["satisfied"] = (normalized >= 0.75 - 1e-9).astype("float64")

    out = {}
    for dim in dims:
        credit = {"agent_id": "first_responder"} if dim == "agent_id" else {}
        solve_credit = {"agent_id": "solved_agent"} if dim == "agent_id" else {}
        frt_units = facts.drop(columns=[dim]).rename(columns={credit.get(dim, dim): dim}) \
            if credit else facts
        solved_units = solved.drop(columns=[dim]).rename(columns={solve_credit[dim]: dim}) \
            if solve_credit else solved
        fcr_units = with_replies.drop(columns=[dim]).rename(columns={solve_credit[dim]: dim}) \
            if solve_credit else with_replies
        out[("ticket_volume", dim)] = _summarise(facts, "created_at", dim, "ticket_id", "count",
                                                 zone)
        out[("first_response_time", dim)] = _summarise(frt_units, "created_at", dim, "frt",
                                                       "mean", zone)
        out[("resolution_time", dim)] = _summarise(solved_units, "solved_at", dim, "resolution",
                                                   "mean", zone)
        out[("fcr_rate", dim)] = _summarise(fcr_units, "solved_at", dim, "one_touch", "rate",
                                            zone)
        out[("csat", dim)] = _summarise(csat, "responded_at", dim, "satisfied", "rate", zone)
        out[("asa", dim)] = _summarise(answered, "queued_at", dim, "wait", "mean", zone)
    return out


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """period (ISO text), dim (text, '<null>'), value, count; rows over no units dropped."""
    frame = frame[frame["count"] > 0]
    return pd.DataFrame({
        "period": pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "dim": frame["dim"].astype(object).where(frame["dim"].notna(), "<null>").astype(str)
        .to_numpy(),
        "value": frame["value"].astype("float64").to_numpy(),
        "count": frame["count"].astype("int64").to_numpy(),
    }).sort_values(["period", "dim"]).reset_index(drop=True)


def differences(expected: pd.DataFrame, got: pd.DataFrame) -> int:
    """How many (period, dim) rows differ in value (1e-9 relative) or count, or are missing."""
    merged = expected.merge(got, on=["period", "dim"], how="outer", indicator=True)
    missing = int((merged["_merge"] != "both").sum())
    both = merged[merged["_merge"] == "both"]
    values = ~np.isclose(both.value_x, both.value_y, rtol=1e-9, atol=1e-6, equal_nan=True)
    counts = both.count_x != both.count_y
    return missing + int((values | counts).sum())
