"""Desktop notifications with actions: the freedesktop.org Notifications service on D-Bus.

Every Linux desktop's notification server (GNOME Shell, Plasma, dunst, mako,
notification-daemon, xfce4-notifyd) speaks ``org.freedesktop.Notifications``:
``Notify`` shows a notification with action buttons, ``ActionInvoked`` says
which one was pressed, ``NotificationClosed`` that it went away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jeepney import DBusAddress, HeaderFields, MatchRule

from backcoach.desktop.bus import BusError, SessionBus

SERVICE = "org.freedesktop.Notifications"
ADDRESS = DBusAddress("/org/freedesktop/Notifications", bus_name=SERVICE, interface=SERVICE)
URGENCY_NORMAL = 1
NEVER_EXPIRE = 0


@dataclass(frozen=True)
class Server:
    """The notification server on this desktop."""

    name: str
    version: str
    actions: bool  # it shows action buttons


@dataclass(frozen=True)
class Pressed:
    """An action pressed on one of our notifications."""

    notification: int
    action: str


@dataclass(frozen=True)
class Closed:
    """One of our notifications went away (dismissed, expired or replaced)."""

    notification: int


class Notifications:
    """Shows notifications and tells which actions were pressed on them."""

    def __init__(self, bus: SessionBus, server: Server) -> None:
        self.bus = bus
        self.server = server
        self.ours: set[int] = set()
        bus.listen(MatchRule(type="signal", interface=SERVICE, member="ActionInvoked"))
        bus.listen(MatchRule(type="signal", interface=SERVICE, member="NotificationClosed"))

    @staticmethod
    def find(bus: SessionBus) -> Server | None:
        """The notification server, or None when no server answers."""
        try:
            name, _vendor, version, _spec = bus.call(ADDRESS, "GetServerInformation")
            (capabilities,) = bus.call(ADDRESS, "GetCapabilities")
        except BusError:
            return None
        return Server(name=str(name), version=str(version), actions="actions" in capabilities)

    def show(
        self,
        summary: str,
        body: str,
        *,
        actions: Sequence[tuple[str, str]] = (),
        replaces: int = 0,
        resident: bool = False,
    ) -> int:
        """Show (or replace) a notification; ``actions``: (key, label) pairs. Returns its id.

        Raises BusError when the server does not answer.
        """
        flat = [part for pair in actions for part in pair] if self.server.actions else []
        hints: dict[str, tuple[str, object]] = {
            "urgency": ("y", URGENCY_NORMAL),
            "desktop-entry": ("s", "backcoach"),
        }
        if resident:
            hints["resident"] = ("b", True)
        (notification,) = self.bus.call(
            ADDRESS,
            "Notify",
            "susssasa{sv}i",
            ("backcoach", replaces, "", summary, body, flat, hints,
             NEVER_EXPIRE if actions else -1),
        )  # fmt: skip
        self.ours.add(int(notification))
        return int(notification)

    def close(self, notification: int) -> None:
        try:
            self.bus.call(ADDRESS, "CloseNotification", "u", (notification,))
        except BusError:
            return
        finally:
            self.ours.discard(notification)

    def events(self, timeout_s: float) -> list[Pressed | Closed]:
        """Actions pressed on, and closings of, our notifications within ``timeout_s``."""
        found: list[Pressed | Closed] = []
        for message in self.bus.poll(timeout_s):
            member = message.header.fields.get(HeaderFields.member)
            body = message.body
            if not body or int(body[0]) not in self.ours:
                continue
            if member == "ActionInvoked":
                found.append(Pressed(int(body[0]), str(body[1])))
            elif member == "NotificationClosed":
                self.ours.discard(int(body[0]))
                found.append(Closed(int(body[0])))
        return found
