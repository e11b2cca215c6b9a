"""Running alerts: evaluate the due rules and digests, write the notices, send them.

:func:`run_due` is the whole of one run (``supportmetrics alerts run``, the server's background
task, :func:`after_load`). It reads the workspace read-only and writes only the alert state
(``alerts.sqlite``), in this order, so a crash anywhere neither loses nor repeats a notice:

1. evaluate each due rule; in one transaction per rule, record the evaluation, the rule's new
   state and the notices that state change causes (the outbox);
2. compose each digest whose schedule slot has come; in one transaction, record the slot and
   its notices;
3. let go of the workspace, then send every notice due (pending, past quiet hours, past its
   retry pause) and record each attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from supportmetrics import calendar as cal
from supportmetrics.alerts.channels import DeliveryError, Sender, apprise_send, mask, resolve
from supportmetrics.alerts.rules import Evaluation, evaluate
from supportmetrics.alerts.state import STATE_FILE, Notice, RuleState, State, iso
from supportmetrics.config import AlertRule, Settings, load_settings
from supportmetrics.errors import SupportMetricsError

log = logging.getLogger("supportmetrics.alerts")
#: a digest slot missed by more than this (no run in between) is skipped, not sent late
DIGEST_GRACE = timedelta(hours=24)


@dataclass
class RunResult:
    """What one run did."""

    evaluated: list[Evaluation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    digests: list[str] = field(default_factory=list)
    #: what the engine noted while answering (a stale store, a filter a metric cannot apply)
    notes: list[str] = field(default_factory=list)
    #: each evaluated rule's state after the run: ok, pending or firing
    states: dict[str, str] = field(default_factory=dict)
    #: the failed delivery attempts of this run (secrets masked), with what happens next
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed


def run_due(directory: str | Path, now: datetime | None = None, *,
            sender: Sender | None = None, rules: Iterable[str] | None = None,
            digests: bool = True, every_rule: bool = False,
            environ: dict[str, str] | None = None, workspace: Any = None) -> RunResult:
    """One run over the workspace ``directory`` at ``now`` (aware; default: the clock).

    ``rules`` limits the rules evaluated (default: those due by their ``schedule``, all with
    ``every_rule``); ``digests=False`` leaves digests for a later run. ``workspace``: a
    read-only :class:`~supportmetrics.Workspace` of ``directory`` the caller keeps open (a
    server); by default the run opens one and lets go of it before sending.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    directory = Path(directory)
    settings = load_settings(directory / "supportmetrics.toml")
    result = RunResult()
    if not settings.alerts and not settings.digests and not (directory / STATE_FILE).exists():
        return result  # nothing configured, nothing pending: leave the directory as it is
    with State(directory) as state:
        chosen = _due_rules(settings, state, now, rules, every_rule)
        due_digests = _due_digests(settings, state, now) if digests else []
        if chosen or due_digests:
            _evaluate(directory, settings, state, now, chosen, due_digests, result, workspace)
        _deliver(settings, state, now, sender or apprise_send, result, environ)
    return result


def after_load(directory: str | Path, tables: Iterable[str],
               now: datetime | None = None, sender: Sender | None = None,
               workspace: Any = None) -> RunResult | None:
    """Evaluate the rules whose metric reads one of ``tables`` after a load wrote them.

    Rules that read other tables are left to their schedule. None when no rule reads them.
    """
    from supportmetrics.engine import SOURCES
    from supportmetrics.metrics import get_metric

    settings = load_settings(Path(directory) / "supportmetrics.toml")
    loaded = set(tables)
    chosen = [name for name, rule in settings.alerts.items()
              if loaded & set(SOURCES[get_metric(_metric_of(rule)).source].tables)]
    if not chosen:
        return None
    return run_due(directory, now, sender=sender, rules=chosen, digests=False,
                   workspace=workspace)


def background(directory: str | Path, interval_s: float = 60.0,
               sender: Sender | None = None, workspace: Any = None) -> Callable[[], Any]:
    """A factory of the server's alert task: ``asyncio.create_task(background(dir)())``.

    Every ``interval_s`` seconds it runs :func:`run_due` in a worker thread (the event loop
    stays free); an error is logged and the next round goes on. ``workspace``: the server's
    read-only workspace, used instead of opening another.
    """

    async def task() -> None:
        while True:
            try:
                result = await asyncio.to_thread(run_due, directory, sender=sender,
                                                 workspace=workspace)
                for problem in (*result.errors, *result.problems):
                    log.warning("alerts: %s", problem)
            except SupportMetricsError as exc:
                log.warning("alerts: %s", mask(str(exc)))
            except Exception:  # a bug: log it, keep the server's schedule alive
                log.exception("alerts: the run failed")
            await asyncio.sleep(interval_s)

    return task


