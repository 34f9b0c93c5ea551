"""Store benchmark: ten years of daily use on SQLite and on a throw-away PostgreSQL.

Generates about 3,650 sessions (one a day) with 28 steps each (about 100,000
step events), two check-ins per session, a questionnaire every two weeks, a
screening every four weeks and two habit logs a day, with bulk inserts. Then
times (median of several runs, each in a fresh ORM session):

- building the history view (``services.history.history_summary``), and
- building today's plan from the history (``services.planning.todays_plan``),

and reports the database size per year of use. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from backcoach.coach.engine import RepDone, SessionEngine, Start, Tick
from backcoach.coach.plan import SessionPlan, plan_from_program
from backcoach.coach.safety import QUESTION_IDS
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.history import history_summary
from backcoach.services.planning import todays_plan
from backcoach.services.sessions import plan_to_json
from backcoach.store import (
    CheckIn,
    HabitLog,
    QuestionnaireResponse,
    Screening,
    StepEvent,
    WorkoutSession,
    local_user,
    make_engine,
    session_factory,
    set_setting,
    upgrade_engine,
)
from backcoach.store.db import bulk_insert, bulk_insert_returning_ids

YEARS = 10
DAYS = 365 * YEARS
REPEATS = 7
TODAY = date(2026, 11, 25)
PROGRAM = "back-basics"


def ten_year_plan() -> SessionPlan:
    """28 steps: the full and the short back-basics sessions back to back."""
    catalog = default_catalog()
    full = plan_from_program(catalog, PROGRAM, Length.FULL)
    short = plan_from_program(catalog, PROGRAM, Length.SHORT)
    return SessionPlan(program_id=PROGRAM, length=Length.FULL, steps=full.steps + short.steps)


def finished_snapshot(plan: SessionPlan) -> dict[str, Any]:
    """A real engine snapshot of a completed session (what the store keeps per session)."""
    engine = SessionEngine(plan)
    t = 0.0
    engine.apply(Start(t))
    while not engine.state.finished:
        t += 30.0
        engine.apply(Tick(t))
        engine.apply(RepDone(t))
    return engine.snapshot()


def generate(engine: Engine, seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database with ten years of daily use; returns row counts."""
    rng = random.Random(seed)
    plan = ten_year_plan()
    plan_json = plan_to_json(plan)
    snapshot = finished_snapshot(plan)
    steps = plan.steps
    first_day = TODAY - timedelta(days=DAYS)
    with session_factory(engine)() as db:
        user = local_user(db, now=datetime.combine(first_day, datetime.min.time(), UTC))
        uid = user.id
        sessions: list[dict[str, Any]] = []
        for d in range(DAYS):
            started = datetime(first_day.year, first_day.month, first_day.day, 7, 30, tzinfo=UTC)
            started += timedelta(days=d, minutes=rng.randint(0, 600))
            roll = rng.random()
            status = "completed" if roll < 0.9 else ("quit" if roll < 0.97 else "abandoned")
            before = rng.randint(0, 4)
            sessions.append(
                {
                    "user_id": uid,
                    "program_id": PROGRAM,
                    "length": "full",
                    "plan": plan_json,
                    "snapshot": snapshot,
                    "status": status,
                    "started_at": started,
                    "ended_at": started + timedelta(minutes=25),
                    "pain_before": before,
                    "pain_after": max(0, min(10, before + rng.choice((-1, 0, 0, 1)))),
                    "effort": rng.randint(2, 7),
                }
            )
        ids = bulk_insert_returning_ids(db, WorkoutSession, sessions)

        events: list[dict[str, Any]] = []
        checkins: list[dict[str, Any]] = []
        for sid, row in zip(ids, sessions, strict=True):
            done = len(steps) if row["status"] == "completed" else rng.randint(1, len(steps) - 1)
            at = row["started_at"]
            for index, step in enumerate(steps[:done]):
                at += timedelta(seconds=50)
                events.append(
                    {
                        "session_id": sid,
                        "step_index": index,
                        "exercise_id": step.exercise_id,
                        "variant": str(step.variant),
                        "status": "completed" if rng.random() < 0.97 else "skipped",
                        "reps": step.reps,
                        "hold_s": step.hold_s,
                        "duration_s": 40.0 + rng.random() * 20,
                        "source": "camera" if rng.random() < 0.3 else "manual",
                        "pain": None,
                        "at": at,
                    }
                )
            for phase, pain, moment in (
                ("before", row["pain_before"], row["started_at"]),
                ("after", row["pain_after"], row["ended_at"]),
            ):
                checkins.append(
                    {
                        "user_id": uid,
                        "session_id": sid,
                        "at": moment,
                        "phase": phase,
                        "pain": pain,
                        "location": "low-back",
                        "effort": row["effort"] if phase == "after" else None,
                        "exercise_id": None,
                    }
                )
        bulk_insert(db, StepEvent, events)
        bulk_insert(db, CheckIn, checkins)

        moments = [
            datetime.combine(first_day + timedelta(days=d), datetime.min.time(), UTC)
            + timedelta(hours=19)
            for d in range(DAYS)
        ]
        clear = dict.fromkeys(QUESTION_IDS, False)
        screenings = [
            {"user_id": uid, "taken_at": m, "answers": clear, "red_flags": [], "outcome": "clear"}
            for m in moments[-1::-28]
        ]
        questionnaires = [
            {
                "user_id": uid,
                "name": "pain-function",
                "taken_at": m,
                "answers": {f"q{i}": rng.randint(0, 10) for i in range(1, 6)},
                "scores": {"pain": rng.randint(0, 5), "function": rng.randint(5, 10)},
            }
            for m in moments[::14]
        ]
        habits = [
            {
                "user_id": uid,
                "day": m.date(),
                "at": m,
                "kind": kind,
                "amount": amount,
                "source": "timer",
            }
            for m in moments
            for kind, amount in (("walk", float(rng.randint(5, 40))), ("break", 6.0))
        ]
        bulk_insert(db, Screening, screenings)
        bulk_insert(db, QuestionnaireResponse, questionnaires)
        bulk_insert(db, HabitLog, habits)
        set_setting(db, user_id=uid, key="pain_limit", value=5)
        db.commit()
    return {
        "sessions": len(sessions),
        "step events": len(events),
        "check-ins": len(checkins),
        "questionnaires": len(questionnaires),
        "screenings": len(screenings),
        "habit logs": len(habits),
    }


