"""Attribute columns live in their own namespace: a file's column named like any canonical,
derived or output column changes no number, and can be dropped or renamed.

The workspace is the hand-made one of tests/engine_fixture.py; the expected values are the ones
worked out by hand in tests/test_metrics.py (the arithmetic is repeated here).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_fixture import build, with_text_reopens

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.engine.engine import OUTPUT_COLUMNS
from supportmetrics.engine.sources import SOURCES
from supportmetrics.errors import QueryError, QueryWarning
from supportmetrics.reports import build_report
from supportmetrics.schema import TABLES

OCT = ("2025-10-01", "2025-11-01")


def internal_names(tmp_path: Path) -> list[str]:
    """Every name the engine uses: canonical columns of every table, the columns of every unit
    source and of the per-ticket facts, the columns of metric rows and of explain's rows, and a
    few of the engine's working columns."""
    ws = build(tmp_path / "plain")
    try:
        engine = ws.engine()
        names = {c for spec in TABLES.values() for c in spec.column_names}
        names |= {c for source in SOURCES for c in engine.sources.get(source).columns}
        names |= set(engine.ticket_facts().columns)
    finally:
        ws.close()
    names |= {*OUTPUT_COLUMNS, "unit", "anchor_at", "part", "_seconds", "_local", "_num", "_issues"}
    return sorted(names)


