"""The two writers of ``test_session_writers.py``, each run in its own OS process (spawn).

``camera`` counts reps the way the camera WebSocket does (``SessionCoach``);
``page`` sends ticks the way the player page does (``send_event``), then
finishes the session. After every write each one reads the session afresh in a
second connection and restores its snapshot through the engine: it must
always validate. Each reports what it did on ``results``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from backcoach.config import Settings
from backcoach.services.clock import SessionClock
from backcoach.services.live_coach import SessionCoach
from backcoach.services.session_events import EventType, finish, send_event
from backcoach.services.sessions import load_session
from backcoach.store import make_engine, session_factory
from backcoach.vision.analyzers import Feedback

CLOCK = SessionClock(1.0)


@dataclass(frozen=True)
class Report:
    who: str
    writes: int  # changes this process made
    reps: int  # camera: reps the engine counted from this process
    checks: int  # stored snapshots restored through the engine
    error: str | None = None


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=url)


def camera(
    url: str,
    data_dir: Path,
    session_id: int,
    user_id: int,
    seconds: float,
    start: Barrier,
    results: Queue[Report],
) -> None:
    """Send a counted rep as fast as the database takes them, until the session ends."""
    engine = make_engine(_settings(url, data_dir))
    factory = session_factory(engine)
    coach = SessionCoach(session_id, user_id, factory, CLOCK.now)
    checks = writes = 0
    try:
        coach.sync()
        start.wait()
        deadline = time.monotonic() + 2 * seconds  # the page finishes long before
        t = 0.0
        while not coach.finished and time.monotonic() < deadline:
            t += 0.05
            exercise = coach.coach.exercise_id if coach.coach is not None else ""
            rep = Feedback(exercise=exercise, t_s=t, reps=1, rep_done=True)
            coach.update_session(None, rep)
            writes += 1
            with factory() as db:
                load_session(db, session_id=session_id)  # restores (validates) the snapshot
            checks += 1
        results.put(Report("camera", writes, coach.applied.count("RepDone"), checks))
    except Exception as exc:  # reported to the test, which fails with it
        results.put(Report("camera", writes, coach.applied.count("RepDone"), checks, repr(exc)))
    finally:
        engine.dispose()


def page(
    url: str,
    data_dir: Path,
    session_id: int,
    user_id: int,
    seconds: float,
    start: Barrier,
    results: Queue[Report],
) -> None:
    """Send ticks (the player's heartbeat, but as fast as possible), then finish the session."""
    engine = make_engine(_settings(url, data_dir))
    factory = session_factory(engine)
    checks = writes = 0
    try:
        start.wait()
        deadline = time.monotonic() + seconds
        with factory() as db:
            while time.monotonic() < deadline:
                send_event(
                    db, session_id=session_id, user_id=user_id, kind=EventType.TICK, clock=CLOCK
                )
                writes += 1
                with factory() as other:
                    load_session(other, session_id=session_id)
                checks += 1
            finish(db, session_id=session_id, user_id=user_id, clock=CLOCK, pain_after=2, effort=4)
            writes += 1
        results.put(Report("page", writes, 0, checks))
    except Exception as exc:
        results.put(Report("page", writes, 0, checks, repr(exc)))
    finally:
        engine.dispose()
