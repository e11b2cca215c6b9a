"""The dashboard pages: server-rendered HTML, each with a JSON twin, filters in the URL.

``router`` is included by the app (``supportmetrics serve``); every route reads the workspace
through :func:`supportmetrics.web.deps.reader` and never writes. A page at ``/tickets`` has its
twin at ``/tickets.json`` with the same numbers; every number links to the units behind it
(``/units/{metric}``, paginated, with a CSV download).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from supportmetrics.csv_cells import safe_frame
from supportmetrics.errors import SupportMetricsError, UnknownMetricError, UserError
from supportmetrics.web.deps import reader
from supportmetrics.web.pages import build, bundle
from supportmetrics.web.pages.filters import Filters
from supportmetrics.web.pages.views import Context, choices
from supportmetrics.workspace import Workspace

WEB = Path(__file__).resolve().parents[1]
STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css",
          "favicon.svg": "image/svg+xml"}

router = APIRouter()
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(WEB / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

Page = Callable[[Context], dict[str, Any]]


def _twin(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin: the view without what only the HTML needs (keys starting with _)."""
    return {k: v for k, v in view.items() if not k.startswith("_")}


def _error(exc: SupportMetricsError, as_json: bool) -> Response:
    status = 404 if isinstance(exc, UnknownMetricError) else 400
    if as_json:
        return JSONResponse({"error": str(exc)}, status_code=status)
    html = _templates.get_template("error.html").render(
        message=str(exc), status=status, pages=build.PAGES, page="", bundle=bundle.name())
    return HTMLResponse(html, status_code=status)


def _render(request: Request, ws: Workspace, make: Callable[[Context], dict[str, Any]],
            template: str, as_json: bool) -> Response:
    try:
        # one hold of the workspace for the whole page: its numbers come from one load
        with ws.session():
            filters = Filters.parse(request.query_params)
            ctx = Context.of(ws, filters)
            view = make(ctx)
            offered = {} if as_json else choices(ws)
    except UserError as exc:
        return _error(exc, as_json)
    if as_json:
        return JSONResponse(_twin(view))
    if view.get("_charts"):
        bundle.warm()  # the browser asks for it next
    path = request.url.path
    html = _templates.get_template(template).render(
        view=view, pages=build.PAGES, page=view["page"], bundle=bundle.name(),
        charts=view.get("_charts", {}),
        choices=offered, filters=filters,
        json_url=path + ".json" + ("?" + request.url.query if request.url.query else ""),
        path=path, extra=_extra(request))
    return HTMLResponse(html)


def _extra(request: Request) -> dict[str, str]:
    """Query parameters that are not filters (kept by the filter form: sort, by, ...)."""
    known = {"from", "grain", "period", "team", "channel", "agent", "priority", "clock",
             "stat", "page"}
    return {k: v for k, v in request.query_params.items() if k not in known}


def _page(name: str, make: Page) -> None:
    def html(request: Request, ws: Workspace = Depends(reader)) -> Response:
        return _render(request, ws, make, f"{name}.html", as_json=False)

    def twin(request: Request, ws: Workspace = Depends(reader)) -> Response:
        return _render(request, ws, make, f"{name}.html", as_json=True)

    router.add_api_route(f"/{name}.json", twin, methods=["GET"], name=f"{name}_json",
                         include_in_schema=False)
    router.add_api_route(f"/{name}", html, methods=["GET"], name=name, include_in_schema=False,
                         response_class=HTMLResponse)


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse("/overview" + ("?" + query if query else ""), status_code=307)


_page("overview", build.overview)
_page("tickets", build.tickets)
_page("responsiveness", build.responsiveness)
_page("satisfaction", build.satisfaction)
_page("sla", build.sla)
_page("calls", build.calls)
_page("customers", build.customers)
_page("metrics", build.catalogue)


def _sort(request: Request) -> tuple[str, bool]:
    return (request.query_params.get("sort") or "agent_id",
            request.query_params.get("desc") == "1")


@router.get("/agents.json", include_in_schema=False)
def agents_json(request: Request, ws: Workspace = Depends(reader)) -> Response:
    sort, desc = _sort(request)
    return _render(request, ws, lambda c: build.scorecards(c, sort, desc), "agents.html", True)


@router.get("/agents", include_in_schema=False, response_class=HTMLResponse)
def agents(request: Request, ws: Workspace = Depends(reader)) -> Response:
    sort, desc = _sort(request)
    return _render(request, ws, lambda c: build.scorecards(c, sort, desc), "agents.html", False)


@router.get("/agents/{agent_id}.json", include_in_schema=False)
def agent_json(agent_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    return _render(request, ws, lambda c: build.agent(c, agent_id), "agent.html", True)


@router.get("/agents/{agent_id}", include_in_schema=False, response_class=HTMLResponse)
def agent(agent_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    return _render(request, ws, lambda c: build.agent(c, agent_id), "agent.html", False)


@router.get("/metrics/{metric_id}.json", include_in_schema=False)
def metric_json(metric_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    by = request.query_params.get("by", "")
    return _render(request, ws, lambda c: build.metric_page(c, metric_id, by), "metric.html",
                   True)


@router.get("/metrics/{metric_id}", include_in_schema=False, response_class=HTMLResponse)
def metric(metric_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    by = request.query_params.get("by", "")
    return _render(request, ws, lambda c: build.metric_page(c, metric_id, by), "metric.html",
                   False)


def _units(request: Request, ws: Workspace, metric_id: str, kind: str) -> Response:
    params = request.query_params
    try:
        page_number = int(params.get("page") or 1)
        size = int(params.get("size") or build.PAGE_SIZE)
    except ValueError:
        return _error(UserError("page and size: expected whole numbers"), kind == "json")
    period, status = params.get("period", ""), params.get("sla_status", "")
    if kind == "csv":
        try:
            with ws.session():
                ctx = Context.of(ws, Filters.parse(params))
                _, units = build.units(ctx, metric_id, period, 1, build.PAGE_SIZE, status)
        except UserError as exc:
            return _error(exc, as_json=True)
        out = io.StringIO()
        safe_frame(units).to_csv(out, index=False)
        filename = f"{metric_id}-{period or ctx.chosen.isoformat()}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return _render(request, ws,
                   lambda c: build.units(c, metric_id, period, page_number, size, status)[0],
                   "units.html", kind == "json")


@router.get("/units/{metric_id}.json", include_in_schema=False)
def units_json(metric_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    return _units(request, ws, metric_id, "json")


@router.get("/units/{metric_id}.csv", include_in_schema=False)
def units_csv(metric_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    return _units(request, ws, metric_id, "csv")


@router.get("/units/{metric_id}", include_in_schema=False, response_class=HTMLResponse)
def units(metric_id: str, request: Request, ws: Workspace = Depends(reader)) -> Response:
    return _units(request, ws, metric_id, "html")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The pages' script and style sheet, and the Vega bundle (cached: its name has versions)."""
    if name == bundle.name():
        return Response(bundle.bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
    if name not in STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response((WEB / "static" / name).read_bytes(), media_type=STATIC[name],
                    headers={"Cache-Control": "no-cache"})


__all__ = ["router"]
