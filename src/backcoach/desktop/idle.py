"""How long nobody has touched the keyboard or mouse, from the desktop itself.

- X11 (and XWayland-less X sessions): the MIT-SCREEN-SAVER extension's idle time
  (``python-xlib``), the same counter ``xprintidle`` reads;
- GNOME on Wayland (and X11): Mutter's ``org.gnome.Mutter.IdleMonitor`` on D-Bus.

Other Wayland compositors offer ``ext-idle-notify-v1``, which needs a Wayland
client library that ships its protocol bindings; none is used here, so there
the companion says it has no idle source (``find_idle`` returns None).
"""

from __future__ import annotations

from typing import Protocol

from jeepney import DBusAddress
from Xlib import display as xdisplay
from Xlib.error import DisplayError, XError
from Xlib.ext import screensaver

from backcoach.desktop.bus import BusError, SessionBus

MUTTER = DBusAddress(
    "/org/gnome/Mutter/IdleMonitor/Core",
    bus_name="org.gnome.Mutter.IdleMonitor",
    interface="org.gnome.Mutter.IdleMonitor",
)


class IdleSource(Protocol):
    name: str  # "x11" or "mutter"

    def idle_s(self) -> float:
        """Seconds since the last keyboard or mouse input."""
        ...


class X11Idle:
    name = "x11"

    def __init__(self, display: xdisplay.Display) -> None:
        self.display = display
        self.root = display.screen().root

    @classmethod
    def open(cls, display: xdisplay.Display | None) -> X11Idle | None:
        if display is None or not display.has_extension(screensaver.extname):
            return None
        return cls(display)

    def idle_s(self) -> float:
        return float(self.root.screensaver_query_info().idle) / 1000.0


class MutterIdle:
    name = "mutter"

    def __init__(self, bus: SessionBus) -> None:
        self.bus = bus

    @classmethod
    def open(cls, bus: SessionBus | None) -> MutterIdle | None:
        if bus is None or not bus.has_owner(MUTTER.bus_name or ""):
            return None
        source = cls(bus)
        try:
            source.idle_s()
        except BusError:
            return None
        return source

    def idle_s(self) -> float:
        (ms,) = self.bus.call(MUTTER, "GetIdletime")
        return float(ms) / 1000.0


def open_display(name: str | None) -> xdisplay.Display | None:
    """The X display (``DISPLAY``), or None when there is none."""
    if not name:
        return None
    try:
        return xdisplay.Display(name)
    except (DisplayError, XError, OSError, ValueError):
        return None


def find_idle(
    display: xdisplay.Display | None, bus: SessionBus | None, *, wayland: bool
) -> IdleSource | None:
    """The best idle source: Mutter on Wayland (X11 only sees X clients there), else X11."""
    if wayland:
        return MutterIdle.open(bus)
    return X11Idle.open(display) or MutterIdle.open(bus)
