"""Crash safety of `backcoach workout`: a real process in a pty, killed with SIGKILL.

Every key and every completed step is committed at once, so after the kill
nothing completed is missing, and the next start offers to resume from the step
after the last completed one (before asking the pain: a resumed session had its
check-in when it started). Time runs 25 times faster; rep steps wait for "r", held
reps (the glute bridge's) run on their own, so at 25x a step of them lasts over a second:
the kill comes well inside it.
Timeouts are generous upper bounds, never measurements.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from backcoach.coach.planner import ramp_group
from backcoach.content import Length, default_catalog
from tests.integration.workout_pty import press_until, screening, spawn_workout, workout_env

# a new user's sessions: the gentle first group of the first-week ramp
STEPS = [
    step
    for step in default_catalog().program("back-basics").lengths[Length.SHORT]
    if ramp_group(step.exercise) == 0
]
N = len(STEPS)
NAMES = [default_catalog().exercise(s.exercise).name for s in STEPS]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def start(data_dir: Path) -> Iterator[type[pexpect.spawn]]:
    """Start `backcoach workout --length short` (as often as needed); all closed at the end."""
    env = workout_env(data_dir, time_scale="25")
    children: list[pexpect.spawn] = []
    # `backcoach workout` needs a safety screening first: a clear one.
    screening(env)

    def spawn() -> pexpect.spawn:
        child = spawn_workout(env)
        children.append(child)
        return child

    yield spawn  # type: ignore[misc]
    for child in children:
        child.close(force=True)


def answer_pain_before(child: pexpect.spawn) -> None:
    """The check-in before a new session (a resumed one has had it)."""
    child.expect("your pain now")
    child.sendline("2")


# The rep count, as the player page shows it: reps done of the target.
REPS_DONE = r"(?<!\d){} of \d+ reps"


def rows(data_dir: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "backcoach.db", timeout=10) as db:
        return db.execute(query).fetchall()


def recorded_steps(data_dir: Path) -> list[tuple[object, ...]]:
    return rows(
        data_dir,
        "SELECT session_id, step_index, exercise_id, status FROM step_events "
        "ORDER BY session_id, step_index",
    )


def kill(child: pexpect.spawn) -> None:
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.wait()
    assert child.signalstatus == signal.SIGKILL


def done(session_id: int, upto: int) -> list[tuple[object, ...]]:
    return [(session_id, i, STEPS[i].exercise, "completed") for i in range(upto)]


def test_sigkill_mid_step_loses_nothing_and_resumes_after_the_last_completed_step(
    start, data_dir: Path
) -> None:
    child = start()
    answer_pain_before(child)
    child.expect(f"step 2/{N}")  # the breathing step runs by itself
    # The screen moves on only after the completed step is committed.
    assert recorded_steps(data_dir) == done(1, 1)
    press_until(child, "r", f"step 4/{N}", max_presses=500)
    assert recorded_steps(data_dir) == done(1, 3)
    child.expect(REPS_DONE.format(0))
    child.send("r")
    child.expect(REPS_DONE.format(1))  # in the middle of step 4
    kill(child)

    assert recorded_steps(data_dir) == done(1, 3)
    assert rows(data_dir, "SELECT id, status FROM sessions") == [(1, "in_progress")]

    child = start()
    child.expect(rf"Resume it from step 4 of {N} \({NAMES[3]}\)\? \[Y/n\]")
    child.sendline("")
    child.expect(f"step 4/{N}")
    child.expect(REPS_DONE.format(0))  # the interrupted step starts again from its beginning
    press_until(child, "r", f"step 5/{N}", max_presses=500)
    child.send("q")
    child.expect("Quit the session")
    child.send("y")
    child.expect("Session summary")
    child.expect(f"Steps done: 4 of {N}")
    child.expect("After the session: your pain now")
    child.sendline("2")
    child.expect("How hard was the session")
    child.sendline("4")
    child.expect(pexpect.EOF)

    assert recorded_steps(data_dir) == done(1, 4)
    assert rows(data_dir, "SELECT id, status FROM sessions") == [(1, "quit")]
    # The check-in before was stored when the session started, once, not again on resuming.
    assert rows(data_dir, "SELECT session_id, phase, pain FROM checkins ORDER BY id") == [
        (1, "before", 2),
        (1, "after", 2),
    ]

    child = start()  # nothing interrupted now: no question, a new session
    answer_pain_before(child)
    child.expect(f"step 2/{N}")
    assert "Resume" not in (child.before or "")
    kill(child)


def test_declining_to_resume_starts_afresh(start, data_dir: Path) -> None:
    child = start()
    answer_pain_before(child)
    child.expect(f"step 2/{N}")  # keys are read once the screen is up
    press_until(child, "r", f"step 3/{N}", max_presses=500)
    kill(child)

    child = start()
    child.expect(r"Resume it from step 3 of \d+ .*\[Y/n\]")
    child.sendline("n")
    answer_pain_before(child)
    child.expect(f"step 2/{N}")
    kill(child)
    assert rows(data_dir, "SELECT id, status FROM sessions ORDER BY id") == [
        (1, "abandoned"),
        (2, "in_progress"),
    ]
    assert recorded_steps(data_dir) == [*done(1, 2), *done(2, 1)]
