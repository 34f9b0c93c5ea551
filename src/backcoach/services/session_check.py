"""Check a stored session's plan and engine snapshot before they are stored (imports).

The rule: a session is only stored if the app can open and run it. A plan
passes when it has the shape ``plan_to_json`` writes, with doses in sane
ranges, ``plan_from_json`` reads it, and the engine runs it from start to
end. A snapshot passes when its state is one the engine itself could be in
(a running session is doing something, only counting reps has no countdown,
the current step, set and side exist in the plan ...), ``SessionEngine.restore``
takes it, and the restored engine carries on to the end. Running the engine
costs nothing: it is pure and works on a copy.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, StrictInt, ValidationError

from backcoach.coach.engine import (
    Activity,
    Back,
    EndReason,
    Event,
    HoldDone,
    Phase,
    RepDone,
    Resume,
    SessionEngine,
    Side,
    Skip,
    Start,
    Status,
    StepStatus,
    Tick,
)
from backcoach.coach.plan import SessionPlan, VariantLevel
from backcoach.content import Kind, Length
from backcoach.i18n import _
from backcoach.services.import_bounds import (
    MAX_SETS,
    MAX_STEPS,
    Count,
    Id,
    Name,
    Note,
    Seconds,
    StepIndex,
    problem_message,
)
from backcoach.services.sessions import plan_from_json

SetIndex = Annotated[int, Field(ge=0, lt=MAX_SETS, strict=True)]
SetCount = Annotated[int, Field(ge=0, le=MAX_SETS, strict=True)]
StepCount = Annotated[int, Field(ge=0, le=MAX_STEPS, strict=True)]
# Engine time is any monotonic clock (the web app's is wall-clock seconds sped up).
EngineTime = Annotated[float, Field(ge=-1e13, le=1e13, allow_inf_nan=False, strict=True)]
EngineSeconds = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False, strict=True)]

# Exceptions the pure engine raises on a state it cannot work with.
_ENGINE_ERRORS = (RecursionError, ArithmeticError, LookupError, TypeError, ValueError)


class _Shape(BaseModel):
    # Lax only so that enum values may be given as their strings; numbers are strict.
    model_config = ConfigDict(extra="forbid")


class _StepShape(_Shape):
    exercise_id: Id
    name: Name
    kind: Kind
    sets: Annotated[int, Field(ge=1, le=MAX_SETS, strict=True)]
    reps: Count | None = None
    hold_s: Seconds | None = None
    duration_s: Seconds | None = None
    per_side: StrictBool = False
    rest_s: Seconds = 0.0
    variant: VariantLevel
    notes: Annotated[list[Note], Field(max_length=20)] = []


class _PlanShape(_Shape):
    program_id: Id
    length: Length
    steps: Annotated[list[_StepShape], Field(max_length=MAX_STEPS)]


class _RecordShape(_Shape):
    index: StepIndex
    exercise_id: Id
    status: StepStatus
    reps: Count
    hold_s: EngineSeconds
    duration_s: EngineSeconds
    sets_done: SetCount


class _StateShape(_Shape):
    steps_total: StepCount
    status: Status
    ended_by: EndReason | None
    start_index: StepIndex
    step_index: StepCount
    set_index: SetIndex
    side_index: Annotated[int, Field(ge=0, le=1, strict=True)]
    side: Side | None
    phase: Phase
    activity: Activity | None
    remaining_s: Seconds | None
    activity_total_s: Seconds | None
    reps_done: Count
    reps_target: Count | None
    step_reps: Count
    step_hold_s: EngineSeconds
    step_active_s: EngineSeconds
    step_sets_done: SetCount
    records: Annotated[list[_RecordShape], Field(max_length=MAX_STEPS)]
    started_at: EngineTime | None
    last_t: EngineTime | None
    ended_at: EngineTime | None
    active_s: EngineSeconds
    paused_s: EngineSeconds


class _SnapshotShape(_Shape):
    version: StrictInt
    plan: dict[str, JsonValue]
    state: _StateShape


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = problem_message(error)
    return message + " " + _("(at {where})").format(where=where) if where else message


def _load_plan(data: dict[str, Any]) -> SessionPlan:
    try:
        _PlanShape.model_validate(data)
    except ValidationError as exc:
        raise ValueError(
            _("the session plan cannot be loaded: {problem}").format(problem=_first_problem(exc))
        ) from None
    return plan_from_json(data)


def check_plan(data: dict[str, Any]) -> None:
    """Accept ``data`` only if the app can load it as a plan and run it.

    Raises:
        ValueError: saying what is wrong with the plan.
    """
    _run_to_end(SessionEngine(_load_plan(data)), what=_("the session plan cannot be run"))


def check_snapshot(plan_data: dict[str, Any], data: dict[str, Any]) -> None:
    """Accept ``data`` only if the engine can continue the plan in ``plan_data`` from it.

    Raises:
        ValueError: saying what is wrong with the snapshot (or the plan).
    """
    plan = _load_plan(plan_data)
    try:
        shape = _SnapshotShape.model_validate(data)
    except ValidationError as exc:
        raise ValueError(
            _("the session snapshot cannot be loaded: {problem}").format(
                problem=_first_problem(exc)
            )
        ) from None
    problem = _impossible_state(shape.state, plan)
    if problem:
        raise ValueError(
            _("the session snapshot is not a state a session can be in: {problem}").format(
                problem=problem
            )
        )
    try:
        engine = SessionEngine.restore(plan, data)
    except ValueError as exc:
        raise ValueError(
            _("the session snapshot cannot be loaded: {problem}").format(problem=exc)
        ) from None
    _run_to_end(engine, what=_("the session cannot be continued from this snapshot"))


def _impossible_state(s: _StateShape, plan: SessionPlan) -> str | None:
    n = len(plan.steps)
    if s.steps_total != n:
        return _("it has {steps} steps, the plan {n}").format(steps=s.steps_total, n=n)
    if s.start_index > max(n - 1, 0):
        return _("its first step is outside the plan")
    indexes = [r.index for r in s.records]
    if any(i >= n for i in indexes) or len(set(indexes)) != len(indexes):
        return _("its step records must name distinct steps of the plan")
    if s.status in (Status.NOT_STARTED, Status.FINISHED):
        if s.phase is not Phase.IDLE or s.activity is not None or s.remaining_s is not None:
            return _("a {status} session has no current activity").format(status=s.status.value)
        if s.step_index > n:
            return _("its current step is outside the plan")
        if s.status is Status.FINISHED and s.ended_by is None:
            return _("a finished session says how it ended")
        return None
    if s.step_index >= n:
        return _("its current step is outside the plan")
    step = plan.steps[s.step_index]
    if s.phase is Phase.IDLE or s.activity is None:
        return _("a {status} session is doing something").format(status=s.status.value)
    if (s.phase is Phase.REST) != (s.activity is Activity.REST):
        return _("only a rest is done in the rest phase")
    if (s.remaining_s is None) != (s.activity is Activity.COUNT_REPS):
        return _("every activity but counting reps has a countdown")
    if s.set_index >= max(step.sets, 1) or s.side_index >= step.sides:
        return _("its current set or side is not in the step")
    if s.started_at is None or s.last_t is None:
        return _("a {status} session has a start time").format(status=s.status.value)
    return None


def _run_to_end(engine: SessionEngine, *, what: str) -> None:
    """Drive ``engine`` (a throwaway copy) through every kind of event to the end."""
    state = engine.state
    t = state.last_t if state.last_t is not None else 0.0
    first: Event = Start(t) if state.status is Status.NOT_STARTED else Resume(t)
    later = t + 1.0
    events: list[Event] = [first, Tick(later), RepDone(later), HoldDone(later), Back(later)]
    events += [Skip(later)] * (len(engine.plan.steps) + 1)
    try:
        for event in events:
            engine.apply(event)
    except _ENGINE_ERRORS as exc:
        raise ValueError(f"{what} ({type(exc).__name__})") from None
    if not engine.state.finished:
        raise ValueError(what + " " + _("(it does not come to an end)"))
