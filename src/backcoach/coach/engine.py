"""The session engine: a pure state machine that guides one session.

The engine runs a ``SessionPlan``. It reads no clock and does no I/O: every
event carries its own time ``t`` (seconds on any monotonic clock), and the
engine answers each event with a list of ``Notice`` s that a user interface
turns into voice cues and screen changes and that the store uses to commit a
completed step.

States of the session (``Status``)::

    NOT_STARTED --Start--> RUNNING <--Pause/Resume--> PAUSED
         |                    |                          |
         +------Quit/Hurt-----+--Quit/Hurt, last step----+--> FINISHED (terminal)

Inside RUNNING, each step goes through its sets; each set through its sides
(left, then right, for per-side exercises); between sets (not after the last)
comes a rest of ``rest_s`` seconds (``Phase.REST``). The work of one set and
side (``Phase.WORK``) depends on the exercise kind. Every step with a clock
(all but reps counted at one's own pace) begins with ``STEP_READY_S`` to get
into the start position (``Activity.GET_READY``), long enough to hear the
step's set-up line before any count; ``RepDone`` ("I'm ready") ends it early.

* ``reps``: the person says when a rep is done (``RepDone``) until the set's
  reps are reached (``Activity.COUNT_REPS``). With ``hold_s``, each rep is a
  timed cycle instead: move into position (``Activity.MOVE``, 3 s), then hold
  (``Activity.HOLD``, ``hold_s``); the rep counts when the hold ends.
  ``RepDone`` during the move starts the hold at once; ``RepDone`` or
  ``HoldDone`` during the hold ends it early and counts the rep.
* ``hold``: 5 s to get into position (``Activity.GET_READY``; the step's
  first set ``STEP_READY_S``), then one countdown of ``hold_s``
  (``Activity.HOLD``).
* ``timed``: 5 s to get ready (the first set ``STEP_READY_S``), then one
  countdown of ``duration_s``
  (``Activity.KEEP_MOVING``). ``RepDone`` while getting ready starts now.
  For holds and timed work, ``HoldDone`` or ``RepDone`` ends it early:
  stopping before the time is up is always allowed.
* ``breathing``: paced breaths, each ``BREATHE_IN`` (4 s), ``BREATHE_HOLD``
  (the step's ``hold_s``, else 2.5 s) and ``BREATHE_OUT`` (5 s); a breath
  counts when the out-breath ends. ``RepDone`` counts the current breath now
  (for people who breathe at their own pace).

``RepDone`` during a rest ends the rest early. ``Skip`` records the current
step as skipped (with what was done of it) and moves on; ``Back`` drops the
current step's progress and reopens the previous step (its record is removed,
it is done again); at the first step ``Back`` restarts it. While PAUSED only
``Resume``, ``Quit``, ``Hurt`` and ``Tick`` have an effect, and countdowns
do not move. ``Quit`` and ``Hurt`` end the session at once; the step in
progress is neither completed nor skipped. Reaching the end of the last step
(or skipping it) finishes the session with ``EndReason.COMPLETED`` when at
least half its steps were done, else ``EndReason.ENDED_EARLY`` (the rule is
``outcome.py``'s).

Time: every event first moves the engine's time to its ``t`` (earlier times
count as no time passing). While RUNNING the time is active time and runs the
countdowns, carrying any remainder into the next phase, so one big ``Tick``
is the same as many small ones. While PAUSED it is paused time. So
``active_s + paused_s == ended_at - started_at`` once finished, and
``== last_t - started_at`` before.

Example:
    >>> engine = SessionEngine(plan)
    >>> notices = engine.apply(Start(0.0))
    >>> notices += engine.apply(Tick(1.5))
    >>> engine.state.step_index
    0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace
from typing import Any

from backcoach.coach.cues import (
    hold_say,
    rest_over_say,
    seconds_words,
    set_done_say,
    side_say,
    spoken_name,
)
from backcoach.coach.outcome import end_reason, ending_say
from backcoach.coach.plan import SECONDS_PER_REP, PlannedStep, SessionPlan
from backcoach.coach.session_state import (
    Activity,
    Back,
    EndReason,
    Event,
    HoldDone,
    Hurt,
    Notice,
    NoticeKind,
    Pause,
    Phase,
    Quit,
    RepDone,
    Resume,
    SessionState,
    Side,
    Skip,
    Start,
    Status,
    StepRecord,
    StepStatus,
    Summary,
    Tick,
)
from backcoach.content import Kind
from backcoach.i18n import _, pgettext

__all__ = [
    "BREATHE_HOLD_S",
    "BREATHE_IN_S",
    "BREATHE_OUT_S",
    "COUNTDOWN_FROM",
    "GET_READY_S",
    "MOVE_S",
    "SNAPSHOT_VERSION",
    "STEP_READY_S",
    "Activity",
    "Back",
    "EndReason",
    "Event",
    "HoldDone",
    "Hurt",
    "Notice",
    "NoticeKind",
    "Pause",
    "Phase",
    "Quit",
    "RepDone",
    "Resume",
    "SessionEngine",
    "SessionState",
    "Side",
    "Skip",
    "Start",
    "Status",
    "StepRecord",
    "StepStatus",
    "Summary",
    "Tick",
]

BREATHE_IN_S = 4.0
BREATHE_HOLD_S = 2.5
BREATHE_OUT_S = 5.0
MOVE_S = SECONDS_PER_REP
GET_READY_S = 5.0
STEP_READY_S = 10.0  # a step's first get-ready: its set-up line is spoken meanwhile
COUNTDOWN_FROM = 3
SNAPSHOT_VERSION = 1


# --- the engine -----------------------------------------------------------


class SessionEngine:
    """Runs one ``SessionPlan``; feed it events with ``apply``.

    Args:
        plan: the steps to run.
        start_index: the step ``Start`` begins at (see ``resume_at``).
        records: steps already done before this engine (see ``resume_at``).

    Example:
        >>> engine = SessionEngine(plan)
        >>> [n.kind for n in engine.apply(Start(0.0))][:2]
        [<NoticeKind.SESSION_STARTED: 'session_started'>, <NoticeKind.STEP_STARTED: ...>]
    """

    def __init__(
        self, plan: SessionPlan, start_index: int = 0, records: Iterable[StepRecord] = ()
    ) -> None:
        n = len(plan.steps)
        if not 0 <= start_index <= max(n - 1, 0):
            raise ValueError(f"start step {start_index} is outside the plan's {n} steps")
        self.plan = plan
        kept = tuple(sorted(records, key=lambda r: r.index))
        if any(not 0 <= r.index < n for r in kept) or len({r.index for r in kept}) != len(kept):
            raise ValueError("step records must have distinct indexes inside the plan")
        self._s = SessionState(
            steps_total=n, start_index=start_index, step_index=start_index, records=kept
        )
        self._out: list[Notice] = []

    @classmethod
    def resume_at(
        cls, plan: SessionPlan, step_index: int, records: Iterable[StepRecord] = ()
    ) -> SessionEngine:
        """An engine whose ``Start`` begins at ``step_index``.

        Use it to resume after a crash from the step after the last completed
        one; pass the steps already done as ``records`` so the summary
        includes them.

        Args:
            plan: the same plan as the interrupted session.
            step_index: the step to begin at.
            records: the interrupted session's step records.
        """
        return cls(plan, start_index=step_index, records=records)

    @property
    def state(self) -> SessionState:
        return self._s

    @property
    def step(self) -> PlannedStep | None:
        """The current step, or None once past the last one."""
        if self._s.step_index < len(self.plan.steps):
            return self.plan.steps[self._s.step_index]
        return None

    # --- events -----------------------------------------------------------

    def apply(self, event: Event) -> list[Notice]:
        """Apply one event and return what happened, in order.

        Args:
            event: the event, with its time ``t``.

        Returns:
            The notices, possibly none. A finished session ignores all events.
        """
        self._out = []
        s = self._s
        if s.status is Status.FINISHED:
            return []
        if s.status is Status.NOT_STARTED:
            if isinstance(event, Start):
                self._start(event.t)
            elif isinstance(event, Quit | Hurt):
                self._set(started_at=event.t, last_t=event.t)
                self._finish(EndReason.QUIT if isinstance(event, Quit) else EndReason.HURT)
            return self._out

        self._advance_to(event.t)
        if self._s.status is Status.FINISHED:
            return self._out
        if isinstance(event, Quit):
            self._finish(EndReason.QUIT)
        elif isinstance(event, Hurt):
            self._finish(EndReason.HURT)
        elif self._s.status is Status.PAUSED:
            if isinstance(event, Resume):
                self._set(status=Status.RUNNING)
                self._notice(NoticeKind.RESUMED, _("Let's carry on."))
        elif isinstance(event, Pause):
            self._set(status=Status.PAUSED)
            self._notice(NoticeKind.PAUSED, _("Paused. Take your time."))
        elif isinstance(event, RepDone):
            self._rep_done()
        elif isinstance(event, HoldDone):
            self._hold_done()
        elif isinstance(event, Skip):
            self._record(StepStatus.SKIPPED)
            self._next_step()
        elif isinstance(event, Back):
            self._back()
        return self._out

    def summary(self) -> Summary:
        """Totals of the session so far (final once it is finished)."""
        s = self._s
        return Summary(
            ended_by=s.ended_by,
            steps_total=s.steps_total,
            steps_completed=len(s.completed),
            steps_skipped=len(s.skipped),
            active_s=s.active_s,
            paused_s=s.paused_s,
            reps=sum(r.reps for r in s.records),
            hold_s=sum(r.hold_s for r in s.records),
            records=s.records,
        )

    # --- persistence ------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole engine as JSON-serialisable data (see ``restore``)."""
        state: dict[str, Any] = {}
        for f in fields(SessionState):
            value = getattr(self._s, f.name)
            if f.name == "records":
                value = [{g.name: getattr(r, g.name) for g in fields(StepRecord)} for r in value]
            state[f.name] = value
        return {"version": SNAPSHOT_VERSION, "plan": _plan_key(self.plan), "state": state}

    @classmethod
    def restore(cls, plan: SessionPlan, snapshot: dict[str, Any]) -> SessionEngine:
        """Rebuild an engine from ``snapshot()``; it continues exactly where it was.

        Args:
            plan: the plan the snapshot was taken with.
            snapshot: the data from ``snapshot()`` (after a JSON round trip is fine).

        Raises:
            ValueError: the snapshot is of another version or another plan, or malformed.
        """
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported session snapshot version {snapshot.get('version')!r}")
        if snapshot.get("plan") != _plan_key(plan):
            raise ValueError("the snapshot belongs to a different session plan")
        raw = dict(snapshot["state"])
        try:
            raw["records"] = tuple(
                replace(StepRecord(**r), status=StepStatus(r["status"])) for r in raw["records"]
            )
            state = SessionState(**raw)
            state = replace(
                state,
                status=Status(state.status),
                ended_by=None if state.ended_by is None else EndReason(state.ended_by),
                side=None if state.side is None else Side(state.side),
                phase=Phase(state.phase),
                activity=None if state.activity is None else Activity(state.activity),
            )
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"malformed session snapshot: {exc}") from exc
        if state.steps_total != len(plan.steps):
            raise ValueError("the snapshot belongs to a different session plan")
        engine = cls(plan, start_index=state.start_index)
        engine._s = state
        return engine

    # --- internals: bookkeeping -------------------------------------------

    def _set(self, **changes: Any) -> None:
        self._s = replace(self._s, **changes)

    def _notice(self, kind: NoticeKind, say: str | None = None, **extra: Any) -> None:
        self._out.append(Notice(kind, self._s.step_index, say, **extra))

    def _start(self, t: float) -> None:
        self._set(status=Status.RUNNING, started_at=t, last_t=t)
        self._notice(NoticeKind.SESSION_STARTED, _("Let's begin."))
        if not self.plan.steps:
            self._finish(EndReason.COMPLETED)
            return
        self._enter_step(self._s.start_index)

    def _finish(self, reason: EndReason) -> None:
        self._set(
            status=Status.FINISHED,
            ended_by=reason,
            ended_at=self._s.last_t,
            phase=Phase.IDLE,
            activity=None,
            remaining_s=None,
            activity_total_s=None,
        )
        s = self._s
        self._notice(
            NoticeKind.SESSION_FINISHED, ending_say(reason, len(s.completed), s.steps_total)
        )

    # --- internals: time --------------------------------------------------

    def _advance_to(self, t: float) -> None:
        last = self._s.last_t if self._s.last_t is not None else t
        dt = max(0.0, t - last)
        if dt == 0:
            return
        if self._s.status is Status.PAUSED:
            self._set(paused_s=self._s.paused_s + dt, last_t=last + dt)
            return
        now = last
        left = dt
        while left > 0 and self._s.status is Status.RUNNING:
            s = self._s
            # waiting for the person (no countdown): all of the time is work time
            used = left if s.remaining_s is None else min(left, s.remaining_s)
            left -= used
            now = t if left == 0 else now + used
            self._spend(used, now)
            if self._s.remaining_s is not None and self._s.remaining_s <= 0:
                self._activity_over()
        if left > 0:  # finished part-way: the rest of dt is not session time
            self._set(last_t=now, ended_at=now)

    def _spend(self, used: float, now: float) -> None:
        s = self._s
        changes: dict[str, Any] = {
            "active_s": s.active_s + used,
            "step_active_s": s.step_active_s + used,
            "last_t": now,
        }
        if s.activity is Activity.HOLD:
            changes["step_hold_s"] = s.step_hold_s + used
        if s.remaining_s is not None:
            before = s.remaining_s
            after = max(0.0, before - used)
            changes["remaining_s"] = after
            if s.activity in _COUNTED_DOWN:
                for k in range(COUNTDOWN_FROM, 0, -1):
                    if after <= k < before:
                        self._notice(NoticeKind.COUNTDOWN, str(k))
        self._set(**changes)

    # --- internals: structure ---------------------------------------------

    def _enter_step(self, index: int, *, reopened: bool = False) -> None:
        step = self.plan.steps[index]
        self._set(
            step_index=index,
            set_index=0,
            side_index=0,
            step_reps=0,
            step_hold_s=0.0,
            step_active_s=0.0,
            step_sets_done=0,
        )
        if reopened:
            self._notice(NoticeKind.STEP_REOPENED, _("Going back."))
        self._notice(NoticeKind.STEP_STARTED, spoken_name(step.name))
        self._enter_segment()

    def _enter_segment(self) -> None:
        """Start the work of the current set and side."""
        step = self.plan.steps[self._s.step_index]
        side = None
        if step.per_side:
            side = Side.LEFT if self._s.side_index == 0 else Side.RIGHT
        self._set(phase=Phase.WORK, side=side, reps_done=0, reps_target=_reps_target(step))
        if side is not None:
            self._notice(NoticeKind.SIDE_STARTED, side_say(side, self._s.set_index))
        first = self._s.set_index == 0 and self._s.side_index == 0
        if self._target_reached():  # a dose of zero reps or breaths
            self._segment_done()
        elif step.kind is Kind.REPS and _rep_hold(step) <= 0:
            self._begin(Activity.COUNT_REPS, None)  # at one's own pace: no clock to wait for
        elif first:
            self._begin(Activity.GET_READY, STEP_READY_S)
        elif step.kind in (Kind.HOLD, Kind.TIMED):
            self._begin(Activity.GET_READY, GET_READY_S)
        else:
            self._start_work(step)

    def _start_work(self, step: PlannedStep) -> None:
        """The work of a set and side, once in the start position."""
        if step.kind is Kind.BREATHING:
            self._begin(Activity.BREATHE_IN, BREATHE_IN_S)
        elif step.kind is Kind.REPS:
            self._begin(Activity.MOVE, MOVE_S)
        elif step.kind is Kind.HOLD:
            self._begin(Activity.HOLD, step.hold_s or 0.0)
        else:
            self._begin(Activity.KEEP_MOVING, step.duration_s or 0.0)

    def _begin(self, activity: Activity, seconds: float | None) -> None:
        self._set(activity=activity, remaining_s=seconds, activity_total_s=seconds)
        step = self.plan.steps[self._s.step_index]
        if activity is Activity.HOLD:
            self._notice(NoticeKind.HOLD_STARTED, hold_say(step))
        elif activity is Activity.KEEP_MOVING:
            self._notice(NoticeKind.WORK_STARTED, pgettext("voice", "Go."))
        elif activity is Activity.BREATHE_IN:
            self._notice(NoticeKind.BREATH, _("Breathe in."))
        elif activity is Activity.BREATHE_HOLD:
            self._notice(NoticeKind.BREATH, _("Hold it gently."))
        elif activity is Activity.BREATHE_OUT:
            self._notice(NoticeKind.BREATH, _("Breathe out slowly."))
        if seconds is not None and seconds <= 0:
            self._activity_over()

    def _target_reached(self) -> bool:
        target = self._s.reps_target
        return target is not None and self._s.reps_done >= target

    def _activity_over(self) -> None:
        """The current countdown ran out (or was ended early)."""
        s = self._s
        step = self.plan.steps[s.step_index]
        activity = s.activity
        if activity is Activity.GET_READY:
            self._start_work(step)
        elif activity is Activity.MOVE:
            self._begin(Activity.HOLD, _rep_hold(step))
        elif activity is Activity.HOLD and step.kind is Kind.REPS:
            self._notice(NoticeKind.HOLD_DONE, _("And release."))
            self._count_rep(next_activity=(Activity.MOVE, MOVE_S))
        elif activity is Activity.BREATHE_IN:
            self._begin(Activity.BREATHE_HOLD, _breath_hold(step))
        elif activity is Activity.BREATHE_HOLD:
            self._begin(Activity.BREATHE_OUT, BREATHE_OUT_S)
        elif activity is Activity.BREATHE_OUT:
            self._count_rep(next_activity=(Activity.BREATHE_IN, BREATHE_IN_S))
        elif activity is Activity.HOLD:
            self._notice(NoticeKind.HOLD_DONE, _("And release, well held."))
            self._segment_done()
        elif activity is Activity.KEEP_MOVING:
            self._segment_done()
        elif activity is Activity.REST:
            self._notice(NoticeKind.REST_DONE, rest_over_say(s.set_index + 1, _sets(step)))
            self._set(set_index=s.set_index + 1, side_index=0)
            self._enter_segment()

    def _count_rep(self, next_activity: tuple[Activity, float | None]) -> None:
        s = self._s
        self._set(reps_done=s.reps_done + 1, step_reps=s.step_reps + 1)
        self._notice(NoticeKind.REP_DONE, str(s.reps_done + 1))
        if self._target_reached():
            self._segment_done()
        else:
            self._begin(*next_activity)

    def _segment_done(self) -> None:
        s = self._s
        step = self.plan.steps[s.step_index]
        if s.side_index + 1 < step.sides:
            self._set(side_index=s.side_index + 1)
            self._enter_segment()
            return
        sets = _sets(step)
        self._set(step_sets_done=s.step_sets_done + 1)
        last_step = s.step_index + 1 >= len(self.plan.steps)
        self._notice(NoticeKind.SET_DONE, set_done_say(s.set_index, sets, last_step=last_step))
        if s.set_index + 1 >= sets:
            self._record(StepStatus.COMPLETED)
            self._next_step()
        elif step.rest_s > 0:
            self._set(phase=Phase.REST, side=None)
            self._notice(
                NoticeKind.REST_STARTED,
                _("Rest for {time}.").format(time=seconds_words(step.rest_s)),
            )
            self._begin(Activity.REST, step.rest_s)
        else:
            self._set(set_index=s.set_index + 1, side_index=0)
            self._enter_segment()

    def _record(self, status: StepStatus) -> None:
        s = self._s
        step = self.plan.steps[s.step_index]
        record = StepRecord(
            index=s.step_index,
            exercise_id=step.exercise_id,
            status=status,
            reps=s.step_reps,
            hold_s=s.step_hold_s,
            duration_s=s.step_active_s,
            sets_done=s.step_sets_done,
        )
        others = tuple(r for r in s.records if r.index != s.step_index)
        self._set(records=tuple(sorted((*others, record), key=lambda r: r.index)))
        if status is StepStatus.COMPLETED:
            # the set's words ("Well done.") already said it; the next step follows
            self._notice(NoticeKind.STEP_COMPLETED, record=record)
        else:
            self._notice(NoticeKind.STEP_SKIPPED, _("Skipping this one."), record=record)

    def _next_step(self) -> None:
        nxt = self._s.step_index + 1
        if nxt >= len(self.plan.steps):
            self._set(step_index=len(self.plan.steps), side=None, reps_target=None)
            self._finish(end_reason(len(self._s.completed), self._s.steps_total))
        else:
            self._enter_step(nxt)

    def _back(self) -> None:
        index = max(self._s.step_index - 1, 0)
        self._set(records=tuple(r for r in self._s.records if r.index != index))
        self._enter_step(index, reopened=True)

    def _rep_done(self) -> None:
        s = self._s
        if s.activity is Activity.COUNT_REPS:
            self._count_rep(next_activity=(Activity.COUNT_REPS, None))
        elif s.activity in (Activity.MOVE, Activity.GET_READY):
            self._activity_over()  # in position already: start now
        elif s.activity in (
            Activity.BREATHE_IN,
            Activity.BREATHE_HOLD,
            Activity.BREATHE_OUT,
        ):
            self._count_rep(next_activity=(Activity.BREATHE_IN, BREATHE_IN_S))
        else:  # HOLD, KEEP_MOVING, REST: end it now
            self._activity_over()

    def _hold_done(self) -> None:
        if self._s.activity in (Activity.HOLD, Activity.KEEP_MOVING):
            self._activity_over()


_COUNTED_DOWN = (Activity.GET_READY, Activity.HOLD, Activity.KEEP_MOVING, Activity.REST)


def _sets(step: PlannedStep) -> int:
    return max(step.sets, 1)


def _reps_target(step: PlannedStep) -> int | None:
    if step.kind in (Kind.REPS, Kind.BREATHING):
        return step.reps if step.reps is not None else 1
    return None


def _rep_hold(step: PlannedStep) -> float:
    return step.hold_s or 0.0


def _breath_hold(step: PlannedStep) -> float:
    return step.hold_s if step.hold_s is not None else BREATHE_HOLD_S


def _plan_key(plan: SessionPlan) -> dict[str, Any]:
    return {
        "program_id": plan.program_id,
        "length": str(plan.length),
        "steps": [step.exercise_id for step in plan.steps],
    }
