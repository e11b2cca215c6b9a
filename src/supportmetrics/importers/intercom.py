"""Intercom: conversations with their parts, ratings, admins and teams (REST API JSON).

Reads the JSON the Intercom REST API returns (API version 2.x): conversations as
``GET /conversations/{id}`` gives them (with ``conversation_parts``), a
``conversation.list`` page, or JSON Lines of conversations; ``admin.list`` and ``team.list``
pages. Each file is recognised by its records' ``type``. docs/sources/intercom.md has the
mapping.

Who wrote a part decides its kind: an ``admin`` author is an agent, a ``bot`` author (Fin,
Operator, custom bots, or a part flagged ``from_ai_agent``) a bot whose replies are never
responses, a ``user``/``lead``/``contact`` the customer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from supportmetrics.importers.base import Imported
from supportmetrics.importers.records import Record, Rows, dig, read_records, text

CUSTOMER_TYPES = ("user", "lead", "contact")
#: parts that move the conversation to another admin or team
ASSIGNMENT_PARTS = ("assignment", "default_assignment", "away_mode_assignment", "assign_and_reopen",
                    "assign_and_unsnooze")
#: parts that change the state, and the canonical status they give
STATE_PARTS = {"close": "solved", "open": "open", "snoozed": "on_hold", "unsnoozed": "open",
               "timer_unsnooze": "open", "assign_and_reopen": "open", "assign_and_unsnooze": "open"}
STATES = {"open": "open", "closed": "solved", "snoozed": "on_hold"}
PRIORITIES = {"priority": "high", "not_priority": "normal"}
CHANNELS = {"conversation": "chat", "email": "email", "facebook": "social", "twitter": "social",
            "instagram": "social", "whatsapp": "whatsapp", "sms": "sms", "phone_call": "phone",
            "push": "chat", "chat": "chat"}


def _author_kind(author: Any) -> str:
    """``agent``, ``bot`` or ``customer`` for a part's author."""
    kind = str(dig(author, "type") or "")
    if kind == "bot" or dig(author, "from_ai_agent") is True or dig(author, "is_ai_answer") is True:
        return "bot"
    if kind in ("admin", "team"):
        return "agent"
    return "customer" if kind in CUSTOMER_TYPES else "bot" if kind == "" else "agent"


class IntercomImporter:
    name = "intercom"
    title = "Intercom: conversations and their parts, ratings, admins, teams (API JSON)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        conversations: list[Record] = []
        admins: dict[str, dict[str, Any]] = {}
        teams: dict[str, str] = {}
        for path in paths:
            for record in read_records(path):
                kind = record.data.get("type")
                if kind == "admin":
                    admins[str(record.data.get("id"))] = record.data
                elif kind == "team":
                    teams[str(record.data.get("id"))] = str(record.data.get("name") or "")
                else:
                    conversations.append(record)
        rows = Rows()
        for record in conversations:
            _conversation(rows, record, admins, teams)
        return rows.imported()


