"""The ``supportmetrics`` command: thin callers of the Workspace facade.

Exit codes: 0 success; 1 internal error (a bug); 2 user error (bad arguments, files, settings);
3 a load finished but rejected some rows (the accepted rows are loaded).

:func:`main` is the one error boundary of the command: foreign errors are translated
(:func:`supportmetrics.errors.translate_errors`), a user error prints what to do (exit 2), and
anything else prints one line and how to see the traceback (``--debug``, exit 1).
"""

from __future__ import annotations

import sys
import traceback

# Each module registers its commands on ``app`` when imported.
from supportmetrics.cli import data as _data  # noqa: E402,F401
from supportmetrics.cli import upkeep as _upkeep  # noqa: E402,F401
from supportmetrics.cli.app import app, configure_consoles, console_error, err_console, state
from supportmetrics.errors import UserError, translate_errors

for _optional in ("demo", "calc", "metrics", "report", "imports", "alerts", "serve"):
    try:
        __import__(f"supportmetrics.cli.{_optional}")
    except ModuleNotFoundError as _exc:  # a module not written yet, or an extra not installed
        if _exc.name != f"supportmetrics.cli.{_optional}":
            raise

REPORT_BUG = "this is a bug in supportmetrics: please report it"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``supportmetrics`` command."""
    state.workspace, state.engine, state.debug = None, None, False  # main() may run again
    configure_consoles()
    try:
        with translate_errors():
            # standalone: Typer reports usage errors itself (exit 2) and ends with SystemExit
            app(args=argv, prog_name="supportmetrics", standalone_mode=True)
    except UserError as exc:
        console_error(str(exc))
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        console_error("interrupted")
        return 130
    except Exception as exc:  # an InternalError, or a bug no boundary knew: one line, not a trace
        text = str(exc).strip().splitlines()
        what = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        if state.debug:
            err_console.print(
                "".join(traceback.format_exception(exc)), markup=False, highlight=False,
                soft_wrap=True)
            console_error(f"internal error: {what} ({REPORT_BUG})")
        else:
            console_error(f"internal error: {what} ({REPORT_BUG}; run again with --debug to "
                          "see the traceback)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
