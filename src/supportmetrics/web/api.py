"""The HTTP API, ``/api/v1``: the command line's answers as JSON, files and loads.

``metrics`` and ``explain`` give the records ``metrics --format json`` and ``explain --format
json`` print (:mod:`supportmetrics.records`); ``facts`` streams the per-ticket facts as CSV or
Parquet; ``report`` builds the report file; ``ingest/{table}`` loads through the same checks as
``supportmetrics ingest``. Errors are JSON bodies ``{"error": message}``: 4xx for what the caller
can fix. docs/api.md shows each call.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from supportmetrics import __version__
from supportmetrics.errors import QueryError, UserError, query_notes
from supportmetrics.ingest import LoadResult
from supportmetrics.records import (
    aware,
    catalogue_records,
    json_records,
    period_bounds,
    with_units,
    zoned_arrow,
)
from supportmetrics.schema import TABLES
from supportmetrics.web.auth import SCOPES, Token, TokenStore, access, require_scope
from supportmetrics.web.deps import ServedWorkspace, served

READ = Depends(require_scope("read"))
INGEST = Depends(require_scope("ingest"))
ADMIN = Depends(require_scope("admin"))

#: the header that carries the notes ``metrics`` prints on stderr (e.g. a stale store)
NOTES_HEADER = "X-Supportmetrics-Notes"
#: rows ``explain`` returns by default, and at most
EXPLAIN_LIMIT = 1000
EXPLAIN_MAX = 100_000
CHUNK = 1 << 16

log = logging.getLogger("supportmetrics.serve")

router = APIRouter(prefix="/api/v1")


class ErrorBody(BaseModel):
    error: str = Field(description="What went wrong and what to do.")


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in (
        (400, "A mistake in the request (an unknown metric, a bad period, ...)."),
        (401, "No token, or one that is not valid."),
        (403, "The token's scope does not allow this."),
        (404, "No such table, metric or token."),
        (422, "A parameter of the wrong form."),
        (429, "Too many failed logins from this address."),
        (503, "The workspace is held by a load in another process; try again."),
    )
}


def _split(values: list[str]) -> list[str]:
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def _where(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for option in values:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"where {option!r}: expected COLUMN=VALUE")
        pairs.append((name.strip(), value))
    return pairs


def _notes_headers(notes: list[str]) -> dict[str, str]:
    if not notes:
        return {}
    text = " | ".join(dict.fromkeys(notes))
    return {NOTES_HEADER: text.encode("ascii", "replace").decode()}


Grain = Literal["day", "week", "month", "quarter", "year", "range"]
Clock = Literal["calendar", "business"]
Stat = Literal["mean", "median", "p90"]
FromQ = Annotated[str | None, Query(alias="from", description="First local date (inclusive), "
                                    "e.g. 2025-10-01.")]
ToQ = Annotated[str | None, Query(description="End local date (exclusive).")]
WhereQ = Annotated[list[str], Query(description="COLUMN=VALUE filter (repeatable), e.g. "
                                    "team=tier1.")]
AsOfQ = Annotated[str | None, Query(description="Judge SLA targets as of this local date or "
                                    "time; default: the end of the ticket data.")]


@router.get("/health", summary="Is the server up, and which data does it serve", responses=ERRORS)
def health(ws: ServedWorkspace = Depends(served)) -> dict[str, Any]:
    """No token needed. ``generation`` changes with every load; while a load through the
    server runs, ``loading`` is true and ``generation`` null (the answer does not wait)."""
    generation = None
    if not ws.loading:
        with ws.session():
            generation = ws.generation()
    return {"status": "ok", "version": __version__, "generation": generation,
            "loading": generation is None, "timezone": ws.settings.timezone}


@router.get("/metrics", summary="Metrics per period (and per dimension)", responses=ERRORS,
            dependencies=[READ])
def metrics(
    metric: Annotated[list[str], Query(min_length=1, description="Metric id (repeatable); "
                                       "GET /api/v1/catalogue lists them.")],
    grain: Grain = "month",
    from_: FromQ = None,
    to: ToQ = None,
    by: Annotated[list[str], Query(description="Dimension(s), e.g. by=agent_id,channel.")] = [],  # noqa: B006
    where: WhereQ = [],  # noqa: B006
    clock: Clock = "calendar",
    stat: Stat = "mean",
    as_of: AsOfQ = None,
    ws: ServedWorkspace = Depends(served),
) -> JSONResponse:
    """The records of ``supportmetrics metrics --format json``: metric, period, one column per
    ``by``, value (durations in seconds), unit, count, ...; periods start on local dates of the
    workspace time zone and carry its offset."""
    from supportmetrics.engine import build_query

    queries = [build_query(m, grain, _split(by), from_, to, _where(where), clock, stat, as_of)
               for m in metric]
    with ws.session(), query_notes() as notes:
        frame = with_units(ws.engine().metrics(queries))
        records = json_records(frame, ws.settings.timezone)
    return JSONResponse(records, headers=_notes_headers(notes))


@router.get("/explain", summary="The units behind one number", responses=ERRORS,
            dependencies=[READ])
def explain(
    metric: Annotated[str, Query(description="Metric id.")],
    period: Annotated[str | None, Query(description="A year (2025), month (2025-10), or day / "
                                        "ISO week start (2025-10-06).")] = None,
    grain: Grain | None = None,
    where: WhereQ = [],  # noqa: B006
    clock: Clock = "calendar",
    as_of: AsOfQ = None,
    format: Literal["json", "csv"] = "json",
    limit: Annotated[int, Query(ge=1, le=EXPLAIN_MAX)] = EXPLAIN_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    ws: ServedWorkspace = Depends(served),
) -> Response:
    """The records of ``supportmetrics explain --format json``, one per unit (ticket, call,
    survey response, ...) with its own value; times in the workspace time zone with their
    offset. Paginated: ``limit`` rows from ``offset``; the header ``X-Total-Count`` gives the
    number of units. ``format=csv`` gives the same page as CSV."""
    from supportmetrics.engine import build_query

    start, end, g = period_bounds(period, grain, "period")
    query = build_query(metric, g, (), start, end, _where(where), clock, as_of=as_of)
    with ws.session(), query_notes() as notes:
        frame = ws.engine().explain(query)
    total = len(frame)
    page = frame.iloc[offset:offset + limit]
    headers = {"X-Total-Count": str(total), **_notes_headers(notes)}
    if format == "csv":
        from supportmetrics.csv_cells import safe_frame
        from supportmetrics.records import zoned

        text = safe_frame(zoned(page, ws.settings.timezone)).to_csv(index=False)
        headers["Content-Disposition"] = f'attachment; filename="{_file_stem(metric)}.csv"'
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse(json_records(page, ws.settings.timezone), headers=headers)


def _file_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "export"


@router.get("/facts", summary="Per-ticket facts, streamed as CSV or Parquet", responses={
    **ERRORS, 200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
            dependencies=[READ], response_class=StreamingResponse)
def facts(
    format: Literal["csv", "parquet"] = "csv",
    ws: ServedWorkspace = Depends(served),
) -> StreamingResponse:
    """What ``supportmetrics facts`` writes: one row per ticket (first response, solves,
    reopens, SLA, ...). CSV gives times in the workspace time zone with their offset, Parquet
    as UTC instants; durations in seconds."""
    with ws.session():
        arrow = aware(ws.engine().ticket_facts()).order_by("ticket_id").to_pyarrow()
        zone = ws.settings.timezone
    if format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(arrow, sink)
        body = sink.getvalue().to_pybytes()
        chunks: Iterator[bytes] = (body[i:i + CHUNK] for i in range(0, len(body), CHUNK))
        return StreamingResponse(chunks, media_type="application/vnd.apache.parquet", headers={
            "Content-Disposition": 'attachment; filename="ticket_facts.parquet"'})
    return StreamingResponse(_csv_batches(zoned_arrow(arrow, zone)),
                             media_type="text/csv; charset=utf-8", headers={
                                 "Content-Disposition": 'attachment; filename="ticket_facts.csv"'})


def _csv_batches(table: Any) -> Iterator[bytes]:
    """``table`` as CSV, one batch of rows at a time (the header once)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = True
    for batch in table.to_batches(max_chunksize=10_000) or [table.schema.empty_table()]:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(pa.Table.from_batches([batch], table.schema) if isinstance(
            batch, pa.RecordBatch) else batch, sink,
            pacsv.WriteOptions(include_header=first))
        first = False
        yield sink.getvalue().to_pybytes()


