"""Web app speed (issue #14): service time per route against a static asset, throughput, paced load.

Every server is a real ``backcoach serve`` subprocess on loopback; every
client is a separate *load generator* process (``python -m
benchmarks.bench_web --load-generator``: asyncio + httpx, or a plain httpx
client for sequential requests) that reports the cores it was allowed
(``os.sched_getaffinity``) and the CPU it used, so the table says how much of
the machine the client took from the server.

Data: ten years of daily use (``bench_store.generate``: about 3,650 sessions,
100,000 step events), written by the code under test, then a clear screening
and a few open sessions added through the API (the event POST ticks those).
The same data on SQLite (a file, WAL) and on a throw-away PostgreSQL (started
as the tests start one; skipped, with the reason, when it cannot be).

Measured, per database, in one run:

1. *Service time*: one client, one request at a time, after a warm-up; each
   round requests every route once in a shuffled order, so machine noise hits
   all routes alike. Median and p95 per route, and the ratio of the median to
   the median of ``GET /static/css/app.css`` from the same server in the same
   rounds (a static file: the floor of what any answer costs on this stack).
   Includes ``POST /api/v1/sessions/{id}/events`` (a ``tick``). Printed
   beside them, not a target: ``/``, ``/history`` and ``/api/v1/plan`` each
   right after a settings change, the first view after a write, which no
   page cache may answer.
2. *Flat out*: ``FLAT_CLIENTS`` clients each sending ``GET /`` as soon as the
   last answer came back, with 1 and with 2 uvicorn workers (``serve
   --workers``; "n/a" with the reason when the code under test has no such
   option or refuses it, as it does on SQLite).
3. *Paced*: 50 users on 1 worker and 200 users on 2 workers (1 where 2 are
   n/a), each user with their own client requesting one page every 2 s (open
   loop: on schedule whether or not the last answer came back), cycling
   through ``/``, ``/history``, ``/exercises``,
   ``/exercises/bird-dog`` and ``/desk``, after ``PACED_WARMUP_S`` at the same
   pace that is not recorded (a fresh server fills its thread pool, database
   connections and caches on the first burst); p95 over all pages, where a
   request without an answer (time-out after ``PACED_TIMEOUT_S``, refused)
   counts as infinitely slow.

The targets (issue #14) are printed with the measured figure, measured/target
and whether each is met; figures are printed, never asserted. The machine's
load average is printed with every step: this machine is shared, and a busy
neighbour slows the server and the client alike.

Options (also through ``python -m benchmarks``): ``--quick`` for short phases,
``--tree PATH`` to measure the code of another checkout (its ``src`` serves,
its ``benchmarks/bench_store.py`` writes the data, its migrations make the
schema), e.g. a ``git worktree`` of an older commit for before/after figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

STATIC = "/static/css/app.css"
EXERCISE = "bird-dog"
READS = (
    "/",
    "/history",
    "/exercises",
    f"/exercises/{EXERCISE}",
    "/desk",
    "/api/v1/plan",
    "/api/v1/exercises",
)
EVENT = "POST /api/v1/sessions/{id}/events (tick)"
PAGES = ("/", "/history", "/exercises", f"/exercises/{EXERCISE}", "/desk")
AFTER_WRITE = ("/", "/history", "/api/v1/plan")


def after_write(route: str) -> str:
    return f"{route} after a write"


OPEN_SESSIONS = 1  # one person, at most one session in progress

SERVICE_RATIO_TARGET = 3.0
EVENT_TARGET_MS = 3.0
FLAT_TARGET_RPS = 200.0
PACED_TARGETS_MS = {50: 50.0, 200: 100.0}

PAGE_INTERVAL_S = 2.0
PACED_TIMEOUT_S = 10.0
PACED_WARMUP_S = 4.0  # two rounds at the same pace, not recorded: threads, connections, caches
FLAT_CLIENTS = 32


@dataclass(frozen=True)
class Phases:
    """How long each phase runs; ``--quick`` shortens all of them."""

    warmup_rounds: int
    rounds: int
    after_write_rounds: int
    flat_seconds: float
    paced_seconds: float

    @classmethod
    def full(cls) -> Phases:
        return cls(
            warmup_rounds=10,
            rounds=80,
            after_write_rounds=20,
            flat_seconds=10.0,
            paced_seconds=15.0,
        )

    @classmethod
    def quick(cls) -> Phases:
        return cls(
            warmup_rounds=5, rounds=30, after_write_rounds=8, flat_seconds=4.0, paced_seconds=8.0
        )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f}"


def load_one_minute() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _ms(value: float) -> str:
    """A latency for the tables; a percentile that falls on unanswered requests shows as such."""
    return "no answer" if math.isinf(value) else f"{value:.1f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- load generator
# Runs in its own process (``--load-generator``): a job as JSON on stdin, the result on stdout.


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _service_job(job: dict[str, Any]) -> dict[str, Any]:
    """Sequential requests, one route after another in shuffled rounds."""
    url, sessions = job["url"], job["sessions"]
    routes: list[str] = [STATIC, *READS, EVENT]
    times: dict[str, list[float]] = {r: [] for r in routes}
    errors: dict[str, int] = dict.fromkeys(routes, 0)
    rng = random.Random(14)
    tick = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for round_index in range(job["warmup_rounds"] + job["rounds"]):
            order = routes[:]
            rng.shuffle(order)
            for route in order:
                started = time.perf_counter()
                if route == EVENT:
                    sid = sessions[tick % len(sessions)]
                    tick += 1
                    response = client.post(f"/api/v1/sessions/{sid}/events", json={"type": "tick"})
                else:
                    response = client.get(route)
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if round_index >= job["warmup_rounds"]:
                    times[route].append(elapsed)
                    if response.status_code >= 400:
                        errors[route] += 1
        # The first view after a change: each GET follows a settings write (voice on/off),
        # which is a change the pages' data depends on, so no cached answer may serve it.
        voice = False
        for route in AFTER_WRITE:
            label = after_write(route)
            times[label], errors[label] = [], 0
            for _ in range(job["after_write_rounds"]):
                voice = not voice
                client.patch("/api/v1/preferences", json={"voice": voice}).raise_for_status()
                started = time.perf_counter()
                response = client.get(route)
                response.read()
                times[label].append((time.perf_counter() - started) * 1000)
                errors[label] += response.status_code >= 400
    return {"times": times, "errors": errors}


def _browser(url: str, timeout: float, connections: int) -> httpx.AsyncClient:
    """One client per user, as each person has their own browser (and its few connections)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits)


