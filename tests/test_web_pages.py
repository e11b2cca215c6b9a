"""The dashboard pages on a live server (uvicorn on loopback), read over HTTP and in chromium.

Every expected number is worked out by hand from tests/web_fixture.py (the arithmetic is in the
comments). The browser tests drive Debian's chromium through Playwright under a strict Content
Security Policy (no inline script or style, no eval) and check that the browser asks nothing of
any other host and logs no error.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from web_fixture import build

from supportmetrics import Workspace
from supportmetrics.alerts import STATE_FILE, Notice, State
from supportmetrics.alerts.state import MAX_ATTEMPTS, RuleState
from supportmetrics.web.pages import router

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = Path(CHROMIUM).exists()
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
browser_only = pytest.mark.skipif(
    not HAS_CHROMIUM, reason="needs Debian's chromium (apt-get install chromium; "
    ".ci/system-deps installs it)")


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture workspace's directory (tests that write alert state there remove it)."""
    path = tmp_path_factory.mktemp("web") / "ws"
    build(path)
    return path


@pytest.fixture(scope="module")
def base_url(directory: Path) -> Iterator[str]:
    """The pages of the fixture workspace, served read-only on a free loopback port."""
    app = FastAPI()
    # held for the module (no writer comes): the engine keeps its state between requests
    app.state.workspace = Workspace.open(directory, read_only=True).__enter__()
    app.include_router(router)

    @app.middleware("http")
    async def policy(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           ws="none", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.workspace.close()


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        yield http


def tile(view: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in view["tiles"] if t["metric"] == metric)


# --- the JSON twins --------------------------------------------------------------------------


def test_overview_twin_has_the_hand_computed_headlines(client: httpx.Client) -> None:
    view = client.get("/overview.json").json()
    # the last ticket is on Oct 8th: October is the chosen month, with the six before it
    assert view["period"] == "2025-10-01"
    assert [p["period"] for p in view["periods"]][0] == "2025-04-01"
    volume = tile(view, "ticket_volume")
    assert (volume["value"], volume["text"], volume["change_text"]) == (6.0, "6", "+2")  # 6 - 4
    frt = tile(view, "first_response_time")
    # (20 + 5 + 90 + 40 + 60 + 10) / 6 = 37.5 min; September (30 + 10 + 60 + 20) / 4 = 30 min
    assert (frt["value"], frt["text"], frt["change_text"]) == (2250.0, "37.5 min", "+7.5 min")
    assert frt["status"] == "bad"  # lower is better, and it rose
    csat = tile(view, "csat")
    # 3 of 4 answers are 4 or 5: 75 %; September 1 of 2: 50 %; the target is 80 %
    assert (csat["text"], csat["count"], csat["change_text"]) == ("75.0 %", 4, "+25.0 pts")
    assert (csat["target"], csat["status"]) == ("≥ 80.0 %", "bad")
    abandonment = tile(view, "abandonment_rate")
    assert (abandonment["text"], abandonment["count"]) == ("25.0 %", 4)  # 1 of 4 calls
    aht = tile(view, "aht")
    assert aht["text"] == "6.7 min"  # (300 + 60 + 240 + 600) / 3 = 400 s
    assert "churn_rate" not in {t["metric"] for t in view["tiles"]}  # no customers loaded


def test_filters_in_the_query_string_change_the_numbers(client: httpx.Client) -> None:
    tier2 = client.get("/metrics/ticket_volume.json", params={"team": "tier2"}).json()
    assert tier2["row"]["text"] == "2"  # T5, T6
    assert tier2["filters"]["team"] == "tier2"
    a1 = client.get("/tickets.json", params={"agent": "a1", "period": "2025-09"}).json()
    volume = next(r for r in a1["rows"] if r["metric"] == "ticket_volume")
    assert (a1["period"], volume["text"]) == ("2025-09-01", "2")  # S1, S4
    week = client.get("/tickets.json", params={"grain": "week"}).json()
    volume = next(r for r in week["rows"] if r["metric"] == "ticket_volume")
    assert (week["period"], volume["text"]) == ("2025-10-06", "3")  # T4, T5, T6 (Mon 6th on)


def test_spikes_name_the_categories_behind_them(client: httpx.Client) -> None:
    view = client.get("/tickets.json").json()
    spikes = [(s["series"], s["week"], s["tickets"], s["usual"]) for s in view["spikes"]]
    # weeks with tickets: Sep 1, 8, 15, 22 one each; Sep 29 T1-T3; Oct 6 T4-T6. Sep 29: 3 >
    # 2 x the median 1 of the weeks before; Oct 6: 3 > 2 x median(1, 1, 1, 1, 3) = 1
    assert spikes == [("all", "2025-09-29", 3.0, 1.0), ("returns", "2025-09-29", 1.0, 0.0),
                      ("all", "2025-10-06", 3.0, 1.0), ("billing", "2025-10-06", 2.0, 0.0)]
    # technical T1, T3 (usually median(1, 0, 0, 1) = 0.5 a week), returns T2 (usually 0)
    assert view["spikes"][0]["categories"] == [
        {"category": "technical", "tickets": 2.0, "usual": 0.5},
        {"category": "returns", "tickets": 1.0, "usual": 0.0}]
    assert view["spikes"][0]["units_url"] == "/units/ticket_volume?grain=week&period=2025-09-29"


def test_volume_by_weekday_and_hour(client: httpx.Client) -> None:
    view = client.get("/tickets.json").json()
    cells = {(c["weekday"], c["hour"]): c["tickets"] for c in view["by_hour"]}
    # T4 Mon 09, T5 Tue 14, T1 Wed 09, T2 Wed 10, T6 Wed 16, T3 Thu 11 (UTC)
    assert cells == {("Mon", 9): 1, ("Tue", 14): 1, ("Wed", 9): 1, ("Wed", 10): 1,
                     ("Wed", 16): 1, ("Thu", 11): 1}


def test_business_clock_and_priorities(client: httpx.Client) -> None:
    def by_priority(clock: str) -> dict[str, str]:
        view = client.get("/responsiveness.json", params={"clock": clock}).json()
        resolution = next(d for d in view["durations"] if d["metric"] == "resolution_time")
        return {c["label"]: c["text"] for c in resolution["by_priority"]}

    calendar, business = by_priority("calendar"), by_priority("business")
    # high: T2 1 h and T4 12 h on the calendar, median 6.5 h; on the business clock (Mon-Fri
    # 09-17) T4 09:00 -> 21:00 counts 8 h: median (1 + 8) / 2 = 4.5 h
    assert (calendar["high"], business["high"]) == ("6.5 h", "4.5 h")
    # normal: T1 4 h, T3 24 h, T6 2 h (median 4 h); business T1 4 h, T3 8 h, T6 1 h (4 h)
    assert (calendar["normal"], business["normal"]) == ("4.0 h", "4.0 h")


def test_scorecards_sort_and_show_sample_sizes(client: httpx.Client) -> None:
    view = client.get("/agents.json", params={"sort": "first_response_time"}).json()
    # a1 (20 + 90) / 2 = 55 min, a2 (5 + 40) / 2 = 22.5 min, a3 (60 + 10) / 2 = 35 min
    cells = [(a["agent_id"], a["cells"]["first_response_time"]["text"],
              a["cells"]["first_response_time"]["count"]) for a in view["agents"]]
    assert cells == [("a2", "22.5 min", 2), ("a3", "35.0 min", 2), ("a1", "55.0 min", 2)]
    desc = client.get("/agents.json", params={"sort": "first_response_time", "desc": "1"}).json()
    assert [a["agent_id"] for a in desc["agents"]] == ["a1", "a3", "a2"]
    agent = client.get("/agents/a2.json").json()
    csat = next(r for r in agent["rows"] if r["metric"] == "csat")
    assert (csat["text"], csat["count"]) == ("50.0 %", 2)  # a2: 4 and 2


def test_sla_breaches_and_open_tickets(client: httpx.Client) -> None:
    view = client.get("/sla.json").json()
    # T3 answered after 90 min (target 60), T4 after 40 min (target 30); T5 is still open
    assert [b["unit"] for b in view["breaches"]] == ["T3", "T4"]
    assert [u["unit"] for u in view["at_risk"]] == ["T5"]
    # T5: 60 of 60 min to the first response: 100 % of its target used
    assert view["at_risk"][0]["target_used_pct"] == 100.0
    compliance = next(r for r in view["rows"] if r["metric"] == "sla_compliance")
    assert compliance["text"] == "60.0 %"  # 3 of the 5 tickets judged met


def test_units_are_paginated_and_downloadable(client: httpx.Client) -> None:
    view = client.get("/units/ticket_volume.json", params={"size": 2, "page": 2}).json()
    # October in order of creation: T1, T2 | T3, T4 | T5, T6
    assert (view["total"], view["pages"]) == (6, 3)
    assert [u["unit"] for u in view["units"]] == ["T3", "T4"]
    assert view["next_url"] == "/units/ticket_volume?period=2025-10-01&size=2&page=3"
    download = client.get("/units/ticket_volume.csv", params={"team": "tier2"})
    assert download.headers["content-type"].startswith("text/csv")
    assert 'filename="ticket_volume-2025-10-01.csv"' in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["unit"], r["team"], r["value"]) for r in rows] == [("T5", "tier2", "1.0"),
                                                                  ("T6", "tier2", "1.0")]


