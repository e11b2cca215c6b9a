"""The report as PDF: the HTML report laid out for print by WeasyPrint (charts as PNG)."""

from __future__ import annotations

from pathlib import Path

from supportmetrics.reports.html import render_html
from supportmetrics.reports.model import Report


def write_pdf(report: Report, out: Path) -> None:
    """Write the report to ``out`` as an A4 landscape PDF."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=render_html(report, for_print=True), base_url=str(out.parent)).write_pdf(out)
