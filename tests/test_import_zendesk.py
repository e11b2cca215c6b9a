"""``import zendesk``: the API's JSON files and the CSV export, end to end.

The fixtures (tests/fixtures/zendesk, sources cited in its README) are read in a Europe/Berlin
workspace; every expected value is worked out by hand from them below.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from import_fixture import FIXTURES, monthly, workspace

from supportmetrics import Workspace
from supportmetrics.cli import main

ZENDESK = FIXTURES / "zendesk"
FILES = sorted(str(p) for p in ZENDESK.glob("*.json"))
OCT, NOV = "2025-10-01", "2025-11-01"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = workspace(tmp_path_factory.mktemp("zendesk"), "Europe/Berlin")
    # exit 3: one comment (ticket 5, author 9999) cannot be told customer or agent
    assert main(["-w", str(directory), "import", "zendesk", *FILES]) == 3
    yield directory


def test_monthly_metrics_equal_hand_computed(imported: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert monthly(imported, capsys) == {
        # October: ticket 1 created 08:00Z, the trigger (08:05) and Answer Bot (08:10) replies
        # do not count, Anna's reply at 09:00 does: 3600 s; ticket 2 09:00 -> deleted agent
        # Cara's reply 11:00: 7200 s. Mean (3600 + 7200) / 2 = 5400.
        # November (Berlin): ticket 3 16:00 -> 09:00 next day = 61200 s; ticket 6 created
        # 31 Oct 23:30Z = 1 Nov 00:30 Berlin, answered 23:45Z: 900 s. (61200 + 900) / 2 = 31050.
        # Ticket 4 has only a private note, ticket 5 no agent reply: not in the mean.
        ("first_response_time", OCT): (5400.0, 2),
        ("first_response_time", NOV): (31050.0, 2),
        # October: ticket 1 08:00 -> 10:00 = 7200; ticket 2 reopened by the customer, last solve
        # 12 Oct 12:00: 51 h = 183600. (7200 + 183600) / 2 = 95400.
        # November: ticket 3 16:00 -> 10:00 = 64800; ticket 4 closed by merge 10:00 -> 10:30 =
        # 1800; ticket 6 23:30 -> 00:30 = 3600. (64800 + 1800 + 3600) / 3 = 23400.
        ("resolution_time", OCT): (95400.0, 2),
        ("resolution_time", NOV): (23400.0, 3),
        # good (1 of 0-1) is satisfied, bad is not: October good + bad = 50 %; November one good
        # (ticket 4's offered rating is unanswered, ticket 5's unoffered one is no survey).
        ("csat", OCT): (50.0, 2),
        ("csat", NOV): (100.0, 1),
    }


def test_bots_triggers_and_private_comments_are_told_apart(imported: Path) -> None:
    with Workspace.open(imported, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT event_id, kind, actor_id FROM ticket_events WHERE ticket_id IN ('1', '2', "
            "'4') AND kind NOT IN ('status_change', 'assignment') ORDER BY \"at\", event_id").fetchall()
    assert rows == [
        ("1011", "customer_message", "2001"), ("1021", "auto_reply", "-1"),
        ("1031", "bot_reply", "-1"), ("1042", "agent_reply", "1001"),
        ("2011", "customer_message", "2002"), ("2021", "agent_reply", "1003"),
        ("2031", "customer_message", "2002"), ("2041", "internal_note", "1002"),
        ("2051", "agent_reply", "1002"),
        ("4011", "customer_message", "2001"), ("4021", "internal_note", "1001"),
    ]


def test_tickets_carry_groups_names_and_merges(imported: Path) -> None:
    with Workspace.open(imported, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT ticket_id, channel, team, status, agent_name, merged, subject FROM tickets "
            "ORDER BY ticket_id").fetchall()
    assert rows == [
        ("1", "web", "Support", "solved", "Anna Berg", "false", "Passwort vergessen"),
        ("2", "email", "Facturación", "solved", "Ben Ott", "false",
         "Rückerstattung für Bestellung 77"),
        ("3", "chat", "Support", "solved", "Anna Berg", "false", "Site down"),
        ("4", "web", "Support", "closed", "Anna Berg", "true", "Site down (again)"),
        ("5", "email", "Facturación", "open", None, "false", "Invoice copy"),
        ("6", "phone", "Support", "solved", "Ben Ott", "false", "Late-night call"),
    ]


def test_unknown_author_is_rejected_with_file_row_and_reason(imported: Path) -> None:
    [path] = (imported / "rejects").glob("*-import-zendesk.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{
        "file": "audits.json", "row": "17", "column": "author_id", "value": "9999",
        "reason": "comment 5021 of ticket 5: its author is not the requester and not in a "
                  "users file: add the users export (users.json) to tell agents from customers",
    }]


def test_import_again_changes_nothing(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["-w", str(imported), "import", "zendesk", *FILES]) == 3
    out = capsys.readouterr().out
    assert "tickets: 6 rows read, 6 accepted (0 new, 0 updated, 6 unchanged)" in out
    assert "ticket_events: 32 rows read, 32 accepted (0 new, 0 updated, 32 unchanged)" in out


def test_check_explains_a_business_minute_figure(imported: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["-w", str(imported), "import", "zendesk", str(ZENDESK / "ticket_metrics.json"),
          "--check"])
    out = " ".join(capsys.readouterr().out.split())
    # first reply: tickets 1 (60 min), 2 (120 min) agree; ticket 3 says 60 where the events
    # give 1020 calendar minutes (16:00 -> 09:00), and 60 business minutes (09:00-10:00 Berlin
    # on Tuesday; Monday's 17:00 Berlin creation is after hours). Ticket 4 has no figure.
    assert "first reply time: 2 of 3 tickets agree (67 %)" in out
    # resolution: 120, 3060, 1080 and 30 minutes, all as the events give
    assert "resolution time: 4 of 4 tickets agree (100 %)" in out
    assert "│ 3 │ first reply time │ 60 │ 1020 │ calendar vs business time" in out


def test_the_csv_export_imports_without_a_mapping(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "zendesk"
    directory = workspace(tmp_path, "Europe/Berlin")
    assert main(["-w", str(directory), "import", "zendesk", str(example / "tickets.csv")]) == 0
    values = monthly(directory, capsys)
    # the same figures as tests/test_source_figures.py reads with the --mapping of the example
    assert values[("first_response_time", OCT)] == (4275.0, 8)
    assert values[("first_response_time", NOV)] == (10005.0, 4)
    assert values[("resolution_time", OCT)] == (54540.0, 5)
    assert values[("resolution_time", NOV)] == (86800.0, 3)


def test_a_file_of_another_shape_is_named(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "export.json"
    other.write_text('{"conversations": []}', encoding="utf-8")
    directory = workspace(tmp_path)
    assert main(["-w", str(directory), "import", "zendesk", str(other)]) == 2
    assert "export.json: not a Zendesk export" in capsys.readouterr().err
    shutil.rmtree(directory)


def test_a_csv_export_with_fewer_columns_loads_and_rejects_name_its_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "Id,Created at,Status,First reply time in minutes,Satisfaction Score,Updated at\n"
        "1,2025-10-01 09:00:00,Solved,30,Good,2025-10-01 12:00:00\n"
        "2,yesterday,Open,,Great,2025-10-02 12:00:00\n", encoding="utf-8")
    directory = workspace(tmp_path)
    assert main(["-w", str(directory), "import", "zendesk", str(export)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    # the header is line 1: ticket 2 is line 3, for the load and for the importer alike
    assert "export.csv row 3: created_at 'yesterday' is not a timestamp" in err
    assert ("export.csv row 3: Satisfaction Score 'Great' is not a Zendesk rating (Good, Bad, "
            "Offered, Unoffered)") in err
    with Workspace.open(directory, read_only=True) as ws:
        assert ws.con.execute("SELECT ticket_id, status, first_response_seconds, reopens "
                              "FROM tickets").fetchall() == [("1", "solved", 1800.0, None)]
        assert ws.con.execute("SELECT score FROM surveys").fetchall() == [(1.0,)]
