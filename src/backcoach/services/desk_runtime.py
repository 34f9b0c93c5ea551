"""The running desk companion: one break timer, the away/back accounting and the posture feed.

``backcoach breaks`` and the ``/desk`` page both run a ``DeskRuntime`` on an
injected clock (``services.clock.ScaledClock`` in real use), so the terminal and
the browser count sitting, away time and breaks by the same rules:

- time up to an "away" counts as at the desk, time up to a "back" as away;
- when a surface has not ticked for ``GAP_S`` real seconds (the page was closed,
  the computer slept), that time counts as away, never as sitting;
- with a camera on, nobody in view counts as away too.

While exercise is blocked (a red flag in the safety screening,
``services.safety.exercise_block``) breaks still come due, but none suggests an
exercise: a due micro-break and a posture alert say "stand up and walk"
(``WALK``) instead of a move, and the status carries the block.

Every action is written to the store as it happens (``services.desk``), in one
commit per call; sitting and posture minutes are written in slices. The timer's
own state (countdown, away flag, skips and snoozes, the posture monitor) is
stored too, per user and surface, under the row's write lock
(``store.desk_state``), so any server worker carries on where another left off.
One lock also guards the runtime in its process, since a web server may tick
it from several requests at once.

The ``/desk`` page and ``backcoach companion`` (the desktop process) run ONE
desk: the companion keeps its state in the page's row (``row=DESK_ROW``), so a
tick from either carries the one countdown, away flag and day's skips on from
where the other left them. Each tick counts only the time since the stored
state's time, so sitting time counted by one surface is never counted again by
the other, and a restart of either carries on from the row (time while no
surface ticked counts as away, as above). The habit logs still name the surface
that wrote them (``source``). ``backcoach breaks`` keeps a row of its own: it is
a session in one terminal, started and ended by hand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from backcoach.coach import breaks
from backcoach.coach.breaks import BreakConfig, BreakKind, DueBreak
from backcoach.content import Catalog
from backcoach.services.clock import DeskClock, ScaledClock
from backcoach.services.desk import (
    BreakAction,
    DeskDay,
    DeskTimer,
    break_config,
    desk_day,
    local_day,
    record_posture,
    record_walk,
)
from backcoach.services.desk_codec import DeskSnapshot, snapshot_from_json, snapshot_to_json
from backcoach.services.posture_profiles import latest_profile
from backcoach.services.preferences import load_preferences, reminders_on
from backcoach.services.safety import Block, exercise_block
from backcoach.store import (
    desk_clock_origin,
    lock_desk_state,
    read_desk_state,
    save_desk_state,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.posture import PostureConfig, PostureMonitor, PostureReading, PostureState

POSTURE_SLICE_S = 60.0  # posture minutes are stored at least a minute at a time
GAP_S = 90.0  # real seconds without a tick after which the surface is taken as closed
DESK_ROW = "web"  # the stored row the /desk page and the companion share
WALK = "walk"  # the suggestion of a rest break, and of every break while exercise is blocked


def break_to_suggest(due: DueBreak | None, block: Block | None) -> DueBreak | None:
    """The due break as it is to be shown: walking instead of a move while exercise is blocked."""
    if due is None or block is None or due.move == WALK:
        return due
    return replace(due, move=WALK)


def move_to_suggest(move: str | None, block: Block | None) -> str | None:
    """A suggested move (e.g. after a posture alert): walking while exercise is blocked."""
    return WALK if move is not None and block is not None else move


@dataclass(frozen=True)
class DeskStatus:
    """The timer as it stands: the due break or the countdown, and today's counters."""

    due: DueBreak | None  # as to be shown (``break_to_suggest``)
    fired: DueBreak | None  # a break that became due with this call, as to be shown
    next_kind: BreakKind
    next_in_s: float
    away: bool
    can_skip: bool
    skips_left: int
    reminders: bool
    day: DeskDay
    unsaved_sitting_s: float
    block: Block | None  # why breaks suggest no exercise now


@dataclass(frozen=True)
class PostureStatus:
    """What the posture monitor made of the frames it was given."""

    state: PostureState
    calibrating: bool
    alert: PostureReading | None
    suggestion: str | None  # the move to do after ``alert`` (``WALK`` while blocked)
    frames: int


