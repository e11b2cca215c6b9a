"""The per-ticket tables kept in the workspace, built on first use and refreshed incrementally.

The per-ticket stage of the engine is most of the work behind any ticket metric, and a load
changes it only for the tickets the load touched. On DuckDB its four sources are stored in the
workspace database instead of being derived again by every engine and every process:

* ``_sm_d_facts`` -- the ticket facts: first reply, solves and reopens, the assignee at the
  solve, SLA targets, repeat contacts (engine/facts.py, engine/sources.py);
* ``_sm_d_sla`` -- the facts with the SLA clocks (pending / on hold paused) and breaches;
* ``_sm_d_waits`` -- every customer wait; ``_sm_d_open_spans`` -- the spans a ticket was open;
* ``_sm_d_sources`` -- per source: the fingerprint it was built under (the settings that shape
  it: zone, business hours and holidays, SLA targets and clock, repeat-contact window; the
  columns of ``tickets`` and ``ticket_events``; the code that derives it; the versions of the
  libraries that compute it and :data:`STORE_VERSION`) and the load number it is up to date with;
* ``_sm_dirty_tickets`` -- the ticket ids each load inserted or changed, with the load's number,
  written by the load in its own transaction (ingest/load.py).

The stored tables are written only by writers (docs/architecture.md): at the end of every load,
by ``supportmetrics refresh`` and by the demo build (``Engine.refresh()``, one :func:`refresh` per
source). A query never writes: it reads a stored source when :func:`is_current` says it is up
to date, and otherwise (settings changed since the last refresh, a newer supportmetrics)
computes the source itself in temporary tables, from the same definitions.

A refresh does nothing when no ticket was marked after the source's load number; a full build when
it is missing, its fingerprint differs, or the marked tickets are a large share of all;
otherwise the marked tickets are recomputed from stand-in tables holding only their rows and
events, their stored rows replaced, and the repeat-contact flag (which looks at the customer's
next ticket) redone over every stored ticket of their customers, old and new. The sla, waits and
open_spans builds read the stored facts, which are refreshed first.

An incremental refresh happens in one transaction, so a killed refresh leaves the previous rows
and the marks in place; a full build first forgets the source's fingerprint, so a killed build
is started again by the next engine. Marks every stored source is past are deleted.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportmetrics.config import Settings
from supportmetrics.ingest.load import DIRTY_SQL, DIRTY_TABLE, STORE_META_TABLE, has_table
from supportmetrics.ingest.sql import literal

#: the stored sources, in the order they are built (the others read the stored facts)
STORED = ("facts", "sla", "waits", "open_spans")
#: the layout of the stored tables; raised when it changes, so older stores are rebuilt
STORE_VERSION = 2
META_TABLE = STORE_META_TABLE
META_SQL = (
    f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
    "(source VARCHAR, fingerprint VARCHAR, upto BIGINT, built_at TIMESTAMP)"
)
SCOPE = "_sm_scope"
#: above this share of marked tickets a full build is cheaper than replacing rows
FULL_BUILD_SHARE = 0.25

#: the modules whose code decides the stored rows (a change to any of them rebuilds the store)
_CODE = ("engine/facts.py", "engine/levels.py", "engine/sources.py", "engine/store.py", "calendar/business.py",
         "calendar/expr.py", "calendar/zones.py")


def stored_name(source: str) -> str:
    return f"_sm_d_{source}"


@dataclass(frozen=True)
class Refresh:
    """What a refresh of one source did: ``none``, ``full`` or ``incremental``.

    ``tickets`` is how many tickets were computed (all of them for a full build).
    """

    kind: str
    tickets: int
    seconds: float


def fingerprint(con: Any, settings: Settings) -> str:
    """A digest of everything the stored rows depend on besides the rows themselves."""
    from importlib.metadata import version

    root = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for name in _CODE:
        code.update((root / name).read_bytes())
    shape = {
        "store_version": STORE_VERSION,
        "code": code.hexdigest(),
        "holidays": version("holidays"),
        "duckdb": version("duckdb"),
        "ibis": version("ibis-framework"),
        "timezone": settings.timezone,
        "business_hours": settings.business_hours.model_dump(mode="json"),
        "sla": settings.sla.model_dump(mode="json"),
        "repeat_window_days": settings.thresholds.repeat_window_days,
        "columns": {
            name: [str(r[0]) for r in con.execute(f"DESCRIBE {name}").fetchall()]
            for name in ("tickets", "ticket_events")
        },
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def _scalar(con: Any, sql: str) -> Any:
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def is_current(con: Any, source: str, current: str) -> bool:
    """Whether stored ``source`` was built under fingerprint ``current`` and no load is past it.

    Reads only (a reader's connection may be read-only).
    """
    if not has_table(con, META_TABLE) or not has_table(con, stored_name(source)):
        return False
    rows = con.execute(
        f"SELECT fingerprint, upto FROM {META_TABLE} WHERE source = {literal(source)}"
    ).fetchall()
    if not rows or rows[0][0] != current:
        return False
    if not has_table(con, DIRTY_TABLE):
        return True
    behind = _scalar(con, f"SELECT count(*) FROM {DIRTY_TABLE} WHERE seq > {int(rows[0][1])}")
    return int(behind) == 0


def refresh(engine: Any, source: str, build: Any, current: str) -> Refresh:
    """Bring one stored source up to date; ``build(source, scoped)`` gives its expression.

    ``scoped`` is None (all tickets: the expression is written straight into the stored table)
    or a mapping of ``tickets`` / ``ticket_events`` to stand-in tables holding only the tickets
    to recompute (the expression is then a temporary table whose rows replace theirs).
    ``current`` is :func:`fingerprint` for the engine's settings.
    """
    con = engine.backend.con
    started = time.perf_counter()
    con.execute(DIRTY_SQL)
    con.execute(META_SQL)
    latest = int(_scalar(con, f"SELECT coalesce(max(seq), 0) FROM {DIRTY_TABLE}"))
    rows = con.execute(
        f"SELECT fingerprint, upto FROM {META_TABLE} WHERE source = {literal(source)}"
    ).fetchall()
    if not rows or rows[0][0] != current or not has_table(con, stored_name(source)):
        result = _full(engine, source, build, current, latest, started)
    else:
        upto = int(rows[0][1])
        marked = f"(SELECT DISTINCT ticket_id FROM {DIRTY_TABLE} WHERE seq > {upto})"
        count = int(_scalar(con, f"SELECT count(*) FROM {marked}"))
        total = int(_scalar(con, "SELECT count(*) FROM tickets"))
        if count == 0:
            result = Refresh("none", 0, time.perf_counter() - started)
        elif count > FULL_BUILD_SHARE * max(total, 1):
            result = _full(engine, source, build, current, latest, started)
        else:
            result = _incremental(engine, source, build, marked, latest, started)
    # marks every stored source is past are of no further use
    con.execute(f"DELETE FROM {DIRTY_TABLE} WHERE seq <= (SELECT min(upto) FROM {META_TABLE})")
    return result


def _full(engine: Any, source: str, build: Any, current: str, latest: int,
          started: float) -> Refresh:
    con = engine.backend.con
    target = stored_name(source)
    # forget the old fingerprint first: a build killed halfway is started again by the next
    # engine instead of being taken as complete
    con.execute(f"DELETE FROM {META_TABLE} WHERE source = {literal(source)}")
    with engine.scratch():
        expr = build(source, None)
        con.execute(f"DROP TABLE IF EXISTS {target}")
        # written straight into the workspace (no temporary copy first)
        engine.backend.create_table(target, expr)
        con.execute(f"INSERT INTO {META_TABLE} VALUES ({literal(source)}, {literal(current)}, "
                    f"{latest}, now()::TIMESTAMP)")
    total = int(_scalar(con, "SELECT count(*) FROM tickets"))
    return Refresh("full", total, time.perf_counter() - started)


def _incremental(engine: Any, source: str, build: Any, marked: str, latest: int,
                 started: float) -> Refresh:
    con = engine.backend.con
    target = stored_name(source)
    # stand-ins for tickets and ticket_events holding only the marked tickets, and the
    # customers those tickets had before the load and have now (their repeat contacts change)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE}_tickets AS "
                f"SELECT * FROM tickets WHERE ticket_id IN {marked}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE}_events AS "
                f"SELECT * FROM ticket_events WHERE ticket_id IN {marked}")
    repeat = "repeat_contact" in engine.backend.table(target).columns
    if repeat:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SCOPE}_customers AS "
            f"SELECT customer_id FROM {SCOPE}_tickets WHERE customer_id IS NOT NULL UNION "
            f"SELECT customer_id FROM {target} "
            f"WHERE ticket_id IN {marked} AND customer_id IS NOT NULL"
        )
    count = int(_scalar(con, f"SELECT count(*) FROM {SCOPE}_tickets"))
    try:
        with engine.scratch():
            scoped = {"tickets": f"{SCOPE}_tickets", "ticket_events": f"{SCOPE}_events"}
            rows = engine.backend.compile(build(source, scoped))
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"DELETE FROM {target} WHERE ticket_id IN {marked}")
                con.execute(f"INSERT INTO {target} BY NAME {rows}")
                if repeat:
                    _redo_repeat_contacts(engine, target)
                con.execute(f"UPDATE {META_TABLE} SET upto = {latest}, "
                            f"built_at = now()::TIMESTAMP WHERE source = {literal(source)}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    finally:
        for part in ("tickets", "events", "customers"):
            con.execute(f"DROP TABLE IF EXISTS {SCOPE}_{part}")
    return Refresh("incremental", count, time.perf_counter() - started)


def _redo_repeat_contacts(engine: Any, target: str) -> None:
    """Recompute ``repeat_contact`` for every stored ticket of the scope's customers.

    A ticket's flag depends on its customer's next ticket, so adding, moving or re-dating one
    ticket can change the flag of the customer's ticket before it (under the old customer and
    the new one): the same Ibis definition as the full build, over those customers' rows.
    """
    from supportmetrics.engine.sources import with_repeat_contact

    backend = engine.backend
    stored = backend.table(target)
    customers = backend.table(f"{SCOPE}_customers")
    rows = stored.filter(stored.customer_id.isin(customers.customer_id))
    flags = with_repeat_contact(rows.drop("repeat_contact"), engine.settings).select(
        "ticket_id", "repeat_contact"
    )
    backend.con.execute(
        f"UPDATE {target} SET repeat_contact = r.repeat_contact "
        f"FROM ({backend.compile(flags)}) AS r WHERE {target}.ticket_id = r.ticket_id"
    )
