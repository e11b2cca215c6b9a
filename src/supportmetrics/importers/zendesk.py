"""Zendesk Support: the API's JSON (tickets, audits, incremental ticket events, ticket metrics,
satisfaction ratings, users, groups) and the CSV ticket export, into canonical tables.

Each file is recognised by its content: a JSON object with a ``tickets``, ``audits``,
``ticket_events``, ``ticket_metrics`` (or ``metric_sets``), ``satisfaction_ratings``, ``users``
or ``groups`` list (the API's list and incremental export responses), a JSON Lines file of
ticket objects, or a CSV export with ``Id`` and ``Created at`` columns. The mapping of every
field is documented in docs/sources/zendesk.md.

References: Tickets https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ ;
Ticket Audits https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/ and
https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference ;
Incremental exports https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/ ;
Ticket Metrics https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/ ;
Satisfaction Ratings https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/ ;
Via object https://developer.zendesk.com/documentation/ticketing/reference-guides/via-object-reference/ .
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv

from supportmetrics.config import Source, TableMapping
from supportmetrics.errors import InputFileError, SourceError
from supportmetrics.importers.base import Imported, present, read_json
from supportmetrics.importers.sync import Credentials, Http, Load, SyncState

STATUS = {"new": "new", "open": "open", "pending": "pending", "hold": "on_hold",
          "solved": "solved", "closed": "closed"}
#: via.channel -> canonical channel (others are kept as they are, lower-cased)
CHANNELS = {"web": "web", "email": "email", "mail": "email", "chat": "chat",
            "native_messaging": "chat", "voice": "phone", "twitter": "social",
            "facebook": "social", "instagram_dm": "social", "whatsapp": "social",
            "mobile_sdk": "mobile", "web_form": "web"}
#: comments through these channels are an AI agent's or Answer Bot's: bot replies
BOT_CHANNELS = ("answer_bot", "ai_agent", "sunshine_conversations_api")
#: comments through these are a trigger's or an automation's: auto replies
RULE_CHANNELS = ("rule", "trigger", "automation")
AGENT_ROLES = ("agent", "admin")
#: the CSV export's columns, per canonical column
CSV_COLUMNS = {
    "ticket_id": "Id", "customer_id": "Requester id", "agent_id": "Assignee", "team": "Group",
    "channel": "Via", "category": "Ticket type", "created_at": "Created at",
    "status": "Status", "priority": "Priority", "resolved_at": "Solved at",
    "first_response_seconds": "First reply time in minutes",
    "resolution_seconds": "Full resolution time in minutes",
    "reopens": "Reopens", "replies": "Replies",
}
CSV_MAPPING = TableMapping(
    table="tickets",
    columns=CSV_COLUMNS,
    units={"first_response_seconds": "minutes", "resolution_seconds": "minutes"},
    values={"status": {"Hold": "on_hold"}, "channel": {"Web form": "web"}},
)
RATINGS = {"good": "1", "bad": "0"}


@dataclass
class Export:
    """Zendesk records gathered from any number of files (or API pages), by kind."""

    tickets: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    audits: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    ticket_events: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    #: user id -> (role, name); filled from users files, or kept between syncs
    people: dict[str, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, data: Any) -> bool:
        """Take the records of one JSON value; False when it holds none Zendesk writes."""
        if isinstance(data, list):  # JSON Lines: one ticket per line (the JSON export)
            self.tickets.extend((label, n, t) for n, t in enumerate(data, 1) if isinstance(t, dict))
            return bool(data)
        if not isinstance(data, dict):
            return False
        found = False
        if isinstance(data.get("ticket"), dict):
            self.tickets.append((label, 1, data["ticket"]))
            found = True
        for key, into in (("tickets", self.tickets), ("audits", self.audits),
                          ("ticket_events", self.ticket_events),
                          ("satisfaction_ratings", self.ratings)):
            if isinstance(data.get(key), list):
                into.extend((label, n, r) for n, r in enumerate(data[key], 1) if isinstance(r, dict))
                found = True
        for key in ("ticket_metrics", "metric_sets"):
            if isinstance(data.get(key), list):
                self.metrics.extend(m for m in data[key] if isinstance(m, dict))
                found = True
        if isinstance(data.get("users"), list):
            for user in data["users"]:
                if isinstance(user, dict) and user.get("id") is not None:
                    self.people[str(user["id"])] = (str(user.get("role") or ""),
                                                    str(user.get("name") or ""))
            found = True
        if isinstance(data.get("groups"), list):
            for group in data["groups"]:
                if isinstance(group, dict) and group.get("id") is not None:
                    self.groups[str(group["id"])] = str(group.get("name") or group["id"])
            found = True
        return found


class ZendeskImporter:
    name = "zendesk"
    title = "Zendesk Support: API JSON (tickets, audits, ticket events, metrics, ratings, " \
            "users, groups) or the CSV ticket export"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        export = Export()
        csv_files: list[Path] = []
        for path in paths:
            if path.suffix.lower() == ".csv":
                csv_files.append(path)
            elif not export.add(path.name, read_json(path)):
                raise InputFileError(
                    f"{path}: not a Zendesk export: expected a JSON object with a tickets, "
                    "audits, ticket_events, ticket_metrics, satisfaction_ratings, users or "
                    "groups list, a JSON Lines file of tickets, or the CSV ticket export")
        if csv_files and (export.tickets or export.audits or export.ticket_events):
            raise InputFileError(
                f"{csv_files[0]}: import the CSV ticket export on its own, or the JSON files "
                "without it (both hold the tickets)")
        if csv_files:
            return read_csv_exports(csv_files)
        return convert(export)


def read_csv_exports(paths: Sequence[Path]) -> Imported:
    """The CSV ticket export, one row per ticket with Zendesk's own figures, mapped as it is."""
    frames = []
    for path in paths:
        try:
            frame = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={}, strings_can_be_null=True, auto_dict_encode=False),
                read_options=pacsv.ReadOptions(encoding="utf-8"))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(f"{path}: not a CSV file the loader reads: {exc}") from None
        missing = [c for c in ("Id", "Created at") if c not in frame.column_names]
        if missing:
            raise InputFileError(f"{path}: not a Zendesk ticket export: no {' or '.join(missing)} "
                                 "column (export tickets as CSV from Zendesk)")
        frames.append(frame.cast(pa.schema([(n, pa.string()) for n in frame.column_names])))
    tickets = pa.concat_tables(frames, promote_options="default")
    imported = Imported(mappings={"tickets": present(CSV_MAPPING, frames)},
                        files={"tickets": list(paths)})
    columns = tickets.to_pydict()
    if "Satisfaction Score" in columns:
        surveys = []
        for number, (ticket, score, updated, agent, customer) in enumerate(zip(
                columns["Id"], columns["Satisfaction Score"],
                columns.get("Updated at", [None] * tickets.num_rows),
                columns.get("Assignee", [None] * tickets.num_rows),
                columns.get("Requester id", [None] * tickets.num_rows), strict=True), 1):
            value = (score or "").strip().lower()
            if value in RATINGS or value == "offered":
                surveys.append({"response_id": f"zendesk-csat-{ticket}", "survey": "csat",
                                "ticket_id": ticket, "agent_id": agent, "customer_id": customer,
                                "score": RATINGS.get(value), "scale_min": "0", "scale_max": "1",
                                "responded_at": updated if value in RATINGS else None})
            elif value not in ("", "unoffered"):
                imported.reject(", ".join(p.name for p in paths), number + 1,
                                "Satisfaction Score", score,
                                "is not a Zendesk rating (Good, Bad, Offered, Unoffered)")
        imported.add("surveys", surveys, ", ".join(p.name for p in paths))
    figures = {
        "first_response_seconds": "First reply time in minutes",
        "first_response_business_seconds": "First reply time in minutes within business hours",
        "resolution_seconds": "Full resolution time in minutes",
        "resolution_business_seconds": "Full resolution time in minutes within business hours",
    }
    imported.figures = pa.table({
        "ticket_id": columns["Id"],
        **{name: [_minutes(v) for v in columns[source]]
           for name, source in figures.items() if source in columns},
    })
    return imported


