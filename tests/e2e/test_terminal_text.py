"""`backcoach workout` in tmux at 80x24: whole words, pages, and the "Take care" notes.

Time runs at its real pace here, so the first step (a few slow breaths) stays on
the screen while the test reads it; the test ends the session itself.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from backcoach.cli.workout import make_plan
from backcoach.coach.planner import ramp_group
from backcoach.content import default_catalog
from tests.e2e.test_terminal_workout import capture_until
from tests.integration.workout_pty import screening, workout_env

CATALOG = default_catalog()
# A new user's first step: the gentle first group of the first-week ramp.
FIRST = next(
    step
    for step in make_plan(CATALOG, "back-basics", "short").steps
    if ramp_group(step.exercise_id) == 0
)


@pytest.fixture
def tmux() -> Iterator[list[str]]:
    """A private tmux server (own socket, no user config), killed afterwards."""
    base = ["tmux", "-L", f"backcoach-text-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    yield base
    subprocess.run([*base, "kill-server"], capture_output=True, check=False)


def panel_text(screen: str) -> str:
    """The step panel's text (between its borders), one space between words."""
    lines = screen.rstrip("\n").split("\n")
    inside = []
    for line in lines[2:]:
        if line.startswith("╰"):
            break
        inside.append(line.strip("│ "))
    return " ".join(" ".join(inside).split())


def whole(text: str) -> str:
    return " ".join(text.split())


def test_instructions_wrap_whole_words_page_and_show_take_care(
    tmux: list[str], tmp_path: Path
) -> None:
    env = workout_env(tmp_path / "data", time_scale="1")
    screening(env)
    exports = " ".join(f"{k}={v}" for k, v in env.items() if k.startswith("BACKCOACH_"))
    command = f"env {exports} {sys.executable} -m backcoach workout --length short; sleep 60"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "workout", "-x", "80", "-y", "24", command],
        check=True,
    )
    capture_until(tmux, "your pain now")
    subprocess.run([*tmux, "send-keys", "-t", "workout", "2", "Enter"], check=True)

    exercise = CATALOG.exercise(FIRST.exercise_id)
    first = capture_until(tmux, "Take care:")
    lines = first.rstrip("\n").split("\n")
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    assert FIRST.name in lines[1]
    text = panel_text(first)
    for item in (
        f"Get into position: {exercise.voice.setup}",
        f"Key point: {exercise.voice.cue}",
        f"Take care: {' '.join(exercise.safety)}",
    ):
        # whole, on the first page: a word cut at a line end or a cut-off line would not match
        assert whole(item) in text, (item, first)
    assert "m: more (1 of 2)" in text

    subprocess.run([*tmux, "send-keys", "-t", "workout", "m"], check=True)
    second = panel_text(capture_until(tmux, "m: more (2 of 2)"))
    for i, step in enumerate(exercise.steps, start=1):
        assert whole(f"{i}. {step}") in second, (step, second)
    assert whole(f"Breathing: {exercise.breathing}") in second

    subprocess.run([*tmux, "send-keys", "-t", "workout", "q"], check=True)
    capture_until(tmux, "Quit the session")
    subprocess.run([*tmux, "send-keys", "-t", "workout", "y"], check=True)
    capture_until(tmux, "Session summary")
