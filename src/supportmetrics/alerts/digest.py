"""A digest: the period's headline KPIs, what is off target, spikes, firing alerts, a chart and
the report attached, composed from the report model (``reports.build_report``) so every number
is the report's own.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from supportmetrics import calendar as cal
from supportmetrics.alerts.rules import shift
from supportmetrics.config import Digest
from supportmetrics.engine import HEADLINE, format_value
from supportmetrics.errors import UserError

log = logging.getLogger("supportmetrics.alerts")


@dataclass(frozen=True)
class Composed:
    """A digest ready to send: subject, plain text, HTML and the files to attach."""

    title: str
    text: str
    html: str
    attachments: tuple[str, ...]
    period: date
    notes: tuple[str, ...] = ()


def digest_period(digest: Digest, slot: datetime, timezone: str) -> date:
    """The last complete period before the slot (a Monday 08:00 weekly digest: last week)."""
    from zoneinfo import ZoneInfo

    local = slot.astimezone(ZoneInfo(timezone)).date()
    return shift(cal.grain_start(local, digest.grain), digest.grain, -1)


def compose(name: str, digest: Digest, workspace: Any, slot: datetime, folder: Path,
            firing: list[tuple[str, str, str]]) -> Composed:
    """The digest for ``slot`` (files written under ``folder``); ``firing`` is (rule, severity,
    since) of the rules firing now."""
    from supportmetrics.reports import build_report, category_chart, write_report

    period = digest_period(digest, slot, workspace.settings.timezone)
    title = digest.title or f"Support digest ({name})"
    report = build_report(workspace, period=period, grain=digest.grain, where=digest.where,
                          title=title, now=slot.astimezone(workspace.settings.zone).replace(
                              tzinfo=None))
    currency = workspace.settings.currency
    label = report.period_label()
    headline = [r for r in report.rows if r.metric.id in HEADLINE and not r.missing
                and r.current is not None]
    off = [r for r in report.rows if r.met is False]
    spikes = [s for s in report.volume.spikes if s.period >= report.period.isoformat()]
    folder.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    notes: list[str] = []
    chart = folder / "volume-by-category.png"
    try:
        import vl_convert as vlc

        chart.write_bytes(vlc.vegalite_to_png(category_chart(report).to_dict(), scale=2.0))
        files.append(str(chart))
    except ImportError:
        notes.append("no chart: vl-convert-python is not installed")
    for fmt in digest.attach:
        out = folder / f"report-{report.period.isoformat()}.{fmt}"
        try:
            if fmt == "pdf":
                from supportmetrics.reports import require_weasyprint

                require_weasyprint()
            write_report(report, fmt, out)
        except UserError as exc:  # the [pdf] extra (WeasyPrint) is not installed
            note = (f"the {fmt.upper()} report is not attached: WeasyPrint is not installed "
                    "(pip install 'supportmetrics[pdf]')" if fmt == "pdf"
                    else f"the {fmt.upper()} report is not attached: {exc}")
            notes.append(note)
            log.warning("digest %s: %s", name, note)
            continue
        files.append(str(out))

    def shown(row: Any, value: float | None) -> str:
        return format_value(value, row.metric.unit, currency)

    def change(row: Any) -> str:
        if row.change is None:
            return ""
        sign = "+" if row.change >= 0 else "-"
        return f"{sign}{format_value(abs(row.change), row.metric.unit, currency)}"

    def target(row: Any) -> str:
        if row.target is None:
            return ""
        return ("on target" if row.met else "off target") + \
            f" ({row.target.label(row.metric.unit, currency)})"

    where = f" ({report.filter_label})" if report.where else ""
    subject = f"{title}: {label}{where}"
    text = [subject, "", f"Headline KPIs, {label} (change against the period before; "
            f"times in {report.timezone}):"]
    for row in headline:
        text.append(f"- {row.metric.title}: {shown(row, row.current)}"
                    + (f" ({change(row)})" if change(row) else "")
                    + (f", {target(row)}" if target(row) else ""))
    text += ["", "Off target:" if off else "Off target: none"]
    text += [f"- {r.metric.title}: {shown(r, r.current)}, {target(r)}" for r in off]
    text += ["", "Spikes:" if spikes else "Spikes: none"]
    text += [f"- {s.series}, week of {s.period}: {s.value:,.0f} tickets, usually {s.level:,.0f}"
             for s in spikes]
    text += ["", "Firing alerts:" if firing else "Firing alerts: none"]
    text += [f"- {rule} ({severity}) since {since}" for rule, severity, since in firing]
    if digest.dashboard_url:
        text += ["", f"Dashboard: {digest.dashboard_url}"]
    text += ["", "Attached: " + ", ".join(Path(f).name for f in files) if files else ""]
    text += [f"Note: {n}" for n in notes]

    e = html.escape
    page = [f"<h2>{e(subject)}</h2>",
            f"<p>Headline KPIs, {e(label)} (change against the period before; times in "
            f"{e(report.timezone)}):</p>",
            _list([f"{r.metric.title}: {shown(r, r.current)}"
                   + (f" ({change(r)})" if change(r) else "")
                   + (f", {target(r)}" if target(r) else "") for r in headline]),
            "<h3>Off target</h3>", _list([f"{r.metric.title}: {shown(r, r.current)}, "
                                          f"{target(r)}" for r in off]),
            "<h3>Spikes</h3>", _list([f"{s.series}, week of {s.period}: {s.value:,.0f} tickets, "
                                      f"usually {s.level:,.0f}" for s in spikes]),
            "<h3>Firing alerts</h3>", _list([f"{rule} ({severity}) since {since}"
                                             for rule, severity, since in firing])]
    if digest.dashboard_url:
        page.append(f"<p><a href=\"{e(digest.dashboard_url, quote=True)}\">Open the dashboard"
                    "</a></p>")
    if files:
        page.append("<p>Attached: " + e(", ".join(Path(f).name for f in files)) + "</p>")
    page += [f"<p>Note: {e(n)}</p>" for n in notes]
    return Composed(subject, "\n".join(text).rstrip() + "\n", "\n".join(page), tuple(files),
                    report.period, tuple(notes))


def _list(items: list[str]) -> str:
    if not items:
        return "<p>none</p>"
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