async def _flat_job(job: dict[str, Any]) -> dict[str, Any]:
    """``clients`` concurrent clients sending ``path`` back to back for ``seconds``."""
    url, path = job["url"], job["path"]
    latencies: list[float] = []
    errors = 0
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(_browser(url, 30, 1)) for _ in range(job["clients"])
        ]

        async def run(seconds: float, record: bool) -> None:
            stop_at = time.perf_counter() + seconds

            async def worker(client: httpx.AsyncClient) -> None:
                nonlocal errors
                while time.perf_counter() < stop_at:
                    begin = time.perf_counter()
                    try:
                        response = await client.get(path)
                    except httpx.HTTPError:
                        errors += record
                        continue
                    if record:
                        latencies.append((time.perf_counter() - begin) * 1000)
                        errors += response.status_code >= 400

            await asyncio.gather(*(worker(c) for c in clients))

        await run(job["warmup_seconds"], record=False)
        started = time.perf_counter()
        await run(job["seconds"], record=True)
        seconds = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "seconds": seconds}


async def _paced_job(job: dict[str, Any]) -> dict[str, Any]:
    """``users`` users, each requesting the next page every ``interval`` s (open loop)."""
    url, users, interval = job["url"], job["users"], job["interval"]
    pages: list[str] = job["pages"]
    latencies: dict[str, list[float]] = {p: [] for p in pages}
    errors: dict[str, int] = dict.fromkeys(pages, 0)
    unanswered: dict[str, int] = dict.fromkeys(pages, 0)
    timeouts = 0
    async with AsyncExitStack() as stack:
        browsers = [
            await stack.enter_async_context(_browser(url, job["timeout"], 6)) for _ in range(users)
        ]
        began = time.perf_counter()
        started = began + job["warmup_seconds"]  # requests sent before this are not recorded
        end = started + job["seconds"]

        async def one(client: httpx.AsyncClient, page: str, record: bool) -> None:
            nonlocal timeouts
            begin = time.perf_counter()
            try:
                response = await client.get(page)
            except httpx.TimeoutException:
                timeouts += record
                errors[page] += record
                unanswered[page] += record
                return
            except httpx.HTTPError:
                errors[page] += record
                unanswered[page] += record
                return
            if record:
                latencies[page].append((time.perf_counter() - begin) * 1000)
                errors[page] += response.status_code >= 400

        async def user(index: int) -> None:
            pending = []
            due = began + interval * index / users
            turn = index
            while due < end:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                page = pages[turn % len(pages)]
                pending.append(asyncio.create_task(one(browsers[index], page, due >= started)))
                turn += 1
                due += interval
            await asyncio.gather(*pending)

        await asyncio.gather(*(user(i) for i in range(users)))
        seconds = time.perf_counter() - started
    return {
        "latencies": latencies,
        "errors": errors,
        "unanswered": unanswered,
        "timeouts": timeouts,
        "seconds": seconds,
    }


