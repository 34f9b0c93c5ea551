"""A session stored straight through the services, for tests that open it in a browser."""

from __future__ import annotations

from datetime import UTC, datetime

from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Length
from backcoach.services.sessions import start_session
from backcoach.store import local_user, make_engine, session_factory


def stored_session(settings: Settings, *steps: PlannedStep) -> int:
    """A new, not yet started session of ``steps`` for the local user; returns its id."""
    plan = SessionPlan(program_id="test", length=Length.SHORT, steps=steps)
    engine = make_engine(settings)
    try:
        with session_factory(engine)() as db:
            user = local_user(db)
            db.commit()
            return start_session(db, user_id=user.id, plan=plan, now=datetime.now(UTC)).id
    finally:
        engine.dispose()
