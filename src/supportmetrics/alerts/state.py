"""Alert state in the workspace: ``alerts.sqlite`` beside the database file.

Rule evaluation only reads the DuckDB file (any number of readers may hold it), so what alerts
must remember lives in its own SQLite file (WAL mode, one transaction per change):

* ``evaluations`` -- every evaluation of a rule: when, the value, whether the condition held;
* ``rules`` -- each rule's state: ``ok``, ``pending`` (held, fewer than ``for`` times in a row)
  or ``firing``, since when, and when it last notified;
* ``notices`` -- the outbox: one row per notice and channel, written in the same transaction as
  the state change that caused it (``pending``), then sent and marked ``sent``; a failed send is
  tried again with a growing pause, and after :data:`MAX_ATTEMPTS` marked ``failed``; a repeat
  still waiting when its rule resolves is ``superseded`` (not sent);
* ``deliveries`` -- every delivery attempt with its result (secrets masked);
* ``digest_slots`` -- the schedule slots a digest was composed for (each slot once).

A rerun sends what is pending and never a notice twice: a sender claims a notice (``sending``)
before it sends, so two runs at once (``alerts run`` from cron beside ``serve``) never both send
it; a claim left by a run that died is taken over after :data:`CLAIM_SECONDS`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

STATE_FILE = "alerts.sqlite"
#: attempts of one notice before it is marked failed; the pause doubles from RETRY_SECONDS
MAX_ATTEMPTS = 6
RETRY_SECONDS = 60.0
#: a claim older than this belongs to a run that died: another run may send the notice
CLAIM_SECONDS = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY, rule TEXT NOT NULL, at TEXT NOT NULL, value REAL,
    held INTEGER NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL, error TEXT);
CREATE INDEX IF NOT EXISTS evaluations_rule ON evaluations (rule, at);
CREATE TABLE IF NOT EXISTS rules (
    rule TEXT PRIMARY KEY, status TEXT NOT NULL, streak INTEGER NOT NULL,
    since TEXT, notified_at TEXT, evaluated_at TEXT);
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    kind TEXT NOT NULL, channel TEXT NOT NULL, severity TEXT NOT NULL,
    title TEXT NOT NULL, text TEXT NOT NULL, html TEXT, attachments TEXT NOT NULL,
    created_at TEXT NOT NULL, not_before TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, claimed_at TEXT, sent_at TEXT);
CREATE INDEX IF NOT EXISTS notices_status ON notices (status, not_before);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, notice INTEGER NOT NULL REFERENCES notices (id),
    at TEXT NOT NULL, ok INTEGER NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS digest_slots (
    digest TEXT NOT NULL, slot TEXT NOT NULL, composed_at TEXT NOT NULL,
    PRIMARY KEY (digest, slot));
"""


