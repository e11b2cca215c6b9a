"""``alerts run|test|list|history``: alert rules, channels and digests (docs/alerts.md)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from supportmetrics.cli.app import app, console, err_console, say, workspace_dir
from supportmetrics.config import Settings
from supportmetrics.errors import ConfigError, QueryError

if TYPE_CHECKING:
    from supportmetrics.alerts import Notice

alerts_app = typer.Typer(help="Alert rules, notification channels and digests.",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(alerts_app, name="alerts")

AT_HELP = ("Evaluate as of this local date and time (e.g. 2025-10-06T13:00) instead of now: "
           "to try rules on past data.")


def _at(text: str | None) -> datetime | None:
    if text is None:
        return None
    from supportmetrics.config import load_settings

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"--at {text!r}: expected a date and time like 2025-10-06T13:00") \
            from None
    if moment.tzinfo is None:
        zone = load_settings(workspace_dir() / "supportmetrics.toml").zone
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _settings() -> Settings:
    from supportmetrics.config import load_settings
    from supportmetrics.workspace import DATABASE_FILE

    directory = workspace_dir()
    if not (directory / DATABASE_FILE).exists():
        from supportmetrics.errors import WorkspaceError

        raise WorkspaceError(f"{directory}: no workspace here; create one with `supportmetrics "
                             "ingest` or `supportmetrics demo`")
    return load_settings(directory / "supportmetrics.toml")


@alerts_app.command("run")
def run(at: str = typer.Option(None, "--at", help=AT_HELP)) -> None:
    """Evaluate the due rules and digests, send what is pending, exit (for cron).

    Exit 0 when all went well, 2 when a rule could not be evaluated, 3 when a notice was
    given up after its retries (see `alerts history`).
    """
    from supportmetrics.alerts import run_due

    _settings()
    result = run_due(workspace_dir(), _at(at))
    for outcome in result.evaluated:
        mark = result.states.get(outcome.rule, "ok")
        console.print(Text.assemble((f"{outcome.rule}", "bold"), f" [{mark}] ",
                                    f"{outcome.headline} ({outcome.period})"), highlight=False)
    for name in result.digests:
        console.print(Text(f"digest {name}: composed"), highlight=False)
    console.print(Text(f"notices: {result.queued} queued, {result.sent} sent, "
                       f"{result.retrying} to retry, {result.failed} given up"), highlight=False)
    for message in result.notes:
        say(err_console, "note:", "bold yellow", message)
    for message in result.problems:
        say(err_console, "delivery:", "bold yellow", message)
    for message in result.errors:
        say(err_console, "error:", "bold red", message)
    if result.errors:
        raise typer.Exit(2)
    if result.failed:
        raise typer.Exit(3)


@alerts_app.command("test")
def test(
    name: str = typer.Argument(..., help="An [alerts.NAME] rule or a [digests.NAME] digest."),
    send: str = typer.Option(None, "--send", help="Send it to this one [notify.NAME] channel "
                             "(marked as a test); nothing is recorded."),
    at: str = typer.Option(None, "--at", help=AT_HELP),
) -> None:
    """Print what a rule or digest would send now; send nothing unless --send CHANNEL."""
    from supportmetrics.alerts import Notice, preview

    settings = _settings()
    moment = _at(at) or datetime.now(UTC)
    if send is not None and send not in settings.notify:
        known = ", ".join(sorted(settings.notify)) or "none is defined"
        raise ConfigError(f"--send {send!r}: not a [notify.NAME] channel ({known})")
    from supportmetrics.errors import query_notes

    with tempfile.TemporaryDirectory(prefix="supportmetrics-digest-") as scratch, \
            query_notes() as notes:
        if name in settings.digests:
            notices = [_digest_preview(name, moment, Path(scratch), send)]
            console.print(Text(f"digest {name}: "), highlight=False)
        else:
            outcome, notices = preview(workspace_dir(), name, moment)
            state = "the condition holds" if outcome.held else "the condition does not hold"
            console.print(Text(f"{name}: {state} ({outcome.period})"), highlight=False)
            if send is not None:
                first = notices[0]
                notices = [Notice(first.key, first.source, first.kind, send, first.severity,
                                  first.title, first.text, first.html, first.attachments)]
        for notice in notices:
            console.print(Text(f"--- to {notice.channel}: {notice.title}"), highlight=False)
            console.print(Text(notice.text.rstrip()), highlight=False)
            for path in notice.attachments:
                console.print(Text(f"attached: {Path(path).name}"), highlight=False)
        if send is not None:
            _send_now(settings, notices[0])
    for message in notes:
        say(err_console, "note:", "bold yellow", message)


def _digest_preview(name: str, moment: datetime, folder: Path, send: str | None) -> Notice:
    from supportmetrics.alerts import Notice, compose, previous_slot
    from supportmetrics.workspace import Workspace

    with Workspace.open(workspace_dir(), must_exist=True, read_only=True) as ws:
        digest = ws.settings.digests[name]
        slot = previous_slot(digest.schedule, moment, ws.settings)
        composed = compose(name, digest, ws, slot, folder, [])
    channel = send or digest.channels[0]
    return Notice(f"test:{name}", name, "digest", channel, "info", composed.title,
                  composed.text, composed.html, composed.attachments)


def _send_now(settings: Settings, notice: Notice) -> None:
    from supportmetrics.alerts import DeliveryError, apprise_send, resolve

    target = resolve(notice.channel, settings.notify[notice.channel])
    try:
        apprise_send(target, notice)
    except DeliveryError as exc:
        raise ConfigError(f"notify.{notice.channel}: the test notice was not delivered: {exc}") \
            from None
    console.print(Text(f"sent to {notice.channel}"), highlight=False)


@alerts_app.command("list")
def list_() -> None:
    """List the rules with their state, the channels and the digests with their next slot."""
    from croniter import croniter

    from supportmetrics.alerts import STATE_FILE, State, shown
    from supportmetrics.config import environment_names

    settings = _settings()
    directory = workspace_dir()
    states = {}
    if (directory / STATE_FILE).exists():
        with State(directory) as state:
            states = {name: state.rule(name) for name in settings.alerts}
    rules = Table("rule", "condition", "metric", "grain", "for", "severity", "channels",
                  "state", title=Text("alert rules"))
    for name, rule in sorted(settings.alerts.items()):
        current = states.get(name)
        rules.add_row(Text(name), rule.condition, Text(rule.metric or "-"),
                      f"{rule.grain} ({rule.period.replace('_', ' ')})", str(rule.for_),
                      rule.severity, Text(", ".join(rule.channels)),
                      Text(current.status if current else "not run yet"))
    console.print(rules)
    channels = Table("channel", "url", "environment", title=Text("channels"))
    for name, channel in sorted(settings.notify.items()):
        names = environment_names(channel.url)
        env = ", ".join(f"{v} {'set' if os.environ.get(v) else 'NOT SET'}" for v in names)
        channels.add_row(Text(name), Text(shown(channel)), Text(env or "-"))
    console.print(channels)
    digests = Table("digest", "schedule", f"next ({settings.timezone})", "grain", "channels",
                    "attach", title=Text("digests"))
    now = datetime.now(settings.zone)
    for name, digest in sorted(settings.digests.items()):
        upcoming = croniter(digest.schedule, now).get_next(datetime)
        digests.add_row(Text(name), Text(digest.schedule), upcoming.strftime("%Y-%m-%d %H:%M"),
                        digest.grain, Text(", ".join(digest.channels)),
                        ", ".join(digest.attach) or "-")
    console.print(digests)


@alerts_app.command("history")
def history(
    name: str = typer.Argument(None, help="Only this rule or digest."),
    limit: int = typer.Option(20, "--limit", help="How many of each to show, newest first."),
) -> None:
    """Show evaluations, notices and every delivery attempt with its result (times in UTC)."""
    from supportmetrics.alerts import STATE_FILE, State

    _settings()
    directory = workspace_dir()
    if not (directory / STATE_FILE).exists():
        console.print(Text("no alert has run in this workspace yet"), highlight=False)
        return
    with State(directory) as state:
        evaluations = Table("at (UTC)", "rule", "state", "value", "detail",
                            title=Text("evaluations"))
        for rule, at, value, _held, status, detail, error in state.evaluations(name, limit):
            evaluations.add_row(str(at), Text(str(rule)), str(status),
                                "-" if value is None else f"{value:g}",
                                Text(str(error or detail)))
        console.print(evaluations)
        notices = Table("created (UTC)", "from", "kind", "channel", "status", "attempts",
                        "last attempt", title=Text("notices"))
        for stored in state.notices(name, limit):
            attempts = state.deliveries(stored.id)
            last = f"{attempts[-1][0]} {attempts[-1][2]}" if attempts else "-"
            if stored.status == "pending" and stored.not_before > datetime.now(UTC):
                last += f" (next try {stored.not_before.isoformat(timespec='minutes')})"
            notices.add_row(stored.created_at.isoformat(timespec="seconds"),
                            Text(stored.notice.source), stored.notice.kind,
                            Text(stored.notice.channel), stored.status, str(stored.attempts),
                            Text(last))
        console.print(notices)
