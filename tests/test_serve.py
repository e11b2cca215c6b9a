"""`supportmetrics serve` in its own process: starts, answers, lets a load in, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

from supportmetrics import Workspace

SRC = Path(__file__).resolve().parents[1] / "src"
WAIT = 120  # seconds: a bound on each wait, generous for a loaded machine


def _command(*argv: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from supportmetrics.cli import main; "
            "sys.exit(main())", *argv]


def test_serve_starts_answers_lets_a_load_in_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    directory = tmp_path / "ws"
    with Workspace.open(directory) as ws:
        ws.ingest_frame("tickets", pd.DataFrame(
            {"ticket_id": ["A1", "A2"], "created_at": ["2025-10-01 09:00", "2025-10-02 09:00"]}))
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "300"}
    server = subprocess.Popen(_command("-w", str(directory), "serve", "--port", "0",
                                       "--no-access-log"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # printed once the port is bound
        assert first.startswith(f"supportmetrics serving {directory} at http://127.0.0.1:"), first
        url = first.split(" at ")[1].split()[0]
        hint = server.stdout.readline()
        assert "first run: no token yet" in hint and "tokens create NAME --scope read" in hint
        deadline = time.monotonic() + WAIT
        while True:  # uvicorn starts answering a moment after the socket is bound
            try:
                health = httpx.get(url + "api/v1/health", timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        generation = health.json()["generation"]
        assert httpx.get(url + "api/v1/catalogue", timeout=10).status_code == 401
        # a load in another process while serve runs: it gets the file between requests
        data = tmp_path / "more.csv"
        data.write_text("ticket_id,created_at\nA3,2025-10-03 09:00\n", encoding="utf-8")
        load = subprocess.run(_command("-w", str(directory), "ingest", "tickets", str(data)),
                              env=env, capture_output=True, text=True, timeout=WAIT)
        assert load.returncode == 0, load.stderr
        assert "1 accepted (1 new" in load.stdout
        after = httpx.get(url + "api/v1/health", timeout=10).json()["generation"]
        assert after > generation  # the server reads the new load at once
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=WAIT)
        assert server.returncode == 0, err
        assert "supportmetrics serve: stopped" in out
        assert "Traceback" not in err
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=WAIT)
