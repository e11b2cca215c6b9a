"""The monthly report (Parker's template) as HTML, XLSX with live formulas, and PDF.

``build_report(ws, ...)`` computes every number once through the engine facade; the renderers
only lay the :class:`Report` out::

    report = build_report(ws, period="2025-10")
    write_report(report, "html", Path("report.html"))
"""

from __future__ import annotations

from pathlib import Path

from supportmetrics.errors import QueryError
from supportmetrics.reports.model import Report, build_report

FORMATS = ("html", "xlsx", "pdf")


def write_report(report: Report, fmt: str, out: Path) -> None:
    """Write ``report`` to ``out`` as ``html``, ``xlsx`` or ``pdf``."""
    if fmt == "html":
        from supportmetrics.reports.html import render_html

        out.write_text(render_html(report), encoding="utf-8")
    elif fmt == "xlsx":
        from supportmetrics.reports.xlsx import write_xlsx

        write_xlsx(report, out)
    elif fmt == "pdf":
        from supportmetrics.reports.pdf import write_pdf

        write_pdf(report, out)
    else:
        raise QueryError(f"--format {fmt!r}: expected html, xlsx or pdf")


__all__ = ["FORMATS", "Report", "build_report", "write_report"]
