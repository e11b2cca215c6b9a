"""Freshdesk: the API's JSON (tickets with stats, conversations, satisfaction ratings, agents,
groups) and the CSV ticket export, into canonical tables.

Each JSON file is a list as the API returns it, recognised by its records' fields: tickets
(``requester_id``, ``status``), conversations (``incoming``, ``private``), satisfaction ratings
(``ratings``), agents (``contact``), groups (``agent_ids`` or ``unassigned_for``). A CSV file
is the ticket export (``Ticket ID``, ``Created time``). docs/sources/freshdesk.md documents the
mapping of every field.

References: Tickets and Conversations https://developers.freshdesk.com/api/#tickets ,
https://developers.freshdesk.com/api/#conversations ; Satisfaction Ratings
https://developers.freshdesk.com/api/#satisfaction-ratings ; Agents and Groups
https://developers.freshdesk.com/api/#agents , https://developers.freshdesk.com/api/#groups ;
the export: https://support.freshdesk.com/support/solutions/articles/37633 (exporting tickets).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv

from supportmetrics.config import Source, TableMapping
from supportmetrics.errors import InputFileError, MappingError, SourceError
from supportmetrics.importers.base import Imported, present, read_json
from supportmetrics.importers.sync import Credentials, Http, Load, SyncState

STATUS = {2: "open", 3: "pending", 4: "solved", 5: "closed", 6: "pending", 7: "on_hold"}
PRIORITY = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
SOURCES = {1: "email", 2: "web", 3: "phone", 7: "chat", 9: "web", 10: "email"}
#: the classic satisfaction scale, worst to best, as 1..7
RATINGS = {-103: 1, -102: 2, -101: 3, 100: 4, 101: 5, 102: 6, 103: 7}
CSV_MAPPING = TableMapping(
    table="tickets",
    columns={"ticket_id": "Ticket ID", "created_at": "Created time",
             "resolved_at": "Resolved time", "agent_id": "Agent", "team": "Group",
             "channel": "Source", "category": "Type",
             "first_response_seconds": "First response time (in hrs)",
             "resolution_seconds": "Resolution time (in hrs)", "replies": "Agent interactions"},
    units={"first_response_seconds": "hours", "resolution_seconds": "hours"},
    values={"status": {"Resolved": "solved", "Waiting on Customer": "pending",
                       "Waiting on Third Party": "on_hold"},
            "priority": {"Medium": "normal"}, "channel": {"Portal": "web",
                                                          "Feedback Widget": "web"}},
)
KINDS = ("tickets", "conversations", "ratings", "agents", "groups")


def _kind(record: Mapping[str, Any]) -> str | None:
    if "incoming" in record and "private" in record:
        return "conversations"
    if "ratings" in record:
        return "ratings"
    if "contact" in record:
        return "agents"
    if "requester_id" in record and "status" in record:
        return "tickets"
    if "agent_ids" in record or "unassigned_for" in record or "group_type" in record:
        return "groups"
    return None


class FreshdeskImporter:
    name = "freshdesk"
    title = "Freshdesk: API JSON (tickets, conversations, satisfaction ratings, agents, " \
            "groups) or the CSV ticket export"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        records: dict[str, list[tuple[str, int, dict[str, Any]]]] = {k: [] for k in KINDS}
        csv_files = []
        for path in paths:
            if path.suffix.lower() == ".csv":
                csv_files.append(path)
                continue
            data = read_json(path)
            if isinstance(data, dict):  # one ticket, as GET /api/v2/tickets/ID returns it
                data = [data]
            kinds = {_kind(r) for r in data if isinstance(r, dict)} if isinstance(data, list) \
                else {None}
            if None in kinds or len(kinds) != 1:
                raise InputFileError(
                    f"{path}: not a Freshdesk export: expected a JSON list of tickets, "
                    "conversations, satisfaction ratings, agents or groups as the API returns "
                    "them, or the CSV ticket export")
            kind = kinds.pop()
            assert kind is not None
            records[kind].extend((path.name, n, r) for n, r in enumerate(data, 1))
        if csv_files:
            if records["tickets"]:
                raise InputFileError(f"{csv_files[0]}: import the CSV ticket export on its own, "
                                     "or the JSON files without it (both hold the tickets)")
            return _csv(csv_files)
        return convert(records, options)


def convert(records: Mapping[str, list[tuple[str, int, dict[str, Any]]]],
            options: Mapping[str, str]) -> Imported:
    imported = Imported()
    agents = {str(r["id"]): str((r.get("contact") or {}).get("name") or r["id"])
              for _, _, r in records["agents"] if r.get("id") is not None}
    groups = {str(r["id"]): str(r.get("name") or r["id"])
              for _, _, r in records["groups"] if r.get("id") is not None}
    tickets, events, figures = [], [], []
    for label, number, ticket in records["tickets"]:
        ticket_id, created = str(ticket.get("id")), ticket.get("created_at")
        status = _status(ticket.get("status"), options)
        if status is None:
            imported.reject(label, number, "status", ticket.get("status"),
                            f"ticket {ticket_id}: a custom status: say what it is with --option "
                            f"status.{ticket.get('status')}=open|pending|on_hold|solved|closed")
            continue
        stats = ticket.get("stats") or {}
        responder = _id(ticket.get("responder_id"))
        group = _id(ticket.get("group_id"))
        tickets.append({
            "ticket_id": ticket_id, "created_at": created, "status": status,
            "priority": PRIORITY.get(ticket.get("priority") or 0),
            "channel": SOURCES.get(ticket.get("source") or 0, str(ticket.get("source") or "")
                                   or None),
            "category": ticket.get("type"), "customer_id": _id(ticket.get("requester_id")),
            "agent_id": responder, "team": groups.get(group or "", group),
            "agent_name": agents.get(responder or ""), "subject": ticket.get("subject"),
            "tags": " ".join(str(t) for t in ticket.get("tags") or []),
            "first_response_at": stats.get("first_responded_at"),
            "resolved_at": stats.get("resolved_at") or stats.get("closed_at"),
        })
        # the ticket's description is the customer's first message
        events.append({"event_id": f"{ticket_id}-description", "ticket_id": ticket_id,
                       "at": created, "kind": "customer_message",
                       "actor_id": _id(ticket.get("requester_id"))})
        for key, new_status in (("reopened_at", "open"), ("resolved_at", "solved"),
                                ("closed_at", "closed")):
            if stats.get(key):
                events.append({"event_id": f"{ticket_id}-{key}", "ticket_id": ticket_id,
                               "at": stats[key], "kind": "status_change", "status": new_status})
        figures.append({"ticket_id": ticket_id,
                        "first_response_seconds": _between(created, stats.get("first_responded_at")),
                        "resolution_seconds": _between(created, stats.get("resolved_at"))})
    imported.add("tickets", tickets, _labels(records["tickets"]))
    for label, number, message in records["conversations"]:
        user = _id(message.get("user_id"))
        if message.get("incoming"):
            kind = "customer_message"
        elif message.get("private"):
            kind = "internal_note"
        elif agents and user not in agents:
            kind = "bot_reply"  # an outgoing public reply by no agent: Freddy or an automation
        else:
            kind = "agent_reply"
        if message.get("id") is None or message.get("ticket_id") is None:
            imported.reject(label, number, "id", message.get("id"),
                            "a conversation without its id or ticket_id")
            continue
        events.append({"event_id": str(message["id"]), "ticket_id": str(message["ticket_id"]),
                       "at": message.get("created_at"), "kind": kind, "actor_id": user})
    imported.add("ticket_events", events,
                 _labels(records["tickets"] + records["conversations"]))
    surveys = []
    for label, number, rating in records["ratings"]:
        value = (rating.get("ratings") or {}).get("default_question")
        if value not in RATINGS:
            imported.reject(label, number, "ratings.default_question", value,
                            "is not a Freshdesk rating (103, 102, 101, 100, -101, -102, -103)")
            continue
        surveys.append({
            "response_id": f"freshdesk-csat-{rating.get('id')}", "survey": "csat",
            "ticket_id": _id(rating.get("ticket_id")), "agent_id": _id(rating.get("agent_id")),
            "customer_id": _id(rating.get("user_id")), "responded_at": rating.get("created_at"),
            "score": RATINGS[value], "scale_min": 1, "scale_max": 7,
            "comment": rating.get("feedback"),
        })
    imported.add("surveys", surveys, _labels(records["ratings"]))
    if figures:
        imported.figures = pa.table({
            "ticket_id": [f["ticket_id"] for f in figures],
            "first_response_seconds": [f["first_response_seconds"] for f in figures],
            "resolution_seconds": [f["resolution_seconds"] for f in figures],
        })
    return imported


def _csv(paths: Sequence[Path]) -> Imported:
    frames = []
    for path in paths:
        try:
            frame = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                strings_can_be_null=True))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(f"{path}: not a CSV file the loader reads: {exc}") from None
        if "Ticket ID" not in frame.column_names or "Created time" not in frame.column_names:
            raise InputFileError(f"{path}: not a Freshdesk ticket export: no Ticket ID or "
                                 "Created time column (export tickets as CSV from Freshdesk)")
        frames.append(frame.cast(pa.schema([(n, pa.string()) for n in frame.column_names])))
    table = pa.concat_tables(frames, promote_options="default")
    imported = Imported(mappings={"tickets": present(CSV_MAPPING, frames)},
                        files={"tickets": list(paths)})
    columns = table.to_pydict()
    imported.figures = pa.table({
        "ticket_id": columns["Ticket ID"],
        **{name: [_hours(v) for v in columns[source]] for name, source in (
            ("first_response_seconds", "First response time (in hrs)"),
            ("resolution_seconds", "Resolution time (in hrs)")) if source in columns},
    })
    return imported


def _status(value: object, options: Mapping[str, str]) -> str | None:
    custom = options.get(f"status.{value}")
    if custom is not None:
        if custom not in ("new", "open", "pending", "on_hold", "solved", "closed"):
            raise MappingError(f"--option status.{value}={custom}: a status is one of new, "
                               "open, pending, on_hold, solved, closed")
        return custom
    return STATUS.get(value) if isinstance(value, int) else None


def _between(start: object, end: object) -> float | None:
    if not start or not end:
        return None
    return (_time(end) - _time(start)).total_seconds()


def _time(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _hours(value: object) -> float | None:
    try:
        return float(str(value)) * 3600 if value not in (None, "") else None
    except ValueError:
        return None


def _id(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _labels(records: Sequence[tuple[str, int, object]]) -> str:
    return ", ".join(dict.fromkeys(label for label, _, _ in records))


IMPORTER = FreshdeskImporter()


class FreshdeskSync:
    """Freshdesk's API v2: agents and groups, then tickets updated since the last sync (with
    stats, oldest update first, pages by the ``Link`` header) with each ticket's conversations,
    then satisfaction ratings created since the last sync."""

    name = "freshdesk"
    default_url: str | None = None

    def client(self, creds: Credentials, transport: httpx.BaseTransport | None,
               sleep: Callable[[float], None]) -> Http:
        if not creds.token:
            raise SourceError(
                "sync freshdesk: no API key: set SUPPORTMETRICS_FRESHDESK_TOKEN (Profile "
                "settings > View API key) or token in [sources.freshdesk]")
        return Http(self.name, creds.url, httpx.BasicAuth(creds.token, "X"),
                    transport=transport, sleep=sleep)

    def run(self, client: Http, settings: Source, state: SyncState, load: Load,
            progress: Callable[[str], None]) -> None:
        per_page = min(settings.page_size, 100)
        start = f"{settings.start.isoformat()}T00:00:00Z" if settings.start else \
            "1970-01-01T00:00:00Z"
        people: dict[str, list[tuple[str, int, dict[str, Any]]]] = {"agents": [], "groups": []}
        for kind in ("agents", "groups"):
            url: str | None = f"/api/v2/{kind}"
            params: dict[str, Any] | None = {"per_page": per_page}
            while url:
                page, url = client.page(url, params)
                params = None
                people[kind].extend((kind, n, r) for n, r in enumerate(page, 1))
        since = str(state.get("tickets_updated_since", start))
        pages = 0
        url, params = "/api/v2/tickets", {"updated_since": since, "include": "stats",
                                          "order_by": "updated_at", "order_type": "asc",
                                          "per_page": per_page}
        while url:
            tickets, url = client.page(url, params)
            params = None
            pages += 1
            records: dict[str, list[tuple[str, int, dict[str, Any]]]] = {
                "tickets": [(f"tickets page {pages}", n, t) for n, t in enumerate(tickets, 1)],
                "conversations": [], "ratings": [], **people}
            for ticket in tickets:
                next_url: str | None = f"/api/v2/tickets/{ticket['id']}/conversations"
                conversation_params: dict[str, Any] | None = {"per_page": per_page}
                while next_url:
                    conversations, next_url = client.page(next_url, conversation_params)
                    conversation_params = None
                    records["conversations"].extend(
                        (f"ticket {ticket['id']} conversations", n, c)
                        for n, c in enumerate(conversations, 1))
            imported = convert(records, {})
            imported.figures = None
            load(imported)
            if tickets:  # the next sync (or page after a stop) starts at the last update seen
                since = max(str(t.get("updated_at")) for t in tickets)
            state.save(tickets_updated_since=since)
            progress(f"tickets: {pages} page(s)")
        created = str(state.get("ratings_created_since", start))
        url, params, pages = "/api/v2/surveys/satisfaction_ratings", \
            {"created_since": created, "per_page": per_page}, 0
        latest = created
        while url:
            ratings, url = client.page(url, params)
            params = None
            pages += 1
            load(convert({"tickets": [], "conversations": [], **people,
                          "ratings": [(f"satisfaction_ratings page {pages}", n, r)
                                      for n, r in enumerate(ratings, 1)]}, {}))
            latest = max([latest, *(str(r.get("created_at")) for r in ratings)])
            progress(f"satisfaction ratings: {pages} page(s)")
        state.save(ratings_created_since=latest)


SYNC = FreshdeskSync()