@router.get("/catalogue", summary="Every metric with its definition and unit", responses=ERRORS,
            dependencies=[READ])
def catalogue() -> list[dict[str, Any]]:
    """The records of ``supportmetrics metrics --list --format json``."""
    return catalogue_records()


REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
#: the report's HTML has its own styles and pictures; shown in a sandbox, it runs nothing
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@router.get("/report", summary="The report as HTML, XLSX or PDF", responses={
    **ERRORS, 501: {"model": ErrorBody, "description": "PDF needs the [pdf] extra."},
    200: {"content": {t: {} for t in REPORT_TYPES.values()}}}, dependencies=[READ],
            response_class=Response)
def report(
    format: Literal["html", "xlsx", "pdf"] = "html",
    period: Annotated[str | None, Query(description="The month (2025-10) or a day of the week; "
                                        "default: the period of the last ticket.")] = None,
    from_: Annotated[str | None, Query(alias="from", description="First month or day.")] = None,
    to: Annotated[str | None, Query(description="End month or day (exclusive).")] = None,
    grain: Literal["month", "week"] = "month",
    where: WhereQ = [],  # noqa: B006
    title: Annotated[str, Query(max_length=200)] = "Customer service report",
    ws: ServedWorkspace = Depends(served),
) -> Response:
    """What ``supportmetrics report`` writes: tracker, volume and spikes, agents, SLA, comments,
    definitions."""
    from supportmetrics.reports import build_report, write_report

    if format == "pdf":
        from supportmetrics.reports import require_weasyprint

        try:
            require_weasyprint()
        except UserError as exc:
            raise HTTPException(501, str(exc)) from exc
    with ws.session(), query_notes() as notes:
        model = build_report(ws, period=period, start=from_, end=to, grain=grain,
                             where=dict(_where(where)), title=title)
    with tempfile.TemporaryDirectory(prefix="sm-report-") as tmp:
        out = Path(tmp) / f"report.{format}"
        write_report(model, format, out)
        body = out.read_bytes()
    name = f"report-{_file_stem(model.period_label())}.{format}"
    headers = {"Content-Disposition": f'{"inline" if format == "html" else "attachment"}; '
               f'filename="{name}"', "Content-Security-Policy": REPORT_CSP,
               **_notes_headers(notes)}
    return Response(body, media_type=REPORT_TYPES[format], headers=headers)