def load_generator_main() -> int:
    job = json.load(sys.stdin)
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    if job["kind"] == "service":
        result = _service_job(job)
    elif job["kind"] == "flat":
        result = asyncio.run(_flat_job(job))
    else:
        result = asyncio.run(_paced_job(job))
    wall = time.perf_counter() - wall_before
    result["cpu_seconds"] = _cpu_seconds() - cpu_before
    result["wall_seconds"] = wall
    result["allowed_cores"] = sorted(os.sched_getaffinity(0))
    json.dump(result, sys.stdout)
    return 0


@dataclass(frozen=True)
class Generator:
    """What the load generator process used: cores allowed and CPU time over wall time."""

    allowed: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def cores_used(self) -> float:
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0

    def __str__(self) -> str:
        return f"{self.cores_used:.2f} of {self.allowed}"


def run_load_generator(job: dict[str, Any]) -> tuple[dict[str, Any], Generator]:
    """Run ``job`` in a separate process; (its result, what it used)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_web", "--load-generator"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    used = Generator(len(result["allowed_cores"]), result["cpu_seconds"], result["wall_seconds"])
    return result, used


# --------------------------------------------------------------------------- servers and data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def code_env(tree: Path, data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment that runs ``tree``'s code (its ``src`` first) on the given database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCOACH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "src"), str(tree)])
    env["BACKCOACH_DATA_DIR"] = str(data_dir)
    if database_url:
        env["BACKCOACH_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"
    env["NO_COLOR"] = "1"
    return env


def supports_workers(tree: Path) -> bool:
    """Whether ``tree``'s ``backcoach serve`` takes ``--workers``."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-m", "backcoach", "serve", "--help"],
            env=code_env(tree, Path(folder), None),
            capture_output=True,
            text=True,
            cwd=tree,
            check=False,
        )
    return "--workers" in done.stdout


class ServeExited(RuntimeError):
    """``backcoach serve`` stopped before answering (e.g. it refused its options)."""

    def __init__(self, stderr: str) -> None:
        self.stderr = stderr
        words = " ".join(stderr.replace("│", " ").split())
        start = words.find("Refusing")  # "Refusing --workers 2 on SQLite: why …"
        self.reason = words[start:].split(":")[0] if start >= 0 else words[:80]
        super().__init__(f"backcoach serve exited: {stderr[-2000:]}")


def latencies_with_unanswered(result: dict[str, Any]) -> dict[str, list[float]]:
    """A paced run's latencies per kind of request, each request that got no answer
    (time-out, refused) counted as infinitely slow: a server that drops most requests
    cannot show a good p95 from the few it answered."""
    return {
        kind: values + [math.inf] * result["unanswered"][kind]
        for kind, values in result["latencies"].items()
    }


