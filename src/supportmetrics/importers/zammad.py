"""Zammad: tickets, articles, history, users and groups (REST API JSON).

Reads what the Zammad REST API returns: ``GET /api/v1/tickets`` (with or without
``expand=true``), ``GET /api/v1/ticket_articles/by_ticket/{id}``, ``GET
/api/v1/ticket_history/{id}`` (``{"history": [...], "assets": ...}``), ``GET /api/v1/users`` and
``GET /api/v1/groups``; lists, pages or JSON Lines. Each file is recognised by its records'
fields. docs/sources/zammad.md has the mapping.

An article's ``sender`` tells people apart: ``Customer`` messages, ``Agent`` replies (internal
ones and notes are internal notes), ``System`` messages (auto-responses, triggers) are
automatic replies and never responses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from supportmetrics.importers.base import Imported
from supportmetrics.importers.records import Record, Rows, parse_time, read_records, text

STATES = {"new": "new", "open": "open", "pending reminder": "pending",
          "pending close": "pending", "closed": "closed"}
#: the state ids of a fresh Zammad, used when a ticket has no state name
STATE_IDS = {"1": "new", "2": "open", "3": "pending reminder", "4": "closed", "5": "merged",
             "6": "removed", "7": "pending close"}
PRIORITIES = {"1 low": "low", "2 normal": "normal", "3 high": "high",
              "1": "low", "2": "normal", "3": "high"}
SENDER_IDS = {"1": "Agent", "2": "Customer", "3": "System"}
#: the user Zammad shows as "-" (nobody): owner_id 1
NOBODY = "1"


def _is_article(data: dict[str, Any]) -> bool:
    return "ticket_id" in data and ("sender" in data or "sender_id" in data)


def _is_history(data: dict[str, Any]) -> bool:
    return "history_type" in data or "history_attribute" in data


def _is_ticket(data: dict[str, Any]) -> bool:
    return "number" in data or "state_id" in data or "state" in data


class ZammadImporter:
    name = "zammad"
    title = "Zammad: tickets, articles, history, users, groups (API JSON)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        tickets: list[Record] = []
        articles: list[Record] = []
        history: list[Record] = []
        users: dict[str, dict[str, Any]] = {}
        groups: dict[str, str] = {}
        rows = Rows()
        for path in paths:
            for record in read_records(path):
                data = record.data
                if _is_article(data):
                    articles.append(record)
                elif _is_history(data):
                    history.append(record)
                elif _is_ticket(data):
                    tickets.append(record)
                elif "login" in data or "firstname" in data:
                    users[str(data.get("id"))] = data
                elif "name" in data and "id" in data:
                    groups[str(data["id"])] = str(data["name"])
                else:
                    rows.reject(record, "", "", "is not a Zammad ticket, article, history "
                                "entry, user or group")
        reader = _Reader(rows, users, groups)
        for record in tickets:
            reader.ticket(record)
        for record in articles:
            reader.article(record)
        for record in history:
            reader.change(record)
        return rows.imported()


class _Reader:
    def __init__(self, rows: Rows, users: dict[str, dict[str, Any]], groups: dict[str, str]):
        self.rows = rows
        self.users = users
        self.groups = groups
        #: Zammad's ticket id -> canonical ticket_id (its number)
        self.ids: dict[str, str] = {}
        #: tickets left out (merged, removed) -> why
        self.left_out: dict[str, str] = {}
        self.channels: dict[str, str] = {}

    def user(self, user_id: Any, name: Any = None) -> str | None:
        """A user's login (their email in most Zammads), else their id (a deleted user)."""
        key = text(user_id)
        if key is None or key == NOBODY:
            return None if name in (None, "", "-") else str(name)
        login = self.users.get(key, {}).get("login")
        return str(login) if login else key

    def ticket(self, record: Record) -> None:
        data, rows = record.data, self.rows
        zid = text(data.get("id"))
        ticket = text(data.get("number")) or zid
        if ticket is None:
            rows.reject(record, "number", None, "is empty (required)")
            return
        state = str(data.get("state") or STATE_IDS.get(str(data.get("state_id")), ""))
        if zid is not None:
            self.ids[zid] = ticket
        if state in ("merged", "removed"):
            why = ("was merged into another ticket (its messages count there)"
                   if state == "merged" else "was removed in Zammad")
            self.left_out[ticket] = why
            rows.reject(record, "state", state, f"ticket {ticket} {why}; not imported")
            return
        if state not in STATES:
            rows.reject(record, "state", state, "is not a Zammad state (new, open, pending "
                        "reminder, pending close, closed, merged, removed)")
            return
        created = rows.time(record, "created_at", data.get("created_at"), required=True)
        if created is None:
            return
        group = data.get("group") or self.groups.get(str(data.get("group_id")))
        owner = self.user(data.get("owner_id"), data.get("owner"))
        if data.get("owner") not in (None, "-") and data.get("owner_id") is None:
            owner = str(data["owner"])
        customer = self.user(data.get("customer_id"), data.get("customer"))
        priority = str(data.get("priority") or data.get("priority_id") or "")
        channel = text(data.get("create_article_type"))
        rows.add("tickets", {
            "ticket_id": ticket, "created_at": created,
            "channel": channel, "priority": PRIORITIES.get(priority),
            "customer_id": customer, "agent_id": owner, "team": text(group),
            "status": STATES[state], "subject": text(data.get("title")),
            "organization": text(data.get("organization")),
        }, record.label)
        first = data.get("first_response_at")
        if first:
            try:
                seconds = (parse_time(str(first)) - parse_time(str(data["created_at"])))
                rows.figures.append({"ticket_id": ticket,
                                     "first_response_seconds": seconds.total_seconds()})
            except (ValueError, TypeError):
                rows.reject(record, "first_response_at", first, "is not a time (ISO 8601)")

    def _ticket_of(self, record: Record, zid: Any) -> str | None:
        key = text(zid)
        ticket = self.ids.get(key or "")
        if ticket is None:
            self.rows.reject(record, "ticket_id", key, "is not a ticket of the tickets file")
        elif ticket in self.left_out:
            self.rows.reject(record, "ticket_id", key, f"ticket {ticket} {self.left_out[ticket]}")
            return None
        return ticket

    def article(self, record: Record) -> None:
        data, rows = record.data, self.rows
        ticket = self._ticket_of(record, data.get("ticket_id"))
        if ticket is None:
            return
        at = rows.time(record, "created_at", data.get("created_at"), required=True)
        if at is None:
            return
        sender = str(data.get("sender") or SENDER_IDS.get(str(data.get("sender_id")), ""))
        kind_name = str(data.get("type") or "")
        if sender == "Customer":
            kind = "customer_message"
        elif sender == "System":
            kind = "auto_reply"
        elif sender == "Agent":
            internal = data.get("internal") is True or kind_name == "note"
            kind = "internal_note" if internal else "agent_reply"
        else:
            rows.reject(record, "sender", sender, "is not Agent, Customer or System")
            return
        rows.add("ticket_events", {
            "event_id": f"{ticket}-article-{data.get('id')}", "ticket_id": ticket, "at": at,
            "kind": kind, "actor_id": self.user(data.get("created_by_id"), data.get("created_by")),
            "article_type": kind_name or None,
        }, record.label)

    def change(self, record: Record) -> None:
        data, rows = record.data, self.rows
        if str(data.get("history_object") or "Ticket") != "Ticket":
            return  # an article's or user's own history: not a ticket change
        attribute = str(data.get("history_attribute") or "")
        if attribute not in ("state", "owner", "group"):
            return  # title, priority, tags, ...: not events of the canonical tables
        ticket = self._ticket_of(record, data.get("o_id"))
        if ticket is None:
            return
        at = rows.time(record, "created_at", data.get("created_at"), required=True)
        if at is None:
            return
        base = {"event_id": f"{ticket}-history-{data.get('id')}", "ticket_id": ticket, "at": at,
                "actor_id": self.user(data.get("created_by_id"))}
        value = str(data.get("value_to") or "")
        if attribute == "state":
            if value in ("merged", "removed"):
                return  # the ticket itself is left out (see ticket())
            if value not in STATES:
                rows.reject(record, "value_to", value, "is not a Zammad state")
                return
            rows.add("ticket_events", {**base, "kind": "status_change",
                                       "status": STATES[value]}, record.label)
        elif attribute == "owner":
            rows.add("ticket_events", {**base, "kind": "assignment",
                                       "actor_id": self.user(data.get("id_to"), value)},
                     record.label)
        else:
            rows.add("ticket_events", {**base, "kind": "assignment", "actor_id": None,
                                       "team": value or self.groups.get(str(data.get("id_to")))},
                     record.label)


IMPORTER = ZammadImporter()

__all__ = ["IMPORTER", "ZammadImporter"]