def _minutes(value: object) -> float | None:
    try:
        return float(str(value)) * 60 if value not in (None, "") else None
    except ValueError:
        return None


def convert(export: Export) -> Imported:
    """Canonical rows of everything gathered (tickets, then events, then surveys)."""
    imported = Imported()
    metrics = {str(m.get("ticket_id")): m for m in export.metrics}
    requesters: dict[str, str] = {}
    tickets = []
    for label, number, ticket in export.tickets:
        if ticket.get("id") is None:
            imported.reject(label, number, "id", None, "a ticket without an id")
            continue
        ticket_id = str(ticket["id"])
        requesters[ticket_id] = str(ticket.get("requester_id"))
        tags = ticket.get("tags") or []
        via = _via(ticket.get("via"))
        status = str(ticket.get("status") or "")
        if status == "deleted":  # the incremental export lists deleted tickets too
            imported.reject(label, number, "status", status, f"ticket {ticket_id} was deleted "
                            "in Zendesk: not loaded (one loaded before stays; `supportmetrics "
                            "tables` shows the tickets)")
            continue
        if status and status not in STATUS:
            imported.reject(label, number, "status", status, "is not a Zendesk status (new, "
                            "open, pending, hold, solved, closed)")
            continue
        assignee = _id(ticket.get("assignee_id"))
        group = _id(ticket.get("group_id"))
        metric = metrics.get(ticket_id, {})
        tickets.append({
            "ticket_id": ticket_id, "created_at": ticket.get("created_at"),
            "channel": CHANNELS.get(via, via or None), "category": ticket.get("type"),
            "priority": ticket.get("priority"), "customer_id": _id(ticket.get("requester_id")),
            "agent_id": assignee, "team": export.groups.get(group or "", group),
            "status": STATUS.get(status), "subject": ticket.get("subject"),
            "tags": " ".join(str(t) for t in tags),
            "merged": "closed_by_merge" in tags,
            "agent_name": export.people.get(assignee or "", ("", None))[1],
            "first_response_seconds": _figure(metric, "reply_time_in_minutes"),
            "resolution_seconds": _figure(metric, "full_resolution_time_in_minutes"),
            "reopens": metric.get("reopens"), "replies": metric.get("replies"),
            "resolved_at": metric.get("solved_at"),
        })
    imported.add("tickets", tickets, _labels(export.tickets))
    events: list[dict[str, object]] = []
    for label, number, audit in export.audits:
        ticket_id = str(audit.get("ticket_id"))
        for event in audit.get("events") or []:
            if isinstance(event, dict):
                _event(imported, events, label, number, ticket_id, audit.get("created_at"),
                       _via(audit.get("via")), _rel(audit.get("via")), audit.get("author_id"),
                       event, event.get("type"), event.get("field_name"), event.get("value"),
                       export, requesters)
    _incremental_events(imported, events, export, requesters)
    imported.add("ticket_events", events, _labels(export.audits + export.ticket_events))
    surveys = []
    for label, number, rating in export.ratings:
        score = str(rating.get("score") or "").lower()
        if score == "unoffered":
            continue
        if score not in RATINGS and score != "offered":
            imported.reject(label, number, "score", score, "is not a Zendesk rating (good, bad, "
                            "offered, unoffered)")
            continue
        surveys.append({
            "response_id": f"zendesk-csat-{rating.get('id')}", "survey": "csat",
            "ticket_id": _id(rating.get("ticket_id")), "agent_id": _id(rating.get("assignee_id")),
            "customer_id": _id(rating.get("requester_id")), "sent_at": rating.get("created_at"),
            "responded_at": rating.get("updated_at") if score in RATINGS else None,
            "score": RATINGS.get(score), "scale_min": "0", "scale_max": "1",
            "comment": rating.get("comment"),
        })
    imported.add("surveys", surveys, _labels(export.ratings))
    if export.metrics:
        imported.figures = pa.table({
            "ticket_id": [str(m.get("ticket_id")) for m in export.metrics],
            **{name: [_figure(m, source, clock) for m in export.metrics]
               for name, source, clock in (
                   ("first_response_seconds", "reply_time_in_minutes", "calendar"),
                   ("first_response_business_seconds", "reply_time_in_minutes", "business"),
                   ("resolution_seconds", "full_resolution_time_in_minutes", "calendar"),
                   ("resolution_business_seconds", "full_resolution_time_in_minutes", "business"),
                   ("first_resolution_seconds", "first_resolution_time_in_minutes", "calendar"),
               )},
        })
    return imported


