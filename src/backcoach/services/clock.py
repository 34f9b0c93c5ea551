"""backcoach's clock: the one place that reads the time.

- ``wall()``: the real time now, time-zone aware (UTC); what rows store.
- ``local_tz()`` and ``local_today()``: backcoach runs on the person's own
  computer, so its time zone is theirs.
- ``SessionClock``: engine time in seconds, the wall clock sped up by
  ``Settings.time_scale`` (tests and demos run sessions fast).
- ``ScaledClock``: the desk companion's local time, sped up the same way, for the
  terminal and the browser alike (tests inject their own ``DeskClock``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol

from backcoach.config import Settings


def wall() -> datetime:
    return datetime.now(UTC)


def local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def local_today() -> date:
    return datetime.now(local_tz()).date()


@dataclass(frozen=True)
class SessionClock:
    """Engine time in seconds: wall-clock time sped up by the settings' time scale."""

    time_scale: float

    @classmethod
    def of(cls, settings: Settings) -> SessionClock:
        return cls(settings.time_scale)

    def now(self) -> float:
        return time.time() * self.time_scale

    @staticmethod
    def wall() -> datetime:
        return wall()


class DeskClock(Protocol):
    """The desk companion's clock: local time (possibly sped up) and real seconds."""

    def now(self) -> datetime:
        """Local, time-zone aware time."""
        ...

    def real(self) -> float:
        """Real (monotonic) seconds, for telling how long nothing was heard from a surface."""
        ...


class ScaledClock:
    """Local wall-clock time running ``time_scale`` times faster from the moment it starts.

    Used by the desk companion in the terminal and in the browser alike.
    """

    def __init__(self, time_scale: float = 1.0, *, start: datetime | None = None) -> None:
        self.time_scale = time_scale
        self._origin = start if start is not None else datetime.now().astimezone()
        self._real0 = time.monotonic()

    def real(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=(time.monotonic() - self._real0) * self.time_scale)
