"""The user documentation: docs/data.md generated from the schema, and no internal vocabulary."""

from __future__ import annotations

from pathlib import Path

from supportmetrics.schema import TABLES
from supportmetrics.schema.reference import render

REPO = Path(__file__).resolve().parents[1]


def test_data_reference_is_current() -> None:
    docs = REPO / "docs" / "data.md"
    assert docs.exists(), "docs/data.md is missing: run `make docs`"
    assert docs.read_text(encoding="utf-8") == render(), "run `make docs`"


def test_every_column_is_described() -> None:
    undescribed = [
        f"{spec.name}.{column.name}"
        for spec in TABLES.values()
        for column in spec.columns
        if not column.meaning and not column.allowed
    ]
    assert undescribed == []


def test_data_reference_lists_every_table_and_column() -> None:
    text = render()
    for spec in TABLES.values():
        assert f"\n## {spec.name}\n" in text
        for column in spec.columns:
            assert f"| `{column.name}` |" in text


def test_data_reference_rows_read_as_written() -> None:
    lines = render().splitlines()
    # an enumerated column: its allowed values, once
    assert "| `priority` | text |  | allowed values: `low`, `normal`, `high`, `urgent` |" in lines
    assert "| `ticket_id` | text | required | unique id |" in lines
    # the survey scales: csat 1-5, nps 0-10, ces 1-7, happiness 1-3
    assert any(
        line.startswith("| `scale_min` | number |")
        and "defaults: csat 1-5, nps 0-10, ces 1-7, happiness 1-3" in line
        for line in lines
    )
    # row rules, column names in code style
    assert "- `resolved_at` is before `created_at`" in lines
    assert "- `end` is not after `start`" in lines
    assert "Key (a row with the same key is updated in place): `agent_id`, `start`. " \
        "Time span (`supportmetrics tables`): `start`." in lines