def _metric_of(rule: AlertRule) -> str:
    if rule.metric is not None:
        return rule.metric
    return {"spike": "ticket_volume", "sla_at_risk": "sla_compliance",
            "backlog_over": "backlog"}.get(rule.condition, "ticket_volume")


# -- what is due -----------------------------------------------------------------------------


def _due_rules(settings: Settings, state: State, now: datetime, names: Iterable[str] | None,
               every_rule: bool) -> list[str]:
    if names is not None:
        return [n for n in names if n in settings.alerts]
    due = []
    for name, rule in settings.alerts.items():
        last = state.rule(name).evaluated_at
        if (every_rule or rule.schedule is None or last is None
                or previous_slot(rule.schedule, now, settings) > last):
            due.append(name)
    return due


def previous_slot(schedule: str, now: datetime, settings: Settings) -> datetime:
    """The latest slot of a cron schedule at or before ``now``, read in the workspace zone
    (a slot in a DST gap or fold follows croniter: each wall-clock slot once)."""
    from croniter import croniter

    local = now.astimezone(settings.zone)
    slot: datetime = croniter(schedule, local + timedelta(seconds=1)).get_prev(datetime)
    return slot.astimezone(UTC)


def _due_digests(settings: Settings, state: State, now: datetime) -> list[tuple[str, datetime]]:
    due = []
    for name, digest in settings.digests.items():
        slot = previous_slot(digest.schedule, now, settings)
        if now - slot <= DIGEST_GRACE and not state.slot_done(name, slot):
            due.append((name, slot))
    return due


# -- evaluating ------------------------------------------------------------------------------


def _evaluate(directory: Path, settings: Settings, state: State, now: datetime,
              rules: list[str], digests: list[tuple[str, datetime]], result: RunResult,
              workspace: Any) -> None:
    import contextlib

    from supportmetrics.errors import query_notes
    from supportmetrics.workspace import Workspace

    opened = (contextlib.nullcontext(workspace) if workspace is not None
              else Workspace.open(directory, must_exist=True, read_only=True))
    with opened as ws, query_notes() as notes:
        for name in rules:
            rule = settings.alerts[name]
            try:
                outcome = evaluate(name, rule, ws, now)
            except SupportMetricsError as exc:
                message = f"alerts.{name}: {exc}"
                result.errors.append(message)
                with state.transaction() as con:
                    previous = state.rule(name)
                    state.set_rule(con, RuleState(name, previous.status, previous.streak,
                                                  previous.since, previous.notified_at, now))
                    state.record_evaluation(con, name, now, None, False, previous.status, "",
                                            str(exc))
                continue
            result.evaluated.append(outcome)
            result.queued += transition(state, settings, name, rule, outcome, now)
            result.states[name] = state.rule(name).status
        for name, slot in digests:
            try:
                result.queued += _digest(directory, settings, state, ws, name, slot, now)
                result.digests.append(name)
            except SupportMetricsError as exc:
                result.errors.append(f"digests.{name}: {exc}")
    result.notes.extend(notes)


def transition(state: State, settings: Settings, name: str, rule: AlertRule,
               outcome: Evaluation, now: datetime) -> int:
    """Record ``outcome`` and move the rule's state; returns the notices queued.

    ``ok`` -> ``pending`` while the condition held fewer than ``for`` times in a row ->
    ``firing`` (a firing notice) -> a repeat notice every ``repeat`` while it holds ->
    ``ok`` with a resolved notice when it clears.
    """
    queued = 0
    with state.transaction() as con:
        old = state.rule(name)
        kind: str | None = None
        if outcome.held:
            streak = old.streak + 1
            if old.status == "firing":
                new = RuleState(name, "firing", streak, old.since, old.notified_at, now)
                due = old.notified_at is None or (
                    now - old.notified_at).total_seconds() >= rule.repeat_seconds
                if rule.repeat_seconds and due:
                    kind, new = "repeat", RuleState(name, "firing", streak, old.since, now, now)
            elif streak >= rule.for_:
                kind, new = "firing", RuleState(name, "firing", streak, now, now, now)
            else:
                new = RuleState(name, "pending", streak, None, None, now)
        else:
            if old.status == "firing":
                kind = "resolved"
            new = RuleState(name, "ok", 0, None, None, now)
        state.set_rule(con, new)
        state.record_evaluation(con, name, now, outcome.value, outcome.held, new.status,
                                outcome.headline)
        if kind == "resolved":
            # a repeat still waiting (quiet hours, retries) says what is no longer true
            con.execute("UPDATE notices SET status = 'superseded' WHERE source = ? AND "
                        "kind = 'repeat' AND status = 'pending'", (name,))
        if kind is not None:
            since = new.since if kind != "resolved" else old.since
            episode = iso(since or now)
            held_until = quiet_until(settings, rule.severity, now)
            for channel in rule.channels:
                notice = alert_notice(name, rule, outcome, kind, channel, since, now,
                                      key=f"alert:{name}:{episode}:{kind}:{iso(now)}:{channel}")
                queued += state.enqueue(con, notice, now, held_until)
    return queued


