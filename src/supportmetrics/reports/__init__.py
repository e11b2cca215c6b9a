"""The monthly report (Parker's template) as HTML, XLSX with live formulas, and PDF.

``build_report(ws, ...)`` computes every number once through the engine facade; the renderers
only lay the :class:`Report` out::

    report = build_report(ws, period="2025-10")
    write_report(report, "html", Path("report.html"))
"""

from __future__ import annotations

from pathlib import Path

from supportmetrics.atomic import atomic_write
from supportmetrics.errors import QueryError, UserError
from supportmetrics.reports.charts import category_chart
from supportmetrics.reports.model import (
    AGENT_METRICS,
    GRAINS,
    SPIKE_THRESHOLD,
    SPIKE_WINDOW,
    MetricRow,
    Report,
    Target,
    build_report,
    comments_section,
    format_change,
    in_workspace,
    period_label,
    report_steps,
    resolve_periods,
    sla_section,
    targets_for,
    volume_section,
)

FORMATS = ("html", "xlsx", "pdf")


def write_report(report: Report, fmt: str, out: Path) -> None:
    """Write ``report`` to ``out`` as ``html``, ``xlsx`` or ``pdf``.

    The file is written next to ``out`` under a temporary name and renamed when complete, so a
    failure never leaves a half-written report (nor replaces an older one).
    """
    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt!r}: expected html, xlsx or pdf")
    try:
        with atomic_write(out) as tmp:
            if fmt == "html":
                from supportmetrics.reports.html import render_html

                tmp.write_text(render_html(report), encoding="utf-8")
            elif fmt == "xlsx":
                from supportmetrics.reports.xlsx import write_xlsx

                write_xlsx(report, tmp)
            else:
                from supportmetrics.reports.pdf import write_pdf

                write_pdf(report, tmp)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write the report ({exc.strerror or exc}); give "
                        "a file in a folder that exists and that you may write to") from exc


def require_weasyprint() -> None:
    """A :class:`UserError` saying what to install when a PDF cannot be written here (said
    before the minutes of work a report takes, not after)."""
    from supportmetrics.reports.pdf import require_weasyprint as load_weasyprint

    load_weasyprint()


__all__ = [
    "AGENT_METRICS", "FORMATS", "GRAINS", "SPIKE_THRESHOLD", "SPIKE_WINDOW", "MetricRow", "Report",
    "Target", "build_report", "category_chart", "comments_section", "format_change",
    "in_workspace", "period_label", "report_steps", "require_weasyprint", "resolve_periods",
    "sla_section", "targets_for", "volume_section", "write_report",
]
