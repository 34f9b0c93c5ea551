"""Safety screenings: store one, read the latest, and tell when a new one is due.

The rules live in ``coach/safety.py``; this module only keeps the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy.orm import Session

from backcoach.coach.safety import (
    Outcome,
    ScreeningRecord,
    ScreeningResult,
    Severity,
    evaluate,
    rescreen_reason,
)
from backcoach.errors import UsageError
from backcoach.store import ScreeningOutcome, add_screening, latest_screening
from backcoach.store.models import Screening

_CHANGED_QUESTIONS = (
    "The screening questions have changed since you last answered them; please answer them again."
)


def save_screening(
    db: Session, *, user_id: int, answers: Mapping[str, bool], now: datetime
) -> ScreeningResult:
    """Evaluate a complete set of answers and store them with the outcome. Commits.

    Raises:
        UsageError: an answer is missing or a question id is unknown (nothing is stored).
    """
    result = evaluate(answers)
    add_screening(
        db,
        user_id=user_id,
        taken_at=now,
        answers=dict(answers),
        red_flags=list(result.red_flags),
        outcome=ScreeningOutcome(result.outcome.value),
    )
    db.commit()
    return result


def _result_of(row: Screening) -> ScreeningResult | None:
    """The stored screening's result; None when the questions changed since (ask again)."""
    try:
        return evaluate({k: bool(v) for k, v in row.answers.items()})
    except UsageError:
        if row.outcome is not ScreeningOutcome.RED_FLAG:
            return None
        # Never lose a stored red flag, even if the questions changed since.
        return ScreeningResult(
            outcome=Outcome.RED_FLAG,
            red_flags=tuple(row.red_flags),
            cautions=(),
            severity=Severity.URGENT,
            message="Your last screening found a red flag: please see a doctor before "
            "exercising. " + _CHANGED_QUESTIONS,
        )


def latest_screening_record(
    db: Session, *, user_id: int, tz: tzinfo = UTC
) -> ScreeningRecord | None:
    """The latest screening as the planner reads it (``None``: none yet, or must redo)."""
    row = latest_screening(db, user_id=user_id)
    if row is None:
        return None
    result = _result_of(row)
    if result is None:
        return None
    return ScreeningRecord(taken_on=row.taken_at.astimezone(tz).date(), result=result)


def screening_needed(
    db: Session,
    *,
    user_id: int,
    today: date,
    pain_now: int | None = None,
    earlier_pain: list[int] | None = None,
    tz: tzinfo = UTC,
) -> str | None:
    """Why a new screening is needed today (none yet, 28 days passed, pain jumped), or None.

    A red flag is not "needed again": it is returned by ``latest_screening_record``
    and the planner refuses with its message.
    """
    row = latest_screening(db, user_id=user_id)
    if row is not None and _result_of(row) is None:
        return _CHANGED_QUESTIONS
    record = latest_screening_record(db, user_id=user_id, tz=tz)
    return rescreen_reason(record, today=today, pain_now=pain_now, earlier_pain=earlier_pain or [])
