"""A bounded load test of `supportmetrics serve` on loopback: pages, API queries and ingests.

    .venv/bin/python benchmarks/bench_serve.py [--workspace DIR] [--clients 20] [--seconds 60]

Starts ``supportmetrics serve`` on a free loopback port over the workspace (default: a demo
workspace built in ``/tmp/supportmetrics-bench/serve-demo`` when missing), creates a token, then
runs ``--clients`` concurrent clients for ``--seconds``: 40 % read pages (signed in with a
session cookie), 50 % query the API (metrics, explain, catalogue), 10 % load new tickets
through ``POST /api/v1/ingest/tickets`` (5 rows a request). It prints p50/p95/p99 latency per
route and the errors, stops the server, and checks that every ticket an ingest acknowledged is
in the workspace (lost rows: target 0). Not a test: the figures go to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

PAGES = ["/", "/account"]
QUERIES = [
    ("metrics ticket_volume monthly", "/api/v1/metrics?metric=ticket_volume&grain=month"),
    ("metrics first_response_time by channel",
     "/api/v1/metrics?metric=first_response_time&grain=month&by=channel"),
    ("metrics csat, nps weekly", "/api/v1/metrics?metric=csat&metric=nps&grain=week"),
    ("explain tickets_solved (100 units)",
     "/api/v1/explain?metric=tickets_solved&limit=100"),
    ("catalogue", "/api/v1/catalogue"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def run(url: str, token: str, clients: int, seconds: float, ingest: bool = True) -> tuple[
        dict[str, list[float]], dict[str, list[str]], set[str]]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    acknowledged: set[str] = set()
    deadline = time.monotonic() + seconds
    bearer = {"Authorization": f"Bearer {token}"}

    async def timed(client: httpx.AsyncClient, route: str, method: str, path: str,
                    **kwargs: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            errors[route].append(type(exc).__name__)
            return None
        timings[route].append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            errors[route].append(f"{response.status_code} {response.text[:120]}")
        return response

    async def pages(index: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, follow_redirects=True) as client:
            form = await client.get("/login")
            csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            await client.post("/login", data={"token": token, "csrf_token": csrf})
            n = index
            while time.monotonic() < deadline:
                path = PAGES[n % len(PAGES)]
                await timed(client, f"page {path}", "GET", path)
                n += 1

    async def queries(index: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, headers=bearer) as client:
            n = index
            while time.monotonic() < deadline:
                route, path = QUERIES[n % len(QUERIES)]
                await timed(client, route, "GET", path)
                n += 1

    async def ingests(index: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=300, headers=bearer) as client:
            n = 0
            while time.monotonic() < deadline:
                ids = [f"bench-{os.getpid()}-{index}-{n}-{i}" for i in range(5)]
                rows = [{"ticket_id": i, "created_at": "2025-12-15 10:00", "channel": "email"}
                        for i in ids]
                response = await timed(client, "ingest 5 tickets", "POST",
                                       "/api/v1/ingest/tickets", json=rows)
                if response is not None and response.status_code == 200:
                    body = response.json()
                    if body["accepted"] == len(ids):
                        acknowledged.update(ids)
                n += 1

    roles = []
    for index in range(clients):
        share = index % 10
        roles.append(pages(index) if share < 4 else queries(index) if share < 9 or not ingest
                     else ingests(index))
    await asyncio.gather(*roles)
    return timings, errors, acknowledged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path,
                        default=Path("/tmp/supportmetrics-bench/serve-demo"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--no-ingest", action="store_true",
                        help="Clients that would load query the API instead (reads alone).")
    args = parser.parse_args()
    if not (args.workspace / "supportmetrics.duckdb").exists():
        from supportmetrics.demo import build_demo

        build_demo(args.workspace)
    from supportmetrics.web.auth import TokenStore

    token = TokenStore(args.workspace).create(f"bench-{os.getpid()}", "ingest")[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from supportmetrics.cli import main; sys.exit(main())",
         "-w", str(args.workspace), "serve", "--port", "0", "--no-access-log"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" at ")[1].split()[0].rstrip("/")
        for _ in range(600):
            try:
                httpx.get(url + "/api/v1/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        httpx.get(url + "/api/v1/metrics?metric=ticket_volume",
                  headers={"Authorization": f"Bearer {token}"}, timeout=300)  # warm up
        timings, errors, acknowledged = asyncio.run(run(url, token, args.clients, args.seconds,
                                                         not args.no_ingest))
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=120)
    TokenStore(args.workspace).revoke(f"bench-{os.getpid()}")
    import duckdb

    with duckdb.connect(str(args.workspace / "supportmetrics.duckdb"), read_only=True) as con:
        stored = {r[0] for r in con.execute(
            "SELECT ticket_id FROM tickets WHERE ticket_id LIKE ?", [f"bench-{os.getpid()}-%"]
        ).fetchall()}
    lost = acknowledged - stored
    print(f"{args.clients} clients, {args.seconds:g} s, workspace {args.workspace}; "
          f"server exit {server.returncode}")
    print("| route | requests | errors | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for route in sorted(timings):
        values = timings[route]
        print(f"| {route} | {len(values)} | {len(errors.get(route, []))} | "
              f"{statistics.median(values):.0f} | {percentile(values, 95):.0f} | "
              f"{percentile(values, 99):.0f} |")
    for route, problems in errors.items():
        for problem in sorted(set(problems))[:3]:
            print(f"error on {route}: {problem}")
    print(f"acknowledged tickets: {len(acknowledged)}; in the workspace afterwards: "
          f"{len(acknowledged & stored)}; lost: {len(lost)}")
    return 0 if not lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
