"""supportmetrics.engine.engine: the facade's answers beyond metrics (an agent's team, units)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from supportmetrics import Workspace
from supportmetrics.errors import query_notes


@pytest.fixture(scope="module")
def two_team_agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Agents working for two teams: a1 one ticket in each (a tie), a2 two in tier2 and one in
    tier1; a survey on each of a1's tickets (S1 on T2 of tier1, S2 on T1 of tier2)."""
    ws = Workspace.open(tmp_path_factory.mktemp("teams") / "ws")
    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5"],
        "created_at": ["2025-10-01 09:00"] * 5,
        "agent_id": ["a1", "a1", "a2", "a2", "a2"],
        "team": ["tier2", "tier1", "tier2", "tier2", "tier1"],
    })
    surveys = pd.DataFrame({
        "response_id": ["S1", "S2"], "survey": ["csat", "csat"],
        "sent_at": ["2025-10-02 09:00"] * 2, "responded_at": ["2025-10-02 10:00"] * 2,
        "score": ["5", "2"], "ticket_id": ["T2", "T1"], "agent_id": ["a1", "a1"],
        "comment": ["on tier1's ticket", "on tier2's ticket"],
    })
    for name, frame in (("tickets", tickets), ("surveys", surveys)):
        assert ws.ingest_frame(name, frame, label=name, refresh=False).ok
    ws.refresh()
    yield ws
    ws.close()


def test_an_agents_team_is_the_team_of_most_of_their_tickets(two_team_agents: Workspace) -> None:
    teams = two_team_agents.engine().agent_teams()
    # a1: tier1 1, tier2 1 -> the tie goes to the first name, tier1; a2: tier2 2 of 3
    assert teams.to_dict("list") == {"agent_id": ["a1", "a2"], "team": ["tier1", "tier2"]}


def test_units_are_filtered_as_the_metrics_filter_them(two_team_agents: Workspace) -> None:
    engine = two_team_agents.engine()
    # a survey's team is its ticket's: S2 is on T1 of tier2; S1, on T2 of tier1, is out, though
    # its agent a1 has a tier2 ticket too
    tier2 = engine.units("surveys", (("team", "tier2"),)).execute()
    assert list(tier2["response_id"]) == ["S2"]
    with query_notes() as notes:
        every = engine.units("surveys", (("priority", "high"),)).execute()
    assert sorted(every["response_id"]) == ["S1", "S2"]
    assert notes == ["surveys: --where priority does not apply to the surveys sent, which have "
                     "no such column; not filtered on it"]