def test_metric_page_breaks_down_by_a_dimension(client: httpx.Client) -> None:
    view = client.get("/metrics/csat.json", params={"by": "agent_id"}).json()
    assert view["metric"]["definition"]
    cells = {c["label"]: (c["text"], c["count"]) for c in view["breakdown"]}
    assert cells == {"a1": ("100.0 %", 1), "a2": ("50.0 %", 2), "a3": ("100.0 %", 1)}
    assert [p["text"] for p in view["row"]["periods"]][-2:] == ["50.0 %", "75.0 %"]


def test_mistakes_are_clear_errors(client: httpx.Client) -> None:
    unknown = client.get("/metrics/csta.json")
    assert unknown.status_code == 404
    assert "did you mean csat" in unknown.json()["error"]
    grain = client.get("/overview", params={"grain": "day"})
    assert grain.status_code == 400
    assert "grain &#39;day&#39;: expected one of month|week" in grain.text
    page = client.get("/units/csat.json", params={"page": 9})
    assert (page.status_code, page.json()["error"]) == (400, "page 9: expected 1 to 1")
    dimension = client.get("/metrics/nps.json", params={"by": "team"})
    assert dimension.status_code == 400
    assert "nps has the dimensions agent_id, channel, segment" in dimension.json()["error"]


