"""The HTTP API and access (web/api.py, web/auth.py, web/app.py) over the hand-made workspace.

One app for the module (tests/engine_fixture.py's rows, read-only); the ingest tests come last
and add tickets in December 2025 only, so the October numbers above stay as worked out.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from engine_fixture import build
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from supportmetrics.cli import main
from supportmetrics.web.app import create_app
from supportmetrics.web.auth import (
    AUTH_FILE,
    CSP,
    CSRF_FIELD,
    SESSION_COOKIE,
    TokenStore,
    csrf_token,
    require_csrf,
)


def _pages() -> APIRouter:
    """A stand-in for the dashboard's pages: one page and one form post."""
    router = APIRouter()

    @router.get("/page", response_class=HTMLResponse)
    def page(request: Request) -> str:
        return f'<form method="post"><input name="{CSRF_FIELD}" value="{csrf_token(request)}">'

    @router.post("/page", dependencies=[Depends(require_csrf)])
    def post() -> dict[str, bool]:
        return {"posted": True}

    return router


class Served:
    def __init__(self, directory: Path, client: TestClient, tokens: dict[str, str]) -> None:
        self.directory, self.client, self.tokens = directory, client, tokens

    def get(self, url: str, scope: str | None = "read", **kwargs: object) -> object:
        headers = {"Authorization": f"Bearer {self.tokens[scope]}"} if scope else {}
        return self.client.get(url, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("web") / "ws"
    build(directory).close()
    store = TokenStore(directory)
    tokens = {scope: store.create(f"{scope}-client", scope)[1] for scope in ("read", "ingest", "admin")}
    app = create_app(directory, pages=_pages(), failed_logins=3)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield Served(directory, client, tokens)


def _json(response: object) -> object:
    return response.json()  # type: ignore[attr-defined]


# -- reading ---------------------------------------------------------------------------------


def test_health_needs_no_token_and_every_response_carries_the_policy(served: Served) -> None:
    response = served.client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["timezone"]) == ("ok", "UTC")
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    missing = served.client.get("/nowhere")  # an error too
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    assert missing.headers["content-security-policy"] == CSP


