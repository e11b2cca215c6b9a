"""The demo generator: deterministic, valid, and carrying the cases the metrics must handle."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.demo import build_demo, generate


@pytest.fixture(scope="module")
def tables() -> dict[str, object]:
    return generate(seed=11, tickets=4000)  # type: ignore[return-value]


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    first, second = generate(seed=3, tickets=1500), generate(seed=3, tickets=1500)
    assert all(first[name].equals(second[name]) for name in first)
    assert not generate(seed=4, tickets=1500)["tickets"].equals(first["tickets"])


def test_sizes_scale_with_tickets(tables: dict[str, object]) -> None:
    sizes = {name: t.num_rows for name, t in tables.items()}  # type: ignore[attr-defined]
    assert sizes["tickets"] == 4000
    assert sizes["calls"] == 1600 and sizes["customers"] == 1000
    assert 5 * 4000 < sizes["ticket_events"] < 10 * 4000


def test_the_cases_metrics_must_handle_are_there(tables: dict[str, object]) -> None:
    events, calls = tables["ticket_events"], tables["calls"]
    tickets, surveys, customers = tables["tickets"], tables["surveys"], tables["customers"]
    kinds = set(pc.unique(events["kind"]).to_pylist())  # type: ignore[index]
    assert kinds == {"customer_message", "agent_reply", "bot_reply", "auto_reply",
                     "internal_note", "status_change", "assignment"}
    statuses = pc.value_counts(tickets["status"]).to_pylist()  # type: ignore[index]
    counts = {s["values"]: s["counts"] for s in statuses}
    assert set(counts) == {"new", "open", "pending", "solved", "closed"}
    assert pc.sum(pc.is_null(tickets["first_response_at"])).as_py() > 0  # never answered
    outcomes = set(pc.unique(calls["outcome"]).to_pylist())  # type: ignore[index]
    assert outcomes == {"answered", "abandoned", "blocked"}
    assert pc.sum(pc.is_null(surveys["score"])).as_py() > 0  # unanswered surveys
    assert pc.sum(pc.is_valid(surveys["comment"])).as_py() > 0
    assert set(pc.unique(surveys["survey"]).to_pylist()) == {"csat", "nps", "ces", "happiness"}  # type: ignore[index]
    assert pc.sum(pc.is_valid(customers["churned_at"])).as_py() > 0
    assert pc.sum(pc.is_valid(customers["referred_by"])).as_py() > 0


def test_demo_workspace_loads_without_rejects_and_shows_the_spike(tmp_path: Path) -> None:
    results = build_demo(tmp_path / "demo", seed=5, tickets=6000)
    assert {name: r.rejected_rows for name, r in results.items()} == dict.fromkeys(results, 0)
    with Workspace.open(tmp_path / "demo") as ws:
        weeks = ws.metric("ticket_volume", grain="week", start="2025-01-06", end="2025-12-29")
        volume = dict(zip(weeks["period"], weeks["value"], strict=True))
        ordinary = sorted(volume.values())[len(volume) // 2]
        assert volume["2025-06-09"] > 2 * ordinary  # the incident week
        assert volume["2025-12-22"] < ordinary  # Christmas week
        reopened = ws.metric("reopen_rate", grain="year", start="2025-01-01", end="2026-01-01")
        assert 3 < reopened["value"].iloc[0] < 20


def test_demo_command_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(tmp_path / "d"), "--tickets", "3000", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "KPI summary" in out and "First response time" in out
