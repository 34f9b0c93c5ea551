"""Checking imported plans and snapshots: every state the engine reaches passes, no broken one."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings

from backcoach.coach.engine import Event, SessionEngine, SessionState, Start, StepRecord, Tick
from backcoach.coach.plan import PlannedStep, SessionPlan, plan_from_program
from backcoach.content import Kind, Length, default_catalog
from backcoach.services.session_check import (
    _PlanShape,
    _RecordShape,
    _StateShape,
    _StepShape,
    check_plan,
    check_snapshot,
)
from backcoach.services.sessions import plan_to_json
from tests.unit.test_engine import event_lists, plans


def round_trip(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(data))
    return out


def home_plan() -> SessionPlan:
    return plan_from_program(default_catalog(), "back-basics", Length.FULL)


def running_snapshot() -> tuple[dict[str, Any], dict[str, Any]]:
    plan = home_plan()
    engine = SessionEngine(plan)
    engine.apply(Start(100.0))
    engine.apply(Tick(101.0))
    return round_trip(plan_to_json(plan)), round_trip(engine.snapshot())


def test_the_shapes_name_every_field_of_what_they_check() -> None:
    """A field added to the engine's state or a plan step must be added to the check too."""
    assert set(_StateShape.model_fields) == {f.name for f in fields(SessionState)}
    assert set(_RecordShape.model_fields) == {f.name for f in fields(StepRecord)}
    assert set(_StepShape.model_fields) == {f.name for f in fields(PlannedStep)}
    assert set(_PlanShape.model_fields) == {f.name for f in fields(SessionPlan)}


@settings(max_examples=200, deadline=None)
@given(plan=plans, events=event_lists())
def test_every_state_the_engine_reaches_passes(plan: SessionPlan, events: list[Event]) -> None:
    plan_data = round_trip(plan_to_json(plan))
    check_plan(plan_data)
    engine = SessionEngine(plan)
    check_snapshot(plan_data, round_trip(engine.snapshot()))
    for event in events:
        engine.apply(event)
        check_snapshot(plan_data, round_trip(engine.snapshot()))


def test_a_real_program_in_progress_passes() -> None:
    plan_data, snapshot = running_snapshot()
    check_plan(plan_data)
    check_snapshot(plan_data, snapshot)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: {}, "the session plan cannot be loaded: Field required (at program_id)"),
        (lambda p: {**p, "steps": "none"}, "cannot be loaded: Input should be a valid list"),
        (lambda p: {**p, "length": "huge"}, "cannot be loaded: Input should be 'short' or"),
        (
            lambda p: {**p, "steps": [{**p["steps"][0], "sets": 1e400}]},
            "cannot be loaded: Input should be a valid integer (at steps.0.sets)",
        ),
        (
            lambda p: {**p, "steps": [{**p["steps"][0], "rest_s": float("inf")}]},
            "Input should be a finite number (at steps.0.rest_s)",
        ),
        (
            lambda p: {**p, "steps": [{**p["steps"][0], "colour": "red"}]},
            "Extra inputs are not permitted (at steps.0.colour)",
        ),
        (
            lambda p: {**p, "steps": [{**p["steps"][0], "per_side": 1}]},
            "Input should be a valid boolean (at steps.0.per_side)",
        ),
    ],
    ids=["empty", "steps-not-a-list", "length", "huge-sets", "infinite-rest", "extra", "bool"],
)
def test_a_plan_the_app_cannot_load_is_refused(change: Any, expected: str) -> None:
    plan_data, _ = running_snapshot()
    with pytest.raises(ValueError, match="plan") as refused:
        check_plan(change(plan_data))
    assert expected in str(refused.value)


def test_a_plan_the_engine_cannot_run_is_refused() -> None:
    """Zero-rep steps finish at once, one inside the other: too many would overflow the stack."""
    step = {**plan_to_json(home_plan())["steps"][0], "kind": "reps", "reps": 0, "sets": 20}
    step |= {"per_side": True, "rest_s": 0.0}
    plan_data = {"program_id": "back-basics", "length": "full", "steps": [step] * 100}
    with pytest.raises(ValueError, match=r"the session plan cannot be run \(RecursionError\)"):
        check_plan(plan_data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: {"version": 1}, "cannot be loaded: Field required (at plan)"),
        (lambda s: {**s, "version": 2}, "unsupported session snapshot version 2"),
        (
            lambda s: {**s, "plan": {**s["plan"], "steps": []}},
            "belongs to a different session plan",
        ),
        (lambda s: _state(s, activity=None), "a running session is doing something"),
        (
            lambda s: _state(s, remaining_s=None),
            "every activity but counting reps has a countdown",
        ),
        (lambda s: _state(s, remaining_s=-1.0), "greater than or equal to 0"),
        (lambda s: _state(s, step_index=99), "its current step is outside the plan"),
        (lambda s: _state(s, set_index=7), "its current set or side is not in the step"),
        (lambda s: _state(s, steps_total=3), "it has 3 steps, the plan"),
        (lambda s: _state(s, last_t=float("nan")), "finite number (at state.last_t)"),
        (lambda s: _state(s, status="flying"), "(at state.status)"),
        (
            lambda s: _state(
                s, status="finished", ended_by=None, phase="idle", activity=None, remaining_s=None
            ),
            "a finished session says how it ended",
        ),
        (
            lambda s: _state(s, records=[_record(0), _record(0)]),
            "step records must name distinct steps",
        ),
    ],
    ids=[
        "no-plan",
        "version",
        "other-plan",
        "idle-running",
        "no-countdown",
        "negative-countdown",
        "step-outside",
        "set-outside",
        "steps-total",
        "nan-time",
        "status",
        "finished-unsaid",
        "records-twice",
    ],
)
def test_a_snapshot_the_engine_cannot_continue_is_refused(change: Any, expected: str) -> None:
    plan_data, snapshot = running_snapshot()
    with pytest.raises(ValueError, match="snapshot") as refused:
        check_snapshot(plan_data, change(snapshot))
    assert expected in str(refused.value)


def _state(snapshot: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**snapshot, "state": {**snapshot["state"], **changes}}


def _record(index: int) -> dict[str, Any]:
    return {
        "index": index,
        "exercise_id": "deep-breathing",
        "status": "completed",
        "reps": 3,
        "hold_s": 0.0,
        "duration_s": 30.0,
        "sets_done": 1,
    }


def test_the_plan_is_checked_before_the_snapshot() -> None:
    _, snapshot = running_snapshot()
    with pytest.raises(ValueError, match="the session plan cannot be loaded"):
        check_snapshot({"steps": []}, snapshot)


def test_a_step_of_every_kind_is_accepted() -> None:
    base = plan_to_json(home_plan())["steps"][0]
    steps = [{**base, "kind": str(kind), "reps": 2, "hold_s": 1.0} for kind in Kind]
    check_plan({"program_id": "back-basics", "length": "short", "steps": steps})
