"""``backcoach companion`` on a real X11 desktop: Xvfb, a D-Bus session bus, dunst, Openbox.

Each test starts the desktop (``tests/support/desktop.py``) and the companion as
a process on its own database, sped up 300 times (a 15-minute break interval
is 3 real seconds), with the desk clock set to this morning so no test runs
past midnight. The tests watch the notifications on the bus, press their
actions in dunst, and read what happened from the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from time import sleep
from typing import Any

import pytest
from jeepney import HeaderFields, message_bus, new_method_return
from jeepney.io.blocking import Proxy, open_dbus_connection
from sqlalchemy import func, select

from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.services.clock import ScaledClock
from backcoach.services.desk import BreakAction
from backcoach.services.desk_runtime import DESK_ROW, DeskRuntime
from backcoach.services.preferences import PreferencesUpdate, save_preferences
from backcoach.services.reminders import REMINDED_ON
from backcoach.store import (
    desk_clock_origin,
    get_setting,
    local_user,
    open_database,
    read_desk_state,
)
from backcoach.store.models import HabitLog
from tests.support.desktop import Desktop, DesktopUnavailable, running_desktop, wait_for
from tests.support.german import english_leftovers

SCALE = 300.0
WAIT_S = 30.0


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    try:
        with running_desktop(tmp_path / "desktop") as found:
            yield found
    except DesktopUnavailable as exc:
        if "not installed" in str(exc):
            pytest.skip(str(exc))  # CI fails a skip (tests/conftest.py): .ci/run installs them
        pytest.fail(str(exc))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A database whose desk clock reads about 08:00 today, with a break every 15 minutes."""
    settings = Settings(data_dir=tmp_path / "data", time_scale=SCALE)
    now = datetime.now().astimezone()
    target = datetime.combine(now.date(), time(8), now.tzinfo).timestamp()
    origin = (target - now.timestamp() * SCALE) / (1 - SCALE)
    with open_database(settings) as db:
        user = local_user(db)
        save_preferences(db, user_id=user.id, update=PreferencesUpdate(break_minutes=15))
        desk_clock_origin(db, default=origin)
        db.commit()
    return settings


class Running:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def says(self, text: str) -> bool:
        assert self.process.poll() is None, self.output()
        return text in " ".join(self.output().split())


