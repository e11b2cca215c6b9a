"""Event log importer: CSV and XES fixtures of tests/fixtures/sources/eventlog, by hand."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from imported import FIXTURES, load, monthly

from supportmetrics import Workspace
from supportmetrics.errors import MappingError, QueryWarning
from supportmetrics.importers.base import Imported
from supportmetrics.importers.eventlog import IMPORTER

LOGS = FIXTURES / "eventlog"
CSV_OPTIONS = {"activities": str(LOGS / "helpdesk.toml"),
               "timestamp_format": "%Y/%m/%d %H:%M:%S.%f"}


@pytest.fixture(scope="module")
def from_csv() -> Imported:
    return IMPORTER.read([LOGS / "helpdesk.csv"], CSV_OPTIONS)


@pytest.fixture(scope="module")
def from_xes() -> Imported:
    return IMPORTER.read([LOGS / "incidents.xes"], {"activities": str(LOGS / "incidents.toml")})


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, from_csv: Imported,
       from_xes: Imported) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("eventlog") / "ws")
    load(workspace, from_csv)
    load(workspace, from_xes)
    yield workspace
    workspace.close()


def test_csv_activities_become_events(from_csv: Imported) -> None:
    # the one activity left unmapped is rejected with its row; the rest of its case loads
    assert [str(r) for r in from_csv.rejects] == [
        "helpdesk.csv row 9: activity 'Require upgrade' has no event kind; map it in the "
        'activities file (or map it to "ignore")'
    ]
    events = [(e["event_id"], e["kind"], e.get("status"), e["actor_id"])
              for e in from_csv.tables["ticket_events"].to_pylist() if e["ticket_id"] == "Case 2"]
    # "Insert ticket" (create) is the opening; ids are the place in the case (4 was rejected)
    assert events == [
        ("Case 2#2", "agent_reply", None, "Value 3"),
        ("Case 2#3", "status_change", "pending", "Value 3"),
        ("Case 2#5", "status_change", "solved", "Value 3"),
    ]
    tickets = {t["ticket_id"]: t for t in from_csv.tables["tickets"].to_pylist()}
    assert tickets["Case 1"]["created_at"] == "2025-10-01T09:00:00"
    assert tickets["Case 1"]["status"] == "closed"
    first = from_csv.tables["ticket_events"].to_pylist()[0]
    assert first["customer"] == "Società Ünïcode"  # other columns are kept as attributes


def test_xes_levels_from_teams(from_xes: Imported) -> None:
    assert from_xes.rejects == []
    moves = [(e["ticket_id"], e["actor_id"], e["team"], e["level"])
             for e in from_xes.tables["ticket_events"].to_pylist() if e["kind"] == "assignment"]
    assert moves == [
        ("1-364285768", "Krzysztof", "V30 1st", 1.0),
        ("1-364285768", "Łukasz", "G97 2nd", 2.0),
        ("1-147898401", "Anne", "V30 1st", 1.0),
    ]
    tickets = {t["ticket_id"]: t for t in from_xes.tables["tickets"].to_pylist()}
    # the first event, with its offset; the trace's own attributes are the ticket's
    assert tickets["1-364285768"]["created_at"] == "2025-10-06T09:00:00+02:00"
    assert tickets["1-364285768"]["impact"] == "Medium"
    assert tickets["1-364285768"]["team"] == "G97 2nd"


def test_metrics_by_month(ws: Workspace) -> None:
    # first reply - creation: Case 1 10:00 - 09:00 = 3600; Case 2 14:30 - 14:00 = 1800;
    # 1-364285768 09:30 - 09:00 (+02:00) = 1800; 1-147898401 08:10 - 08:00 = 600
    # -> (3600 + 1800 + 1800 + 600) / 4 = 1950; November: Case 3 08:20 - 08:00 = 1200
    assert monthly(ws, "first_response_time") == {"2025-10": (1950.0, 4), "2025-11": (1200.0, 1)}
    # solve - creation: Case 1 24 h (Closed after Resolved is no second solve), Case 2 24 h,
    # 15:00 - 09:00 = 6 h, 09:00 - 08:00 = 1 h -> (86400 * 2 + 21600 + 3600) / 4 = 49500
    assert monthly(ws, "resolution_time") == {"2025-10": (49500.0, 4), "2025-11": (7200.0, 1)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        assert monthly(ws, "csat") == {}  # an event log has no surveys: empty with a note
    assert any(w.category is QueryWarning for w in caught)


def test_levels_from_the_log(ws: Workspace) -> None:
    # 1-364285768 went from the 1st to the 2nd line, 1-147898401 stayed: 1 of 2 escalated,
    # 1 of 2 solved at the first level
    assert monthly(ws, "escalation_rate") == {"2025-10": (50.0, 2)}
    assert monthly(ws, "first_level_resolution") == {"2025-10": (50.0, 2)}


def test_a_bad_mapping_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="'answer' is not an event kind"):
        IMPORTER.read([LOGS / "helpdesk.csv"], {"activities.Take in charge ticket": "answer"})
    with pytest.raises(MappingError, match="no activities are mapped"):
        IMPORTER.read([LOGS / "helpdesk.csv"], {})
    with pytest.raises(MappingError, match="has no column 'Case'"):
        IMPORTER.read([LOGS / "helpdesk.csv"], {"activities.Wait": "pending", "case": "Case"})
    broken = tmp_path / "broken.xes"
    broken.write_text("<log><trace><event></trace></log>")
    from supportmetrics.errors import InputFileError

    with pytest.raises(InputFileError, match="broken.xes: is not well-formed XES"):
        IMPORTER.read([broken], {"activities.Wait": "pending"})
