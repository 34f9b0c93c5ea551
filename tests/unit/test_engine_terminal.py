"""The terminal workout around the engine: screen rendering, the key loop, the raw terminal.

The loop is driven here through a bare engine behind the ``SessionDriver``
protocol (no database); the stored driver is tested in
``tests/integration/test_cli_equals_web.py``.
"""

from __future__ import annotations

import io
import os
import signal
import termios
from collections.abc import Iterator
from dataclasses import replace

import pytest
from rich.console import Console
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.workout import make_plan, run_session
from backcoach.cli.workout_keys import SIGTERM_EXIT_CODE, terminal_keys
from backcoach.cli.workout_view import Screen, dose_text, render_screen, render_summary
from backcoach.coach.engine import (
    STEP_READY_S,
    Activity,
    EndReason,
    Notice,
    NoticeKind,
    Pause,
    RepDone,
    SessionEngine,
    SessionState,
    Skip,
    Start,
    Status,
    Summary,
    Tick,
)
from backcoach.coach.plan import PlannedStep, SessionPlan, default_step
from backcoach.content import Catalog, Kind, Length, default_catalog
from backcoach.services.session_events import EventType, HurtAdvice, make_event

# --- factories -------------------------------------------------------------


def step(kind: Kind, **kw: object) -> PlannedStep:
    names = {
        Kind.REPS: "bird-dog",
        Kind.HOLD: "side-plank",
        Kind.TIMED: "high-knee-march",
        Kind.BREATHING: "deep-breathing",
    }
    exercise_id = str(kw.pop("exercise_id", names[kind]))
    args: dict[str, object] = {"sets": 1}
    args.update(kw)
    return PlannedStep(exercise_id, exercise_id.replace("-", " ").title(), kind, **args)  # type: ignore[arg-type]


PLAN = SessionPlan(
    "test",
    Length.SHORT,
    (
        step(Kind.BREATHING, reps=2, hold_s=3.0),
        step(Kind.REPS, exercise_id="glute-bridge", sets=2, reps=2, hold_s=4.0, rest_s=10.0),
        step(Kind.REPS, reps=3, per_side=True),
        step(Kind.HOLD, hold_s=20.0),
        step(Kind.TIMED, duration_s=30.0),
    ),
)
EMPTY_CATALOG = Catalog(exercises={}, programs={}, tips=())


def screen_text(screen: Screen) -> list[str]:
    console = Console(width=80, height=24, record=True, file=io.StringIO(), color_system=None)
    console.print(render_screen(screen))
    return console.export_text().rstrip("\n").split("\n")


def engine_at(plan: SessionPlan, *events: object) -> SessionEngine:
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    for event in events:
        engine.apply(event)  # type: ignore[arg-type]
    return engine


class ScriptedKeys:
    """Keys from a script, one entry per read; each read moves the fake clock on."""

    def __init__(self, script: list[str], then: str = "r") -> None:
        self.script = list(script)
        self.then = then
        self.now = 0.0
        self.reads = 0

    def clock(self) -> float:
        return self.now

    def read(self, timeout: float) -> str:
        self.now += timeout
        self.reads += 1
        if self.reads > 100_000:
            raise AssertionError("the session never ended")
        return self.script.pop(0) if self.script else self.then


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=80, height=24, force_terminal=True, color_system=None)


class EngineDriver:
    """A bare engine behind the ``SessionDriver`` protocol, on the scripted keys' clock."""

    def __init__(
        self, plan: SessionPlan, keys: ScriptedKeys, *, engine: SessionEngine | None = None
    ) -> None:
        self.engine = engine if engine is not None else SessionEngine(plan)
        self.keys = keys
        self.sent: list[EventType] = []
        self.notices: list[Notice] = []
        self.hurts: list[int] = []

    @property
    def plan(self) -> SessionPlan:
        return self.engine.plan

    @property
    def state(self) -> SessionState:
        return self.engine.state

    def send(self, kind: EventType) -> list[Notice]:
        self.sent.append(kind)
        notices = self.engine.apply(make_event(kind, self.keys.now))
        self.notices += notices
        return notices

    def tick(self) -> list[Notice]:
        notices = self.engine.apply(Tick(self.keys.now))
        self.notices += notices
        return notices

    def hurt(self, pain: int) -> HurtAdvice:
        self.hurts.append(pain)
        step = self.engine.step
        assert step is not None
        stop = pain >= 5
        return HurtAdvice(step.exercise_id, stop, pain, 5, "Stop it." if stop else "Go gently.")

    def summary(self) -> Summary:
        return self.engine.summary()


