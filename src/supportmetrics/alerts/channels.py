"""Notification channels: ``[notify.NAME] url``, an Apprise URL, sent through Apprise.

Apprise speaks e-mail over SMTP (``mailto://``, ``mailtos://``), Slack (``slack://``), ntfy
(``ntfy://``, ``ntfys://``), Microsoft Teams (``msteams://``), generic JSON webhooks
(``json://``, ``jsons://``) and some hundred other services with one URL syntax, so a channel
is one line of settings and no code here.

Secrets stay out of the settings file: ``${NAME}`` in a URL is replaced by the environment
variable ``NAME`` at the moment of sending, and every message this module returns (to the
history, the log, the terminal) has those values and any URL password masked.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportmetrics.alerts.state import Notice
from supportmetrics.config import NotifyChannel, environment_names
from supportmetrics.errors import ConfigError

MASK = "***"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: ``scheme://user:password@``; a password written as ``${NAME}`` is no secret and stays
_PASSWORD = re.compile(r"(?P<scheme>[a-z0-9+]+://)(?P<user>[^:/@\s]*):"
                       r"(?!\$\{[A-Za-z_][A-Za-z0-9_]*\}@)(?P<password>[^@/\s]+)@",
                       re.IGNORECASE)


class DeliveryError(Exception):
    """A channel refused or could not take a notice (the message is already masked)."""


@dataclass(frozen=True)
class Resolved:
    """A channel's URL with the environment read, and the secrets to mask in messages."""

    url: str
    secrets: tuple[str, ...]

    def mask(self, text: str) -> str:
        return mask(text, self.secrets)


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with each secret and any ``user:password@`` password replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return _PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)


def shown(channel: NotifyChannel) -> str:
    """The URL as it may be shown: ``${NAME}`` left as written, passwords masked."""
    return mask(channel.url)


def resolve(name: str, channel: NotifyChannel,
            environ: Mapping[str, str] | None = None) -> Resolved:
    """The URL with each ``${NAME}`` read from the environment (a ConfigError names a missing
    one, never its value)."""
    environ = os.environ if environ is None else environ
    missing = [v for v in environment_names(channel.url) if not environ.get(v)]
    if missing:
        raise ConfigError(f"notify.{name}.url: the environment variable "
                          f"{', '.join(missing)} is not set; export it where supportmetrics "
                          "runs (the URL reads it when sending)")
    secrets = tuple(environ[v] for v in environment_names(channel.url))
    url = _ENV.sub(lambda m: environ[m.group(1)], channel.url)
    return Resolved(url, secrets)


#: sends one notice to a resolved URL, raising DeliveryError; tests inject their own
Sender = Callable[[Resolved, Notice], None]


def apprise_send(target: Resolved, notice: Notice) -> None:
    """Send ``notice`` with Apprise: HTML (with a plain-text part) where the service takes it,
    the attachments where it takes files."""
    import apprise

    client = apprise.Apprise()
    url = slack_blocks(target.url)
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:  # type: ignore[no-untyped-call]
        if not client.add(url):
            raise DeliveryError(target.mask(f"not a notification URL Apprise knows: "
                                            f"{target.url}"))
        attachments = apprise.AppriseAttachment()
        for path in notice.attachments:
            if Path(path).exists():
                attachments.add(path)
        html = notice.html is not None and _takes_html(target.url)
        ok = client.notify(
            body=notice.html if html and notice.html is not None else notice.text,
            title=notice.title,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.MARKDOWN,
            notify_type=_notify_type(notice),
            attach=attachments if len(attachments) else None,
        )
        if not ok:
            reason = " ".join(line.strip() for line in log.getvalue().splitlines()[-3:])
            raise DeliveryError(target.mask(reason or "the service did not accept the notice"))


def slack_blocks(url: str) -> str:
    """A Slack URL sends Block Kit messages (Apprise's ``blocks=yes``) unless it says not to."""
    if url.split("://", 1)[0].lower() != "slack" or "blocks=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "blocks=yes"


def _takes_html(url: str) -> bool:
    return url.split("://", 1)[0].lower() in ("mailto", "mailtos", "email")


def _notify_type(notice: Notice) -> Any:
    import apprise

    if notice.kind == "resolved":
        return apprise.NotifyType.SUCCESS
    return {"warning": apprise.NotifyType.WARNING,
            "critical": apprise.NotifyType.FAILURE}.get(notice.severity, apprise.NotifyType.INFO)
