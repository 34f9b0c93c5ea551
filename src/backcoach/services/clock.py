"""backcoach's clock: the one place that reads the time.

- ``wall()``: the real time now, time-zone aware (UTC); what rows store.
- ``local_tz()`` and ``local_today()``: backcoach runs on the person's own
  computer, so its time zone is theirs.
- ``SessionClock``: engine time in seconds, the wall clock sped up by
  ``Settings.time_scale`` (tests and demos run sessions fast).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

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
