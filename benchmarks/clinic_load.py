"""The load generator of ``bench_clinic``: a process of its own, so it is measured apart.

``python -m benchmarks.clinic_load`` reads one job as JSON on stdin and writes
its result as JSON on stdout, with the cores it was allowed
(``os.sched_getaffinity``) and the CPU time it used, so the benchmark's table
says how much of the machine the client took from the server. Each person
(the clinician, every patient) has their own client and sign-in cookie, as
each has their own browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from backcoach.web.security.signin import COOKIE
from benchmarks.bench_web import Generator

REPO = Path(__file__).resolve().parent.parent
TICK = "player tick"


def _cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


def _client(url: str, token: str | None, timeout: float, connections: int) -> httpx.AsyncClient:
    """One client per person, as each has their own browser (and its few connections)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    cookies = {COOKIE: token} if token else None
    return httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, cookies=cookies)


async def _login_job(job: dict[str, Any]) -> dict[str, Any]:
    """Sign every account in, ``clients`` at a time; their cookies and the times it took."""
    pending: list[str] = list(job["emails"])
    tokens: dict[str, str] = {}
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def worker() -> None:
        async with _client(job["url"], None, 60, 1) as client:
            while pending:
                email = pending.pop()
                client.cookies.clear()
                begin = time.perf_counter()
                try:
                    response = await client.post(
                        "/api/v1/auth/login", json={"email": email, "password": job["password"]}
                    )
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append((time.perf_counter() - begin) * 1000)
                token = response.cookies.get(COOKIE)
                if response.status_code != 200 or not token:
                    key = str(response.status_code)
                    errors[key] = errors.get(key, 0) + 1
                    continue
                tokens[email] = token

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(job["clients"])))
    return {
        "tokens": tokens,
        "latencies": latencies,
        "errors": errors,
        "seconds": time.perf_counter() - started,
    }


async def _service_job(job: dict[str, Any]) -> dict[str, Any]:
    """The clinician's routes one at a time, in shuffled rounds."""
    routes: list[str] = job["routes"]
    times: dict[str, list[float]] = {r: [] for r in routes}
    statuses: dict[str, dict[str, int]] = {r: {} for r in routes}
    sizes: dict[str, int] = dict.fromkeys(routes, 0)
    rng = random.Random(15)
    async with _client(job["url"], job["token"], 60, 1) as client:
        for round_index in range(job["warmup_rounds"] + job["rounds"]):
            order = routes[:]
            rng.shuffle(order)
            for route in order:
                begin = time.perf_counter()
                response = await client.get(route)
                elapsed = (time.perf_counter() - begin) * 1000
                if round_index < job["warmup_rounds"]:
                    continue
                times[route].append(elapsed)
                key = str(response.status_code)
                statuses[route][key] = statuses[route].get(key, 0) + 1
                sizes[route] = len(response.content)
    return {"times": times, "statuses": statuses, "sizes": sizes}


async def _paced_job(job: dict[str, Any]) -> dict[str, Any]:
    """Each patient reads a page every ``interval`` s and ticks their session in between."""
    url, interval, reads = job["url"], job["interval"], job["reads"]
    patients: list[dict[str, Any]] = job["patients"]
    kinds = [*reads, TICK]
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = dict.fromkeys(kinds, 0)
    unanswered: dict[str, int] = dict.fromkeys(kinds, 0)
    statuses: dict[str, int] = {}
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(_client(url, p["token"], job["timeout"], 6))
            for p in patients
        ]
        began = time.perf_counter()
        started = began + job["warmup_seconds"]
        end = started + job["seconds"]

        async def one(
            client: httpx.AsyncClient, kind: str, session: int | None, due: float
        ) -> None:
            record = due >= started
            begin = time.perf_counter()
            try:
                if kind == TICK:
                    response = await client.post(
                        f"/api/v1/sessions/{session}/events", json={"type": "tick"}
                    )
                else:
                    response = await client.get(kind)
            except httpx.HTTPError as exc:  # time-out, refused, dropped: no answer
                if record:
                    errors[kind] += 1
                    unanswered[kind] += 1
                    key = f"{kind} {type(exc).__name__}"
                    statuses[key] = statuses.get(key, 0) + 1
                return
            if record:
                latencies[kind].append((time.perf_counter() - begin) * 1000)
                if response.status_code >= 400:
                    errors[kind] += 1
                    key = f"{kind} {response.status_code}"
                    statuses[key] = statuses.get(key, 0) + 1

        async def patient(index: int) -> None:
            session: int | None = patients[index]["session"]
            pending = []
            due = began + interval * index / len(patients)
            turn = index
            while due < end:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                read = reads[turn % len(reads)]
                pending.append(asyncio.create_task(one(clients[index], read, None, due)))
                turn += 1
                if session is not None:
                    await asyncio.sleep(max(0.0, due + interval / 2 - time.perf_counter()))
                    tick = one(clients[index], TICK, session, due + interval / 2)
                    pending.append(asyncio.create_task(tick))
                due += interval
            await asyncio.gather(*pending)

        await asyncio.gather(*(patient(i) for i in range(len(patients))))
        seconds = time.perf_counter() - started
    return {
        "latencies": latencies,
        "errors": errors,
        "unanswered": unanswered,
        "statuses": statuses,
        "seconds": seconds,
    }


JOBS = {"login": _login_job, "service": _service_job, "paced": _paced_job}


def load_generator_main() -> int:
    job = json.load(sys.stdin)
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    result = asyncio.run(JOBS[job["kind"]](job))
    result["cpu_seconds"] = _cpu_seconds() - cpu_before
    result["wall_seconds"] = time.perf_counter() - wall_before
    result["allowed_cores"] = sorted(os.sched_getaffinity(0))
    json.dump(result, sys.stdout)
    return 0


def run_load_generator(job: dict[str, Any]) -> tuple[dict[str, Any], Generator]:
    """Run ``job`` in a separate process; (its result, what it used)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.clinic_load"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    used = Generator(len(result["allowed_cores"]), result["cpu_seconds"], result["wall_seconds"])
    return result, used


if __name__ == "__main__":
    sys.exit(load_generator_main())
