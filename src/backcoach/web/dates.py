"""Local dates: backcoach runs on the person's own computer, so its time zone is theirs."""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def local_today() -> date:
    return datetime.now(local_tz()).date()
