"""The camera drives a glute-bridge step's holds: a rep counts only at the dosed hold time.

Synthetic landmark frames (``tests.support.synthetic``) go through the real
``SessionCoach`` into a session stored in a real SQLite file. The session's
clock is the frames' own time, and the player's heartbeat (a ``Tick`` every
second, as the page sends) is played alongside, so every moment is exact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backcoach.coach.engine import Resume
from backcoach.config import Settings
from backcoach.store import make_engine, session_factory, upgrade_engine
from backcoach.vision.landmarks import LandmarkFrame
from tests.support.camera_run import Run, bridge_poses
from tests.support.synthetic import Render, generate, repetitions, still

CAME_DOWN = re.compile(r"^Hips came down with (\d+) s left: lift again to finish the hold\.$")


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    upgrade_engine(engine)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def test_coming_down_early_pauses_the_hold_and_counts_nothing(
    factory: sessionmaker[Session],
) -> None:
    lying, lifted = bridge_poses()
    # Lift at 2 s (hold seen from about 2.5 s), down from 5 s, up again from 7.5 s for 3 s.
    script = (
        still(lying, 1.0)
        + repetitions(lying, lifted, 1, hold_s=2.0, rest_s=1.5)
        + repetitions(lying, lifted, 1, hold_s=3.0, rest_s=2.0)
    )
    frames = generate(script, Render()).frames
    run = Run.start(factory, reps=3, hold_s=5.0)

    run.play(frames, until=2.4)  # moving into position: the engine waits, nothing counted
    assert (run.state().activity, run.state().reps_done) == ("move", 0)

    run.play(frames, until=3.5)  # hips up: the camera starts the engine's hold at once
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("running", "hold", 0)
    assert run.coach.applied == ["RepDone"]

    run.play(frames, until=6.5)  # came (half-way) down after about 3 s of the 5 s hold
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("paused", "hold", 0)
    assert state.remaining_s is not None and 1.0 < state.remaining_s < 2.5
    reply = run.replies[-1]
    match = CAME_DOWN.match(reply["cue"] or "")
    assert match, run.cues()
    assert int(match.group(1)) == math.ceil(state.remaining_s)
    assert reply["paused_by_camera"] is True and reply["pause_reason"] == reply["cue"]
    assert any(r["session_changed"] for r in run.replies)
    held_left = state.remaining_s

    run.play(frames, until=7.9)  # still lying down: the hold stays paused, its time kept
    state = run.state()
    assert (state.status, state.remaining_s, state.reps_done) == ("paused", held_left, 0)

    run.play(frames, until=8.3)  # up again: the hold resumes where it stopped
    assert (run.state().status, run.state().activity) == ("running", "hold")

    run.play(frames, until=11.0)  # the dosed 5 s are reached: now the rep counts
    state = run.state()
    assert (state.status, state.reps_done) == ("running", 1)
    assert state.activity in ("move", "hold")
    assert run.coach.applied == ["RepDone", "Pause", "Resume"]

    run.play(frames, until=12.6)  # coming down after the counted rep counts nothing more
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("running", "move", 1)

    run.play(frames)  # the next hold begins by the engine's clock while lying: it waits
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("paused", "hold", 1)
    assert run.cues()[-1] == "Lift your hips to start the hold: 5 s to go."
    assert all(r["reps"] <= 2 for r in run.replies)  # the analyzer's own count is not the session's
    assert [r["session_reps"] for r in run.replies][-1] == 1


def test_the_engines_move_time_running_out_while_lying_pauses_until_the_hips_are_up(
    factory: sessionmaker[Session],
) -> None:
    lying, lifted = bridge_poses()
    script = still(lying, 4.5) + repetitions(lying, lifted, 1, hold_s=5.0, rest_s=1.0)
    frames = generate(script, Render()).frames
    run = Run.start(factory, reps=2, hold_s=4.0)

    run.play(frames, until=5.0)  # the 3 s move time ran out at 3 s: the hold began lying down
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("paused", "hold", 0)
    assert run.cues()[-1].startswith("Lift your hips to start the hold: ")
    assert run.cues()[-1].endswith(" s to go.")

    run.play(frames, until=7.0)  # hips up (from about 6 s): the hold runs
    assert (run.state().status, run.state().activity) == ("running", "hold")

    run.play(frames, until=11.0)  # 4 s held: one rep
    assert run.state().reps_done == 1


def test_staying_up_after_the_rep_counted_does_not_count_the_next_one(
    factory: sessionmaker[Session],
) -> None:
    lying, lifted = bridge_poses()
    # One long hold of 9 s: the 3 s dose counts one rep, the 3 s move passes, the next hold
    # begins by the engine's clock while the hips are still up from the rep before.
    script = still(lying, 1.0) + repetitions(lying, lifted, 1, hold_s=9.0, rest_s=1.5)
    script += repetitions(lying, lifted, 1, hold_s=4.0, rest_s=1.0)
    frames = generate(script, Render()).frames
    run = Run.start(factory, reps=3, hold_s=3.0)

    run.play(frames, until=11.5)
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("paused", "hold", 1)
    assert "That rep is counted. Lower your hips, then lift again for the next one." in run.cues()

    run.play(frames)  # down, then up again: a new hold, and the second rep
    state = run.state()
    assert state.reps_done == 2
    assert run.coach.applied.count("Resume") == 1


def test_resuming_by_hand_is_not_fought_by_the_camera(factory: sessionmaker[Session]) -> None:
    lying, lifted = bridge_poses()
    script = still(lying, 1.0) + repetitions(lying, lifted, 1, hold_s=2.0, rest_s=4.0)
    frames = generate(script, Render()).frames
    run = Run.start(factory, reps=3, hold_s=5.0)

    run.play(frames, until=6.5)
    assert run.state().status == "paused"  # came down early: paused by the camera
    run.page(Resume(run.now))  # the person presses Resume while still lying down
    run.play(frames, until=8.5)
    state = run.state()
    assert state.status == "running", "the camera paused again what the person resumed"
    assert run.coach.applied.count("Pause") == 1


def test_nobody_in_the_picture_changes_nothing(factory: sessionmaker[Session]) -> None:
    empty = [LandmarkFrame(t_s=i / 30, landmarks=None) for i in range(30 * 9)]
    run = Run.start(factory, reps=2, hold_s=3.0)
    run.play(empty)
    state = run.state()
    # The engine's own clock ran the step as it does without a camera: move 3 s, hold 3 s.
    assert (state.status, state.reps_done) == ("running", 1)
    assert run.coach.applied == []
