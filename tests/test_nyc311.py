"""The NYC 311 sample (real data in a foreign shape) through examples/nyc311/supportmetrics.toml.

The expected numbers are worked out independently of supportmetrics: the file is read with the
csv module, dates parsed with strptime in America/New_York and compared in UTC.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "nyc311" / "311_subset.micro.csv"
CONFIG = REPO / "examples" / "nyc311" / "supportmetrics.toml"
FORMAT = "%m/%d/%Y %I:%M:%S %p"
NEW_YORK = ZoneInfo("America/New_York")

MAPPED = {
    "Unique Key", "Created Date", "Closed Date", "Agency", "Complaint Type",
    "Open Data Channel Type", "Status",
}
STATUS = {"Closed": "closed", "Pending": "pending", "Assigned": "open"}
CHANNEL = {"PHONE": "phone", "ONLINE": "web", "OTHER": "other", "UNKNOWN": "unknown"}
# every column the mapping does not use, and the attribute column it becomes
ATTRIBUTES = {
    "Agency Name": "agency_name",
    "Descriptor": "descriptor",
    "Location Type": "location_type",
    "Incident Zip": "incident_zip",
    "Incident Address": "incident_address",
    "Street Name": "street_name",
    "Cross Street 1": "cross_street_1",
    "Cross Street 2": "cross_street_2",
    "Intersection Street 1": "intersection_street_1",
    "Intersection Street 2": "intersection_street_2",
    "Address Type": "address_type",
    "City": "city",
    "Landmark": "landmark",
    "Facility Type": "facility_type",
    "Due Date": "due_date",
    "Resolution Description": "resolution_description",
    "Resolution Action Updated Date": "resolution_action_updated_date",
    "Community Board": "community_board",
    "BBL": "bbl",
    "Borough": "borough",
    "X Coordinate (State Plane)": "x_coordinate_state_plane",
    "Y Coordinate (State Plane)": "y_coordinate_state_plane",
    "Park Facility Name": "park_facility_name",
    "Park Borough": "park_borough",
    "Vehicle Type": "vehicle_type",
    "Taxi Company Borough": "taxi_company_borough",
    "Taxi Pick Up Location": "taxi_pick_up_location",
    "Bridge Highway Name": "bridge_highway_name",
    "Bridge Highway Direction": "bridge_highway_direction",
    "Road Ramp": "road_ramp",
    "Bridge Highway Segment": "bridge_highway_segment",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Location": "location",
}


def utc(text: str) -> datetime | None:
    """A New York local time of the file as naive UTC, as the workspace stores it."""
    if not text:
        return None
    local = datetime.strptime(text, FORMAT).replace(tzinfo=NEW_YORK)
    return local.astimezone(UTC).replace(tzinfo=None)


def expected() -> tuple[list[dict[str, str]], dict[int, dict[str, str]]]:
    """(records, rejected records by row number) of the file, by hand."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    rejected = {}
    for row, record in enumerate(records, start=2):  # the header is row 1
        closed, created = utc(record["Closed Date"]), utc(record["Created Date"])
        if closed is not None and created is not None and closed < created:
            rejected[row] = record
    return records, rejected


def test_the_hand_count_of_the_sample() -> None:
    records, rejected = expected()
    assert len(records) == 2000
    assert set(records[0]) == MAPPED | set(ATTRIBUTES)
    assert {r["Status"] for r in records} == set(STATUS)
    assert {r["Open Data Channel Type"] for r in records} == set(CHANNEL)
    assert list(rejected) == [1604]
    assert rejected[1604]["Closed Date"] == "01/01/1900 12:00:00 AM"


def test_nyc311_loads_through_the_example_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, rejected = expected()
    directory = tmp_path / "nyc"
    directory.mkdir()
    shutil.copy(CONFIG, directory / "supportmetrics.toml")
    argv = ["--workspace", str(directory), "ingest", "tickets", str(DATA), "--mapping", "nyc311"]

    assert main(argv) == 3
    out, err = (" ".join(s.split()) for s in capsys.readouterr())
    assert (
        "tickets: 2000 rows read, 1999 accepted (1999 new, 0 updated, 0 unchanged), 1 rejected"
        in out
    )
    assert (
        "rejected: 311_subset.micro.csv row 1604: resolved_at '01/01/1900 12:00:00 AM' "
        "is before created_at" in err
    )

    accepted = [r for row, r in enumerate(records, start=2) if row not in rejected]
    with Workspace.open(directory) as ws:
        assert ws.settings.timezone == "America/New_York"
        (load,) = ws.con.execute(
            "SELECT rows_read, accepted, rejected, inserted FROM _sm_loads"
        ).fetchall()
        assert load == (len(records), len(accepted), len(rejected), len(accepted))
        assert load == (2000, 1999, 1, 1999)

        columns = ["ticket_id", "created_at", "resolved_at", "team", "category", "channel"]
        columns += ["status", *ATTRIBUTES.values()]
        frame = ws.con.execute(
            f"SELECT {', '.join(columns)} FROM tickets ORDER BY ticket_id"
        ).fetchall()
        got = {row[0]: dict(zip(columns, row, strict=True)) for row in frame}
        assert set(got) == {r["Unique Key"] for r in accepted}
        for record in accepted:
            want = {
                "ticket_id": record["Unique Key"],
                "created_at": utc(record["Created Date"]),
                "resolved_at": utc(record["Closed Date"]),
                "team": record["Agency"],
                "category": record["Complaint Type"],
                "channel": CHANNEL[record["Open Data Channel Type"]],
                "status": STATUS[record["Status"]],
            }
            want |= {name: record[source].strip() or None for source, name in ATTRIBUTES.items()}
            assert got[record["Unique Key"]] == want

        # a few values by hand: 2:27:57 PM EST is 19:27:57 UTC
        first = got["19937896"]
        assert (first["created_at"], first["resolved_at"]) == (
            datetime(2011, 3, 1, 19, 27, 57),
            datetime(2011, 3, 14, 19, 59, 20),
        )
        assert (first["team"], first["borough"], first["channel"]) == ("DOF", "MANHATTAN", "phone")
        assert Counter(v["status"] for v in got.values()) == Counter(
            STATUS[r["Status"]] for r in accepted
        )
        assert ws.con.execute(
            "SELECT status, count(*) FROM tickets GROUP BY ALL ORDER BY ALL"
        ).fetchall() == [("closed", 1956), ("open", 19), ("pending", 24)]

    # loading it again changes nothing
    assert main(argv) == 3
    out = " ".join(capsys.readouterr().out.split())
    assert "1999 accepted (0 new, 0 updated, 1999 unchanged), 1 rejected" in out
