"""Starting a session from today's plan (shared by the Today page and the API)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.coach.plan import plan_from_program
from backcoach.content import Catalog, Length
from backcoach.services.sessions import ActiveSession, start_session
from backcoach.web.player import SessionClock

DEFAULT_PROGRAM = "back-basics"


def create_session(
    db: Session,
    *,
    user_id: int,
    catalog: Catalog,
    clock: SessionClock,
    length: Length,
    pain_before: int | None,
) -> ActiveSession:
    # TEMPORARY: the program as written, until services/planning.todays_plan (D2) lands.
    plan = plan_from_program(catalog, DEFAULT_PROGRAM, length)
    return start_session(db, user_id=user_id, plan=plan, now=clock.wall(), pain_before=pain_before)