def _event(
    imported: Imported, events: list[dict[str, object]], label: str, number: int,
    ticket_id: str, at: object, via: str, rel: str, updater: object, event: dict[str, Any],
    kind: object, field_name: object, value: object, export: Export,
    requesters: Mapping[str, str],
) -> None:
    """One audit event (or incremental child event) as a canonical event, if it is one."""
    base = {"event_id": str(event.get("id")), "ticket_id": ticket_id, "at": at}
    if kind in ("Comment", "VoiceComment"):
        public = event.get("public", event.get("comment_public", True))
        author = str(event.get("author_id", updater))
        who = _author_kind(author, bool(public), via, rel, requesters.get(ticket_id), export)
        if who is None:
            imported.reject(label, number, "author_id", author,
                            f"comment {event.get('id')} of ticket {ticket_id}: its author is not "
                            "the requester and not in a users file: add the users export "
                            "(users.json) to tell agents from customers")
            return
        events.append({**base, "kind": who, "actor_id": author})
    elif kind in ("Create", "Change") and field_name == "status":
        status = STATUS.get(str(value))
        if status is None:
            imported.reject(label, number, "status", value, f"event {event.get('id')}: is not a "
                            "Zendesk status (new, open, pending, hold, solved, closed)")
            return
        events.append({**base, "kind": "status_change", "status": status,
                       "actor_id": _id(updater)})
    elif kind in ("Create", "Change") and field_name == "assignee_id" and value not in (None, ""):
        events.append({**base, "kind": "assignment", "actor_id": str(value)})