@contextmanager
def companion(
    desktop: Desktop,
    settings: Settings,
    *args: str,
    name: str = "companion",
    started: str = "The companion is running",
) -> Iterator[Running]:
    log = settings.data_dir.parent / f"{name}.log"
    env = {
        **desktop.env,
        "BACKCOACH_DATA_DIR": str(settings.data_dir),
        "BACKCOACH_TIME_SCALE": str(SCALE),
        "COLUMNS": "400",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backcoach", "companion", *args],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Running(process, log)
    try:
        wait_for(lambda: running.says(started), "the companion", WAIT_S)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0, running.output()


def counted(settings: Settings, kind: str, source: str = "companion") -> int:
    with open_database(settings) as db:
        total = db.execute(
            select(func.count()).where(HabitLog.kind == kind, HabitLog.source == source)
        ).scalar_one()
    return int(total)


def counted_is(settings: Settings, kind: str, n: int) -> bool:
    return counted(settings, kind) == n


def stored(settings: Settings) -> dict[str, Any]:
    """The desk's stored state (empty before the first tick)."""
    with open_database(settings) as db:
        state = read_desk_state(db, user_id=local_user(db).id, source=DESK_ROW)
    return state or {}


def shown(desktop: Desktop, n: int) -> bool:
    """``n`` break notifications shown so far, the last one still on screen."""
    return desktop.notifications().count("Time for a break") == n and desktop.displayed() == 1


def test_check_says_what_works_on_this_desktop(desktop: Desktop, settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backcoach", "companion", "--check"],
        env={**desktop.env, "BACKCOACH_DATA_DIR": str(settings.data_dir), "COLUMNS": "400",
             "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].startswith("✓ Idle: X11 (XScreenSaver extension)")
    assert lines[1].startswith("✓ Notifications: dunst 1.9") and "with buttons" in lines[1]
    assert lines[2].startswith("✓ Fullscreen:")
    assert lines[3].startswith("✓ Do Not Disturb (read from dunst's pause)")
    assert lines[4].startswith("- Screen lock:") and "Fallback" in lines[4]
    assert lines[5].startswith("- Tray: this desktop has no system tray")


def test_the_check_and_the_notifications_speak_german(desktop: Desktop, settings: Settings) -> None:
    german = {**desktop.env, "BACKCOACH_LANG": "de"}
    done = subprocess.run(
        [sys.executable, "-m", "backcoach", "companion", "--check"],
        env={**german, "BACKCOACH_DATA_DIR": str(settings.data_dir), "COLUMNS": "400",
             "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "Nicht stören (gelesen aus dem Pausenmodus von dunst)" in done.stdout
    assert english_leftovers(done.stdout) == [], done.stdout
    desktop.env = german
    with companion(
        desktop, settings, "--away-after", "1000", started="Der Begleiter läuft"
    ) as running:
        wait_for(lambda: "Zeit für eine Pause" in desktop.notifications(), "German", WAIT_S)
    assert english_leftovers(running.output()) == [], running.output()


def test_a_due_break_is_a_notification_whose_actions_take_snooze_and_skip_it(
    desktop: Desktop, settings: Settings
) -> None:
    with companion(desktop, settings, "--away-after", "1000"):
        for n, action, kind in (
            (1, "take", "break"),
            (2, "snooze", "break_snoozed"),
            (3, "skip", "break_skipped"),
        ):
            wait_for(partial(shown, desktop, n), f"notification {n}", WAIT_S)
            assert counted(settings, kind) == 0
            desktop.press(action)
            wait_for(partial(counted_is, settings, kind, 1), f"{action} stored", WAIT_S)
            wait_for(lambda: desktop.displayed() == 0, "the notification closed", WAIT_S)
    assert counted(settings, "break") == 1 and counted(settings, "break_skipped") == 1


def test_no_input_counts_as_away_and_input_as_back(desktop: Desktop, settings: Settings) -> None:
    desktop.run("xdotool", "mousemove", "10", "10")
    with companion(desktop, settings, "--away-after", "15") as running:  # 3 real seconds
        wait_for(lambda: stored(settings).get("away") is True, "away after idle time", WAIT_S)
        wait_for(
            partial(running.says, "No keyboard or mouse input for a while: you count as away."),
            "No keyboard or mouse input for a while: you count as away.",
            WAIT_S,
        )
        desktop.run("xdotool", "mousemove", "200", "200")
        wait_for(lambda: stored(settings).get("away") is False, "back after input", WAIT_S)
        wait_for(partial(running.says, "Welcome back."), "Welcome back.", WAIT_S)


def test_a_fullscreen_window_or_do_not_disturb_holds_a_due_break_until_it_ends(
    desktop: Desktop, settings: Settings
) -> None:
    window = desktop.start("xmessage", "-title", "presentation", "A presentation")
    wait_for(lambda: "presentation" in desktop.run("wmctrl", "-l"), "the window")
    desktop.run("wmctrl", "-a", "presentation")
    desktop.run("wmctrl", "-r", "presentation", "-b", "add,fullscreen")
    wait_for(lambda: "_NET_WM_STATE_FULLSCREEN" in _active_state(desktop), "fullscreen")
    with companion(desktop, settings, "--away-after", "1000") as running:
        wait_for(lambda: running.says("it waits until the fullscreen window ends"), "held", WAIT_S)
        assert stored(settings)["state"]["due"] is not None
        assert desktop.notifications() == []
        desktop.run("wmctrl", "-r", "presentation", "-b", "remove,fullscreen")
        wait_for(lambda: shown(desktop, 1), "the held break shown", WAIT_S)
        desktop.press("take")
        wait_for(lambda: desktop.displayed() == 0, "taken", WAIT_S)
        desktop.run("dunstctl", "set-paused", "true")
        wait_for(lambda: running.says("it waits until Do Not Disturb is off"), "DND held", WAIT_S)
        assert desktop.notifications().count("Time for a break") == 1
        desktop.run("dunstctl", "set-paused", "false")
        wait_for(lambda: shown(desktop, 2), "the break after Do Not Disturb", WAIT_S)
    window.terminate()


def _active_state(desktop: Desktop) -> str:
    active = desktop.run("xprop", "-root", "_NET_ACTIVE_WINDOW").split()[-1]
    return desktop.run("xprop", "-id", active, "_NET_WM_STATE", check=False)


def test_the_skip_cap_survives_a_restart_and_the_desk_page_shares_the_timer(
    desktop: Desktop, settings: Settings
) -> None:
    with companion(desktop, settings, "--away-after", "1000"):
        for n in (1, 2, 3):
            wait_for(partial(shown, desktop, n), f"notification {n}", WAIT_S)
            desktop.press("skip")
            wait_for(partial(counted_is, settings, "break_skipped", n), f"skip {n}", WAIT_S)
        wait_for(lambda: shown(desktop, 4), "notification 4", WAIT_S)
    wait_for(lambda: desktop.displayed() == 0, "closed on quit", WAIT_S)
    before = stored(settings)["state"]
    with companion(desktop, settings, "--away-after", "1000", name="again") as again:
        wait_for(lambda: shown(desktop, 5), "the due break shown again", WAIT_S)
        after = stored(settings)["state"]
        assert after["counters"]["skipped"] == 3
        assert after["due"] == before["due"]
        desktop.press("skip")
        wait_for(lambda: again.says("No skips left today (3 used)."), "skip refused", WAIT_S)
        assert counted(settings, "break_skipped") == 3
        # The /desk page runs the same timer: taking the break there closes the notification.
        page = DeskRuntime(ScaledClock(SCALE), source="web")
        with open_database(settings) as db:
            user = local_user(db)
            done, status = page.act(
                db, BreakAction.TAKE, user_id=user.id, catalog=default_catalog()
            )
        assert done and status.day.breaks_skipped == 3
        wait_for(lambda: desktop.displayed() == 0, "closed after the page took it", WAIT_S)
        assert counted(settings, "break", source="web") == 1


def test_the_daily_session_reminder_is_shown_once_when_it_is_due(
    desktop: Desktop, settings: Settings
) -> None:
    with open_database(settings) as db:
        user = local_user(db)
        update = PreferencesUpdate(session_reminder=time(8, 30), break_minutes=120)
        save_preferences(db, user_id=user.id, update=update)
    with companion(desktop, settings, "--away-after", "1000") as running:
        title = "Time for your back session"
        wait_for(lambda: title in desktop.notifications(), "the session reminder", WAIT_S)
        wait_for(
            partial(running.says, "Time for your back session: "),
            "Time for your back session: ",
            WAIT_S,
        )
        with open_database(settings) as db:
            reminded = get_setting(db, user_id=local_user(db).id, key=REMINDED_ON)
        assert reminded == datetime.now().date().isoformat()
        wait_for(partial(stored_beyond, settings, time(9, 15)), "45 more desk minutes", WAIT_S)
        assert desktop.notifications().count(title) == 1


def stored_beyond(settings: Settings, moment: time) -> bool:
    state = stored(settings).get("state")
    return state is not None and datetime.fromisoformat(state["now"]).time() >= moment


def test_a_system_tray_shows_the_icon_while_the_companion_runs(
    desktop: Desktop, settings: Settings
) -> None:
    desktop.start("tint2")  # a panel with a system tray (X11: no menu, see desktop/tray.py)
    wait_for(lambda: "✓ Tray: an icon shows" in _check(desktop, settings), "the tray")
    with companion(desktop, settings, "--away-after", "1000"):
        wait_for(partial(_docked, desktop), "the icon docked in the panel's tray", WAIT_S)
    wait_for(lambda: not _docked(desktop), "the icon gone with the companion", WAIT_S)


def _docked(desktop: Desktop) -> bool:
    tree = desktop.run("xwininfo", "-root", "-tree")
    return '"tint2"' in tree and '"backcoachSystemTrayIcon"' in tree.split('"tint2"', 1)[1]


def _check(desktop: Desktop, settings: Settings) -> str:
    return subprocess.run(
        [sys.executable, "-m", "backcoach", "companion", "--check"],
        env={**desktop.env, "BACKCOACH_DATA_DIR": str(settings.data_dir), "COLUMNS": "400",
             "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip


class StandIn:
    """A D-Bus service on the test's bus answering one method with ``value`` (the test sets it).

    For the parts Debian cannot run under Xvfb: the screen lockers (gnome-screensaver,
    cinnamon-screensaver, light-locker) need their session or display manager, and
    Mutter's idle monitor needs GNOME Shell.
    """

    def __init__(self, address: str, name: str, method: str, signature: str, value: Any) -> None:
        self.method, self.signature, self.value = method, signature, value
        self.stop = threading.Event()
        self.connection = open_dbus_connection(bus=address)
        Proxy(message_bus, self.connection).RequestName(name)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                message = self.connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.fields.get(HeaderFields.member) == self.method:
                reply = new_method_return(message, self.signature, (self.value,))
                self.connection.send(reply)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.connection.close()


def test_a_locked_screen_counts_as_away_and_no_break_comes_until_it_is_unlocked(
    desktop: Desktop, settings: Settings
) -> None:
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    screensaver = StandIn(address, "org.freedesktop.ScreenSaver", "GetActive", "b", False)
    try:
        assert "✓ Screen lock: org.freedesktop.ScreenSaver" in _check(desktop, settings)
        with companion(desktop, settings, "--away-after", "1000") as running:
            wait_for(partial(shown, desktop, 1), "a break", WAIT_S)
            desktop.press("take")
            wait_for(lambda: desktop.displayed() == 0, "taken", WAIT_S)
            screensaver.value = True
            wait_for(lambda: stored(settings).get("away") is True, "away while locked", WAIT_S)
            wait_for(
                partial(running.says, "The screen is locked: you count as away."),
                "The screen is locked: you count as away.",
                WAIT_S,
            )
            locked_at = datetime.fromisoformat(stored(settings)["state"]["now"])
            later = (locked_at + timedelta(minutes=40)).time()  # past a 15-minute interval
            wait_for(partial(stored_beyond, settings, later), "40 locked desk minutes", WAIT_S)
            assert stored(settings)["state"]["due"] is None
            assert desktop.notifications().count("Time for a break") == 1
            screensaver.value = False
            wait_for(lambda: stored(settings).get("away") is False, "back", WAIT_S)
            wait_for(partial(running.says, "Welcome back."), "Welcome back.", WAIT_S)
            wait_for(partial(shown, desktop, 2), "the next break after the lock", WAIT_S)
    finally:
        screensaver.close()


def test_the_desk_page_and_the_companion_count_each_minute_of_sitting_once(
    desktop: Desktop, settings: Settings
) -> None:
    page = DeskRuntime(ScaledClock(SCALE), source="web")  # what the /desk page's requests run
    with open_database(settings) as db:
        user_id = local_user(db).id
        with companion(desktop, settings, "--away-after", "1000"):
            wait_for(lambda: "state" in stored(settings), "the first tick", WAIT_S)
            first = sitting_so_far(settings)
            ticks = 0
            while ticks == 0 or page.clock.now() < first[0] + timedelta(minutes=30):
                page.tick(db, user_id=user_id, catalog=default_catalog())  # (its clock anchors)
                ticks += 1
                sleep(0.05)  # the page ticks about as often as the companion steps
            page.flush(db)
            assert ticks > 20
        last = sitting_so_far(settings)
    desk_minutes = (last[0] - first[0]).total_seconds() / 60
    counted_minutes = last[1] - first[1]
    assert sitting_from(settings, "companion") and sitting_from(settings, "web")
    assert desk_minutes > 20
    assert 0.5 * desk_minutes < counted_minutes <= desk_minutes + 0.5, (
        desk_minutes,
        counted_minutes,
    )


def sitting_from(settings: Settings, source: str) -> float:
    with open_database(settings) as db:
        total = db.execute(
            select(func.coalesce(func.sum(HabitLog.amount), 0.0)).where(
                HabitLog.kind == "sitting", HabitLog.source == source
            )
        ).scalar_one()
    return float(total)


def sitting_so_far(settings: Settings) -> tuple[datetime, float]:
    """The desk's time and its sitting minutes (stored rows and the slice not stored yet)."""
    with open_database(settings) as db:
        total = db.execute(
            select(func.coalesce(func.sum(HabitLog.amount), 0.0)).where(HabitLog.kind == "sitting")
        ).scalar_one()
        state = read_desk_state(db, user_id=local_user(db).id, source=DESK_ROW)
    assert state is not None
    now = datetime.fromisoformat(state["state"]["now"])
    return now, float(total) + state["unsaved_sitting_s"] / 60


def test_on_wayland_gnome_mutters_idle_monitor_tells_away_and_back(
    desktop: Desktop, settings: Settings
) -> None:
    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    mutter = StandIn(address, "org.gnome.Mutter.IdleMonitor", "GetIdletime", "t", 0)
    desktop.env = {**desktop.env, "XDG_SESSION_TYPE": "wayland"}
    try:
        check = _check(desktop, settings)
        assert "✓ Idle: GNOME's idle monitor (Mutter, on D-Bus)" in check
        assert "- Fullscreen: Wayland does not tell other programs" in check
        with companion(desktop, settings, "--away-after", "15") as running:  # 3 real seconds
            mutter.value = 4_000  # milliseconds without input
            wait_for(lambda: stored(settings).get("away") is True, "away", WAIT_S)
            wait_for(
                partial(running.says, "No keyboard or mouse input for a while: you count as away."),
                "No keyboard or mouse input for a while: you count as away.",
                WAIT_S,
            )
            mutter.value = 100
            wait_for(lambda: stored(settings).get("away") is False, "back", WAIT_S)
    finally:
        mutter.close()
