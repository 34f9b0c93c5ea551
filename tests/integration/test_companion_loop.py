"""The companion's loop on a stored desk, step by step, with the desktop's signals as switches.

The real desktop (Xvfb, D-Bus, dunst) is in ``test_companion_desktop.py``; here the
loop's own rules: a lock switches the camera off and on again, a quiet desktop
holds the due break and lets it out afterwards, and tray presses reach the desk.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backcoach.cli.companion import CompanionWords
from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.desktop.companion import Companion, Desktop
from backcoach.desktop.quiet import Quiet
from backcoach.services.desk import BreakAction
from backcoach.services.desk_runtime import DESK_ROW, DeskRuntime
from backcoach.services.preferences import PreferencesUpdate, save_preferences
from backcoach.store import local_user, open_database


class Clock:
    def __init__(self) -> None:
        self.real_s = 1_000.0
        self.start = datetime(2026, 11, 25, 9, 0).astimezone()

    def real(self) -> float:
        return self.real_s

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.real_s - 1_000.0)

    def advance(self, minutes: float) -> None:
        self.real_s += minutes * 60


class Switch:
    """A desktop signal (fullscreen, Do Not Disturb, lock) the test turns on and off."""

    def __init__(self) -> None:
        self.value = False

    def on(self) -> bool:
        return self.value


class Camera:
    def __init__(self) -> None:
        self.switched: list[bool] = []

    def present(self) -> bool:
        return True

    def switch(self, on: bool) -> None:
        self.switched.append(on)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    with open_database(Settings(data_dir=tmp_path / "data")) as session:
        yield session


def loop(db: Session, clock: Clock, desktop: Desktop, said: list[str]) -> Companion:
    catalog = default_catalog()
    user = local_user(db)
    db.commit()
    return Companion(
        db=db,
        runtime=DeskRuntime(clock, source="companion", row=DESK_ROW),
        catalog=catalog,
        user_id=user.id,
        desktop=desktop,
        words=CompanionWords(catalog, 300, 3),
        say=said.append,
        away_after_s=300,
        camera=Camera(),
    )


def test_a_lock_switches_the_camera_off_and_unlocking_on_again(db: Session) -> None:
    lock = Switch()
    said: list[str] = []
    companion = loop(db, Clock(), Desktop(lock=lock), said)
    camera = companion.camera
    assert isinstance(camera, Camera)
    companion.step()
    lock.value = True
    companion.step()
    companion.step()
    lock.value = False
    companion.step()
    assert camera.switched == [False, True]
    assert said == ["The screen is locked: you count as away.", "Welcome back."]


def test_a_quiet_desktop_holds_the_due_break_and_a_tray_press_takes_it(db: Session) -> None:
    clock, fullscreen, dnd = Clock(), Switch(), Switch()
    said: list[str] = []
    companion = loop(db, clock, Desktop(fullscreen=fullscreen, dnd=dnd), said)
    save_preferences(db, user_id=companion.user_id, update=PreferencesUpdate(break_minutes=15))
    companion.step()
    fullscreen.value = dnd.value = True
    for _minute in range(12):  # past 15 minutes, in steps shorter than the gap taken as closed
        clock.advance(1.4)
        status = companion.step()
    assert status.due is not None and held(companion) is Quiet.FULLSCREEN
    fullscreen.value = False
    companion.step()
    assert held(companion) is Quiet.DO_NOT_DISTURB and companion.shown_due is None
    dnd.value = False
    companion.step()
    assert held(companion) is None and companion.shown_due == status.due
    assert said[:2] == [
        "A break is due; it waits until the fullscreen window ends.",
        "A break is due; it waits until Do Not Disturb is off.",
    ]
    assert said[2].startswith("Time for a break: Micro-break")
    companion.pressed.put(BreakAction.TAKE)
    after = companion.step()
    assert after.due is None and after.day.breaks_taken == 1
    assert said[3] == "Well done. Break counted."


def held(companion: Companion) -> Quiet | None:
    return companion.held
