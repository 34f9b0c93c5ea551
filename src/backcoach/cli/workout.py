"""`backcoach workout`: a guided session in the terminal.

The loop (``run_session``) reads keys without blocking, turns them and the
passing time into engine events, and redraws the screen from the engine's
state (``workout_view.render_screen``). Time is the monotonic clock times
``Settings.time_scale``, so tests run a whole session in seconds.

Hooks for persistence: ``run_session`` takes an already built engine (fresh,
``SessionEngine.resume_at(...)`` or ``SessionEngine.restore(...)``) and an
``on_notice(engine, notices)`` callback called after every event that
produced notices (``step_completed`` carries the step's record).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live

from backcoach.cli.app import app, console
from backcoach.cli.checkin import finish_workout, prepare_workout
from backcoach.cli.data import stored_session
from backcoach.cli.workout_keys import KeySource, terminal_keys
from backcoach.cli.workout_view import Screen, render_screen, render_summary
from backcoach.coach.engine import (
    Back,
    Event,
    Hurt,
    Notice,
    Pause,
    Quit,
    RepDone,
    Resume,
    SessionEngine,
    Skip,
    Start,
    Status,
    Summary,
    Tick,
)
from backcoach.coach.plan import SessionPlan, plan_from_program
from backcoach.config import get_settings
from backcoach.content import Catalog, Length, default_catalog
from backcoach.errors import UsageError

DEFAULT_PROGRAM = "back-basics"
REFRESH_S = 0.1  # real seconds between screen updates

NoticeHook = Callable[[SessionEngine, list[Notice]], None]
Clock = Callable[[], float]


def make_plan(catalog: Catalog, program_id: str, length: str) -> SessionPlan:
    """The plan for one session of ``program_id`` at ``length``.

    The one place a workout's plan is made (the planner plugs in here).

    Raises:
        UsageError: unknown program or a length the program does not have.
    """
    program = catalog.programs.get(program_id)
    if program is None:
        known = ", ".join(sorted(catalog.programs)) or "(none)"
        raise UsageError(f"Unknown program '{program_id}'. Available programs: {known}.")
    lengths = [str(x) for x in program.lengths]
    if length not in lengths:
        raise UsageError(
            f"Program '{program_id}' has no '{length}' length. "
            f"Available lengths: {', '.join(lengths)}."
        )
    return plan_from_program(catalog, program_id, Length(length))


class _Session:
    """The running loop's own state: the engine, the last cue, a pending quit question."""

    def __init__(self, engine: SessionEngine, now: Clock, on_notice: NoticeHook | None) -> None:
        self.engine = engine
        self.now = now
        self.on_notice = on_notice
        self.cue: str | None = None
        self.confirm_quit = False
        self._paused_for_question = False

    def feed(self, event: Event) -> None:
        notices = self.engine.apply(event)
        if not notices:
            return
        if self.on_notice is not None:
            self.on_notice(self.engine, notices)
        said = [n.say for n in notices if n.say]
        if said:
            self.cue = said[-1]

    def key(self, ch: str) -> None:
        t = self.now()
        if self.confirm_quit:
            if ch in "yY":
                self.feed(Quit(t))
            elif ch in "nN":
                self.confirm_quit = False
                if self._paused_for_question:
                    self.feed(Resume(t))
            return
        if ch in "r\r\n":
            self.feed(RepDone(t))
        elif ch in " p":
            self.feed(Resume(t) if self.engine.state.paused else Pause(t))
        elif ch == "s":
            self.feed(Skip(t))
        elif ch == "b":
            self.feed(Back(t))
        elif ch == "h":  # it hurts: stop at once, no question asked
            self.feed(Hurt(t))
        elif ch == "q":
            self.confirm_quit = True
            self._paused_for_question = not self.engine.state.paused
            if self._paused_for_question:
                self.feed(Pause(t))


def run_session(
    plan: SessionPlan,
    catalog: Catalog,
    *,
    out: Console,
    title: str,
    time_scale: float = 1.0,
    engine: SessionEngine | None = None,
    on_notice: NoticeHook | None = None,
    keys: KeySource | None = None,
    clock: Clock = time.monotonic,
) -> Summary:
    """Guide one session in the terminal until it finishes or the person quits.

    Args:
        plan: the session's steps.
        catalog: content for the instructions.
        out: the console to draw on.
        title: shown in the header (program and length).
        time_scale: session seconds per real second (tests speed time up).
        engine: an engine to run (e.g. ``SessionEngine.resume_at`` or ``restore``);
            default a fresh one for ``plan``. Its time continues from its last event.
        on_notice: called with the engine and the notices after every event that had any.
        keys: where key presses come from; default stdin in cbreak mode.
        clock: real seconds (monotonic).

    Returns:
        The summary, also printed below the session screen.
    """
    engine = engine if engine is not None else SessionEngine(plan)
    t0 = clock()
    base = engine.state.last_t or 0.0

    def now() -> float:
        return base + (clock() - t0) * time_scale

    session = _Session(engine, now, on_notice)
    key_context: AbstractContextManager[KeySource] = (
        nullcontext(keys) if keys is not None else terminal_keys()
    )
    exercises = dict(catalog.exercises)

    def frame() -> Screen:
        return Screen(
            title=title,
            plan=plan,
            state=engine.state,
            exercises=exercises,
            cue=session.cue,
            confirm_quit=session.confirm_quit,
        )

    if engine.state.status is Status.NOT_STARTED:
        session.feed(Start(now()))
    with (
        key_context as source,
        Live(
            render_screen(frame()),
            console=out,
            screen=True,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as live,
    ):
        try:
            while not engine.state.finished:
                for ch in source.read(REFRESH_S):
                    session.key(ch)
                    if engine.state.finished:
                        break
                session.feed(Tick(now()))
                live.update(render_screen(frame()), refresh=True)
        except KeyboardInterrupt:  # Ctrl-C: end the session like q, y
            session.feed(Quit(now()))
    summary = engine.summary()
    out.print(render_summary(plan, summary))
    return summary


@app.command()
def workout(
    program: Annotated[
        str, typer.Option("--program", help="Program id (see `backcoach exercises`).")
    ] = DEFAULT_PROGRAM,
    length: Annotated[str, typer.Option("--length", help="Session length: short or full.")] = (
        Length.SHORT.value
    ),
) -> None:
    """A guided session in the terminal: instructions, countdowns, rep prompts, a summary."""
    catalog = default_catalog()
    plan = make_plan(catalog, program, length)
    if not sys.stdin.isatty():
        raise UsageError(
            "`backcoach workout` needs an interactive terminal: it reads keys as you press them."
        )
    settings = get_settings()
    # Safety screening gate, pain before, and today's plan from the planner (cli/checkin.py).
    plan, pain_before = prepare_workout(catalog, program, length, settings=settings)
    # Each step is committed as it is done; an interrupted session is offered for resuming.
    with stored_session(plan, settings=settings, pain_before=pain_before) as (active, record):
        resumed = catalog.programs.get(active.plan.program_id)
        name = resumed.name if resumed is not None else active.plan.program_id
        summary = run_session(
            active.plan,
            catalog,
            out=console,
            title=f"{name} ({active.plan.length})",
            time_scale=settings.time_scale,
            engine=active.engine,
            on_notice=record,
        )
    finish_workout(active, summary, settings=settings, pain_before=pain_before)
