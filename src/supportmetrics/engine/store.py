"""The per-ticket tables kept in the workspace and refreshed incrementally after loads.

The per-ticket stage of the engine -- facts with solve credit, SLA targets and clocks and repeat
contacts (the ``sla`` source, a superset of ``facts``), the customer waits (``waits``) and the
spans a ticket was open (``open_spans``) -- is most of the work behind any ticket metric, and a
load changes it only for the tickets the load touched. On DuckDB it is stored in the workspace
database instead of being rebuilt by every engine:

* ``_sm_d_sla``, ``_sm_d_waits``, ``_sm_d_open_spans``: the three sources, keyed by ticket_id;
* ``_sm_d_meta``: the fingerprint they were built under: the settings that shape them (zone,
  business hours and holidays, SLA targets and clock, repeat-contact window), the columns of
  ``tickets`` and ``ticket_events``, and the source code that derives them;
* ``_sm_dirty``: ticket ids a load inserted or changed since, written by the load in its own
  transaction (ingest/load.py).

Before its first query an engine calls :func:`refresh`: nothing to do when no ticket is dirty;
a full build when there is no store, the fingerprint differs, or the dirty tickets are a large
share of all; otherwise the dirty tickets are recomputed from stand-in tables holding only
their rows and events, their stored rows replaced, and the repeat-contact flag (which looks at
the customer's next ticket) redone over every stored ticket of their customers, old and new.
An incremental refresh replaces the rows in one transaction, so a killed refresh leaves the
previous store and the dirty marks in place; a full build first forgets the fingerprint, so a
killed build is started again by the next engine.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportmetrics.config import Settings
from supportmetrics.ingest.load import DIRTY_SQL, DIRTY_TABLE, STORE_META_TABLE
from supportmetrics.ingest.sql import literal

STORED = ("sla", "waits", "open_spans")
META_TABLE = STORE_META_TABLE
SCOPE_TABLE = "_sm_scope"
#: above this share of dirty tickets a full build is cheaper than replacing rows
FULL_BUILD_SHARE = 0.25

#: the modules whose code decides the stored rows (a change to any of them rebuilds the store)
_CODE = ("engine/facts.py", "engine/sources.py", "engine/store.py", "calendar/business.py",
         "calendar/expr.py", "calendar/zones.py")


def stored_name(source: str) -> str:
    return f"_sm_d_{source}"


@dataclass(frozen=True)
class Refresh:
    """What the last refresh did: ``none``, ``full`` or ``incremental``, for how many tickets."""

    kind: str
    tickets: int
    seconds: float


def fingerprint(con: Any, settings: Settings) -> str:
    from importlib.metadata import version

    root = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for name in _CODE:
        code.update((root / name).read_bytes())
    shape = {
        "code": code.hexdigest(),
        "holidays": version("holidays"),
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


def _exists(con: Any, table: str) -> bool:
    return bool(
        _scalar(con, f"SELECT count(*) FROM duckdb_tables() WHERE table_name = {literal(table)} "
                     "AND NOT temporary")
    )


def refresh(engine: Any, build: Any) -> Refresh:
    """Bring the stored per-ticket tables up to date; ``build(scoped)`` returns the sources.

    ``build`` takes None (all tickets) or stand-ins for ``tickets`` and ``ticket_events`` (a
    mapping to the names of tables holding only the tickets to recompute) and returns ``{source: Ibis table}`` for :data:`STORED`: expressions for
    a full build (written straight into the stored tables), temporary tables of the engine for
    a scoped one (their rows replace the stored rows of the scope in one transaction).
    """
    con = engine.backend.con
    started = time.perf_counter()
    con.execute(DIRTY_SQL)
    con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (fingerprint VARCHAR, built_at TIMESTAMP)")
    current = fingerprint(con, engine.settings)
    stored = _scalar(con, f"SELECT max(fingerprint) FROM {META_TABLE}")
    complete = stored == current and all(_exists(con, stored_name(s)) for s in STORED)
    dirty = int(_scalar(con, f"SELECT count(DISTINCT ticket_id) FROM {DIRTY_TABLE}"))
    if complete and dirty == 0:
        return Refresh("none", 0, time.perf_counter() - started)
    total = int(_scalar(con, "SELECT count(*) FROM tickets"))
    if not complete or dirty > FULL_BUILD_SHARE * max(total, 1):
        return _full(engine, build, current, total, started)
    return _incremental(engine, build, started)


def _full(engine: Any, build: Any, current: str, total: int, started: float) -> Refresh:
    con = engine.backend.con
    # first forget the old fingerprint: a build killed halfway is then rebuilt by the next
    # engine instead of being taken as complete
    con.execute(f"DELETE FROM {META_TABLE}")
    tables = build(None)
    try:
        for source in STORED:
            # written straight into the workspace (no temporary copy first)
            con.execute(f"DROP TABLE IF EXISTS {stored_name(source)}")
            engine.backend.create_table(stored_name(source), tables[source])
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"INSERT INTO {META_TABLE} VALUES ({literal(current)}, now()::TIMESTAMP)")
            con.execute(f"DELETE FROM {DIRTY_TABLE}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        _drop(engine)
    return Refresh("full", total, time.perf_counter() - started)


def _incremental(engine: Any, build: Any, started: float) -> Refresh:
    con = engine.backend.con
    sla = stored_name("sla")
    dirty = f"(SELECT DISTINCT ticket_id FROM {DIRTY_TABLE})"
    # stand-ins for tickets and ticket_events holding only the dirty tickets, and the customers
    # those tickets had before the load and have now (their repeat contacts are redone)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE}_tickets AS "
                f"SELECT * FROM tickets WHERE ticket_id IN {dirty}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE}_events AS "
                f"SELECT * FROM ticket_events WHERE ticket_id IN {dirty}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE}_customers AS "
                f"SELECT customer_id FROM {SCOPE_TABLE}_tickets WHERE customer_id IS NOT NULL UNION "
                f"SELECT customer_id FROM {sla} WHERE ticket_id IN {dirty} AND customer_id IS NOT NULL")
    scope = int(_scalar(con, f"SELECT count(*) FROM {SCOPE_TABLE}_tickets"))
    tables = build({"tickets": f"{SCOPE_TABLE}_tickets", "ticket_events": f"{SCOPE_TABLE}_events"})
    temporaries = {s: engine.backend.compile(tables[s]) for s in STORED}
    con.execute("BEGIN TRANSACTION")
    try:
        for source in STORED:
            target = stored_name(source)
            con.execute(f"DELETE FROM {target} WHERE ticket_id IN {dirty}")
            con.execute(f"INSERT INTO {target} BY NAME {temporaries[source]}")
        _redo_repeat_contacts(engine)
        con.execute(f"DELETE FROM {DIRTY_TABLE}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _drop(engine)
        for part in ("tickets", "events", "customers"):
            con.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}_{part}")
    return Refresh("incremental", scope, time.perf_counter() - started)


def _redo_repeat_contacts(engine: Any) -> None:
    """Recompute ``repeat_contact`` for every stored ticket of the scope's customers.

    A ticket's flag depends on its customer's next ticket, so adding, moving or re-dating one
    ticket can change the flag of the customer's ticket before it (under the old customer and
    the new one); the same Ibis definition as the full build, over those customers' rows.
    """
    from supportmetrics.engine.sources import with_repeat_contact

    backend = engine.backend
    stored = backend.table(stored_name("sla"))
    customers = backend.table(f"{SCOPE_TABLE}_customers")
    rows = stored.filter(stored.customer_id.isin(customers.customer_id))
    flags = with_repeat_contact(rows, engine.settings).select("ticket_id", "repeat_contact")
    target = stored_name("sla")
    backend.con.execute(
        f"UPDATE {target} SET repeat_contact = r.repeat_contact "
        f"FROM ({backend.compile(flags)}) AS r WHERE {target}.ticket_id = r.ticket_id"
    )


def _drop(engine: Any) -> None:
    """Drop the build's temporary tables (the stored copies are what the engine reads)."""
    for name in engine.take_temporaries():
        engine.backend.con.execute(f"DROP TABLE IF EXISTS {name}")
