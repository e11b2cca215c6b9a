"""Every metric on the hand-made fixture of tests/engine_fixture.py; values worked out by hand."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.engine import build_query
from supportmetrics.errors import QueryWarning

OCT, NOV = "2025-10-01", "2025-11-01"



def value(ws: Workspace, metric: str, period: str = OCT, **kwargs: object) -> tuple[float | None, int]:
    kwargs.setdefault("start", "2025-10-01")
    kwargs.setdefault("end", "2025-12-01")
    frame = ws.metric(metric, **kwargs)  # type: ignore[arg-type]
    row = frame[frame.period == period]
    assert len(row) == 1, frame
    v = row["value"].iloc[0]
    return (None if v != v else float(v)), int(row["count"].iloc[0])


def by(ws: Workspace, metric: str, dim: str, **kwargs: object) -> dict[object, tuple[float | None, int]]:
    frame = ws.metric(metric, by=[dim], start="2025-10-01", end="2025-11-01", **kwargs)  # type: ignore[arg-type]
    return {
        r[dim]: (None if r["value"] != r["value"] else round(float(r["value"]), 6), int(r["count"]))
        for r in frame.to_dict("records")
    }


# --- volume ---------------------------------------------------------------------------------

def test_ticket_volume_per_month(ws: Workspace) -> None:
    assert value(ws, "ticket_volume") == (7.0, 7)  # T1..T7
    assert value(ws, "ticket_volume", NOV) == (1.0, 1)  # T8


def test_request_volume_adds_calls(ws: Workspace) -> None:
    assert value(ws, "request_volume") == (13.0, 13)  # 7 tickets + 6 call attempts


def test_channel_share(ws: Workspace) -> None:
    shares = by(ws, "channel_share", "channel")
    # phone: T6 + 6 calls = 7 of 13; email: T1, T3, T5 = 3 of 13; chat 2; web 1
    assert shares["phone"] == (round(100 * 7 / 13, 6), 7)
    assert shares["email"] == (round(100 * 3 / 13, 6), 3)
    assert shares["chat"] == (round(100 * 2 / 13, 6), 2)
    assert shares["web"] == (round(100 * 1 / 13, 6), 1)


def test_a_period_without_data_is_null_for_rates_and_zero_for_counts(ws: Workspace) -> None:
    # December 2025 has no tickets at all
    frame = ws.metric("ticket_volume", start="2025-12-01", end="2026-01-01")
    assert frame[["period", "value", "count"]].values.tolist() == [["2025-12-01", 0.0, 0]]
    frame = ws.metric("fcr_rate", start="2025-12-01", end="2026-01-01")
    assert frame["value"].isna().all() and frame["count"].tolist() == [0]


# --- responsiveness --------------------------------------------------------------------------

def test_first_response_time_calendar(ws: Workspace) -> None:
    # T1 1800 (bot/auto replies and the note are not responses), T2 1200 (from creation),
    # T3 1800, T4 Fri 18:00 -> Mon 09:30 = 228600, T6 (no events: its own first_response_at)
    # 1800, T7 300; T5 never answered.  Mean 235500 / 6 = 39250.
    frame = ws.metric("first_response_time", start="2025-10-01", end="2025-11-01")
    assert frame[["value", "count", "without_end"]].values.tolist() == [[39250.0, 6, 1]]
    assert value(ws, "first_response_time", stat="median") == (1800.0, 6)
    # p90, continuous: 1800 + 0.5 x (228600 - 1800) = 115200
    assert value(ws, "first_response_time", stat="p90") == (115200.0, 6)


def test_first_response_time_business_clock(ws: Workspace) -> None:
    # mon-fri 09:00-17:00 UTC: T4 Fri 18:00 -> Mon 09:30 is 1800 business seconds; T6 Mon 08:00 ->
    # 08:30 (before opening) is 0.  (1800 + 1200 + 1800 + 1800 + 0 + 300) / 6 = 1150
    assert value(ws, "first_response_time", clock="business") == (1150.0, 6)


def test_first_response_time_credits_the_first_responder(ws: Workspace) -> None:
    per_agent = by(ws, "first_response_time", "agent_id")
    # a1: T1 1800, T3 1800 (a1 replied first; a3 took over later), T5 unanswered (its agent a1)
    assert per_agent["a1"] == (1800.0, 2)
    assert per_agent["a2"] == (round((1200 + 228600 + 300) / 3, 6), 3)
    assert per_agent["a3"] == (1800.0, 1)


def test_frt_unanswered(ws: Workspace) -> None:
    assert value(ws, "frt_unanswered") == (1.0, 1)  # T5


def test_frt_per_resolved_literal(ws: Workspace) -> None:
    # total FRT of October tickets 235500 / tickets solved in October 5
    assert value(ws, "frt_per_resolved") == (47100.0, 5)


def test_response_time_every_reply_interval(ws: Workspace) -> None:
    # T1 1800; T2 10:00 -> 10:20 = 1200 (two messages, earliest unanswered); T3 1800 and
    # 10:00 -> 11:00 = 3600; T4 228600; T6 1800 (no events); T7 300. 239100 / 7
    assert value(ws, "response_time") == (pytest.approx(239100 / 7), 7)


# --- resolution ------------------------------------------------------------------------------

def test_tickets_solved(ws: Workspace) -> None:
    # T1 (closing later is not a second solve), T2 (last solve 12:05), T3, T4, T6
    assert value(ws, "tickets_solved") == (5.0, 5)
    assert by(ws, "tickets_solved", "agent_id") == {"a1": (1.0, 1), "a2": (2.0, 2), "a3": (2.0, 2)}


def test_resolution_time_uses_the_last_solve(ws: Workspace) -> None:
    # T1 3600, T2 7500 (10:00 -> 12:05), T3 9000, T4 316800, T6 28800 -> 365700 / 5
    assert value(ws, "resolution_time") == (73140.0, 5)
    # first solves: T2 at 10:30 = 1800 -> 360000 / 5
    assert value(ws, "first_resolution_time") == (72000.0, 5)


def test_resolution_time_business_clock(ws: Workspace) -> None:
    # T1 3600, T2 7500, T3 9000, T4 Fri 18:00 -> Tue 10:00 = Mon 8 h + Tue 1 h = 32400,
    # T6 Mon 08:00 -> 16:00 = 7 h = 25200 -> 77700 / 5
    assert value(ws, "resolution_time", clock="business") == (15540.0, 5)


def test_complaint_resolution_time(ws: Workspace) -> None:
    assert value(ws, "complaint_resolution_time") == (28800.0, 1)  # T6, category complaint


def test_fcr_and_variants(ws: Workspace) -> None:
    # solved with events: T1 (1 reply), T2 (1 reply; the thank-you reopen re-solved without a
    # new reply stays first contact), T3 (2 replies), T4 (1 reply); T6 has no events
    assert value(ws, "fcr_rate") == (75.0, 4)
    assert value(ws, "fcr_single_agent") == (75.0, 4)  # T3 had a1 and a3
    assert value(ws, "reopen_rate") == (25.0, 4)  # T2
    assert value(ws, "replies_per_ticket") == (1.25, 4)  # (1 + 1 + 2 + 1) / 4


def test_resolution_rate_variants(ws: Workspace) -> None:
    assert value(ws, "resolution_rate") == (pytest.approx(500 / 7), 7)  # 5 solved / 7 created
    assert value(ws, "resolution_rate", NOV) == (100.0, 1)
    assert value(ws, "resolved_share") == (pytest.approx(500 / 7), 7)
    assert value(ws, "resolution_ratio") == (2.5, 2)  # 5 solved / 2 unsolved


def test_snapshots_at_period_end(ws: Workspace) -> None:
    # at 2025-11-01 00:00: T5 (never answered) and T7 (pending) are open, both older than 24 h
    assert value(ws, "open_tickets") == (2.0, 2)
    assert value(ws, "backlog") == (2.0, 2)
    assert value(ws, "backlog_unanswered") == (1.0, 1)  # T5
    assert value(ws, "awaiting_reply") == (1.0, 1)  # T5; T2's thank-you ended with its solve
    assert value(ws, "open_tickets", NOV) == (2.0, 2)  # T8 solved


def test_repeat_contact_rate(ws: Workspace) -> None:
    # T1 (C1 again with T3 a day later) and T2 (C2 again with T6 within 7 days) of 7
    assert value(ws, "repeat_contact_rate") == (pytest.approx(200 / 7), 7)


def test_sla_compliance(ws: Workspace) -> None:
    # as of the end of the ticket data (T8's solve, Mon 2025-11-03 09:20): met: T1, T2, T3, T4
    # (pending Mon 09:31 -> Tue 10:00 pauses 30540 of its 32400 business seconds), T6; breached:
    # T5 (normal, never answered: its 480 min ran out on Mon Oct 6); pending: T7 (normal,
    # answered in 5 min, then pending from 09:06 on, which pauses its clock at 360 s of its
    # 72 h) -> 5 / 6 decided. (Before targets not yet due were pending, T7 was a breach: 5 / 7.)
    assert value(ws, "sla_compliance") == (pytest.approx(500 / 6), 6)


def test_sla_targets_not_yet_due_are_pending_as_of_an_instant(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    def judged(as_of: str) -> tuple[float | None, int]:
        return value(ws, "sla_compliance", end="2025-11-01", as_of=as_of)

    # as of Fri 2025-10-03 13:00 (UTC workspace): T1, T2, T3 answered and solved in time; T5
    # created an hour before (1 business hour of 8 / of 72) is pending; T4, T6, T7 do not
    # exist yet -> 3 / 3
    assert judged("2025-10-03T13:00") == (100.0, 3)
    # as of Mon 2025-10-06 13:00: T5 has run Fri 12:00-17:00 + Mon 09:00-13:00 = 9 h > 8 h:
    # breached; T4 (answered Mon 09:30 within 24 h) is unsolved at 1860 s of 120 h (Mon
    # 09:00-09:31, then pending); T6 answered (row) and unsolved at 4 h of 24 h: pending -> 3 / 4
    assert judged("2025-10-06T13:00") == (75.0, 4)
    code = main(["--workspace", str(ws.directory), "explain", "sla_compliance", "--period",
                 "2025-10", "--as-of", "2025-10-06T13:00", "--format", "json"])
    assert code == 0
    units = {r["unit"]: r for r in json.loads(capsys.readouterr().out)}
    assert {u: r["sla_status"] for u, r in units.items()} == {
        "T1": "met", "T2": "met", "T3": "met", "T5": "breached",
        "T4": "pending", "T6": "pending", "T7": "pending"}
    assert units["T5"]["frt_sla_seconds"] == 32400.0 and units["T5"]["frt_breached"] is True
    assert units["T4"]["resolution_sla_seconds"] == 1860.0
    assert units["T4"]["denominator"] == 0.0 and units["T5"]["denominator"] == 1.0
    code = main(["--workspace", str(ws.directory), "metrics", "sla_compliance", "--from",
                 "2025-10-01", "--to", "2025-11-01", "--as-of", "2025-10-06 13:00",
                 "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)[0] == {
        "metric": "sla_compliance", "period": OCT, "value": 75.0, "count": 4, "unit": "%"}
    assert main(["--workspace", str(ws.directory), "metrics", "sla_compliance", "--as-of",
                 "last tuesday"]) == 2


# --- calls -------------------------------------------------------------------------------------

def test_call_metrics(ws: Workspace) -> None:
    assert value(ws, "asa") == (25.0, 3)  # (15 + 40 + 20) / 3
    # offered 5 (3 answered + 2 abandoned), K3 a 3 s short abandon -> 4; within 20 s: K1, K6
    assert value(ws, "service_level", where={"request_kind": "call"}) == (50.0, 4)
    assert value(ws, "abandonment_rate") == (25.0, 4)  # (2 - 1) / (5 - 1)
    assert value(ws, "blocked_calls") == (1.0, 1)
    assert value(ws, "blocked_rate") == (pytest.approx(100 / 6), 6)
    assert value(ws, "avg_wait_time") == (46.0, 3)  # (15 + 40 + 3 + 60 + 20) / 3 served
    assert value(ws, "aht", where={"unit_kind": "call"}) == (370.0, 3)  # (330 + 600 + 180) / 3
    assert value(ws, "aht") == (427.5, 4)  # with T6's 600 s


def test_service_level_tickets(ws: Workspace) -> None:
    # first response within the priority's target (business clock): all but T5
    assert value(ws, "service_level", where={"request_kind": "ticket"}) == (pytest.approx(600 / 7), 7)


def test_agent_utilization(ws: Workspace) -> None:
    # a1: calls K1 330 + K6 180 = 510 handle seconds over two 8 h shifts = 57600
    assert by(ws, "agent_utilization", "agent_id")["a1"] == (round(100 * 510 / 57600, 6), 57600)


def test_calls_count_for_their_agents_team(ws: Workspace) -> None:
    # a call has no team: it counts for its agent's team (the team of most of the agent's
    # tickets), as the agent's shifts do. a1 (T1, T5, T8) and a2 (T2, T4, T7) are tier1, a3 tier2.
    # tier1: calls K1 330 + K6 180 (a1) + K2 600 (a2) = 1110 s over the team's shifts, a1's two
    # 8 h shifts = 57600 s (a2 has none)
    assert by(ws, "agent_utilization", "team")["tier1"] == (round(100 * 1110 / 57600, 6), 57600)
    assert None not in by(ws, "agent_utilization", "team")  # no row for calls without a team


# --- satisfaction ------------------------------------------------------------------------------

def test_survey_metrics(ws: Workspace) -> None:
    assert value(ws, "csat") == (pytest.approx(200 / 3), 3)  # 4 and 5 of 5, 4, 3
    assert value(ws, "csat_mean") == (4.0, 3)
    assert value(ws, "nps") == (25.0, 4)  # (2 promoters - 1 detractor) / 4
    assert value(ws, "ces") == (4.0, 2)
    assert value(ws, "ces_agree_pct") == (50.0, 2)  # 6 in the top two of 1-7
    assert value(ws, "happiness") == (0.0, 3)  # 1 great - 1 not good
    assert value(ws, "comment_rate") == (pytest.approx(100 * 2 / 12), 12)
    rates = by(ws, "survey_response_rate", "survey")
    assert rates["csat"] == (75.0, 4) and rates["nps"] == (80.0, 5)


def test_iqs(ws: Workspace) -> None:
    # R1: 100 x (2 x 4/5 + 1 x 3/5) / 3 = 73.33; R2: 100
    assert value(ws, "iqs") == (pytest.approx((220 / 3 + 100) / 2), 2)


def test_feedback(ws: Workspace) -> None:
    assert value(ws, "feedback_response_rate") == (pytest.approx(200 / 3), 3)
    assert by(ws, "feedback_response_rate", "source") == {"email": (100.0, 1), "twitter": (50.0, 2)}


# --- customers and money ----------------------------------------------------------------------

def test_churn_and_retention(ws: Workspace) -> None:
    # start of Oct: U1, U2, U4; churned in Oct: U2, U3 (signed up and churned in October)
    assert value(ws, "churn_rate") == (pytest.approx(200 / 3), 3)
    # end of Oct: U1, U4, U5; new in Oct: U3, U5 -> (3 - 2) / 3
    assert value(ws, "retention_rate") == (pytest.approx(100 / 3), 3)
    assert value(ws, "churn_net") == (0.0, 3)
    assert value(ws, "churn_rate", NOV) == (pytest.approx(100 / 3), 3)  # U4 of U1, U4, U5
    assert value(ws, "retention_rate", NOV) == (pytest.approx(200 / 3), 3)
    assert value(ws, "referral_rate") == (50.0, 2)  # U5 of U3, U5
    assert value(ws, "referral_rate", NOV) == (None, 0)


def test_money(ws: Workspace) -> None:
    assert value(ws, "support_cost_ratio") == (7.0, 700)  # 700 / 10000
    assert value(ws, "cost_per_ticket") == (100.0, 7)  # 700 / 7 tickets
    assert value(ws, "cac") == (250.0, 2)  # (300 + 200) / 2 new customers


def test_clv(ws: Workspace) -> None:
    # AOV 300 / 3 = 100; 1.5 orders per buyer in 31 days; lifespan of churned customers up to
    # the end of October: U2 501 days, U3 10 days -> 255.5 days; 100 x 1.5 x 255.5 / 31
    assert value(ws, "clv_simple") == (pytest.approx(100 * 1.5 * 255.5 / 31), 2)
    assert value(ws, "clv") == value(ws, "clv_simple")  # the default variant
    assert value(ws, "clv_predictive") == (pytest.approx(100 * 1.5 * 255.5 / 31), 2)
    assert value(ws, "clv_historical") == (72.5, 2)  # (50 + 20 + 75) / 2
    assert value(ws, "clv_net") == (pytest.approx(150 * 255.5 / 31 - 250), 2)


def test_engagement(ws: Workspace) -> None:
    # active during October: U1..U5; visit: U1, U4, U5 = 60 %; login: U1 = 20 %
    rates = by(ws, "engagement_rate", "kind")
    assert rates == {"login": (20.0, 5), "visit": (60.0, 5)}
    assert value(ws, "engagement_score") == (40.0, 5)


# --- the CLI contract and explain -------------------------------------------------------------

def test_cli_json_contract(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--workspace", str(ws.directory), "metrics", "tickets_solved", "--grain", "month",
                 "--from", "2025-10-01", "--to", "2025-12-01", "--by", "agent_id",
                 "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"metric": "tickets_solved", "period": OCT, "agent_id": "a1", "value": 1.0,
         "unit": "count", "count": 1},
        {"metric": "tickets_solved", "period": OCT, "agent_id": "a2", "value": 2.0,
         "unit": "count", "count": 2},
        {"metric": "tickets_solved", "period": OCT, "agent_id": "a3", "value": 2.0,
         "unit": "count", "count": 2},
        {"metric": "tickets_solved", "period": NOV, "agent_id": "a1", "value": 1.0,
         "unit": "count", "count": 1},
    ]


def test_a_filter_a_part_cannot_take_is_said(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    # tier1 tickets created in October: T1, T2, T4, T5, T7; support cost has no team, so all
    # 700 of it is divided by them -- and the caller is told
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        assert value(ws, "cost_per_ticket", where={"team": "tier1"}) == (140.0, 5)
    notes = [str(w.message) for w in caught if w.category is QueryWarning]
    assert len(notes) == 1 and "--where team does not apply to its part 'support'" in notes[0]
    code = main(["--workspace", str(ws.directory), "metrics", "cost_per_ticket", "--where",
                 "team=tier1", "--from", "2025-10-01", "--to", "2025-11-01", "--format", "json"])
    assert code == 0
    out = capsys.readouterr()
    assert json.loads(out.out)[0]["value"] == 140.0
    assert "note:" in out.err and "--where team does not apply" in out.err
    # explain applies the same filter to the parts that have the column
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", QueryWarning)
        frame = ws.engine().explain(build_query("cost_per_ticket", "month", (), OCT, NOV,
                                                {"team": "tier1"}))
    assert sorted(frame[frame.part == "tickets"].unit) == ["T1", "T2", "T4", "T5", "T7"]
    assert frame[frame.part == "support"].value.tolist() == [700.0]


def test_explain_lists_units_with_their_values(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    frame = ws.engine().explain(
        __import__("supportmetrics.engine", fromlist=["build_query"]).build_query(
            "first_response_time", "month", (), "2025-10-01", "2025-11-01"
        )
    )
    values = dict(zip(frame["unit"], frame["value"], strict=True))
    assert values["T4"] == 228600.0 and values["T2"] == 1200.0
    assert values["T5"] != values["T5"]  # never answered: no value
    code = main(["--workspace", str(ws.directory), "explain", "fcr_rate", "--period", "2025-10",
                 "--format", "json"])
    assert code == 0
    units = {r["unit"]: r["numerator"] for r in json.loads(capsys.readouterr().out)}
    assert units == {"T1": 1.0, "T2": 1.0, "T3": 0.0, "T4": 1.0}


def test_unknown_metric_and_bad_dimension_are_user_errors(ws: Workspace) -> None:
    assert main(["--workspace", str(ws.directory), "metrics", "nope"]) == 2
    assert main(["--workspace", str(ws.directory), "metrics", "nps", "--by", "priority"]) == 2


def test_facts_export(ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--workspace", str(ws.directory), "facts", "tickets", "--format", "csv"]) == 0
    import csv
    import io

    rows = {r["ticket_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert float(rows["T4"]["first_response_seconds"]) == 228600.0
    assert float(rows["T4"]["first_response_business_seconds"]) == 1800.0
    assert rows["T2"]["reopens"] == "1" and rows["T3"]["solved_agent"] == "a3"
    assert rows["T5"]["frt_breached"] == "true" and rows["T6"]["reopens"] == ""
    out = tmp_path / "facts.parquet"
    assert main(["--workspace", str(ws.directory), "facts", "tickets", "--format", "parquet",
                 "--out", str(out)]) == 0
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == 8


def test_feedback_volume_by_hour_of_week(ws: Workspace) -> None:
    # local (UTC) hour of week, Monday 00:00 = 0: Wed 10:00 = 2 x 24 + 10 = 58; Thu 10:00 = 82;
    # Thu 11:00 = 83
    assert by(ws, "feedback_volume", "hour_of_week") == {58: (1.0, 1), 82: (1.0, 1), 83: (1.0, 1)}
    assert by(ws, "feedback_volume", "source") == {"email": (1.0, 1), "twitter": (2.0, 2)}


# --- the default range: the metric's own data --------------------------------------------------

def test_without_from_and_to_a_metric_covers_its_own_data(ws: Workspace) -> None:
    # tickets (and their events) run from Wed 2025-10-01 to Mon 2025-11-03; customers sign up
    # from 2024-01-01, which must not give ticket metrics 21 empty months before October
    frame = ws.metric("ticket_volume")
    assert frame[["period", "value"]].values.tolist() == [["2025-10-01", 7.0], ["2025-11-01", 1.0]]
    # ISO weeks: 2025-09-29 (holding Oct 1) to 2025-11-03 (holding Nov 3) = 6 weeks; the calls
    # all fall in the first (Oct 1-2)
    weeks = ws.metric("service_level", grain="week", where={"request_kind": "call"})
    assert weeks["period"].tolist() == [
        "2025-09-29", "2025-10-06", "2025-10-13", "2025-10-20", "2025-10-27", "2025-11-03"]
    assert weeks["count"].tolist() == [4, 0, 0, 0, 0, 0]
    # a metric of the customers covers the customers: Jan 2024 (U1) to Nov 2025 (U4 churns) = 23
    churn = ws.metric("churn_rate")
    assert churn["period"].iloc[0] == "2024-01-01" and churn["period"].iloc[-1] == "2025-11-01"
    assert len(churn) == 23


# --- a survey scale's direction -------------------------------------------------------------------

CES_ROWS = [  # 1-7 scale
    ("E1", "ces", "2025-10-01 12:00", "2025-10-01 13:00", 7),
    ("E2", "ces", "2025-10-01 12:00", "2025-10-01 14:00", 2),
    ("E3", "ces", "2025-10-01 12:00", "2025-10-01 15:00", 1),
]


@pytest.mark.parametrize(("settings", "direction", "best_two"), [
    ("", "higher is better", 100 / 3),  # 6-7 are best: E1 of three
    ('[surveys.directions]\nces = "lower"\n', "lower is better", 200 / 3),  # 1-2: E2 and E3
])
def test_every_ces_metric_follows_the_scale_direction(
    tmp_path: Path, settings: str, direction: str, best_two: float
) -> None:
    import pandas as pd

    from supportmetrics.metrics import direction_in, get_metric

    (tmp_path / "supportmetrics.toml").write_text(settings, encoding="utf-8")
    with Workspace.open(tmp_path) as ces_ws:
        frame = pd.DataFrame(CES_ROWS, columns=["response_id", "survey", "sent_at",
                                                "responded_at", "score"])
        assert ces_ws.ingest_frame("surveys", frame.astype(str)).ok
        assert value(ces_ws, "ces_agree_pct") == (pytest.approx(best_two), 3)
        assert value(ces_ws, "ces") == (pytest.approx(10 / 3), 3)  # (7 + 2 + 1) / 3 either way
        assert direction_in(get_metric("ces"), ces_ws.settings).value == direction
        assert direction_in(get_metric("ces_agree_pct"), ces_ws.settings).value == "higher is better"


def test_service_level_per_request_kind(ws: Workspace) -> None:
    # calls alone: K1 and K6 answered within 20 s of K1, K2, K4, K6 (K3 a short abandon) = 2 / 4;
    # tickets alone: all but T5 first answered within target = 6 / 7; mixed: 8 / 11
    assert value(ws, "service_level_calls") == (50.0, 4)
    assert value(ws, "service_level_tickets") == (pytest.approx(600 / 7), 7)
    assert value(ws, "service_level") == (pytest.approx(800 / 11), 11)


def test_the_summary_never_mixes_tickets_and_calls(ws: Workspace) -> None:
    from supportmetrics.engine.summary import summary_rows

    rows = {metric_id: (title, values) for metric_id, title, values in summary_rows(ws)[1:]}
    assert "service_level" not in rows
    # the last three months of the tickets' data: Sep, Oct, Nov 2025 (calls only in October)
    assert rows["service_level_calls"] == ("Service level (calls)", ["-", "50.0 %", "-"])
    assert rows["service_level_tickets"] == ("Service level (tickets)", ["-", "85.7 %", "100.0 %"])


# --- a metric whose data the workspace does not have ----------------------------------------------

TICKETS_ONLY = [  # as a city's service-request export: no replies, no costs, no calls
    ("R1", "2025-10-01 09:00", "2025-10-02 09:00", "closed"),
    ("R2", "2025-10-03 09:00", None, "open"),
]


def test_a_metric_without_its_data_is_null_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    with Workspace.open(tmp_path / "ws") as city:
        frame = pd.DataFrame(TICKETS_ONLY, columns=["ticket_id", "created_at", "resolved_at",
                                                    "status"])
        assert city.ingest_frame("tickets", frame.astype(object).where(frame.notna(), None)).ok
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            # without replies every ticket would be "unanswered" (2) and the literal FRT 0 s
            assert value(city, "frt_unanswered") == (None, 0)
            assert value(city, "frt_per_resolved") == (None, 0)
            assert value(city, "cost_per_ticket") == (None, 0)  # no costs: not 0.00
            assert value(city, "blocked_calls") == (None, 0)  # no calls: not 0
            # what the data supports is computed: R1 solved after 86400 s; 2 tickets
            assert value(city, "resolution_time") == (86400.0, 1)
            assert value(city, "ticket_volume") == (2.0, 2)
        notes = [str(w.message) for w in caught if w.category is QueryWarning]
        assert notes == [
            "frt_unanswered: no replies (agent_reply events, or first_response_at or first_response_seconds on tickets) "
            "in the workspace; left empty (not 0)",
            "frt_per_resolved: no replies (agent_reply events, or first_response_at or first_response_seconds on tickets) "
            "in the workspace; left empty (not 0)",
            "cost_per_ticket: no ledger entries in the workspace; left empty (not 0)",
            "blocked_calls: no calls in the workspace; left empty (not 0)",
        ]
        # an event log without agent replies: FCR is not 0 %, it is unknown
        events = pd.DataFrame([("v1", "R1", "2025-10-01 09:00", "customer_message", None),
                               ("v2", "R1", "2025-10-02 09:00", "status_change", "solved")],
                              columns=["event_id", "ticket_id", "at", "kind", "status"])
        assert city.ingest_frame("ticket_events", events.astype(object)
                                 .where(events.notna(), None)).ok
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            assert value(city, "fcr_rate") == (None, 0)
            assert value(city, "reopen_rate") == (0.0, 1)  # status changes are there: R1 not reopened
        assert [str(w.message) for w in caught] == [
            "fcr_rate: no reply counts (agent_reply events, or replies on tickets) in the workspace; left empty (not 0)"]
    code = main(["--workspace", str(tmp_path / "ws"), "metrics", "frt_unanswered", "--from",
                 "2025-10-01", "--to", "2025-11-01", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0 and json.loads(out.out)[0]["value"] is None
    assert "frt_unanswered: no replies" in " ".join(out.err.split())
