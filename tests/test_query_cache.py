"""A metric query is compiled once per shape and run again from its compiled form.

The shape is everything but the range: the same query over another range runs the same
compiled query with other bounds (except where it reads the range's own periods table).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from engine_fixture import build

from supportmetrics import Workspace


def rows(ws: Workspace, metric: str, start: str, end: str, **kwargs: object) -> list[list[object]]:
    frame = ws.metric(metric, start=start, end=end, **kwargs)  # type: ignore[arg-type]
    return frame[["period", "value", "count"]].values.tolist()  # type: ignore[no-any-return]


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


def test_another_range_reuses_the_compiled_query(ws: Workspace) -> None:
    engine = ws.engine()
    before = engine.compilations
    email = {"channel": "email"}
    # email: T1, T3, T5 in October, T8 in November
    assert rows(ws, "ticket_volume", "2025-10-01", "2025-12-01", where=email) == [
        ["2025-10-01", 3.0, 3], ["2025-11-01", 1.0, 1]]
    assert engine.compilations == before + 1
    assert rows(ws, "ticket_volume", "2025-10-01", "2025-11-01", where=email) == [
        ["2025-10-01", 3.0, 3]]
    assert rows(ws, "ticket_volume", "2025-11-01", "2025-12-01", where=email) == [
        ["2025-11-01", 1.0, 1]]
    assert engine.compilations == before + 1
    # the whole range as one period, labelled by its first day: its own shape, then reused
    assert rows(ws, "ticket_volume", "2025-10-01", "2025-12-01", where=email, grain="range") == [
        ["2025-10-01", 4.0, 4]]
    assert rows(ws, "ticket_volume", "2025-11-01", "2025-12-01", where=email, grain="range") == [
        ["2025-11-01", 1.0, 1]]
    assert rows(ws, "ticket_volume", "2025-10-06", "2025-10-08", where=email, grain="range") == [
        ["2025-10-06", 0.0, 0]]  # T6 (phone) and T7 (chat) only
    assert engine.compilations == before + 2


def test_filter_values_are_their_own_queries(ws: Workspace) -> None:
    engine = ws.engine()
    before = engine.compilations
    assert rows(ws, "tickets_solved", "2025-10-01", "2025-11-01", where={"channel": "chat"}) \
        == rows(ws, "tickets_solved", "2025-10-01", "2025-11-01", where={"channel": "chat"})
    chat = rows(ws, "ticket_volume", "2025-10-01", "2025-11-01", where={"channel": "chat"})
    assert chat == [["2025-10-01", 2.0, 2]]  # T2, T7
    assert rows(ws, "ticket_volume", "2025-10-01", "2025-11-01", where={"channel": "web"}) == [
        ["2025-10-01", 1.0, 1]]  # T4
    assert engine.compilations == before + 3


def test_a_snapshot_reads_its_periods_and_is_compiled_per_range(ws: Workspace) -> None:
    engine = ws.engine()
    before = engine.compilations
    # at 2025-11-01 00:00 T5 and T7 are open; at 2025-12-01 T5 and T7 still (T8 solved)
    assert rows(ws, "open_tickets", "2025-10-01", "2025-12-01") == [
        ["2025-10-01", 2.0, 2], ["2025-11-01", 2.0, 2]]
    assert rows(ws, "open_tickets", "2025-10-01", "2025-11-01") == [["2025-10-01", 2.0, 2]]
    assert engine.compilations == before + 2
    assert rows(ws, "open_tickets", "2025-10-01", "2025-11-01") == [["2025-10-01", 2.0, 2]]
    assert engine.compilations == before + 2


def test_the_clock_and_statistic_are_part_of_the_query(ws: Workspace) -> None:
    engine = ws.engine()
    calendar = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01")
    business = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01",
                         clock="business")
    # calendar: (1800 + 1200 + 1800 + 228600 + 1800 + 300) / 6 = 39250; business (mon-fri
    # 09:00-17:00): T4 Fri 18:00 -> Mon 09:30 is 1800, T6 before opening 0: 6900 / 6 = 1150
    assert calendar["value"].tolist() == [39250.0]
    assert business["value"].tolist() == [1150.0]
    before = engine.compilations
    median = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01", stat="median")
    assert median["value"].tolist() == [1800.0]  # 300, 1200, 1800, 1800, 1800, 228600
    assert engine.compilations == before + 1
    assert ws.metric("first_response_time", start="2025-10-01", end="2025-11-01").equals(calendar)
    assert ws.metric("first_response_time", start="2025-10-01", end="2025-11-01",
                     clock="business").equals(business)
    assert engine.compilations == before + 1


def test_the_least_recently_used_compiled_query_goes_past_the_limit(ws: Workspace) -> None:
    engine = ws.engine()
    limit = engine.compiled_limit
    engine.compiled_limit = 2
    try:
        # open_tickets is compiled per range (it reads the range's periods)
        for end in ("2025-11-01", "2025-12-01", "2026-01-01"):
            ws.metric("open_tickets", start="2025-10-01", end=end)
        assert len(engine._compiled) == 2
        before = engine.compilations
        # the newest two are kept; the first, evicted, is compiled again, with the same number
        ws.metric("open_tickets", start="2025-10-01", end="2026-01-01")
        assert engine.compilations == before
        assert rows(ws, "open_tickets", "2025-10-01", "2025-11-01") == [["2025-10-01", 2.0, 2]]
        assert engine.compilations == before + 1  # T5 and T7 open at 2025-11-01 00:00
        assert len(engine._compiled) == 2
    finally:
        engine.compiled_limit = limit


T9 = {"ticket_id": "T9", "created_at": "2025-10-05 10:00", "channel": "email",
      "category": "billing", "priority": "normal", "customer_id": "C4", "agent_id": "a2",
      "team": "tier1", "status": "open"}


def test_compiled_queries_outlive_a_connection_but_not_a_load(tmp_path: Path) -> None:
    build(tmp_path / "ws").close()
    # outside a with block a reader connects for each query and lets go of the file after it;
    # its temporary tables (time zones, business hours, periods) go with the connection
    reader = Workspace.open(tmp_path / "ws", read_only=True)
    try:
        engine = reader.engine()
        business = {"clock": "business"}
        # T4 Fri 18:00 -> Mon 09:30 is 1800 business seconds, T6 before opening 0: 6900 / 6
        assert rows(reader, "first_response_time", "2025-10-01", "2025-11-01", **business) == [
            ["2025-10-01", 1150.0, 6]]
        # at 2025-11-01 00:00 T5 and T7 are open (a query reading the range's periods table)
        assert rows(reader, "open_tickets", "2025-10-01", "2025-11-01") == [["2025-10-01", 2.0, 2]]
        before = engine.compilations
        assert rows(reader, "first_response_time", "2025-10-01", "2025-11-01", **business) == [
            ["2025-10-01", 1150.0, 6]]
        assert rows(reader, "open_tickets", "2025-10-01", "2025-11-01") == [["2025-10-01", 2.0, 2]]
        assert engine.compilations == before
    finally:
        reader.close()
    with Workspace.open(tmp_path / "ws") as writer:
        engine = writer.engine()
        assert rows(writer, "ticket_volume", "2025-10-01", "2025-11-01") == [
            ["2025-10-01", 7.0, 7]]  # T1..T7
        before = engine.compilations
        writer.ingest_frame("tickets", pd.DataFrame([T9]))
        # the load moved the generation: the engine's compiled queries went with its old state
        assert rows(writer, "ticket_volume", "2025-10-01", "2025-11-01") == [
            ["2025-10-01", 8.0, 8]]  # T1..T7 + T9
        assert engine.compilations == before + 1
