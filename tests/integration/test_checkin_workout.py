"""The safety gate and check-ins of `backcoach workout`, in a real pseudo-terminal (SQLite).

Time runs 100 times faster; timeouts are generous upper bounds, never measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect
import pytest
from sqlalchemy import select

from backcoach.coach.plan import VariantLevel
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.planning import todays_plan
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    ScreeningOutcome,
    SessionStatus,
    WorkoutSession,
    add_screening,
    add_session,
    local_user,
    open_database,
)
from tests.integration.workout_pty import screening, spawn_workout, workout_env

PROGRAM = "back-basics"
Spawn = Callable[[], pexpect.spawn]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return workout_env(tmp_path / "data")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def start(env: dict[str, str]) -> Iterator[Spawn]:
    children: list[pexpect.spawn] = []

    def spawn() -> pexpect.spawn:
        child = spawn_workout(env)
        children.append(child)
        return child

    yield spawn
    for child in children:
        child.close(force=True)


def exit_code(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus is not None
    return child.exitstatus


def stored_sessions(settings: Settings) -> list[WorkoutSession]:
    with open_database(settings) as db:
        return list(db.scalars(select(WorkoutSession)))


def test_no_screening_no_workout(start: Spawn, settings: Settings) -> None:
    child = start()
    child.expect("Safety screening first")
    child.expect("backcoach screening")
    assert exit_code(child) == 1
    assert "your pain now" not in (child.before or "")
    assert stored_sessions(settings) == []


def test_a_red_flag_refuses_calmly(start: Spawn, env: dict[str, str], settings: Settings) -> None:
    assert "emergency department" in " ".join(screening(env, 1).split())
    child = start()
    child.expect("Please see a doctor")
    child.expect("emergency")
    assert exit_code(child) == 1
    assert "Traceback" not in (child.before or "")
    assert stored_sessions(settings) == []


def test_a_pain_jump_asks_for_a_new_screening(
    start: Spawn, env: dict[str, str], settings: Settings
) -> None:
    now = datetime.now(UTC)
    with open_database(settings) as db:
        user_id = local_user(db).id
        add_screening(
            db,
            user_id=user_id,
            taken_at=now - timedelta(days=4),
            answers={q.id: False for q in QUESTIONS},
            red_flags=[],
            outcome=ScreeningOutcome.CLEAR,
        )
        for days in (3, 2, 1):
            add_session(
                db,
                user_id=user_id,
                program_id=PROGRAM,
                length="short",
                plan={"program_id": PROGRAM, "length": "short", "steps": []},
                started_at=now - timedelta(days=days),
                pain_before=2,
                status=SessionStatus.COMPLETED,
            )
        db.commit()
    child = start()
    child.expect("your pain now")
    child.sendline("7")
    child.expect("Time for a new safety screening")
    child.expect("clearly higher")
    assert exit_code(child) == 1
    assert len(stored_sessions(settings)) == 3

    screening(env)  # answered again today: the plan is offered
    child = start()
    child.expect("your pain now")
    child.sendline("7")
    child.expect("Press r or Enter after each rep")
    child.send("q")
    child.expect("Quit the session")
    child.send("y")
    child.expect("After the session: your pain now")


def test_this_hurts_is_recorded_and_backs_the_exercise_off(
    start: Spawn, env: dict[str, str], settings: Settings
) -> None:
    screening(env)
    child = start()
    child.expect("your pain now")
    child.sendline("2")
    child.expect("Press r or Enter after each rep")
    # The same as the player page: how much, the advice, then skip / carry on / end.
    child.send("h")
    child.expect("How much does it hurt right now")
    child.send("6\r")
    child.expect("Let's stop this exercise for today")  # 6 is above the pain limit of 5
    child.expect("e = end the session")
    child.send("e")
    child.expect("After the session: your pain now")
    child.sendline("3")
    child.expect("How hard was the session")
    child.sendline("5")
    child.expect("right thing to do")
    child.expect(r"Next time (.+?) starts with its easier version")
    hurt_name = child.match.group(1)
    assert exit_code(child) == 0

    catalog = default_catalog()
    hurt_id = next(e.id for e in catalog.exercises.values() if e.name == hurt_name)
    with open_database(settings) as db:
        (session,) = db.scalars(select(WorkoutSession)).all()
        assert (session.pain_before, session.pain_after, session.effort) == (2, 3, 5)
        checkins = db.scalars(select(CheckIn).order_by(CheckIn.id)).all()
        # the check-in before is stored when the session starts, as on the player page
        assert [(c.phase, c.pain, c.exercise_id, c.session_id) for c in checkins] == [
            (CheckinPhase.BEFORE, 2, None, session.id),
            (CheckinPhase.DURING, 6, hurt_id, session.id),
            (CheckinPhase.AFTER, 3, None, session.id),
        ]
        local = datetime.now().astimezone()
        plan = todays_plan(
            db,
            catalog,
            today=local.date(),
            program_id=PROGRAM,
            length=Length.SHORT,
            tz=local.tzinfo or UTC,
        ).require_plan()
    (step,) = [s for s in plan.steps if s.exercise_id == hurt_id]
    assert step.variant is VariantLevel.EASIER
    # the first-week ramp (a new user) also keeps the bird-dog at its easier version
    others = [s for s in plan.steps if s.exercise_id not in (hurt_id, "bird-dog")]
    assert others and all(s.variant is VariantLevel.STANDARD for s in others)

    # The next workout says so before it starts.
    child = start()
    child.expect("your pain now")
    child.sendline("2")
    child.expect(f"{hurt_name}.*easier version")
    child.expect("hurt last time")
