"""Alerts and digests: rules walked with an injected clock, real SMTP and HTTP receivers on
loopback, the outbox across crashes and reruns, and the business clock of ``sla_at_risk``.

The workspace is tests/alerts_fixture.py (its docstring gives the rows and the calendar).
Every instant below is written in UTC with the local time beside it.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from alerts_fixture import SETTINGS, build

from supportmetrics import Workspace
from supportmetrics.alerts import overview, preview, run_due
from supportmetrics.alerts.channels import DeliveryError, Resolved, mask, slack_blocks
from supportmetrics.alerts.rules import evaluate
from supportmetrics.alerts.schedule import quiet_until
from supportmetrics.alerts.state import STATE_FILE, Notice, State
from supportmetrics.cli import main
from supportmetrics.config import settings_from_dict
from supportmetrics.errors import ConfigError


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("alerts") / "ws")


def configure(directory: Path, text: str) -> None:
    """The fixture's settings plus ``text``; the alert state starts empty."""
    (directory / "supportmetrics.toml").write_text(SETTINGS + text, encoding="utf-8")
    for suffix in ("", "-wal", "-shm"):
        (directory / f"{STATE_FILE}{suffix}").unlink(missing_ok=True)


class Collect:
    """A sender that records what it was given (the seam for the network)."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def __call__(self, target: Resolved, notice: Notice) -> None:
        self.sent.append(notice)

    def take(self) -> list[tuple[str, str]]:
        taken = [(n.kind, n.channel) for n in self.sent]
        self.sent.clear()
        return taken


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- settings ----------------------------------------------------------------------------------


def test_settings_name_the_rule_and_key() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"alerts": {"slow": {"condition": "slower", "metric": "frt",
                                                "channels": ["ops"]}}})
    assert "alerts.slow.condition: 'slower' is not a condition" in str(caught.value)
    assert "alerts.slow.metric: 'frt' is not a metric id" in str(caught.value)
    with pytest.raises(ConfigError, match=r"alerts\.slow\.channels: 'pager' is not a "
                       r"\[notify\.NAME\] channel \(ops defined\)"):
        settings_from_dict({"notify": {"ops": {"url": "json://localhost"}},
                            "alerts": {"slow": {"condition": "above", "metric": "csat",
                                                "value": 80, "channels": ["pager"]}}})
    with pytest.raises(ConfigError, match=r"digests\.weekly\.schedule: '0 8 \* MON' is not a "
                       "cron schedule"):
        settings_from_dict({"notify": {"ops": {"url": "json://localhost"}},
                            "digests": {"weekly": {"schedule": "0 8 * MON",
                                                   "channels": ["ops"]}}})
    with pytest.raises(ConfigError, match="condition above needs value"):
        settings_from_dict({"notify": {"ops": {"url": "json://localhost"}},
                            "alerts": {"hot": {"condition": "above", "metric": "csat",
                                               "channels": ["ops"]}}})


def test_the_documented_example_is_the_example_file() -> None:
    repo = Path(__file__).resolve().parents[1]
    example = (repo / "examples" / "alerts.toml").read_text(encoding="utf-8")
    assert f"```toml\n{example}```" in (repo / "docs" / "alerts.md").read_text(encoding="utf-8")
    settings_from_dict(__import__("tomllib").loads(example))  # and it is valid


def test_slack_sends_blocks_and_secrets_are_masked() -> None:
    assert slack_blocks("slack://T1/B2/X3") == "slack://T1/B2/X3?blocks=yes"
    assert slack_blocks("slack://T1/B2/X3?blocks=no") == "slack://T1/B2/X3?blocks=no"
    assert slack_blocks("ntfy://host/topic") == "ntfy://host/topic"
    assert mask("failed: mailtos://bot:pa55@smtp.example.com?to=x@y token T1/B2/X3",
                ("T1/B2/X3",)) == "failed: mailtos://bot:***@smtp.example.com?to=x@y token ***"


def test_cli_refuses_bad_rules_with_exit_2(directory: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    configure(directory, '[notify.ops]\nurl = "json://localhost"\n'
              '[alerts.hot]\ncondition = "above"\nmetric = "nope"\nvalue = 1\n'
              'channels = ["ops"]\n')
    assert main(["-w", str(directory), "alerts", "run"]) == 2
    err = capsys.readouterr().err
    assert "alerts.hot.metric: 'nope' is not a metric id" in err
    assert "Traceback" not in err


# -- the business clock of sla_at_risk ----------------------------------------------------------


def test_sla_at_risk_follows_holiday_and_dst(directory: Path) -> None:
    configure(directory, "")
    with Workspace.open(directory, read_only=True) as ws:
        engine = ws.engine()
        # Fri 24 Oct 16:45 CEST = 14:45 UTC: S2 (normal, 480 min, from 09:00) has 480 - 465 =
        # 15 min left; S1 (urgent, 60 min, from 16:30) 60 - 15 = 45 min
        friday = engine.sla_at_risk(utc("2025-10-24 14:45"), 60 * 60)
        assert list(zip(friday.ticket_id, friday.target, friday.seconds_left, strict=True)) == [
            ("S2", "first_response", 15 * 60), ("S1", "first_response", 45 * 60)]
        # Tue 28 Oct 09:10 CET = 08:10 UTC. S1: 30 min on Friday, Monday a holiday, 10 min on
        # Tuesday -> due at 09:30 CET (08:30 UTC): 20 min left. Had the clock kept summer
        # time, Tuesday would have opened at 07:00 UTC and S1 be breached; had the holiday
        # counted, it would have been breached on Monday. S2 is breached: not at risk.
        tuesday = engine.sla_at_risk(utc("2025-10-28 08:10"), 30 * 60)
        assert list(zip(tuesday.ticket_id, tuesday.target, tuesday.seconds_left,
                        strict=True)) == [("S1", "first_response", 20 * 60)]
        # within 8 h: S3 first response 240 - 10 = 230 min; S1 resolution 480 - 40 = 440 min;
        # S4 (replied 09:05) resolution 480 - 10 = 470 min
        later = engine.sla_at_risk(utc("2025-10-28 08:10"), 8 * 3600)
        assert list(zip(later.ticket_id, later.target, later.seconds_left, strict=True)) == [
            ("S1", "first_response", 1200), ("S3", "first_response", 230 * 60),
            ("S1", "resolution", 440 * 60), ("S4", "resolution", 470 * 60)]


def test_quiet_hours_wait_for_the_next_opening() -> None:
    settings = settings_from_dict({"timezone": "Europe/Zagreb",
                                   "business_hours": {"holidays": ["2025-10-27"]}})
    saturday = utc("2025-10-25 08:00")  # Sat 10:00 CEST
    # Monday is a holiday; Tuesday opens at 09:00 CET = 08:00 UTC (winter time from Sunday)
    assert quiet_until(settings, "warning", saturday) == utc("2025-10-28 08:00")
    assert quiet_until(settings, "critical", saturday) is None
    assert quiet_until(settings, "info", utc("2025-10-24 08:00")) is None  # Fri 10:00 CEST


# -- a rule through pending, firing, repeat, quiet hours and resolved --------------------------

WALK = """
[notify.team]
url = "json://127.0.0.1:9/never-used"