def load_report(result: LoadResult) -> dict[str, Any]:
    """A load's report: counts, every rejected row, every file problem."""
    return {
        "table": result.table,
        "files": list(result.files),
        "committed": result.committed,
        "ok": result.ok,
        "rows_read": result.rows_read,
        "accepted": result.accepted,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected_rows,
        "rejects": [{"file": r.file, "row": r.row, "column": r.column, "value": r.value,
                     "reason": r.reason, "message": str(r)} for r in result.rejects],
        "file_problems": [{"file": p.file, "reason": p.reason, "message": str(p)}
                          for p in result.file_problems],
        "attributes": list(result.attributes),
        "load_id": result.load_id,
        "seconds": round(result.seconds, 3),
    }


#: the name JSON rows are reported under (rejects name it with the row number)
JSON_ROWS_FILE = "rows.jsonl"
#: a request body larger than this is refused (bytes)
MAX_UPLOAD = 512 * 1024 * 1024


def _upload_name(name: str | None, index: int) -> str:
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")
    return base[:120] or f"upload-{index}"


@router.post("/ingest/{table}", summary="Load rows into a table (files or JSON rows)", responses={
    **ERRORS, 200: {"description": "The load report (also when some rows were rejected)."},
    413: {"model": ErrorBody, "description": "The request is too large."}},
    dependencies=[INGEST], openapi_extra={"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {
            "type": "array", "items": {"type": "string", "format": "binary"}}},
            "required": ["file"]}},
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        "application/x-ndjson": {"schema": {"type": "string"}},
    }}})
