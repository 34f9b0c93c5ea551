"""Safety screenings: store one, read the latest, tell when a new one is due, and
whether exercise is blocked.

The screening rules live in ``coach/safety.py``; this module keeps the record and
owns one more rule, in plain words: **a red flag in the latest screening stops
every path to exercise** (today's plan, a new session, the exercise pages' doses
and camera practice, the live coaching WebSockets, the moves of desk breaks,
``backcoach workout`` and ``show``) until a new screening is clear.
``exercise_block`` says so, and why, for all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from sqlalchemy.orm import Session

from backcoach.coach.safety import _ADVICE as CLINICIAN_ADVICE
from backcoach.coach.safety import (
    Outcome,
    ScreeningRecord,
    ScreeningResult,
    Severity,
    evaluate,
    rescreen_reason,
)
from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services import page_cache
from backcoach.store import ScreeningOutcome, add_screening, latest_screening
from backcoach.store.models import Screening

_CHANGED_QUESTIONS = N_(
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
            message=_(
                "Your last screening found a red flag: please see a doctor before exercising."
            )
            + " "
            + _(_CHANGED_QUESTIONS),
        )


class BlockReason(StrEnum):
    RED_FLAG = "red-flag"


@dataclass(frozen=True)
class Block:
    """Why exercise is blocked for now, worded for each surface.

    ``advice`` is the clinician advice of ``coach/safety.py`` for the red flag's
    severity (whom to see, how soon); the messages add how to lift the block,
    which differs between the browser and the terminal.
    """

    reason: BlockReason
    severity: Severity
    red_flags: tuple[str, ...]
    advice: str
    title: str = N_("Please do not start the exercises for now")

    @property
    def web_message(self) -> str:
        return _(
            "{advice} backcoach will not offer exercises until then. When a clinician has "
            "checked you and says exercise is fine, answer the safety screening again on the "
            "Today page."
        ).format(advice=_(self.advice))

    @property
    def cli_message(self) -> str:
        return _(
            "{advice} backcoach will not offer exercises until then. When a clinician has "
            "checked you and says exercise is fine, answer the screening again with "
            "`backcoach screening`."
        ).format(advice=_(self.advice))


def exercise_block(db: Session, *, user_id: int) -> Block | None:
    """Whether exercise is blocked for this user, and why; None when it is not.

    Blocked while the latest screening found a red flag (also one stored before
    the questions changed); a newer clear or caution screening lifts the block.
    A screening bumps the user's revision, so the answer is kept under it
    (``services.page_cache``): most pages and every desk tick ask.
    """
    return page_cache.cached(
        db, name="block", user_id=user_id, key=None, compute=lambda: _exercise_block(db, user_id)
    )


def _exercise_block(db: Session, user_id: int) -> Block | None:
    row = latest_screening(db, user_id=user_id)
    if row is None:
        return None
    result = _result_of(row)
    if result is None or result.outcome is not Outcome.RED_FLAG:
        return None
    severity = result.severity or Severity.URGENT
    return Block(
        reason=BlockReason.RED_FLAG,
        severity=severity,
        red_flags=result.red_flags,
        advice=CLINICIAN_ADVICE[severity],
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
        return _(_CHANGED_QUESTIONS)
    record = latest_screening_record(db, user_id=user_id, tz=tz)
    return rescreen_reason(record, today=today, pain_now=pain_now, earlier_pain=earlier_pain or [])
