"""The monthly report on the hand-made fixture (tests/engine_fixture.py): model, HTML, PDF, CLI.

Expected values are the hand-computed ones of tests/test_metrics.py for October 2025.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from engine_fixture import build

from supportmetrics import Workspace
from supportmetrics.cli import main
from supportmetrics.errors import QueryError
from supportmetrics.metrics import get_metric
from supportmetrics.reports import Report, build_report, write_report
from supportmetrics.reports.html import render_html
from supportmetrics.reports.model import MetricRow, Target, _spikes, resolve_periods


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render_html(report)


def current_cell(html: str, metric_id: str) -> str:
    row = re.search(rf'<tr[^>]*id="m-{metric_id}">(.*?)</tr>', html, re.S)
    assert row, metric_id
    cell = re.search(r'<td class="current">(.*?)</td>', row.group(1))
    assert cell, row.group(1)
    return cell.group(1)


# --- the model ----------------------------------------------------------------------------------


def test_periods_are_the_chosen_month_and_six_before(report: Report) -> None:
    assert report.periods[0] == date(2025, 4, 1) and report.period == date(2025, 10, 1)
    assert len(report.periods) == 7 and report.end == date(2025, 11, 1)


def test_default_period_holds_the_last_ticket(ws: Workspace) -> None:
    periods, end = resolve_periods("month", None, None, None, date(2025, 11, 3))
    assert periods[-1] == date(2025, 11, 1) and end == date(2025, 12, 1) and len(periods) == 7


def test_from_to_and_weeks() -> None:
    periods, end = resolve_periods("month", None, "2024-12", "2025-11", date(2025, 11, 3))
    assert periods[0] == date(2024, 12, 1) and periods[-1] == date(2025, 10, 1)
    assert end == date(2025, 11, 1) and len(periods) == 11
    weeks, end = resolve_periods("week", "2025-10-08", None, None, date(2025, 11, 3))
    assert weeks[-1] == date(2025, 10, 6) and end == date(2025, 10, 13)  # Monday to Monday
    assert weeks[0] == date(2025, 8, 25)
    with pytest.raises(QueryError, match="exclude each other"):
        resolve_periods("month", "2025-10", "2025-01", None, date(2025, 11, 3))
    with pytest.raises(QueryError, match="month or week"):
        resolve_periods("day", None, None, None, date(2025, 11, 3))


def test_tracker_values_are_the_engines(report: Report) -> None:
    assert report.row("ticket_volume").current == 7.0
    assert report.row("tickets_solved").current == 5.0
    assert report.row("fcr_rate").current == 75.0
    assert report.row("reopen_rate").current == 25.0
    assert report.row("nps").current == 25.0
    assert report.row("csat").current == pytest.approx(200 / 3)
    assert report.row("first_response_time").current == 39250.0
    assert report.row("aht").current == 427.5
    assert report.row("ticket_volume").previous == 0.0  # September: no tickets
    assert report.row("fcr_rate").previous is None  # a rate over nothing
    assert "channel_share" not in {r.metric.id for r in report.rows}


def test_targets_and_marks_respect_direction() -> None:
    band = Target(70.0, 85.0, "benchmark")
    assert (band.met(69.9), band.met(70), band.met(85), band.met(85.1)) == (False, True, True, False)
    assert band.met(float("nan")) is None
    down, up = get_metric("reopen_rate"), get_metric("csat")
    fewer_reopens = MetricRow(down, "x", (10.0, 8.0), (1, 1))
    assert (fewer_reopens.trend, fewer_reopens.status) == ("better", "good")
    lower_csat = MetricRow(up, "x", (80.0, 70.0), (1, 1))
    assert (lower_csat.trend, lower_csat.status) == ("worse", "bad")
    # a target wins over the trend: CSAT rose but is still under 85
    rising = MetricRow(up, "x", (70.0, 80.0), (1, 1), Target(85.0, None, "toml"))
    assert (rising.trend, rising.status) == ("better", "bad")
    neutral = MetricRow(get_metric("ticket_volume"), "x", (1.0, 9.0), (1, 9))
    assert neutral.status == ""


def test_benchmarks_and_configured_targets(report: Report, tmp_path: Path) -> None:
    utilization = report.row("agent_utilization").target
    assert utilization is not None and (utilization.low, utilization.high) == (70.0, 85.0)
    cost = report.row("support_cost_ratio").target
    assert cost is not None and (cost.low, cost.high) == (None, 10.0)
    assert report.row("support_cost_ratio").current == 7.0  # 700 / 10,000
    assert report.row("support_cost_ratio").status == "good"
    from engine_fixture import SETTINGS

    ws2 = build(tmp_path / "ws", SETTINGS + "[targets]\ncsat = 85\nreopen_rate = 20\n"
                "agent_utilization = [60, 80]\n")
    try:
        other = build_report(ws2, period="2025-10")
    finally:
        ws2.close()
    assert other.row("csat").target == Target(85.0, None, "target (supportmetrics.toml)")
    assert other.row("csat").status == "bad"  # 66.7 % < 85
    assert other.row("reopen_rate").target == Target(None, 20.0, "target (supportmetrics.toml)")
    assert other.row("reopen_rate").status == "bad"  # 25 % > 20
    assert other.row("agent_utilization").target == Target(60.0, 80.0,
                                                           "target (supportmetrics.toml)")


def test_spikes_name_the_categories_that_rose() -> None:
    weeks = [f"2025-0{m}-0{d}" for m, d in ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6),
                                             (1, 7), (1, 8), (1, 9), (2, 1))]
    wide = pd.DataFrame({"returns": [10, 12, 11, 10, 12, 11, 10, 12, 60, 11],
                         "technical": [20, 21, 19, 20, 22, 21, 20, 19, 25, 20]},
                        index=weeks)
    spikes = _spikes(wide, weeks[0])
    assert [(s.series, s.period) for s in spikes] == [("all", weeks[8]), ("returns", weeks[8])]
    everything = spikes[0]
    # the 8 weeks before: 30, 33, 30, 30, 34, 32, 30, 31 -> median (30 + 31) / 2
    assert everything.value == 85 and everything.level == 30.5
    assert everything.top[0] == ("returns", 60.0, 11.0)


def test_scorecards(report: Report) -> None:
    agents = report.scorecards.agents.set_index("agent_id")
    assert agents["tickets_solved"].to_dict() == {"a1": 1.0, "a2": 2.0, "a3": 2.0}
    assert agents["team"].to_dict() == {"a1": "tier1", "a2": "tier1", "a3": "tier2"}
    assert agents.loc["a1", "first_response_time"] == 1800.0
    assert agents.loc["a1", "agent_utilization"] == pytest.approx(100 * 510 / 57600)
    assert report.scorecards.total["tickets_solved"] == 5.0
    teams = report.scorecards.teams.set_index("team")
    assert teams["tickets_solved"].to_dict() == {"tier1": 3.0, "tier2": 2.0}


def test_sla_rows_carry_the_configured_targets(report: Report) -> None:
    urgent = report.sla[0]
    assert urgent.priority == "urgent" and urgent.first_response_target_s == 3600
    assert urgent.resolution_target_s == 8 * 3600
    assert [r.priority for r in report.sla] == ["urgent", "high", "normal", "low"]


def test_latest_comments_with_scores(report: Report) -> None:
    # S3 "slow" (3) answered after S1 "Great help" (5); S2's empty comment is left out
    assert [(c.text, c.score, c.survey) for c in report.comments] == [
        ("slow", 3.0, "csat"), ("Great help", 5.0, "csat")]


def test_filter_by_team(ws: Workspace) -> None:
    tier2 = build_report(ws, period="2025-10", where={"team": "tier2"})
    assert tier2.row("ticket_volume").current == 2.0  # T3, T6
    assert list(tier2.scorecards.agents["agent_id"]) == ["a3"]
    assert "team = tier2" in render_html(tier2)
    # support cost has no team: said in the report's notes, not hidden
    assert any(n.startswith("cost_per_ticket: --where team does not apply to its part 'support'")
               for n in tier2.notes)
    assert "cost_per_ticket: --where team does not apply" in render_html(tier2)


# --- HTML -----------------------------------------------------------------------------------------


def test_html_shows_the_hand_computed_values(html: str) -> None:
    assert current_cell(html, "ticket_volume") == "7"
    assert current_cell(html, "tickets_solved") == "5"
    assert current_cell(html, "fcr_rate") == "75.0 %"
    assert current_cell(html, "reopen_rate") == "25.0 %"
    assert current_cell(html, "csat") == "66.7 %"
    assert current_cell(html, "nps") == "25.0"
    assert current_cell(html, "first_response_time") == "10.9 h"  # 39,250 s
    assert current_cell(html, "support_cost_ratio") == "7.0 %"
    assert "Customer service report – Oct 2025" in html
    assert "“Great help”" in html and "5 / 5" in html


def test_html_is_self_contained(html: str) -> None:
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=", html)
    assert html.count("<svg") == 3  # the charts, inline
    assert "table class=\"sortable\"" in html and "addEventListener" in html


def test_html_lists_every_definition(html: str) -> None:
    for metric_id in ("nps", "churn_net", "agent_utilization", "sla_compliance"):
        assert f'<span class="id">{metric_id}</span>' in html
    assert get_metric("nps").definition.replace("%", "%") in html


# --- PDF and CLI ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (poppler-utils) is not installed; .ci/system-deps installs it")
def test_pdf_pages_render_with_content(report: Report, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    out = tmp_path / "report.pdf"
    write_report(report, "pdf", out)
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")],
                   check=True, capture_output=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # summary, tracker, volume, agents, SLA/comments, definitions
    for page in pages:
        image = Image.open(page).convert("L")
        stat = ImageStat.Stat(image)
        dark = sum(image.histogram()[:200])
        assert stat.stddev[0] > 5 and dark > 200, f"{page.name} looks blank"


def test_cli_writes_each_format(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code = main(["--workspace", str(ws.directory), "report", "--period", "2025-10",
                 "--format", "html", "--out", str(out)])
    assert code == 0 and "Oct 2025" in out.read_text(encoding="utf-8")
    code = main(["--workspace", str(ws.directory), "report", "--format", "docx",
                 "--out", str(tmp_path / "r.docx")])
    assert code == 2
    code = main(["--workspace", str(ws.directory), "report", "--period", "2025-13",
                 "--format", "html", "--out", str(out)])
    assert code == 2


def test_a_report_for_a_period_without_data_is_a_user_error(
    ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "jan.html"
    code = main(["--workspace", str(ws.directory), "report", "--period", "2030-01", "--format",
                 "html", "--out", str(out)])
    assert code == 2 and not out.exists()
    err = " ".join(capsys.readouterr().err.split())
    # the hand-made data runs from U1's signup on 2024-01-01 to U4's churn on 2025-11-05
    assert "no data in 2030-01: the workspace holds data from 2024-01-01 to 2025-11-05" in err
    with pytest.raises(QueryError, match="no data in the week of 2023-01-02"):
        build_report(ws, period="2023-01-04", grain="week")


def test_ces_marks_and_comments_follow_the_scale_direction(report: Report, tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import datetime

    from engine_fixture import SETTINGS

    from supportmetrics.reports.html import _comments
    from supportmetrics.reports.model import Comment

    # the default CES scale is an agree / ease scale: ces and ces_agree_pct both rise when better
    assert report.row("ces").metric.direction.value == "higher is better"
    assert report.row("ces_agree_pct").metric.direction.value == "higher is better"
    top = Comment(datetime(2025, 10, 3, 9), "ces", 7.0, 7.0, "a1", "chat", "easy")
    assert '<span class="score good">7 / 7</span>' in _comments(replace(report, comments=(top,)))
    ws2 = build(tmp_path / "ws", SETTINGS + '[surveys.directions]\nces = "lower"\n')
    try:
        effort = build_report(ws2, period="2025-10")
    finally:
        ws2.close()
    assert effort.row("ces").metric.direction.value == "lower is better"
    assert effort.row("ces_agree_pct").metric.direction.value == "higher is better"
    (comment,) = [c for c in effort.comments if c.survey == "csat"][:1]
    assert comment.higher_is_better
    hard = replace(top, higher_is_better=False)
    assert '<span class="score bad">7 / 7</span>' in _comments(replace(effort, comments=(hard,)))


def test_no_tracker_row_mixes_tickets_and_calls(report: Report) -> None:
    ids = {r.metric.id for r in report.rows}
    assert "service_level" not in ids
    assert report.row("service_level_calls").current == 50.0  # 2 of 4 offered calls
    assert report.row("service_level_tickets").current == pytest.approx(600 / 7)
    assert report.row("service_level_calls").primary


def test_metrics_without_their_data_are_greyed_not_judged(tmp_path: Path) -> None:
    from engine_fixture import TICKETS, _frame

    from supportmetrics.engine.summary import missing_headlines, summary_rows
    from supportmetrics.reports.html import _tiles

    with Workspace.open(tmp_path / "ws") as city:  # the fixture's tickets alone: no events
        columns = ["ticket_id", "created_at", "channel", "category", "priority", "customer_id",
                   "agent_id", "team", "status", "is_complaint", "first_response_at",
                   "resolved_at", "handle_seconds"]
        # T6 alone carries a first_response_at: drop it, as a file without replies would
        tickets = _frame([(*t[:10], None, *t[11:]) for t in TICKETS], columns)
        assert city.ingest_frame("tickets", tickets.astype(str).replace({"None": None})).ok
        report = build_report(city, period="2025-10")
        rows = {"summary": summary_rows(city), "missing": missing_headlines(city)}
    frt = report.row("frt_unanswered")
    assert frt.values == (None,) * 7 and (frt.status, frt.trend) == ("", "")
    assert frt.missing == ("no replies (agent_reply events, or first_response_at or first_response_seconds on tickets) "
                           "in the workspace; left empty (not 0)")
    assert report.row("cost_per_ticket").missing.startswith("no ledger entries")
    assert report.row("ticket_volume").current == 7.0 and not report.row("ticket_volume").missing
    assert not any("left empty" in n for n in report.notes)  # on the rows, not repeated
    tiles = _tiles(report)
    assert ('<div class="tile missing"><div class="name">First response time</div>'
            '<div class="value">–</div><div class="sub">no replies') in tiles
    shown = {metric_id for metric_id, _title, _values in rows["summary"][1:]}
    assert "first_response_time" not in shown and "cost_per_ticket" not in shown
    assert "ticket_volume" in shown and "resolution_time" in shown
    assert ("not shown, no replies (agent_reply events, or first_response_at or first_response_seconds on tickets) in the "
            "workspace: first_response_time, sla_compliance, service_level_tickets"
            in rows["missing"])
    assert "not shown, no calls in the workspace: service_level_calls, asa, abandonment_rate" \
        in rows["missing"]


def test_charts_and_xlsx_are_in_the_base_install() -> None:
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    base = {re.split(r"[<>=\[ ]", d)[0] for d in project["dependencies"]}
    assert {"altair", "vl-convert-python", "xlsxwriter"} <= base
    assert "weasyprint" not in base
    assert project["optional-dependencies"]["pdf"] == ["weasyprint>=62"]


def test_pdf_without_weasyprint_says_what_to_install(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    out = tmp_path / "r.pdf"
    code = main(["--workspace", str(ws.directory), "report", "--period", "2025-10",
                 "--format", "pdf", "--out", str(out)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and not out.exists()
    assert "pip install 'supportmetrics[pdf]'" in err and "Pango" in err
    assert "--format html" in err and "Traceback" not in err


def test_unwritable_out_is_a_user_error(ws: Workspace, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("html", "xlsx"):
        out = tmp_path / "missing" / f"r.{fmt}"
        code = main(["--workspace", str(ws.directory), "report", "--period", "2025-10",
                     "--format", fmt, "--out", str(out)])
        err = " ".join(capsys.readouterr().err.split())
        assert code == 2 and "Traceback" not in err, fmt
        assert "missing does not exist; create it or choose another path" in err, fmt
    assert not list(tmp_path.rglob("*.tmp"))


def test_progress_counts_every_step(ws: Workspace) -> None:
    calls: list[tuple[int, int, str]] = []
    build_report(ws, period="2025-10", progress=lambda *call: calls.append(call))
    from supportmetrics.reports.model import TRACKER_SKIP

    # every metric but channel_share and the mixed service_level (its kinds have their own rows)
    metrics = sum(1 for m in DOMAINS_METRICS() if m.id not in TRACKER_SKIP)
    total = metrics + 4  # + volume, agents, SLA, comments
    assert [c[0] for c in calls] == list(range(total + 1))
    assert {c[1] for c in calls} == {total}
    assert calls[0][2] == "tracker: " + next(iter(DOMAINS_METRICS())).id
    assert [c[2] for c in calls[-5:]] == ["ticket volume", "agent scorecards", "SLA",
                                          "survey comments", "done"]


def DOMAINS_METRICS() -> Iterator[Any]:
    from supportmetrics.metrics import DOMAINS

    for metrics in DOMAINS.values():
        yield from metrics


def test_progress_shows_on_a_terminal_only(ws: Workspace, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from rich.console import Console

    from supportmetrics.cli import report as report_cli

    args = ["--workspace", str(ws.directory), "report", "--period", "2025-10", "--format",
            "html", "--out", str(tmp_path / "r.html")]
    assert main(args) == 0
    assert capsys.readouterr().err == ""  # piped: no progress
    terminal = io.StringIO()
    monkeypatch.setattr(report_cli, "err_console",
                        Console(file=terminal, force_terminal=True, width=100))
    assert main(args) == 0
    shown = terminal.getvalue()
    assert "tracker: ticket_volume" in shown and "writing the html file" in shown


# --- currency -------------------------------------------------------------------------------------


def test_currency_setting_is_an_iso_4217_code() -> None:
    from supportmetrics.config import settings_from_dict
    from supportmetrics.errors import ConfigError

    assert settings_from_dict({"currency": "EUR"}).currency == "EUR"
    assert settings_from_dict({}).currency is None
    with pytest.raises(ConfigError, match=r"currency: .*'eur' is not an ISO 4217 .*'EUR'\?"):
        settings_from_dict({"currency": "eur"})
    with pytest.raises(ConfigError, match="'EURO' is not an ISO 4217 currency code"):
        settings_from_dict({"currency": "EURO"})


def test_money_carries_its_currency() -> None:
    from supportmetrics.engine.summary import format_value
    from supportmetrics.metrics import Unit

    assert format_value(1234.5, Unit.MONEY, "EUR") == "1,234.50 EUR"
    assert format_value(1234.5, Unit.MONEY, "JPY") == "1,234 JPY"  # no minor unit; 1234.5 -> even
    assert format_value(1234.5, Unit.MONEY, "KWD") == "1,234.500 KWD"  # three decimals
    assert format_value(1234.5, Unit.MONEY) == "1,234.50"
    assert format_value(25.0, Unit.PERCENT, "EUR") == "25.0 %"  # only money carries it


def test_report_shows_the_currency(tmp_path: Path, report: Report) -> None:
    from engine_fixture import SETTINGS

    from supportmetrics.reports.xlsx import money_format

    # without a currency the report says so
    assert any("without a currency: set currency" in n for n in report.notes)
    ws2 = build(tmp_path / "ws", 'currency = "EUR"\n' + SETTINGS)
    try:
        euros = build_report(ws2, period="2025-10")
    finally:
        ws2.close()
    assert euros.currency == "EUR" and not any("currency" in n for n in euros.notes)
    html = render_html(euros)
    # support cost 700 over the 7 October tickets = 100
    assert current_cell(html, "cost_per_ticket") == "100.00 EUR"
    assert money_format("EUR") == '#,##0.00 "EUR"' and money_format("JPY") == '#,##0 "JPY"'
    assert money_format("EUR", signed=True) == '+#,##0.00 "EUR";-#,##0.00 "EUR"'
    out = tmp_path / "r.xlsx"
    write_report(euros, "xlsx", out)
    import openpyxl

    tracker = openpyxl.load_workbook(out)["Tracker"]
    row = next(r[1].row for r in tracker.iter_rows(min_row=6) if r[1].value == "cost_per_ticket")
    cell = tracker.cell(row, 9)  # October
    assert (cell.value, cell.number_format) == (100, '#,##0.00 "EUR"')


# --- the category chart with an outlier week ------------------------------------------------------


def weekly(returns: list[float], technical: list[float]) -> pd.DataFrame:
    weeks = [f"2025-09-{d:02d}" for d in (1, 8, 15, 22, 29)] + \
        [f"2025-10-{d:02d}" for d in (6, 13, 20, 27)] + ["2025-11-03"]
    return pd.DataFrame({"period": weeks * 2, "category": ["returns"] * 10 + ["technical"] * 10,
                         "value": [float(v) for v in returns + technical]})


RETURNS = [10, 12, 11, 10, 12, 11, 10, 12, 400, 11]
TECHNICAL = [20, 21, 19, 20, 22, 21, 20, 19, 23, 20]


def test_one_outlier_week_cuts_the_scale() -> None:
    from supportmetrics.reports.charts import scale_top

    # returns sorted 10 10 10 11 11 11 12 12 12 400: Q1 = 10.25, Q3 = 12 (linear), far fence
    # 12 + 3 x 1.75 = 17.25, so 400 is an outlier; technical: Q3 21, Q1 20, fence 24, none.
    # The highest other week is technical's 23: the scale stops at 23 x 1.15 = 26.45
    assert scale_top(weekly(RETURNS, TECHNICAL)) == pytest.approx(26.45)
    # without the outlier nothing is cut
    assert scale_top(weekly([*RETURNS[:8], 13, 11], TECHNICAL)) is None
    # a large category is not an outlier next to small ones: each is judged against itself
    assert scale_top(weekly([v * 20 for v in TECHNICAL], TECHNICAL)) is None


def test_category_chart_marks_the_cut_week(report: Report) -> None:
    import dataclasses
    import json

    from supportmetrics.reports.charts import category_chart

    volume = dataclasses.replace(report.volume, weekly_category=weekly(RETURNS, TECHNICAL),
                                 spikes=())
    spec = category_chart(dataclasses.replace(report, volume=volume)).to_dict()
    lines = spec["layer"][0]
    assert lines["encoding"]["y"]["scale"] == {"domain": [0, pytest.approx(26.45)], "nice": False}
    shown = [row["shown"] for row in spec["datasets"][lines["data"]["name"]]]
    assert max(shown) == pytest.approx(26.45) and sorted(shown)[-2] == 23  # 400 drawn at the top
    text = json.dumps(spec, ensure_ascii=False)
    assert "returns 400" in text and "Scale cut at 26" in text
    plain = category_chart(report).to_dict()
    assert "scale" not in plain["layer"][0]["encoding"]["y"]
