"""Today's plan and starting a session from it (shared by the Today page and the API).

A patient with a clinician's program (clinic mode, ``services.clinic_programs``)
follows its newest version instead of ``program_id``, and the session stores
which version it was.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.coach.planner import PlanDecision
from backcoach.content import Catalog, Length
from backcoach.services.clinic_programs import AssignedProgram, program_for
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
    assigned = program_for(db, user_id=user_id, catalog=catalog)
    return _decide(db, user_id, catalog, length, pain_now, program_id, assigned)


def _decide(
    db: Session,
    user_id: int,
    catalog: Catalog,
    length: Length,
    pain_now: int | None,
    program_id: str,
    assigned: AssignedProgram | None,
) -> PlanDecision:
    return todays_plan(
        db,
        assigned.catalog if assigned else catalog,
        today=local_today(),
        program_id=assigned.program_id if assigned else program_id,
        length=length,
        pain_now=pain_now,
        user_id=user_id,
        tz=local_tz(),
        history_view=assigned.history if assigned else None,
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
    assigned = program_for(db, user_id=user_id, catalog=catalog)
    decision = _decide(db, user_id, catalog, length, pain_before, DEFAULT_PROGRAM, assigned)
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
        program_version_id=assigned.version_id if assigned else None,
    )
    return active