[alerts.busy_week]
condition = "above"
metric = "ticket_volume"
value = 5
grain = "week"
for = 2
repeat = "2h"
severity = "warning"
channels = ["team"]
"""


def test_rule_walks_pending_firing_repeat_quiet_resolved(directory: Path) -> None:
    configure(directory, WALK)
    send = Collect()
    reader = Workspace.open(directory, read_only=True)  # as a server keeps one open

    def run(at: str) -> list[tuple[str, str]]:
        run_due(directory, utc(at), sender=send, workspace=reader)
        return send.take()

    # the week of Oct 20: 9 billing + 1 delivery + S1 + S2 = 12 tickets, above 5
    assert run("2025-10-24 08:00") == []  # Fri 10:00 CEST: held once: pending (for = 2)
    assert run("2025-10-24 09:00") == [("firing", "team")]  # held twice: firing
    assert run("2025-10-24 10:00") == []  # 1 h since the notice: no repeat yet (2 h)
    # Sat 10:00 CEST: a repeat is due, but outside business hours a warning waits
    assert run("2025-10-25 08:00") == []
    # Mon 27 Oct (a holiday) 10:00 CET: a new week with S3 and S4 only (2): resolved, waiting
    assert run("2025-10-27 09:00") == []
    # Tue 09:00 CET, the next opening: the resolved notice goes; the waiting repeat was
    # superseded by it (it would say the week is still busy)
    assert run("2025-10-28 08:00") == [("resolved", "team")]
    assert run("2025-10-28 08:01") == []  # a rerun sends nothing twice
    reader.close()
    with State(directory) as state:
        states = [row[4] for row in reversed(state.evaluations("busy_week"))]
        assert states == ["pending", "firing", "firing", "firing", "ok", "ok", "ok"]
        values = [row[2] for row in reversed(state.evaluations("busy_week"))]
        assert values == [12, 12, 12, 12, 2, 2, 2]
        assert [(n.notice.kind, n.status) for n in reversed(state.notices("busy_week"))] == [
            ("firing", "sent"), ("repeat", "superseded"), ("resolved", "sent")]


def test_critical_rules_ignore_quiet_hours(directory: Path) -> None:
    configure(directory, WALK.replace('"warning"', '"critical"').replace("for = 2", "for = 1"))
    send = Collect()
    run_due(directory, utc("2025-10-25 08:00"), sender=send)  # Saturday
    assert send.take() == [("firing", "team")]


def test_every_condition_evaluates(directory: Path) -> None:
    configure(directory, """