def test_metrics_are_the_command_lines_json(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    response = served.get("/api/v1/metrics?metric=tickets_solved&metric=csat&from=2025-10-01"
                          "&to=2025-11-01")
    assert response.status_code == 200  # type: ignore[attr-defined]
    records = _json(response)
    # October: T1, T2, T3, T4 and T6 were solved (5); CSAT answers 5, 4, 3: 2 of 3 satisfied
    values = {r["metric"]: r["value"] for r in records}  # type: ignore[attr-defined]
    assert values["tickets_solved"] == 5
    assert values["csat"] == pytest.approx(200 / 3)
    assert records[0]["period"] == "2025-10-01"  # type: ignore[index]
    assert main(["-w", str(served.directory), "metrics", "tickets_solved", "csat", "--from",
                 "2025-10-01", "--to", "2025-11-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == records


def test_metrics_by_a_dimension(served: Served) -> None:
    response = served.get("/api/v1/metrics?metric=tickets_solved&by=team&grain=range"
                          "&from=2025-10-01&to=2025-11-01")
    # tier1 solved T1, T2, T4; tier2 T3, T6
    got = {r["team"]: r["value"] for r in _json(response)}  # type: ignore[attr-defined]
    assert got == {"tier1": 3, "tier2": 2}


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/api/v1/metrics?metric=nope", 404, "nope"),
    ("/api/v1/metrics?metric=tickets_solved&grain=fortnight", 422, "grain"),
    ("/api/v1/metrics?metric=tickets_solved&where=team", 400, "COLUMN=VALUE"),
    ("/api/v1/metrics?metric=tickets_solved&from=2025-13-01", 400, "2025-13-01"),
    ("/api/v1/metrics", 422, "metric"),
    ("/api/v1/explain?metric=tickets_solved&period=last-year", 400, "2025-10"),
])
def test_mistakes_are_json_errors_that_say_what_is_wrong(
    served: Served, url: str, status: int, words: str,
) -> None:
    response = served.get(url)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert words in _json(response)["error"]  # type: ignore[index]


def test_explain_lists_the_units_a_page_at_a_time(served: Served) -> None:
    url = "/api/v1/explain?metric=tickets_solved&period=2025-10&grain=range"
    response = served.get(url)
    assert sorted(r["unit"] for r in _json(response)) == ["T1", "T2", "T3", "T4", "T6"]  # type: ignore[attr-defined]
    page = served.get(url + "&limit=2&offset=4")
    assert page.headers["x-total-count"] == "5"  # type: ignore[attr-defined]
    assert len(_json(page)) == 1  # type: ignore[arg-type]  # the fifth of five
    csv = served.get(url + "&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")  # type: ignore[attr-defined]
    assert len(csv.text.splitlines()) == 6  # type: ignore[attr-defined]  # header + 5 units


def test_facts_stream_as_csv_and_parquet(served: Served) -> None:
    import csv

    response = served.get("/api/v1/facts")
    rows = {r["ticket_id"]: r for r in csv.DictReader(io.StringIO(response.text))}  # type: ignore[attr-defined]
    # T4: created Fri 3 Oct 18:00, first reply Sat 4 Oct... 228600 s (tests/test_metrics.py)
    assert float(rows["T4"]["first_response_seconds"]) == 228600.0
    assert rows["T1"]["created_at"] == "2025-10-01 09:00:00.000000Z"  # the workspace zone: UTC
    parquet = served.get("/api/v1/facts?format=parquet")
    table = pq.read_table(io.BytesIO(parquet.content))  # type: ignore[attr-defined]
    assert sorted(table.column("ticket_id").to_pylist())[:8] == [f"T{i}" for i in range(1, 9)]


def test_catalogue(served: Served) -> None:
    items = {m["id"]: m for m in _json(served.get("/api/v1/catalogue"))}  # type: ignore[attr-defined]
    assert items["csat"]["unit"] == "%" and items["tickets_solved"]["unit"] == "count"


def test_report_as_html_and_pdf_needs_its_extra(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    html = served.get("/api/v1/report?format=html&period=2025-10")
    assert html.status_code == 200 and "October 2025" in html.text  # type: ignore[attr-defined]
    assert "sandbox" in html.headers["content-security-policy"]  # type: ignore[attr-defined]
    import supportmetrics.reports.pdf as pdf
    from supportmetrics.errors import UserError

    def absent() -> None:
        raise UserError("PDF reports need WeasyPrint: pip install 'supportmetrics[pdf]'")

    monkeypatch.setattr(pdf, "require_weasyprint", absent)
    response = served.get("/api/v1/report?format=pdf")
    assert response.status_code == 501  # type: ignore[attr-defined]
    assert "supportmetrics[pdf]" in _json(response)["error"]  # type: ignore[index]


def test_openapi_and_its_docs_page(served: Served) -> None:
    schema = _json(served.get("/api/v1/openapi.json"))
    paths = set(schema["paths"])  # type: ignore[index]
    assert {"/api/v1/metrics", "/api/v1/explain", "/api/v1/facts", "/api/v1/catalogue",
            "/api/v1/report", "/api/v1/health", "/api/v1/ingest/{table}"} <= paths
    page = served.get("/api/v1/docs")
    assert "GET /api/v1/metrics" in page.text and "<script" not in page.text  # type: ignore[attr-defined]
    assert served.client.get("/api/v1/openapi.json").status_code == 401


# -- access ----------------------------------------------------------------------------------


def test_every_endpoint_but_health_needs_a_token(served: Served) -> None:
    for url in ("/api/v1/metrics?metric=csat", "/api/v1/catalogue", "/api/v1/facts",
                "/api/v1/report", "/api/v1/explain?metric=csat", "/api/v1/tokens"):
        response = served.client.get(url)
        assert response.status_code == 401, url
        assert "tokens create" in response.json()["error"]
        assert response.headers["www-authenticate"] == "Bearer"
    bad = served.client.get("/api/v1/catalogue", headers={"Authorization": "Bearer smt_x_y"})
    assert bad.status_code == 401 and "not valid" in bad.json()["error"]


def test_scopes_nest(served: Served) -> None:
    rows = [{"ticket_id": "S1", "created_at": "2025-12-01 08:00"}]
    read = served.client.post("/api/v1/ingest/tickets", json=rows,
                              headers={"Authorization": f"Bearer {served.tokens['read']}"})
    assert read.status_code == 403 and "scope 'ingest'" in read.json()["error"]
    assert served.get("/api/v1/tokens", "ingest").status_code == 403  # type: ignore[attr-defined]
    listed = _json(served.get("/api/v1/tokens", "admin"))
    assert {t["name"]: t["scope"] for t in listed} == {  # type: ignore[attr-defined]
        "read-client": "read", "ingest-client": "ingest", "admin-client": "admin"}
    assert all("token" not in t and "hash" not in t for t in listed)  # type: ignore[attr-defined]


def test_tokens_are_stored_hashed_in_an_owner_only_file(served: Served) -> None:
    path = served.directory / AUTH_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    for value in served.tokens.values():
        assert value.split("_", 2)[2].encode() not in data  # the secret part is never stored


def test_failed_logins_are_limited_per_address(served: Served) -> None:
    # a client of its own address: 3 failures allowed per minute (the fixture's limit)
    with TestClient(served.client.app, client=("192.0.2.7", 4000),
                    raise_server_exceptions=False) as other:
        wrong = {"Authorization": "Bearer smt_00000000_wrong"}
        assert [other.get("/api/v1/catalogue", headers=wrong).status_code
                for _ in range(3)] == [401, 401, 401]
        right = {"Authorization": f"Bearer {served.tokens['read']}"}
        limited = other.get("/api/v1/catalogue", headers=right)  # even the right token, now
        assert limited.status_code == 429 and "too many failed logins" in limited.json()["error"]
        assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert served.get("/api/v1/catalogue").status_code == 200  # type: ignore[attr-defined]


def test_login_sets_a_strict_session_cookie_and_pages_need_it(served: Served) -> None:
    client = TestClient(served.client.app, follow_redirects=False, client=("192.0.2.1", 1))
    to_login = client.get("/page?team=tier1")
    assert to_login.status_code == 303
    assert to_login.headers["location"] == "/login?next=/page%3Fteam%3Dtier1"
    form = client.get("/login?next=/page")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    forged = client.post("/login", data={"token": served.tokens["read"], "csrf_token": "x",
                                         "next": "/page"})
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.cookies
    csrf = forged.text.split('name="csrf_token" value="')[1].split('"')[0]  # a fresh form
    wrong = client.post("/login", data={"token": "smt_1_2", "csrf_token": csrf, "next": "/page"})
    assert wrong.status_code == 401 and "not valid" in wrong.text
    form = client.get("/login?next=/page")
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    ok = client.post("/login", data={"token": served.tokens["read"], "csrf_token": csrf,
                                     "next": "/page"})
    assert (ok.status_code, ok.headers["location"]) == (303, "/page")
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    page = client.get("/page")
    assert page.status_code == 200
    session_csrf = page.text.split('value="')[1].split('"')[0]
    assert client.post("/page", data={CSRF_FIELD: "forged"}).status_code == 403
    assert client.post("/page", data={CSRF_FIELD: session_csrf}).json() == {"posted": True}
    # the session reads the API (GET), but loads need a Bearer token
    assert client.get("/api/v1/catalogue").status_code == 200
    assert client.post("/api/v1/ingest/tickets", json=[]).status_code == 401
    out = client.post("/logout", data={CSRF_FIELD: session_csrf})
    assert out.status_code == 303
    assert client.get("/page").status_code == 303


def test_login_goes_back_to_this_site_only_and_escapes_what_it_shows(served: Served) -> None:
    form = served.client.get('/login?next=//evil.example/"><script>alert(1)</script>')
    assert "<script>alert" not in form.text
    assert 'name="next" value="/"' in form.text  # another host: back to the index instead


def test_a_revoked_token_stops_at_once(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    directory = str(served.directory)
    assert main(["-w", directory, "tokens", "create", "temp <b>", "--scope", "read"]) == 0
    value = capsys.readouterr().out.strip()
    headers = {"Authorization": f"Bearer {value}"}
    assert served.client.get("/api/v1/catalogue", headers=headers).status_code == 200
    client = TestClient(served.client.app, follow_redirects=False, client=("192.0.2.2", 1))
    csrf = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"token": value, "csrf_token": csrf})
    account = client.get("/account")
    assert "temp &lt;b&gt;" in account.text  # a token's name is escaped
    assert main(["-w", directory, "tokens", "list"]) == 0
    assert "temp <b>" in capsys.readouterr().out
    assert main(["-w", directory, "tokens", "revoke", "temp <b>"]) == 0
    assert client.get("/api/v1/catalogue", headers=headers).status_code == 401
    assert client.get("/account").status_code == 303  # its session ended too
    assert main(["-w", directory, "tokens", "revoke", "temp <b>"]) == 2  # already revoked
    assert "no active token" in capsys.readouterr().err


def test_token_commands_say_what_is_wrong(served: Served, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-w", str(served.directory), "tokens", "create", "x", "--scope", "root"]) == 2
    assert "expected one of read, ingest, admin" in capsys.readouterr().err
    assert main(["-w", str(served.directory), "tokens", "create", "read-client"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["-w", str(tmp_path / "none"), "tokens", "list"]) == 2
    assert "no workspace here" in capsys.readouterr().err
    assert main(["-w", str(served.directory), "serve", "--no-auth", "--host", "0.0.0.0"]) == 2
    assert "only on a loopback address" in capsys.readouterr().err


def test_without_authentication_on_loopback(served: Served) -> None:
    app = create_app(served.directory, auth=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/catalogue").status_code == 200
        assert "anonymous" in client.get("/account").text
        assert client.get("/api/v1/tokens").status_code == 404


# -- loading ---------------------------------------------------------------------------------


def _ingest(served: Served, headers: dict[str, str] | None = None, **kwargs: object) -> object:
    return served.client.post("/api/v1/ingest/tickets", headers={
        "Authorization": f"Bearer {served.tokens['ingest']}", **(headers or {})},
        **kwargs)  # type: ignore[arg-type]


def test_ingest_json_rows_reports_every_reject_and_is_idempotent(served: Served) -> None:
    rows = [
        {"ticket_id": "D1", "created_at": "2025-12-01 10:00", "channel": "email"},
        {"ticket_id": "D2", "created_at": "yesterday", "channel": "email"},
        {"ticket_id": "D3", "created_at": "2025-12-02 11:00", "channel": "chat"},
    ]
    first = _ingest(served, json=rows)
    body = _json(first)
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert (body["accepted"], body["inserted"], body["rejected"]) == (2, 2, 1)  # type: ignore[index]
    [reject] = body["rejects"]  # type: ignore[index]
    assert (reject["file"], reject["row"], reject["column"], reject["value"]) == (
        "rows.jsonl", 2, "created_at", "yesterday")
    # the server answers with the new rows at once: D1 and D3 in December
    december = served.get("/api/v1/metrics?metric=ticket_volume&from=2025-12-01&to=2026-01-01")
    assert [r["value"] for r in _json(december)] == [2]  # type: ignore[attr-defined]
    again = _json(_ingest(served, json=rows))  # a client retrying changes nothing
    assert (again["inserted"], again["unchanged"], again["rejected"]) == (0, 2, 1)  # type: ignore[index]


def test_ingest_gzipped_csv_files(served: Served) -> None:
    data = gzip.compress(b"ticket_id,created_at,channel\nD4,2025-12-03 09:00,web\n"
                         b"D5,2025-12-03 10:00,web\n")
    parquet = io.BytesIO()
    import pyarrow as pa

    pq.write_table(pa.table({"ticket_id": ["D6"], "created_at": ["2025-12-04 09:00"]}), parquet)
    response = _ingest(served, files=[("file", ("december.csv.gz", data)),
                                      ("file", ("more.parquet", parquet.getvalue()))])
    body = _json(response)
    assert response.status_code == 200, body  # type: ignore[attr-defined]
    assert (body["files"], body["inserted"]) == (["december.csv.gz", "more.parquet"], 3)  # type: ignore[index]
    december = served.get("/api/v1/metrics?metric=ticket_volume&from=2025-12-01&to=2026-01-01")
    assert [r["value"] for r in _json(december)] == [5]  # type: ignore[attr-defined]  # D1 D3 D4 D5 D6


def test_ingest_that_loads_nothing_says_why(served: Served) -> None:
    missing = _ingest(served, files=[("file", ("no-dates.csv", b"ticket_id\nD9\n"))])
    assert missing.status_code == 422  # type: ignore[attr-defined]
    body = _json(missing)
    assert "created_at" in body["error"] and body["load"]["committed"] is False  # type: ignore[index]
    assert _ingest(served, content=b"ticket_id,created_at\n", headers={
        "Content-Type": "text/csv"}).status_code == 415  # type: ignore[attr-defined]
    assert _ingest(served, content=b"{nope", headers={
        "Content-Type": "application/json"}).status_code == 400  # type: ignore[attr-defined]
    unknown = served.client.post("/api/v1/ingest/nope", json=[], headers={
        "Authorization": f"Bearer {served.tokens['ingest']}"})
    assert unknown.status_code == 404 and "tickets" in unknown.json()["error"]


def test_the_server_holds_no_file_between_requests(served: Served) -> None:
    # a writer of another kind (here: in this process, as `supportmetrics ingest` would in its
    # own) gets the workspace between two requests, and the next request sees its rows
    from supportmetrics import Workspace

    url = "/api/v1/metrics?metric=ticket_volume&from=2025-12-01&to=2026-01-01"
    before = sum(r["value"] for r in _json(served.get(url)))  # type: ignore[attr-defined]
    assert os.path.exists(served.directory / "supportmetrics.duckdb")
    with Workspace.open(served.directory) as writer:
        import pandas as pd

        writer.ingest_frame("tickets", pd.DataFrame(
            {"ticket_id": ["D7"], "created_at": ["2025-12-05 09:00"]}), refresh=False)
    after = sum(r["value"] for r in _json(served.get(url)))  # type: ignore[attr-defined]
    assert after == before + 1  # D7, in December


def test_health_answers_while_a_load_runs(served: Served) -> None:
    import threading

    from supportmetrics.web.deps import ServedWorkspace

    workspace: ServedWorkspace = served.client.app.state.workspace  # type: ignore[attr-defined]
    started, finish = threading.Event(), threading.Event()

    def hold(writer: object) -> None:
        started.set()
        assert finish.wait(60)

    loader = threading.Thread(target=workspace.load, args=(hold,))
    loader.start()
    try:
        assert started.wait(60)
        during = served.client.get("/api/v1/health").json()
        assert (during["loading"], during["generation"]) == (True, None)
    finally:
        finish.set()
        loader.join(60)
    after = served.client.get("/api/v1/health").json()
    assert after["loading"] is False and isinstance(after["generation"], int)
