"""Writing a session: the cost of one change, and how often the terminal writes.

Every change to a session is a compare-and-set write of its snapshot
(``services.sessions.change_session``). Measured on SQLite (a file in a
temporary folder) and, when PostgreSQL is installed, on a throw-away server:

* one change (a tick of a running back-basics full session) against one read
  of the session and against the engine alone (restore from the snapshot and
  apply the tick in memory): the ratios show what the database adds;
* the terminal's writes per minute of session: ``StoredSession`` stores time
  passing only when a countdown moves on and at least every second, instead
  of at each of its 600 screen refreshes a minute.

Figures are printed, never asserted.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.cli.workout import REFRESH_S, StoredSession
from backcoach.coach.engine import SessionEngine, Tick
from backcoach.coach.plan import SessionPlan, plan_from_program
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import EventType, send_event
from backcoach.services.sessions import load_session, start_session
from backcoach.store import WorkoutSession, local_user, make_engine, session_factory
from backcoach.store.migrate import upgrade_engine
from tests.integration.postgres import PostgresUnavailable, running_postgres

CHANGES = 300
SESSION_MINUTES = 1.0


@dataclass(frozen=True)
class FakeClock(SessionClock):
    """Engine time that moves only when told (``at[0]``), for the terminal's write count."""

    at: list[float] = field(default_factory=lambda: [0.0])

    def now(self) -> float:
        return self.at[0] * self.time_scale


def _per_call_ms(call: Callable[[], object], n: int = CHANGES) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n * 1000


def measure(url: str, data_dir: Path) -> dict[str, float]:
    engine = make_engine(Settings(data_dir=data_dir, database_url=url))
    upgrade_engine(engine)
    plan = plan_from_program(default_catalog(), "back-basics", Length.FULL)
    clock = SessionClock(1.0)
    try:
        with session_factory(engine)() as db:
            user_id = local_user(db).id
            db.commit()
            active = start_session(db, user_id=user_id, plan=plan, now=datetime.now(UTC))
            sid = active.id

            def tick() -> object:
                return send_event(
                    db, session_id=sid, user_id=user_id, kind=EventType.TICK, clock=clock
                )

            tick_start = send_event(
                db, session_id=sid, user_id=user_id, kind=EventType.START, clock=clock
            )
            change_ms = _per_call_ms(tick)
            read_ms = _per_call_ms(lambda: load_session(db, session_id=sid))
            snapshot = tick_start.active.engine.snapshot()

            def in_memory() -> object:
                return SessionEngine.restore(plan, snapshot).apply(Tick(clock.now()))

            memory_ms = _per_call_ms(in_memory)
            writes = terminal_writes_per_minute(db, user_id, plan)
        return {"change": change_ms, "read": read_ms, "memory": memory_ms, "writes": writes}
    finally:
        engine.dispose()


def terminal_writes_per_minute(db: Session, user_id: int, plan: SessionPlan) -> float:
    """Stored changes in a simulated minute of the terminal loop (one tick per refresh)."""
    fake = FakeClock(1.0)
    active = start_session(db, user_id=user_id, plan=plan, now=datetime.now(UTC))
    driver = StoredSession(db, active, user_id=user_id, clock=fake, real=lambda: fake.at[0])
    driver.send(EventType.START)
    refreshes = int(SESSION_MINUTES * 60 / REFRESH_S)
    for _ in range(refreshes):
        fake.at[0] += REFRESH_S
        driver.tick()
    version = db.scalars(select(WorkoutSession.version).where(WorkoutSession.id == active.id))
    return (version.one() - 2) / SESSION_MINUTES


@contextmanager
def databases() -> Iterator[list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as folder:
        found = [("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")]
        try:
            with running_postgres() as server:
                yield [*found, ("PostgreSQL", server.url(server.new_database()))]
        except PostgresUnavailable:
            yield found


def main() -> None:
    console = Console()
    table = Table(title=f"One change to a session ({CHANGES} in a row)")
    for column in ("database", "change ms", "read ms", "engine only ms", "change / engine"):
        table.add_column(column, justify="right")
    writes = Table(title=f"Terminal: stored changes per minute (of {60 / REFRESH_S:.0f} refreshes)")
    writes.add_column("database", justify="right")
    writes.add_column("writes / min", justify="right")
    with databases() as found, tempfile.TemporaryDirectory() as data:
        for name, url in found:
            m = measure(url, Path(data))
            table.add_row(
                name,
                f"{m['change']:.2f}",
                f"{m['read']:.2f}",
                f"{m['memory']:.3f}",
                f"{m['change'] / m['memory']:.0f}x",
            )
            writes.add_row(name, f"{m['writes']:.0f}")
    console.print(table)
    console.print(writes)


if __name__ == "__main__":
    main()