def test_user_text_is_escaped(client: httpx.Client) -> None:
    html = client.get("/satisfaction").text
    assert "&lt;b&gt;quick&lt;/b&gt; &amp; kind" in html
    assert "<b>quick</b>" not in html


def _write_alert_state(directory: Path) -> None:
    """csat_low firing since 08:00, a rule no longer in the settings firing too, one rule
    pending and one resolved; notices: one failed (every attempt spent), one waiting to retry
    after its first failure, one sent and one not tried yet."""
    at = datetime(2025, 10, 9, 8, 0, tzinfo=UTC)
    with State(directory) as state:
        with state.transaction() as con:
            state.set_rule(con, RuleState("csat_low", "firing", 2, at, at, at))
            state.set_rule(con, RuleState("gone_rule", "firing", 1, at, None, at))
            state.set_rule(con, RuleState("backlog_big", "pending", 1, at, None, at))
            state.set_rule(con, RuleState("sla_risk", "ok", 0, None, None, at))
            for key, title in (("n1", "CSAT <low>"), ("n2", "CSAT retry"), ("n3", "sent one"),
                               ("n4", "not tried")):
                state.enqueue(con, Notice(key, "csat_low", "firing", "ops", "critical", title,
                                          "text"), at)
        first, second, third, _ = state.claim_due(at)
        state.record_delivery(replace(first, attempts=MAX_ATTEMPTS - 1), at, False,
                              "HTTP 500 from <hook>")
        state.record_delivery(second, at, False, "timed out")
        state.record_delivery(third, at, True, "ok")
        with state.transaction() as con:  # the fourth back to pending, never tried
            con.execute("UPDATE notices SET status = 'pending', claimed_at = NULL "
                        "WHERE key = 'n4'")


