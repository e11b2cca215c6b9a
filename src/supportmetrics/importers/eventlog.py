"""Event logs in the process-mining shape: case, activity, timestamp, resource, attributes.

Reads CSV (one row per event) and XES (the IEEE 1849 XML standard; read streaming, trace by
trace, so a large log is never held as a tree). Each case becomes a ticket, each event whose
activity is mapped becomes a ticket event. docs/sources/eventlog.md has the mapping.

Activities are mapped to event kinds by the user, in a TOML file given as the option
``activities`` (its ``[activities]`` table, or top-level keys), or one by one as options
``activities.NAME=KIND``::

    "Take in charge ticket" = "reply"
    "Resolve ticket" = "solved"
    "Closed" = "closed"

Kinds: ``reply`` (agent_reply), ``customer`` (customer_message), ``bot`` (bot_reply),
``auto`` (auto_reply), ``note`` (internal_note), ``assign`` (assignment), ``create`` (when the
case was opened), ``ignore`` (left out on purpose), the canonical event kinds themselves, or a
ticket status (``new``, ``open``, ``pending``, ``on_hold``, ``solved``, ``closed``) for a status
change. An activity with a lifecycle transition (XES ``lifecycle:transition``) is looked up as
``"Activity/transition"`` first, then ``"Activity"``. An event whose activity has no mapping is
rejected with its file, row and activity (and nothing else of its case is lost).

Support levels: the option ``level`` names a column with the level (1, 2, 3) of each event, or a
``[levels]`` table (team = level) in the activities file gives each team's level.
"""

from __future__ import annotations

import csv
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from supportmetrics.errors import InputFileError, MappingError
from supportmetrics.importers.base import Imported
from supportmetrics.importers.records import Record, Rows, parse_time, sort_key
from supportmetrics.schema.tables import EVENT_KINDS, TICKET_STATUSES

SHORT_KINDS = {"reply": "agent_reply", "customer": "customer_message", "bot": "bot_reply",
               "auto": "auto_reply", "note": "internal_note", "assign": "assignment"}
SPECIAL = ("create", "ignore")
#: column names tried, in order, when the options do not name one (CSV; XES uses the standard
#: extension keys first)
DEFAULTS = {
    "case": ("case:concept:name", "case", "case_id", "case id", "caseid", "incident id"),
    "activity": ("concept:name", "activity", "activity name", "event", "activity_name"),
    "timestamp": ("time:timestamp", "timestamp", "complete timestamp", "time", "datetime"),
    "resource": ("org:resource", "resource", "agent", "user"),
    "transition": ("lifecycle:transition", "transition"),
    "team": ("org:group", "team", "group", "queue"),
}


@dataclass
class Event:
    record: Record
    values: dict[str, str]
    case: str
    case_values: dict[str, str] = field(default_factory=dict)


def _kind(value: str) -> str:
    kind = value.strip().lower()
    kind = SHORT_KINDS.get(kind, kind)
    if kind not in (*EVENT_KINDS, *TICKET_STATUSES, *SPECIAL):
        raise MappingError(
            f"event log activities: {value!r} is not an event kind; use reply, customer, bot, "
            f"auto, note, assign, create, ignore, a canonical kind ({', '.join(EVENT_KINDS)}) "
            f"or a status ({', '.join(TICKET_STATUSES)})"
        )
    return kind


def mapping_of(options: Mapping[str, str]) -> tuple[dict[str, str], dict[str, float]]:
    """Activity -> kind and team -> level, from the options and an ``activities`` TOML file."""
    activities: dict[str, str] = {}
    levels: dict[str, float] = {}
    path = options.get("activities")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputFileError(f"{path}: cannot be read ({exc})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: is not TOML ({exc})") from exc
        table = data.get("activities", {k: v for k, v in data.items() if k != "levels"})
        for activity, kind in table.items():
            activities[str(activity)] = _kind(str(kind))
        for team, level in (data.get("levels") or {}).items():
            levels[str(team)] = _level(level, f"{path}: [levels] {team}")
    for key, value in options.items():
        if key.startswith("activities."):
            activities[key.removeprefix("activities.")] = _kind(value)
        elif key.startswith("levels."):
            levels[key.removeprefix("levels.")] = _level(value, f"option {key}")
    if not activities:
        raise MappingError(
            "event log: no activities are mapped to event kinds; give a TOML file of them with "
            '--option activities=FILE ([activities] "Take in charge ticket" = "reply", ...) or '
            'map them one by one with --option "activities.NAME=KIND" (docs/sources/eventlog.md)'
        )
    return activities, levels


