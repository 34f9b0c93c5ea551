"""Reps with a hold under the camera: a rep counts only when its dosed hold time is reached.

The session engine times each rep's hold (a glute bridge: hips up for 4 s, then the
rep counts). With the camera on, that hold only runs while the camera sees the
position, and the camera never counts a rep itself:

* getting ready at the step's start (``Activity.GET_READY``) or moving into position
  (``Activity.MOVE``): the camera seeing a new hold moves the engine on at once
  (``START``, a ``RepDone``: from getting ready to the move, from the move to the hold);
* during the hold (``Activity.HOLD``): when the camera sees the person out of the
  position (came down early, not up yet when the engine's move time ran out, or still
  up in the hold of the rep just counted) the session is paused (``PAUSE``) with a
  plain reason and the seconds left; it resumes (``RESUME``) as soon as the camera
  sees a new hold. Coming down early counts nothing: the engine counts the rep when
  its hold time is used up;
* resuming by hand while the camera still sees the person out of position is left
  alone until the camera sees them in position again: the camera never fights the
  buttons;
* a camera that cannot tell (nobody in the picture, the analyzer's phase unknown)
  changes nothing, and the engine's own clock runs as it does without a camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from backcoach.coach.engine import Activity, Status
from backcoach.i18n import N_, _
from backcoach.vision.analyzers import Feedback

#: Analyzer phases that mean "at rest, out of the held position" (see each analyzer's phase).
REST_PHASES = frozenset({"down", "rest"})


class Position(Enum):
    """Where the camera sees the person, for the hold of a rep."""

    IN = "in"  # holding, in a hold the session has not counted yet
    COUNTED = "counted"  # still holding, but in the hold of the rep just counted
    OUT = "out"  # seen out of the position: resting, or the hold broke
    UNKNOWN = "unknown"  # the camera cannot tell


class Action(Enum):
    """What the camera does to the session's engine."""

    NONE = "none"
    START = "start"  # start the hold now (the engine's RepDone while moving into position)
    PAUSE = "pause"
    RESUME = "resume"


def position(
    feedback: Feedback | None, *, hold_number: int, counted_hold: int, hold_broken: bool
) -> Position:
    """Where the person is, from the analyzer's latest feedback.

    Args:
        feedback: the analyzer's latest feedback (None before the first frame).
        hold_number: which of the camera's holds this is (1 for the first one seen).
        counted_hold: the camera's hold that was going on when the session last counted a rep.
        hold_broken: the hold stopped without the analyzer finishing a rep (form broke).
    """
    if feedback is None or not feedback.pose_detected:
        return Position.UNKNOWN
    if feedback.hold_s > 0:
        return Position.COUNTED if hold_number == counted_hold else Position.IN
    if feedback.phase in REST_PHASES or hold_broken:
        return Position.OUT
    return Position.UNKNOWN


def hold_action(
    status: Status | None,
    activity: Activity | None,
    where: Position,
    *,
    camera_paused: bool,
    let_be: bool,
) -> Action:
    """The camera's action on a step of reps with a hold (the rule in the module docstring).

    Args:
        status: the session's status.
        activity: the engine's activity in the step.
        where: where the camera sees the person.
        camera_paused: the camera paused the session (and may resume it).
        let_be: someone resumed by hand while out of position: no pause until back in it.
    """
    if status is Status.PAUSED:
        return Action.RESUME if camera_paused and where is Position.IN else Action.NONE
    if status is not Status.RUNNING:
        return Action.NONE
    if activity in (Activity.GET_READY, Activity.MOVE) and where is Position.IN:
        return Action.START
    if activity is Activity.HOLD and where in (Position.OUT, Position.COUNTED) and not let_be:
        return Action.PAUSE
    return Action.NONE


@dataclass(frozen=True)
class HoldWords:
    """How to name leaving and taking up one exercise's held position (marked, translated
    where a message is made)."""

    came_down: str  # "Hips came down"
    again: str  # "lift again"
    start: str  # "Lift your hips"
    release: str  # "Lower your hips"


DEFAULT_WORDS = HoldWords(
    N_("You came out of the position"),
    N_("get back into it"),
    N_("Get into the position"),
    N_("Come out of it"),
)
HOLD_WORDS = {
    "glute-bridge": HoldWords(
        N_("Hips came down"), N_("lift again"), N_("Lift your hips"), N_("Lower your hips")
    ),
    "curl-up": HoldWords(
        N_("Head and shoulders came down"),
        N_("lift again"),
        N_("Lift your head and shoulders"),
        N_("Lower your head and shoulders"),
    ),
    "superman": HoldWords(
        N_("Arms, chest and legs came down"),
        N_("lift again"),
        N_("Lift your arms, chest and legs"),
        N_("Lower your arms, chest and legs"),
    ),
    "bird-dog": HoldWords(
        N_("Arm and leg came down"),
        N_("reach out again"),
        N_("Reach out with the arm and leg"),
        N_("Bring the arm and leg back"),
    ),
}


def pause_reason(exercise_id: str, where: Position, *, held: bool, remaining_s: float) -> str:
    """Why the camera paused the hold, in plain words, with the seconds left.

    Args:
        exercise_id: the step's exercise.
        where: where the camera sees the person (``OUT`` or ``COUNTED``).
        held: the camera saw this hold going on before (so the person came out of it).
        remaining_s: the hold's time left on the engine's clock.

    Example:
        >>> pause_reason("glute-bridge", Position.OUT, held=True, remaining_s=1.6)
        'Hips came down with 2 s left: lift again to finish the hold.'
    """
    words = HOLD_WORDS.get(exercise_id, DEFAULT_WORDS)
    if where is Position.COUNTED:
        return _("That rep is counted. {release}, then {again} for the next one.").format(
            release=_(words.release), again=_(words.again)
        )
    left = max(1, math.ceil(remaining_s - 1e-6))
    if held:
        return _("{came_down} with {left} s left: {again} to finish the hold.").format(
            came_down=_(words.came_down), left=left, again=_(words.again)
        )
    return _("{start} to start the hold: {left} s to go.").format(start=_(words.start), left=left)
