"""``sync zendesk`` against a loopback server replaying Zendesk's incremental export pages.

The pages are built from the Zendesk fixtures (tests/fixtures/zendesk) in the shapes of
https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
(cursor-based users and tickets with ``after_cursor``/``end_of_stream``, time-based ticket
events with ``end_time``, satisfaction ratings with ``meta.has_more``/``links.next``). The
server answers one 429 with a tiny Retry-After and one 500 on the way; an interrupted sync
(the API failing for good half way) resumed gives exactly the rows of an uninterrupted one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from import_fixture import FIXTURES, workspace

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import SourceError
from supportmetrics.importers.freshdesk import SYNC as FRESHDESK
from supportmetrics.importers.sync import run_sync
from supportmetrics.importers.zendesk import SYNC

ZENDESK = FIXTURES / "zendesk"
TOKEN = "s3cr3t-token-never-printed"


def _load(name: str, key: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((ZENDESK / name).read_text("utf-8"))[key]
    return records


USERS = _load("users.json", "users")
GROUPS = _load("groups.json", "groups")
TICKETS = _load("tickets.json", "tickets")
METRICS = _load("ticket_metrics.json", "ticket_metrics")
RATINGS = _load("satisfaction_ratings.json", "satisfaction_ratings")
VIA = {"web": "Web form", "email": "Mail", "chat": "Chat", "voice": "Voice",
       "rule": "Rule", "answer_bot_for_web_widget": "Answer Bot for Web Widget",
       "merge": "Merge"}


def _incremental_events() -> list[dict[str, Any]]:
    """The audits as incremental ticket events with comment_events (ticket 5's comment by an
    unknown author left out)."""
    out = []
    for audit in _load("audits.json", "audits"):
        if audit["id"] == 502:
            continue
        children = []
        for event in audit["events"]:
            if event["type"] in ("Comment", "VoiceComment"):
                children.append({"id": event["id"], "event_type": event["type"],
                                 "author_id": event["author_id"], "public": event["public"],
                                 "body": event["body"]})
            elif event["field_name"] in ("status", "assignee_id"):
                children.append({"id": event["id"], "event_type": event["type"],
                                 event["field_name"]: event["value"],
                                 "previous_value": event.get("previous_value")})
        out.append({"id": audit["id"], "ticket_id": audit["ticket_id"],
                    "created_at": audit["created_at"], "updater_id": audit["author_id"],
                    "via": VIA[audit["via"]["channel"]], "event_type": "Audit",
                    "child_events": children})
    return out


EVENTS = _incremental_events()


class Api:
    """What the server answers; ``broken`` makes the third tickets page fail for good."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.broken = False
        self.changed = False
        self.failed_once: set[str] = set()

    def answer(self, path: str, query: dict[str, str], base: str) -> tuple[int, dict[str, str], Any]:
        cursor, start = query.get("cursor"), query.get("start_time")
        if path == "/api/v2/incremental/users/cursor.json":
            pages = {None: (USERS[:3], "u1", False), "u1": (USERS[3:], "u2", True),
                     "u2": ([], "u2", True)}
            users, after, end = pages[cursor]
            return 200, {}, {"users": users, "after_cursor": after, "end_of_stream": end}
        if path == "/api/v2/groups.json":
            return 200, {}, {"groups": GROUPS, "next_page": None}
        if path == "/api/v2/incremental/tickets/cursor.json":
            if cursor == "t1" and "429" not in self.failed_once:
                self.failed_once.add("429")
                return 429, {"Retry-After": "0.01"}, {"error": "APIRateLimitExceeded"}
            if cursor == "t2" and (self.broken or "500" not in self.failed_once):
                self.failed_once.add("500")
                return 500, {}, {"error": "InternalError"}
            changed = dict(TICKETS[4], status="solved", updated_at="2025-11-21T09:00:00Z")
            pages = {None: (TICKETS[:2], "t1", False), "t1": (TICKETS[2:4], "t2", False),
                     "t2": (TICKETS[4:], "t3", True),
                     "t3": ([changed], "t4", True) if self.changed else ([], "t3", True),
                     "t4": ([], "t4", True)}
            tickets, after, end = pages[cursor]
            ids = {t["id"] for t in tickets}
            return 200, {}, {"tickets": tickets, "after_cursor": after, "end_of_stream": end,
                             "metric_sets": [m for m in METRICS if m["ticket_id"] in ids]}
        if path == "/api/v2/incremental/ticket_events.json":
            assert query.get("include") == "comment_events"
            pages = {"0": (EVENTS[:10], 1000, False), "1000": (EVENTS[10:], 2000, True),
                     "2000": ([], 2000, True)}
            events, end_time, end = pages[str(start)]
            return 200, {}, {"ticket_events": events, "end_time": end_time, "end_of_stream": end,
                             "count": len(events)}
        if path == "/api/v2/satisfaction_ratings.json":
            if query.get("page[after]") == "r1":
                return 200, {}, {"satisfaction_ratings": RATINGS[2:],
                                 "meta": {"has_more": False}, "links": {"next": None}}
            since = int(start or 0)
            if since > 0:  # ratings updated since: none after the first sync
                return 200, {}, {"satisfaction_ratings": [], "meta": {"has_more": False},
                                 "links": {}}
            return 200, {}, {"satisfaction_ratings": RATINGS[:2], "meta": {"has_more": True},
                             "links": {"next": f"{base}/api/v2/satisfaction_ratings.json"
                                               "?page%5Bafter%5D=r1"}}
        return 404, {}, {"error": "RecordNotFound"}