class DeskRuntime:
    """One desk companion for one surface ("web", "terminal", "companion"), for any user.

    Its state lives in the database (``store.desk_state``, one row per user and
    ``row``, by default the surface's own): every call takes the row's write
    lock, loads the state, applies the rules and saves it in the same
    transaction as the counters it writes,
    so several server workers (and the next request) run one desk. A runtime
    given a ``timer`` (a fixed schedule, as tests use) keeps that timer in memory
    instead, for its one process.
    """

    def __init__(
        self,
        clock: DeskClock,
        *,
        source: str,
        timer: DeskTimer | None = None,
        row: str | None = None,
    ) -> None:
        self.clock = clock
        self.source = source
        self.row = source if row is None else row
        self.lock = threading.Lock()
        self.stored = timer is None
        self.timer = timer
        self.away = False
        self._last_tick_real: float | None = None if timer is None else clock.real()
        self.posture: PostureMonitor | None = None  # the camera's monitor, when switched on
        self._posture_last_t = -1.0
        self._posture_stored_s: dict[PostureState, float] = {}
        self._anchored = False

    # --- the state in the store ---------------------------------------------------------

    def _anchor(self, db: Session, *, write: bool = True) -> None:
        """Start a sped-up clock at the database's desk clock origin (shared by workers).

        A read (``write`` False) stores no origin: it uses one stored already, if any.
        """
        clock = self.clock
        if not self.stored or self._anchored or not isinstance(clock, ScaledClock):
            return
        if clock.time_scale == 1:
            self._anchored = True
            return
        origin = desk_clock_origin(db, default=clock.origin_real if write else None)
        if origin is not None:
            self.clock, self._anchored = clock.anchored(origin), True

    def _load(
        self,
        db: Session,
        user_id: int,
        catalog: Catalog | None,
        *,
        lock: bool = True,
    ) -> DeskTimer:
        """The user's timer, its row read (stored) or as kept in memory.

        ``lock``: take the row's write lock first (for a call that saves).
        """
        if not self.stored:
            if self.timer is None or self.timer.user_id != user_id:
                assert catalog is not None
                self._begin(db, user_id, catalog)
            assert self.timer is not None
            return self.timer
        self._anchor(db, write=lock)
        if lock:
            data = lock_desk_state(db, user_id=user_id, source=self.row)
        else:
            data = read_desk_state(db, user_id=user_id, source=self.row)
        if catalog is not None:
            config = break_config(db, user_id=user_id, catalog=catalog)
        elif self.timer is not None:
            config = self.timer.config
        else:
            config = BreakConfig()  # only the posture monitor is used on this call
        if data is None:
            snapshot = DeskSnapshot(
                breaks.start(self.clock.now()), last_tick_real=self.clock.real()
            )
        else:
            snapshot = snapshot_from_json(data)
        if self.timer is None or self.timer.user_id != user_id:
            self.timer = DeskTimer(
                config=config, state=snapshot.state, user_id=user_id, source=self.source
            )
        # The same timer object carries on (the terminal's screen holds it).
        self.timer.config, self.timer.state = config, snapshot.state
        self.timer.unsaved_sitting_s = snapshot.unsaved_sitting_s
        self.away, self._last_tick_real = snapshot.away, snapshot.last_tick_real
        self.posture, self._posture_last_t = snapshot.posture, snapshot.posture_last_t
        self._posture_stored_s = snapshot.posture_stored_s
        return self.timer

    def _save(self, db: Session, timer: DeskTimer) -> None:
        if not self.stored:
            return
        snapshot = DeskSnapshot(
            state=timer.state,
            away=self.away,
            last_tick_real=self._last_tick_real,
            unsaved_sitting_s=timer.unsaved_sitting_s,
            posture=self.posture,
            posture_last_t=self._posture_last_t,
            posture_stored_s=self._posture_stored_s,
        )
        save_desk_state(
            db, user_id=timer.user_id, source=self.row, state=snapshot_to_json(snapshot)
        )

    def _begin(self, db: Session, user_id: int, catalog: Catalog) -> None:
        self.timer = DeskTimer.begin(
            config=break_config(db, user_id=user_id, catalog=catalog),
            now=self.clock.now(),
            user_id=user_id,
            source=self.source,
        )
        self._last_tick_real = self.clock.real()

    def _now(self, timer: DeskTimer) -> datetime:
        """Now, never before the stored state's time (clocks of two processes may differ a bit)."""
        return max(self.clock.now(), timer.state.now)

    # --- the break timer -------------------------------------------------------------

    def tick(
        self, db: Session, *, user_id: int, catalog: Catalog, present: bool = True
    ) -> DeskStatus:
        """Move the timer on to now; ``present`` False when a camera sees nobody."""
        with self.lock:
            timer = self._load(db, user_id, catalog)
            real = self.clock.real()
            gap = real - (self._last_tick_real if self._last_tick_real is not None else real)
            self._last_tick_real = real
            active = not self.away and gap <= GAP_S and present and self._in_view()
            fired = timer.tick(db, self._now(timer), active=active)
            self._save(db, timer)
            db.commit()
            return self._status(db, timer, fired)

    def status(self, db: Session, *, user_id: int, catalog: Catalog) -> DeskStatus:
        """The timer as stored (a read: nothing is written)."""
        with self.lock:
            timer = self._load(db, user_id, catalog, lock=False)
            return self._status(db, timer, None)

    def act(
        self, db: Session, action: BreakAction, *, user_id: int, catalog: Catalog
    ) -> tuple[bool, DeskStatus]:
        """Take, snooze or skip the due break; False when there was nothing to do or allowed."""
        with self.lock:
            timer = self._load(db, user_id, catalog)
            done = timer.act(db, action, self._now(timer))
            self._save(db, timer)
            db.commit()
            return done, self._status(db, timer, None)

    def set_away(self, db: Session, away: bool, *, user_id: int, catalog: Catalog) -> DeskStatus:
        """Away from or back at the desk; the time up to now counts as it was."""
        with self.lock:
            timer = self._load(db, user_id, catalog)
            if away != self.away:
                timer.tick(db, self._now(timer), active=not self.away)
                self._last_tick_real = self.clock.real()
                self.away = away
            self._save(db, timer)
            db.commit()
            return self._status(db, timer, None)

    def flush(self, db: Session) -> None:
        """Store the sitting time not stored yet (on quit)."""
        with self.lock:
            if self.timer is not None:
                timer = self._load(db, self.timer.user_id, None)
                timer.flush(db, self._now(timer))
                self._save(db, timer)
                db.commit()

    def _status(
        self,
        db: Session,
        timer: DeskTimer,
        fired: DueBreak | None,
    ) -> DeskStatus:
        kind, seconds = timer.next_break()
        now = self.clock.now()
        block = exercise_block(db, user_id=timer.user_id)
        return DeskStatus(
            due=break_to_suggest(timer.due, block),
            fired=break_to_suggest(fired, block),
            next_kind=kind,
            next_in_s=seconds,
            away=self.away,
            can_skip=breaks.can_skip(timer.state, config=timer.config),
            skips_left=max(0, timer.config.max_skips_per_day - timer.state.counters.skipped),
            reminders=reminders_on(db, user_id=timer.user_id, now=now),
            day=desk_day(db, user_id=timer.user_id, day=local_day(now)),
            unsaved_sitting_s=timer.unsaved_sitting_s,
            block=block,
        )

    def log_walk(self, db: Session, *, user_id: int, minutes: float) -> DeskDay:
        """Minutes walked, logged by hand; returns today's counters.

        Raises:
            UsageError: minutes not in (0, 1440].
        """
        self._anchor(db)
        now = self.clock.now()
        record_walk(db, user_id=user_id, minutes=minutes, now=now, source="manual")
        db.commit()
        return desk_day(db, user_id=user_id, day=local_day(now))

    # --- the posture monitor -----------------------------------------------------------

    def _in_view(self) -> bool:
        monitor = self.posture
        if monitor is None or not monitor.spans:
            return True
        return monitor.spans[-1].state is not PostureState.ABSENT

    def watch(
        self, db: Session, frames: list[LandmarkFrame], *, user_id: int, restart: bool = False
    ) -> PostureStatus:
        """Feed landmark frames from a camera to the posture monitor.

        A restart (or time going backwards: the camera was switched on again)
        calibrates afresh. Alerts and posture minutes are stored as they come.
        """
        with self.lock:
            timer = self._load(db, user_id, None)
            if restart or self.posture is None or (frames and frames[0].t_s < self._posture_last_t):
                self._store_minutes(db, user_id, force=True)
                self.posture, self._posture_stored_s = _new_monitor(db, user_id), {}
            monitor = self.posture
            alert: PostureReading | None = None
            for frame in frames:
                reading = monitor.update(frame)
                self._posture_last_t = frame.t_s
                if reading.alert:
                    alert = reading
            if alert is not None:
                record_posture(
                    db, user_id=user_id, now=self.clock.now(), alerts=1, source=self.source
                )
            self._store_minutes(db, user_id)
            self._save(db, timer)
            db.commit()
            suggestion = None
            if alert is not None:
                suggestion = move_to_suggest(alert.suggestion, exercise_block(db, user_id=user_id))
            return PostureStatus(
                state=monitor.spans[-1].state if monitor.spans else PostureState.ABSENT,
                calibrating=monitor.baseline is None,
                alert=alert,
                suggestion=suggestion,
                frames=monitor.frames,
            )

    def stop_watching(self, db: Session, *, user_id: int) -> None:
        with self.lock:
            timer = self._load(db, user_id, None)
            self._store_minutes(db, user_id, force=True)
            self.posture, self._posture_stored_s = None, {}
            self._save(db, timer)
            db.commit()

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
        record_posture(
            db, user_id=user_id, now=self.clock.now(), minutes_by_state=minutes, source=self.source
        )
        self._posture_stored_s = seconds


def _new_monitor(db: Session, user_id: int) -> PostureMonitor:
    """A posture monitor at the person's sensitivity, starting from the desk profile they
    saved last (without one, it calibrates on its first seconds)."""
    sensitivity = load_preferences(db, user_id=user_id).posture_sensitivity
    return PostureMonitor(
        config=PostureConfig(sensitivity=sensitivity),
        baseline=latest_profile(db, user_id=user_id),
    )
