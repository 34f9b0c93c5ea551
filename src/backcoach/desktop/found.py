"""What ``backcoach companion`` found on this desktop: the session bus, the display and
each part (None where a part is not there), found once at start and closed at the end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from Xlib import display as xdisplay

from backcoach.desktop.bus import BusError, SessionBus
from backcoach.desktop.idle import IdleSource, find_idle, open_display
from backcoach.desktop.notifications import Notifications
from backcoach.desktop.quiet import DoNotDisturb, Fullscreen, ScreenLock
from backcoach.desktop.tray import find_tray


@dataclass
class Found:
    """The parts of this desktop the companion can use (None: not there)."""

    display: xdisplay.Display | None
    bus: SessionBus | None
    wayland: bool
    idle: IdleSource | None
    notifications: Notifications | None
    fullscreen: Fullscreen | None
    dnd: DoNotDisturb | None
    lock: ScreenLock | None
    tray: str | None
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.bus is not None:
            self.bus.close()
        if self.display is not None:
            self.display.close()


def find_desktop(environ: Mapping[str, str]) -> Found:
    """Each part of the desktop ``environ`` names (its display, session bus, session type)."""
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
    display = open_display(environ.get("DISPLAY"))
    bus: SessionBus | None = None
    if environ.get("DBUS_SESSION_BUS_ADDRESS"):
        try:
            bus = SessionBus.open()
        except BusError:
            bus = None
    server = Notifications.find(bus) if bus is not None else None
    return Found(
        display=display,
        bus=bus,
        wayland=wayland,
        idle=find_idle(display, bus, wayland=wayland),
        notifications=None if bus is None or server is None else Notifications(bus, server),
        fullscreen=None if wayland else Fullscreen.find(display),
        dnd=DoNotDisturb.find(bus, None if server is None else server.name),
        lock=ScreenLock.find(bus),
        tray=find_tray(display, bus),
    )