Answer = tuple[int, dict[str, str], Any]


@contextmanager
def serve(answer: Callable[[str, dict[str, str], str], Answer]) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server answering GETs with ``answer(path, query, base)``; yields its
    address and the log of its answers ("STATUS PATH?QUERY")."""
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.headers.get("Authorization") is None:
                status, headers, body = 401, {}, {"error": "Couldn't authenticate you"}
            else:
                status, headers, body = answer(parts.path, query, base)
            log.append(f"{status} {parts.path}?{parts.query}")
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    state = Api()
    with serve(state.answer) as (url, log):
        state.log = log
        monkeypatch.setenv("SUPPORTMETRICS_ZENDESK_URL", url)
        monkeypatch.setenv("SUPPORTMETRICS_ZENDESK_EMAIL", "admin@example.com")
        monkeypatch.setenv("SUPPORTMETRICS_ZENDESK_TOKEN", TOKEN)
        yield state


def _rows(directory: Path) -> dict[str, list[tuple[Any, ...]]]:
    queries = {
        "tickets": "SELECT ticket_id, created_at, status, agent_id, team, channel FROM tickets",
        "ticket_events": "SELECT event_id, ticket_id, \"at\", kind, actor_id, status "
                         "FROM ticket_events",
        "surveys": "SELECT response_id, score, responded_at FROM surveys",
    }
    with Workspace.open(directory, read_only=True) as ws:
        return {name: sorted(ws.con.execute(sql).fetchall(), key=str)
                for name, sql in queries.items()}


def test_sync_pages_retries_resumes_and_fetches_only_what_changed(
        api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sleeps: list[float] = []
    whole = workspace(tmp_path / "whole")
    with Workspace.open(whole) as ws:
        result = run_sync(ws, SYNC, sleep=sleeps.append)
    # the 429 waited its Retry-After (0.01 s); the 500 the first backoff (1 s)
    assert sleeps == [0.01, 1.0]
    # 6 tickets in 3 pages; 19 audits (ticket 5's comment by an unknown author not served)
    # give 32 events: ticket 1 8, 2 9, 3 5, 4 4, 5 2, 6 4 (comments, status changes, and
    # assignments to someone); ratings: good, bad, good, offered (unoffered is no survey)
    assert result.rows() == {"tickets": 6, "ticket_events": 32, "surveys": 4}
    assert result.ok
    expected = _rows(whole)
    assert len(expected["tickets"]) == 6 and len(expected["ticket_events"]) == 32

    resumed = workspace(tmp_path / "resumed")
    api.broken, api.failed_once = True, {"429"}
    with Workspace.open(resumed) as ws, pytest.raises(SourceError, match="answered 500 6 times"):
        run_sync(ws, SYNC, sleep=lambda s: None)
    assert len(_rows(resumed)["tickets"]) == 4  # the two pages before the failure
    api.broken = False
    del api.log[:]
    with Workspace.open(resumed) as ws:
        run_sync(ws, SYNC, sleep=lambda s: None)
    assert _rows(resumed) == expected
    # the resumed sync asked for tickets from the stored cursor, not from the start
    tickets = [line for line in api.log if "tickets/cursor" in line]
    assert tickets == ["200 /api/v2/incremental/tickets/cursor.json?per_page=1000"
                       "&include=metric_sets&cursor=t2"]

    # the next sync, from the command line: every stream asks from where the last one ended,
    # and gets only what changed (ticket 5, now solved)
    del api.log[:]
    api.changed = True
    assert main(["-w", str(resumed), "sync", "zendesk"]) == 0
    out = capsys.readouterr()
    assert "tickets: 1 rows read (0 new, 1 updated, 0 unchanged), 0 rejected" in out.out
    assert TOKEN not in out.out + out.err
    assert [line.split("?")[1] for line in api.log if "incremental" in line] == [
        "per_page=1000&cursor=u2", "per_page=1000&include=metric_sets&cursor=t3",
        "start_time=2000&include=comment_events"]
    assert ("5", "solved") in [(t[0], t[2]) for t in _rows(resumed)["tickets"]]
    state = json.loads((resumed / "sync" / "zendesk.json").read_text("utf-8"))
    assert state["tickets_cursor"] == "t4" and TOKEN not in json.dumps(state)


def test_refused_credentials_say_what_to_set(api: Api, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SUPPORTMETRICS_ZENDESK_TOKEN")
    directory = workspace(tmp_path)
    assert main(["-w", str(directory), "sync", "zendesk"]) == 2
    assert "no API token: set SUPPORTMETRICS_ZENDESK_TOKEN" in capsys.readouterr().err


FRESHDESK_FILES = FIXTURES / "freshdesk"


def _freshdesk(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((FRESHDESK_FILES / name).read_text("utf-8"))
    return records


def test_freshdesk_sync_follows_link_pages_and_resumes_from_the_last_update(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tickets, conversations = _freshdesk("tickets.json"), _freshdesk("conversations.json")
    limited: set[str] = set()

    def answer(path: str, query: dict[str, str], base: str) -> Answer:
        if path in ("/api/v2/agents", "/api/v2/groups"):
            return 200, {}, _freshdesk(f"{path.rsplit('/', 1)[1]}.json")
        if path == "/api/v2/tickets":
            assert query["include"] == "stats" and query["order_by"] == "updated_at"
            if query["updated_since"] != "1970-01-01T00:00:00Z":  # the next sync
                return 200, {}, [t for t in tickets
                                 if t["updated_at"] >= query["updated_since"]]
            if query.get("page") != "2":
                link = f'<{base}/api/v2/tickets?page=2&updated_since=1970-01-01T00:00:00Z' \
                       '&include=stats&order_by=updated_at&order_type=asc&per_page=100>; ' \
                       'rel="next"'
                return 200, {"Link": link}, tickets[:2]
            if "429" not in limited:
                limited.add("429")
                return 429, {"Retry-After": "0.01"}, {"code": "rate limit"}
            return 200, {}, tickets[2:]
        if path.startswith("/api/v2/tickets/") and path.endswith("/conversations"):
            ticket = int(path.split("/")[4])
            return 200, {}, [c for c in conversations if c["ticket_id"] == ticket]
        if path == "/api/v2/surveys/satisfaction_ratings":
            return 200, {}, [r for r in _freshdesk("satisfaction_ratings.json")
                             if r["created_at"] >= query["created_since"]]
        return 404, {}, {"code": "not found"}

    sleeps: list[float] = []
    with serve(answer) as (url, log):
        monkeypatch.setenv("SUPPORTMETRICS_FRESHDESK_URL", url)
        monkeypatch.setenv("SUPPORTMETRICS_FRESHDESK_TOKEN", TOKEN)
        directory = workspace(tmp_path)
        with Workspace.open(directory) as ws:
            first = run_sync(ws, FRESHDESK, sleep=sleeps.append)
            # 4 tickets in 2 pages; 4 descriptions + 8 conversations + 5 status changes from
            # stats (1: resolved, closed; 2: reopened, resolved; 4: resolved); 3 ratings
            assert first.rows() == {"tickets": 4, "ticket_events": 17, "surveys": 3}
            assert sleeps == [0.01]
            del log[:]
            second = run_sync(ws, FRESHDESK, sleep=sleeps.append)
    # the next sync asks from the last update it loaded (ticket 4's) and gets that one again,
    # unchanged; ratings from the last one created
    assert [line for line in log if line.startswith("200 /api/v2/tickets?")] == [
        "200 /api/v2/tickets?updated_since=2025-11-10T14%3A00%3A00Z&include=stats"
        "&order_by=updated_at&order_type=asc&per_page=100"]
    loads = {load.table: (load.rows_read, load.unchanged)
             for result in second.imports for load in result.loads}
    assert loads == {"tickets": (1, 1), "ticket_events": (3, 3), "surveys": (1, 1)}
