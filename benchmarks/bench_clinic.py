"""Clinic mode under load (issue 15): one clinician, 200 patients, PostgreSQL.

Data: a throw-away PostgreSQL (started as the tests start one) holds one
clinician and ``PATIENTS`` patients linked to them, each with ``WEEKS`` weeks of
realistic use and some of the dashboard's flags, written with bulk inserts
(``clinic_data.build_clinic``; what is in it is printed with the figures).

Every server is a real ``backcoach serve`` subprocess in clinic mode on
loopback; every client is a separate load generator process
(``benchmarks/clinic_load.py``: asyncio + httpx) that reports the cores it was
allowed and the CPU it used, as in ``bench_web``.

Measured in one run:

1. *Sign-ins*: every patient (and the clinician) signs in through ``POST
   /api/v1/auth/login``, ``LOGIN_CLIENTS`` at a time, on 1 and on 2 workers.
   Each sign-in checks an argon2 hash, which is made to cost CPU: the figure is
   sign-ins per second, with their p50 and p95.
2. *The clinician's views*: one client, one request at a time, signed in as the
   clinician, after a warm-up; each round requests ``GET
   /api/v1/clinic/patients``, ``GET /clinic`` and a static file in a shuffled
   order. Median and p95, and the ratio of each median to the static file's
   median in the same rounds (the floor of what any answer costs on this
   stack). The routes are measured as they are: whatever the patient list
   carries (adherence, pain trend, flags) is in its cost.
3. *200 patients at once* (paced, open loop), on 1 and on 2 workers: each
   patient with their own client and sign-in cookie reads one page or API
   answer every ``INTERVAL_S`` (in turn: ``PATIENT_READS``); one patient in
   ``TICKING_EVERY`` is in a session and, half an interval later, also sends a
   player tick to it (``POST /api/v1/sessions/{id}/events``; patients whose
   red-flag screening keeps them from exercise have no session and only read). After
   ``PACED_WARMUP_S`` at the same pace that are not recorded; a request without
   an answer counts as infinitely slow.

Targets are printed with the figures (measured/target, met), never asserted.
``--quick`` shortens the rounds and the paced phases (the data stays the same).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from backcoach.config import Settings
from backcoach.store import make_engine, upgrade_engine
from backcoach.web.security.signin import COOKIE
from benchmarks.bench_web import (
    Generator,
    ServeExited,
    latencies_with_unanswered,
    load_average,
    load_one_minute,
    percentile,
)
from benchmarks.bench_web import serving as web_serving
from benchmarks.clinic_data import PASSWORD, PATIENTS, WEEKS, Clinic, build_clinic
from benchmarks.clinic_load import TICK, run_load_generator

REPO = Path(__file__).resolve().parent.parent

STATIC = "/static/css/app.css"
PATIENT_LIST = "/api/v1/clinic/patients"
DASHBOARD = "/clinic"
CLINICIAN_ROUTES = (STATIC, PATIENT_LIST, DASHBOARD)
PATIENT_READS = ("/", "/api/v1/plan", "/history", "/exercises", "/questionnaires")

LOGIN_CLIENTS = 8
INTERVAL_S = 2.0
#: One patient in this many is in a session (ticking the player) while all of them read:
#: at a clinic's busiest, a quarter of its patients exercising at the same moment.
TICKING_EVERY = 4
PACED_TIMEOUT_S = 10.0
PACED_WARMUP_S = 4.0

DASHBOARD_RATIO_TARGET = 10.0
PACED_P95_TARGET_MS = 100.0


@dataclass(frozen=True)
class Phases:
    """How long each measurement runs; ``--quick`` shortens them, a test makes them tiny."""

    warmup_rounds: int
    rounds: int
    paced_seconds: float
    paced_warmup_s: float = PACED_WARMUP_S
    workers: tuple[int, ...] = (1, 2)

    @classmethod
    def full(cls) -> Phases:
        return cls(warmup_rounds=10, rounds=60, paced_seconds=20.0)

    @classmethod
    def quick(cls) -> Phases:
        return cls(warmup_rounds=4, rounds=20, paced_seconds=8.0)


# --------------------------------------------------------------------------- the server


def serving(data_dir: Path, database_url: str, workers: int) -> AbstractContextManager[str]:
    """``backcoach serve`` in clinic mode (a subprocess); its base URL once /login answers."""
    return web_serving(
        REPO, data_dir, database_url, workers, env={"BACKCOACH_MODE": "clinic"}, ready_path="/login"
    )


def open_sessions(url: str, tokens: dict[str, str], patients: Sequence[str]) -> dict[str, int]:
    """Each patient who may exercise starts a session (pain before 2): the one they tick."""
    sessions: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for email in patients:
            client.cookies.set(COOKIE, tokens[email])
            response = client.post("/api/v1/sessions", json={"pain_before": 2})
            if response.status_code >= 400:  # a red flag: no exercise until a clear screening
                continue
            sid = int(response.json()["session_id"])
            client.post(f"/api/v1/sessions/{sid}/events", json={"type": "start"}).raise_for_status()
            sessions[email] = sid
    return sessions


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Logins:
    workers: int
    signed_in: int
    errors: dict[str, int]
    seconds: float
    p50_ms: float
    p95_ms: float
    generator: Generator
    load: str

    @property
    def per_second(self) -> float:
        return self.signed_in / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Service:
    median_ms: dict[str, float]
    p95_ms: dict[str, float]
    statuses: dict[str, dict[str, int]]
    sizes: dict[str, int]
    generator: Generator
    load: str

    def ratio(self, route: str) -> float:
        return self.median_ms[route] / self.median_ms[STATIC]

    def errors(self, route: str) -> int:
        return sum(n for status, n in self.statuses[route].items() if int(status) >= 400)


@dataclass(frozen=True)
class Paced:
    workers: int
    patients: int
    ticking: int
    requests: int
    errors: int
    statuses: dict[str, int]
    p50_ms: float
    p95_ms: float
    max_ms: float
    tick_p95_ms: float
    worst: str
    seconds: float
    generator: Generator
    load: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Figures:
    clinic: Clinic
    seed_seconds: float
    logins: dict[int, Logins] = field(default_factory=dict)
    service: Service | None = None
    paced: dict[int, Paced | str] = field(default_factory=dict)


def measure_logins(url: str, emails: Sequence[str], workers: int) -> tuple[Logins, dict[str, str]]:
    result, used = run_load_generator(
        {
            "kind": "login",
            "url": url,
            "emails": list(emails),
            "password": PASSWORD,
            "clients": LOGIN_CLIENTS,
        }
    )
    latencies: list[float] = result["latencies"]
    logins = Logins(
        workers=workers,
        signed_in=len(result["tokens"]),
        errors=result["errors"],
        seconds=result["seconds"],
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        generator=used,
        load=load_one_minute(),
    )
    return logins, result["tokens"]


def measure_service(url: str, token: str, phases: Phases) -> Service:
    result, used = run_load_generator(
        {
            "kind": "service",
            "url": url,
            "token": token,
            "routes": list(CLINICIAN_ROUTES),
            "warmup_rounds": phases.warmup_rounds,
            "rounds": phases.rounds,
        }
    )
    times: dict[str, list[float]] = result["times"]
    return Service(
        median_ms={r: statistics.median(t) for r, t in times.items()},
        p95_ms={r: percentile(t, 95) for r, t in times.items()},
        statuses=result["statuses"],
        sizes=result["sizes"],
        generator=used,
        load=load_one_minute(),
    )


def measure_paced(
    url: str,
    tokens: dict[str, str],
    sessions: dict[str, int],
    patients: Sequence[str],
    workers: int,
    phases: Phases,
) -> Paced:
    result, used = run_load_generator(
        {
            "kind": "paced",
            "url": url,
            "patients": [{"token": tokens[e], "session": sessions.get(e)} for e in patients],
            "reads": list(PATIENT_READS),
            "interval": INTERVAL_S,
            "warmup_seconds": phases.paced_warmup_s,
            "seconds": phases.paced_seconds,
            "timeout": PACED_TIMEOUT_S,
        }
    )
    per_kind = latencies_with_unanswered(result)
    every = [x for values in per_kind.values() for x in values]
    worst = max(per_kind, key=lambda k: percentile(per_kind[k], 95) if per_kind[k] else 0.0)
    return Paced(
        workers=workers,
        patients=len(patients),
        ticking=sum(e in sessions for e in patients),
        requests=len(every),
        errors=sum(result["errors"].values()),
        statuses=result["statuses"],
        p50_ms=percentile(every, 50),
        p95_ms=percentile(every, 95),
        max_ms=max(every) if every else math.nan,
        tick_p95_ms=percentile(per_kind[TICK], 95) if per_kind[TICK] else math.nan,
        worst=f"{worst} {_ms(percentile(per_kind[worst], 95))}",
        seconds=result["seconds"],
        generator=used,
        load=load_one_minute(),
    )


def measure_clinic(
    console: Console,
    data_dir: Path,
    database_url: str,
    phases: Phases,
    *,
    patients: int = PATIENTS,
    weeks: int = WEEKS,
) -> Figures:
    """Write the clinic's data into the empty database at ``database_url``, then measure."""
    began = time.perf_counter()

    def say(what: str) -> None:
        console.print(
            f"[{time.perf_counter() - began:4.0f} s] {what} (load {load_average()}) …",
            highlight=False,
        )

    say(f"writing {patients} patients' {weeks} weeks")
    engine = make_engine(Settings(data_dir=data_dir, database_url=database_url))
    try:
        upgrade_engine(engine)
        started = time.perf_counter()
        clinic = build_clinic(engine, patients=patients, weeks=weeks)
        figures = Figures(clinic, time.perf_counter() - started)
    finally:
        engine.dispose()
    everyone = [clinic.clinician, *clinic.patients]
    sessions: dict[str, int] = {}
    for workers in phases.workers:
        try:
            with serving(data_dir, database_url, workers) as url:
                say(f"{workers} worker(s): {len(everyone)} sign-ins")
                figures.logins[workers], tokens = measure_logins(url, everyone, workers)
                if not sessions:
                    sessions = open_sessions(url, tokens, clinic.patients)
                if figures.service is None:
                    say(f"{workers} worker(s): the clinician's views, one at a time")
                    figures.service = measure_service(url, tokens[clinic.clinician], phases)
                say(f"{workers} worker(s): {patients} patients at once")
                ticking = {
                    email: number
                    for index, (email, number) in enumerate(sorted(sessions.items()))
                    if index % TICKING_EVERY == 0
                }
                figures.paced[workers] = measure_paced(
                    url, tokens, ticking, clinic.patients, workers, phases
                )
        except ServeExited as refused:
            figures.paced[workers] = f"n/a: {refused.reason}"
    say("done")
    return figures