def alert_notice(name: str, rule: AlertRule, outcome: Evaluation, kind: str, channel: str,
                 since: datetime | None, now: datetime, key: str = "") -> Notice:
    """The notice of one rule event for one channel."""
    label = {"firing": rule.severity.upper(), "repeat": f"{rule.severity.upper()}, still",
             "resolved": "RESOLVED", "test": f"TEST {rule.severity.upper()}"}[kind]
    title = f"[{label}] {name}: {outcome.headline.split(';')[0]}"
    lines = [outcome.headline, f"period: {outcome.period}", *outcome.lines]
    if kind == "resolved":
        lines.insert(0, "the condition no longer holds")
    if since is not None and kind in ("repeat", "resolved"):
        lines.append(f"firing since {iso(since)}")
    lines.append(f"evaluated at {iso(now)} (UTC); rule [alerts.{name}], severity "
                 f"{rule.severity}")
    return Notice(key or f"{kind}:{name}:{iso(now)}:{channel}", name, kind, channel,
                  rule.severity, title, "\n".join(lines) + "\n")


def quiet_until(settings: Settings, severity: str, now: datetime) -> datetime | None:
    """When a notice of ``severity`` raised at ``now`` may go out: None (at once) for a
    critical one or inside business hours, else the next opening of the business calendar."""
    if severity == "critical":
        return None
    calendar = settings.business_hours.for_team(None)
    zone = cal.calendar_zone(calendar, settings.timezone)
    today = now.astimezone(zone).date()
    moment = now.timestamp()
    for start, end in cal.open_intervals(calendar, zone, today - timedelta(days=1),
                                         today + timedelta(days=40)):
        if start <= moment < end:
            return None
        if start > moment:
            return datetime.fromtimestamp(start, UTC)
    return None  # no business hours in the next weeks: do not hold notices forever


def _digest(directory: Path, settings: Settings, state: State, ws: Any, name: str,
            slot: datetime, now: datetime) -> int:
    from supportmetrics.alerts.digest import compose

    digest = settings.digests[name]
    firing = [(rule, settings.alerts[rule].severity, iso(s.since) if s.since else "")
              for rule in settings.alerts
              if (s := state.rule(rule)).status == "firing"]
    stamp = slot.strftime("%Y%m%dT%H%M")
    folder = directory / "alerts" / name / stamp
    composed = compose(name, digest, ws, slot, folder, firing)
    queued = 0
    with state.transaction() as con:
        if not state.mark_slot(con, name, slot, now):
            return 0
        for channel in digest.channels:
            notice = Notice(f"digest:{name}:{iso(slot)}:{channel}", name, "digest", channel,
                            "info", composed.title, composed.text, composed.html,
                            composed.attachments)
            queued += state.enqueue(con, notice, now)
    return queued


# -- sending ---------------------------------------------------------------------------------


def _deliver(settings: Settings, state: State, now: datetime, sender: Sender,
             result: RunResult, environ: dict[str, str] | None) -> None:
    for stored in state.claim_due(now):
        channel = settings.notify.get(stored.notice.channel)
        secrets: tuple[str, ...] = ()
        try:
            if channel is None:
                raise DeliveryError(f"the channel {stored.notice.channel!r} is no longer in "
                                    "[notify]")
            target = resolve(stored.notice.channel, channel, environ)
            secrets = target.secrets
            sender(target, stored.notice)
        except (DeliveryError, SupportMetricsError) as exc:
            _failed(state, stored, now, mask(str(exc), secrets), result)
            continue
        except Exception as exc:  # a service library failing in its own way: retried too
            _failed(state, stored, now, mask(f"{type(exc).__name__}: {exc}", secrets), result)
            continue
        state.record_delivery(stored, now, True, "sent")
        result.sent += 1


def _failed(state: State, stored: Any, now: datetime, message: str, result: RunResult) -> None:
    status = state.record_delivery(stored, now, False, message)
    notice = stored.notice
    if status == "failed":
        result.failed += 1
        then = f"given up after {stored.attempts + 1} attempts"
    else:
        result.retrying += 1
        then = "tried again later"
    problem = f"{notice.kind} of {notice.source} to {notice.channel}: {message} ({then})"
    result.problems.append(problem)
    log.info("alerts: %s", problem)
