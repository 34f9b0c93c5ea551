"""Web app under load: requests/s and latency with 50 concurrent clients on loopback.

Starts ``backcoach serve`` as a real subprocess (one uvicorn worker, as ``make
run`` does) on SQLite, then on a temporary PostgreSQL when one can be started
(the store tests' helper). Measures ``GET /`` (today's plan through the
planner), ``GET /history`` and ``POST /api/v1/sessions/{id}/events`` (a
``tick`` stored with the session's snapshot; each client drives its own
session). Bounded: ``REQUESTS`` per endpoint or ``MAX_SECONDS``, whichever
comes first. Figures are printed, never asserted; the goal is p95 under 50 ms.

Two load shapes: *flat out* (each client sends its next request as soon as
the last one is answered, so latency is mostly queueing: p50 is about
clients / throughput) and *paced* (each client sends on a fixed schedule,
like a person: a page every ``PAGE_INTERVAL_S`` or a player event every
``EVENT_INTERVAL_S``, whether or not the last answer came back).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

CLIENTS = 50
REQUESTS = 1000
WARMUP = 50
ALONE = 40
MAX_SECONDS = 15.0
HISTORY_SESSIONS = 30
PAGE_INTERVAL_S = 2.0
EVENT_INTERVAL_S = 1.0
PACED_SECONDS = 10.0


@dataclass(frozen=True)
class Result:
    database: str
    endpoint: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    alone_ms: float  # p50 of one client at a time: the service time without queueing

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(data_dir: Path, database_url: str | None) -> Iterator[str]:
    """``backcoach serve`` in a subprocess; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCOACH_")}
    env["BACKCOACH_DATA_DIR"] = str(data_dir)
    if database_url:
        env["BACKCOACH_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "backcoach", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"backcoach serve exited: {process.stderr.read() if process.stderr else ''}"
                )
            try:
                if httpx.get(f"{url}/api/v1/preferences", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("backcoach serve did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare(url: str) -> list[int]:
    """A clear screening, some finished sessions for the history, one open session per client."""
    with httpx.Client(base_url=url, timeout=30) as client:
        questions = client.get("/api/v1/screening/questions").json()
        client.post("/api/v1/screening", json={"answers": {q["id"]: False for q in questions}})
        for i in range(HISTORY_SESSIONS):
            state = client.post("/api/v1/sessions", json={"pain_before": i % 4}).json()
            sid = state["session_id"]
            client.post(f"/api/v1/sessions/{sid}/events", json={"type": "start"})
            for _ in range(state["steps_total"]):
                client.post(f"/api/v1/sessions/{sid}/events", json={"type": "skip"})
            client.post(f"/api/v1/sessions/{sid}/finish", json={"pain_after": i % 3, "effort": 4})
        open_sessions = []
        for _ in range(CLIENTS):
            sid = client.post("/api/v1/sessions", json={"pain_before": 2}).json()["session_id"]
            client.post(f"/api/v1/sessions/{sid}/events", json={"type": "start"})
            open_sessions.append(sid)
        return open_sessions


Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def load(
    url: str, request: Request, total: int, clients: int = CLIENTS
) -> tuple[list[float], int, float]:
    """``total`` requests from ``clients`` concurrent clients; (latencies ms, errors, seconds)."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        started = time.perf_counter()
        stop_at = started + MAX_SECONDS

        async def worker(index: int) -> None:
            nonlocal issued, errors
            while issued < total and time.perf_counter() < stop_at:
                issued += 1
                begin = time.perf_counter()
                try:
                    response = await request(client, index)
                except httpx.TransportError:
                    errors += 1  # counted, and the client carries on
                    continue
                latencies.append((time.perf_counter() - begin) * 1000)
                if response.status_code >= 400:
                    errors += 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
        return latencies, errors, time.perf_counter() - started


async def paced(
    url: str, request: Request, interval_s: float, clients: int = CLIENTS
) -> tuple[list[float], int, float]:
    """Each client sends one request every ``interval_s`` (staggered) for ``PACED_SECONDS``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        started = time.perf_counter()

        async def one(index: int) -> None:
            nonlocal errors
            begin = time.perf_counter()
            try:
                response = await request(client, index)
            except httpx.TransportError:
                errors += 1
                return
            latencies.append((time.perf_counter() - begin) * 1000)
            if response.status_code >= 400:
                errors += 1

        async def user(index: int) -> None:
            pending = []
            due = started + interval_s * index / clients
            while due < started + PACED_SECONDS:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                pending.append(asyncio.create_task(one(index)))
                due += interval_s
            await asyncio.gather(*pending)

        await asyncio.gather(*(user(i) for i in range(clients)))
        return latencies, errors, time.perf_counter() - started


def measure(database: str, url: str) -> list[Result]:
    sessions = prepare(url)

    async def today(client: httpx.AsyncClient, _index: int) -> httpx.Response:
        return await client.get("/")

    async def history(client: httpx.AsyncClient, _index: int) -> httpx.Response:
        return await client.get("/history")

    async def event(client: httpx.AsyncClient, index: int) -> httpx.Response:
        sid = sessions[index % len(sessions)]
        return await client.post(f"/api/v1/sessions/{sid}/events", json={"type": "tick"})

    results = []
    for name, request, interval in (
        ("GET /", today, PAGE_INTERVAL_S),
        ("GET /history", history, PAGE_INTERVAL_S),
        ("POST …/events (tick)", event, EVENT_INTERVAL_S),
    ):
        asyncio.run(load(url, request, WARMUP))
        alone, _, _ = asyncio.run(load(url, request, ALONE, clients=1))
        service = statistics.median(alone)
        latencies, errors, seconds = asyncio.run(load(url, request, REQUESTS))
        results.append(
            Result(
                database, f"{name}, flat out", len(latencies), errors, seconds, latencies, service
            )
        )
        latencies, errors, seconds = asyncio.run(paced(url, request, interval))
        label = f"{name}, paced 1 per {interval:.0f} s each"
        results.append(Result(database, label, len(latencies), errors, seconds, latencies, service))
    return results


def sqlite_results() -> list[Result]:
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder), None) as url:
        return measure("SQLite", url)