def run_scripted(
    plan: SessionPlan,
    keys: ScriptedKeys,
    *,
    out: Console | None = None,
    title: str = "T",
    engine: SessionEngine | None = None,
) -> tuple[Summary, EngineDriver]:
    """``run_session`` with scripted keys on their fake clock, no catalog, a quiet console."""
    driver = EngineDriver(plan, keys, engine=engine)
    summary, _ = run_session(
        driver,
        EMPTY_CATALOG,
        out=quiet_console() if out is None else out,
        title=title,
        keys=keys,
    )
    return summary, driver


# --- rendering -------------------------------------------------------------


def test_screen_fits_80x24_and_shows_step_dose_and_keys() -> None:
    engine = engine_at(PLAN, RepDone(0.5))  # ready: the first breath
    lines = screen_text(Screen("Back basics (short)", PLAN, engine.state, {}, cue="Breathe in"))
    assert len(lines) == 24
    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert "Deep Breathing" in text
    assert "1 set x 2 breaths" in text
    assert "Breathe in" in text and "0 of 2 breaths" in text
    assert "step 1/5" in text
    assert "q quit" in lines[-1] and "h it hurts" in lines[-1]


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (0.0, "Get into position"),
        (STEP_READY_S, "Move into position"),
        (STEP_READY_S + 4.0, "HOLD 3 s"),
        (STEP_READY_S + 16.0, "Rest"),
    ],
)
def test_screen_shows_the_current_activity(t: float, expected: str) -> None:
    plan = SessionPlan("test", Length.SHORT, PLAN.steps[1:])
    engine = engine_at(plan, Tick(t))
    text = "\n".join(screen_text(Screen("x", plan, engine.state, {})))
    assert expected in text


def test_screen_shows_rep_prompt_side_pause_and_quit_question() -> None:
    plan = SessionPlan("test", Length.SHORT, (PLAN.steps[2],))
    engine = engine_at(plan, RepDone(1.0))
    text = "\n".join(screen_text(Screen("x", plan, engine.state, {})))
    # the same count as the player page: reps done of the target
    assert "1 of 3 reps" in text and "left side" in text and "Press r or Enter" in text
    engine.apply(Pause(2.0))
    assert "PAUSED" in "\n".join(screen_text(Screen("x", plan, engine.state, {})))
    asking = Screen("x", plan, engine.state, {}, confirm_quit=True)
    assert "Quit the session?" in "\n".join(screen_text(asking))


def test_screen_shows_the_exercise_instructions() -> None:
    catalog = default_catalog()
    plan = make_plan(catalog, "back-basics", "short")
    engine = engine_at(plan)
    exercise = catalog.exercise(plan.steps[0].exercise_id)
    exercises = dict(catalog.exercises)
    # what does not fit the first page is on the next ("m")
    pages = [screen_text(Screen("x", plan, engine.state, exercises, page=p)) for p in (0, 1)]
    text = "\n".join(pages[0] + pages[1])
    assert exercise.name in text
    assert "1." in text and exercise.steps[0][:30] in text.replace("\n│ ", " ")


@pytest.mark.parametrize(
    ("planned", "text"),
    [
        (step(Kind.REPS, sets=2, reps=8, hold_s=3.0, rest_s=15.0), "2 sets x 8 reps · hold 3 s"),
        (step(Kind.HOLD, hold_s=20.0, per_side=True), "1 set · hold 20 s · each side"),
        (step(Kind.TIMED, duration_s=90.0), "1 set · 1:30"),
        (step(Kind.BREATHING, reps=3), "1 set x 3 breaths"),
    ],
)
def test_dose_text(planned: PlannedStep, text: str) -> None:
    assert dose_text(planned).startswith(text)


