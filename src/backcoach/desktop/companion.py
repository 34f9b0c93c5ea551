"""The companion's loop: the desk runtime, driven by what the desktop tells.

Every ``step`` (a few times a second):

1. actions pressed on a notification or in the tray (take, snooze, skip) go to
   ``DeskRuntime.act``, the same call the ``/desk`` page's buttons make;
2. idle input for longer than ``away_after_s`` real seconds, or a locked screen,
   counts as away (``DeskRuntime.set_away``); input again counts as back;
3. the runtime ticks (a camera that sees nobody counts as away too);
4. a due break is shown as a notification with its actions, unless the screen
   is quiet (a fullscreen window, Do Not Disturb, the lock): then it is HELD,
   still due, and shown as soon as the quiet ends. A break taken, snoozed or
   skipped elsewhere (the ``/desk`` page) closes its notification;
5. the daily session reminder (``services.reminders``) is shown once it is due,
   also only while the screen is not quiet and you are at the desk.

The camera (``Camera``) is switched off while the screen is locked.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session
from Xlib.error import ConnectionClosedError

from backcoach.coach.breaks import DueBreak
from backcoach.content import Catalog
from backcoach.desktop.bus import BusError
from backcoach.desktop.idle import IdleSource
from backcoach.desktop.notifications import Closed, Notifications, Pressed
from backcoach.desktop.quiet import Quiet, Signal
from backcoach.services.desk import BreakAction
from backcoach.services.desk_runtime import DeskRuntime, DeskStatus
from backcoach.services.reminders import due_session_reminder, mark_session_reminded

STEP_S = 0.25  # real seconds between steps
REMINDER_CHECK_S = 2.0  # real seconds between looks for the daily session reminder


class DesktopGone(Exception):
    """The X display or the session bus went away (the desktop session ended)."""


@dataclass
class Desktop:
    """What this desktop offers (None: not there)."""

    notifications: Notifications | None = None
    idle: IdleSource | None = None
    fullscreen: Signal | None = None  # quiet.Fullscreen
    dnd: Signal | None = None  # quiet.DoNotDisturb
    lock: Signal | None = None  # quiet.ScreenLock

    def quiet(self) -> Quiet | None:
        """Why not to show a break now, if at all."""
        if self.lock is not None and self.lock.on():
            return Quiet.LOCKED
        if self.fullscreen is not None and self.fullscreen.on():
            return Quiet.FULLSCREEN
        if self.dnd is not None and self.dnd.on():
            return Quiet.DO_NOT_DISTURB
        return None


class Words(Protocol):
    """The companion's user-visible text (``cli/companion.py`` words it)."""

    def break_due(self, due: DueBreak) -> tuple[str, str]:
        """The notification's summary and body for a due break."""
        ...

    def actions(self) -> list[tuple[str, str]]:
        """(action key, label) for the notification's buttons."""
        ...

    def acted(self, action: BreakAction, done: bool) -> str: ...

    def held(self, why: Quiet) -> str: ...

    def away(self, away: bool, *, locked: bool) -> str: ...

    def posture(self, status: DeskStatus) -> tuple[str, str] | None:
        """A posture alert's notification, when the camera raised one since the last step
        (its move as ``status`` allows: walking while exercise is blocked)."""
        ...


class Camera(Protocol):
    """The posture monitor on a webcam, switched on and off."""

    def present(self) -> bool: ...

    def switch(self, on: bool) -> None: ...


