"""The rule for reps with a hold under the camera (``services.camera_hold``), case by case."""

from __future__ import annotations

import pytest

from backcoach.coach.engine import Activity, Status
from backcoach.services.camera_hold import (
    Action,
    Position,
    hold_action,
    pause_reason,
    position,
)
from backcoach.vision.analyzers import Feedback


def feedback(*, hold_s: float = 0.0, phase: str = "down", seen: bool = True) -> Feedback:
    return Feedback("glute-bridge", 1.0, hold_s=hold_s, phase=phase, pose_detected=seen)


@pytest.mark.parametrize(
    ("seen", "hold_s", "phase", "broken", "counted", "expected"),
    [
        (True, 1.2, "up", False, 0, Position.IN),
        (True, 1.2, "up", False, 2, Position.COUNTED),  # still up in the counted rep's hold
        (True, 0.0, "down", False, 0, Position.OUT),
        (True, 0.0, "rest", False, 0, Position.OUT),
        (True, 0.0, "up", True, 0, Position.OUT),  # the hold broke (hips sagging)
        (True, 0.0, "up", False, 0, Position.UNKNOWN),  # on the way up
        (True, 0.0, "unknown", False, 0, Position.UNKNOWN),
        (False, 0.0, "unknown", False, 0, Position.UNKNOWN),  # nobody in the picture
    ],
)
def test_position(
    seen: bool, hold_s: float, phase: str, broken: bool, counted: int, expected: Position
) -> None:
    fb = feedback(hold_s=hold_s, phase=phase, seen=seen)
    assert position(fb, hold_number=2, counted_hold=counted, hold_broken=broken) is expected
    assert position(None, hold_number=0, counted_hold=-1, hold_broken=False) is Position.UNKNOWN


RUNNING, PAUSED = Status.RUNNING, Status.PAUSED
MOVE, HOLD, REST = Activity.MOVE, Activity.HOLD, Activity.REST


@pytest.mark.parametrize(
    ("status", "activity", "where", "camera_paused", "let_be", "expected"),
    [
        (RUNNING, Activity.GET_READY, Position.IN, False, False, Action.START),
        (RUNNING, Activity.GET_READY, Position.OUT, False, False, Action.NONE),
        (RUNNING, MOVE, Position.IN, False, False, Action.START),
        (RUNNING, MOVE, Position.COUNTED, False, False, Action.NONE),
        (RUNNING, MOVE, Position.OUT, False, False, Action.NONE),
        (RUNNING, HOLD, Position.IN, False, False, Action.NONE),
        (RUNNING, HOLD, Position.OUT, False, False, Action.PAUSE),
        (RUNNING, HOLD, Position.COUNTED, False, False, Action.PAUSE),
        (RUNNING, HOLD, Position.UNKNOWN, False, False, Action.NONE),
        (RUNNING, HOLD, Position.OUT, False, True, Action.NONE),  # resumed by hand
        (RUNNING, REST, Position.OUT, False, False, Action.NONE),
        (PAUSED, HOLD, Position.IN, True, False, Action.RESUME),
        (PAUSED, HOLD, Position.IN, False, False, Action.NONE),  # paused by the person
        (PAUSED, HOLD, Position.COUNTED, True, False, Action.NONE),
        (Status.FINISHED, None, Position.IN, False, False, Action.NONE),
    ],
)
def test_hold_action(
    status: Status,
    activity: Activity | None,
    where: Position,
    camera_paused: bool,
    let_be: bool,
    expected: Action,
) -> None:
    got = hold_action(status, activity, where, camera_paused=camera_paused, let_be=let_be)
    assert got is expected


def test_pause_reasons_say_what_happened_and_how_long_is_left() -> None:
    assert pause_reason("glute-bridge", Position.OUT, held=True, remaining_s=1.6) == (
        "Hips came down with 2 s left: lift again to finish the hold."
    )
    assert pause_reason("glute-bridge", Position.OUT, held=False, remaining_s=4.0) == (
        "Lift your hips to start the hold: 4 s to go."
    )
    assert pause_reason("glute-bridge", Position.COUNTED, held=True, remaining_s=4.0) == (
        "That rep is counted. Lower your hips, then lift again for the next one."
    )
    # Never "0 s left": a hold paused in its last moments still has its last second to go.
    assert "with 1 s left" in pause_reason("curl-up", Position.OUT, held=True, remaining_s=0.01)
    generic = pause_reason("pike-to-arch", Position.OUT, held=True, remaining_s=2.0)
    assert (
        generic
        == "You came out of the position with 2 s left: get back into it to finish the hold."
    )
