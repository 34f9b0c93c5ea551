"""`backcoach workout`: a guided session in the terminal.

The terminal is one more way to drive a stored session, like the player page:
every key press is an event sent through the same service call
(``services.session_events.send_event``), at the same engine time (wall-clock
time times ``Settings.time_scale``), and "this hurts" asks the pain and offers
the same three choices through ``this_hurts``. So the rows a terminal session
leaves are the rows the same session leaves in the browser, and a session is
never written by two owners: ``StoredSession`` keeps no state the database
does not have.

The loop (``run_session``) reads keys without blocking, turns them and the
passing time into events for a ``SessionDriver``, and redraws the screen from
its state (``workout_view.render_screen``). What the voice says on the player
page (``coach/cues.py``) shows as the screen's latest line; "m" turns the step
panel's page when the instructions do not fit on one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.live import Live
from rich.panel import Panel
from sqlalchemy.orm import Session

from backcoach.cli.app import app, console
from backcoach.cli.checkin import finish_workout, start_workout
from backcoach.cli.workout_keys import KeySource, terminal_keys
from backcoach.cli.workout_view import Screen, render_screen, render_summary
from backcoach.coach.cues import cue_script
from backcoach.coach.engine import Notice, SessionEngine, SessionState, Status, Summary, Tick
from backcoach.coach.plan import SessionPlan, plan_from_program
from backcoach.config import get_settings
from backcoach.content import Catalog, Exercise, Length, default_catalog
from backcoach.errors import UsageError
from backcoach.i18n import _, current_language
from backcoach.services.clock import SessionClock
from backcoach.services.safety import exercise_block
from backcoach.services.session_events import (
    HEARTBEAT_S,
    EventType,
    HurtAdvice,
    NotOnExercise,
    send_event,
    this_hurts,
)
from backcoach.services.sessions import ActiveSession
from backcoach.store import local_user, open_database

DEFAULT_PROGRAM = "back-basics"
REFRESH_S = 0.1  # real seconds between screen updates
PAIN_KEYS = "0123456789"


def make_plan(catalog: Catalog, program_id: str, length: str) -> SessionPlan:
    """The program's plan at ``length`` as written (the planner adapts it before a session).

    Raises:
        UsageError: unknown program or a length the program does not have.
    """
    program = catalog.programs.get(program_id)
    if program is None:
        known = ", ".join(sorted(catalog.programs)) or _("(none)")
        raise UsageError(
            _("Unknown program '{id}'. Available programs: {known}.").format(
                id=program_id, known=known
            )
        )
    lengths = [str(x) for x in program.lengths]
    if length not in lengths:
        raise UsageError(
            _("Program '{id}' has no '{length}' length. Available lengths: {lengths}.").format(
                id=program_id, length=length, lengths=", ".join(lengths)
            )
        )
    return plan_from_program(catalog, program_id, Length(length))


class SessionDriver(Protocol):
    """Where the terminal's events go, and the state to draw."""

    @property
    def plan(self) -> SessionPlan: ...

    @property
    def state(self) -> SessionState: ...

    def send(self, kind: EventType) -> list[Notice]:
        """Apply one event now; what happened."""
        ...

    def tick(self) -> list[Notice]:
        """Let time pass (countdowns move); what happened."""
        ...

    def hurt(self, pain: int) -> HurtAdvice:
        """ "This hurts" on the current exercise, with the pain now (0-10)."""
        ...

    def summary(self) -> Summary: ...


