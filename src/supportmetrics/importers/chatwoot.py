"""Chatwoot: conversations, messages, CSAT responses, agents, teams and inboxes (API JSON).

Reads what the Chatwoot application API returns: conversation pages (``GET
/api/v1/accounts/{id}/conversations``, ``{"data": {"meta": ..., "payload": [...]}}``) or single
conversations (with their ``messages``), message pages (``GET .../conversations/{id}/messages``),
CSAT responses (``GET .../csat_survey_responses``), agents, teams and inboxes. Each file is
recognised by its records' fields. docs/sources/chatwoot.md has the mapping.

A message's ``message_type`` and sender tell people apart: incoming messages are the
customer's; outgoing ones are agent replies when a ``User`` sent them, bot replies when an
``AgentBot`` (or Captain assistant) did, automatic replies when nobody did (greetings,
out-of-office); private outgoing messages are internal notes. Activity messages carry status
changes and assignments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from supportmetrics.importers.base import Imported
from supportmetrics.importers.records import Record, Rows, dig, read_records, sort_key, text

STATUSES = {"open": "open", "resolved": "solved", "pending": "pending", "snoozed": "on_hold"}
PRIORITIES = {"low": "low", "medium": "normal", "high": "high", "urgent": "urgent"}
MESSAGE_TYPES = {"0": "incoming", "1": "outgoing", "2": "activity", "3": "template",
                 "incoming": "incoming", "outgoing": "outgoing", "activity": "activity",
                 "template": "template"}
BOT_SENDERS = ("AgentBot", "agent_bot", "Captain::Assistant", "captain_assistant")
CHANNELS = {"Channel::WebWidget": "chat", "Channel::Email": "email", "Channel::Api": "api",
            "Channel::Whatsapp": "whatsapp", "Channel::FacebookPage": "social",
            "Channel::TwitterProfile": "social", "Channel::Instagram": "social",
            "Channel::Telegram": "social", "Channel::Line": "social", "Channel::Sms": "sms",
            "Channel::TwilioSms": "sms", "Channel::Voice": "phone"}
#: Chatwoot's English activity messages (config/locales/en.yml, conversations.activity)
ACTIVITIES = (
    (re.compile(r"^Conversation was marked resolved by (?P<who>.+?)(?: due to .*)?$"), "solved"),
    (re.compile(r"^Conversation was resolved by (?P<who>.+?)(?: due to .*)?$"), "solved"),
    (re.compile(r"^Conversation was reopened by (?P<who>.+)$"), "open"),
    (re.compile(r"^(?P<who>System) reopened the conversation"), "open"),
    (re.compile(r"^Conversation was marked as pending by (?P<who>.+)$"), "pending"),
    (re.compile(r"^(?P<who>.+?) has snoozed this conversation"), "on_hold"),
    (re.compile(r"^Conversation was snoozed by (?P<who>.+?)(?: until .*)?$"), "on_hold"),
    (re.compile(r"^Assigned to (?P<to>.+?) by (?P<who>.+)$"), "assignment"),
    (re.compile(r"^(?P<who>.+?) self-assigned this conversation$"), "self_assignment"),
)


def _is_message(data: dict[str, Any]) -> bool:
    return "message_type" in data and "conversation_id" in data


def _is_csat(data: dict[str, Any]) -> bool:
    return "rating" in data and "conversation_id" in data


def _is_conversation(data: dict[str, Any]) -> bool:
    return "inbox_id" in data and ("status" in data or "messages" in data)


class ChatwootImporter:
    name = "chatwoot"
    title = "Chatwoot: conversations, messages, CSAT, agents, teams, inboxes (API JSON)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        conversations: list[Record] = []
        messages: dict[str, list[tuple[Record, dict[str, Any]]]] = {}
        csat: list[Record] = []
        agents: dict[str, dict[str, Any]] = {}
        inboxes: dict[str, str] = {}
        rows = Rows()
        for path in paths:
            for record in read_records(path):
                data = record.data
                if _is_message(data):
                    messages.setdefault(str(data["conversation_id"]), []).append((record, data))
                elif _is_csat(data):
                    csat.append(record)
                elif _is_conversation(data):
                    conversations.append(record)
                    for message in data.get("messages") or []:
                        if isinstance(message, dict):
                            key = str(message.get("conversation_id") or data.get("id"))
                            messages.setdefault(key, []).append((record, message))
                elif "channel_type" in data:
                    inboxes[str(data.get("id"))] = str(data["channel_type"])
                elif "role" in data or "availability_status" in data:
                    agents[str(data.get("id"))] = data
                elif "name" in data and "id" in data:
                    pass  # a team: conversations name their team themselves (meta.team)
                else:
                    rows.reject(record, "", "", "is not a Chatwoot conversation, message, CSAT "
                                "response, agent, team or inbox")
        names = {str(a.get("name")): str(a.get("id")) for a in agents.values() if a.get("name")}
        known: set[str] = set()
        for record in conversations:
            ticket = _conversation(rows, record, agents, inboxes)
            if ticket is not None:
                known.add(ticket)
        for ticket, found in messages.items():
            _messages(rows, ticket, found, names, known)
        for record in csat:
            _csat(rows, record, known)
        return rows.imported()


def _conversation(rows: Rows, record: Record, agents: dict[str, dict[str, Any]],
                  inboxes: dict[str, str]) -> str | None:
    data = record.data
    ticket = text(data.get("id"))
    if ticket is None:
        rows.reject(record, "id", None, "is empty (required)")
        return None
    created = rows.time(record, "created_at", data.get("created_at"), required=True)
    if created is None:
        return None
    status = str(data.get("status") or "")
    if status not in STATUSES:
        rows.reject(record, "status", status, "is not a Chatwoot status (open, resolved, "
                    "pending, snoozed)")
        return None
    meta = data.get("meta") or {}
    channel_type = str(meta.get("channel") or inboxes.get(str(data.get("inbox_id"))) or "")
    agent = text(dig(meta, "assignee", "id"))
    row: dict[str, Any] = {
        "ticket_id": ticket, "created_at": created,
        "channel": CHANNELS.get(channel_type, channel_type.removeprefix("Channel::").lower()
                                or None),
        "priority": PRIORITIES.get(str(data.get("priority") or "")),
        "customer_id": text(dig(meta, "sender", "id")), "agent_id": agent,
        "team": text(dig(meta, "team", "name")), "status": STATUSES[status],
        "agent_name": text(dig(meta, "assignee", "name"))
        or text(dig(agents.get(agent or ""), "name")),
        "inbox": text(data.get("inbox_id")),
    }
    if status == "resolved":
        # used only when no activity message says when it was resolved (engine: ticket rows)
        row["resolved_at"] = rows.time(record, "last_activity_at", data.get("last_activity_at"))
    rows.add("tickets", row, record.label)
    first = data.get("first_reply_created_at")
    if isinstance(first, int | float) and isinstance(data.get("created_at"), int | float) \
            and first > 0:
        rows.figures.append({"ticket_id": ticket,
                             "first_response_seconds": float(first - data["created_at"])})
    return ticket


def _messages(rows: Rows, ticket: str, found: list[tuple[Record, dict[str, Any]]],
              names: dict[str, str], known: set[str]) -> None:
    timed: list[tuple[str, Record, dict[str, Any]]] = []
    seen: set[str] = set()
    for record, data in found:
        message_id = text(data.get("id"))
        if message_id is None or message_id in seen:
            continue  # the same message in a conversation page and a message page
        seen.add(message_id)
        if ticket not in known:
            rows.reject(record, "conversation_id", ticket,
                        "is not a conversation of the conversations file")
            continue
        at = rows.time(record, f"messages[{message_id}].created_at", data.get("created_at"),
                       required=True)
        if at is not None:
            timed.append((at, record, data))
    timed.sort(key=lambda item: (sort_key(item[0]), str(item[2].get("id"))))
    for at, record, data in timed:
        _message(rows, ticket, at, record, data, names)


def _message(rows: Rows, ticket: str, at: str, record: Record, data: dict[str, Any],
             names: dict[str, str]) -> None:
    message_type = MESSAGE_TYPES.get(str(data.get("message_type")))
    sender_type = str(data.get("sender_type") or dig(data, "sender", "type") or "")
    sender = text(data.get("sender_id")) or text(dig(data, "sender", "id"))
    base = {"event_id": f"{ticket}-message-{data.get('id')}", "ticket_id": ticket, "at": at,
            "actor_id": sender}
    if message_type is None:
        rows.reject(record, "message_type", data.get("message_type"),
                    "is not incoming, outgoing, activity or template (0-3)")
    elif message_type == "incoming":
        rows.add("ticket_events", {**base, "kind": "customer_message"}, record.label)
    elif message_type == "template":
        rows.add("ticket_events", {**base, "kind": "auto_reply"}, record.label)
    elif message_type == "outgoing":
        if data.get("private") is True:
            kind = "internal_note"
        elif sender_type in BOT_SENDERS:
            kind = "bot_reply"
        elif sender_type.lower() in ("user", "agent") and sender is not None:
            kind = "agent_reply"
        else:
            kind = "auto_reply"  # no sender: an automation, greeting or out-of-office message
        rows.add("ticket_events", {**base, "kind": kind}, record.label)
    else:
        _activity(rows, base, record, data, names)


def _activity(rows: Rows, base: dict[str, Any], record: Record, data: dict[str, Any],
              names: dict[str, str]) -> None:
    status = dig(data, "content_attributes", "activity", "status")
    if status in STATUSES:
        rows.add("ticket_events", {**base, "kind": "status_change",
                                   "status": STATUSES[str(status)]}, record.label)
        return
    content = str(data.get("content") or "").strip()
    for pattern, what in ACTIVITIES:
        match = pattern.match(content)
        if match is None:
            continue
        who = names.get(match.group("who"))
        if what == "assignment":
            to = match.group("to")
            agent = names.get(to)
            rows.add("ticket_events", {**base, "kind": "assignment", "actor_id": agent,
                                       "team": None if agent else to}, record.label)
        elif what == "self_assignment":
            rows.add("ticket_events", {**base, "kind": "assignment", "actor_id": who},
                     record.label)
        else:
            rows.add("ticket_events", {**base, "kind": "status_change", "status": what,
                                       "actor_id": who}, record.label)
        return
    # other activity (labels, priority, SLA, contact merges) is not an event of the tables


def _csat(rows: Rows, record: Record, known: set[str]) -> None:
    data = record.data
    ticket = text(data.get("conversation_id"))
    if ticket not in known:
        rows.reject(record, "conversation_id", ticket,
                    "is not a conversation of the conversations file")
        return
    responded = rows.time(record, "created_at", data.get("created_at"), required=True)
    if responded is None:
        return
    rating = data.get("rating")
    if not isinstance(rating, int | float) or isinstance(rating, bool):
        rows.reject(record, "rating", rating, "is not a number (1-5)")
        return
    rows.add("surveys", {
        "response_id": f"csat-{data.get('id')}", "survey": "csat", "responded_at": responded,
        "score": float(rating), "scale_min": 1.0, "scale_max": 5.0, "ticket_id": ticket,
        "agent_id": text(dig(data, "assigned_agent", "id")),
        "customer_id": text(dig(data, "contact", "id")),
        "comment": text(data.get("feedback_message")),
    }, record.label)


IMPORTER = ChatwootImporter()

__all__ = ["IMPORTER", "ChatwootImporter"]
