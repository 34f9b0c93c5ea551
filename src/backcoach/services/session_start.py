"""Today's plan and starting a session from it (shared by the Today page and the API)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.coach.planner import PlanDecision
from backcoach.content import Catalog, Length
from backcoach.services.clock import SessionClock, local_today, local_tz
from backcoach.services.planning import todays_plan
from backcoach.services.sessions import ActiveSession, start_session
from backcoach.store import PainLocation

DEFAULT_PROGRAM = "back-basics"


def plan_for_today(
    db: Session,
    *,
    user_id: int,
    catalog: Catalog,
    length: Length,
    pain_now: int | None = None,
    program_id: str = DEFAULT_PROGRAM,
) -> PlanDecision:
    """The planner's decision for today: a plan with cautions, or a refusal with its message."""
    return todays_plan(
        db,
        catalog,
        today=local_today(),
        program_id=program_id,
        length=length,
        pain_now=pain_now,
        user_id=user_id,
        tz=local_tz(),
    )


def create_session(
    db: Session,
    *,
    user_id: int,
    catalog: Catalog,
    clock: SessionClock,
    length: Length,
    pain_before: int | None,
    location: PainLocation = PainLocation.LOW_BACK,
) -> ActiveSession:
    """A new session from today's plan, with the pain check-in before it.

    Raises:
        PlanRefused: no plan today (no or outdated screening, a red flag, a pain jump).
    """
    decision = plan_for_today(
        db, user_id=user_id, catalog=catalog, length=length, pain_now=pain_before
    )
    plan = decision.require_plan()
    # the session and its before check-in in one transaction
    active = start_session(
        db,
        user_id=user_id,
        plan=plan,
        now=clock.wall(),
        pain_before=pain_before,
        location=location,
        checkin=True,
    )
    return active