def _conversation(rows: Rows, record: Record, admins: dict[str, dict[str, Any]],
                  teams: dict[str, str]) -> None:
    data = record.data
    if data.get("type") not in (None, "conversation"):
        rows.reject(record, "type", data.get("type"),
                    "is not an Intercom conversation, admin or team record")
        return
    ticket = text(data.get("id"))
    if ticket is None:
        rows.reject(record, "id", None, "is empty (required)")
        return
    created = rows.time(record, "created_at", data.get("created_at"), required=True)
    if created is None:
        return
    source = data.get("source") or {}
    customer = text(dig(source, "author", "id")) if _author_kind(source.get("author")) == \
        "customer" else None
    if customer is None:
        contacts = dig(data, "contacts", "contacts") or []
        customer = text(contacts[0].get("id")) if contacts else None
    agent = text(data.get("admin_assignee_id"))
    agent = None if agent in (None, "0") else agent
    team = teams.get(str(data.get("team_assignee_id")), text(data.get("team_assignee_id")))
    team = None if team in (None, "0") else team
    state = str(data.get("state") or ("open" if data.get("open") else "closed"))
    rating = data.get("conversation_rating") or {}
    row: dict[str, Any] = {
        "ticket_id": ticket, "created_at": created,
        "channel": CHANNELS.get(str(source.get("type") or ""), text(source.get("type"))),
        "priority": PRIORITIES.get(str(data.get("priority") or "")),
        "customer_id": customer, "agent_id": agent, "team": team,
        "status": STATES.get(state),
        "subject": text(source.get("subject")) or text(data.get("title")),
        "agent_name": text(dig(admins.get(agent or ""), "name")),
    }
    if state not in STATES:
        rows.reject(record, "state", state, "is not an Intercom state (open, closed, snoozed)")
        return
    rows.add("tickets", row, record.label)
    # the opening message: the customer's, or an outbound message an admin or bot sent
    opener = _author_kind(source.get("author"))
    rows.add("ticket_events", {
        "event_id": f"{ticket}-source", "ticket_id": ticket, "at": created,
        "kind": {"customer": "customer_message", "bot": "bot_reply"}.get(opener, "auto_reply"),
        "actor_id": text(dig(source, "author", "id")),
    }, record.label)
    parts = dig(data, "conversation_parts", "conversation_parts") or []
    solved = False
    for part in parts:
        solved = _part(rows, record, ticket, part, teams, solved)
    figures = data.get("statistics") or {}
    first_reply = figures.get("first_admin_reply_at")
    if isinstance(first_reply, int | float) and isinstance(data.get("created_at"), int | float):
        rows.figures.append({"ticket_id": ticket,
                             "first_response_seconds": float(first_reply - data["created_at"])})
    if rating.get("rating") is not None:
        responded = rows.time(record, "conversation_rating.created_at", rating.get("created_at"),
                              required=True)
        if responded is not None:
            rows.add("surveys", {
                "response_id": f"{ticket}-rating", "survey": "csat",
                "responded_at": responded, "score": float(rating["rating"]),
                "scale_min": 1.0, "scale_max": 5.0, "ticket_id": ticket,
                "agent_id": text(dig(rating, "teammate", "id")) or agent,
                "customer_id": text(dig(rating, "contact", "id")) or customer,
                "channel": row["channel"], "comment": text(rating.get("remark")),
            }, record.label)


def _part(rows: Rows, record: Record, ticket: str, part: dict[str, Any],
          teams: dict[str, str], solved: bool) -> bool:
    """Adds one part's events; returns whether the conversation is closed after it."""
    part_id = text(part.get("id"))
    part_type = str(part.get("part_type") or "")
    column = f"conversation_parts[{part_id}]"
    at = rows.time(record, f"{column}.created_at", part.get("created_at"), required=True)
    if at is None or part_id is None:
        if part_id is None:
            rows.reject(record, f"{column}.id", None, "is empty (required)")
        return solved
    author = part.get("author")
    who = _author_kind(author)
    actor = text(dig(author, "id"))
    base = {"ticket_id": ticket, "at": at, "actor_id": actor}
    has_body = bool(str(part.get("body") or "").strip())
    if part_type == "note":
        rows.add("ticket_events", {**base, "event_id": f"{ticket}-{part_id}",
                                   "kind": "internal_note"}, record.label)
    elif part_type in ("comment", "quick_reply") or (has_body and part_type in STATE_PARTS):
        kind = {"agent": "agent_reply", "bot": "bot_reply"}.get(who, "customer_message")
        rows.add("ticket_events", {**base, "event_id": f"{ticket}-{part_id}", "kind": kind},
                 record.label)
        if solved and who == "customer" and part_type not in STATE_PARTS:
            # a customer writing to a closed conversation reopens it
            rows.add("ticket_events", {**base, "event_id": f"{ticket}-{part_id}-reopen",
                                       "kind": "status_change", "status": "open"}, record.label)
            solved = False
    if part_type in ASSIGNMENT_PARTS:
        target = part.get("assigned_to") or {}
        is_team = target.get("type") == "team"
        target_id = text(target.get("id"))
        rows.add("ticket_events", {
            **base, "event_id": f"{ticket}-{part_id}-assign", "kind": "assignment",
            "actor_id": None if is_team else target_id,
            "team": teams.get(target_id or "", target_id) if is_team else None,
        }, record.label)
    if part_type in STATE_PARTS:
        rows.add("ticket_events", {**base, "event_id": f"{ticket}-{part_id}-state",
                                   "kind": "status_change", "status": STATE_PARTS[part_type]},
                 record.label)
        solved = STATE_PARTS[part_type] == "solved"
    return solved


IMPORTER = IntercomImporter()

__all__ = ["IMPORTER", "IntercomImporter"]