[notify.team]
url = "json://127.0.0.1:9/x"
[alerts.spiky]
condition = "spike"
by = "category"
grain = "week"
channels = ["team"]
[alerts.grew]
condition = "change"
metric = "ticket_volume"
grain = "week"
value = 100
percent = true
channels = ["team"]
[alerts.target]
condition = "off_target"
metric = "ticket_volume"
grain = "week"
channels = ["team"]
[alerts.yearly]
condition = "change"
metric = "ticket_volume"
grain = "week"
compare = "last_year"
value = -50
percent = true
channels = ["team"]
[alerts.quiet]
condition = "below"
metric = "ticket_volume"
grain = "week"
value = 3
channels = ["team"]
[alerts.risk]
condition = "sla_at_risk"
within_minutes = 30
channels = ["team"]
[alerts.old]
condition = "backlog_over"
value = 1
age_hours = 24
channels = ["team"]
""")
    # Tue 28 Oct 09:10 CET; grain week, period current: the week of Oct 27 so far, with 2
    # tickets (S3, S4), against the week of Oct 20 with 12
    at = utc("2025-10-28 08:10")
    with Workspace.open(directory, read_only=True) as ws:
        outcomes = {name: evaluate(name, rule, ws, at) for name, rule in ws.settings.alerts.items()}
    assert outcomes["quiet"].held and outcomes["quiet"].value == 2  # 2 < 3
    assert not outcomes["target"].held  # 2 within the band [0, 10]
    assert outcomes["grew"].value == pytest.approx((2 - 12) / 12 * 100)  # -83.3 %, not +100
    assert not outcomes["grew"].held
    # the same week of 2024 (52 weeks before: Oct 28, 2024) has no tickets: 0, and a change in
    # percent of 0 cannot be computed; never held on a guess
    assert outcomes["yearly"].value is None and not outcomes["yearly"].held
    assert outcomes["yearly"].headline == (
        "Ticket volume (ticket_volume) is 2 against 0 in the same period a year before "
        "(2024-10-28): cannot be compared; alert at -50 %")
    assert outcomes["risk"].held and outcomes["risk"].value == 1
    assert outcomes["risk"].lines == (
        "ticket S1 (urgent, tier1): first response target breached in 20 min of business time",)
    assert outcomes["risk"].headline == ("1 open SLA target will be breached within 30 min "
                                         "(business clock)")
    # open tickets at the end of Oct 28 created more than 24 h before: S1, S2 (S3, S4 are
    # from Oct 28) = 2 > 1
    assert outcomes["old"].held and outcomes["old"].value == 2
    # the week of Oct 27 so far by category: sla 2 (S3, S4) against a median of 0 over the 8
    # weeks before (0 in seven of them, 2 in one): a spike; billing and delivery 0
    assert outcomes["spiky"].lines == ("category sla: 2 tickets, usually 0",)


def test_change_and_spike_on_the_last_complete_week(directory: Path) -> None:
    configure(directory, """
