"""Alerts and scheduled digests: ``[alerts.NAME]`` rules, ``[notify.NAME]`` channels and
``[digests.NAME]`` schedules (docs/alerts.md).

* :func:`run_due` -- one run: evaluate due rules and digests, send what is pending;
* :func:`after_load` -- evaluate the rules that read the tables a load just wrote;
* :func:`background` -- the server's in-process schedule (an asyncio task factory);
* :func:`preview` -- what a rule would send now, sending nothing;
* :func:`overview` -- rule states and recent notices with their delivery results (for the
  dashboard and the API).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from supportmetrics.alerts.channels import DeliveryError, apprise_send, resolve, shown
from supportmetrics.alerts.digest import compose
from supportmetrics.alerts.rules import Evaluation, evaluate
from supportmetrics.alerts.schedule import (
    RunResult,
    after_load,
    alert_notice,
    background,
    previous_slot,
    run_due,
)
from supportmetrics.alerts.state import STATE_FILE, Notice, State, overview
from supportmetrics.errors import ConfigError


def preview(directory: str | Path, name: str,
            now: datetime | None = None) -> tuple[Evaluation, list[Notice]]:
    """Evaluate rule ``name`` now and the notices it would send if it fired (nothing is
    recorded or sent)."""
    from supportmetrics.workspace import Workspace

    now = (now or datetime.now(UTC)).astimezone(UTC)
    with Workspace.open(directory, must_exist=True, read_only=True) as ws:
        rule = ws.settings.alerts.get(name)
        if rule is None:
            known = ", ".join(sorted(ws.settings.alerts)) or "none is defined"
            raise ConfigError(f"{name!r} is not an [alerts.NAME] rule ({known}); "
                              "`supportmetrics alerts list` shows them")
        outcome = evaluate(name, rule, ws, now)
    notices = [alert_notice(name, rule, outcome, "test", channel, None, now)
               for channel in rule.channels]
    return outcome, notices


__all__ = ["STATE_FILE", "DeliveryError", "Evaluation", "Notice", "RunResult", "State",
           "after_load", "apprise_send", "background", "compose", "overview", "preview",
           "previous_slot", "resolve", "run_due", "shown"]
