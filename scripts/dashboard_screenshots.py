"""Screenshots of the dashboard for docs/dashboard.md: ``python scripts/dashboard_screenshots.py
WORKSPACE OUT_DIR [NAME.png ...]`` (``make screenshots`` takes ./demo and docs/images; names
retake only those).

Serves the workspace's pages read-only on a free loopback port and photographs each page in
Debian's chromium (through Playwright) at laptop width, and the overview at phone width.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import sync_playwright

from supportmetrics import Workspace
from supportmetrics.web.pages import router

CHROMIUM = "/usr/bin/chromium"
#: (file name, path, viewport width)
SHOTS = (
    ("overview.png", "/overview", 1280),
    ("tickets.png", "/tickets", 1280),
    ("responsiveness.png", "/responsiveness?clock=business", 1280),
    ("agents.png", "/agents?sort=csat&desc=1", 1280),
    ("metric.png", "/metrics/first_response_time?by=channel", 1280),
    ("units.png", "/units/csat", 1280),
    ("overview-phone.png", "/overview", 390),
)
DRAWN = ("() => [...document.querySelectorAll('[data-chart]')]"
         ".every(e => e.hasAttribute('data-drawn'))")


def main(workspace: Path, out: Path, only: tuple[str, ...] = ()) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = FastAPI()
    app.state.workspace = Workspace.open(workspace, read_only=True).__enter__()
    app.include_router(router)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start in 30 s")
        time.sleep(0.05)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for name, path, width in SHOTS:
                if only and name not in only:
                    continue
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        device_scale_factor=1)
                page.set_default_timeout(300_000)
                page.goto(base + path)
                page.wait_for_function(DRAWN)
                page.screenshot(path=str(out / name), full_page=True)
                page.close()
                print(f"{out / name}: {path}")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.workspace.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), tuple(sys.argv[3:]))
