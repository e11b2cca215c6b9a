"""The web app of ``supportmetrics serve``: the API, the login, and the pages.

``create_app(directory)`` builds it over a workspace, opened read-only for the app's lifetime::

    app = create_app("ws")                      # API, login and an index page
    app = create_app("ws", pages=pages.router)  # with the dashboard's pages (behind the login)
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportmetrics import __version__
from supportmetrics.errors import (
    MissingDependency,
    UnknownMetricError,
    UnknownTableError,
    UserError,
    WorkspaceBusy,
    translate,
)
from supportmetrics.web import api
from supportmetrics.web.auth import (
    CSP,
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Access,
    FailureLimiter,
    LoginRequired,
    SecurityHeaders,
    TokenStore,
    UnknownToken,
    access,
    cookie_options,
    login_url,
    new_session,
    require_csrf,
    require_page_session,
    require_scope,
    safe_next,
    session_token,
)
from supportmetrics.web.deps import ServedWorkspace

#: the HTTP status of each kind of user error (the rest: 400)
STATUS = ((WorkspaceBusy, 503), (MissingDependency, 501), (UnknownMetricError, 404),
          (UnknownTableError, 404), (UnknownToken, 404))

_templates = Environment(autoescape=True)  # every value from data or the user is escaped

PAGE = _templates.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} - supportmetrics</title><link rel="stylesheet" href="/auth.css"></head>
<body><main>
<h1>{{ title }}</h1>
{% block body %}{% endblock %}
</main></body></html>""")

LOGIN = _templates.from_string("""{% extends page %}{% block body %}
<p>Sign in with a token of this workspace.</p>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
<p class="hint">No token yet? On the server, run
<code>supportmetrics -w {{ workspace }} tokens create NAME --scope read</code>.</p>
{% endblock %}""")

INDEX = _templates.from_string("""{% extends page %}{% block body %}
<p>Workspace <code>{{ workspace }}</code>, signed in as {{ who }} (scope {{ scope }}).</p>
<ul>
<li><a href="/api/v1/docs">The HTTP API</a>: every endpoint, with its parameters</li>
<li><a href="/api/v1/openapi.json">Its OpenAPI description</a></li>
<li><a href="/api/v1/report?format=html">The report</a> of the latest month</li>
</ul>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<button type="submit">Sign out</button></form>
{% endblock %}""")

DOCS = _templates.from_string("""{% extends page %}{% block body %}
<p>Base URL <code>/api/v1</code>. Send a token as <code>Authorization: Bearer TOKEN</code>
(<code>health</code> needs none). Errors are JSON: <code>{"error": "..."}</code>.
The machine-readable description: <a href="/api/v1/openapi.json">openapi.json</a>.</p>
{% for op in operations %}
<section><h2><code>{{ op.method }} {{ op.path }}</code></h2>
<p><strong>{{ op.summary }}</strong>{% if op.scope %} (scope {{ op.scope }}){% endif %}</p>
{% if op.description %}<p>{{ op.description }}</p>{% endif %}
{% if op.parameters %}<table><thead><tr><th>parameter</th><th>in</th><th>type</th>
<th>description</th></tr></thead><tbody>
{% for p in op.parameters %}<tr><td><code>{{ p.name }}</code></td><td>{{ p.where }}</td>
<td>{{ p.type }}</td><td>{{ p.description }}</td></tr>{% endfor %}
</tbody></table>{% endif %}</section>
{% endfor %}
{% endblock %}""")

CSS = """body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
input[type=password]{flex:1 1 16rem;padding:.5rem;font-size:1rem}
button{padding:.5rem 1rem;font-size:1rem}
.error{color:#a40e26;font-weight:600}.hint{color:#4b5563}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:.3rem;
text-align:left;vertical-align:top}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
"""


def _render(template: Any, title: str, **values: Any) -> str:
    return str(template.render(page=PAGE, title=title, **values))


def create_app(
    directory: str | Path,
    *,
    auth: bool = True,
    pages: APIRouter | None = None,
    csp: str = CSP,
    failed_logins: int | None = None,
    alerts_interval: float | None = 60.0,
) -> FastAPI:
    """The app over the workspace in ``directory`` (opened read-only at once: a workspace that
    is missing or damaged is reported before the server starts).

    ``auth=False`` serves without tokens (``serve --no-auth``, allowed on loopback only).
    ``pages``: the dashboard's pages, each behind the login session; without them, ``/`` is a
    small index. ``csp``: the Content Security Policy of every response.
    ``failed_logins``: failed logins allowed per client address and minute.
    ``alerts_interval``: seconds between two runs of the workspace's alert rules and digests
    (as ``supportmetrics alerts run``), in the background while the app serves; None: never.
    """
    workspace = ServedWorkspace.open(directory, read_only=True)
    workspace.release()  # held by each request's session only

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        alerts = None
        if alerts_interval is not None:
            from supportmetrics.alerts import background

            alerts = asyncio.create_task(background(directory, alerts_interval,
                                                    workspace=workspace)())
        try:
            yield
        finally:
            if alerts is not None:
                alerts.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await alerts
            workspace.close()

    app = FastAPI(
        title="supportmetrics", version=__version__, lifespan=lifespan,
        description="Customer-service KPIs over one workspace: metrics, the units behind them, "
        "per-ticket facts, reports, and loads.",
        docs_url=None, redoc_url=None, openapi_url=None,  # served below, behind a token
    )
    app.state.workspace = workspace
    limiter = FailureLimiter() if failed_logins is None else FailureLimiter(failed_logins)
    app.state.access = Access(TokenStore(workspace.directory) if auth else None, limiter)
    app.state.anonymous_csrf = secrets.token_urlsafe(24)
    app.add_middleware(SecurityHeaders, policy=csp)
    _errors(app)
    app.include_router(api.router)
    _api_docs(app)
    _login(app)
    @app.get("/account", include_in_schema=False, response_class=HTMLResponse)
    def account(request: Request) -> Response:
        found = session_token(request)
        if found is None:
            return RedirectResponse(login_url("/account"), 303)
        token, csrf = found
        return HTMLResponse(_render(INDEX, "supportmetrics", workspace=workspace.directory,
                                    who=token.name, scope=token.scope, csrf=csrf))

    if pages is not None:
        app.include_router(pages, dependencies=[Depends(require_page_session)])
    else:  # the dashboard's pages are not served: the index is the account page
        @app.get("/", include_in_schema=False)
        def index() -> Response:
            return RedirectResponse("/account", 303)
    return app


