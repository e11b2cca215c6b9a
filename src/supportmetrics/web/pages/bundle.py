"""The Vega, Vega-Lite and Vega-Embed JavaScript the charts are drawn with, served by the app.

vl-convert-python (already a dependency, for the report's images) ships these libraries; it
bundles them into one script on first use (a few seconds, then kept in memory), so the dashboard
needs no CDN and works offline.
"""

from __future__ import annotations

import threading

import vl_convert

#: what the bundle runs: make the libraries globals for static/dashboard.js
SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
_lock = threading.Lock()
_bundle: bytes | None = None


def name() -> str:
    """The bundle's file name; it changes with the library versions, so it may be cached."""
    return f"vega-{vl_convert.get_vega_version()}-embed-{vl_convert.get_vega_embed_version()}.js"


def bundle() -> bytes:
    """The script (defines ``vega``, ``vegaLite`` and ``vegaEmbed`` on ``window``)."""
    global _bundle
    with _lock:
        if _bundle is None:
            _bundle = vl_convert.javascript_bundle(SNIPPET).encode("utf-8")
        return _bundle


def warm() -> None:
    """Build the bundle in the background if it is not built yet (the first page's charts)."""
    if _bundle is None and not _lock.locked():
        threading.Thread(target=bundle, name="vega-bundle", daemon=True).start()
