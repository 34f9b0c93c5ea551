"""The D-Bus session bus, through ``jeepney`` (pure Python, no GLib main loop).

One ``SessionBus`` is used from one thread (the companion's loop): calls are
blocking with a short timeout, and signals the companion listens for are
queued by ``listen`` and read by ``poll``.
"""

from __future__ import annotations

from collections import deque
from contextlib import ExitStack
from typing import Any

from jeepney import (
    DBusAddress,
    MatchRule,
    Message,
    MessageType,
    Properties,
    message_bus,
    new_method_call,
)
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection

CALL_TIMEOUT_S = 2.0


class BusError(Exception):
    """The bus could not be reached, or a call on it failed."""


class SessionBus:
    """A connection to the session bus (``DBUS_SESSION_BUS_ADDRESS``)."""

    def __init__(self, connection: DBusConnection) -> None:
        self.connection = connection
        self._filters = ExitStack()
        self._signals: deque[Message] = deque(maxlen=256)

    @classmethod
    def open(cls) -> SessionBus:
        """Raises BusError when there is no session bus."""
        try:
            return cls(open_dbus_connection(bus="SESSION"))
        except (OSError, KeyError, ValueError) as exc:
            raise BusError(str(exc)) from exc

    def close(self) -> None:
        self._filters.close()
        self.connection.close()

    def call(
        self,
        address: DBusAddress,
        method: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
    ) -> tuple[Any, ...]:
        """Call a method; raises BusError on an error reply or a timeout."""
        message = new_method_call(address, method, signature, body)
        try:
            reply = self.connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise BusError(str(exc)) from exc
        if reply.header.message_type is MessageType.error:
            raise BusError(str(reply.body[0]) if reply.body else "D-Bus error")
        return tuple(reply.body)

    def get_property(self, address: DBusAddress, name: str) -> Any:
        """A property's value (the variant unpacked); raises BusError."""
        message = Properties(address).get(name)
        try:
            reply = self.connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise BusError(str(exc)) from exc
        if reply.header.message_type is MessageType.error:
            raise BusError(str(reply.body[0]) if reply.body else "D-Bus error")
        return reply.body[0][1]

    def has_owner(self, name: str) -> bool:
        """Whether a service of that name is on the bus now."""
        try:
            return bool(
                Proxy(message_bus, self.connection, timeout=CALL_TIMEOUT_S).NameHasOwner(name)[0]
            )
        except (OSError, TimeoutError):
            return False

    def listen(self, rule: MatchRule) -> None:
        """Queue the signals matching ``rule`` for ``poll``."""
        Proxy(message_bus, self.connection, timeout=CALL_TIMEOUT_S).AddMatch(rule)
        self._filters.enter_context(self.connection.filter(rule, queue=self._signals))

    def poll(self, timeout_s: float) -> list[Message]:
        """The signals that came within ``timeout_s`` (at least the first one waits that long)."""
        try:
            first = self.connection.recv_until_filtered(self._signals, timeout=timeout_s)
        except TimeoutError:
            return []
        found = [first]
        while self._signals:
            found.append(self._signals.popleft())
        return found