class StoredSession:
    """A stored session driven from the terminal through the session services.

    Keys are stored at once. Time passing is stored like the player page's
    heartbeat: whenever it makes something happen (a countdown number, the end
    of a hold, a breath), and at least every ``HEARTBEAT_S`` real seconds; in
    between, the screen shows the stored state moved on to now, in memory.
    """

    def __init__(
        self,
        db: Session,
        active: ActiveSession,
        *,
        user_id: int,
        clock: SessionClock,
        real: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.active = active
        self.user_id = user_id
        self.clock = clock
        self.real = real
        self._shown = active.engine
        self._stored_at = real()

    @property
    def plan(self) -> SessionPlan:
        return self.active.plan

    @property
    def state(self) -> SessionState:
        return self._shown.state

    def send(self, kind: EventType) -> list[Notice]:
        changed = send_event(
            self.db, session_id=self.active.id, user_id=self.user_id, kind=kind, clock=self.clock
        )
        self.active = changed.active
        self._shown = changed.active.engine
        self._stored_at = self.real()
        return changed.notices

    def tick(self) -> list[Notice]:
        engine = self.active.engine
        preview = SessionEngine.restore(engine.plan, engine.snapshot())
        if preview.apply(Tick(self.clock.now())) or self.real() - self._stored_at >= HEARTBEAT_S:
            return self.send(EventType.TICK)
        self._shown = preview
        return []

    def hurt(self, pain: int) -> HurtAdvice:
        return this_hurts(
            self.db, session_id=self.active.id, user_id=self.user_id, pain=pain, clock=self.clock
        )

    def summary(self) -> Summary:
        return self.active.engine.summary()


class _Session:
    """The loop's own state: the last cue, the page shown, a question asked (quit, this hurts)."""

    def __init__(self, driver: SessionDriver, exercises: Mapping[str, Exercise]) -> None:
        self.driver = driver
        self.exercises = exercises
        self.cue: str | None = None
        self.page = 0
        self._page_step = driver.state.step_index
        self.confirm_quit = False
        self.pain_entry: str | None = None  # typing the pain of "this hurts"
        self.advice: HurtAdvice | None = None  # the answer to it, with the choices
        self.hurt_exercises: list[str] = []
        self._paused_for_question = False

    def feed(self, kind: EventType) -> None:
        self.said(self.driver.send(kind))

    def said(self, notices: list[Notice]) -> None:
        said = cue_script(notices, self.driver.plan, self.exercises)
        if said:
            self.cue = said[-1].text

    def shown_page(self) -> int:
        """The step panel's page: the first again whenever the step changes."""
        if self.driver.state.step_index != self._page_step:
            self._page_step = self.driver.state.step_index
            self.page = 0
        return self.page

    def _ask(self) -> None:
        """Pause while a question is open (and carry on after it, if it was running)."""
        self._paused_for_question = self.driver.state.status is Status.RUNNING
        if self._paused_for_question:
            self.feed(EventType.PAUSE)

    def _carry_on(self) -> None:
        if self._paused_for_question and self.driver.state.paused:
            self.feed(EventType.RESUME)
        self._paused_for_question = False

    def key(self, ch: str) -> None:
        if self.confirm_quit:
            self._quit_key(ch)
        elif self.pain_entry is not None:
            self._pain_key(ch)
        elif self.advice is not None:
            self._choice_key(ch)
        elif ch in "r\r\n":
            self.feed(EventType.REP_DONE)
        elif ch in " p":
            self.feed(EventType.RESUME if self.driver.state.paused else EventType.PAUSE)
        elif ch == "s":
            self.feed(EventType.SKIP)
        elif ch == "b":
            self.feed(EventType.BACK)
        elif ch == "m":
            self.shown_page()
            self.page += 1
        elif ch == "h":
            self._ask()
            self.pain_entry = ""
        elif ch == "q":
            self.confirm_quit = True
            self._ask()

    def _quit_key(self, ch: str) -> None:
        if ch in "yY":
            self.feed(EventType.QUIT)
        elif ch in "nN":
            self.confirm_quit = False
            self._carry_on()

    def _pain_key(self, ch: str) -> None:
        entry = self.pain_entry or ""
        if ch in PAIN_KEYS and len(entry) < 2:
            self.pain_entry = entry + ch
        elif ch in "\x7f\b":
            self.pain_entry = entry[:-1]
        elif ch == "c":  # back to the exercise without saying
            self.pain_entry = None
            self._carry_on()
        elif ch in "\r\n" and entry and int(entry) <= 10:
            self.pain_entry = None
            try:
                self.advice = self.driver.hurt(int(entry))
            except NotOnExercise as exc:
                self.cue = str(exc)
                self._carry_on()
                return
            names = {s.exercise_id: s.name for s in self.driver.plan.steps}
            self.hurt_exercises.append(names[self.advice.exercise_id])
            self.cue = None

    def _choice_key(self, ch: str) -> None:
        advice = self.advice
        assert advice is not None
        if ch == "s":  # skip this exercise
            self.advice = None
            if self.driver.state.paused:
                self.feed(EventType.RESUME)
            self.feed(EventType.SKIP)
            self._paused_for_question = False
        elif ch == "e":  # end the session
            self.advice = None
            self.feed(EventType.HURT)
        elif ch == "c" and not advice.stop:  # carry on gently
            self.advice = None
            self._carry_on()


def run_session(
    driver: SessionDriver,
    catalog: Catalog,
    *,
    out: Console,
    title: str,
    keys: KeySource | None = None,
) -> tuple[Summary, list[str]]:
    """Guide one session in the terminal until it finishes or the person quits.

    Args:
        driver: the session (``StoredSession``), already created or resumed.
        catalog: content for the instructions.
        out: the console to draw on.
        title: shown in the header (program and length).
        keys: where key presses come from; default stdin in cbreak mode.

    Returns:
        The summary (also printed below the session screen) and the names of
        the exercises that hurt.
    """
    exercises = dict(catalog.exercises)
    session = _Session(driver, exercises)
    key_context: AbstractContextManager[KeySource] = (
        nullcontext(keys) if keys is not None else terminal_keys()
    )

    def frame() -> Screen:
        return Screen(
            title=title,
            plan=driver.plan,
            state=driver.state,
            exercises=exercises,
            cue=session.cue,
            confirm_quit=session.confirm_quit,
            pain_entry=session.pain_entry,
            advice=session.advice,
            page=session.shown_page(),
        )

    if driver.state.status is Status.NOT_STARTED:
        session.feed(EventType.START)
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
            while not driver.state.finished:
                for ch in source.read(REFRESH_S):
                    step = driver.state.step_index
                    session.key(ch)
                    if driver.state.finished or driver.state.step_index != step:
                        # The rest was typed for the step that just ended (keys pile up
                        # while the screen redraws): it must not count for the next one.
                        break
                if not driver.state.finished:
                    session.said(driver.tick())
                live.update(render_screen(frame()), refresh=True)
        except KeyboardInterrupt:  # Ctrl-C: end the session like q, y
            session.feed(EventType.QUIT)
    summary = driver.summary()
    out.print(render_summary(driver.plan, summary))
    return summary, session.hurt_exercises


@app.command(
    help=_("A guided session in the terminal: instructions, countdowns, rep prompts, a summary.")
)
def workout(
    program: Annotated[
        str, typer.Option("--program", help=_("Program id (see `backcoach exercises`)."))
    ] = DEFAULT_PROGRAM,
    length: Annotated[
        str, typer.Option("--length", help=_("Session length: short or full."))
    ] = Length.SHORT.value,
) -> None:
    catalog = default_catalog(current_language())
    make_plan(catalog, program, length)  # a wrong program or length is said before anything
    if not sys.stdin.isatty():
        raise UsageError(
            _("`backcoach workout` needs an interactive terminal: it reads keys as you press them.")
        )
    settings = get_settings()
    clock = SessionClock.of(settings)
    with open_database(settings) as db:
        user_id = local_user(db).id
        db.commit()
        # A red flag stops every path to exercise (also a session to resume), before anything.
        block = exercise_block(db, user_id=user_id)
        if block is not None:
            console.print(
                Panel(_(block.cli_message), title=_("Please see a doctor"), border_style="red")
            )
            raise typer.Exit(1)
        # The planner's safety gate, then an interrupted session to resume or a new one
        # with the pain before it stored now, as the player page does (cli/checkin.py).
        active = start_workout(
            db, catalog, program_id=program, length=Length(length), user_id=user_id, clock=clock
        )
        shown = catalog.programs.get(active.plan.program_id)
        name = shown.name if shown is not None else active.plan.program_id
        driver = StoredSession(db, active, user_id=user_id, clock=clock)
        summary, hurt = run_session(
            driver, catalog, out=console, title=f"{name} ({active.plan.length})"
        )
        finish_workout(db, driver.active, summary, user_id=user_id, clock=clock, hurt=hurt)
