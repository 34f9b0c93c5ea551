"""The terminal workout around the engine: screen rendering, the key loop, the raw terminal."""

from __future__ import annotations

import io
import os
import signal
import termios
from collections.abc import Iterator

import pytest
from rich.console import Console
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.workout import NoticeHook, make_plan, run_session
from backcoach.cli.workout_keys import SIGTERM_EXIT_CODE, terminal_keys
from backcoach.cli.workout_view import Screen, dose_text, render_screen, render_summary
from backcoach.coach.engine import (
    EndReason,
    Notice,
    NoticeKind,
    Pause,
    RepDone,
    SessionEngine,
    Start,
    Summary,
    Tick,
)
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Catalog, Kind, Length, default_catalog

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


def run_scripted(
    plan: SessionPlan,
    keys: ScriptedKeys,
    *,
    out: Console | None = None,
    title: str = "T",
    time_scale: float = 1.0,
    engine: SessionEngine | None = None,
    on_notice: NoticeHook | None = None,
) -> Summary:
    """``run_session`` with scripted keys on their fake clock, no catalog, a quiet console."""
    return run_session(
        plan,
        EMPTY_CATALOG,
        out=quiet_console() if out is None else out,
        title=title,
        keys=keys,
        clock=keys.clock,
        time_scale=time_scale,
        engine=engine,
        on_notice=on_notice,
    )


# --- rendering -------------------------------------------------------------


def test_screen_fits_80x24_and_shows_step_dose_and_keys() -> None:
    engine = engine_at(PLAN)
    lines = screen_text(Screen("Back basics (short)", PLAN, engine.state, {}, cue="Breathe in"))
    assert len(lines) == 24
    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert "Deep Breathing" in text
    assert "1 set x 2 breaths" in text
    assert "Breathe in" in text and "breath 1 of 2" in text
    assert "step 1/5" in text
    assert "q quit" in lines[-1] and "h it hurts" in lines[-1]


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (0.0, "Move into position"),
        (4.0, "HOLD 3 s"),
        (16.0, "Rest"),
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
    assert "Rep 2 of 3" in text and "left side" in text and "Press r or Enter" in text
    engine.apply(Pause(2.0))
    assert "PAUSED" in "\n".join(screen_text(Screen("x", plan, engine.state, {})))
    asking = Screen("x", plan, engine.state, {}, confirm_quit=True)
    assert "Quit the session?" in "\n".join(screen_text(asking))


def test_screen_shows_the_exercise_instructions() -> None:
    catalog = default_catalog()
    plan = make_plan(catalog, "back-basics", "short")
    engine = engine_at(plan)
    exercise = catalog.exercise(plan.steps[0].exercise_id)
    text = "\n".join(screen_text(Screen("x", plan, engine.state, dict(catalog.exercises))))
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
    seen: list[Notice] = []
    out = quiet_console()
    summary = run_scripted(
        PLAN, keys, out=out, title="Test", on_notice=lambda engine, notices: seen.extend(notices)
    )
    kinds = [n.kind for n in seen]
    assert kinds[0] is NoticeKind.SESSION_STARTED
    assert NoticeKind.PAUSED in kinds and NoticeKind.RESUMED in kinds
    assert NoticeKind.STEP_SKIPPED in kinds and NoticeKind.STEP_REOPENED in kinds
    assert kinds[-1] is NoticeKind.SESSION_FINISHED
    assert summary.ended_by is EndReason.COMPLETED
    assert summary.steps_completed == len(PLAN.steps)
    assert summary.paused_s > 0
    assert "Session summary" in out.file.getvalue()  # type: ignore[attr-defined]


def test_quit_asks_first_n_carries_on_y_quits() -> None:
    keys = ScriptedKeys(["q", "", "n", "", "q", "y"], then="")
    seen: list[NoticeKind] = []
    summary = run_scripted(
        PLAN, keys, on_notice=lambda engine, notices: seen.extend(n.kind for n in notices)
    )
    assert summary.ended_by is EndReason.QUIT
    assert summary.steps_completed == 0
    assert keys.script == []
    # The question pauses the session, "n" resumes it, "y" ends it.
    asked = [k for k in seen if k in (NoticeKind.PAUSED, NoticeKind.RESUMED)]
    assert asked == [NoticeKind.PAUSED, NoticeKind.RESUMED, NoticeKind.PAUSED]
    assert seen[-1] is NoticeKind.SESSION_FINISHED


def test_quit_question_while_paused_keeps_the_pause() -> None:
    keys = ScriptedKeys(["p", "q", "n", "", ""], then="")
    engines: list[SessionEngine] = []

    def keep(engine: SessionEngine, notices: list[Notice]) -> None:
        engines.append(engine)

    class Stop(Exception):
        pass

    original_read = keys.read

    def read(timeout: float) -> str:
        if not keys.script:
            raise Stop
        return original_read(timeout)

    keys.read = read  # type: ignore[method-assign]
    with pytest.raises(Stop):
        run_scripted(PLAN, keys, on_notice=keep)
    assert engines[-1].state.paused


def test_h_stops_the_session_because_it_hurts() -> None:
    keys = ScriptedKeys(["", "h"], then="")
    out = quiet_console()
    summary = run_scripted(PLAN, keys, out=out)
    assert summary.ended_by is EndReason.HURT
    assert "talk to a clinician" in out.file.getvalue()  # type: ignore[attr-defined]


def test_time_scale_speeds_up_countdowns() -> None:
    plan = SessionPlan("t", Length.SHORT, (step(Kind.HOLD, hold_s=100.0),))
    keys = ScriptedKeys([], then="")
    summary = run_scripted(plan, keys, time_scale=50.0)
    assert summary.ended_by is EndReason.COMPLETED
    assert summary.hold_s == 100.0
    # 105 session seconds (get ready + hold) at 50x take about 2.1 fake real seconds.
    assert keys.now == pytest.approx(2.1, abs=0.2)


def test_a_restored_engine_continues_from_its_own_time() -> None:
    plan = SessionPlan("t", Length.SHORT, (step(Kind.HOLD, hold_s=20.0), step(Kind.REPS, reps=1)))
    first = engine_at(plan)
    first.apply(Tick(500.0))  # long after: the first step is done, waiting for a rep
    assert first.state.step_index == 1
    restored = SessionEngine.restore(plan, first.snapshot())
    keys = ScriptedKeys(["", "", "r"], then="")
    summary = run_scripted(plan, keys, engine=restored)
    assert summary.steps_completed == 2
    assert summary.active_s == pytest.approx(500.0 + 0.3, abs=1e-6)


def test_ctrl_c_ends_the_session_with_a_summary() -> None:
    class Interrupting(ScriptedKeys):
        def read(self, timeout: float) -> str:
            if self.reads == 3:
                raise KeyboardInterrupt
            return super().read(timeout)

    keys = Interrupting([], then="")
    summary = run_scripted(PLAN, keys)
    assert summary.ended_by is EndReason.QUIT


def test_resume_at_a_step_through_the_engine_hook() -> None:
    engine = SessionEngine.resume_at(PLAN, 4)
    keys = ScriptedKeys([], then="r")
    summary = run_scripted(PLAN, keys, engine=engine)
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