# --------------------------------------------------------------------------- report


def _ms(value: float) -> str:
    return "no answer" if math.isinf(value) else f"{value:.1f}"


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def _route_label(route: str) -> str:
    return f"GET {route}"


def service_table(figures: Figures, phases: Phases) -> Table:
    s = figures.service
    table = Table(
        title=f"The clinician's views: 1 client, 1 worker, {phases.rounds} shuffled rounds after "
        f"{phases.warmup_rounds} warm-up (ms; ratio = median / median of GET {STATIC})"
    )
    for column in ("route", "median", "p95", "ratio", "answers", "bytes"):
        table.add_column(column, justify="left" if column == "route" else "right")
    if s is None:
        return table
    for route in CLINICIAN_ROUTES:
        answers = ", ".join(f"{n}x {status}" for status, n in sorted(s.statuses[route].items()))
        table.add_row(
            _route_label(route),
            f"{s.median_ms[route]:.2f}",
            f"{s.p95_ms[route]:.2f}",
            f"{s.ratio(route):.2f}",
            answers,
            f"{s.sizes[route]:,}",
        )
    table.caption = f"1-minute load average when the rounds ended: {s.load}"
    return table


def _by_answer(statuses: dict[str, int]) -> list[tuple[str, int]]:
    """``"{route} {status or error}"`` counts summed per status or error, most first."""
    totals: dict[str, int] = {}
    for key, n in statuses.items():
        answer = key.rsplit(" ", 1)[-1]
        totals[answer] = totals.get(answer, 0) + n
    return sorted(totals.items(), key=lambda item: -item[1])


