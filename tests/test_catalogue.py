"""The catalogue: declarations as printable expressions, presentation attributes, its checks,
and what adding a metric takes (its declaration and its test, nothing else)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from ibis import Deferred, _

import supportmetrics.metrics as catalogue
from supportmetrics import Workspace
from supportmetrics.engine.checks import check_catalogue
from supportmetrics.engine.sources import unit_tables
from supportmetrics.engine.summary import format_value, summary_rows
from supportmetrics.metrics import (
    CATALOGUE,
    DOMAINS,
    Derived,
    Direction,
    Duration,
    Format,
    Metric,
    Part,
    Ratio,
    Rollup,
    Unit,
    headline_metrics,
    tile_metrics,
)
from supportmetrics.metrics.common import flag, ratio
from supportmetrics.metrics.model import Data, Needs
from supportmetrics.metrics.reference import render

OCT, NOV = "2025-10-01", "2025-11-01"


@pytest.fixture(scope="module")
def units() -> dict[str, Any]:
    """Every source's units as an unbound table (columns and types, no data)."""
    return unit_tables()


def _declared_values(value: Any) -> Iterator[Any]:
    """Every value a declaration holds, nested parts and needs included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _declared_values(getattr(value, f.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _declared_values(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _declared_values(item)
    else:
        yield value


def test_declarations_are_expressions_not_functions() -> None:
    functions = [m.id for m in CATALOGUE.values()
                 if any(callable(v) and not isinstance(v, Deferred | type)
                        for v in _declared_values(m))]
    assert functions == []


def test_expressions_print_as_declared() -> None:
    assert repr(CATALOGUE["nps"].numerator) == "(flag((_.score >= 9)) - flag((_.score <= 6)))"
    assert repr(CATALOGUE["resolution_rate"].formula) == "ratio(_.solved, _.created)"
    assert repr(CATALOGUE["backlog"].min_age_seconds) == (
        "(settings.thresholds.backlog_age_hours * 3600)")


def test_a_kind_cannot_be_built_without_its_required_fields() -> None:
    common = dict(id="x", title="X", unit=Unit.PERCENT, direction=Direction.UP,
                  source="tickets", anchor="created_at", dimensions=(), definition="x")
    with pytest.raises(TypeError, match="denominator"):
        Ratio(**common, numerator=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="count_input"):
        Derived(**common, inputs={"a": "ticket_volume"}, formula=_.a)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="definition"):
        Duration(id="y", title="Y", unit=Unit.SECONDS, direction=Direction.DOWN,  # type: ignore[call-arg]
                 source="solved", anchor="solved_at", dimensions=(), start="created_at",
                 end="solved_at")


def test_data_with_the_same_expression_is_the_same_data() -> None:
    # the engine asks once per Data whether the workspace holds any of it
    assert Data("tickets", _.replies.notnull()) == Data("tickets", _.replies.notnull())
    assert len({Data("tickets", _.replies.notnull()), Data("tickets", _.replies.notnull()),
                Data("tickets", _.reopens.notnull())}) == 2


def test_the_catalogue_has_no_issues(units: dict[str, Any]) -> None:
    assert check_catalogue(units) == []


def test_a_broken_catalogue_yields_exactly_its_issues(units: dict[str, Any]) -> None:
    common: dict[str, Any] = dict(title="T", direction=Direction.UP, definition="d")
    broken: dict[str, Metric] = {
        "late_rate": Ratio(
            id="late_rate", unit=Unit.SECONDS, source="tickets", anchor="created_at",
            dimensions=("channel", "mood"), variant_of="late_count", headline=1,
            numerator=flag(_.is_solved), denominator=_.no_such_column, **common),
        "wait": Duration(
            id="wait", unit=Unit.COUNT, source="solved", anchor="solved_at", headline=1,
            start="created_at", end="closed_at", dimensions=("team",), **common),
        "share": Derived(
            id="share", unit=Unit.PERCENT, source="tickets", anchor="created_at", scale=100.0,
            dimensions=("channel", "queue"), inputs={"a": "late_rate", "b": "gone"},
            formula=ratio(_.a, _.c), count_input="z", **common),
        "mood_score": Rollup(
            id="mood_score", unit=Unit.PERCENT, source="tickets", anchor="created_at",
            dimensions=(), of="late_rate", over="priority", weights=dict, **common),
        "typo": Ratio(
            id="typos", unit=Unit.PERCENT, source="ticketz", anchor="created_at",
            dimensions=(), numerator=1, denominator=1, format=Format.MONEY, **common),
    }
    assert check_catalogue(units, broken) == [
        # an id not in the catalogue; a dimension and an expression its units lack; a unit
        # its scale contradicts
        "late_rate: variant_of names 'late_count', which is not a metric id",
        "late_rate: scale 100 gives a percent or points, but its unit is seconds",
        "late_rate: dimension 'mood' is not a column of its units (tickets)",
        "late_rate: its denominator cannot be computed on its units (tickets): "
        "'Table' object has no attribute 'no_such_column'",
        # a duration is in seconds; its end is not a column
        "wait: a Duration is in seconds, not count",
        "wait: its end 'closed_at' is not a column of its units (solved)",
        # inputs naming no metric, a count input that is none of them, a dimension none of
        # its inputs has, a formula reading a name that is not an input
        "share: input 'b' names 'gone', which is not a metric id",
        "share: count_input 'z' is not one of its inputs",
        "share: dimension 'queue' is a dimension of none of its inputs",
        "share: its formula cannot be computed on its inputs: "
        "'Table' object has no attribute 'c'",
        # rolled up over a dimension the metric it rolls up does not have, in another unit,
        # weights that are not an expression over the settings
        "mood_score: in %, but it rolls up 'late_rate', in seconds",
        "mood_score: its weights is a type, not a dict",
        "mood_score: rolls up over 'priority', which is not a dimension of 'late_rate'",
        # declared under another key, from a source that does not exist, a format its unit
        # does not fit
        "typos: declared under the id 'typo'",
        "typos: format money does not fit its unit %",
        "typos: source 'ticketz' is not a unit source (one of: " + ", ".join(units) + ")",
        # two metrics in the same headline place
        "wait: headline 1 is also that of late_rate",
    ]


def test_combined_parts_are_checked_against_their_own_units(units: dict[str, Any]) -> None:
    churn = CATALOGUE["churn_rate"]
    broken = dataclasses.replace(
        churn, dimensions=("segment", "team"), count_part="start",
        parts={**churn.parts,  # type: ignore[attr-defined]
               "calls": Part(source="calls", anchor="queued", where=_.is_answerd)})
    assert check_catalogue(units, {"churn_rate": broken}) == [
        "churn_rate: dimension 'team' is not a column of part 'churned' (customers)",
        "churn_rate: dimension 'team' is not a column of part 'start' (customers)",
        "churn_rate: part 'calls' (calls): 'queued' is not a column",
        "churn_rate: part 'calls' (calls): its where cannot be computed: "
        "'Table' object has no attribute 'is_answerd'",
        "churn_rate: dimension 'segment' is not a column of part 'calls' (calls)",
        "churn_rate: dimension 'team' is not a column of part 'calls' (calls)",
    ]


def test_presentation_is_read_from_the_catalogue() -> None:
    assert [m.id for m in headline_metrics()] == [
        "ticket_volume", "tickets_solved", "first_response_time", "resolution_time", "fcr_rate",
        "reopen_rate", "csat", "nps", "ces", "sla_compliance", "service_level_tickets",
        "service_level_calls", "asa", "abandonment_rate", "aht", "agent_utilization", "backlog",
        "churn_rate", "cost_per_ticket",
    ]
    assert [m.id for m in tile_metrics()] == [
        "ticket_volume", "csat", "nps", "first_response_time", "resolution_time", "fcr_rate",
        "sla_compliance", "backlog",
    ]
    primary = {m.id for m in CATALOGUE.values() if m.primary}
    assert primary == {m.id for m in headline_metrics()} | {"retention_rate",
                                                             "support_cost_ratio"}
    # a metric's format, else its unit's: 5400 s is 1.5 h, or 5,400 written as a count
    frt = CATALOGUE["first_response_time"]
    assert frt.shown_as is Format.DURATION
    assert format_value(5400.0, frt.shown_as) == "90.0 min"
    counted = dataclasses.replace(frt, format=Format.COUNT)
    assert format_value(5400.0, counted.shown_as) == "5,400"


#: a metric added over existing columns: its declaration (this value) and its test (below)
URGENT_SHARE = Ratio(
    id="urgent_share", title="Share of urgent and high tickets", unit=Unit.PERCENT,
    direction=Direction.NEUTRAL, source="tickets", anchor="created_at",
    dimensions=("channel", "team"), headline=20,
    numerator=flag(_.priority.isin(("urgent", "high"))), denominator=1,
    definition="100 x tickets created with priority urgent or high / tickets created",
    unit_label="tickets",
)


def test_adding_a_metric_takes_its_declaration_alone(
    ws: Workspace, units: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CATALOGUE, URGENT_SHARE.id, URGENT_SHARE)
    monkeypatch.setitem(DOMAINS, "Volume", (*DOMAINS["Volume"], URGENT_SHARE))
    assert check_catalogue(units) == []
    # computed: October T1 high, T3 urgent, T6 high of T1..T7; November T8 normal
    frame = ws.metric("urgent_share").set_index("period")
    assert frame.loc[OCT, "value"] == pytest.approx(300 / 7)
    assert frame.loc[OCT, "count"] == 7
    assert frame.loc[NOV, "value"] == 0.0
    by_team = ws.metric("urgent_share", by=["team"], start=OCT, end=NOV).set_index("team")
    assert by_team["value"].to_dict() == {"tier1": pytest.approx(100 / 5),  # T1 of T1 T2 T4 T5 T7
                                          "tier2": 100.0}  # T3 and T6
    # documented, with its expression
    page = render()
    assert "### `urgent_share` — Share of urgent and high tickets" in page
    assert ("| expression | 100 x sum(`flag(_.priority.isin(('urgent', 'high')))`) / sum(`1`) |"
            in page)
    # a headline: the summary shows it, after the others (a catalogue of two here, for speed)
    monkeypatch.setattr(catalogue, "CATALOGUE",
                        {"ticket_volume": CATALOGUE["ticket_volume"], "urgent_share": URGENT_SHARE})
    rows = summary_rows(ws, months=2)
    assert rows == [("", "", [OCT, NOV]),
                    ("ticket_volume", "Ticket volume", ["7", "1"]),
                    ("urgent_share", "Share of urgent and high tickets", ["42.9 %", "0.0 %"])]


def test_needs_hold_expressions_too() -> None:
    replies = CATALOGUE["first_response_time"].needs[0]
    assert isinstance(replies, Needs)
    assert [repr(d.where) for d in replies.any_of] == [
        "(_.kind == 'agent_reply')", "_.first_response_at.notnull()",
        "_.first_response_seconds.notnull()",
    ]


def _calls() -> Any:
    """Three calls queued at 10:00: answered after 30 s, abandoned after 4 s, blocked."""
    import ibis
    import pandas as pd

    at = pd.Timestamp("2025-10-01 10:00:00")
    return ibis.memtable(pd.DataFrame({
        "call_id": ["c1", "c2", "c3"],
        "outcome": ["answered", "abandoned", "blocked"],
        "queued_at": [at, at, at],
        "answered_at": [at + pd.Timedelta(seconds=30), pd.NaT, pd.NaT],
        "ended_at": [at + pd.Timedelta(seconds=150), at + pd.Timedelta(seconds=4), at],
        "talk_seconds": [100.0, None, None],
        "hold_seconds": [None, None, None],
        "wrap_seconds": [20.0, None, None],
    }))


def test_flags_are_declared_once_and_added_to_their_units(monkeypatch: pytest.MonkeyPatch) -> None:
    from supportmetrics.config import Settings
    from supportmetrics.engine.sources import with_flags
    from supportmetrics.metrics import flags
    from supportmetrics.metrics.model import S

    long_wait = flags.Flag(name="long_wait", source="calls",
                           expr=_.wait_seconds > S.thresholds.service_level_seconds,
                           definition="waited longer than the service level")
    monkeypatch.setattr(flags, "FLAGS", (*flags.FLAGS, long_wait))
    columns = ["call_id", "wait_seconds", "is_short_abandon", "handle_seconds", "long_wait"]
    got = with_flags(_calls(), "calls", Settings()).execute()[columns]
    assert got.to_dict("records") == [
        # 30 s to the answer (> 20 s); talk 100 + hold 0 + wrap 20
        {"call_id": "c1", "wait_seconds": 30, "is_short_abandon": False,
         "handle_seconds": 120.0, "long_wait": True},
        # hung up after 4 s: a short abandon (<= 5 s by default)
        {"call_id": "c2", "wait_seconds": 4, "is_short_abandon": True,
         "handle_seconds": 0.0, "long_wait": False},
        {"call_id": "c3", "wait_seconds": 0, "is_short_abandon": False,
         "handle_seconds": 0.0, "long_wait": False},
    ]
    # a setting enters a flag by name: 0 turns the short-abandon exclusion off
    settings = Settings.model_validate({"thresholds": {"short_abandon_seconds": 0}})
    off = with_flags(_calls(), "calls", settings).execute()
    assert off["is_short_abandon"].tolist() == [False, False, False]


def test_the_catalogue_list_carries_expressions_and_presentation(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from supportmetrics.cli import main

    assert main(["--workspace", str(ws.directory), "metrics", "--list", "--format", "json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    csat = listed["csat"]
    assert (csat["expression"], csat["headline"], csat["tile"], csat["primary"],
            csat["format"]) == ("100 x sum(flag(_.satisfied)) / sum(1)", 7, 2, True, "percent")
    assert listed["cost_per_ticket"]["expression"] == (
        "ratio(_.support, _.tickets); support = support_cost; tickets = ticket_volume")
