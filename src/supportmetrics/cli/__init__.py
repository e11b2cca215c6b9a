"""The ``supportmetrics`` command: thin callers of the Workspace facade.

Exit codes: 0 success; 1 internal error (a bug); 2 user error (bad arguments, files, settings);
3 a load finished but rejected some rows (the accepted rows are loaded).
"""

from __future__ import annotations

import sys

# Each module registers its commands on ``app`` when imported.
from supportmetrics.cli import data as _data  # noqa: E402,F401
from supportmetrics.cli import upkeep as _upkeep  # noqa: E402,F401
from supportmetrics.cli.app import app, console_error
from supportmetrics.errors import SupportMetricsError, UserError

for _optional in ("demo", "calc", "metrics", "report"):
    try:
        __import__(f"supportmetrics.cli.{_optional}")
    except ModuleNotFoundError as _exc:  # a module not written yet, or an extra not installed
        if _exc.name != f"supportmetrics.cli.{_optional}":
            raise


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``supportmetrics`` command."""
    try:
        # standalone: Typer reports usage errors itself (exit 2) and ends with SystemExit
        app(args=argv, prog_name="supportmetrics", standalone_mode=True)
    except UserError as exc:
        console_error(str(exc))
        return exc.exit_code
    except SupportMetricsError as exc:
        console_error(f"internal error: {exc}")
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
