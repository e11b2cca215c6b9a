"""Update log importer: tests/fixtures/sources/updatelog (ServiceNow layout), by hand."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from imported import FIXTURES, load, monthly

from supportmetrics import Workspace
from supportmetrics.errors import MappingError, QueryWarning
from supportmetrics.importers.base import Imported
from supportmetrics.importers.updatelog import IMPORTER

LOG = FIXTURES / "updatelog" / "incidents.csv"
OPTIONS = {"timestamp_format": "%d/%m/%Y %H:%M"}


@pytest.fixture(scope="module")
def last() -> Imported:
    return IMPORTER.read([LOG], OPTIONS)


@pytest.fixture(scope="module")
def as_events() -> Imported:
    return IMPORTER.read([LOG], {**OPTIONS, "mode": "events"})


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("updatelog") / "ws")
    yield workspace
    workspace.close()


def test_the_last_state_wins_not_the_first_row(last: Imported) -> None:
    assert [str(r) for r in last.rejects] == [
        "incidents.csv row 12: incident_state '-100' is not a known state; map it with the "
        "option status.-100=STATUS (one of new, open, pending, on_hold, solved, closed)"
    ]
    tickets = {t["ticket_id"]: t for t in last.tables["tickets"].to_pylist()}
    # INC0000045's last update (6/10 12:00) is its 6th file row, not its last one
    assert tickets["INC0000045"]["status"] == "closed"
    assert tickets["INC0000045"]["resolved_at"] == "2025-10-01T12:00:00"
    assert tickets["INC0000045"]["agent_id"] == "Resolver 17"
    assert (tickets["INC0000047"]["status"], tickets["INC0000047"]["reopens"]) == ("solved", 1.0)
    assert tickets["INC0000047"]["priority"] == "high"
    assert tickets["INC0000050"]["priority"] == "low"
    assert tickets["INC0000045"]["sys_updated_by"] == "Updated by 908"  # kept as attributes
    assert "ticket_events" not in last.tables
    assert last.figures is not None
    assert last.figures.to_pylist() == [
        {"ticket_id": "INC0000045", "made_sla": True},
        {"ticket_id": "INC0000047", "made_sla": False},
        {"ticket_id": "INC0000050", "made_sla": True},
    ]


def test_states_as_events(as_events: Imported) -> None:
    events = [(e["at"], e["kind"], e.get("status"), e["actor_id"], e.get("team"))
              for e in as_events.tables["ticket_events"].to_pylist()
              if e["ticket_id"] == "INC0000047"]
    assert events == [
        ("2025-10-02T10:00:00", "status_change", "new", None, None),
        ("2025-10-02T10:00:00", "assignment", None, None, "Group 70"),
        ("2025-10-02T10:05:00", "status_change", "open", None, None),
        ("2025-10-02T10:05:00", "assignment", None, "Resolver 31", "Group 70"),
        ("2025-10-02T11:00:00", "status_change", "pending", None, None),
        ("2025-10-03T10:00:00", "status_change", "solved", None, None),
        ("2025-10-04T09:00:00", "status_change", "open", None, None),
        ("2025-10-04T10:00:00", "status_change", "solved", None, None),
    ]


def test_metrics_by_month(ws: Workspace, last: Imported, as_events: Imported) -> None:
    load(ws, last)
    # resolved_at - opened_at: INC0000045 12:00 - 09:00 = 10800 s; INC0000047 4/10 10:00 -
    # 2/10 10:00 = 172800 s -> 91800; November INC0000050 09:00 - 08:00 = 3600 s
    expected = {"2025-10": (91800.0, 2), "2025-11": (3600.0, 1)}
    assert monthly(ws, "resolution_time") == expected
    assert monthly(ws, "reopen_rate") == {"2025-10": (50.0, 2), "2025-11": (0.0, 1)}
    load(ws, as_events)  # the same tickets again, now with their history: the same answers
    assert monthly(ws, "resolution_time") == expected
    assert monthly(ws, "reopen_rate") == {"2025-10": (50.0, 2), "2025-11": (0.0, 1)}
    # an update log has neither replies nor surveys: both empty with a note, never 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        assert monthly(ws, "first_response_time") == {}
        assert monthly(ws, "csat") == {}
    assert len([w for w in caught if w.category is QueryWarning]) >= 2


def test_options_are_checked() -> None:
    with pytest.raises(MappingError, match="mode 'all' is not last or events"):
        IMPORTER.read([LOG], {"mode": "all"})
    with pytest.raises(MappingError, match="has no column 'updated_on'"):
        IMPORTER.read([LOG], {"updated": "updated_on"})
    fixed = IMPORTER.read([LOG], {**OPTIONS, "status.-100": "open"})
    assert fixed.rejects == []
