"""The stored per-ticket tables: built once, refreshed only for the tickets a load touched.

On the hand-made fixture (tests/engine_fixture.py). After each load the numbers from the
incrementally refreshed store must equal those of a full rebuild, and the expected values are
worked out by hand from the fixture plus the rows loaded here. The store is written by writers
only (a load, ``refresh``); a query over a store that is behind computes from the tickets and
writes nothing. Loads here pass ``refresh=False`` where a test looks at the refresh itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from engine_fixture import SETTINGS, build

from supportmetrics import Workspace
from supportmetrics.engine import build_query, open_engine, store
from supportmetrics.engine.engine import Engine
from supportmetrics.engine.store import META_TABLE
from supportmetrics.errors import QueryWarning
from supportmetrics.metrics import CATALOGUE

OCT = "2025-10-01"
#: catalogue metrics over tickets and their events (the ones the store feeds)
TICKET_SOURCES = {"tickets", "first_responses", "solved", "waits", "open_spans", "sla", "requests",
                  "handled", "escalations"}


def ticket_queries() -> list:
    queries = []
    for metric in CATALOGUE.values():
        sources = {p.source for p in getattr(metric, "parts", {}).values()} or {
            getattr(metric, "source", "")}
        if sources & TICKET_SOURCES:
            queries.append(build_query(metric.id, "month", start=OCT, end="2025-12-01"))
            if "agent_id" in metric.dimensions:
                queries.append(build_query(metric.id, "month", ("agent_id",), OCT, "2025-12-01"))
    return queries


def everything(engine: Engine) -> pd.DataFrame:
    return engine.metrics(ticket_queries())


def full_rebuild(ws: Workspace) -> pd.DataFrame:
    ws.con.execute(f"DELETE FROM {META_TABLE}")
    engine = open_engine(ws)
    assert kind(engine)[0] == "full"
    return everything(engine)


def value(engine: Engine, metric: str, period: str = OCT) -> tuple[float, int]:
    frame = engine.metric(build_query(metric, "month", start=OCT, end="2025-12-01"))
    row = frame[frame.period == period].iloc[0]
    return float(row["value"]), int(row["count"])


def load(ws: Workspace, table: str, rows: list[dict[str, str | None]],
         refresh: bool = False) -> None:
    result = ws.ingest_frame(table, pd.DataFrame(rows), label=table, refresh=refresh)
    assert result.ok, [str(r) for r in result.rejects]


@contextmanager
def notes() -> Iterator[list[str]]:
    """The QueryWarnings issued in the block (the notes the CLI prints)."""
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", QueryWarning)
        yield seen
    seen.extend(str(w.message) for w in caught if issubclass(w.category, QueryWarning))


def store_state(ws: Workspace) -> list[tuple]:
    """What the store records (fingerprint and load number per source): unchanged by reads."""
    return ws.con.execute(f"SELECT source, fingerprint, upto, built_at FROM {META_TABLE} "
                          "ORDER BY source").fetchall()


@pytest.fixture()
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = build(tmp_path / "ws")
    yield workspace
    workspace.close()


def kind(engine: Engine) -> tuple[str, int]:
    """What refreshing the stored sources did: the same for all four sources."""
    done = engine.refresh()
    assert set(done) == {"facts", "sla", "waits", "open_spans"}
    kinds = {(r.kind, r.tickets) for r in done.values()}
    assert len(kinds) == 1, done
    return kinds.pop()


def test_built_once_then_reused(ws: Workspace) -> None:
    # the fixture's loads stored them: nothing to do; forgotten, they are built again
    assert kind(open_engine(ws)) == ("none", 0)
    ws.con.execute(f"DELETE FROM {META_TABLE}")
    assert kind(open_engine(ws)) == ("full", 8)
    assert kind(open_engine(ws)) == ("none", 0)
    # reloading identical rows marks nothing
    load(ws, "ticket_events", [{"event_id": "e32", "ticket_id": "T8", "at": "2025-11-03 09:20",
                                "kind": "status_change", "status": "solved"}])
    assert kind(open_engine(ws)) == ("none", 0)


def test_a_load_refreshes_only_the_tickets_it_touched_and_their_customers(ws: Workspace) -> None:
    before = open_engine(ws)
    assert value(before, "tickets_solved") == (5.0, 5)
    assert before.stale == ()  # read from the store
    assert value(before, "repeat_contact_rate") == (pytest.approx(200 / 7), 7)
    assert value(before, "open_tickets") == (2.0, 2)  # T5, T7
    # T5 (C4) gets its answer and its solve; a new ticket T9 of C4 two days later
    load(ws, "ticket_events", [
        {"event_id": "e33", "ticket_id": "T5", "at": "2025-10-03 13:00", "kind": "agent_reply",
         "actor_id": "a1", "status": None},
        {"event_id": "e34", "ticket_id": "T5", "at": "2025-10-03 14:00", "kind": "status_change",
         "actor_id": None, "status": "solved"},
    ])
    load(ws, "tickets", [{"ticket_id": "T9", "created_at": "2025-10-05 10:00", "channel": "email",
                          "category": "billing", "priority": "normal", "customer_id": "C4",
                          "agent_id": "a2", "team": "tier1", "status": "open"}])
    after = open_engine(ws)
    assert kind(after) == ("incremental", 2)  # T5 and T9: C4 has no other ticket
    assert value(after, "ticket_volume") == (8.0, 8)
    assert value(after, "tickets_solved") == (6.0, 6)  # + T5
    # T1, T2 as before, and T5 now (C4 again with T9 within 7 days): 3 of 8
    assert value(after, "repeat_contact_rate") == (37.5, 8)
    # at the end of October: T7 pending and T9 open; T5 is solved
    assert value(after, "open_tickets") == (2.0, 2)
    assert value(after, "backlog_unanswered") == (1.0, 1)  # T9
    # T5 answered after 1 h: first responses T1 1800, T2 1200, T3 1800, T4 228600, T5 3600,
    # T6 1800, T7 300 -> 239100 / 7
    assert value(after, "first_response_time") == (pytest.approx(239100 / 7), 7)
    incremental = everything(after)
    pd.testing.assert_frame_equal(incremental, full_rebuild(ws))


def per_agent(engine: Engine, metric: str) -> dict[str, tuple[float, int]]:
    frame = engine.metric(build_query(metric, "month", ("agent_id",), OCT, "2025-11-01"))
    return {r["agent_id"]: (round(float(r["value"]), 6), int(r["count"]))
            for r in frame.to_dict("records")}


def t8(customer: str, created_at: str) -> list[dict[str, str | None]]:
    return [{"ticket_id": "T8", "created_at": created_at, "channel": "email", "category": "returns",
             "priority": "normal", "customer_id": customer, "agent_id": "a1", "team": "tier1",
             "status": "solved"}]


def test_moving_a_ticket_redoes_the_repeat_contacts_of_both_customers(ws: Workspace) -> None:
    # T8 moves into October, 3 days after C1's T3: T3 becomes a repeat contact
    load(ws, "tickets", t8("C1", "2025-10-05 09:00"))
    moved = open_engine(ws)
    assert kind(moved) == ("incremental", 1)
    # October: T1 (next T3), T2 (next T6), T3 (next T8) of T1..T8
    assert value(moved, "repeat_contact_rate") == (37.5, 8)
    # a1 has T1 (yes), T5, T8; a3 has T3 (yes), T6
    assert per_agent(moved, "repeat_contact_rate")["a1"] == (round(100 / 3, 6), 3)
    assert per_agent(moved, "repeat_contact_rate")["a3"] == (50.0, 2)
    # then T8 goes to C4, 5 days after T5: T3 is no longer a repeat contact, T5 is
    load(ws, "tickets", t8("C4", "2025-10-08 09:00"))
    again = open_engine(ws)
    assert kind(again) == ("incremental", 1)
    assert value(again, "repeat_contact_rate") == (37.5, 8)  # T1, T2, T5
    assert per_agent(again, "repeat_contact_rate")["a1"] == (round(200 / 3, 6), 3)
    assert per_agent(again, "repeat_contact_rate")["a3"] == (0.0, 2)
    pd.testing.assert_frame_equal(everything(again), full_rebuild(ws))


def test_settings_that_shape_the_facts_rebuild_the_store(tmp_path: Path) -> None:
    directory = tmp_path / "ws"
    with build(directory) as ws:
        assert kind(open_engine(ws)) == ("none", 0)
    (directory / "supportmetrics.toml").write_text(
        SETTINGS + "[thresholds]\nrepeat_window_days = 40\n", encoding="utf-8")
    with Workspace.open(directory) as ws:
        stored = store_state(ws)
        # a query before the refresh: the new window applies (computed from the tickets,
        # the stored rows of the old window are not used) and nothing is written
        engine = open_engine(ws)
        with notes() as seen:
            # T1 and T3 (C1 again with T8 within 40 days), T2: 3 of 7
            assert value(engine, "repeat_contact_rate") == (pytest.approx(300 / 7), 7)
        assert len(seen) == 1 and "run `supportmetrics refresh`" in seen[0]
        assert engine.stale == ("facts",)
        assert store_state(ws) == stored
        assert kind(engine) == ("full", 8)
        # the same engine's next query reads the rebuilt store
        assert value(engine, "repeat_contact_rate") == (pytest.approx(300 / 7), 7)
        assert engine.stale == ()
        # T1 and T3 (C1 again with T8 within 40 days), T2: 3 of 7
        assert value(engine, "repeat_contact_rate") == (pytest.approx(300 / 7), 7)
    # a setting the stored tables do not depend on leaves them alone
    (directory / "supportmetrics.toml").write_text(
        SETTINGS + "[thresholds]\nrepeat_window_days = 40\nsatisfied_at = 0.8\n", encoding="utf-8")
    with Workspace.open(directory) as ws:
        assert kind(open_engine(ws)) == ("none", 0)



def test_a_query_over_a_store_behind_the_data_computes_it_and_writes_nothing(
    ws: Workspace,
) -> None:
    marks = "SELECT count(*) FROM _sm_dirty_tickets"
    load(ws, "ticket_events", [{"event_id": "e33", "ticket_id": "T7", "at": "2025-10-08 09:00",
                                "kind": "status_change", "actor_id": None, "status": "solved"}])
    assert ws.con.execute(marks).fetchall()[0][0] == 1
    stored = store_state(ws)
    engine = open_engine(ws)
    with notes() as seen:
        assert value(engine, "tickets_solved") == (6.0, 6)  # + T7
        # at the end of October only T5 is open now
        assert value(engine, "open_tickets") == (1.0, 1)
    assert len(seen) == 1  # one note per engine, not one per source
    assert set(engine.stale) == {"facts", "open_spans"}
    # the query wrote nothing: the mark and the store's records are as the load left them
    assert ws.con.execute(marks).fetchall()[0][0] == 1
    assert store_state(ws) == stored
    done = engine.refresh()
    assert {k: (r.kind, r.tickets) for k, r in done.items()} == {
        "facts": ("incremental", 1), "open_spans": ("incremental", 1),
        "sla": ("incremental", 1), "waits": ("incremental", 1)}
    assert ws.con.execute(marks).fetchall()[0][0] == 0
    # the refresh moved the generation on: the same engine now reads the store
    assert value(engine, "open_tickets") == (1.0, 1)
    assert engine.stale == ()


def test_a_load_refreshes_the_store_at_its_end(ws: Workspace) -> None:
    load(ws, "ticket_events", [{"event_id": "e33", "ticket_id": "T7", "at": "2025-10-08 09:00",
                                "kind": "status_change", "actor_id": None, "status": "solved"}],
         refresh=True)
    # the load's mark is used up by the load's own refresh (T7 recomputed in each source)
    assert ws.con.execute("SELECT count(*) FROM _sm_dirty_tickets").fetchall()[0][0] == 0
    # T7's load is the first one marked (the fixture's came before the store existed)
    assert [row[2] for row in store_state(ws)] == [1, 1, 1, 1]
    engine = open_engine(ws)
    assert value(engine, "tickets_solved") == (6.0, 6)  # T1, T2, T3, T4, T6 + T7
    assert engine.stale == ()
    assert kind(engine) == ("none", 0)


def test_a_new_store_layout_or_library_version_rebuilds_the_store(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert kind(open_engine(ws)) == ("none", 0)
    monkeypatch.setattr(store, "STORE_VERSION", store.STORE_VERSION + 1)
    assert kind(open_engine(ws)) == ("full", 8)
    import importlib.metadata

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.0.1" if name == "duckdb" else real(name))
    assert kind(open_engine(ws)) == ("full", 8)
    assert kind(open_engine(ws)) == ("none", 0)


def test_ingest_no_refresh_leaves_the_store_to_refresh(ws: Workspace, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from supportmetrics.cli import main

    directory = ws.directory
    ws.close()
    source = tmp_path / "t9.csv"
    source.write_text("ticket_id,created_at\nT9,2025-10-05 10:00\n", encoding="utf-8")
    assert main(["-w", str(directory), "ingest", "tickets", str(source), "--no-refresh"]) == 0
    assert main(["-w", str(directory), "metrics", "ticket_volume", "--from", OCT,
                 "--to", "2025-11-01", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert '"value": 8.0, "unit": "count", "count": 8' in captured.out  # T1..T7 + T9, computed from the tickets
    assert "run `supportmetrics refresh`" in " ".join(captured.err.split())
    assert main(["-w", str(directory), "explain", "ticket_volume", "--period", "2025-10",
                 "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 9  # the header and T1..T7, T9
    assert "note: the stored per-ticket tables are older" in " ".join(captured.err.split())
    assert main(["-w", str(directory), "refresh"]) == 0
    # T9 is the one ticket marked: each source recomputes it
    assert "facts: updated (1 ticket computed" in capsys.readouterr().out
    assert main(["-w", str(directory), "metrics", "ticket_volume", "--from", OCT,
                 "--to", "2025-11-01", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert '"value": 8.0, "unit": "count", "count": 8' in captured.out and captured.err == ""