@contextmanager
def serving(
    tree: Path,
    data_dir: Path,
    database_url: str | None,
    workers: int = 1,
    *,
    env: dict[str, str] | None = None,
    ready_path: str = "/api/v1/preferences",
) -> Iterator[str]:
    """``backcoach serve`` (``tree``'s code) in a subprocess; yields its base URL once
    ``ready_path`` answers 200. ``env``: more settings (e.g. ``BACKCOACH_MODE``)."""
    port = _free_port()
    command = [sys.executable, "-m", "backcoach", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    # The server's log goes to a file, not a pipe: nobody reads a pipe during a run, and a
    # server writing many errors to a full one would stop answering.
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "serve.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        command,
        env={**code_env(tree, data_dir, database_url), **(env or {})},
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise ServeExited(log.read())
            try:
                if httpx.get(f"{url}{ready_path}", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("backcoach serve did not start within 90 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
        try:
            process.wait(timeout=5)  # an overloaded server may still be working through a queue
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)  # its own session: only this server and its workers
            process.wait()
        _keep_errors(log, port)


def _keep_errors(log: Any, port: int) -> None:
    """Close the server's log; when it holds an error, keep a copy and say where."""
    log.seek(0)
    text = log.read()
    log.close()
    if "Traceback" in text:
        kept = Path(tempfile.gettempdir()) / f"backcoach-bench-serve-{port}.log"
        kept.write_text(text, encoding="utf-8")
        print(f"the server logged errors: {kept}", file=sys.stderr)


SEED = """
import json, time
from sqlalchemy import text
from backcoach.config import Settings
from backcoach.store import make_engine, upgrade_engine
from benchmarks.bench_store import generate
engine = make_engine(Settings())
upgrade_engine(engine)
started = time.perf_counter()
counts = generate(engine)
seconds = time.perf_counter() - started
if engine.dialect.name == "postgresql":
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
else:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
engine.dispose()
print(json.dumps({"counts": counts, "seconds": seconds}))
"""


def seed(tree: Path, data_dir: Path, database_url: str | None) -> dict[str, Any]:
    """Migrate with ``tree``'s code and write ten years of use with its ``bench_store``."""
    done = subprocess.run(
        [sys.executable, "-c", SEED],
        env=code_env(tree, data_dir, database_url),
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding the ten-year data failed: {done.stderr[-2000:]}")
    seeded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


def prepare(url: str) -> list[int]:
    """A clear screening today and ``OPEN_SESSIONS`` started sessions (the event POST ticks)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        questions = client.get("/api/v1/screening/questions").json()
        client.post(
            "/api/v1/screening", json={"answers": {q["id"]: False for q in questions}}
        ).raise_for_status()
        sessions = []
        for _ in range(OPEN_SESSIONS):
            response = client.post("/api/v1/sessions", json={"pain_before": 2})
            response.raise_for_status()
            sid = response.json()["session_id"]
            client.post(f"/api/v1/sessions/{sid}/events", json={"type": "start"}).raise_for_status()
            sessions.append(sid)
        return sessions


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Service:
    median_ms: dict[str, float]
    p95_ms: dict[str, float]
    errors: dict[str, int]
    samples: int
    generator: Generator
    load: str

    def ratio(self, route: str) -> float:
        return self.median_ms[route] / self.median_ms[STATIC]


@dataclass(frozen=True)
class Flat:
    workers: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    generator: Generator
    load: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Paced:
    users: int
    workers: int
    requests: int
    errors: int
    timeouts: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    worst_page: str
    generator: Generator
    load: str


@dataclass
class DatabaseFigures:
    database: str
    seed_note: str
    service: Service | None = None
    flat: dict[int, Flat | str] = field(default_factory=dict)
    paced: dict[int, Paced | str] = field(default_factory=dict)


def measure_service(url: str, sessions: list[int], phases: Phases) -> Service:
    result, used = run_load_generator(
        {
            "kind": "service",
            "url": url,
            "sessions": sessions,
            "warmup_rounds": phases.warmup_rounds,
            "rounds": phases.rounds,
            "after_write_rounds": phases.after_write_rounds,
        }
    )
    times: dict[str, list[float]] = result["times"]
    return Service(
        median_ms={r: statistics.median(t) for r, t in times.items()},
        p95_ms={r: percentile(t, 95) for r, t in times.items()},
        errors=result["errors"],
        samples=phases.rounds,
        generator=used,
        load=load_one_minute(),
    )


def measure_flat(url: str, workers: int, phases: Phases) -> Flat:
    result, used = run_load_generator(
        {
            "kind": "flat",
            "url": url,
            "path": "/",
            "clients": FLAT_CLIENTS,
            "warmup_seconds": 2.0,
            "seconds": phases.flat_seconds,
        }
    )
    latencies: list[float] = result["latencies"]
    return Flat(
        workers=workers,
        requests=len(latencies),
        errors=result["errors"],
        seconds=result["seconds"],
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p95_ms=percentile(latencies, 95),
        generator=used,
        load=load_one_minute(),
    )


def measure_paced(url: str, users: int, workers: int, phases: Phases) -> Paced:
    result, used = run_load_generator(
        {
            "kind": "paced",
            "url": url,
            "users": users,
            "interval": PAGE_INTERVAL_S,
            "pages": list(PAGES),
            "warmup_seconds": PACED_WARMUP_S,
            "seconds": phases.paced_seconds,
            "timeout": PACED_TIMEOUT_S,
        }
    )
    per_page = latencies_with_unanswered(result)
    every = [x for values in per_page.values() for x in values]
    worst = max(per_page, key=lambda p: percentile(per_page[p], 95) if per_page[p] else 0.0)
    return Paced(
        users=users,
        workers=workers,
        requests=len(every),
        errors=sum(result["errors"].values()),
        timeouts=result["timeouts"],
        p50_ms=percentile(every, 50),
        p95_ms=percentile(every, 95),
        max_ms=max(every) if every else math.nan,
        worst_page=f"{worst} {_ms(percentile(per_page[worst], 95))}",
        generator=used,
        load=load_one_minute(),
    )


def measure_database(
    console: Console,
    database: str,
    tree: Path,
    data_dir: Path,
    database_url: str | None,
    workers_flag: bool,
    phases: Phases,
) -> DatabaseFigures:
    began = time.perf_counter()

    def say(what: str) -> None:
        console.print(
            f"[{time.perf_counter() - began:4.0f} s] {database}, {what} (load {load_average()}) …",
            highlight=False,
        )

    say("writing ten years of use")
    seeded = seed(tree, data_dir, database_url)
    counts = seeded["counts"]
    note = (
        f"{counts.get('sessions', 0):,} sessions, {counts.get('step events', 0):,} step events "
        f"(written in {seeded['seconds']:.0f} s)"
    )
    figures = DatabaseFigures(database, note)
    with serving(tree, data_dir, database_url) as url:
        sessions = prepare(url)
        say("1 worker: service times")
        figures.service = measure_service(url, sessions, phases)
        say("1 worker: flat out")
        figures.flat[1] = measure_flat(url, 1, phases)
        say("1 worker: paced, 50 users")
        figures.paced[50] = measure_paced(url, 50, 1, phases)
    figures.flat[2] = "n/a (no --workers yet)"
    if workers_flag:
        try:
            with serving(tree, data_dir, database_url, workers=2) as url:
                say("2 workers: flat out")
                figures.flat[2] = measure_flat(url, 2, phases)
                say("2 workers: paced, 200 users")
                figures.paced[200] = measure_paced(url, 200, 2, phases)
        except ServeExited as refused:  # e.g. several workers refused on SQLite
            figures.flat[2] = f"n/a: {refused.reason}"
    if 200 not in figures.paced:
        with serving(tree, data_dir, database_url) as url:
            say("1 worker: paced, 200 users")
            figures.paced[200] = measure_paced(url, 200, 1, phases)
    say("done")
    return figures


def sqlite_figures(
    console: Console, tree: Path, workers_flag: bool, phases: Phases
) -> DatabaseFigures:
    folder = Path(tempfile.mkdtemp(prefix="backcoach-bench-web-"))
    try:
        return measure_database(console, "SQLite", tree, folder, None, workers_flag, phases)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgres_figures(
    console: Console, tree: Path, workers_flag: bool, phases: Phases
) -> DatabaseFigures | str:
    try:
        from tests.integration.postgres import PostgresUnavailable, running_postgres
    except ImportError as exc:  # benchmarks run from the source tree, next to tests/
        return f"PostgreSQL: skipped ({exc})"
    try:
        with running_postgres() as server:
            database_url = server.url(server.new_database())
            folder = Path(tempfile.mkdtemp(prefix="backcoach-bench-web-"))
            try:
                return measure_database(
                    console, "PostgreSQL", tree, folder, database_url, workers_flag, phases
                )
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    except PostgresUnavailable as exc:
        return f"PostgreSQL: skipped ({exc})"


# --------------------------------------------------------------------------- report


def _p95(paced: Paced) -> str:
    return "p95 without answer" if math.isinf(paced.p95_ms) else f"{paced.p95_ms:.1f} ms"


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def targets_table(results: list[DatabaseFigures]) -> Table:
    table = Table(title="Issue #14 targets, measured in this run")
    for column in ("target", "measured", "measured/target", "met"):
        table.add_column(column, justify="left" if column == "target" else "right")
    by_name = {r.database: r for r in results}
    for r in results:
        s = r.service
        if s is None:
            continue
        for route in READS:
            ratio = s.ratio(route)
            table.add_row(
                f"{r.database}: GET {route} service time <= 3x static",
                f"{ratio:.2f}x ({s.median_ms[route]:.1f} ms)",
                f"{ratio / SERVICE_RATIO_TARGET:.2f}",
                _met(ratio <= SERVICE_RATIO_TARGET),
            )
        event = s.median_ms[EVENT]
        table.add_row(
            f"{r.database}: event POST service time <= {EVENT_TARGET_MS:.0f} ms",
            f"{event:.2f} ms ({s.ratio(EVENT):.2f}x static)",
            f"{event / EVENT_TARGET_MS:.2f}",
            _met(event <= EVENT_TARGET_MS),
        )
    sqlite = by_name.get("SQLite")
    if sqlite is not None:
        flat = sqlite.flat.get(1)
        if isinstance(flat, Flat):
            table.add_row(
                "SQLite: GET / flat out, 1 worker >= 200 req/s",
                f"{flat.per_second:.0f} req/s",
                f"{flat.per_second / FLAT_TARGET_RPS:.2f}",
                _met(flat.per_second >= FLAT_TARGET_RPS),
            )
    for r in results:
        paced = r.paced.get(50)
        if isinstance(paced, Paced):
            table.add_row(
                f"{r.database}: paced 50 users, 1 worker, p95 < 50 ms",
                f"{_p95(paced)}, {paced.errors} errors",
                f"{paced.p95_ms / PACED_TARGETS_MS[50]:.2f}",
                _met(paced.p95_ms < PACED_TARGETS_MS[50] and paced.errors == 0),
            )
    postgres = by_name.get("PostgreSQL")
    if postgres is not None:
        paced = postgres.paced.get(200)
        if isinstance(paced, Paced):
            ok = paced.workers == 2 and paced.p95_ms < PACED_TARGETS_MS[200] and not paced.errors
            table.add_row(
                "PostgreSQL: paced 200 users, 2 workers, p95 < 100 ms, 0 errors",
                f"{_p95(paced)}, {paced.errors} errors"
                + ("" if paced.workers == 2 else " (1 worker: 2 were n/a)"),
                f"{paced.p95_ms / PACED_TARGETS_MS[200]:.2f}",
                _met(ok),
            )
    return table


def service_table(results: list[DatabaseFigures], phases: Phases) -> Table:
    table = Table(
        title=f"Service time: 1 client, 1 worker, {phases.rounds} shuffled rounds after "
        f"{phases.warmup_rounds} warm-up (ms; ratio = median / median of {STATIC})"
    )
    table.add_column("route")
    for r in results:
        for part in ("median", "p95", "ratio"):
            table.add_column(f"{r.database} {part}", justify="right")
    for route in (STATIC, *READS, EVENT, *map(after_write, AFTER_WRITE)):
        cells = []
        for r in results:
            s = r.service
            assert s is not None
            errors = f" ({s.errors[route]} err)" if s.errors[route] else ""
            cells += [
                f"{s.median_ms[route]:.2f}{errors}",
                f"{s.p95_ms[route]:.2f}",
                f"{s.ratio(route):.2f}",
            ]
        table.add_row(route if route.startswith("POST") else f"GET {route}", *cells)
    table.caption = (
        f"'after a write': {phases.after_write_rounds} requests, each right after a settings "
        "change (PATCH /api/v1/preferences, not timed), so no cached answer serves it; "
        "1-minute load average when the rounds ended: "
        + ", ".join(f"{r.database} {r.service.load}" for r in results if r.service is not None)
    )
    return table


def load_table(results: list[DatabaseFigures], phases: Phases) -> Table:
    table = Table(
        title=f"Under load: flat out = {FLAT_CLIENTS} clients back to back for "
        f"{phases.flat_seconds:.0f} s; paced = each user 1 page / {PAGE_INTERVAL_S:.0f} s for "
        f"{phases.paced_seconds:.0f} s (the load generator is a separate process)"
    )
    for column in (
        "database",
        "run",
        "workers",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "slowest page (p95)",
        "gen. cores",
        "load 1m",
    ):
        table.add_column(column, justify="left" if column in ("database", "run") else "right")
    for r in results:
        for workers, flat in sorted(r.flat.items()):
            label = "GET / flat out"
            if isinstance(flat, str):
                table.add_row(r.database, f"{label}: {flat}", str(workers))
                continue
            table.add_row(
                r.database,
                label,
                str(flat.workers),
                str(flat.requests),
                str(flat.errors),
                f"{flat.per_second:.0f}",
                f"{flat.p50_ms:.1f}",
                f"{flat.p95_ms:.1f}",
                "",
                "",
                str(flat.generator),
                flat.load,
            )
        for users, paced in sorted(r.paced.items()):
            label = f"paced, {users} users"
            if isinstance(paced, str):
                table.add_row(r.database, f"{label}: {paced}")
                continue
            errors = f"{paced.errors}" + (f" ({paced.timeouts} t/o)" if paced.timeouts else "")
            table.add_row(
                r.database,
                label,
                str(paced.workers),
                str(paced.requests),
                errors,
                "",
                _ms(paced.p50_ms),
                _ms(paced.p95_ms),
                _ms(paced.max_ms),
                paced.worst_page,
                str(paced.generator),
                paced.load,
            )
    return table


def run(tree: Path, phases: Phases) -> None:
    console = Console(width=140)
    commit = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %cI %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    changed = [line[3:] for line in dirty if line.strip()]
    workers_flag = supports_workers(tree)
    cores = os.cpu_count()
    console.print(
        f"code under test: {tree} ({commit[:100] or 'no git'}); "
        f"serve --workers: {'yes' if workers_flag else 'no'}"
    )
    if changed:
        console.print(f"uncommitted changes under src/ measured too: {', '.join(changed)}")
    console.print(
        f"machine: {cores} cores; this process may use {len(os.sched_getaffinity(0))}; "
        f"load average (1/5/15 min) at the start: {load_average()}"
    )
    results: list[DatabaseFigures] = [sqlite_figures(console, tree, workers_flag, phases)]
    notes = []
    postgres = postgres_figures(console, tree, workers_flag, phases)
    if isinstance(postgres, str):
        notes.append(postgres)
    else:
        results.append(postgres)
    for r in results:
        console.print(f"{r.database} data: {r.seed_note}")
    console.print(service_table(results, phases))
    console.print(load_table(results, phases))
    console.print(targets_table(results))
    generators = [
        r.service.generator for r in results if r.service is not None
    ]  # every job reports the same affinity
    allowed = generators[0].allowed if generators else len(os.sched_getaffinity(0))
    console.print(
        f"Load generator: one process per measurement (asyncio + httpx; sequential httpx for "
        f"service times), allowed {allowed} of the machine's {cores} cores and sharing them "
        "with the server; 'gen. cores' is its CPU time / wall time. 'load 1m' is the "
        "machine's 1-minute load average when the row ended (other work on this machine "
        f"included). Paced rows: {phases.paced_seconds:.0f} s, pages in turn: "
        f"{', '.join(PAGES)}, after {PACED_WARMUP_S:.0f} s at the same pace that are not "
        f"recorded; errors include time-outs after {PACED_TIMEOUT_S:.0f} s. "
        f"Load average at the end: {load_average()}."
    )
    for note in notes:
        console.print(note)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_web")
    parser.add_argument("--quick", action="store_true", help="short phases (about 2 minutes)")
    parser.add_argument(
        "--tree", type=Path, default=REPO, help="checkout whose code is measured (default: this)"
    )
    parser.add_argument("--load-generator", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``python -m benchmarks``; options also come from BENCH_QUICK/BENCH_TREE."""
    options = parse(argv or [])
    quick = options.quick or os.environ.get("BENCH_QUICK") == "1"
    tree = Path(os.environ.get("BENCH_TREE") or options.tree).resolve()
    run(tree, Phases.quick() if quick else Phases.full())


if __name__ == "__main__":
    if "--load-generator" in sys.argv[1:]:
        sys.exit(load_generator_main())
    main(sys.argv[1:])