def _author_kind(author: str, public: bool, via: str, rel: str, requester: str | None,
                 export: Export) -> str | None:
    """Who wrote a comment: a bot, a trigger or automation, the customer, or an agent."""
    if any(via.startswith(b) for b in BOT_CHANNELS):
        return "bot_reply" if public else "internal_note"
    if author == "-1" or via in RULE_CHANNELS or rel in ("trigger", "automation"):
        return "auto_reply" if public else "internal_note"
    role = export.people.get(author, (None, ""))[0]
    if role == "end-user" or (role is None and author == requester):
        return "customer_message"
    if role in AGENT_ROLES:
        return "agent_reply" if public else "internal_note"
    return None


def _via(via: object) -> str:
    """The via channel, as the API writes it (``web``) or as incremental events do (``Web form``)."""
    channel = via.get("channel") if isinstance(via, dict) else via
    return str(channel or "").strip().lower().replace(" ", "_")


def _rel(via: object) -> str:
    source = via.get("source") if isinstance(via, dict) else None
    return str(source.get("rel") or "") if isinstance(source, dict) else ""


def _id(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _figure(metric: Mapping[str, Any], key: str, clock: str = "calendar") -> float | None:
    value = metric.get(key)
    minutes = value.get(clock) if isinstance(value, dict) else None
    return None if minutes is None else float(minutes) * 60


def _labels(records: Sequence[tuple[str, int, object]]) -> str:
    return ", ".join(dict.fromkeys(label for label, _, _ in records))


IMPORTER = ZendeskImporter()


class ZendeskSync:
    """Zendesk's incremental exports: users and tickets (cursor-based, with metric sets),
    ticket events with their comments (time-based), satisfaction ratings, and groups."""

    name = "zendesk"
    default_url: str | None = None

    def client(self, creds: Credentials, transport: httpx.BaseTransport | None,
               sleep: Callable[[float], None]) -> Http:
        if not creds.token:
            raise SourceError(
                "sync zendesk: no API token: set SUPPORTMETRICS_ZENDESK_TOKEN (an API token, "
                "with SUPPORTMETRICS_ZENDESK_EMAIL its agent's email; or an OAuth token alone) "
                "or token in [sources.zendesk]")
        if creds.email:
            return Http(self.name, creds.url, httpx.BasicAuth(f"{creds.email}/token", creds.token),
                        transport=transport, sleep=sleep)
        return Http(self.name, creds.url, headers={"Authorization": f"Bearer {creds.token}"},
                    transport=transport, sleep=sleep)

    def run(self, client: Http, settings: Source, state: SyncState, load: Load,
            progress: Callable[[str], None]) -> None:
        start = int(datetime.combine(settings.start, dtime(), UTC).timestamp()) \
            if settings.start else 0
        people = {k: (v[0], v[1]) for k, v in state.get("people", {}).items()}
        groups: dict[str, str] = dict(state.get("groups", {}))
        requesters: dict[str, str] = dict(state.get("requesters", {}))

        def users(page: dict[str, Any], label: str) -> dict[str, Any]:
            export = Export(people=people)
            export.add(label, {"users": page.get("users") or []})
            return {"people": {k: list(v) for k, v in people.items()}}

        self._cursor(client, state, "users", "/api/v2/incremental/users/cursor.json", start,
                     settings.page_size, {}, users, progress)
        url: str | None = "/api/v2/groups.json"
        while url:
            page = client.get(url)
            for group in page.get("groups") or []:
                groups[str(group.get("id"))] = str(group.get("name") or group.get("id"))
            url = page.get("next_page")
        state.save(groups=groups)

        def tickets(page: dict[str, Any], label: str) -> dict[str, Any]:
            export = Export(people=people, groups=groups)
            export.add(label, {"tickets": page.get("tickets") or [],
                               "metric_sets": page.get("metric_sets") or []})
            for _, _, ticket in export.tickets:
                requesters[str(ticket.get("id"))] = str(ticket.get("requester_id"))
            imported = convert(export)
            imported.figures = None
            load(imported)
            return {"requesters": requesters}

        self._cursor(client, state, "tickets", "/api/v2/incremental/tickets/cursor.json", start,
                     settings.page_size, {"include": "metric_sets"}, tickets, progress)
        since = int(state.get("ticket_events_start", start))
        pages = 0
        while True:
            page = client.get("/api/v2/incremental/ticket_events.json",
                              {"start_time": since, "include": "comment_events"})
            pages += 1
            export = Export(people=people, groups=groups)
            export.add(f"ticket_events page {pages}",
                       {"ticket_events": page.get("ticket_events") or []})
            load(convert_events(export, requesters))
            end = int(page.get("end_time") or since)
            state.save(ticket_events_start=end)
            progress(f"ticket events: {pages} page(s)")
            if page.get("end_of_stream", True) or end <= since:
                break
            since = end
        ratings_since = int(state.get("ratings_start", start))
        url = "/api/v2/satisfaction_ratings.json"
        params: dict[str, Any] | None = {
            "start_time": ratings_since, "page[size]": min(settings.page_size, 100)}
        latest, pages = ratings_since, 0
        while url:
            page = client.get(url, params)
            pages += 1
            export = Export(people=people, groups=groups)
            export.add(f"satisfaction_ratings page {pages}",
                       {"satisfaction_ratings": page.get("satisfaction_ratings") or []})
            load(convert(export))
            for _, _, rating in export.ratings:
                latest = max(latest, _epoch(rating.get("updated_at")))
            progress(f"satisfaction ratings: {pages} page(s)")
            more = (page.get("meta") or {}).get("has_more")
            url = (page.get("links") or {}).get("next") if more else page.get("next_page")
            params = None
        state.save(ratings_start=latest)

    def _cursor(
        self, client: Http, state: SyncState, stream: str, path: str, start: int,
        per_page: int, extra: dict[str, str],
        handle: Callable[[dict[str, Any], str], dict[str, Any]],
        progress: Callable[[str], None],
    ) -> None:
        """Walk a cursor-based incremental export from the stored cursor to its end."""
        cursor = state.get(f"{stream}_cursor")
        pages = 0
        while True:
            params: dict[str, Any] = {"per_page": per_page, **extra}
            if cursor:
                params["cursor"] = cursor
            else:
                params["start_time"] = start
            page = client.get(path, params)
            pages += 1
            kept = handle(page, f"{stream} page {pages}")
            cursor = page.get("after_cursor") or cursor
            state.save(**{f"{stream}_cursor": cursor}, **kept)
            progress(f"{stream}: {pages} page(s)")
            if page.get("end_of_stream", True):
                return


def convert_events(export: Export, requesters: Mapping[str, str]) -> Imported:
    """The events of incremental ticket-event pages (their tickets were loaded before)."""
    imported = Imported()
    events: list[dict[str, object]] = []
    _incremental_events(imported, events, export, requesters)
    imported.add("ticket_events", events, _labels(export.ticket_events))
    return imported


def _incremental_events(imported: Imported, events: list[dict[str, object]], export: Export,
                        requesters: Mapping[str, str]) -> None:
    """Incremental ticket events: each child event (comment, status or assignee change)."""
    for label, number, record in export.ticket_events:
        ticket_id = str(record.get("ticket_id"))
        for child in record.get("child_events") or []:
            if isinstance(child, dict):
                field_name = next((f for f in ("status", "assignee_id") if f in child), None)
                _event(imported, events, label, number, ticket_id, record.get("created_at"),
                       _via(child.get("via") or record.get("via")), "",
                       record.get("updater_id"), child, child.get("event_type"), field_name,
                       child.get(field_name) if field_name else None, export, requesters)


def _epoch(value: object) -> int:
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


SYNC = ZendeskSync()