def _level(value: Any, where: str) -> float:
    try:
        level = float(value)
    except (TypeError, ValueError):
        level = 0.0
    if level < 1 or not level.is_integer():
        raise MappingError(f"{where}: {value!r} is not a level (a whole number from 1)")
    return level


class EventLogImporter:
    name = "eventlog"
    title = "Event logs: case, activity, timestamp, resource (CSV or XES)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        activities, levels = mapping_of(options)
        rows = Rows()
        events: list[Event] = []
        for path in paths:
            reader = _xes if path.suffix.lower() in (".xes", ".xml") else _csv
            events.extend(reader(path, options, rows))
        _build(rows, events, activities, levels, options)
        return rows.imported()


def _pick(names: Sequence[str], role: str, options: Mapping[str, str], label: str,
          required: bool = True) -> str | None:
    """The column playing ``role``: the option's, else the first default present."""
    lower = {n.lower(): n for n in names}
    if role in options:
        wanted = options[role]
        if wanted.lower() not in lower:
            raise MappingError(f"{label}: has no column {wanted!r} (option {role}); its columns: "
                               f"{', '.join(names)}")
        return lower[wanted.lower()]
    for candidate in DEFAULTS.get(role, ()):
        if candidate in lower:
            return lower[candidate]
    if required:
        raise MappingError(f"{label}: no {role} column (tried {', '.join(DEFAULTS[role])}); name "
                           f"it with the option {role}=COLUMN")
    return None


def _csv(path: Path, options: Mapping[str, str], rows: Rows) -> Iterator[Event]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from exc
    with handle:
        sample = handle.read(65536)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        names = list(reader.fieldnames or [])
        roles = {role: _pick(names, role, options, path.name, role in ("case", "activity",
                                                                         "timestamp"))
                 for role in (*DEFAULTS, "level")
                 if role != "level" or "level" in options}
        try:
            for number, line in enumerate(reader, start=1):
                values = {_role_or(roles, k): (v or "").strip() for k, v in line.items() if k}
                record = Record(path.name, number, line)
                yield Event(record, values, values.get("case", ""))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFileError(f"{path}: cannot be read as CSV ({exc})") from exc


def _role_or(roles: dict[str, str | None], column: str) -> str:
    for role, name in roles.items():
        if name == column:
            return role
    return column


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xes(path: Path, options: Mapping[str, str], rows: Rows) -> Iterator[Event]:
    """Events of an XES log, trace by trace (the parsed tree is cleared after each trace)."""
    roles = {"case": "concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
             "resource": "org:resource", "transition": "lifecycle:transition",
             "team": "org:group"}
    for role in ("activity", "timestamp", "resource", "transition", "team", "level"):
        if role in options:
            roles[role] = options[role]
    keys = {v: k for k, v in roles.items() if k != "case"}
    case_key = options.get("case", "concept:name")
    root: ET.Element | None = None
    trace_number = 0
    event_number = 0
    try:
        for action, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
            if action != "end":
                continue
            tag = _local(element.tag)
            if tag != "trace":
                continue
            trace_number += 1
            case_values = {str(child.get("key")): str(child.get("value") or "")
                           for child in element if _local(child.tag) != "event"
                           and child.get("key") is not None}
            case = case_values.get(case_key, "")
            for child in element:
                if _local(child.tag) != "event":
                    continue
                event_number += 1
                values: dict[str, str] = {}
                for attribute in child:
                    key = attribute.get("key")
                    if key is None:
                        continue
                    values[keys.get(key, key)] = str(attribute.get("value") or "")
                values["case"] = case
                record = Record(path.name, event_number, {"trace": trace_number, **values})
                yield Event(record, values, case,
                            {k: v for k, v in case_values.items() if k != case_key})
            root.clear()  # frees the traces read so far
    except ET.ParseError as exc:
        raise InputFileError(f"{path}: is not well-formed XES ({exc})") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from exc


