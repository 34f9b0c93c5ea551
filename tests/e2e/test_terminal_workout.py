"""`backcoach workout` in a real pseudo-terminal (pexpect, 80x24) and in tmux.

Time runs 100 times faster (BACKCOACH_TIME_SCALE), so holds, rests and
breaths pass in a blink; rep steps wait for "r" as they would for a person.
Nothing here measures wall-clock time: timeouts are only generous upper bounds.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from backcoach.cli.workout import make_plan
from backcoach.coach.planner import ramp_group
from backcoach.content import Kind, default_catalog
from tests.integration.workout_pty import press_until, screening
from tests.integration.workout_pty import workout_env as pty_env

TIME_SCALE = "100"
TIMEOUT = 30  # seconds; an upper bound for one screen change, never a measurement
# A new user's session: the gentle first group of the first-week ramp.
STEPS = [
    step
    for step in make_plan(default_catalog(), "back-basics", "short").steps
    if ramp_group(step.exercise_id) == 0
]
SHORT_STEPS = len(STEPS)
# The first step that waits for "r" (1-based); the steps before it run on time alone.
FIRST_REP_STEP = next(
    i for i, s in enumerate(STEPS, start=1) if s.kind is Kind.REPS and not s.hold_s
)
# The rep count, as the player page shows it: reps done of the target.
REPS_DONE = r"(?<!\d){} of \d+ reps"


def workout_env(tmp_path: Path) -> dict[str, str]:
    env = pty_env(tmp_path / "data", time_scale=TIME_SCALE)
    env.update(COLUMNS="80", LINES="24")
    return env


def answer_pain_before(child: pexpect.spawn) -> None:
    child.expect("your pain now")
    child.sendline("2")


def answer_checkin_after(child: pexpect.spawn) -> None:
    child.expect("After the session: your pain now")
    # Ctrl-U first: an "r" that press_until sent as the session ended is not part of the answer.
    child.send("\x15")
    child.sendline("2")
    child.expect("How hard was the session")
    child.sendline("4")
    child.expect("effort 4/10")


def screened_workout_in_shell(tmp_path: Path) -> pexpect.spawn:
    """After a clear screening, `backcoach workout --length short` in a shell, then `stty -a`.

    The shell prints the exit code and the terminal settings the workout left behind.
    """
    command = f"{sys.executable} -m backcoach workout --length short; echo EXIT=$?; stty -a"
    env = workout_env(tmp_path)
    screening(env)  # a clear one: `backcoach workout` needs it first
    return pexpect.spawn(
        "/bin/sh",
        ["-c", command],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        codec_errors="replace",
        timeout=TIMEOUT,
    )


@pytest.fixture
def workout(tmp_path: Path) -> Iterator[pexpect.spawn]:
    """`backcoach workout --length short`, then `stty -a` to show the terminal it left behind."""
    child = screened_workout_in_shell(tmp_path)
    try:
        answer_pain_before(child)
        yield child
    finally:
        child.close(force=True)


def expect_terminal_restored(child: pexpect.spawn) -> None:
    child.expect(r"EXIT=(\d+)")
    assert child.match.group(1) == "0"
    child.expect(pexpect.EOF)
    stty = child.before
    assert " icanon" in stty and "-icanon" not in stty
    assert " echo " in stty and "-echo " not in stty


def test_full_short_session_with_pause_skip_and_back(workout: pexpect.spawn) -> None:
    child = workout
    child.expect(STEPS[0].name)
    # Breaths, holds and timed work are paced by the engine; this step waits for reps.
    child.expect(f"step {FIRST_REP_STEP}/{SHORT_STEPS}")
    child.expect("Press r or Enter after each rep")

    child.send("r")
    child.expect(REPS_DONE.format(1))

    child.send("p")
    child.expect("PAUSED")
    child.send("p")
    child.expect("Let's carry on")

    child.send("s")
    child.expect(f"step {FIRST_REP_STEP + 1}/{SHORT_STEPS}")
    child.send("b")
    child.expect(f"step {FIRST_REP_STEP}/{SHORT_STEPS}")
    child.expect(REPS_DONE.format(0))  # the reopened step starts from its first rep

    press_until(child, "r", "Session summary", max_presses=3000)
    child.expect(f"Steps done: {SHORT_STEPS} of {SHORT_STEPS}")
    child.expect("skipped: 0")
    child.expect("Session complete")
    answer_checkin_after(child)
    expect_terminal_restored(child)


def test_quit_asks_to_confirm(workout: pexpect.spawn) -> None:
    child = workout
    child.expect("Press r or Enter after each rep")
    child.send("q")
    child.expect("Quit the session")
    child.send("n")
    child.expect("Let's carry on")
    child.send("r")
    child.expect(REPS_DONE.format(1))
    child.send("q")
    child.expect("Quit the session")
    child.send("y")
    child.expect("Session summary")
    child.expect(f"Steps done: {FIRST_REP_STEP - 1} of {SHORT_STEPS}")
    child.expect("Session ended early")
    answer_checkin_after(child)
    expect_terminal_restored(child)


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc; pgrep may not be installed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_sigterm_restores_the_terminal(tmp_path: Path) -> None:
    child = screened_workout_in_shell(tmp_path)
    try:
        answer_pain_before(child)
        child.expect("Press r or Enter after each rep")
        (pid,) = children_of(child.pid)
        os.kill(pid, signal.SIGTERM)
        child.expect(r"EXIT=(\d+)")
        assert child.match.group(1) == str(128 + signal.SIGTERM)
        child.expect(pexpect.EOF)
        assert " icanon" in child.before and "-icanon" not in child.before
        assert " echo " in child.before and "-echo " not in child.before
    finally:
        child.close(force=True)


@pytest.fixture
def tmux_server() -> Iterator[list[str]]:
    """A private tmux server (own socket, no user config), killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    base = ["tmux", "-L", f"backcoach-test-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    yield base
    subprocess.run([*base, "kill-server"], capture_output=True, check=False)


def capture_until(base: list[str], text: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run(
            [*base, "capture-pane", "-p", "-t", "workout"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never showed in tmux; last screen:\n{screen}")


def test_runs_in_tmux(tmux_server: list[str], tmp_path: Path) -> None:
    env = " ".join(
        f"{k}={v}" for k, v in workout_env(tmp_path).items() if k.startswith("BACKCOACH_")
    )
    command = f"env {env} {sys.executable} -m backcoach workout --length short; sleep 60"
    screening(workout_env(tmp_path))
    subprocess.run(
        [*tmux_server, "new-session", "-d", "-s", "workout", "-x", "80", "-y", "24", command],
        check=True,
    )
    capture_until(tmux_server, "your pain now")
    subprocess.run([*tmux_server, "send-keys", "-t", "workout", "2", "Enter"], check=True)
    screen = capture_until(tmux_server, STEPS[FIRST_REP_STEP - 1].name)
    lines = screen.rstrip("\n").split("\n")
    # The whole screen fits: header on the first line, the keys on the last.
    assert lines[0].startswith("backcoach · Back basics")
    assert "q quit" in lines[23]
    subprocess.run([*tmux_server, "send-keys", "-t", "workout", "q"], check=True)
    capture_until(tmux_server, "Quit the session")
    subprocess.run([*tmux_server, "send-keys", "-t", "workout", "y"], check=True)
    summary = capture_until(tmux_server, "Session summary")
    assert STEPS[FIRST_REP_STEP - 1].name in summary