def iso(moment: datetime) -> str:
    """An aware instant as UTC ISO text (the only form stored)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class RuleState:
    rule: str
    status: str  # ok | pending | firing
    streak: int
    since: datetime | None
    notified_at: datetime | None
    evaluated_at: datetime | None


@dataclass(frozen=True)
class Notice:
    """One message for one channel, as stored in the outbox."""

    key: str
    source: str  # the rule or digest name
    kind: str  # firing | repeat | resolved | digest | test
    channel: str
    severity: str
    title: str
    text: str
    html: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredNotice:
    id: int
    notice: Notice
    status: str
    attempts: int
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None


class State:
    """The alert state file of one workspace directory."""

    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / STATE_FILE
        self.con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA busy_timeout=30000")
        self.con.executescript(_SCHEMA)
        if os.name == "posix":
            self.path.chmod(0o600)  # notices may carry figures the team keeps to itself

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``): all of it or nothing."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- rules --------------------------------------------------------------------------------

    def rule(self, name: str) -> RuleState:
        row = self.con.execute(
            "SELECT status, streak, since, notified_at, evaluated_at FROM rules WHERE rule = ?",
            (name,)).fetchone()
        if row is None:
            return RuleState(name, "ok", 0, None, None, None)
        status, streak, since, notified, evaluated = row
        return RuleState(name, status, streak, _maybe(since), _maybe(notified), _maybe(evaluated))

    def set_rule(self, con: sqlite3.Connection, state: RuleState) -> None:
        con.execute(
            "INSERT INTO rules (rule, status, streak, since, notified_at, evaluated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rule) DO UPDATE SET status = excluded.status, "
            "streak = excluded.streak, since = excluded.since, "
            "notified_at = excluded.notified_at, evaluated_at = excluded.evaluated_at",
            (state.rule, state.status, state.streak, _text(state.since),
             _text(state.notified_at), _text(state.evaluated_at)))

    def record_evaluation(self, con: sqlite3.Connection, rule: str, at: datetime,
                          value: float | None, held: bool, status: str, detail: str,
                          error: str | None = None) -> None:
        con.execute(
            "INSERT INTO evaluations (rule, at, value, held, status, detail, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (rule, iso(at), value, int(held), status, detail, error))

    def evaluations(self, rule: str | None = None, limit: int = 50) -> list[tuple[object, ...]]:
        sql = "SELECT rule, at, value, held, status, detail, error FROM evaluations"
        args: tuple[object, ...] = ()
        if rule is not None:
            sql, args = sql + " WHERE rule = ?", (rule,)
        return list(self.con.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)))

    # -- the outbox ---------------------------------------------------------------------------

    def enqueue(self, con: sqlite3.Connection, notice: Notice, now: datetime,
                not_before: datetime | None = None) -> bool:
        """Add ``notice`` to the outbox; False when a notice of that key is already there."""
        cursor = con.execute(
            "INSERT OR IGNORE INTO notices (key, source, kind, channel, severity, title, text, "
            "html, attachments, created_at, not_before, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            (notice.key, notice.source, notice.kind, notice.channel, notice.severity,
             notice.title, notice.text, notice.html, json.dumps(list(notice.attachments)),
             iso(now), iso(not_before or now)))
        return cursor.rowcount == 1

    def claim_due(self, now: datetime) -> list[StoredNotice]:
        """Claim the notices due at ``now`` (pending, or claimed by a run that died)."""
        stale = iso(now - timedelta(seconds=CLAIM_SECONDS))
        with self.transaction() as con:
            rows = list(con.execute(
                f"SELECT {_NOTICE_COLUMNS} FROM notices WHERE (status = 'pending' AND "
                "not_before <= ?) OR (status = 'sending' AND claimed_at <= ?) ORDER BY id",
                (iso(now), stale)))
            con.executemany("UPDATE notices SET status = 'sending', claimed_at = ? WHERE id = ?",
                            [(iso(now), row[0]) for row in rows])
        return [_stored(row) for row in rows]

    def record_delivery(self, notice: StoredNotice, now: datetime, ok: bool,
                        message: str) -> str:
        """The result of one attempt; the notice becomes sent, pending (retry) or failed."""
        attempts = notice.attempts + 1
        if ok:
            status, retry_at = "sent", now
        elif attempts >= MAX_ATTEMPTS:
            status, retry_at = "failed", now
        else:
            status = "pending"
            retry_at = now + timedelta(seconds=RETRY_SECONDS * 2 ** (attempts - 1))
        with self.transaction() as con:
            con.execute("INSERT INTO deliveries (notice, at, ok, message) VALUES (?, ?, ?, ?)",
                        (notice.id, iso(now), int(ok), message))
            con.execute(
                "UPDATE notices SET status = ?, attempts = ?, not_before = ?, claimed_at = NULL, "
                "sent_at = ? WHERE id = ?",
                (status, attempts, iso(retry_at), iso(now) if ok else None, notice.id))
        return status

    def notices(self, source: str | None = None, limit: int = 50) -> list[StoredNotice]:
        sql = f"SELECT {_NOTICE_COLUMNS} FROM notices"
        args: tuple[object, ...] = ()
        if source is not None:
            sql, args = sql + " WHERE source = ?", (source,)
        rows = self.con.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [_stored(row) for row in rows]

    def deliveries(self, notice_id: int) -> list[tuple[str, bool, str]]:
        return [(at, bool(ok), message) for at, ok, message in self.con.execute(
            "SELECT at, ok, message FROM deliveries WHERE notice = ? ORDER BY id", (notice_id,))]

    # -- digests ------------------------------------------------------------------------------

    def slot_done(self, digest: str, slot: datetime) -> bool:
        return self.con.execute("SELECT 1 FROM digest_slots WHERE digest = ? AND slot = ?",
                                (digest, iso(slot))).fetchone() is not None

    def mark_slot(self, con: sqlite3.Connection, digest: str, slot: datetime,
                  now: datetime) -> bool:
        """Record the slot; False when another run recorded it first."""
        cursor = con.execute(
            "INSERT OR IGNORE INTO digest_slots (digest, slot, composed_at) VALUES (?, ?, ?)",
            (digest, iso(slot), iso(now)))
        return cursor.rowcount == 1


_NOTICE_COLUMNS = ("id, key, source, kind, channel, severity, title, text, html, attachments, "
                   "status, attempts, created_at, not_before, sent_at")


def _stored(row: tuple[object, ...]) -> StoredNotice:
    (id_, key, source, kind, channel, severity, title, text, html, attachments, status,
     attempts, created, not_before, sent) = row
    notice = Notice(str(key), str(source), str(kind), str(channel), str(severity), str(title),
                    str(text), None if html is None else str(html),
                    tuple(json.loads(str(attachments))))
    return StoredNotice(int(str(id_)), notice, str(status), int(str(attempts)),
                        instant(str(created)), instant(str(not_before)),
                        None if sent is None else instant(str(sent)))


def _maybe(text: object) -> datetime | None:
    return None if text is None else instant(str(text))


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def overview(directory: str | Path, limit: int = 20) -> dict[str, object]:
    """The alert state for the dashboard and the API (plain values, secrets never present):
    each rule's state, and the latest notices with their last delivery attempt."""
    if not (Path(directory) / STATE_FILE).exists():
        return {"rules": [], "notices": []}
    with State(directory) as state:
        rules = [
            {"rule": rule, "status": status, "streak": streak, "since": since,
             "notified_at": notified, "evaluated_at": evaluated}
            for rule, status, streak, since, notified, evaluated in state.con.execute(
                "SELECT rule, status, streak, since, notified_at, evaluated_at FROM rules "
                "ORDER BY rule")]
        notices = []
        for stored in state.notices(limit=limit):
            attempts = state.deliveries(stored.id)
            notices.append({
                "id": stored.id, "source": stored.notice.source, "kind": stored.notice.kind,
                "channel": stored.notice.channel, "title": stored.notice.title,
                "status": stored.status, "attempts": stored.attempts,
                "created_at": iso(stored.created_at), "next_attempt_at":
                iso(stored.not_before) if stored.status == "pending" else None,
                "last_result": attempts[-1][2] if attempts else None})
    return {"rules": rules, "notices": notices}