def test_summary_lists_every_step_and_the_totals() -> None:
    engine = engine_at(PLAN)
    engine.apply(RepDone(0.5))  # ready
    engine.apply(RepDone(1.0))
    engine.apply(RepDone(2.0))  # both breaths: step 1 done
    summary = engine.summary()
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    console.print(render_summary(PLAN, summary))
    text = console.export_text()
    assert "Session summary" in text
    assert "done" in text and "not done" in text
    assert "Steps done: 1 of 5" in text


# --- the loop --------------------------------------------------------------


def test_run_session_drives_the_engine_with_keys_and_reports_notices() -> None:
    keys = ScriptedKeys(["", "p", "", "", "p", "s", "", "b", "", "r", "r"])
    out = quiet_console()
    summary, driver = run_scripted(PLAN, keys, out=out, title="Test")
    kinds = [n.kind for n in driver.notices]
    assert kinds[0] is NoticeKind.SESSION_STARTED
    assert NoticeKind.PAUSED in kinds and NoticeKind.RESUMED in kinds
    assert NoticeKind.STEP_SKIPPED in kinds and NoticeKind.STEP_REOPENED in kinds
    assert kinds[-1] is NoticeKind.SESSION_FINISHED
    assert driver.sent[:3] == [EventType.START, EventType.PAUSE, EventType.RESUME]
    assert summary.ended_by is EndReason.COMPLETED
    assert summary.steps_completed == len(PLAN.steps)
    assert summary.paused_s > 0
    assert "Session summary" in out.file.getvalue()  # type: ignore[attr-defined]


def test_quit_asks_first_n_carries_on_y_quits() -> None:
    keys = ScriptedKeys(["q", "", "n", "", "q", "y"], then="")
    summary, driver = run_scripted(PLAN, keys)
    assert summary.ended_by is EndReason.QUIT
    assert summary.steps_completed == 0
    assert keys.script == []
    # The question pauses the session, "n" resumes it, "y" ends it.
    seen = [n.kind for n in driver.notices]
    asked = [k for k in seen if k in (NoticeKind.PAUSED, NoticeKind.RESUMED)]
    assert asked == [NoticeKind.PAUSED, NoticeKind.RESUMED, NoticeKind.PAUSED]
    assert seen[-1] is NoticeKind.SESSION_FINISHED


class Stop(Exception):
    pass


def stop_when_the_script_ends(keys: ScriptedKeys) -> None:
    original_read = keys.read

    def read(timeout: float) -> str:
        if not keys.script:
            raise Stop
        return original_read(timeout)

    keys.read = read  # type: ignore[method-assign]


def test_quit_question_while_paused_keeps_the_pause() -> None:
    keys = ScriptedKeys(["p", "q", "n", "", ""], then="")
    stop_when_the_script_ends(keys)
    driver = EngineDriver(PLAN, keys)
    with pytest.raises(Stop):
        run_session(driver, EMPTY_CATALOG, out=quiet_console(), title="T", keys=keys)
    assert driver.state.paused


def test_this_hurts_asks_the_pain_and_offers_three_choices() -> None:
    # On the rep step: "h" pauses and asks; "3" Enter is mild: carry on gently ("c").
    keys = ScriptedKeys(["", "r", "r", "h", "3", "\r", "", "c", "", "r"], then="")
    stop_when_the_script_ends(keys)
    plan = SessionPlan("t", Length.SHORT, (step(Kind.REPS, reps=3), step(Kind.REPS, reps=2)))
    driver = EngineDriver(plan, keys)
    with pytest.raises(Stop):
        run_session(driver, EMPTY_CATALOG, out=quiet_console(), title="T", keys=keys)
    assert driver.hurts == [3]
    assert driver.state.status is Status.RUNNING  # carried on where it was
    assert (driver.state.step_index, driver.state.reps_done) == (1, 0)
    assert EventType.PAUSE in driver.sent and EventType.RESUME in driver.sent


