"""The break scheduler behind the ``/desk`` page, kept in the server for the local user.

The page ticks ``POST /api/v1/desk/tick`` about once a second; the scheduler
runs on the server's clock times ``Settings.time_scale`` (tests speed time
up). When no tick came for ``GAP_S`` real seconds (the page was closed, the
computer slept), that time counts as away, never as sitting. The day's
counters live in the store (``services/desk.py``), so a reload or a restart
shows the same figures; the countdown itself starts afresh with the server.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backcoach.coach import breaks
from backcoach.content import Catalog
from backcoach.services.desk import (
    BreakAction,
    DeskTimer,
    break_config,
    desk_day,
    local_day,
    reminders_on,
)

GAP_S = 90.0  # real seconds without a tick after which the page is taken as closed
SOURCE = "web"


class DueView(BaseModel):
    kind: Literal["micro", "rest"]
    move: str = Field(description="Exercise id of the suggested move; 'walk' for a rest break")
    name: str
    length_s: float


class TodayView(BaseModel):
    day: str
    breaks_taken: int
    breaks_snoozed: int
    breaks_skipped: int
    sitting_min: float
    walking_min: float
    posture_alerts: int
    bad_posture_min: float


class DeskView(BaseModel):
    """What the desk page shows: the due break or the countdown, and today's counters."""

    due: DueView | None
    next_kind: Literal["micro", "rest"]
    next_in_s: float = Field(description="Active (scaled) seconds until the next break")
    away: bool
    can_skip: bool
    skips_left: int
    reminders: bool
    time_scale: float
    today: TodayView


class DeskClock:
    """Local wall-clock time, running ``time_scale`` times faster from the moment it starts."""

    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self._origin = datetime.now().astimezone()
        self._real0 = time.monotonic()

    def real(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=(time.monotonic() - self._real0) * self.time_scale)


class DeskRuntime:
    """One scheduler for the local user, shared by every tab (guarded by a lock)."""

    def __init__(self, time_scale: float) -> None:
        self.clock = DeskClock(time_scale)
        self.lock = threading.Lock()
        self.timer: DeskTimer | None = None
        self.away = False
        self._last_tick_real: float | None = None

    def _timer(self, db: Session, user_id: int, catalog: Catalog) -> DeskTimer:
        # The request's user may have just been created and not yet committed; commit it,
        # or a request that stores nothing would leave the timer pointing at a lost user.
        db.commit()
        if self.timer is None or self.timer.user_id != user_id:
            self.timer = DeskTimer.begin(
                config=break_config(db, user_id=user_id, catalog=catalog),
                now=self.clock.now(),
                user_id=user_id,
                source=SOURCE,
            )
            self._last_tick_real = self.clock.real()
        return self.timer

    def tick(self, db: Session, *, user_id: int, catalog: Catalog) -> DeskView:
        with self.lock:
            timer = self._timer(db, user_id, catalog)
            real, now = self.clock.real(), self.clock.now()
            gap = real - (self._last_tick_real if self._last_tick_real is not None else real)
            self._last_tick_real = real
            # a long silence means nobody watched the page: that time was not at the desk
            timer.tick(db, now, active=not self.away and gap <= GAP_S)
            return self._view(db, timer, catalog)

    def view(self, db: Session, *, user_id: int, catalog: Catalog) -> DeskView:
        with self.lock:
            return self._view(db, self._timer(db, user_id, catalog), catalog)

    def act(
        self, db: Session, action: BreakAction, *, user_id: int, catalog: Catalog
    ) -> tuple[bool, DeskView]:
        """Take, snooze or skip the due break; False when there was nothing to do or allowed."""
        with self.lock:
            timer = self._timer(db, user_id, catalog)
            done = timer.act(db, action, self.clock.now())
            return done, self._view(db, timer, catalog)

    def set_away(self, db: Session, away: bool, *, user_id: int, catalog: Catalog) -> DeskView:
        with self.lock:
            timer = self._timer(db, user_id, catalog)
            if away != self.away:
                # the time up to now counts as it was: at the desk before "away", away before "back"
                timer.tick(db, self.clock.now(), active=not self.away)
                self._last_tick_real = self.clock.real()
                self.away = away
            return self._view(db, timer, catalog)

    def _view(self, db: Session, timer: DeskTimer, catalog: Catalog) -> DeskView:
        due = timer.due
        kind, seconds = timer.next_break()
        now = self.clock.now()
        day = desk_day(db, user_id=timer.user_id, day=local_day(now))
        due_view = None
        if due is not None:
            exercise = catalog.exercises.get(due.move)
            name = exercise.name if exercise is not None else "Stand up and walk"
            due_view = DueView(kind=due.kind.value, move=due.move, name=name, length_s=due.length_s)
        used = timer.state.counters.skipped
        return DeskView(
            due=due_view,
            next_kind=kind.value,
            next_in_s=round(seconds, 3),
            away=self.away,
            can_skip=breaks.can_skip(timer.state, config=timer.config),
            skips_left=max(0, timer.config.max_skips_per_day - used),
            reminders=reminders_on(db, user_id=timer.user_id),
            time_scale=self.clock.time_scale,
            today=TodayView(
                day=day.day.isoformat(),
                breaks_taken=day.breaks_taken,
                breaks_snoozed=day.breaks_snoozed,
                breaks_skipped=day.breaks_skipped,
                sitting_min=round(day.sitting_min + timer.unsaved_sitting_s / 60, 2),
                walking_min=round(day.walking_min, 2),
                posture_alerts=day.posture_alerts,
                bad_posture_min=round(day.bad_posture_min, 2),
            ),
        )
