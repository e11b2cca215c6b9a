"""Update logs: one row per state of a record, as ServiceNow exports incidents.

Each row is the whole record as it was after one update (``number``, ``incident_state``,
``assigned_to``, ``sys_updated_on``, ...), so a record appears once per update. Loading such a
file with ``ingest`` keeps one row per key and loses the rest; this importer orders each
record's rows by their update time and

* ``mode=last`` (the default): keeps the last state as the ticket row (its own
  ``resolved_at`` and ``reopen_count`` then give resolution time and reopens);
* ``mode=events``: also turns the states into ticket events: a status change whenever the
  state changes, an assignment whenever the assignee or group does.

ServiceNow's own ``made_sla`` of the last state is returned as a figure for ``import --check``.
CSV (ServiceNow's list export, or the same columns from any tool) or ServiceNow's JSON export
(``{"records": [...]}``). docs/sources/updatelog.md has the mapping and the options.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from supportmetrics.errors import InputFileError, MappingError
from supportmetrics.importers.base import Imported
from supportmetrics.importers.records import Record, Rows, parse_time, read_records
from supportmetrics.schema.tables import PRIORITIES, TICKET_STATUSES

#: canonical column -> the source columns tried, in order (an option of the canonical name
#: names another)
COLUMNS = {
    "key": ("number", "sys_id"),
    "updated": ("sys_updated_on", "sys_updated_at"),
    "status": ("incident_state", "state"),
    "created": ("opened_at", "sys_created_on", "sys_created_at"),
    "resolved": ("resolved_at",),
    "closed": ("closed_at",),
    "agent": ("assigned_to",),
    "team": ("assignment_group",),
    "priority": ("priority",),
    "channel": ("contact_type",),
    "category": ("category",),
    "customer": ("caller_id",),
    "reopens": ("reopen_count",),
    "made_sla": ("made_sla",),
    "sequence": ("sys_mod_count",),
    "level": (),
}
REQUIRED = ("key", "updated", "status", "created")
STATES = {
    "new": "new", "active": "open", "in progress": "open", "open": "open",
    "on hold": "on_hold", "awaiting user info": "pending", "awaiting caller": "pending",
    "awaiting problem": "on_hold", "awaiting vendor": "on_hold",
    "awaiting evidence": "on_hold", "awaiting change": "on_hold",
    "resolved": "solved", "closed": "closed", "canceled": "closed", "cancelled": "closed",
    "1": "new", "2": "open", "3": "on_hold", "6": "solved", "7": "closed", "8": "closed",
}
PRIORITY_WORDS = {"1": "urgent", "critical": "urgent", "2": "high", "high": "high",
                  "3": "normal", "moderate": "normal", "4": "low", "low": "low",
                  "5": "low", "planning": "low"}
#: cells meaning "no value" (ServiceNow list exports write empty cells; some published
#: exports write ?)
MISSING = ("", "?")


class UpdateLogImporter:
    name = "updatelog"
    title = "Update logs: one row per state of a record (ServiceNow incidents, CSV or JSON)"

    def read(self, paths: Sequence[Path], options: Mapping[str, str]) -> Imported:
        mode = options.get("mode", "last")
        if mode not in ("last", "events"):
            raise MappingError(f"update log: mode {mode!r} is not last or events")
        states = dict(STATES)
        for key, value in options.items():
            if key.startswith("status."):
                if value not in TICKET_STATUSES:
                    raise MappingError(f"update log: option {key}={value!r}: not a status "
                                       f"({', '.join(TICKET_STATUSES)})")
                states[key.removeprefix("status.").strip().lower()] = value
        rows = Rows()
        records: list[tuple[Record, dict[str, str]]] = []
        for path in paths:
            found = _read(path)
            if not found:
                continue
            names = list(found[0].data)
            columns = _columns(names, options, path.name)
            for record in found:
                values = {role: _cell(record.data.get(name))
                          for role, name in columns.items() if name is not None}
                values["_key_column"] = str(columns["key"])
                values["_status_column"] = str(columns["status"])
                records.append((record, values))
        fmt = options.get("timestamp_format")
        by_key: dict[str, list[tuple[datetime, float, int, Record, dict[str, str], str]]] = {}
        for order, (record, values) in enumerate(records):
            key = values.get("key", "")
            if not key:
                rows.reject(record, values["_key_column"], "", "is empty (required)")
                continue
            updated = _time(rows, record, "updated", values.get("updated", ""), fmt, True)
            state = values.get("status", "")
            status = states.get(state.strip().lower())
            if status is None:
                rows.reject(record, values["_status_column"], state, "is not a known state; map it with the "
                            f"option status.{state or 'VALUE'}=STATUS (one of "
                            f"{', '.join(TICKET_STATUSES)})")
                continue
            if updated is None:
                continue
            sequence = _number(values.get("sequence")) or 0.0
            by_key.setdefault(key, []).append((updated, sequence, order, record, values, status))
        for key, states_of in by_key.items():
            states_of.sort(key=lambda s: (s[0], s[1], s[2]))
            _record(rows, key, states_of, fmt, mode == "events")
        return rows.imported()


def _read(path: Path) -> list[Record]:
    if path.suffix.lower() in (".json", ".jsonl"):
        return read_records(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            return [Record(path.name, i, dict(row))
                    for i, row in enumerate(csv.DictReader(handle, dialect=dialect), start=1)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot be read as CSV ({exc})") from exc


def _columns(names: list[str], options: Mapping[str, str], label: str) -> dict[str, str | None]:
    lower = {str(n).lower(): str(n) for n in names}
    out: dict[str, str | None] = {}
    for role, candidates in COLUMNS.items():
        wanted = options.get(role)
        if wanted is not None:
            if wanted.lower() not in lower:
                raise MappingError(f"{label}: has no column {wanted!r} (option {role}); its "
                                   f"columns: {', '.join(map(str, names))}")
            out[role] = lower[wanted.lower()]
            continue
        out[role] = next((lower[c] for c in candidates if c in lower), None)
        if out[role] is None and role in REQUIRED:
            raise MappingError(f"{label}: no {role} column (tried {', '.join(candidates)}); "
                               f"name it with the option {role}=COLUMN")
    used = {n for n in out.values() if n}
    for name in names:
        if str(name) not in used:
            out[f"attr:{name}"] = str(name)
    return out


def _cell(value: Any) -> str:
    if isinstance(value, dict):  # ServiceNow JSON: {"display_value": ..., "value": ...}
        value = value.get("display_value", value.get("value"))
    text = "" if value is None else str(value).strip()
    return "" if text in MISSING else text


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _time(rows: Rows, record: Record, role: str, value: str, fmt: str | None,
          required: bool = False) -> datetime | None:
    if not value:
        if required:
            rows.reject(record, COLUMNS[role][0], "", "is empty (required)")
        return None
    try:
        return datetime.strptime(value, fmt) if fmt else parse_time(value)
    except ValueError:
        hint = f"format {fmt}" if fmt else "ISO 8601, or set the option timestamp_format"
        rows.reject(record, COLUMNS[role][0], value, f"is not a time ({hint})")
        return None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _priority(value: str) -> str | None:
    word = value.split("-", 1)[-1].strip().lower() if "-" in value else value.strip().lower()
    first = value.strip()[:1]
    return PRIORITY_WORDS.get(word) or PRIORITY_WORDS.get(first) or (
        value.lower() if value.lower() in PRIORITIES else None)


def _record(rows: Rows, key: str,
            states: list[tuple[datetime, float, int, Record, dict[str, str], str]],
            fmt: str | None, as_events: bool) -> None:
    updated, _, _, record, last, status = states[-1]
    created = _time(rows, record, "created", last.get("created", ""), fmt, True)
    if created is None:
        return
    resolved = _time(rows, record, "resolved", last.get("resolved", ""), fmt)
    if resolved is None and status in ("solved", "closed"):
        resolved = _time(rows, record, "closed", last.get("closed", ""), fmt) or updated
    ticket: dict[str, Any] = {
        "ticket_id": key, "created_at": _iso(created),
        "channel": last.get("channel") or None, "category": last.get("category") or None,
        "priority": _priority(last.get("priority", "")),
        "customer_id": last.get("customer") or None, "agent_id": last.get("agent") or None,
        "team": last.get("team") or None, "status": status,
        "resolved_at": _iso(resolved) if status in ("solved", "closed") else None,
        "reopens": _number(last.get("reopens")),
    }
    for role, value in last.items():
        if role.startswith("attr:") and value:
            ticket[role.removeprefix("attr:")] = value
    rows.add("tickets", ticket, record.label)
    made = last.get("made_sla", "").lower()
    if made in ("true", "false", "1", "0", "yes", "no"):
        rows.figures.append({"ticket_id": key, "made_sla": made in ("true", "1", "yes")})
    if not as_events:
        return
    previous: dict[str, str] = {}
    previous_status: str | None = None
    for at, _, _, state_record, values, state in states:
        stamp = at.isoformat()
        if state != previous_status:
            rows.add("ticket_events", {
                "event_id": f"{key}@{stamp}#status", "ticket_id": key, "at": stamp,
                "kind": "status_change", "status": state,
            }, state_record.label)
        owner = (values.get("agent", ""), values.get("team", ""))
        if any(owner) and owner != (previous.get("agent", ""), previous.get("team", "")):
            rows.add("ticket_events", {
                "event_id": f"{key}@{stamp}#assignment", "ticket_id": key, "at": stamp,
                "kind": "assignment", "actor_id": owner[0] or None, "team": owner[1] or None,
                "level": _number(values.get("level")),
            }, state_record.label)
        previous, previous_status = values, state


IMPORTER = UpdateLogImporter()

__all__ = ["IMPORTER", "UpdateLogImporter"]