def test_this_hurts_then_skip_this_exercise() -> None:
    keys = ScriptedKeys(["", "h", "7", "\r", "c", "s", ""], then="")
    stop_when_the_script_ends(keys)
    plan = SessionPlan("t", Length.SHORT, (step(Kind.REPS, reps=3), step(Kind.REPS, reps=2)))
    driver = EngineDriver(plan, keys)
    with pytest.raises(Stop):
        run_session(driver, EMPTY_CATALOG, out=quiet_console(), title="T", keys=keys)
    assert driver.hurts == [7]
    # at the pain limit "carry on" is not offered: "c" did nothing, "s" skipped the step
    assert driver.sent[-2:] == [EventType.RESUME, EventType.SKIP]
    assert driver.state.step_index == 1 and driver.state.status is Status.RUNNING


def test_this_hurts_then_end_the_session() -> None:
    keys = ScriptedKeys(["", "h", "1", "0", "\r", "e"], then="")
    out = quiet_console()
    summary, driver = run_scripted(PLAN, keys, out=out)
    assert driver.hurts == [10]
    assert summary.ended_by is EndReason.HURT
    assert "talk to a clinician" in out.file.getvalue()  # type: ignore[attr-defined]


def test_the_pain_question_takes_0_to_10_and_can_be_left() -> None:
    keys = ScriptedKeys(["", "h", "1", "1", "\r", "\x7f", "\r", ""], then="")
    stop_when_the_script_ends(keys)
    driver = EngineDriver(PLAN, keys)
    with pytest.raises(Stop):
        run_session(driver, EMPTY_CATALOG, out=quiet_console(), title="T", keys=keys)
    assert driver.hurts == [1]  # "11" is not a pain; after a backspace "1" is
    assert driver.state.paused  # the answer waits for a choice

    keys = ScriptedKeys(["", "h", "4", "c", ""], then="")
    stop_when_the_script_ends(keys)
    driver = EngineDriver(PLAN, keys)
    with pytest.raises(Stop):
        run_session(driver, EMPTY_CATALOG, out=quiet_console(), title="T", keys=keys)
    assert driver.hurts == []  # left without saying: nothing stored, back to the exercise
    assert driver.state.status is Status.RUNNING


def flat_screen(screen: Screen) -> str:
    return " ".join(" ".join(screen_text(screen)).split())


def test_screen_shows_the_pain_question_and_the_choices() -> None:
    engine = engine_at(PLAN)
    asking = Screen("x", PLAN, engine.state, {}, pain_entry="6")
    text = flat_screen(asking)
    assert "How much does it hurt right now (0-10)? 6_" in text
    gentle = HurtAdvice("deep-breathing", False, 3, 5, "Make the movement smaller.")
    text = flat_screen(Screen("x", PLAN, engine.state, {}, advice=gentle))
    assert "Make the movement smaller." in text
    assert "s = skip this exercise · e = end the session · c = carry on gently" in text
    stop = HurtAdvice("deep-breathing", True, 7, 5, "Let's stop this exercise for today.")
    text = flat_screen(Screen("x", PLAN, engine.state, {}, advice=stop))
    assert "Let's stop this exercise" in text and "carry on" not in text


def test_ctrl_c_ends_the_session_with_a_summary() -> None:
    class Interrupting(ScriptedKeys):
        def read(self, timeout: float) -> str:
            if self.reads == 3:
                raise KeyboardInterrupt
            return super().read(timeout)

    keys = Interrupting([], then="")
    summary, _ = run_scripted(PLAN, keys)
    assert summary.ended_by is EndReason.QUIT


def test_a_running_session_is_not_started_again() -> None:
    engine = SessionEngine.resume_at(PLAN, 4)
    engine.apply(Start(0.0))
    keys = ScriptedKeys([], then="r")
    summary, driver = run_scripted(PLAN, keys, engine=engine)
    assert EventType.START not in driver.sent
    assert [r.index for r in summary.records] == [4]


