"""The plan's session days as an iCalendar file (``.ics``) for any calendar app.

One event per planned session day (``services.reminders.session_weekdays``:
every day for the shipped program, the weekdays of a clinician's program) from
today on, for ``weeks`` weeks:

- it starts at the session reminder's time, or ``DEFAULT_TIME`` (18:00) when no
  reminder is set, on the local clock (written in UTC, each day with its own
  offset, so a change to or from summer time keeps it at the same local time);
- it lasts today's plan's estimated minutes (rounded up to 5, at least
  ``MIN_MINUTES``), or ``DEFAULT_MINUTES`` without a plan;
- its description lists today's plan's exercises (the plan adapts each day, so
  later days may differ); without a plan today (safety questions due) it says
  why and lists the program's exercises;
- its UID is the same for the same user and day in every export, so importing
  a newer file updates the events instead of doubling them;
- with a session reminder set it carries an alarm at its start.

While a red flag blocks exercise the calendar has no events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from math import ceil

from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from backcoach.content import Catalog
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services.clinic_programs import program_for
from backcoach.services.preferences import load_preferences
from backcoach.services.reminders import session_weekdays
from backcoach.services.safety import exercise_block
from backcoach.services.session_start import DEFAULT_PROGRAM, plan_for_today

DEFAULT_WEEKS = 4
MAX_WEEKS = 26
DEFAULT_TIME = time(18, 0)
DEFAULT_MINUTES = 20
MIN_MINUTES = 10
FILENAME = "backcoach-plan.ics"


def check_weeks(weeks: int) -> int:
    """``weeks`` when it is 1 to ``MAX_WEEKS``.

    Raises:
        UsageError: out of range.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise UsageError(_("Weeks must be a whole number from 1 to {most}.").format(most=MAX_WEEKS))
    return weeks


def event_uid(user_id: int, day: date) -> str:
    """The stable UID of the user's session event on ``day``."""
    return f"session-{user_id}-{day:%Y%m%d}@backcoach"


def _session_text(db: Session, *, user_id: int, catalog: Catalog) -> tuple[str, str, int]:
    """(summary, description, minutes) of a planned session, from today's plan."""
    prefs = load_preferences(db, user_id=user_id)
    decision = plan_for_today(db, user_id=user_id, catalog=catalog, length=prefs.session_length)
    assigned = program_for(db, user_id=user_id, catalog=catalog)
    content = assigned.catalog if assigned is not None else catalog
    plan = decision.plan
    if plan is not None:
        program_id = plan.program_id
        names = [step.name for step in plan.steps]
        minutes = max(MIN_MINUTES, ceil(plan.estimated_minutes() / 5) * 5)
        lines = [_("Exercises (as planned today; the plan adapts to how your sessions go):")]
    else:
        program_id = assigned.program_id if assigned is not None else DEFAULT_PROGRAM
        steps = content.programs[program_id].lengths.get(prefs.session_length, [])
        names = [
            content.exercises[s.exercise].name for s in steps if s.exercise in content.exercises
        ]
        minutes = DEFAULT_MINUTES
        lines = [decision.message, "", _("Exercises of the program:")]
    lines += [f"- {name}" for name in names]
    program = content.programs.get(program_id)
    summary = _("Back session: {program}").format(
        program=program.name if program is not None else program_id
    )
    return summary, "\n".join(lines), minutes


def plan_calendar(
    db: Session, *, user_id: int, catalog: Catalog, now: datetime, weeks: int = DEFAULT_WEEKS
) -> bytes:
    """The user's session days from today (local) for ``weeks`` weeks, as iCalendar bytes.

    ``catalog``: the content in the language in use. Reads only.

    Raises:
        UsageError: ``weeks`` not 1 to ``MAX_WEEKS``.
    """
    check_weeks(weeks)
    cal = Calendar()
    cal.add("prodid", "-//backcoach//session plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("backcoach sessions"))
    if exercise_block(db, user_id=user_id) is not None:
        return bytes(cal.to_ical())
    reminder = load_preferences(db, user_id=user_id).session_reminder
    at = reminder if reminder is not None else DEFAULT_TIME
    summary, description, minutes = _session_text(db, user_id=user_id, catalog=catalog)
    weekdays = session_weekdays(db, user_id=user_id, catalog=catalog)
    today = now.astimezone().date()
    stamp = now.astimezone(UTC)
    for offset in range(weeks * 7):
        day = today + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        start = datetime.combine(day, at).astimezone().astimezone(UTC)
        event = Event()
        event.add("uid", event_uid(user_id, day))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "OPAQUE")
        if reminder is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", timedelta(0))
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())
