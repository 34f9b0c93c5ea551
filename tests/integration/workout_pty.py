"""`backcoach workout` in a real pseudo-terminal: its environment, a screening, the spawn.

Shared by the tests that drive the terminal workout as a real process. Time
runs 100 times faster; ``TIMEOUT`` is a generous upper bound, never a measurement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect

from backcoach.coach.safety import QUESTIONS

TIMEOUT = 30


def workout_env(data_dir: Path, *, time_scale: str = "100") -> dict[str, str]:
    """This process's environment without ``BACKCOACH_*``, with its own data dir and time scale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCOACH_")}
    env.update(
        BACKCOACH_TIME_SCALE=time_scale,
        BACKCOACH_DATA_DIR=str(data_dir),
        TERM="xterm-256color",
        LANG="C.UTF-8",
    )
    return env


def screening(env: dict[str, str], *yes: int) -> str:
    """Answer `backcoach screening`, "y" to the questions numbered in ``yes`` (1-based)."""
    answers = "".join("y\n" if n in yes else "n\n" for n in range(1, len(QUESTIONS) + 1))
    done = subprocess.run(
        [sys.executable, "-m", "backcoach", "screening"],
        input=answers,
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    return done.stdout


def spawn_workout(env: dict[str, str]) -> pexpect.spawn:
    """Start `backcoach workout --length short` in a 24x100 pseudo-terminal."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "backcoach", "workout", "--length", "short"],
        env=env,
        dimensions=(24, 100),
        encoding="utf-8",
        codec_errors="replace",
        timeout=TIMEOUT,
    )
    child.delaybeforesend = None
    return child


def press_until(child: pexpect.spawn, key: str, pattern: str, *, max_presses: int) -> None:
    """Press ``key`` again and again until ``pattern`` shows."""
    for _ in range(max_presses):
        child.send(key)
        if child.expect([pattern, pexpect.TIMEOUT], timeout=0.05) == 0:
            return
    raise AssertionError(f"{pattern!r} never showed after {max_presses} presses of {key!r}")