# --- the terminal ----------------------------------------------------------


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, io.TextIOWrapper]]:
    master, slave = os.openpty()
    stream = open(slave, encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield master, stream
    finally:
        stream.close()
        os.close(master)


def test_terminal_keys_reads_single_keys_and_restores_the_terminal(
    pty_pair: tuple[int, io.TextIOWrapper],
) -> None:
    master, stream = pty_pair
    before = termios.tcgetattr(stream.fileno())
    with terminal_keys(stream) as keys:
        during = termios.tcgetattr(stream.fileno())
        assert not during[3] & termios.ICANON  # keys arrive without Enter
        assert not during[3] & termios.ECHO
        assert during[3] & termios.ISIG  # Ctrl-C still interrupts
        assert keys.read(0.01) == ""
        os.write(master, b"s")
        assert keys.read(1.0) == "s"
        os.write(master, b"\x1b[Br")  # arrow down, then r: the arrow is dropped
        assert keys.read(1.0) == "r"
    assert termios.tcgetattr(stream.fileno()) == before


def test_terminal_is_restored_after_an_exception_and_on_sigterm(
    pty_pair: tuple[int, io.TextIOWrapper],
) -> None:
    _, stream = pty_pair
    before = termios.tcgetattr(stream.fileno())
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError), terminal_keys(stream):
        raise RuntimeError("boom")
    assert termios.tcgetattr(stream.fileno()) == before
    with pytest.raises(SystemExit) as exit_info, terminal_keys(stream):
        os.kill(os.getpid(), signal.SIGTERM)
    assert exit_info.value.code == SIGTERM_EXIT_CODE
    assert termios.tcgetattr(stream.fileno()) == before
    assert signal.getsignal(signal.SIGTERM) == handler


# --- the command -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "no-such-program"], "Available programs: "),
        (["--length", "medium"], "Available lengths: "),
    ],
)
def test_unknown_program_or_length_is_a_usage_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["workout", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "back-basics" in result.output or "short" in result.output


def test_workout_needs_an_interactive_terminal() -> None:
    result = CliRunner().invoke(app, ["workout"], input="")
    assert result.exit_code == 2, result.output
    assert "interactive terminal" in result.output


def test_make_plan_uses_the_program_and_length() -> None:
    catalog = default_catalog()
    plan = make_plan(catalog, "back-basics", "short")
    ids = [s.exercise for s in catalog.program("back-basics").lengths[Length.SHORT]]
    assert [s.exercise_id for s in plan.steps] == ids
    assert (plan.program_id, plan.length) == ("back-basics", Length.SHORT)


def test_screen_names_the_position_the_figure_shows() -> None:
    catalog = default_catalog()
    exercises = dict(catalog.exercises)
    bridge = replace(default_step(catalog.exercise("glute-bridge")), sets=1, reps=2)
    bird_dog = replace(default_step(catalog.exercise("bird-dog")), sets=1, reps=1)
    plan = SessionPlan("test", Length.SHORT, (bridge, bird_dog))
    engine = engine_at(plan, RepDone(0.25), RepDone(0.5))  # ready, in position: the hold
    assert engine.state.activity is Activity.HOLD
    text = "\n".join(screen_text(Screen("x", plan, engine.state, exercises)))
    assert "Position: hips lifted" in text and "lowered again" not in text
    engine.apply(Skip(1.0))
    engine.apply(RepDone(1.25))  # ready
    text = "\n".join(screen_text(Screen("x", plan, engine.state, exercises)))
    assert "left side" in text and "Position: left arm and right leg reaching" in text
    engine.apply(RepDone(1.5))
    engine.apply(RepDone(2.0))  # the left side's one rep held and done
    text = "\n".join(screen_text(Screen("x", plan, engine.state, exercises)))
    assert "right side" in text and "Position: right arm and left leg reaching" in text