def test_overview_shows_the_alerts_firing_and_failed_notices(client: httpx.Client,
                                                              directory: Path) -> None:
    empty = client.get("/overview.json").json()["alerts"]
    assert empty == {"firing": [], "failed_notices": []}
    assert "No alert is firing now." in client.get("/overview").text
    _write_alert_state(directory)
    try:
        view = client.get("/overview.json").json()["alerts"]
        html = client.get("/overview").text
    finally:  # the workspace is shared by the module: leave no alert state behind
        for suffix in ("", "-wal", "-shm"):
            (directory / f"{STATE_FILE}{suffix}").unlink(missing_ok=True)
    assert view["firing"] == [
        {"rule": "csat_low", "since": "2025-10-09T08:00:00+00:00", "severity": "critical"},
        {"rule": "gone_rule", "since": "2025-10-09T08:00:00+00:00", "severity": None}]
    # newest first; the sent and the untried notices are not shown
    assert view["failed_notices"] == [
        {"id": 2, "source": "csat_low", "kind": "firing", "channel": "ops",
         "title": "CSAT retry", "status": "pending", "attempts": 1,
         "created_at": "2025-10-09T08:00:00+00:00",
         "next_attempt_at": "2025-10-09T08:01:00+00:00", "last_result": "timed out"},
        {"id": 1, "source": "csat_low", "kind": "firing", "channel": "ops",
         "title": "CSAT <low>", "status": "failed", "attempts": MAX_ATTEMPTS,
         "created_at": "2025-10-09T08:00:00+00:00", "next_attempt_at": None,
         "last_result": "HTTP 500 from <hook>"}]
    assert 'data-rule="csat_low"' in html and "<strong>csat_low</strong>" in html
    assert "backlog_big" not in html and "sla_risk" not in html
    assert "CSAT &lt;low&gt;" in html and "HTTP 500 from &lt;hook&gt;" in html
    assert "<hook>" not in html and "No alert is firing now." not in html
    assert client.get("/overview.json").json()["alerts"] == empty  # cleaned up


def test_the_chart_bundle_is_served_by_the_app(client: httpx.Client) -> None:
    html = client.get("/tickets").text
    scripts = [line for line in html.splitlines() if "<script src=" in line]
    assert len(scripts) == 2 and all('src="/static/' in s for s in scripts)
    name = scripts[0].split('src="/static/')[1].split('"')[0]
    bundle = client.get(f"/static/{name}")
    assert bundle.status_code == 200
    assert "window.vegaEmbed" in bundle.text
    assert "immutable" in bundle.headers["cache-control"]
    assert client.get("/static/other.js").status_code == 404


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not HAS_CHROMIUM:
        pytest.skip("needs Debian's chromium (apt-get install chromium; .ci/system-deps "
                    "installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A browser tab that records every request and every console error."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(120_000)  # a loaded CI machine computes slowly
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        self.page.goto(self.base_url + path)
        return self.page

    def charts_drawn(self) -> list[str]:
        """Wait for every chart of the page; their states (all ``true`` when drawn)."""
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart]')]"
            ".every(e => e.hasAttribute('data-drawn'))")
        states: list[str] = self.page.eval_on_selector_all(
            "[data-chart]", "els => els.map(e => e.getAttribute('data-drawn'))")
        return states

    def check(self) -> None:
        """Nothing was asked of another host and nothing went wrong in the page."""
        outside = [u for u in self.requests if not u.startswith(self.base_url + "/")]
        assert outside == []
        assert self.errors == []


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    tab = Visit(browser, base_url)
    try:
        yield tab
        tab.check()
    finally:
        tab.context.close()


