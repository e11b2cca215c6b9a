"""docs/data.md, generated from the table declarations (``python -m supportmetrics.schema.reference``)."""

from __future__ import annotations

import sys

from supportmetrics.schema.tables import DEFAULT_SCALES, TABLES, Column, ColumnType, TableSpec

HEADER = """\
# Data reference: the canonical tables

Generated from the table declarations by `python -m supportmetrics.schema.reference >
docs/data.md` (`make docs`); a test fails when this file is stale.

Every source (CSV, Parquet, JSON Lines, a helpdesk export, the Python `Workspace.ingest`) is
mapped onto these tables: `supportmetrics ingest TABLE FILE...`. Column names are exact; a file's
column is matched by name (`Ticket ID` finds `ticket_id`) or mapped (`--map`, or `[mappings]` in
`supportmetrics.toml`; see the README, "Loading your data").

- Required columns are marked *required*; every other column may be missing or empty.
- Types: *text*; *timestamp*, ISO 8601 unless the mapping gives a `timestamp_format` (one without
  an offset is read in the workspace `timezone`, default UTC; all are stored in UTC); *date*
  (`YYYY-MM-DD`); *number*, a decimal number (money in the one currency of the workspace);
  *bool*, `true`/`false`, `yes`/`no`, `1`/`0` (any case).
- Columns marked *lower-cased* are stored lower-cased (`Email` and `email` are one channel);
  columns with *allowed values* reject any other value.
- Columns that are not listed are kept as attribute columns (snake_case names), usable with
  `--by` and `--where`; nothing is dropped silently.
- A row that breaks a rule (wrong type, empty required column, value not allowed, or a rule
  listed under its table) is rejected with its file, row, column, value and reason; the rest of
  the load goes on, and nothing rejected is half-loaded.
- Loading the same rows again (same key) updates them in place: loads are idempotent.
"""

_TYPES = {
    ColumnType.TEXT: "text",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.NUMBER: "number",
    ColumnType.BOOL: "bool",
    ColumnType.DATE: "date",
}


def render() -> str:
    """The reference of every canonical table, in declaration order."""
    parts = [HEADER, "Tables: " + ", ".join(f"[`{n}`](#{n})" for n in TABLES) + ".\n"]
    parts.extend(_table(spec) for spec in TABLES.values())
    return "\n".join(parts)


def _table(spec: TableSpec) -> str:
    lines = [f"## {spec.name}\n", f"{_sentence(spec.description)}\n"]
    if spec.notes:
        lines.append(f"{spec.notes}\n")
    key = ", ".join(f"`{k}`" for k in spec.key)
    lines.append(
        f"Key (a row with the same key is updated in place): {key}. "
        f"Time span (`supportmetrics tables`): `{spec.span}`.\n"
    )
    lines.append("| column | type | required | meaning |")
    lines.append("|---|---|---|---|")
    lines.extend(_column(spec, column) for column in spec.columns)
    if spec.rules:
        lines.append("\nA row is also rejected when:\n")
        lines.extend(f"- `{rule.column}` {_rule(spec, rule.reason)}" for rule in spec.rules)
    lines.append("")
    return "\n".join(lines)


def _column(spec: TableSpec, column: Column) -> str:
    # a meaning that only lists the allowed values is said once, by the allowed values
    listed = ", ".join(column.allowed)
    notes = [column.meaning] if column.meaning and column.meaning != listed else []
    if column.allowed:
        notes.append("allowed values: " + ", ".join(f"`{v}`" for v in column.allowed))
    if column.lower:
        notes.append("lower-cased")
    if spec.name == "surveys" and column.name in ("scale_min", "scale_max"):
        notes.append(
            "defaults: "
            + ", ".join(f"{n} {_number(lo)}-{_number(hi)}" for n, (lo, hi) in DEFAULT_SCALES.items())
            + " (`[surveys.scales]` adds or overrides)"
        )
    required = "required" if column.required else ""
    meaning = "; ".join(notes).replace("|", "\\|")
    return f"| `{column.name}` | {_TYPES[column.type]} | {required} | {meaning} |"


def _rule(spec: TableSpec, reason: str) -> str:
    """A rule's reason with column names and values in code style (``is before `created_at```)."""
    words = []
    for word in reason.split(" "):
        core = word.strip("(),")
        if core in spec.column_names or ("_" in core and core.isidentifier()):
            word = word.replace(core, f"`{core}`")
        words.append(word)
    return " ".join(words)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


if __name__ == "__main__":
    sys.stdout.write(render())
