"""Check-ins (pain before, during and after sessions) and questionnaire responses.

Pain and effort are whole numbers from 0 to 10. A check-in *during* a session
is the "this hurts" button: it names the exercise, and the planner backs that
exercise off next time. Questionnaires are validated and scored by
``coach/questionnaires.py`` and stored with their scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from backcoach.coach.progression import should_stop_exercise
from backcoach.coach.questionnaires import QuestionnaireScore, get, is_due, score
from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services.preferences import load_preferences
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    PainLocation,
    add_checkin,
    add_questionnaire_response,
    get_session,
    latest_questionnaire_response,
    list_checkins,
)


def _check_scale(message: str, value: int | None) -> None:
    """``message``: the marked (``N_``) refusal, translated when ``value`` is out of range."""
    if value is not None and (isinstance(value, bool) or not 0 <= value <= 10):
        raise UsageError(_(message).format(value=value))


def pain_limit(db: Session, *, user_id: int) -> int:
    """The user's pain limit (see ``services.preferences``)."""
    return load_preferences(db, user_id=user_id).pain_limit


def record_checkin(
    db: Session,
    *,
    user_id: int,
    phase: CheckinPhase,
    pain: int,
    now: datetime,
    location: PainLocation = PainLocation.LOW_BACK,
    effort: int | None = None,
    session_id: int | None = None,
    exercise_id: str | None = None,
) -> CheckIn:
    """Store one check-in (flushes; the caller commits, see ``save_checkin``).

    With a ``session_id``, a *before* check-in also sets the session's pain
    before, an *after* check-in its pain after and effort.

    Raises:
        UsageError: pain or effort outside 0-10, effort on a before check-in, an
            unknown session, or a during check-in without an exercise.
    """
    _check_scale(N_("Pain must be a whole number from 0 to 10, got {value}"), pain)
    _check_scale(N_("Effort must be a whole number from 0 to 10, got {value}"), effort)
    if effort is not None and phase is not CheckinPhase.AFTER:
        raise UsageError(_("Effort is asked after a session only."))
    if phase is CheckinPhase.DURING and exercise_id is None:
        raise UsageError(_("A check-in during a session needs the exercise it is about."))
    row = None
    if session_id is not None:
        row = get_session(db, session_id=session_id, user_id=user_id)
        if row is None:
            raise UsageError(_("There is no session {id}.").format(id=session_id))
    checkin = add_checkin(
        db,
        user_id=user_id,
        at=now,
        phase=phase,
        pain=pain,
        location=location,
        session_id=session_id,
        effort=effort,
        exercise_id=exercise_id,
    )
    if row is not None and phase is CheckinPhase.BEFORE:
        row.pain_before = pain
    elif row is not None and phase is CheckinPhase.AFTER:
        row.pain_after = pain
        if effort is not None:
            row.effort = effort
    db.flush()
    return checkin


@dataclass(frozen=True)
class HurtResult:
    """What the UI shows after "this hurts".

    ``stop``: suggest stopping this exercise now (``progression.STOP_MESSAGE``);
    otherwise suggest a smaller, gentler range and stopping if it gets worse.
    Never suggest pushing through pain.
    """

    stop: bool
    pain: int
    limit: int


def record_this_hurts(
    db: Session,
    *,
    user_id: int,
    session_id: int,
    exercise_id: str,
    pain: int,
    now: datetime,
    location: PainLocation = PainLocation.LOW_BACK,
) -> HurtResult:
    """Store "this hurts" on an exercise (a during check-in) and say whether to stop it.

    The planner moves that exercise to its easier variant next time either way.
    Flushes; the caller (a session change) commits.
    """
    row = get_session(db, session_id=session_id, user_id=user_id)
    if row is None:
        raise UsageError(_("There is no session {id}.").format(id=session_id))
    limit = pain_limit(db, user_id=user_id)
    record_checkin(
        db,
        user_id=user_id,
        phase=CheckinPhase.DURING,
        pain=pain,
        now=now,
        location=location,
        session_id=session_id,
        exercise_id=exercise_id,
    )
    stop = should_stop_exercise(row.pain_before, pain, limit)
    return HurtResult(stop=stop, pain=pain, limit=limit)


def earlier_pain_before(db: Session, *, user_id: int, before: datetime) -> list[int]:
    """Pain-before values of check-ins earlier than ``before``, oldest first."""
    return [
        c.pain
        for c in list_checkins(db, user_id=user_id, phase=CheckinPhase.BEFORE)
        if c.at < before
    ]


def _scores_json(result: QuestionnaireScore) -> dict[str, Any]:
    return {
        "total": result.total,
        "subscales": dict(result.subscales),
        "risk_group": None if result.risk_group is None else str(result.risk_group),
        "summary": result.summary,
    }


def save_questionnaire(
    db: Session,
    *,
    user_id: int,
    name: str,
    answers: Mapping[str, int | str | None],
    now: datetime,
) -> QuestionnaireScore:
    """Validate, score and store a questionnaire response. Commits.

    Raises:
        AnswerError: unknown questionnaire or invalid answers (nothing is stored).
    """
    given = {k: v for k, v in answers.items() if v is not None}
    result = score(name, given)
    add_questionnaire_response(
        db,
        user_id=user_id,
        name=get(name).id,
        taken_at=now,
        answers=dict(given),
        scores=_scores_json(result),
    )
    db.commit()
    return result


def questionnaire_due(
    db: Session, *, user_id: int, name: str, today: date, tz: tzinfo = UTC
) -> bool:
    """True when a scheduled questionnaire (the pain and function check) is due."""
    questionnaire = get(name)
    row = latest_questionnaire_response(db, user_id=user_id, name=questionnaire.id)
    last = None if row is None else row.taken_at.astimezone(tz).date()
    return is_due(questionnaire, last, today=today)
