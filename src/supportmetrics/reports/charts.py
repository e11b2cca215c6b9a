"""The report's charts: Altair (Vega-Lite) specs, rendered to SVG or PNG by vl-convert.

Rendering locally (no CDN, no browser) keeps the HTML one self-contained file and gives the PDF
the very same pictures.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import altair as alt
import pandas as pd

from supportmetrics.metrics import Unit, tile_metrics
from supportmetrics.reports.model import Report, period_label

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777",
           "#64748b", "#84cc16", "#dc2626"]
SPIKE = "#dc2626"


def _config(chart: Any) -> Any:
    return (chart.configure(font=FONT)
            .configure_view(strokeWidth=0)
            .configure_axis(labelColor="#475569", titleColor="#475569", gridColor="#e2e8f0",
                            domainColor="#cbd5e1", tickColor="#cbd5e1", labelFontSize=11,
                            titleFontSize=11, titleFontWeight="normal")
            .configure_legend(labelFontSize=11, titleFontSize=11, orient="right",
                              labelColor="#334155", titleColor="#334155", symbolStrokeWidth=3)
            .configure_title(fontSize=13, anchor="start", color="#0f172a"))


FENCE_IQRS = 3.0  # a week above Q3 + 3 IQR of its own category is an outlier (Tukey's far fence)
STRETCH = 1.5  # the scale is cut only when an outlier is this many times the highest other week
HEADROOM = 1.15


def scale_top(data: pd.DataFrame) -> float | None:
    """Where to cut the y scale of a chart of ``value`` per ``category``, or ``None`` to not cut.

    A week is an outlier when it is above its own category's far fence (Q3 + 3 IQR of that
    category's weeks, Tukey); categories are judged apart, so a large category is not an
    outlier next to small ones. The scale is cut just above the highest week that is not an
    outlier, and only when an outlier is more than 1.5 times that week: one outlier week no
    longer flattens every other line.
    """
    if data.empty:
        return None
    grouped = data.groupby("category", dropna=False)["value"]  # tickets without a category too
    q1, q3 = grouped.transform(lambda v: v.quantile(0.25)), grouped.transform(
        lambda v: v.quantile(0.75))
    outlier = data["value"] > q3 + FENCE_IQRS * (q3 - q1)
    normal = data.loc[~outlier, "value"]
    if normal.empty or not outlier.any():
        return None
    highest = float(normal.max())
    if highest <= 0 or float(data["value"].max()) <= STRETCH * highest:
        return None
    return highest * HEADROOM


def category_chart(report: Report) -> Any:
    """Weekly tickets per category, spikes circled and labelled; an outlier week cut off.

    When one week is far above the rest (:func:`scale_top`), the y scale stops above the
    other weeks; each week beyond it is drawn at the top edge with a triangle and its number.
    """
    data = report.volume.weekly_category.copy()
    data["week"] = pd.to_datetime(data["period"])
    top = scale_top(data)
    data["shown"] = data["value"] if top is None else data["value"].clip(upper=top)
    order = (data.groupby("category")["value"].sum().sort_values(ascending=False).index.tolist())
    color = alt.Color("category:N", title="Category", sort=order,
                      scale=alt.Scale(range=PALETTE))
    y = alt.Y("shown:Q", title="Tickets per week")
    if top is not None:
        y = y.scale(domain=[0, top], nice=False)
    lines = alt.Chart(data).mark_line(strokeWidth=2, interpolate="monotone").encode(
        x=alt.X("week:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)),
        y=y, color=color,
    )
    spikes = pd.DataFrame([
        {"week": pd.Timestamp(s.period), "shown": min(s.value, top or s.value),
         "category": s.series,
         "label": f"spike: {s.series} ×{s.value / s.level:.1f}" if s.level else "spike"}
        for s in report.volume.spikes if s.series != "all"
    ])
    layers = [lines]
    if not spikes.empty:
        layers.append(alt.Chart(spikes).mark_point(
            shape="circle", size=260, strokeWidth=2.5, color=SPIKE, filled=False,
        ).encode(x="week:T", y="shown:Q"))
        layers.append(alt.Chart(spikes).mark_text(
            align="left", dx=12, dy=-2, color=SPIKE, fontWeight="bold", fontSize=11,
        ).encode(x="week:T", y="shown:Q", text="label:N"))
    title: Any = "Tickets per week by category"
    if top is not None:
        cut = data[data["value"] > top].assign(
            label=lambda f: f["category"].astype(str) + " " + f["value"].map("{:,.0f}".format))
        layers.append(alt.Chart(cut).mark_point(
            shape="triangle-up", size=120, filled=True, color=SPIKE,
        ).encode(x="week:T", y="shown:Q"))
        layers.append(alt.Chart(cut).mark_text(
            align="right", dx=-10, dy=8, color=SPIKE, fontWeight="bold", fontSize=11,
        ).encode(x="week:T", y="shown:Q", text="label:N"))
        title = alt.Title("Tickets per week by category", subtitle=(
            f"Scale cut at {top:,.0f}: a week above it (▲) is drawn at the top with its number"))
    return _config(alt.layer(*layers).properties(width=760, height=280, title=title))


def channel_chart(report: Report) -> Any:
    """Requests (tickets and calls) per period by channel."""
    data = report.volume.by_channel.copy()
    data["when"] = pd.to_datetime(data["period"])
    fmt = "%b %Y" if report.grain == "month" else "%d %b"
    order = data.groupby("channel")["value"].sum().sort_values(ascending=False).index.tolist()
    chart = alt.Chart(data).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("when:T", title=None, axis=alt.Axis(format=fmt, labelAngle=0,
                                                    tickCount=len(report.periods))),
        y=alt.Y("value:Q", title=f"Requests per {report.grain}"),
        color=alt.Color("channel:N", title="Channel", sort=order,
                        scale=alt.Scale(range=PALETTE)),
    )
    return _config(chart.properties(width=760, height=220,
                                    title=f"Requests per {report.grain} by channel "
                                          "(tickets and calls)"))


def _display(value: float, unit: Unit) -> float:
    return value / 3600 if unit is Unit.SECONDS else value


def trends_chart(report: Report) -> Any:
    """Small multiples of the headline metrics across the report's periods."""
    records = []
    for metric_id in (m.id for m in tile_metrics()):
        try:
            row = report.row(metric_id)
        except KeyError:
            continue
        suffix = {Unit.SECONDS: " (h)", Unit.PERCENT: " (%)"}.get(row.metric.unit, "")
        for start, value in zip(report.periods, row.values, strict=True):
            if value is None or math.isnan(value):
                continue
            records.append({"metric": row.metric.title.split(" (")[0] + suffix,
                            "period": period_label(start, report.grain),
                            "when": pd.Timestamp(start), "value": _display(value, row.metric.unit),
                            "status": row.status or "neutral"})
    data = pd.DataFrame(records)
    if data.empty:
        data = pd.DataFrame({"metric": [], "when": [], "value": [], "status": []})
    fmt = "%b" if report.grain == "month" else "%d %b"
    base = alt.Chart(data).encode(
        x=alt.X("when:T", title=None, axis=alt.Axis(format=fmt, labelAngle=0, grid=False,
                                                    tickCount=len(report.periods))),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False),
                axis=alt.Axis(tickCount=4)),
    )
    layer = alt.layer(
        base.mark_line(color="#2563eb", strokeWidth=2),
        base.mark_point(color="#2563eb", filled=True, size=30),
    ).properties(width=215, height=90)
    chart = layer.facet(
        facet=alt.Facet("metric:N", title=None, sort=list(dict.fromkeys(data["metric"])),
                        header=alt.Header(labelFontSize=12, labelFontWeight="bold",
                                          labelColor="#0f172a", labelAnchor="start")),
        columns=4,
    ).resolve_scale(y="independent")
    return _config(chart)


def charts(report: Report) -> dict[str, Any]:
    return {"trends": trends_chart(report), "categories": category_chart(report),
            "channels": channel_chart(report)}


def to_svg(chart: Any) -> str:
    import vl_convert as vlc

    svg: str = vlc.vegalite_to_svg(chart.to_dict())
    # inline SVG in HTML needs no namespace declarations (and they read like web links)
    return (svg.replace(' xmlns="http://www.w3.org/2000/svg"', "")
            .replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', ""))


def to_png_data_uri(chart: Any, scale: float = 2.0) -> str:
    import vl_convert as vlc

    png: bytes = vlc.vegalite_to_png(chart.to_dict(), scale=scale)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
