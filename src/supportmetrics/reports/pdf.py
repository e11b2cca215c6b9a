"""The report as PDF: the HTML report laid out for print by WeasyPrint (charts as PNG).

WeasyPrint is the one optional part of the report: ``pip install 'supportmetrics[pdf]'`` plus
the system libraries it draws text with (Pango, HarfBuzz). HTML and XLSX need neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supportmetrics.errors import UserError
from supportmetrics.reports.html import render_html
from supportmetrics.reports.model import Report

INSTALL_HINT = (
    "PDF reports need WeasyPrint: pip install 'supportmetrics[pdf]', and its system libraries "
    "Pango and HarfBuzz (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz0b libharfbuzz-subset0; Fedora: dnf install pango; macOS: brew install pango). HTML and XLSX reports "
    "need nothing more: --format html or --format xlsx."
)


def require_weasyprint() -> Any:
    """The ``weasyprint`` module, or a :class:`UserError` saying what to install."""
    try:
        import weasyprint
    except ImportError as exc:
        raise UserError(f"{INSTALL_HINT} ({exc})") from exc
    except OSError as exc:  # installed, but a system library (Pango, ...) is missing
        raise UserError(f"{INSTALL_HINT} (WeasyPrint could not load a system library: {exc})") \
            from exc
    return weasyprint


def write_pdf(report: Report, out: Path) -> None:
    """Write the report to ``out`` as an A4 landscape PDF."""
    import logging

    weasyprint = require_weasyprint()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=render_html(report, for_print=True),
                    base_url=str(out.parent)).write_pdf(out)