[notify.team]
url = "json://127.0.0.1:9/x"
[alerts.spiky]
condition = "spike"
grain = "week"
period = "last_complete"
channels = ["team"]
[alerts.grew]
condition = "change"
metric = "ticket_volume"
grain = "week"
period = "last_complete"
value = 100
percent = true
channels = ["team"]
[alerts.target]
condition = "off_target"
metric = "ticket_volume"
grain = "week"
period = "last_complete"
channels = ["team"]
""")
    at = utc("2025-10-28 08:10")
    with Workspace.open(directory, read_only=True) as ws:
        spiky = evaluate("spiky", ws.settings.alerts["spiky"], ws, at)
        grew = evaluate("grew", ws.settings.alerts["grew"], ws, at)
    # the week of Oct 20 against the 8 weeks before: billing 9 against 2 each week; the
    # category "sla" (S1, S2) 2 against nothing
    assert spiky.held
    assert spiky.lines == ("category billing: 9 tickets, usually 2",
                           "category sla: 2 tickets, usually 0")
    assert grew.value == pytest.approx((12 - 3) / 3 * 100)  # +300 % >= +100 %
    assert grew.held
    target, notices = preview(directory, "target", at)
    assert target.held and target.value == 12  # above the band [0, 10]
    assert notices[0].title == "[TEST WARNING] target: Ticket volume (ticket_volume) is 12"


# -- delivery: loopback receivers, retry with backoff, secrets ---------------------------------


class Receiver:
    """A loopback HTTP server answering each POST with the next status of ``statuses``."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver([500])
    yield server
    server.close()


