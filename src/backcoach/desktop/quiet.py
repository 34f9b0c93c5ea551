"""Times not to show a break: a fullscreen window, Do Not Disturb, a locked screen.

- fullscreen (X11): the window manager's ``_NET_ACTIVE_WINDOW`` carries
  ``_NET_WM_STATE_FULLSCREEN`` (any EWMH window manager: GNOME, Plasma, Xfce,
  Openbox, i3...);
- Do Not Disturb: dunst's ``paused`` property (``dunstctl set-paused``), the
  notification server's ``Inhibited`` property (Plasma), GNOME's
  ``show-banners`` setting off;
- a locked screen: ``GetActive`` of ``org.freedesktop.ScreenSaver`` (Plasma, Xfce,
  Cinnamon, MATE, ...) or ``org.gnome.ScreenSaver``.

Each ``find_*`` returns None where this desktop has no such signal.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from jeepney import DBusAddress
from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib.error import XError

from backcoach.desktop.bus import BusError, SessionBus
from backcoach.desktop.notifications import ADDRESS as NOTIFICATIONS

DUNST = DBusAddress(
    "/org/freedesktop/Notifications",
    bus_name="org.freedesktop.Notifications",
    interface="org.dunstproject.cmd0",
)
SCREENSAVERS = (
    DBusAddress(
        "/org/freedesktop/ScreenSaver",
        bus_name="org.freedesktop.ScreenSaver",
        interface="org.freedesktop.ScreenSaver",
    ),
    DBusAddress(
        "/org/gnome/ScreenSaver",
        bus_name="org.gnome.ScreenSaver",
        interface="org.gnome.ScreenSaver",
    ),
)
GNOME_SCHEMA = "org.gnome.desktop.notifications"
GNOME_SHELL = "gnome-shell"  # GNOME's notification server, as it names itself


class Signal(Protocol):
    """A desktop state that is on or off now (each class below is one)."""

    def on(self) -> bool: ...


class Quiet(StrEnum):
    """Why a break is held now."""

    FULLSCREEN = "fullscreen"
    DO_NOT_DISTURB = "do-not-disturb"
    LOCKED = "locked"


class Fullscreen:
    """The active window is fullscreen (X11, an EWMH window manager)."""

    def __init__(self, display: xdisplay.Display) -> None:
        self.display = display
        self.root = display.screen().root
        self.active = display.intern_atom("_NET_ACTIVE_WINDOW")
        self.state = display.intern_atom("_NET_WM_STATE")
        self.fullscreen = display.intern_atom("_NET_WM_STATE_FULLSCREEN")

    @classmethod
    def find(cls, display: xdisplay.Display | None) -> Fullscreen | None:
        """None without a window manager that names the active window."""
        if display is None:
            return None
        check = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
        root = display.screen().root
        try:
            supporting = root.get_full_property(check, Xatom.WINDOW)
        except XError:
            return None
        if supporting is None or not supporting.value:
            return None
        return cls(display)

    def on(self) -> bool:
        try:
            active = self.root.get_full_property(self.active, Xatom.WINDOW)
            if active is None or not active.value or active.value[0] == X.NONE:
                return False
            window = self.display.create_resource_object("window", active.value[0])
            state = window.get_full_property(self.state, Xatom.ATOM)
        except XError:
            return False  # the window closed meanwhile
        return state is not None and self.fullscreen in state.value


@dataclass(frozen=True)
class DoNotDisturb:
    """Do Not Disturb, as this desktop's notification server or settings tell it."""

    bus: SessionBus | None
    kind: str  # "dunst", "inhibited" (the server's property) or "gnome"

    @classmethod
    def find(cls, bus: SessionBus | None, server: str | None) -> DoNotDisturb | None:
        """``server``: the notification server's name (GNOME's setting counts only for GNOME's)."""
        if bus is not None:
            for kind in ("dunst", "inhibited"):
                found = cls(bus, kind)
                try:
                    found._read()
                except BusError:
                    continue
                return found
        gsettings = shutil.which("gsettings")
        if server == GNOME_SHELL and gsettings is not None and _gsettings(gsettings) is not None:
            return cls(None, "gnome")
        return None

    def _read(self) -> bool:
        if self.kind == "gnome":
            gsettings = shutil.which("gsettings")
            return gsettings is not None and _gsettings(gsettings) is False
        assert self.bus is not None
        if self.kind == "dunst":
            return bool(self.bus.get_property(DUNST, "paused"))
        return bool(self.bus.get_property(NOTIFICATIONS, "Inhibited"))

    def on(self) -> bool:
        try:
            return self._read()
        except BusError:
            return False


def _gsettings(program: str) -> bool | None:
    """GNOME's ``show-banners`` (False: Do Not Disturb), None without GNOME's schema."""
    try:
        done = subprocess.run(
            [program, "get", GNOME_SCHEMA, "show-banners"],
            capture_output=True, text=True, timeout=2, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return None if done.returncode or value not in ("true", "false") else value == "true"


@dataclass(frozen=True)
class ScreenLock:
    """The screen saver's lock, on D-Bus."""

    bus: SessionBus
    address: DBusAddress

    @classmethod
    def find(cls, bus: SessionBus | None) -> ScreenLock | None:
        if bus is None:
            return None
        for address in SCREENSAVERS:
            if bus.has_owner(address.bus_name or ""):
                return cls(bus, address)
        return None

    @property
    def name(self) -> str:
        return self.address.bus_name or ""

    def on(self) -> bool:
        try:
            return bool(self.bus.call(self.address, "GetActive")[0])
        except BusError:
            return False
