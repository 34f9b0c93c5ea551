"""The camera's form notes on a step: kept with the step's record when the camera completes
it, grouped one per kind of fault, and carried through export and import.

The clinician's patient page shows them beside the camera-counted reps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.coach.engine import RepDone
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Kind, Length
from backcoach.services.clock import SessionClock
from backcoach.services.export import dump_json, export_tables, import_document, parse_export
from backcoach.services.live_coach import LiveCoach, SessionCoach
from backcoach.services.sessions import SessionChange, change_session
from backcoach.store import StepEvent, StepSource, WorkoutSession, local_user
from backcoach.vision.analyzers.base import UNFINISHED, AnalysisResult, Fault, Feedback
from backcoach.vision.landmarks import LandmarkFrame
from tests.integration.test_session_writers import started

PLAN = SessionPlan(
    "form-notes",
    Length.SHORT,
    (
        PlannedStep("push-up", "Push-up", Kind.REPS, sets=1, reps=2),
        PlannedStep("squat", "Squat", Kind.REPS, sets=1, reps=2),
    ),
)
NOTES = [{"code": "hips-sag", "message": "Keep your hips in line.", "count": 2}]


def two_reps(tx: SessionChange) -> None:
    for _ in range(2):
        tx.apply(RepDone(SessionClock(1.0).now()))


def camera_counts_two_reps(db: Session, session_id: int, user_id: int) -> None:
    """Two reps the camera counted, its notes for step 0 (the step it watched) going along."""
    change_session(
        db,
        session_id=session_id,
        user_id=user_id,
        now=datetime.now(UTC),
        change=two_reps,
        source=StepSource.CAMERA,
        form_notes=(0, NOTES),
    )


def stored_faults(db: Session, session_id: int) -> dict[int, object]:
    db.expire_all()
    rows = db.scalars(select(StepEvent).where(StepEvent.session_id == session_id)).all()
    return {row.step_index: row.faults for row in rows}


def test_notes_go_with_the_step_the_camera_completes_and_no_other(db: Session) -> None:
    session_id, user_id = started(db, PLAN)
    for step in (0, 1):  # the first change completes step 0, the second step 1
        camera_counts_two_reps(db, session_id, user_id)
        assert step in stored_faults(db, session_id)
    assert stored_faults(db, session_id) == {0: NOTES, 1: None}


class _Faulty:
    """An analyzer whose result holds the faults a live step saw (and the recording-end one)."""

    exercise_id = "push-up"

    def update(self, frame: LandmarkFrame) -> Feedback:
        return Feedback(exercise="push-up", t_s=frame.t_s)

    def result(self) -> AnalysisResult:
        faults = (
            Fault("hips-sag", 1.0, "Keep your hips in line."),
            Fault("not-low-enough", 2.0, "Go a little lower."),
            Fault("hips-sag", 5.0, "Keep your hips in line."),
            Fault(UNFINISHED, 6.0, "The recording ends during a repetition."),
        )
        return AnalysisResult("push-up", 10, 30.0, 6.0, 1.0, 2, faults=faults)


def test_a_live_step_groups_its_faults_by_kind_and_leaves_out_the_recording_end() -> None:
    coach = SessionCoach(session_id=1, user_id=1, factory=None, clock=lambda: 0.0)  # type: ignore[arg-type]
    coach.coach = LiveCoach("push-up", _Faulty())
    assert coach.form_notes() == [
        {"code": "hips-sag", "message": "Keep your hips in line.", "count": 2},
        {"code": "not-low-enough", "message": "Go a little lower.", "count": 1},
    ]
    coach.coach = LiveCoach("relaxation", None)  # no analyzer: nothing to note
    assert coach.form_notes() == []


def test_notes_survive_export_and_import_and_old_exports_still_import(db: Session) -> None:
    session_id, user_id = started(db, PLAN)
    camera_counts_two_reps(db, session_id, user_id)
    text = dump_json(export_tables(db, user_id=user_id))
    exported = json.loads(text)
    assert [step["faults"] for step in exported["tables"]["step_events"]] == [NOTES]
    older = json.loads(text)
    for step in older["tables"]["step_events"]:
        del step["faults"]  # a file from before form notes were kept
    assert parse_export(json.dumps(older), source="old.json").tables.step_events[0].faults is None
    other = local_user(db, name="someone-else").id
    import_document(db, user_id=other, document=parse_export(text, source="export.json"))
    db.commit()
    copied = db.scalars(
        select(StepEvent.faults)
        .join(WorkoutSession, WorkoutSession.id == StepEvent.session_id)
        .where(WorkoutSession.user_id == other)
    ).all()
    assert copied == [NOTES]
