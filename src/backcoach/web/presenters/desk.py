"""What the desk page and ``/api/v1/desk`` show, built from the desk runtime's status."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backcoach.content import Catalog
from backcoach.i18n import N_, _
from backcoach.services.desk_runtime import WALK, DeskStatus, PostureStatus

#: The move of a rest break (and of every break while exercise is blocked): a msgid.
WALK_NAME = N_("Stand up and walk")


class DueView(BaseModel):
    kind: Literal["micro", "rest"]
    move: str = Field(
        description="Exercise id of the suggested move; 'walk' for a rest break, and for "
        "every break while exercise is blocked"
    )
    name: str
    length_s: float


class TodayView(BaseModel):
    day: str
    breaks_taken: int
    breaks_snoozed: int
    breaks_skipped: int
    sitting_min: float
    walking_min: float
    posture_alerts: int
    bad_posture_min: float


class DeskView(BaseModel):
    """What the desk page shows: the due break or the countdown, and today's counters."""

    due: DueView | None
    next_kind: Literal["micro", "rest"]
    next_in_s: float = Field(description="Active (scaled) seconds until the next break")
    away: bool
    can_skip: bool
    skips_left: int
    reminders: bool = Field(description="Reminders on, and not in the quiet hours")
    time_scale: float
    today: TodayView
    blocked: str | None = Field(
        default=None,
        description="Why breaks suggest no exercise now (a red flag in the safety screening)",
    )


class PostureView(BaseModel):
    """What the posture monitor made of the landmarks the page sent."""

    state: Literal["upright", "slouched", "forward-head", "absent"]
    calibrating: bool
    alert: bool = Field(description="True when sustained bad posture raised an alert now")
    suggestion: str | None = Field(
        description="Exercise id of a move to do after an alert; 'walk' while exercise is blocked"
    )
    suggestion_name: str | None
    frames: int


def move_name(move: str, catalog: Catalog) -> str:
    """The move's name in the language in use (``catalog`` is in it too)."""
    exercise = None if move == WALK else catalog.exercises.get(move)
    return exercise.name if exercise is not None else _(WALK_NAME)


def desk_view(status: DeskStatus, catalog: Catalog, *, time_scale: float) -> DeskView:
    due = status.due
    due_view = None
    if due is not None:
        name = move_name(due.move, catalog)
        due_view = DueView(kind=due.kind.value, move=due.move, name=name, length_s=due.length_s)
    day = status.day
    return DeskView(
        due=due_view,
        next_kind=status.next_kind.value,
        next_in_s=round(status.next_in_s, 3),
        away=status.away,
        can_skip=status.can_skip,
        skips_left=status.skips_left,
        reminders=status.reminders,
        time_scale=time_scale,
        today=TodayView(
            day=day.day.isoformat(),
            breaks_taken=day.breaks_taken,
            breaks_snoozed=day.breaks_snoozed,
            breaks_skipped=day.breaks_skipped,
            sitting_min=round(day.sitting_min + status.unsaved_sitting_s / 60, 2),
            walking_min=round(day.walking_min, 2),
            posture_alerts=day.posture_alerts,
            bad_posture_min=round(day.bad_posture_min, 2),
        ),
        blocked=status.block.web_message if status.block is not None else None,
    )


def posture_view(status: PostureStatus, catalog: Catalog) -> PostureView:
    suggestion = status.suggestion
    return PostureView(
        state=status.state.value,
        calibrating=status.calibrating,
        alert=status.alert is not None,
        suggestion=suggestion,
        suggestion_name=move_name(suggestion, catalog) if suggestion else None,
        frames=status.frames,
    )