def postgres_results() -> list[Result] | str:
    try:
        from tests.integration.postgres import PostgresUnavailable, running_postgres
    except ImportError as exc:  # benchmarks run from the source tree, next to tests/
        return f"PostgreSQL: skipped ({exc})"
    try:
        with running_postgres() as server, tempfile.TemporaryDirectory() as folder:
            database_url = server.url(server.new_database())
            with serving(Path(folder), database_url) as url:
                return measure("PostgreSQL", url)
    except PostgresUnavailable as exc:
        return f"PostgreSQL: skipped ({exc})"


def main() -> None:
    console = Console(width=120)
    results = sqlite_results()
    postgres = postgres_results()
    if isinstance(postgres, str):
        console.print(postgres)
    else:
        results += postgres
    table = Table(
        title=f"Web app, {CLIENTS} concurrent clients on loopback, one uvicorn worker "
        f"({os.cpu_count()} CPUs)"
    )
    columns = (
        "database",
        "endpoint",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "alone p50",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("database", "endpoint") else "right")
    for r in results:
        table.add_row(
            r.database,
            r.endpoint,
            str(r.requests),
            str(r.errors),
            f"{r.per_second:.0f}",
            f"{statistics.median(r.latencies_ms):.1f}" if r.latencies_ms else "-",
            f"{r.percentile(95):.1f}",
            f"{r.alone_ms:.1f}",
        )
    console.print(table)
    console.print(
        f"Each row: up to {REQUESTS} requests or {MAX_SECONDS:.0f} s after {WARMUP} warm-up "
        f"requests; paced rows run {PACED_SECONDS:.0f} s. p95 goal: under 50 ms. Flat out, "
        f"{CLIENTS} clients wait in the queue: p50 is about clients / (req/s). 'alone p50' is "
        "one client at a time (the service time). The load generator shares the CPUs with the "
        "server."
    )


if __name__ == "__main__":
    main()
