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
from datetime import UTC, date, datetime, tzinfo
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
        """Real seconds, for telling how long nothing was heard from a surface."""
        ...


class ScaledClock:
    """Local wall-clock time running ``time_scale`` times faster from ``origin_real`` on.

    Used by the desk companion in the terminal and in the browser alike. At
    ``origin_real`` (real Unix seconds; default: when the clock is made) desk time
    and real time agree; at a time scale of 1 desk time is always real time. Two
    processes with the same origin tell the same desk time (``anchored``), so
    several server workers can run one desk.
    """

    def __init__(self, time_scale: float = 1.0, *, origin_real: float | None = None) -> None:
        self.time_scale = time_scale
        self.origin_real = time.time() if origin_real is None else origin_real

    def anchored(self, origin_real: float) -> ScaledClock:
        """The same clock started at ``origin_real`` (a shared origin)."""
        return ScaledClock(self.time_scale, origin_real=origin_real)

    def real(self) -> float:
        """Real Unix seconds: comparable between processes, and after a restart."""
        return time.time()

    def now(self) -> datetime:
        scaled = self.origin_real + (time.time() - self.origin_real) * self.time_scale
        return datetime.fromtimestamp(scaled).astimezone()