_CANONICAL_ROLES = ("case", "activity", "timestamp", "resource", "transition", "team", "level")


def _build(rows: Rows, events: list[Event], activities: dict[str, str],
           levels: dict[str, float], options: Mapping[str, str]) -> None:
    fmt = options.get("timestamp_format")
    cases: dict[str, list[tuple[str, int, Event, str]]] = {}
    #: events read per case, in file order: an event's id is its case and place among them,
    #: so ids stay the same when a later import maps more activities
    read: dict[str, int] = {}
    for event in events:
        values = event.values
        if not event.case:
            rows.reject(event.record, "case", "", "is empty (required)")
            continue
        position = read.get(event.case, 0)
        read[event.case] = position + 1
        activity = values.get("activity", "")
        transition = values.get("transition", "")
        kind = activities.get(f"{activity}/{transition}") if transition else None
        kind = kind or activities.get(activity)
        if kind is None:
            shown = f"{activity}/{transition}" if transition else activity
            rows.reject(event.record, "activity", shown,
                        "has no event kind; map it in the activities file (or map it to "
                        '"ignore")')
            continue
        at = _time(rows, event, values.get("timestamp", ""), fmt)
        if at is None:
            continue
        cases.setdefault(event.case, []).append((at, position, event, kind))
    for case, found in cases.items():
        _case(rows, case, found, levels)


def _time(rows: Rows, event: Event, value: str, fmt: str | None) -> str | None:
    if not value:
        rows.reject(event.record, "timestamp", "", "is empty (required)")
        return None
    try:
        if fmt:
            parsed = datetime.strptime(value, fmt)
            return parsed.isoformat()
        parsed = parse_time(value)
        return parsed.isoformat()
    except ValueError:
        hint = f" (format {fmt})" if fmt else " (ISO 8601, or set the option timestamp_format)"
        rows.reject(event.record, "timestamp", value, f"is not a time{hint}")
        return None


def _case(rows: Rows, case: str, found: list[tuple[str, int, Event, str]],
          levels: dict[str, float]) -> None:
    found.sort(key=lambda item: (sort_key(item[0]), item[1]))
    created = next((at for at, _, _, kind in found if kind == "create"), found[0][0])
    status: str | None = None
    team: str | None = None
    agent: str | None = None
    label = found[0][2].record.label
    for at, position, event, kind in found:
        values = event.values
        resource = values.get("resource") or None
        team = values.get("team") or team
        if kind in ("create", "ignore"):
            continue
        row: dict[str, Any] = {"event_id": f"{case}#{position + 1}", "ticket_id": case,
                               "at": at, "actor_id": resource, "activity": values.get("activity")}
        if kind in TICKET_STATUSES:
            row.update(kind="status_change", status=kind)
            status = kind
        else:
            row["kind"] = kind
        if kind == "assignment":
            row["team"] = values.get("team") or None
            try:
                row["level"] = _event_level(values, levels)
            except ValueError:
                rows.reject(event.record, "level", values.get("level"), "is not a number")
                continue
            agent = resource or agent
        elif kind == "agent_reply":
            agent = resource or agent
        for key, value in values.items():
            if key not in _CANONICAL_ROLES and value != "":
                row.setdefault(key, value)
        rows.add("ticket_events", row, event.record.label)
    first = found[0][2]
    ticket: dict[str, Any] = {"ticket_id": case, "created_at": created, "status": status,
                              "team": team, "agent_id": agent}
    ticket.update({k: v for k, v in first.case_values.items() if v != ""})
    rows.add("tickets", ticket, label)


def _event_level(values: dict[str, str], levels: dict[str, float]) -> float | None:
    """The level of an assignment: its own column's, else its team's; ValueError when the
    column holds no number."""
    raw = values.get("level")
    if raw:
        return float(raw)
    team = values.get("team")
    return levels.get(team) if team else None


IMPORTER = EventLogImporter()

__all__ = ["IMPORTER", "EventLogImporter", "mapping_of"]
