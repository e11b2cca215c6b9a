"""docs/cli.md, generated from the commands' --help (``python -m supportmetrics.cli.reference``)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any

import typer.main

from supportmetrics.cli.app import app

HEADER = """\
# Command reference

Generated from `--help` by `python -m supportmetrics.cli.reference > docs/cli.md` (`make docs`);
a test fails when this file is stale.
"""


def render() -> str:
    """Every command's help text, rendered at a fixed width without colour."""
    import supportmetrics.cli  # noqa: F401  (registers every command on the app)

    saved = {k: os.environ.get(k) for k in ("COLUMNS", "TERM", "NO_COLOR")}
    os.environ.update(COLUMNS="100", TERM="dumb", NO_COLOR="1")
    try:
        root: Any = typer.main.get_command(app)
        context = root.make_context("supportmetrics", [], resilient_parsing=True)
        parts = [HEADER, _block("supportmetrics", _help(root, context))]
        for name in sorted(root.commands):
            command = root.commands[name]
            sub = command.make_context(name, [], parent=context, resilient_parsing=True)
            parts.append(_block(f"supportmetrics {name}", _help(command, sub)))
        return "\n".join(parts)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _help(command: Any, context: Any) -> str:
    """A command's help as text (Typer prints it with Rich rather than returning it)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        returned = command.get_help(context)
    return buffer.getvalue() or str(returned)


def _block(title: str, text: str) -> str:
    body = "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
    return f"## `{title}`\n\n```text\n{body}\n```\n"


if __name__ == "__main__":
    sys.stdout.write(render())