def load_table(figures: Figures) -> Table:
    table = Table(title="Sign-ins and patients at once (the load generator is a separate process)")
    for column in (
        "run",
        "workers",
        "requests",
        "errors",
        "per s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "tick p95 ms",
        "slowest (p95)",
        "gen. cores",
        "load 1m",
    ):
        table.add_column(column, justify="left" if column == "run" else "right")
    for workers, logins in sorted(figures.logins.items()):
        errors = sum(logins.errors.values())
        detail = ", ".join(f"{n}x {what}" for what, n in logins.errors.items())
        table.add_row(
            f"sign-ins, {LOGIN_CLIENTS} at a time",
            str(workers),
            str(logins.signed_in + errors),
            f"{errors}" + (f" ({detail})" if detail else ""),
            f"{logins.per_second:.1f}",
            f"{logins.p50_ms:.0f}",
            f"{logins.p95_ms:.0f}",
            "",
            "",
            "",
            str(logins.generator),
            logins.load,
        )
    for workers, paced in sorted(figures.paced.items()):
        if isinstance(paced, str):
            table.add_row(f"patients at once: {paced}", str(workers))
            continue
        detail = ", ".join(f"{n}x {what}" for what, n in _by_answer(paced.statuses))
        table.add_row(
            f"{paced.patients} patients paced ({paced.ticking} ticking)",
            str(workers),
            str(paced.requests),
            f"{paced.errors}" + (f" ({detail})" if detail else ""),
            f"{paced.per_second:.0f}",
            _ms(paced.p50_ms),
            _ms(paced.p95_ms),
            _ms(paced.max_ms),
            _ms(paced.tick_p95_ms),
            paced.worst,
            str(paced.generator),
            paced.load,
        )
    return table


