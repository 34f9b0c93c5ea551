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
    record_posture,
    reminders_on,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.posture import PostureMonitor, PostureReading, PostureState

POSTURE_SLICE_S = 60.0  # posture minutes are stored at least a minute at a time
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


class PostureView(BaseModel):
    """What the posture monitor made of the landmarks the page sent."""

    state: Literal["upright", "slouched", "forward-head", "absent"]
    calibrating: bool
    alert: bool = Field(description="True when sustained bad posture raised an alert now")
    suggestion: str | None = Field(description="Exercise id of a move to do after an alert")
    suggestion_name: str | None
    frames: int


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
        self.posture: PostureMonitor | None = None  # the page's camera, when switched on
        self._posture_last_t = -1.0
        self._posture_stored_s: dict[PostureState, float] = {}

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
            # a long silence means nobody watched the page: that time was not at the desk;
            # with the camera on, nobody in view is away too
            active = not self.away and gap <= GAP_S and self._in_view()
            timer.tick(db, now, active=active)
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

    def _in_view(self) -> bool:
        monitor = self.posture
        if monitor is None or not monitor.spans:
            return True
        return monitor.spans[-1].state is not PostureState.ABSENT

    def watch(
        self,
        db: Session,
        frames: list[LandmarkFrame],
        *,
        user_id: int,
        catalog: Catalog,
        restart: bool = False,
    ) -> PostureView:
        """Feed landmark frames from the page's camera to the posture monitor.

        A restart (or time going backwards: the camera was switched on again)
        calibrates afresh. Alerts and posture minutes are stored as they come.
        """
        with self.lock:
            if restart or self.posture is None or (frames and frames[0].t_s < self._posture_last_t):
                self._store_minutes(db, user_id, force=True)
                self.posture, self._posture_stored_s = PostureMonitor(), {}
            monitor = self.posture
            alert: PostureReading | None = None
            reading: PostureReading | None = None
            for frame in frames:
                reading = monitor.update(frame)
                self._posture_last_t = frame.t_s
                if reading.alert:
                    alert = reading
            now = self.clock.now()
            if alert is not None:
                record_posture(db, user_id=user_id, now=now, alerts=1, source=SOURCE)
            self._store_minutes(db, user_id)
            state = monitor.spans[-1].state if monitor.spans else PostureState.ABSENT
            move = catalog.exercises.get(alert.suggestion) if alert and alert.suggestion else None
            return PostureView(
                state=state.value,
                calibrating=monitor.baseline is None,
                alert=alert is not None,
                suggestion=alert.suggestion if alert is not None else None,
                suggestion_name=move.name if move is not None else None,
                frames=monitor.frames,
            )

    def stop_watching(self, db: Session, *, user_id: int) -> None:
        with self.lock:
            self._store_minutes(db, user_id, force=True)
            self.posture, self._posture_stored_s = None, {}

    def _store_minutes(self, db: Session, user_id: int, *, force: bool = False) -> None:
        """Store the posture minutes not stored yet, in slices of at least POSTURE_SLICE_S."""
        monitor = self.posture
        if monitor is None:
            return
        seconds = {s: monitor.seconds_in(s) for s in PostureState}
        new = {s: v - self._posture_stored_s.get(s, 0.0) for s, v in seconds.items()}
        if sum(new.values()) < (1.0 if force else POSTURE_SLICE_S):
            return
        minutes = {s.value: v / 60 for s, v in new.items() if v > 0}
        record_posture(db, user_id=user_id, now=self.clock.now(), minutes_by_state=minutes,
                       source=SOURCE)  # fmt: skip
        self._posture_stored_s = seconds

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
