"""Screenings, check-ins, questionnaires and planning through the store (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backcoach.coach.plan import SessionPlan, VariantLevel
from backcoach.coach.planner import PlanDecision, Refusal
from backcoach.coach.questionnaires import AnswerError, RiskGroup
from backcoach.coach.safety import QUESTION_IDS, Outcome
from backcoach.content import Length
from backcoach.errors import UsageError
from backcoach.services import checkins, planning, safety
from backcoach.services.sessions import plan_to_json
from backcoach.store import (
    CheckinPhase,
    QuestionnaireResponse,
    ScreeningOutcome,
    SessionStatus,
    StepStatus,
    add_screening,
    add_session,
    get_session,
    list_checkins,
    list_screenings,
    local_user,
    put_step_event,
    set_setting,
)
from tests.unit.progression_factories import catalog, exercise

TODAY = date(2026, 3, 2)
CATALOG = catalog(exercise("bridge"), exercise("superman"))


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def user_id(db: Session) -> int:
    uid = local_user(db).id
    db.commit()
    return uid


def answers(*yes: str) -> dict[str, bool]:
    result = dict.fromkeys(QUESTION_IDS, False)
    result.update(dict.fromkeys(yes, True))
    return result


def plan_today(db: Session, user_id: int, pain_now: int | None = None) -> PlanDecision:
    return planning.todays_plan(
        db,
        CATALOG,
        today=TODAY,
        program_id="test",
        length=Length.FULL,
        pain_now=pain_now,
        user_id=user_id,
    )


def done_session(
    db: Session,
    user_id: int,
    plan: SessionPlan,
    day: date,
    *,
    pain_before: int = 2,
    pain_after: int = 2,
    effort: int = 5,
) -> int:
    """A completed session of ``plan`` on ``day`` with every step recorded."""
    row = add_session(
        db,
        user_id=user_id,
        program_id=plan.program_id,
        length=str(plan.length),
        plan=plan_to_json(plan),
        started_at=at(day),
        pain_before=pain_before,
        status=SessionStatus.COMPLETED,
    )
    row.pain_after, row.effort, row.ended_at = pain_after, effort, at(day, 10)
    for index, step in enumerate(plan.steps):
        put_step_event(
            db,
            session_id=row.id,
            step_index=index,
            exercise_id=step.exercise_id,
            variant=str(step.variant),
            status=StepStatus.COMPLETED,
            reps=(step.reps or 0) * step.sets,
            at=at(day, 10),
        )
    db.commit()
    return row.id


def first_plan(db: Session, user_id: int) -> SessionPlan:
    safety.save_screening(db, user_id=user_id, answers=answers(), now=at(days_ago(5)))
    decision = plan_today(db, user_id)
    assert decision.plan is not None, decision.message
    return decision.plan


# --- screening -------------------------------------------------------------------------------


def test_no_screening_means_no_plan(db: Session, user_id: int) -> None:
    decision = plan_today(db, user_id)
    assert decision.refusal is Refusal.NO_SCREENING
    assert "backcoach screening" in decision.message


def test_a_red_flag_is_stored_and_blocks_until_a_clear_redo(db: Session, user_id: int) -> None:
    result = safety.save_screening(
        db, user_id=user_id, answers=answers("saddle-numbness"), now=at(days_ago(1))
    )
    assert result.outcome is Outcome.RED_FLAG
    (row,) = list_screenings(db, user_id=user_id)
    assert (row.outcome, row.red_flags) == (ScreeningOutcome.RED_FLAG, ["saddle-numbness"])
    assert row.answers["saddle-numbness"] is True

    refused = plan_today(db, user_id)
    assert refused.refusal is Refusal.RED_FLAG and refused.plan is None
    assert "emergency department" in refused.message

    safety.save_screening(db, user_id=user_id, answers=answers(), now=at(TODAY, 8))
    assert plan_today(db, user_id).plan is not None


def test_incomplete_answers_store_nothing(db: Session, user_id: int) -> None:
    partial = answers()
    del partial["bladder-bowel"]
    with pytest.raises(UsageError, match="bladder-bowel"):
        safety.save_screening(db, user_id=user_id, answers=partial, now=at(TODAY))
    db.rollback()
    assert list_screenings(db, user_id=user_id) == []


def test_rescreen_every_28_days_and_after_a_pain_jump(db: Session, user_id: int) -> None:
    safety.save_screening(db, user_id=user_id, answers=answers(), now=at(days_ago(28)))
    due = plan_today(db, user_id)
    assert due.refusal is Refusal.RESCREEN_DUE and "28 days" in due.message

    safety.save_screening(db, user_id=user_id, answers=answers(), now=at(days_ago(10)))
    plan = plan_today(db, user_id).require_plan()
    for n in (3, 2, 1):
        done_session(db, user_id, plan, days_ago(n), pain_before=2, pain_after=2)
    jumped = plan_today(db, user_id, pain_now=6)
    assert jumped.refusal is Refusal.RESCREEN_DUE and "6/10" in jumped.message
    assert plan_today(db, user_id, pain_now=4).plan is not None
    reason = safety.screening_needed(
        db, user_id=user_id, today=TODAY, pain_now=6, earlier_pain=[2, 2, 2]
    )
    assert reason is not None and "higher than usual" in reason


def test_a_screening_from_older_questions_must_be_answered_again(db: Session, user_id: int) -> None:
    old = {qid: False for qid in QUESTION_IDS if qid != "pregnancy"}
    add_screening(
        db,
        user_id=user_id,
        taken_at=at(days_ago(2)),
        answers=old,
        red_flags=[],
        outcome=ScreeningOutcome.CLEAR,
    )
    db.commit()
    decision = plan_today(db, user_id)
    assert decision.refusal is Refusal.NO_SCREENING
    assert "questions have changed" in decision.message
    # ... but a stored red flag is never forgotten
    add_screening(
        db,
        user_id=user_id,
        taken_at=at(days_ago(1)),
        answers={**old, "bladder-bowel": True},
        red_flags=["bladder-bowel"],
        outcome=ScreeningOutcome.RED_FLAG,
    )
    db.commit()
    assert plan_today(db, user_id).refusal is Refusal.RED_FLAG


# --- planning from stored history ---------------------------------------------------------------


def test_three_good_sessions_progress_and_a_pain_rise_holds(db: Session, user_id: int) -> None:
    plan = first_plan(db, user_id)
    assert [s.reps for s in plan.steps] == [8, 8]
    for n in (3, 2, 1):
        done_session(db, user_id, plan, days_ago(n))
    progressed = plan_today(db, user_id).require_plan()
    assert [s.reps for s in progressed.steps] == [9, 9]
    assert "more rep" in progressed.steps[0].notes[0]

    # a session today where pain went up by 1: no progression from it
    done_session(db, user_id, progressed, TODAY, pain_before=2, pain_after=3)
    held = plan_today(db, user_id).require_plan()
    assert [s.reps for s in held.steps] == [9, 9]
    assert "pain was higher" in held.steps[0].notes[0]
    # ... and by 2: one step down
    done_session(db, user_id, held, TODAY, pain_before=2, pain_after=4)
    eased = plan_today(db, user_id).require_plan()
    assert [s.reps for s in eased.steps] == [8, 8]
    assert "2 points higher" in eased.steps[0].notes[0]


def test_this_hurts_backs_the_exercise_off_next_time(db: Session, user_id: int) -> None:
    plan = first_plan(db, user_id)
    session_id = done_session(db, user_id, plan, days_ago(1), pain_before=2)
    hurt = checkins.record_this_hurts(
        db,
        user_id=user_id,
        session_id=session_id,
        exercise_id="superman",
        pain=3,
        now=at(days_ago(1), 9),
    )
    assert hurt.stop is False  # 3/10 and one point up: go gently, stop if it gets worse
    (during,) = list_checkins(db, user_id=user_id, phase=CheckinPhase.DURING)
    assert (during.exercise_id, during.pain, during.session_id) == ("superman", 3, session_id)

    bridge, superman = plan_today(db, user_id).require_plan().steps
    assert bridge.variant is VariantLevel.STANDARD
    assert superman.variant is VariantLevel.EASIER
    assert "hurt last time" in superman.notes[0]


def test_the_stored_pain_limit_is_used(db: Session, user_id: int) -> None:
    plan = first_plan(db, user_id)
    session_id = done_session(db, user_id, plan, days_ago(1), pain_before=4)
    add_during = checkins.record_this_hurts(
        db, user_id=user_id, session_id=session_id, exercise_id="bridge", pain=5, now=at(TODAY)
    )
    assert add_during.stop is True and add_during.limit == 5
    set_setting(db, user_id=user_id, key="pain_limit", value=8)
    db.commit()
    assert checkins.pain_limit(db, user_id=user_id) == 8
    history = planning.load_history(db, user_id=user_id)
    (record,) = [r for r in history[-1].exercises if r.exercise_id == "bridge"]
    assert (record.pain_during, record.hurt, record.completed) == (5, True, True)


def test_an_unfinished_session_is_read_as_not_completed(db: Session, user_id: int) -> None:
    plan = first_plan(db, user_id)
    row = add_session(
        db,
        user_id=user_id,
        program_id="test",
        length="full",
        plan=plan_to_json(plan),
        started_at=at(days_ago(1)),
        status=SessionStatus.QUIT,
    )
    put_step_event(
        db,
        session_id=row.id,
        step_index=0,
        exercise_id="bridge",
        variant="standard",
        status=StepStatus.SKIPPED,
        at=at(days_ago(1)),
    )
    db.commit()
    (record,) = planning.load_history(db, user_id=user_id)
    assert record.completed is False
    assert [(e.exercise_id, e.completed, e.reps) for e in record.exercises] == [
        ("bridge", False, 8)
    ]


# --- check-ins and questionnaires ---------------------------------------------------------------


def test_checkins_fill_the_session_and_are_validated(db: Session, user_id: int) -> None:
    plan = first_plan(db, user_id)
    session_id = done_session(db, user_id, plan, days_ago(1), pain_before=2)
    checkins.record_checkin(
        db,
        user_id=user_id,
        phase=CheckinPhase.AFTER,
        pain=1,
        effort=4,
        session_id=session_id,
        now=at(days_ago(1), 11),
    )
    row = get_session(db, session_id=session_id)
    assert row is not None and (row.pain_after, row.effort) == (1, 4)
    for bad in (
        {"phase": CheckinPhase.BEFORE, "pain": 11},
        {"phase": CheckinPhase.BEFORE, "pain": 2, "effort": 3},
        {"phase": CheckinPhase.AFTER, "pain": 2, "effort": -1},
        {"phase": CheckinPhase.DURING, "pain": 2},
        {"phase": CheckinPhase.BEFORE, "pain": 2, "session_id": 999},
    ):
        with pytest.raises(UsageError):
            checkins.record_checkin(db, user_id=user_id, now=at(TODAY), **bad)  # type: ignore[arg-type]
    assert len(list_checkins(db, user_id=user_id)) == 1


def test_questionnaires_are_stored_with_scores(db: Session, user_id: int) -> None:
    assert checkins.questionnaire_due(db, user_id=user_id, name="pain-function", today=TODAY)
    agree = {str(i): 1 for i in range(1, 9)}
    result = checkins.save_questionnaire(
        db, user_id=user_id, name="startback", answers={**agree, "9": 4}, now=at(TODAY)
    )
    assert result.risk_group is RiskGroup.HIGH
    checkins.save_questionnaire(
        db,
        user_id=user_id,
        name="pain-function",
        answers={
            "pain": 4,
            "interference-activity": 2,
            "interference-sleep": 3,
            "interference-mood": 4,
        },
        now=at(days_ago(3)),
    )
    assert not checkins.questionnaire_due(db, user_id=user_id, name="pain-function", today=TODAY)
    with pytest.raises(AnswerError):
        checkins.save_questionnaire(
            db, user_id=user_id, name="psfs", answers={"activity-1": "x"}, now=at(TODAY)
        )
    rows = db.scalars(select(QuestionnaireResponse).order_by(QuestionnaireResponse.name)).all()
    assert [(r.name, r.scores["total"]) for r in rows] == [
        ("pain-function", 3.2),
        ("startback", 9.0),
    ]
    assert rows[1].scores["risk_group"] == "high"
    assert rows[1].scores["subscales"] == {"psychosocial": 5.0}
    assert db.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 2
