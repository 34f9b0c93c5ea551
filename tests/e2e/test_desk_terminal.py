"""`backcoach breaks` in a real pseudo-terminal (pexpect, 100x30) with a sped-up clock.

At BACKCOACH_TIME_SCALE=600 the first micro-break (20 min at the desk) comes
after about 2 real seconds. Timeouts are generous upper bounds, never measurements.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pexpect

TIMEOUT = 30


def test_breaks_in_a_terminal_fire_are_taken_and_stored(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCOACH_")}
    env.update(
        BACKCOACH_TIME_SCALE="600",
        BACKCOACH_DATA_DIR=str(tmp_path / "data"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        COLUMNS="100",
        LINES="30",
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no desktop: the reminder is a terminal bell
    child = pexpect.spawn(
        sys.executable, ["-m", "backcoach", "breaks"], env=env, dimensions=(30, 100),
        encoding="utf-8", timeout=TIMEOUT,
    )  # fmt: skip
    try:
        child.expect("Micro-break in")
        child.expect("\a")  # the bell rings, then the break shows
        child.expect("Time for a break")
        child.expect("Neck turns")
        child.send("t")
        child.expect("Well done")
        child.expect(r"Taken (\x1b\[[0-9;]*m)*1")  # the count is drawn in bold
        child.send("q")
        child.expect("Today: 1 breaks taken")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    with sqlite3.connect(tmp_path / "data" / "backcoach.db") as db:
        rows = db.execute("SELECT kind, amount, source FROM habit_logs WHERE kind = 'break'")
        assert rows.fetchall() == [("break", 1.0, "terminal")]
