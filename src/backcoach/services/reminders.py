"""The daily session reminder: whether it is due now, what it says, and that it was shown.

The rule, in plain words. A session reminder is due for a user at ``now`` when

- the ``session_reminder`` preference holds a local time, and the local time
  now is that time or later (the same day);
- today is one of the plan's session days (``session_weekdays``: every day for
  the shipped program; a clinician's program asks for ``sessions_per_week``,
  spread over fixed weekdays, see ``WEEKDAYS``);
- no session was completed today (complete as History counts it: run to its
  end with at least half its steps done);
- it was not shown yet today (``mark_session_reminded`` stores the local day
  in the setting ``session_reminded_on``: at most one reminder a day);
- it is not quiet hours, and exercise is not blocked by a red flag.

A surface that shows reminders (``backcoach companion``, the desk page) asks
``due_session_reminder`` now and then and, once it has shown one, calls
``mark_session_reminded``::

    reminder = due_session_reminder(db, user_id=user.id, now=datetime.now(UTC))
    if reminder is not None:
        notify(reminder.title, reminder.body)
        mark_session_reminded(db, user_id=user.id, now=datetime.now(UTC))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import ceil

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backcoach.coach.outcome import counts_as_complete
from backcoach.content import Catalog, default_catalog
from backcoach.i18n import _, current_language, ngettext
from backcoach.services.clinic_programs import program_for
from backcoach.services.desk import local_day
from backcoach.services.preferences import load_preferences
from backcoach.services.safety import exercise_block
from backcoach.services.session_start import plan_for_today
from backcoach.store import (
    SessionStatus,
    StepEvent,
    StepStatus,
    WorkoutSession,
    get_setting,
    set_setting,
)

#: The setting that holds the local day (ISO date) the reminder was last shown.
REMINDED_ON = "session_reminded_on"
#: The weekdays (Monday 0) of a program asking for so many sessions a week.
WEEKDAYS: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}


@dataclass(frozen=True)
class SessionReminder:
    """A due reminder, worded in the language in use.

    ``url`` is the page to open (Today); ``minutes`` today's plan's estimate
    (None when there is no plan today, e.g. the safety questions are due).
    """

    day: date
    at: time
    title: str
    body: str
    minutes: int | None
    url: str = "/"


def session_weekdays(db: Session, *, user_id: int, catalog: Catalog) -> tuple[int, ...]:
    """The weekdays (Monday 0) the user's program plans a session on."""
    assigned = program_for(db, user_id=user_id, catalog=catalog)
    per_week = assigned.sessions_per_week if assigned is not None else 7
    return WEEKDAYS.get(per_week, WEEKDAYS[7])


def session_done_on(db: Session, *, user_id: int, day: date) -> bool:
    """Whether a session started on the local ``day`` was completed (History's rule)."""
    start = datetime.combine(day, time()).astimezone().astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time()).astimezone().astimezone(UTC)
    rows = db.execute(
        select(WorkoutSession.id, WorkoutSession.plan).where(
            WorkoutSession.user_id == user_id,
            WorkoutSession.status == SessionStatus.COMPLETED,
            WorkoutSession.started_at >= start,
            WorkoutSession.started_at < end,
        )
    ).all()
    if not rows:
        return False
    completed = func.sum(case((StepEvent.status == StepStatus.COMPLETED, 1), else_=0))
    done: dict[int, int] = {
        sid: int(n or 0)
        for sid, n in db.execute(
            select(StepEvent.session_id, completed)
            .where(StepEvent.session_id.in_([row.id for row in rows]))
            .group_by(StepEvent.session_id)
        )
    }
    return any(
        counts_as_complete(done.get(row.id, 0), len((row.plan or {}).get("steps", ())))
        for row in rows
    )


def due_session_reminder(
    db: Session, *, user_id: int, now: datetime, catalog: Catalog | None = None
) -> SessionReminder | None:
    """The session reminder due at ``now`` (aware), or None (the rule: module docstring).

    ``catalog``: the content in the language in use (default: the shipped content).
    Reads only; nothing is written.
    """
    prefs = load_preferences(db, user_id=user_id)
    at = prefs.session_reminder
    local = now.astimezone()
    today = local.date()
    if at is None or local.time() < at or prefs.quiet_at(local.time()):
        return None
    if get_setting(db, user_id=user_id, key=REMINDED_ON) == today.isoformat():
        return None
    content = catalog if catalog is not None else default_catalog(current_language())
    if today.weekday() not in session_weekdays(db, user_id=user_id, catalog=content):
        return None
    if exercise_block(db, user_id=user_id) is not None:
        return None
    if session_done_on(db, user_id=user_id, day=today):
        return None
    plan = plan_for_today(db, user_id=user_id, catalog=content, length=prefs.session_length).plan
    minutes: int | None = None
    if plan is None:
        body = _("Open backcoach to start today's session.")
    else:
        minutes = max(1, ceil(plan.estimated_minutes()))
        body = ngettext(
            "Today's session: {count} exercise, about {minutes} min.",
            "Today's session: {count} exercises, about {minutes} min.",
            len(plan.steps),
        ).format(count=len(plan.steps), minutes=minutes)
    return SessionReminder(
        day=today, at=at, title=_("Time for your back session"), body=body, minutes=minutes
    )


def mark_session_reminded(db: Session, *, user_id: int, now: datetime) -> None:
    """Store that the reminder was shown on the local day of ``now``; commits."""
    set_setting(db, user_id=user_id, key=REMINDED_ON, value=local_day(now).isoformat())
    db.commit()
