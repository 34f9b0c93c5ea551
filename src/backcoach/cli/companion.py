"""``backcoach companion``: the desk's break timer (and posture monitor) as a desktop process.

It needs no browser: breaks come as desktop notifications with actions (take,
snooze, skip), idle input counts as away, a fullscreen window, Do Not Disturb
or a locked screen hold a due break until they end, and a tray icon shows the
countdown and a menu where the desktop has a tray (a plain X11 tray: the icon
only). It runs the ``/desk`` page's own desk (``services.desk_runtime.DESK_ROW``):
one countdown, one day's skips, counted once, whichever of the two is open, and
carried on after a restart.

``--check`` says what works on this desktop and what falls back, and exits.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from backcoach.cli.app import app, console, err_console
from backcoach.cli.desk_breaks import (
    CameraOption,
    break_instructions,
    format_clock,
    short_number,
)
from backcoach.cli.desk_posture import (
    PostureRun,
    PresenceWatcher,
    camera_samples,
    open_camera,
    state_name,
)
from backcoach.coach.breaks import BreakKind, DueBreak
from backcoach.config import get_settings
from backcoach.content import Catalog, default_catalog
from backcoach.desktop.companion import Companion, Desktop, DesktopGone
from backcoach.desktop.found import Found, find_desktop
from backcoach.desktop.quiet import Quiet
from backcoach.desktop.tray import Tray, tray_has_menu
from backcoach.i18n import _, current_language
from backcoach.services.clock import ScaledClock
from backcoach.services.desk import BreakAction, record_posture
from backcoach.services.desk_runtime import DESK_ROW, DeskRuntime, DeskStatus, move_to_suggest
from backcoach.store import local_user, open_database
from backcoach.vision.posture import PostureReading, PostureState
from backcoach.vision.sources import VideoError

AWAY_AFTER_MIN = 5.0  # minutes without keyboard or mouse input that count as away
CAMERA_FPS = 2.0


def report(found: Found) -> list[tuple[bool, str]]:
    """What works (True) and what falls back (False), one line each, in plain words."""
    lines: list[tuple[bool, str]] = []
    if found.idle is not None and found.idle.name == "x11":
        lines.append(
            (
                True,
                _(
                    "Idle: X11 (XScreenSaver extension) tells when you leave the keyboard "
                    "and mouse."
                ),
            )
        )
    elif found.idle is not None:
        lines.append(
            (
                True,
                _(
                    "Idle: GNOME's idle monitor (Mutter, on D-Bus) tells when you leave "
                    "the keyboard and mouse."
                ),
            )
        )
    elif found.wayland:
        lines.append((False, _(
            "Idle: this Wayland desktop offers no idle source backcoach can read (it reads GNOME "
            "Mutter's idle monitor; ext-idle-notify-v1 needs a library backcoach does not have). "
            "Fallback: you count as at the desk while the companion runs; the camera (--camera) "
            "or the lock screen tell when you are away."
        )))  # fmt: skip
    else:
        lines.append((False, _(
            "Idle: no X11 display with the XScreenSaver extension and no GNOME idle monitor "
            "(macOS and Windows have no supported idle source yet). Fallback: you count as at the "
            "desk while the companion runs; the camera (--camera) or the lock screen tell when "
            "you are away."
        )))  # fmt: skip
    server = found.notifications.server if found.notifications is not None else None
    if server is None:
        lines.append((False, _(
            "Notifications: no notification server on the D-Bus session bus. Fallback: breaks "
            "are printed here; take, snooze or skip them on the /desk page or in the tray."
        )))  # fmt: skip
    elif server.actions:
        lines.append((True, _(
            "Notifications: {name} {version}, with buttons to take, snooze or skip a break."
        ).format(name=server.name, version=server.version)))  # fmt: skip
    else:
        lines.append((False, _(
            "Notifications: {name} {version} shows no buttons. Fallback: take, snooze or skip a "
            "break on the /desk page or in the tray."
        ).format(name=server.name, version=server.version)))  # fmt: skip
    if found.fullscreen is not None:
        lines.append((True, _("Fullscreen: a fullscreen window holds a due break until it ends.")))
    elif found.wayland:
        lines.append((False, _(
            "Fullscreen: Wayland does not tell other programs about fullscreen windows. "
            "Fallback: turn on Do Not Disturb for presentations and calls."
        )))  # fmt: skip
    else:
        lines.append((False, _(
            "Fullscreen: no X11 window manager that names the active window. Fallback: turn on "
            "Do Not Disturb for presentations and calls."
        )))  # fmt: skip
    dnd_names = {
        "dunst": _("dunst's pause"),
        "inhibited": _("the notification server's inhibit"),
        "gnome": _("GNOME's notification banners setting"),
    }
    if found.dnd is not None:
        dnd = _("Do Not Disturb (read from {source}): while it is on, a due break waits.")
        lines.append((True, dnd.format(source=dnd_names[found.dnd.kind])))
    else:
        lines.append((False, _(
            "Do Not Disturb: this desktop does not tell its Do Not Disturb state. Fallback: "
            "snooze a break, or turn off break reminders in Settings."
        )))  # fmt: skip
    if found.lock is not None:
        lines.append((True, _(
            "Screen lock: {service} tells when the screen is locked; a locked screen counts as "
            "away, holds breaks and switches the camera off."
        ).format(service=found.lock.name)))  # fmt: skip
    else:
        lines.append((False, _(
            "Screen lock: no screen saver on the D-Bus session bus tells when the screen is "
            "locked. Fallback: idle time counts as away instead."
        )))  # fmt: skip
    if found.tray is not None and tray_has_menu():
        lines.append(
            (True, _("Tray: an icon shows the countdown and a menu to take, snooze or skip."))
        )
    elif found.tray is not None:
        lines.append((True, _(
            "Tray: an icon shows that backcoach runs (this tray shows no menu: take, snooze or "
            "skip a break in the notification)."
        )))  # fmt: skip
    else:
        lines.append((False, _("Tray: this desktop has no system tray, so there is no tray icon.")))
    return lines


class CompanionWords:
    """The companion's user-visible text, in the reader's language."""

    def __init__(self, catalog: Catalog, snooze_s: float, skips: int) -> None:
        self.catalog = catalog
        self.snooze_s = snooze_s
        self.skips = skips
        self.camera: CameraSwitch | None = None  # the posture monitor's alerts come from it

    def break_due(self, due: DueBreak) -> tuple[str, str]:
        title, lines = break_instructions(due, self.catalog)
        return _("Time for a break"), f"{title}. {lines[0]}"

    def actions(self) -> list[tuple[str, str]]:
        return [
            ("default", _("Take the break")),
            (BreakAction.TAKE.value, _("Take the break")),
            (BreakAction.SNOOZE.value, _("Snooze")),
            (BreakAction.SKIP.value, _("Skip")),
        ]

    def acted(self, action: BreakAction, done: bool) -> str:
        if not done and action is BreakAction.SKIP:
            return _("No skips left today ({used} used). Take the break or snooze it.").format(
                used=self.skips
            )
        if not done:
            return _("No break is due.")
        return {
            BreakAction.TAKE: _("Well done. Break counted."),
            BreakAction.SNOOZE: _("Snoozed for {minutes} minutes.").format(
                minutes=short_number(self.snooze_s / 60)
            ),
            BreakAction.SKIP: _("Break skipped."),
        }[action]

    def held(self, why: Quiet) -> str:
        return {
            Quiet.FULLSCREEN: _("A break is due; it waits until the fullscreen window ends."),
            Quiet.DO_NOT_DISTURB: _("A break is due; it waits until Do Not Disturb is off."),
            Quiet.LOCKED: _("A break is due; it waits until the screen is unlocked."),
        }[why]

    def away(self, away: bool, *, locked: bool) -> str:
        if not away:
            return _("Welcome back.")
        if locked:
            return _("The screen is locked: you count as away.")
        return _("No keyboard or mouse input for a while: you count as away.")

    def posture(self, status: DeskStatus) -> tuple[str, str] | None:
        camera = self.camera
        if camera is None or camera.alert is None:
            return None
        alert, camera.alert = camera.alert, None
        suggestion = move_to_suggest(alert.suggestion, status.block)
        if suggestion is None:
            return None
        move = self.catalog.exercises.get(suggestion)
        name = move.name if move is not None else _("stand up and walk")
        return _("Check your posture"), _("You have been {state} for a while. Try: {move}.").format(
            state=state_name(alert.state), move=name
        )

    def countdown(self, status: DeskStatus) -> str:
        if status.due is not None:
            return _("backcoach: a break is due")
        if status.away:
            return _("backcoach: you are away, the break clock is paused")
        text = (
            _("Rest break in {time}")
            if status.next_kind is BreakKind.REST
            else _("Micro-break in {time}")
        )
        return "backcoach: " + text.format(time=format_clock(status.next_in_s))


class CameraSwitch:
    """The posture monitor on a webcam, off while the screen is locked.

    Each time it is switched off, the posture minutes and alerts it saw are stored
    (as ``backcoach breaks --camera`` stores them).
    """

    def __init__(self, index: int, db: Session, runtime: DeskRuntime, user_id: int) -> None:
        self.index = index
        self.db = db
        self.runtime = runtime
        self.user_id = user_id
        self.watcher: PresenceWatcher | None = None
        self.alert: PostureReading | None = None  # the latest alert, until shown

    def switch(self, on: bool) -> None:
        if not on:
            if self.watcher is not None:
                self.watcher.stop()
                self._store(self.watcher.run)
                self.watcher = None
            return
        if self.watcher is not None:
            return
        try:
            camera = open_camera(self.index)
        except VideoError as exc:
            err_console.print(f"[yellow]{exc}[/] " + _("Breaks work without the camera."))
            return
        self.watcher = PresenceWatcher(camera_samples(camera, CAMERA_FPS), stop=camera.stop).start()

    def _store(self, run: PostureRun) -> None:
        if run.frames == 0:
            return
        record_posture(
            self.db,
            user_id=self.user_id,
            now=self.runtime.clock.now(),
            alerts=run.monitor.alerts,
            minutes_by_state={str(s): run.monitor.seconds_in(s) / 60 for s in PostureState},
            source="camera",
        )
        self.db.commit()

    def present(self) -> bool:
        watcher = self.watcher
        if watcher is None:
            return True
        if watcher.alert is not None:
            self.alert, watcher.alert = watcher.alert, None
        return watcher.present()


@contextmanager
def _stop_on_signals(companion: Companion) -> Iterator[None]:
    def stop(_signum: int, _frame: FrameType | None) -> None:
        companion.stopping.set()

    before = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@app.command(
    help=_(
        "The desk companion on your desktop, no browser needed: break reminders as desktop "
        "notifications with buttons (take, snooze, skip), away when you leave the keyboard "
        "and mouse, breaks held during fullscreen windows, Do Not Disturb and a locked "
        "screen, and a tray icon. It runs the same desk as the /desk page."
        "\n\nRun it with --check to see what works on this desktop and what falls back."
    )
)
def companion(
    check: Annotated[
        bool, typer.Option("--check", help=_("Say what works on this desktop, then quit."))
    ] = False,
    camera: CameraOption = None,
    away_after: Annotated[
        float,
        typer.Option(
            "--away-after",
            min=0.1,
            help=_("Minutes without keyboard or mouse input that count as away."),
        ),
    ] = AWAY_AFTER_MIN,
) -> None:
    found = find_desktop(os.environ)
    with ExitStack() as stack:
        stack.callback(found.close)
        for works, line in report(found):
            mark = "[green]✓[/]" if works else "[yellow]-[/]"
            console.print(f"{mark} {line}", highlight=False)
        if check:
            return
        _run(found, stack, camera=camera, away_after_min=away_after)


def _run(found: Found, stack: ExitStack, *, camera: int | None, away_after_min: float) -> None:
    settings = get_settings()
    catalog = default_catalog(current_language())
    runtime = DeskRuntime(ScaledClock(settings.time_scale), source="companion", row=DESK_ROW)
    db = stack.enter_context(open_database(settings))
    user = local_user(db)
    db.commit()
    status = runtime.status(db, user_id=user.id, catalog=catalog)
    assert runtime.timer is not None
    config = runtime.timer.config
    words = CompanionWords(catalog, config.snooze_s, config.max_skips_per_day)
    camera_switch = CameraSwitch(camera, db, runtime, user.id) if camera is not None else None
    words.camera = camera_switch
    if camera_switch is not None:
        camera_switch.switch(True)
        stack.callback(camera_switch.switch, False)
    desktop = Desktop(
        notifications=found.notifications,
        idle=found.idle,
        fullscreen=found.fullscreen,
        dnd=found.dnd,
        lock=found.lock,
    )
    loop = Companion(
        db=db,
        runtime=runtime,
        catalog=catalog,
        user_id=user.id,
        desktop=desktop,
        words=words,
        say=lambda text: console.print(text, highlight=False),
        away_after_s=away_after_min * 60 / settings.time_scale,
        camera=camera_switch,
    )
    tray: Tray | None = None
    live = found.tray is not None and tray_has_menu()  # a tray that shows the name as it changes
    if found.tray is not None:
        tray = Tray(
            words.countdown(status) if live else "backcoach",
            [
                (_("Take the break"), lambda: loop.pressed.put(BreakAction.TAKE)),
                (_("Snooze"), lambda: loop.pressed.put(BreakAction.SNOOZE)),
                (_("Skip"), lambda: loop.pressed.put(BreakAction.SKIP)),
                (_("Quit"), loop.stopping.set),
            ],
        ).start()
        stack.callback(tray.stop)
    console.print(_("The companion is running; it stops with Ctrl-C."), highlight=False)
    with _stop_on_signals(loop):
        try:
            loop.run(
                lambda status: (
                    tray.set_title(words.countdown(status)) if tray is not None and live else None
                )
            )
        except DesktopGone:
            found.display = found.bus = None  # nothing left to close
            console.print(_("The desktop session ended; the companion stops."), highlight=False)