@pytest.fixture(scope="module")
def clash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The hand-made workspace whose every file also has one column per internal name.

    Each such column holds "v1" on the 1st, 3rd, ... row of its file and "v2" on the others
    (tickets: T1 T3 T5 T7 are v1, T2 T4 T6 T8 are v2). A name that is a canonical column of a
    table is that column in that table's file, so it is left out there.
    """
    root = tmp_path_factory.mktemp("clash")
    names = internal_names(root)
    ws = build(root / "ws", extra={n: ["v1", "v2"] for n in names})
    yield ws
    ws.close()


def _value(ws: Workspace, metric: str, **kwargs: object) -> tuple[float, int]:
    frame = ws.metric(metric, start=OCT[0], end=OCT[1], **kwargs)  # type: ignore[arg-type]
    assert len(frame) == 1, frame
    return round(float(frame["value"].iloc[0]), 6), int(frame["count"].iloc[0])


def test_every_internal_name_is_kept_as_an_attribute(clash: Workspace) -> None:
    tickets = next(i for i in clash.tables() if i.name == "tickets")
    assert "reopens" in TABLES["tickets"].column_names  # a helpdesk figure of the tickets file
    events = next(i for i in clash.tables() if i.name == "ticket_events")
    assert "reopens" in events.attributes
    for name in ("public_replies", "value", "count", "period", "metric", "solved_at", "has_events",
                 "first_responder", "frt_met", "wait_id", "request_kind", "at", "score"):
        assert name in tickets.attributes


def test_numbers_are_those_of_the_workspace_without_the_columns(clash: Workspace) -> None:
    # tests/test_metrics.py: 7 October tickets; FRT (1800 + 1200 + 1800 + 228600 + 1800 + 300)
    # / 6 = 39250; resolution (3600 + 7500 + 9000 + 316800 + 28800) / 5 = 73140; reopened: T2
    # of the 4 solved tickets with events; 3 of 4 with one reply; 13 requests; CSAT 2 of 3
    assert _value(clash, "ticket_volume") == (7.0, 7)
    assert _value(clash, "first_response_time") == (39250.0, 6)
    assert _value(clash, "resolution_time") == (73140.0, 5)
    assert _value(clash, "reopen_rate") == (25.0, 4)
    assert _value(clash, "fcr_rate") == (75.0, 4)
    assert _value(clash, "replies_per_ticket") == (1.25, 4)
    assert _value(clash, "request_volume") == (13.0, 13)
    assert _value(clash, "csat") == (round(100 * 2 / 3, 6), 3)
    # SLA as of the data's end: 5 met of 6 decided, T7 pending (tests/test_metrics.py)
    assert _value(clash, "sla_compliance") == (round(500 / 6, 6), 6)


def test_an_attribute_named_like_a_facts_column_is_a_dimension_and_a_filter(
    clash: Workspace,
) -> None:
    # October tickets: v1 = T1 T3 T5 T7, v2 = T2 T4 T6
    frame = clash.metric("ticket_volume", by=["public_replies"], start=OCT[0], end=OCT[1])
    assert frame[["public_replies", "value", "count"]].values.tolist() == [
        ["v1", 4.0, 4], ["v2", 3.0, 3]]
    # the attribute, not the per-ticket reply count: v2 first responses T2 1200, T4 228600,
    # T6 1800 -> 231600 / 3 = 77200
    assert _value(clash, "first_response_time", where={"public_replies": "v2"}) == (77200.0, 3)
    # while replies_per_ticket reads the real count: v2 solved with events T2 1, T4 1
    assert _value(clash, "replies_per_ticket", where={"public_replies": "v2"}) == (1.0, 2)
    # first_responder: the attribute, while the metric credits the real first responder
    frame = clash.metric("first_response_time", by=["first_responder", "agent_id"],
                         start=OCT[0], end=OCT[1])
    rows = frame[["first_responder", "agent_id", "count"]].values.tolist()
    # v1: T1 a1, T3 a1, T7 a2 (T5 unanswered, a1); v2: T2 a2, T4 a2, T6 a3
    assert rows == [["v1", "a1", 2], ["v1", "a2", 1], ["v2", "a2", 2], ["v2", "a3", 1]]


def test_an_attribute_named_like_an_output_column_filters_but_cannot_be_shown(
    clash: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # v1 solved: T1 3600, T3 9000 -> 6300
    assert _value(clash, "resolution_time", where={"value": "v1"}) == (6300.0, 2)
    with pytest.raises(QueryError, match="attributes rename TABLE value NEW_NAME"):
        clash.metric("ticket_volume", by=["value"])
    code = main(["-w", str(clash.directory), "metrics", "ticket_volume", "--by", "period"])
    assert code == 2
    assert "rename it" in capsys.readouterr().err


def test_summary_explain_facts_and_report_work(
    clash: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = str(clash.directory)
    assert main(["-w", directory, "summary"]) == 0
    capsys.readouterr()
    assert main(["-w", directory, "explain", "reopen_rate", "--period", "2025-10",
                 "--where", "public_replies=v2", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    # v2 solved with events: T2 (reopened once), T4
    assert [line.split(",")[1] for line in out.splitlines()[1:]] == ["T2", "T4"]
    assert main(["-w", directory, "facts", "tickets"]) == 0
    header = capsys.readouterr().out.splitlines()[0].replace('"', "").split(",")
    # the per-ticket reply count, and the file's column beside it under the load's prefix
    assert "public_replies" in header and "attr_public_replies" in header
    report = build_report(clash, period="2025-10")
    assert report is not None


def test_a_workspace_with_a_text_reopens_column_opens_and_works(tmp_path: Path) -> None:
    # the state an earlier version left: a Reopens export column kept as a text column
    ws = build(tmp_path / "ws")
    with_text_reopens(ws, {t: "1" if t == "T2" else "0" for t in
                           ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8")})
    ws.close()
    ws = Workspace.open(tmp_path / "ws")
    try:
        # the column changed behind the store's back: the answer is computed from the tickets,
        # with a note to refresh (a read never writes)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            assert _value(ws, "reopen_rate") == (25.0, 4)  # T2 of T1 T2 T3 T4
        assert any("run `supportmetrics refresh`" in str(w.message) for w in caught
                   if w.category is QueryWarning)
        frame = ws.metric("ticket_volume", by=["reopens"], start=OCT[0], end=OCT[1])
        assert frame[["reopens", "value"]].values.tolist() == [["0", 6.0], ["1", 1.0]]
    finally:
        ws.close()
    assert main(["-w", str(tmp_path / "ws"), "summary"]) == 0


def test_attribute_columns_can_be_renamed_and_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text(
        "Ticket ID,Created At,Region,Value\n"
        "A,2025-10-01T09:00:00Z,north,1\n"
        "B,2025-10-02T09:00:00Z,south,2\n"
        "C,2025-10-03T09:00:00Z,north,3\n",
        encoding="utf-8",
    )
    directory = str(tmp_path / "ws")
    assert main(["-w", directory, "ingest", "tickets", str(source)]) == 0
    assert main(["-w", directory, "attributes", "rename", "tickets", "region", "area"]) == 0
    assert main(["-w", directory, "attributes", "drop", "tickets", "value"]) == 0
    capsys.readouterr()
    with Workspace.open(directory) as ws:
        assert next(i for i in ws.tables() if i.name == "tickets").attributes == ("area",)
        frame = ws.metric("ticket_volume", by=["area"], start=OCT[0], end=OCT[1])
        assert frame[["area", "value"]].values.tolist() == [["north", 2.0], ["south", 1.0]]
        with pytest.raises(QueryError, match="cannot be broken down by 'region'"):
            ws.metric("ticket_volume", by=["region"])
    for args, message in (
        (["drop", "tickets", "status"], "'status' is a canonical column of tickets"),
        (["drop", "tickets", "region"], "tickets has no attribute column 'region'; its attribute "
         "columns: area"),
        (["rename", "tickets", "area", "Sales Area"], "use 'sales_area'"),
        (["rename", "tickets", "area", "team"], "'team' is a canonical column of tickets"),
        (["drop", "nowhere", "area"], "unknown table 'nowhere'"),
    ):
        assert main(["-w", directory, "attributes", *args]) == 2
        assert message in " ".join(capsys.readouterr().err.split())
    # loading the file again brings the columns back under their own names
    assert main(["-w", directory, "ingest", "tickets", str(source)]) == 0
    with Workspace.open(directory) as ws:
        assert next(i for i in ws.tables() if i.name == "tickets").attributes == (
            "area", "region", "value")