@browser_only
def test_overview_in_the_browser(visit: Visit) -> None:
    page = visit.go("/")
    assert page.url.endswith("/overview")
    volume = page.locator('.tile[data-metric="ticket_volume"]')
    assert volume.locator(".value").inner_text() == "6"
    assert volume.locator(".change").inner_text().startswith("+2")
    csat = page.locator('.tile[data-metric="csat"]')
    assert csat.locator(".value").inner_text() == "75.0 %"
    assert "off target" in csat.locator(".change").inner_text()
    states = visit.charts_drawn()
    assert len(states) == 13 and set(states) == {"true"}  # one sparkline per tile
    assert page.locator('.tile[data-metric="csat"] svg').count() == 1


@browser_only
def test_filters_by_keyboard_change_the_numbers(visit: Visit) -> None:
    page = visit.go("/tickets")
    page.select_option('select[name="team"]', "tier2")
    page.focus('form.filters button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/tickets?*team=tier2*")
    row = page.locator('tr[data-metric="ticket_volume"]')
    assert row.locator("td").nth(6).inner_text() == "2"  # October: T5, T6
    assert page.locator('select[name="team"]').input_value() == "tier2"
    assert set(visit.charts_drawn()) == {"true"}
    # the filter stays on every link: to another page and back
    page.click('nav a[href^="/overview"]')
    assert "team=tier2" in page.url
    assert page.locator('.tile[data-metric="ticket_volume"] .value').inner_text() == "2"


@browser_only
def test_drill_down_to_the_units_and_download_them(visit: Visit) -> None:
    page = visit.go("/tickets?team=tier2")
    page.locator('tr[data-metric="ticket_volume"] td').nth(6).locator("a").click()
    page.wait_for_url("**/units/ticket_volume?*")
    units = page.locator("table.units tbody tr td:nth-child(2)").all_inner_texts()
    assert units == ["T5", "T6"]
    with page.expect_download() as download:
        page.click("text=Download CSV")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert [r["unit"] for r in csv.DictReader(io.StringIO(text))] == ["T5", "T6"]


@browser_only
def test_scorecards_sort_by_keyboard(visit: Visit) -> None:
    page = visit.go("/agents")
    page.focus('th a[href*="sort=first_response_time"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=first_response_time*")
    agents = page.locator("table.scorecards").first.locator("tbody tr th").all_inner_texts()
    assert agents == ["a2", "a3", "a1"]  # 22.5, 35 and 55 min
    cell = page.locator('tr[data-agent="a2"] td[data-metric="first_response_time"]')
    assert cell.inner_text().split() == ["22.5", "min", "n=2"]


@browser_only
def test_every_page_renders_its_charts(visit: Visit) -> None:
    for path, heading in (("/responsiveness?clock=business", "Responsiveness"),
                          ("/satisfaction", "Satisfaction"), ("/sla", "SLA"),
                          ("/calls", "Calls"), ("/customers", "Customers"),
                          ("/metrics", "All metrics"), ("/metrics/csat?by=agent_id",
                                                        "Customer satisfaction (CSAT %)"),
                          ("/agents/a1", "Agent a1")):
        page = visit.go(path)
        assert page.locator("h1").inner_text().startswith(heading), path
        assert set(visit.charts_drawn()) <= {"true"}, path
    page = visit.go("/responsiveness")
    # business clock p50 of first response: 5, 10, 20, 40, 60, 90 min -> (20 + 40) / 2
    side = page.locator('section[data-metric="first_response_time"] '
                        'tr[data-clock="business"][data-stat="median"] td').nth(2)
    assert side.inner_text() == "30.0 min"
    assert page.locator(".chart svg").count() == 2  # the two histograms
    comments = visit.go("/satisfaction").locator(".comments blockquote").all_inner_texts()
    assert comments == ["Took too long", "<b>quick</b> & kind", "Great help"]  # latest first


@browser_only
def test_readable_on_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(base_url + "/overview")
        page.wait_for_function("() => [...document.querySelectorAll('[data-chart]')]"
                               ".every(e => e.hasAttribute('data-drawn'))")
        # nothing wider than the screen: the page does not scroll sideways
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