async def ingest(
    request: Request,
    table: Annotated[str, PathParam(description="Canonical table: tickets, ticket_events, "
                                    "calls, surveys, ...")],
    mapping: Annotated[str | None, Query(description="Use [mappings.NAME] of the workspace's "
                                         "supportmetrics.toml.")] = None,
) -> JSONResponse:
    """Files (multipart field ``file``, repeatable: CSV, Parquet or JSON Lines, optionally
    gzipped, the format told by the file name) or rows (a JSON array of objects, or JSON
    Lines), checked as ``supportmetrics ingest`` checks them. Loads are idempotent on the
    table's key: sending the same rows again changes nothing, so a client may retry. The
    answer is the load report with every rejected row; 422 when nothing was loaded (a file
    could not be read or does not fit the table)."""
    from starlette.concurrency import run_in_threadpool

    if table not in TABLES:
        raise HTTPException(404, f"no table {table!r}; tables: {', '.join(TABLES)}")
    if int(request.headers.get("content-length") or 0) > MAX_UPLOAD:
        raise HTTPException(413, f"the request is larger than {MAX_UPLOAD // 2**20} MiB; send "
                            "the rows in several loads")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    ws: ServedWorkspace = request.app.state.workspace
    with tempfile.TemporaryDirectory(prefix="sm-ingest-") as tmp:
        paths = await _received(request, kind, Path(tmp))
        result = await run_in_threadpool(
            ws.load, lambda writer: writer.ingest(
                table, paths, mapping=writer.mapping_for(table, mapping)))
    body = load_report(result)
    if result.committed and result.inserted + result.updated:
        await run_in_threadpool(_alerts_after_load, ws, table)
    if not result.committed:
        problems = "; ".join(p["message"] for p in body["file_problems"])
        return JSONResponse({"error": f"nothing loaded: {problems}", "load": body}, 422)
    return JSONResponse(body)


def _alerts_after_load(ws: ServedWorkspace, table: str) -> None:
    """Evaluate the alert rules that read ``table`` (a failure is logged: the load stands)."""
    from supportmetrics.alerts import after_load

    try:
        after_load(ws.directory, [table], workspace=ws)
    except Exception:  # the rows are loaded: a rule that cannot run is the alerts' concern
        log.exception("alerts after the load of %s", table)


async def _received(request: Request, kind: str, folder: Path) -> list[Path]:
    """The request's files (or rows), written into ``folder`` under their names."""
    if kind == "multipart/form-data":
        form = await request.form(max_files=100, max_fields=100)
        uploads = [v for k, v in form.multi_items() if k == "file" and not isinstance(v, str)]
        if not uploads:
            raise HTTPException(400, "no file: send the files in the multipart field 'file'")
        paths = []
        for index, upload in enumerate(uploads):
            target = folder / str(index) / _upload_name(upload.filename, index)
            target.parent.mkdir()
            with target.open("wb") as out:
                while chunk := await upload.read(CHUNK):
                    out.write(chunk)
            paths.append(target)
        return paths
    body = await request.body()
    target = folder / JSON_ROWS_FILE
    if kind in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        target.write_bytes(body)
        return [target]
    if kind != "application/json":
        raise HTTPException(415, "send files as multipart/form-data (field 'file'), or rows as "
                            "application/json (an array of objects) or application/x-ndjson")
    try:
        rows = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise HTTPException(400, "send a JSON array of objects, one per row")
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    return [target]


# -- tokens (admin) ----------------------------------------------------------------------------


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "ingest", "admin"] = "read"


def _store(request: Request) -> TokenStore:
    store = access(request).store
    if store is None:
        raise HTTPException(404, "the server runs without authentication (--no-auth): it has "
                            "no tokens")
    return store


def _token_record(token: Token) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "scope": token.scope,
            "created_at": token.created_at, "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at}


@router.get("/tokens", summary="The tokens (never their values)", responses=ERRORS,
            dependencies=[ADMIN])
def list_tokens(request: Request) -> list[dict[str, Any]]:
    return [_token_record(t) for t in _store(request).list()]


@router.post("/tokens", summary="Create a token (its value is shown once)", responses=ERRORS,
             dependencies=[ADMIN], status_code=201)
def create_token(request: Request, new: NewToken) -> dict[str, Any]:
    token, value = _store(request).create(new.name, new.scope)
    return {**_token_record(token), "token": value}


@router.delete("/tokens/{name}", summary="Revoke a token (by name or id)", responses=ERRORS,
               dependencies=[ADMIN])
def revoke_token(request: Request, name: str) -> dict[str, Any]:
    return _token_record(_store(request).revoke(name))


__all__ = ["SCOPES", "load_report", "router"]
