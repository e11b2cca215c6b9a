"""A metric query is compiled once per engine and run again from its compiled form."""

from __future__ import annotations

from supportmetrics import Workspace


def test_a_repeated_query_is_compiled_once_and_gives_the_same_numbers(ws: Workspace) -> None:
    engine = ws.engine()
    before = engine.compilations
    first = ws.metric("ticket_volume", start="2025-10-01", end="2025-12-01")
    assert engine.compilations == before + 1
    # October T1..T7 = 7 tickets, November T8 = 1
    assert first[["period", "value", "count"]].values.tolist() == [
        ["2025-10-01", 7.0, 7], ["2025-11-01", 1.0, 1]]
    again = ws.metric("ticket_volume", start="2025-10-01", end="2025-12-01")
    assert engine.compilations == before + 1  # run from the compiled query
    assert again.equals(first)


def test_other_periods_and_filters_are_their_own_queries(ws: Workspace) -> None:
    engine = ws.engine()
    before = engine.compilations
    october = ws.metric("ticket_volume", start="2025-10-01", end="2025-11-01")
    assert october[["period", "value"]].values.tolist() == [["2025-10-01", 7.0]]
    email = ws.metric("ticket_volume", start="2025-10-01", end="2025-11-01",
                      where={"channel": "email"})
    assert email[["period", "value"]].values.tolist() == [["2025-10-01", 3.0]]  # T1, T3, T5
    chat = ws.metric("ticket_volume", start="2025-10-01", end="2025-11-01",
                     where={"channel": "chat"})
    assert chat[["period", "value"]].values.tolist() == [["2025-10-01", 2.0]]  # T2, T7
    assert engine.compilations == before + 3
    # each again, in another order: no compilation, the same numbers
    assert ws.metric("ticket_volume", start="2025-10-01", end="2025-11-01",
                     where={"channel": "email"}).equals(email)
    assert ws.metric("ticket_volume", start="2025-10-01", end="2025-11-01").equals(october)
    assert engine.compilations == before + 3


def test_the_clock_and_statistic_are_part_of_the_query(ws: Workspace) -> None:
    engine = ws.engine()
    calendar = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01")
    business = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01",
                         clock="business")
    before = engine.compilations
    median = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01", stat="median")
    assert median["value"].tolist() == [1800.0]  # 300, 1200, 1800, 1800, 1800, 228600
    assert engine.compilations == before + 1
    assert ws.metric("first_response_time", start="2025-10-01", end="2025-11-01").equals(calendar)
    assert ws.metric("first_response_time", start="2025-10-01", end="2025-11-01",
                     clock="business").equals(business)
    assert engine.compilations == before + 1
    # calendar: (1800 + 1200 + 1800 + 228600 + 1800 + 300) / 6 = 39250; business (mon-fri
    # 09:00-17:00): T4 Fri 18:00 -> Mon 09:30 is 1800, T6 before opening 0: 6900 / 6 = 1150
    assert calendar["value"].tolist() == [39250.0]
    assert business["value"].tolist() == [1150.0]
