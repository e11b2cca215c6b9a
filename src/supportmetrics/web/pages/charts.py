"""The dashboard's charts as Vega-Lite specifications (plain dicts, data inlined).

They are written into the page as ``<script type="application/json">`` blocks and drawn by
``static/dashboard.js`` with the Vega bundle the app serves itself (no CDN).
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
#: durations are charted in hours, the rest in the metric's own unit
HOURS = 3600.0


def _base(data: list[dict[str, Any]], height: int = 220) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": height,
        "data": {"values": data},
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }


def _display(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value / HOURS, 4) if unit == "seconds" else value


def _axis_title(unit: str) -> str:
    return "hours" if unit == "seconds" else unit


def sparkline(row: dict[str, Any]) -> dict[str, Any]:
    """A tile's small trend line: the metric over the page's periods."""
    data = [{"period": p["label"], "value": _display(p["value"], row["unit"])}
            for p in row["periods"]]
    spec = _base(data, height=40)
    spec.update({
        "description": f"{row['title']} over the periods shown",
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "sort": None, "axis": None},
            "y": {"field": "value", "type": "quantitative", "axis": None,
                  "scale": {"zero": False}, "title": _axis_title(row["unit"])},
        },
    })
    return spec


def trend(row: dict[str, Any]) -> dict[str, Any]:
    data = [{"period": p["label"], "value": _display(p["value"], row["unit"]),
             "count": p["count"]} for p in row["periods"]]
    spec = _base(data)
    spec.update({
        "description": f"{row['title']} per period",
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "sort": None, "title": None},
            "y": {"field": "value", "type": "quantitative", "title": _axis_title(row["unit"])},
        },
    })
    return spec


def bars(cells: list[dict[str, Any]], by: str, unit: str) -> dict[str, Any]:
    data = [{by: c["label"], "value": _display(c["value"], unit), "count": c["count"]}
            for c in cells]
    spec = _base(data, height=max(60, 22 * len(data)))
    spec.update({
        "description": f"by {by}",
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": by, "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "value", "type": "quantitative", "title": _axis_title(unit)},
        },
    })
    return spec


def daily_lines(data: list[dict[str, Any]]) -> dict[str, Any]:
    spec = _base(data)
    spec.update({
        "description": "tickets created and solved per day",
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": None},
            "y": {"field": "tickets", "type": "quantitative", "title": "tickets"},
            "color": {"field": "series", "type": "nominal", "title": None},
        },
    })
    return spec


def histogram(hours: list[float], title: str) -> dict[str, Any]:
    spec = _base([{"hours": h} for h in hours])
    spec.update({
        "description": f"distribution of {title} (hours)",
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "hours", "type": "quantitative", "bin": {"maxbins": 20},
                  "title": f"{title} (hours)"},
            "y": {"aggregate": "count", "type": "quantitative", "title": "tickets"},
        },
    })
    return spec


def heatmap(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Tickets created per hour of the day (columns) and weekday (rows)."""
    spec = _base(cells, height=190)
    spec.update({
        "description": "tickets created by weekday and hour",
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": "hour", "type": "ordinal", "title": "hour",
                  "scale": {"domain": list(range(24))}},
            "y": {"field": "weekday", "type": "ordinal", "title": None,
                  "scale": {"domain": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}},
            "color": {"field": "tickets", "type": "quantitative", "title": "tickets",
                      "scale": {"scheme": "blues"}},
        },
    })
    return spec