def targets_table(figures: Figures) -> Table:
    table = Table(title="Clinic targets (issue 15), measured in this run; printed, never asserted")
    for column in ("target", "measured", "measured/target", "met"):
        table.add_column(column, justify="left" if column == "target" else "right")
    s = figures.service
    if s is not None:
        for route in (PATIENT_LIST, DASHBOARD):
            ratio = s.ratio(route)
            errors = s.errors(route)
            table.add_row(
                f"{_route_label(route)} service time <= {DASHBOARD_RATIO_TARGET:.0f}x static",
                f"{ratio:.2f}x ({s.median_ms[route]:.1f} ms)"
                + (f", {errors} errors" if errors else ""),
                f"{ratio / DASHBOARD_RATIO_TARGET:.2f}",
                _met(ratio <= DASHBOARD_RATIO_TARGET and not errors),
            )
    for workers, paced in sorted(figures.paced.items()):
        if isinstance(paced, str):
            continue
        table.add_row(
            f"{paced.patients} patients at once, {workers} worker(s): p95 <= "
            f"{PACED_P95_TARGET_MS:.0f} ms, 0 errors",
            f"{_ms(paced.p95_ms)} ms, {paced.errors} errors",
            f"{paced.p95_ms / PACED_P95_TARGET_MS:.2f}",
            _met(paced.p95_ms <= PACED_P95_TARGET_MS and paced.errors == 0),
        )
    for workers, logins in sorted(figures.logins.items()):
        table.add_row(
            f"sign-ins per second, {workers} worker(s) (argon2; no target)",
            f"{logins.per_second:.1f}/s",
            "",
            "",
        )
    return table


def report(console: Console, figures: Figures, phases: Phases) -> None:
    clinic = figures.clinic
    console.print(
        "data: "
        + ", ".join(f"{n:,} {what}" for what, n in clinic.counts.items())
        + f" (written in {figures.seed_seconds:.1f} s); flags: "
        + ", ".join(f"{what} {n}" for what, n in clinic.flags.items())
    )
    console.print(service_table(figures, phases))
    console.print(load_table(figures))
    console.print(targets_table(figures))
    console.print(
        f"Paced: each patient reads one of {', '.join(PATIENT_READS)} in turn every "
        f"{INTERVAL_S:.0f} s; one in {TICKING_EVERY} also ticks an open session half an interval "
        "later; "
        f"{phases.paced_seconds:.0f} s recorded after {phases.paced_warmup_s:.0f} s at the same "
        f"pace; errors include time-outs after {PACED_TIMEOUT_S:.0f} s. 'gen. cores' is the "
        "load generator's CPU time / wall time; 'load 1m' the machine's 1-minute load average "
        f"when the row ended. Load average at the end: {load_average()}."
    )


def run(phases: Phases) -> None:
    console = Console(width=150)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    console.print(
        f"code under test: {REPO} ({commit[:100] or 'no git'}); machine: {os.cpu_count()} "
        f"cores, load average (1/5/15 min) at the start: {load_average()}"
    )
    try:
        from tests.integration.postgres import PostgresUnavailable, running_postgres
    except ImportError as exc:  # benchmarks run from the source tree, next to tests/
        console.print(f"clinic benchmark skipped: {exc}")
        return
    try:
        with running_postgres() as server:
            database_url = server.url(server.new_database())
            folder = Path(tempfile.mkdtemp(prefix="backcoach-bench-clinic-"))
            try:
                figures = measure_clinic(console, folder, database_url, phases)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    except PostgresUnavailable as exc:
        console.print(f"clinic benchmark skipped: PostgreSQL is not available ({exc})")
        return
    report(console, figures, phases)


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``python -m benchmarks``; ``--quick`` also comes from BENCH_QUICK."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_clinic")
    parser.add_argument("--quick", action="store_true", help="short rounds and paced phases")
    options = parser.parse_args(argv or [])
    quick = options.quick or os.environ.get("BENCH_QUICK") == "1"
    run(Phases.quick() if quick else Phases.full())


if __name__ == "__main__":
    main(sys.argv[1:])
