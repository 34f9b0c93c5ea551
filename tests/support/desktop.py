"""A real X11 desktop for tests: Xvfb, a D-Bus session bus, dunst, Openbox (and tint2's tray).

``running_desktop()`` starts each part as its own process (as the store tests
start PostgreSQL) and yields the environment a desktop program needs
(``DISPLAY``, ``DBUS_SESSION_BUS_ADDRESS``). Tests watch what is shown with
``dbus-monitor`` and press a notification's actions through dunst itself: its
context menu (``dunstctl context``) runs the ``dmenu`` program of its config,
here ``chooser`` below, which picks the action named in a file the test writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 60.0
PROGRAMS = ("Xvfb", "dbus-daemon", "dunst", "dunstctl", "openbox", "xdotool", "xprop",
            "dbus-monitor", "wmctrl", "xmessage", "tint2")  # fmt: skip


class DesktopUnavailable(Exception):
    """A program the desktop needs is missing or did not start."""


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until ``check()`` is true; fails with ``what`` after ``timeout_s``."""
    end = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Desktop:
    env: dict[str, str]
    home: Path
    monitor_log: Path
    choice: Path  # the action dunst's menu picks (the chooser reads it)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        if check and done.returncode:
            raise AssertionError(f"{args} failed: {done.stderr}")
        return done.stdout

    def start(self, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        if log is None:
            process = subprocess.Popen(
                list(args), env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        else:
            with log.open("wb") as out:
                process = subprocess.Popen(
                    list(args), env=self.env, stdout=out, stderr=subprocess.STDOUT
                )
        self.processes.append(process)
        return process

    def notifications(self) -> list[str]:
        """The summaries of every notification shown so far (``Notify`` calls on the bus)."""
        found: list[str] = []
        lines = self.monitor_log.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if "member=Notify" in line and "method call" in line:
                strings = [
                    x.strip() for x in lines[i + 1 : i + 8] if x.strip().startswith("string")
                ]
                if len(strings) >= 3:
                    found.append(strings[2].removeprefix("string ").strip('"'))
        return found

    def press(self, action: str) -> None:
        """Press ``action`` on the shown notification, through dunst's context menu."""
        self.choice.write_text(action)
        self.run("dunstctl", "context")

    def displayed(self) -> int:
        return int(self.run("dunstctl", "count", "displayed").strip())


def _chooser(path: Path, choice: Path) -> None:
    """dunst's ``dmenu``: prints the menu line of the action key in ``choice``.

    dunst 1.9 lists one line per action: ``#Label (summary) [id,key]``.
    """
    path.write_text(f'#!/bin/sh\nwant=$(cat "{choice}")\ngrep -m1 -- ",$want]$"\n')
    path.chmod(0o755)


@contextmanager
def running_desktop(tmp: Path) -> Iterator[Desktop]:
    missing = [p for p in PROGRAMS if shutil.which(p) is None]
    if missing:
        raise DesktopUnavailable(f"not installed: {', '.join(missing)} (see .ci/run)")
    home = tmp / "home"
    (home / ".config" / "dunst").mkdir(parents=True)
    choice = tmp / "choice"
    chooser = tmp / "chooser.sh"
    _chooser(chooser, choice)
    (home / ".config" / "dunst" / "dunstrc").write_text(
        "[global]\n"
        f"    dmenu = {chooser}\n"
        "    show_indicators = no\n"
        "[urgency_normal]\n"
        "    timeout = 0\n"
    )
    with ExitStack() as stack:
        number = _start_xvfb(stack, tmp / "xvfb.log")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_RUNTIME_DIR": str(tmp),
            "DISPLAY": f":{number}",
            "LANG": "C.UTF-8",
        }
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        stack.callback(_stop, bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        bus.stdout.close()
        if not address:
            raise DesktopUnavailable("dbus-daemon did not start")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        desktop = Desktop(env=env, home=home, monitor_log=tmp / "monitor.log", choice=choice)
        stack.callback(_stop_all, desktop.processes)
        desktop.start("openbox", "--sm-disable", log=tmp / "openbox.log")
        desktop.start(
            "dbus-monitor", "--session",
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            log=desktop.monitor_log,
        )  # fmt: skip
        desktop.start("dunst")
        wait_for(
            lambda: (
                "_NET_SUPPORTING_WM_CHECK(WINDOW)" in desktop.run("xprop", "-root", check=False)
            ),
            "openbox",
        )
        wait_for(lambda: _has_owner(desktop, "org.freedesktop.Notifications"), "dunst")
        wait_for(lambda: desktop.monitor_log.exists() and desktop.monitor_log.stat().st_size > 0,
                 "dbus-monitor")  # fmt: skip
        yield desktop


def _start_xvfb(stack: ExitStack, log: Path, attempts: int = 3) -> str:
    """Start Xvfb on a free display (``-displayfd``); its number once a client can connect.

    A display number Xvfb picks can still be taken by a server starting at the same
    moment (other tests run Xvfb too): then it exits, and another one is started.
    ``-noreset``: by default an X server resets when its last client leaves, and a
    client connecting then (the window manager, after the probe) is refused.
    """
    for _attempt in range(attempts):
        read, write = os.pipe()
        with log.open("ab") as out:
            xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=out,
            )  # fmt: skip
        os.close(write)
        stack.callback(_stop, xvfb)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DISPLAY": f":{number}"}
        end = time.monotonic() + START_TIMEOUT_S
        while number and xvfb.poll() is None and time.monotonic() < end:
            probe = subprocess.run(["xprop", "-root", "-len", "0"], env=env, capture_output=True,
                                   timeout=20, check=False)  # fmt: skip
            if probe.returncode == 0:
                return number
            time.sleep(0.05)
    raise DesktopUnavailable(f"Xvfb did not start: {log.read_text(errors='replace')[-500:]}")


def _has_owner(desktop: Desktop, name: str) -> bool:
    out = desktop.run(
        "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}",
        check=False,
    )  # fmt: skip
    return "boolean true" in out


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        _stop(process)


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