def test_webhook_retry_without_duplicates_and_secrets_masked(
        directory: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    token = "s3cr3t-hook-token"
    monkeypatch.setenv("HOOK_TOKEN", token)
    configure(directory, f"""
[notify.chat]
url = "json://127.0.0.1:{receiver.port}/hooks/${{HOOK_TOKEN}}"
[notify.push]
url = "ntfy://127.0.0.1:{receiver.port}/support-alerts"
[alerts.busy]
condition = "above"
metric = "ticket_volume"
value = 5
grain = "week"
severity = "critical"
channels = ["chat", "push"]
schedule = "0 0 1 1 *"
""")
    at = utc("2025-10-24 08:00")
    first = run_due(directory, at)
    # the chat hook answered 500 (retry in 60 s), the push went through
    assert (first.sent, first.retrying) == (1, 1)
    assert first.problems == ["firing of busy to chat: Failed to send JSON POST notification: "
                              "Internal server error., error=500. (tried again later)"]
    assert run_due(directory, at + timedelta(seconds=30)).sent == 0  # still waiting
    third = run_due(directory, at + timedelta(seconds=61))
    assert (third.sent, third.retrying) == (1, 0)
    run_due(directory, at + timedelta(seconds=200))
    paths = [path for path, _, _ in receiver.requests]
    assert paths == [f"/hooks/{token}", "/", f"/hooks/{token}"]  # ntfy names its topic inside
    chat = json.loads(receiver.requests[2][2])
    assert chat["title"] == "[CRITICAL] busy: Ticket volume (ticket_volume) is 12"
    push = json.loads(receiver.requests[1][2])
    assert push["topic"] == "support-alerts"
    assert push["message"].startswith("Ticket volume (ticket_volume) is 12; alert when above 5")
    with State(directory) as state:
        chat_notice = next(n for n in state.notices("busy") if n.notice.channel == "chat")
        attempts = state.deliveries(chat_notice.id)
    assert [ok for _, ok, _ in attempts] == [False, True]
    assert chat_notice.status == "sent" and chat_notice.attempts == 2
    assert main(["-w", str(directory), "alerts", "history", "busy"]) == 0
    shown = capsys.readouterr().out
    assert "sent" in shown and token not in shown
    assert token.encode() not in (directory / STATE_FILE).read_bytes()
    assert attempts[0][2] == ("Failed to send JSON POST notification: Internal server error., "
                              "error=500.")
    view = overview(directory)  # what the dashboard shows
    assert [(n["channel"], n["status"], n["attempts"], n["last_result"])
            for n in view["notices"]] == [("push", "sent", 1, "sent"), ("chat", "sent", 2, "sent")]
    assert [(r["rule"], r["status"]) for r in view["rules"]] == [("busy", "firing")]


#: evaluated by the first run only (then once a year): the runs after it only deliver
ONCE = WALK.replace("for = 2", "for = 1") + 'schedule = "0 0 1 1 *"\n'


def test_a_crash_between_claiming_and_sending_neither_loses_nor_duplicates(
        directory: Path) -> None:
    configure(directory, ONCE)
    at = utc("2025-10-24 08:00")

    def crash(target: Resolved, notice: Notice) -> None:
        raise SystemExit("killed")  # the process dies mid-send

    with pytest.raises(SystemExit):
        run_due(directory, at, sender=crash)
    send = Collect()
    run_due(directory, at + timedelta(minutes=1), sender=send)
    assert send.take() == []  # claimed by the dead run a minute ago: not sent twice at once
    run_due(directory, at + timedelta(minutes=11), sender=send)
    assert send.take() == [("firing", "team")]  # the claim expired: sent once
    run_due(directory, at + timedelta(minutes=12), sender=send)
    assert send.take() == []


def test_a_failing_channel_gives_up_after_its_retries(directory: Path) -> None:
    configure(directory, ONCE)

    def refuse(target: Resolved, notice: Notice) -> None:
        raise DeliveryError("HTTP 500")

    at = utc("2025-10-24 08:00")
    results = []
    # pauses 60, 120, 240, 480, 960 s between the six attempts
    for offset in (0, 60, 180, 420, 900, 1860):
        result = run_due(directory, at + timedelta(seconds=offset), sender=refuse)
        results.append((result.retrying, result.failed))
    assert results == [(1, 0)] * 5 + [(0, 1)]
    assert result.problems == ["firing of busy_week to team: HTTP 500 (given up after 6 attempts)"]


# -- digests -----------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    yield port, box
    controller.stop()


def test_digest_by_email_once_per_slot(directory: Path, smtp: tuple[int, Mailbox],
                                       monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    port, box = smtp
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as without the [pdf] extra
    configure(directory, f"""
[notify.mail]
url = "mailto://127.0.0.1:{port}?from=alerts@example.com&to=lead@example.com"
[digests.weekly]
schedule = "0 8 * * MON"
grain = "week"
channels = ["mail"]
attach = ["xlsx", "pdf"]
dashboard_url = "https://support.example.com/dashboard"
""")
    # Mon 27 Oct 08:00 CET = 07:00 UTC is the slot; the run comes 30 s later
    result = run_due(directory, utc("2025-10-27 07:00:30"))
    assert (result.digests, result.sent) == (["weekly"], 1)
    assert len(box.messages) == 1
    message = email.message_from_bytes(box.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Support digest (weekly): W43 2025 (20 Oct)"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    with Workspace.open(directory, read_only=True) as ws:
        volume = ws.metric("ticket_volume", grain="week", start="2025-10-13", end="2025-10-27")
    assert volume["value"].tolist() == [3.0, 12.0]  # the week before, the digest's week
    # 12 tickets, 9 more than the 3 of the week before, above the band [0, 10]
    assert "- Ticket volume: 12 (+9), off target (0 – 10)" in text
    assert "<li>Ticket volume: 12 (+9), off target (0 – 10)</li>" in html
    assert '<a href="https://support.example.com/dashboard">' in html
    # open at the end of the week, created more than 24 h before: S1 and S2
    assert "- Backlog (open tickets older than backlog_age): 2 (+2)" in text
    # spikes of the week against the 8 weeks before: all 12 against 3, billing 9 against 2
    assert "- billing, week of 2025-10-20: 9 tickets, usually 2" in text
    assert "- all, week of 2025-10-20: 12 tickets, usually 3" in text
    assert "Firing alerts\n\nnone" in text
    pdf_note = ("the PDF report is not attached: WeasyPrint is not installed (pip install "
                "'supportmetrics[pdf]')")
    assert f"Note: {pdf_note}" in text
    assert f"digest weekly: {pdf_note}" in caplog.text
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert set(files) == {"volume-by-category.png", "report-2025-10-20.xlsx"}
    assert files["volume-by-category.png"][:8] == b"\x89PNG\r\n\x1a\n"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(files["report-2025-10-20.xlsx"]))
    assert book.sheetnames  # the report opens
    # later in the slot, and after a restart (a new State): the slot is done
    assert run_due(directory, utc("2025-10-27 07:05")).digests == []
    with sqlite3.connect(directory / STATE_FILE) as con:
        assert con.execute("SELECT count(*) FROM digest_slots").fetchone() == (1,)
    assert run_due(directory, utc("2025-10-27 09:00")).digests == []
    assert len(box.messages) == 1


# -- the command line ----------------------------------------------------------------------------


def test_list_masks_secrets_and_test_sends_nothing(
        directory: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    receiver.statuses.clear()
    configure(directory, f"""
[notify.mail]
url = "mailtos://alerts:hunter2@smtp.example.com:587?to=lead@example.com"
[notify.hook]
url = "json://127.0.0.1:{receiver.port}/hook"
[notify.later]
url = "mailtos://alerts:${{SMTP_PASSWORD}}@smtp.example.com"
[alerts.quiet_week]
condition = "below"
metric = "ticket_volume"
value = 3
grain = "week"
channels = ["hook"]
""")
    assert main(["-w", str(directory), "alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert "mailtos://alerts:***@smtp.example.com:587?to=lead@example.com" in out
    assert "hunter2" not in out
    assert "mailtos://alerts:${SMTP_PASSWORD}@smtp.example.com" in out  # as written
    assert "SMTP_PASSWORD NOT SET" in out
    assert "not run yet" in out
    # Tue 28 Oct 10:00 CET: the week so far has 2 tickets, below 3
    assert main(["-w", str(directory), "alerts", "test", "quiet_week",
                 "--at", "2025-10-28T10:00"]) == 0
    out = capsys.readouterr().out
    assert "quiet_week: the condition holds (week of 2025-10-27 so far)" in out
    assert "Ticket volume (ticket_volume) is 2; alert when below 3" in out
    assert receiver.requests == []  # nothing sent
    assert not (directory / STATE_FILE).exists()  # nothing recorded
    assert main(["-w", str(directory), "alerts", "test", "quiet_week",
                 "--at", "2025-10-28T10:00", "--send", "hook"]) == 0
    assert "sent to hook" in capsys.readouterr().out
    assert [json.loads(body)["title"] for _, _, body in receiver.requests] == [
        "[TEST WARNING] quiet_week: Ticket volume (ticket_volume) is 2"]
    assert main(["-w", str(directory), "alerts", "history"]) == 0
    assert "no alert has run in this workspace yet" in capsys.readouterr().out


def test_a_load_evaluates_the_rules_that_read_its_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A one-ticket workspace of its own: `ingest` runs the rules that read tickets."""
    directory = tmp_path / "fresh"
    directory.mkdir()
    (directory / "supportmetrics.toml").write_text("""
[notify.team]
url = "json://127.0.0.1:9/never"
[alerts.tickets_today]
condition = "below"
metric = "ticket_volume"
value = 1000000
schedule = "0 0 1 1 *"
channels = ["team"]
[alerts.csat_low]
condition = "below"
metric = "csat"
value = 80
channels = ["team"]
""", encoding="utf-8")
    csv = tmp_path / "more.csv"
    csv.write_text("ticket_id,created_at,channel,category,priority,status\n"
                   "N1,2025-11-04 10:00,web,billing,low,open\n", encoding="utf-8")
    assert main(["-w", str(directory), "ingest", "tickets", str(csv), "--no-refresh"]) == 0
    err = capsys.readouterr().err
    # the tickets rule ran (its yearly schedule notwithstanding); the csat rule reads surveys
    assert "alerts: 1 rule(s) evaluated, 1 holding: tickets_today" in err
    with State(directory) as state:
        assert [row[0] for row in state.evaluations()] == ["tickets_today"]


def test_the_server_task_runs_a_round_in_a_thread_and_stops_when_cancelled(directory: Path) -> None:
    import asyncio

    from supportmetrics.alerts import background

    configure(directory, ONCE)
    send = Collect()
    task = background(directory, interval_s=0.05, sender=send)

    async def two_rounds() -> None:
        running = asyncio.create_task(task())
        await asyncio.sleep(0.5)  # the first round runs in a worker thread (real clock)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    asyncio.run(two_rounds())
    with State(directory) as state:
        assert state.rule("busy_week").evaluated_at is not None  # it ran in its thread
