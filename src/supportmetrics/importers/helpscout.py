"""Help Scout (Mailbox API 2.0): conversations with their threads, happiness ratings and users,
into canonical tables.

Files are the API's JSON answers, recognised by their content: conversations listed with
``embed=threads`` (``_embedded.conversations``, each with ``_embedded.threads``), users
(``_embedded.users``), and happiness ratings from the Reports API (``results`` with
``ratingId``). docs/sources/helpscout.md documents the mapping of every field.

References: List Conversations https://developer.helpscout.com/mailbox-api/endpoints/conversations/list/ ;
List Threads https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/list/ ;
List Users https://developer.helpscout.com/mailbox-api/endpoints/users/list/ ;
Happiness Ratings Report https://developer.helpscout.com/mailbox-api/endpoints/reports/happiness/reports-happiness-ratings/ .
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from supportmetrics.errors import InputFileError
from supportmetrics.importers.base import Imported, read_json

#: conversation and thread status -> canonical status
STATUS = {"active": "open", "pending": "pending", "closed": "solved"}
CHANNELS = {"email": "email", "chat": "chat", "phone": "phone"}
#: ratingId: 1 Great, 2 Okay, 3 Not Good -> a 1-3 csat score (3 best)
RATINGS = {1: 3, 2: 2, 3: 1}
#: threads that are messages (others: line items, forwards, ... carry only a status)
MESSAGES = ("customer", "reply", "chat", "phone", "note", "message")


class HelpScoutImporter:
    name = "helpscout"
    title = "Help Scout: API JSON (conversations with threads, happiness ratings, users)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        conversations: list[tuple[str, int, dict[str, Any]]] = []
        ratings: list[tuple[str, int, dict[str, Any]]] = []
        users: dict[str, str] = {}
        for path in paths:
            data = read_json(path)
            embedded = data.get("_embedded") if isinstance(data, dict) else None
            if isinstance(embedded, dict) and isinstance(embedded.get("conversations"), list):
                conversations.extend((path.name, n, c) for n, c in
                                     enumerate(embedded["conversations"], 1) if isinstance(c, dict))
            elif isinstance(embedded, dict) and isinstance(embedded.get("users"), list):
                for user in embedded["users"]:
                    if isinstance(user, dict) and user.get("id") is not None:
                        users[str(user["id"])] = " ".join(
                            str(user.get(k) or "") for k in ("firstName", "lastName")).strip()
            elif isinstance(data, dict) and isinstance(data.get("results"), list):
                ratings.extend((path.name, n, r) for n, r in enumerate(data["results"], 1)
                               if isinstance(r, dict))
            else:
                raise InputFileError(
                    f"{path}: not a Help Scout export: expected conversations listed with "
                    "embed=threads (_embedded.conversations), users (_embedded.users) or the "
                    "happiness ratings report (results)")
        return convert(conversations, ratings, users)


def convert(conversations: Sequence[tuple[str, int, dict[str, Any]]],
            ratings: Sequence[tuple[str, int, dict[str, Any]]],
            users: Mapping[str, str]) -> Imported:
    imported = Imported()
    tickets, events = [], []
    for label, number, conversation in conversations:
        ticket_id = str(conversation.get("id"))
        status = str(conversation.get("status") or "")
        if conversation.get("state") == "deleted":
            imported.reject(label, number, "state", "deleted", f"conversation {ticket_id} was "
                            "deleted in Help Scout: not loaded")
            continue
        if status == "spam":
            imported.reject(label, number, "status", status,
                            f"conversation {ticket_id} is marked spam in Help Scout: not a "
                            "support case, not loaded")
            continue
        if status not in STATUS:
            imported.reject(label, number, "status", status, f"conversation {ticket_id}: not a "
                            "Help Scout status (active, pending, closed, spam)")
            continue
        assignee = conversation.get("assignee") or {}
        customer = conversation.get("primaryCustomer") or {}
        tickets.append({
            "ticket_id": ticket_id, "created_at": conversation.get("createdAt"),
            "status": STATUS[status], "channel": CHANNELS.get(str(conversation.get("type")),
                                                              conversation.get("type")),
            "customer_id": _id(customer.get("id")), "agent_id": _id(assignee.get("id")),
            "agent_name": users.get(str(assignee.get("id"))) if assignee else None,
            "team": _id(conversation.get("mailboxId")), "subject": conversation.get("subject"),
            "number": conversation.get("number"),
            "tags": " ".join(str(t.get("tag")) for t in conversation.get("tags") or []
                             if isinstance(t, dict)),
            "resolved_at": conversation.get("closedAt"),
        })
        threads = (conversation.get("_embedded") or {}).get("threads") or []
        # the API lists threads newest first: replay them oldest first
        threads = sorted((t for t in threads if isinstance(t, dict)),
                         key=lambda t: (str(t.get("createdAt")), str(t.get("id"))))
        current = "active"
        for thread in threads:
            kind = _kind(thread)
            author = thread.get("createdBy") or {}
            at = thread.get("createdAt")
            if kind is not None:
                events.append({"event_id": str(thread.get("id")), "ticket_id": ticket_id,
                               "at": at, "kind": kind, "actor_id": _id(author.get("id"))})
            new = thread.get("status")
            if new in STATUS and new != current:
                events.append({"event_id": f"{thread.get('id')}-status", "ticket_id": ticket_id,
                               "at": at, "kind": "status_change", "status": STATUS[new],
                               "actor_id": _id(author.get("id"))})
                current = new
    imported.add("tickets", tickets, _labels(conversations))
    imported.add("ticket_events", events, _labels(conversations))
    surveys = []
    for label, number, rating in ratings:
        value = rating.get("ratingId")
        if value not in RATINGS:
            imported.reject(label, number, "ratingId", value,
                            "is not a Help Scout rating (1 Great, 2 Okay, 3 Not Good)")
            continue
        surveys.append({
            "response_id": f"helpscout-rating-{rating.get('id')}-{rating.get('threadid')}",
            "survey": "csat", "ticket_id": _id(rating.get("id")),
            "agent_id": _id(rating.get("ratingUserId")),
            "customer_id": _id(rating.get("ratingCustomerId")),
            "responded_at": rating.get("ratingCreatedAt"), "score": RATINGS[value],
            "scale_min": 1, "scale_max": 3, "comment": rating.get("ratingComments"),
        })
    imported.add("surveys", surveys, _labels(ratings))
    return imported


def _kind(thread: Mapping[str, Any]) -> str | None:
    """A thread as an event kind: who wrote it (``createdBy.type``) and whether it is public."""
    kind = str(thread.get("type") or "")
    author = str((thread.get("createdBy") or {}).get("type") or "")
    if kind not in MESSAGES:
        return None
    if kind == "customer" or author == "customer":
        return "customer_message"
    if kind == "note":
        return "internal_note"
    if author == "user":
        return "agent_reply"
    return "bot_reply"  # a reply by a workflow, Beacon or an AI, not a person


def _id(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _labels(records: Sequence[tuple[str, int, object]]) -> str:
    return ", ".join(dict.fromkeys(label for label, _, _ in records))


IMPORTER = HelpScoutImporter()