def _status(exc: UserError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _errors(app: FastAPI) -> None:
    """Every error a JSON body ``{"error": message}``; a page without a session goes to /login."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_url), 303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"error": "; ".join(problems) or "invalid request",
                             "details": [_plain(e) for e in exc.errors()]}, 422)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        headers = {"Retry-After": "5"} if isinstance(exc, WorkspaceBusy) else None
        return JSONResponse({"error": str(exc)}, _status(exc), headers=headers)

    @app.exception_handler(Exception)
    async def other(request: Request, exc: Exception) -> Response:
        known = translate(exc)  # a foreign error the project knows (a bad value, a full disk)
        if isinstance(known, UserError):
            return JSONResponse({"error": str(known)}, _status(known))
        text = str(known or exc).strip().splitlines()
        what = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        return JSONResponse({"error": f"internal error: {what} (this is a bug in supportmetrics: "
                             "please report it)"}, 500)


def _plain(error: Any) -> dict[str, Any]:
    return {"loc": [str(p) for p in error.get("loc", ())], "msg": str(error.get("msg", "")),
            "type": str(error.get("type", ""))}


def _api_docs(app: FastAPI) -> None:
    """``/api/v1/openapi.json`` and ``/api/v1/docs`` (a page made here: no script, no CDN)."""
    read = Depends(require_scope("read"))

    @app.get("/api/v1/openapi.json", include_in_schema=False, dependencies=[read])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/v1/docs", include_in_schema=False, dependencies=[read],
             response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        schema = app.openapi()
        operations = []
        for path, methods in schema["paths"].items():
            for method, op in methods.items():
                scope = next((d.__name__.rsplit("_", 1)[1] for d in _scopes(app, path, method)),
                             None)
                operations.append({
                    "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                    "description": op.get("description", ""), "scope": scope,
                    "parameters": [{
                        "name": p["name"], "where": p["in"],
                        "type": _type(p.get("schema", {})),
                        "description": p.get("description", "")} for p in op.get("parameters", [])],
                })
        return HTMLResponse(_render(DOCS, "supportmetrics HTTP API", operations=operations))


def _scopes(app: FastAPI, path: str, method: str) -> list[Any]:
    from fastapi.routing import APIRoute

    for route in app.routes:
        if isinstance(route, APIRoute) and route.path == path and method.upper() in (route.methods or ()):
            return [d.call for d in route.dependant.dependencies
                    if getattr(d.call, "__name__", "").startswith("require_scope_")]
    return []


def _type(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return str(schema.get("type", ""))


def _login(app: FastAPI) -> None:
    """The login form (a token), the session cookie, and sign-out."""

    @app.get("/auth.css", include_in_schema=False)
    def css() -> Response:
        return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def form(request: Request, next_url: str, error: str | None = None,
             status: int = 200) -> Response:
        csrf = secrets.token_urlsafe(24)
        html = _render(LOGIN, "Sign in", csrf=csrf, next=safe_next(next_url), error=error,
                       workspace=request.app.state.workspace.directory)
        response = HTMLResponse(html, status)
        response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=3600,
                            **{**cookie_options(request), "path": "/login"})
        return response

    @app.get("/login", include_in_schema=False, response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        if not access(request).enabled:
            return RedirectResponse(safe_next(next), 303)
        return form(request, next)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, token: str = Form(""), csrf_token: str = Form(""),
              next: str = Form("/")) -> Response:
        acc = access(request)
        if not acc.enabled:
            return RedirectResponse(safe_next(next), 303)
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
            return form(request, next, "The form expired; sign in again.", 403)
        client = request.client.host if request.client else "unknown"
        try:
            acc.limiter.check(client)
        except HTTPException as exc:
            return form(request, next, f"{str(exc.detail).capitalize()}.", 429)
        assert acc.store is not None
        found = acc.store.verify(token.strip())
        if found is None:
            acc.limiter.fail(client)
            return form(request, next, "That token is not valid (unknown, mistyped or revoked).",
                        401)
        value, _ = new_session(request, found)
        response = RedirectResponse(safe_next(next), 303)
        response.set_cookie(SESSION_COOKIE, value, max_age=12 * 3600, **cookie_options(request))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[Depends(require_csrf)])
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


__all__ = ["CSRF_FIELD", "create_app"]