@dataclass(frozen=True)
class Timing:
    median_ms: float
    best_ms: float

    def __str__(self) -> str:
        return f"{self.median_ms:.1f} (best {self.best_ms:.1f})"


def timed(engine: Engine, work: Callable[[Session], object]) -> tuple[Timing, object]:
    """Wall time of ``work`` over ``REPEATS`` fresh ORM sessions (after one warm-up).

    The best run shows the code's own cost on a busy machine; the median what a
    user would see on this one.
    """
    factory = session_factory(engine)
    with factory() as db:
        result = work(db)
    times = []
    for _ in range(REPEATS):
        with factory() as db:
            started = time.perf_counter()
            work(db)
            times.append((time.perf_counter() - started) * 1000)
    return Timing(statistics.median(times), min(times)), result


@dataclass
class Figures:
    database: str
    generate_s: float
    history: Timing
    plan: Timing
    plan_result: str
    size_mb_per_year: float
    counts: dict[str, int]


def run(engine: Engine, name: str, size: Callable[[], int]) -> Figures:
    upgrade_engine(engine)
    empty = size()
    started = time.perf_counter()
    counts = generate(engine)
    generate_s = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    catalog = default_catalog()
    history, _ = timed(engine, lambda db: history_summary(db, today=TODAY))
    plan, decision = timed(
        engine,
        lambda db: todays_plan(
            db, catalog, today=TODAY, program_id=PROGRAM, length=Length.SHORT, pain_now=2
        ),
    )
    made = getattr(decision, "plan", None)
    plan_result = (
        f"plan, {len(made.steps)} steps"
        if made is not None
        else f"refused: {getattr(decision, 'refusal', '?')}"
    )
    per_year = (size() - empty) / YEARS / 1e6
    return Figures(name, generate_s, history, plan, plan_result, per_year, counts)


def sqlite_figures(folder: Path) -> Figures:
    path = folder / "bench.db"
    engine = make_engine(Settings(data_dir=folder, database_url=f"sqlite:///{path}"))

    def size() -> int:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size if path.exists() else 0

    try:
        return run(engine, "SQLite (file, WAL)", size)
    finally:
        engine.dispose()


def postgres_figures() -> Figures | str:
    try:
        from tests.integration.postgres import PostgresUnavailable, running_postgres
    except ImportError as exc:  # benchmarks run from the source tree, next to tests/
        return f"PostgreSQL: skipped ({exc})"
    try:
        with running_postgres() as server:
            url = server.url(server.new_database())
            engine = make_engine(Settings(database_url=url))

            def size() -> int:
                with engine.connect() as connection:
                    return int(
                        connection.execute(
                            text("SELECT pg_database_size(current_database())")
                        ).scalar_one()
                    )

            try:
                return run(engine, "PostgreSQL (temporary server)", size)
            finally:
                engine.dispose()
    except PostgresUnavailable as exc:
        return f"PostgreSQL: skipped ({exc})"


def main() -> None:
    console = Console()
    results: list[Figures] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(sqlite_figures(Path(folder)))
    pg = postgres_figures()
    if isinstance(pg, str):
        notes.append(pg)
    else:
        results.append(pg)

    counts = results[0].counts
    console.print(
        f"{YEARS} years of daily use: " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
    )
    table = Table(title="Store: history view and today's plan (median and best of 7 runs)")
    table.add_column("database")
    table.add_column("generate (s)", justify="right")
    table.add_column("history view (ms)", justify="right")
    table.add_column("today's plan (ms)", justify="right")
    table.add_column("planner result")
    table.add_column("size per year (MB)", justify="right")
    for f in results:
        table.add_row(
            f.database,
            f"{f.generate_s:.1f}",
            str(f.history),
            str(f.plan),
            f.plan_result,
            f"{f.size_mb_per_year:.2f}",
        )
    console.print(table)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.print(
        f"machine load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs"
    )
    for note in notes:
        console.print(note)


if __name__ == "__main__":
    main()