@dataclass
class Companion:
    db: Session
    runtime: DeskRuntime
    catalog: Catalog
    user_id: int
    desktop: Desktop
    words: Words
    say: Callable[[str], None]
    away_after_s: float  # real seconds without input that count as away
    camera: Camera | None = None
    pressed: queue.Queue[BreakAction] = field(default_factory=queue.Queue)  # from the tray
    stopping: threading.Event = field(default_factory=threading.Event)
    shown: int | None = None  # our notification of the due break
    shown_due: DueBreak | None = None
    held: Quiet | None = None
    away: bool = False
    locked: bool = False
    next_reminder_check: float = 0.0

    def run(self, on_step: Callable[[DeskStatus], None] | None = None) -> None:
        """Step until ``stopping`` is set; the sitting time is stored on the way out."""
        try:
            while not self.stopping.is_set():
                status = self.step()
                if on_step is not None:
                    on_step(status)
        except (OSError, ConnectionClosedError) as exc:
            raise DesktopGone(str(exc)) from exc
        finally:
            self.runtime.flush(self.db)
            if self.shown is not None and self.desktop.notifications is not None:
                with suppress(OSError):
                    self.desktop.notifications.close(self.shown)

    def step(self) -> DeskStatus:
        for action in self._actions():
            done, _status = self.runtime.act(
                self.db, action, user_id=self.user_id, catalog=self.catalog
            )
            self.say(self.words.acted(action, done))
        quiet = self.desktop.quiet()
        self._presence(quiet is Quiet.LOCKED)
        present = self.camera is None or self.camera.present()
        status = self.runtime.tick(
            self.db, user_id=self.user_id, catalog=self.catalog, present=present
        )
        self._show(status, quiet)
        alert = self.words.posture(status)
        if alert is not None and status.reminders and quiet is None:
            self._notify(*alert, with_actions=False)
        if quiet is None and not self.away:
            self._remind()
        return status

    def _remind(self) -> None:
        """Show the daily session reminder once it is due (``services.reminders``)."""
        real = self.runtime.clock.real()
        if real < self.next_reminder_check:
            return
        self.next_reminder_check = real + REMINDER_CHECK_S
        now = self.runtime.clock.now()
        reminder = due_session_reminder(
            self.db, user_id=self.user_id, now=now, catalog=self.catalog
        )
        self.db.commit()  # end the read
        if reminder is not None:
            self.say(f"{reminder.title}: {reminder.body}")
            self._notify(reminder.title, reminder.body, with_actions=False)
            mark_session_reminded(self.db, user_id=self.user_id, now=now)

    def _actions(self) -> list[BreakAction]:
        found: list[BreakAction] = []
        notifications = self.desktop.notifications
        if notifications is not None:
            for event in notifications.events(STEP_S):
                if isinstance(event, Pressed) and event.notification == self.shown:
                    key = "take" if event.action == "default" else event.action
                    if key in {a.value for a in BreakAction}:
                        found.append(BreakAction(key))
                elif isinstance(event, Closed) and event.notification == self.shown:
                    self.shown = None  # dismissed: the break stays due, not shown again
        else:
            self.stopping.wait(STEP_S)
        while not self.pressed.empty():
            found.append(self.pressed.get_nowait())
        return found

    def _presence(self, locked: bool) -> None:
        idle = self.desktop.idle
        idle_away = idle is not None and idle.idle_s() >= self.away_after_s
        away = locked or idle_away
        if locked != self.locked:
            self.locked = locked
            if self.camera is not None:
                self.camera.switch(not locked)
        if away != self.away:
            self.away = away
            self.runtime.set_away(self.db, away, user_id=self.user_id, catalog=self.catalog)
            self.say(self.words.away(away, locked=locked))

    def _show(self, status: DeskStatus, quiet: Quiet | None) -> None:
        due = status.due
        if due is None:
            if self.shown is not None and self.desktop.notifications is not None:
                self.desktop.notifications.close(self.shown)
            self.shown, self.shown_due, self.held = None, None, None
            return
        if due == self.shown_due:
            return
        if quiet is not None or self.away:
            if self.held != quiet and quiet is not None:
                self.say(self.words.held(quiet))
            self.held = quiet
            return
        self.held = None
        if not status.reminders:
            return
        summary, body = self.words.break_due(due)
        self.say(f"{summary}: {body}")
        self.shown = self._notify(summary, body, with_actions=True)
        self.shown_due = due

    def _notify(self, summary: str, body: str, *, with_actions: bool) -> int | None:
        notifications = self.desktop.notifications
        if notifications is None:
            return None
        actions = self.words.actions() if with_actions else []
        try:
            return notifications.show(summary, body, actions=actions, resident=with_actions)
        except BusError as exc:
            self.say(str(exc))
            return None
