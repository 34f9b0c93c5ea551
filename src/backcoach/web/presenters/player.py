"""What the session player shows: the state of one moment of a session, and its notices.

Built from the session service's ``ActiveSession``; the player page draws it
and the JSON API answers it (``GET /api/v1/sessions/{id}``, ``state`` in event
answers).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backcoach.coach.cues import cues_for
from backcoach.coach.engine import Notice
from backcoach.coach.outcome import done_text, title
from backcoach.coach.plan import PlannedStep
from backcoach.coach.pose import choose_pose
from backcoach.content import Catalog
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import count_text
from backcoach.services.sessions import ActiveSession


class StepView(BaseModel):
    index: int
    exercise_id: str
    name: str
    kind: str
    sets: int
    reps: int | None
    hold_s: float | None
    duration_s: float | None
    per_side: bool
    rest_s: float
    variant: str
    notes: list[str]


class PoseView(BaseModel):
    """The keyframe the figure shows now (see ``coach/pose.py``)."""

    keyframe: int  # index into the exercise's keyframes
    name: str  # the caption: the keyframe's name, sides swapped when mirrored
    mirrored: bool  # drawn left-right mirrored, for the other side
    moving: bool  # on its way to ``keyframe``, or round ``cycle`` when it is not empty
    cycle: list[int]


class NoticeView(BaseModel):
    """One thing that happened, with the words to show and speak (``coach/cues.py``).

    ``kind`` is the engine's notice kind, or ``setup`` / ``key_cue`` for the set-up
    line and the key cue that follow a ``step_started``; ``say`` is None when there
    is nothing to say (the words of the moment are in a neighbouring notice).
    """

    kind: str
    step_index: int
    say: str | None


class PlayerState(BaseModel):
    """Everything the player page needs to draw the current moment of a session."""

    session_id: int
    status: str
    ended_by: str | None
    step_index: int
    steps_total: int
    steps_done: int
    step: StepView | None
    set_number: int
    side: str | None
    phase: str
    activity: str | None
    remaining_s: float | None
    activity_total_s: float | None
    reps_done: int
    reps_target: int | None
    count_text: str | None
    time_scale: float
    active_s: float
    pose: PoseView | None  # None once finished
    end_title: str | None = None  # once finished: "Session complete. Well done!", ...
    end_text: str | None = None  # once finished: "You did 3 of 14 steps."


def planned_step_fields(step: PlannedStep, index: int) -> dict[str, Any]:
    """A planned step's fields as the player and the plan API show them."""
    return {
        "index": index,
        "exercise_id": step.exercise_id,
        "name": step.name,
        "kind": step.kind.value,
        "sets": step.sets,
        "reps": step.reps,
        "hold_s": step.hold_s,
        "duration_s": step.duration_s,
        "per_side": step.per_side,
        "rest_s": step.rest_s,
        "variant": step.variant.value,
        "notes": list(step.notes),
    }


def step_view(active: ActiveSession, index: int) -> StepView | None:
    if not 0 <= index < len(active.plan.steps):
        return None
    return StepView(**planned_step_fields(active.plan.steps[index], index))


def pose_view(active: ActiveSession, catalog: Catalog) -> PoseView | None:
    step = active.engine.step
    if step is None or step.exercise_id not in catalog.exercises:
        return None
    pose = choose_pose(active.engine.state, catalog.exercise(step.exercise_id))
    if pose is None:
        return None
    return PoseView(
        keyframe=pose.keyframe,
        name=pose.name,
        mirrored=pose.mirrored,
        moving=pose.moving,
        cycle=list(pose.cycle),
    )


def player_state(active: ActiveSession, clock: SessionClock, catalog: Catalog) -> PlayerState:
    state = active.engine.state
    step = active.engine.step
    return PlayerState(
        session_id=active.id,
        status=state.status.value,
        ended_by=state.ended_by.value if state.ended_by else None,
        step_index=state.step_index,
        steps_total=state.steps_total,
        steps_done=len(state.records),
        step=step_view(active, state.step_index),
        set_number=state.set_index + 1,
        side=state.side.value if state.side else None,
        phase=state.phase.value,
        activity=state.activity.value if state.activity else None,
        remaining_s=state.remaining_s,
        activity_total_s=state.activity_total_s,
        reps_done=state.reps_done,
        reps_target=state.reps_target,
        count_text=count_text(state, step.kind) if step is not None else None,
        time_scale=clock.time_scale,
        active_s=state.active_s,
        pose=pose_view(active, catalog),
        end_title=title(state.ended_by) if state.finished else None,
        end_text=done_text(len(state.completed), state.steps_total) if state.finished else None,
    )


def notice_views(
    notices: list[Notice], active: ActiveSession, catalog: Catalog
) -> list[NoticeView]:
    """The notices with the voice's script: at a step start its name and dose, set-up and cue."""
    views: list[NoticeView] = []
    for notice in notices:
        cues = cues_for(notice, active.plan, catalog.exercises)
        if not cues:
            views.append(NoticeView(kind=notice.kind.value, step_index=notice.step_index, say=None))
        views += [NoticeView(kind=c.kind, step_index=c.step_index, say=c.text) for c in cues]
    return views
