"""What the terminal workout shows: pure functions from session state to Rich renderables.

The screen fits a plain 80x24 terminal::

    header   program, step k of n, active time                     1 line
    step     exercise name, dose, how to get into position, the key
             point, "Take care" notes, start position, numbered
             steps, breathing: in pages of whole items               the rest
    status   set and side, the figure's position, countdown or rep
             prompt or breath pacer, the latest spoken line          8 lines
    footer   the keys                                                1 line

Text is wrapped at word boundaries and never cut: what does not fit the step
panel goes on the next page ("m" shows it), and the status panel leaves out
the figure's position before it would cut the latest line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.layout import Layout
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from backcoach.coach.engine import Activity, EndReason, SessionState, StepStatus, Summary
from backcoach.coach.outcome import done_text
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.coach.pose import choose_pose
from backcoach.content import Exercise, Kind
from backcoach.i18n import N_, _, format_number, ngettext
from backcoach.services.session_events import HurtAdvice, count_text

KEYS_HELP = N_("r/Enter rep done · space/p pause · s skip · b back · q quit · h it hurts")
STATUS_HEIGHT = 8
HURT_HEIGHT = 11  # the "this hurts" answer needs a few more lines
BAR_WIDTH = 50

_BREATH_LABEL = {
    Activity.BREATHE_IN: N_("Breathe in"),
    Activity.BREATHE_HOLD: N_("Hold the breath"),
    Activity.BREATHE_OUT: N_("Breathe out"),
}
_SIDE_NAMES = {"left": N_("left side"), "right": N_("right side")}


@dataclass(frozen=True)
class Screen:
    """Everything one frame of the workout screen depends on."""

    title: str
    plan: SessionPlan
    state: SessionState
    exercises: dict[str, Exercise]
    cue: str | None = None
    confirm_quit: bool = False
    pain_entry: str | None = None
    advice: HurtAdvice | None = None
    page: int = 0  # the step panel's page ("m" turns it), taken modulo the pages there are


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60:d}:{whole % 60:02d}"


def _seconds(value: float) -> str:
    """``3 s``, ``2.5 s`` (``2,5 s`` in German)."""
    if value == int(value):
        return f"{format_number(value)} s"
    return f"{format_number(value, digits=2).rstrip('0')} s"


def dose_text(step: PlannedStep) -> str:
    """The dose in a few words, such as ``2 sets x 8 reps · hold 3 s · each side``."""
    parts = [ngettext("{n} set", "{n} sets", step.sets).format(n=step.sets)]
    if step.kind is Kind.BREATHING:
        parts[0] += " x " + _("{n} breaths").format(n=step.reps)
    elif step.kind is Kind.REPS:
        parts[0] += " x " + _("{n} reps").format(n=step.reps)
        if step.hold_s:
            parts.append(_("hold {time} each").format(time=_seconds(step.hold_s)))
    elif step.kind is Kind.HOLD and step.hold_s is not None:
        parts.append(_("hold {time}").format(time=_seconds(step.hold_s)))
    elif step.kind is Kind.TIMED and step.duration_s is not None:
        parts.append(clock_text(step.duration_s))
    if step.per_side:
        parts.append(_("each side"))
    if step.rest_s and step.sets > 1:
        parts.append(_("rest {time}").format(time=_seconds(step.rest_s)))
    return " · ".join(parts)


def _header(screen: Screen) -> Table:
    s = screen.state
    shown = min(s.step_index + 1, max(s.steps_total, 1))
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_row(
        f"backcoach · {screen.title}",
        _("step {n}/{total} · active {time}").format(
            n=shown, total=s.steps_total, time=clock_text(s.active_s)
        ),
        style="reverse",
    )
    return grid


class Paged:
    """Items shown whole, as many as fit the height, in pages; ``page`` picks one.

    An item never breaks across pages unless it alone is taller than a page.
    With more than one page, the last line says which page this is and that
    "m" shows more.
    """

    def __init__(self, items: Sequence[RenderableType], page: int = 0) -> None:
        self.items = list(items)
        self.page = page

    def pages(self, console: Console, options: ConsoleOptions) -> list[list[list[Segment]]]:
        """The lines of each page at these options' width and height."""
        free = options.update(height=None)
        rendered = [console.render_lines(item, free, pad=False) for item in self.items]
        height = options.height or sum(len(lines) for lines in rendered) or 1
        pages = _fill(rendered, height)
        if len(pages) > 1 and height > 1:  # one line for "m: more"
            pages = _fill(rendered, height - 1)
        return pages

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        pages = self.pages(console, options)
        shown = self.page % len(pages)
        for line in pages[shown]:
            yield from line
            yield Segment.line()
        if len(pages) > 1:
            yield Text(
                _("m: more ({page} of {pages})").format(page=shown + 1, pages=len(pages)),
                style="dim",
                justify="right",
                end="",
            )


def _fill(items: list[list[list[Segment]]], height: int) -> list[list[list[Segment]]]:
    """Whole items into pages of ``height`` lines; an item taller than a page is split by line."""
    pages: list[list[list[Segment]]] = [[]]
    for lines in items:
        if pages[-1] and len(pages[-1]) + len(lines) > height:
            pages.append([])
        for line in lines:
            if len(pages[-1]) >= height:
                pages.append([])
            pages[-1].append(line)
    return pages


def instruction_items(step: PlannedStep, exercise: Exercise | None) -> list[RenderableType]:
    """The step panel's items, most needed first: they fill the first page."""
    items: list[RenderableType] = [Text(dose_text(step), style="bold cyan")]
    if exercise is None:
        return items
    items += [
        _labelled(_("Get into position: "), exercise.voice.setup),
        _labelled(_("Key point: "), exercise.voice.cue),
        _labelled(_("Take care: "), " ".join(exercise.safety), style="yellow"),
        _labelled(_("Start: "), exercise.start_position),
    ]
    for i, line in enumerate(exercise.steps, start=1):
        numbered = Table.grid(padding=(0, 1))
        numbered.add_column(justify="right", no_wrap=True, width=3)
        numbered.add_column()
        numbered.add_row(f"{i}.", line)
        items.append(numbered)
    items.append(_labelled(_("Breathing: "), exercise.breathing, style="dim"))
    return items


def _labelled(label: str, text: str, style: str = "") -> Text:
    return Text.assemble((label, f"bold {style}".strip()), (text, style))


def _instructions(step: PlannedStep, exercise: Exercise | None, page: int) -> RenderableType:
    return Paged(instruction_items(step, exercise), page)


def _bar(total: float | None, remaining: float | None, *, emptying: bool = False) -> Table:
    """A progress bar on a line of its own (a bare ProgressBar ends no line)."""
    total = total or 1.0
    left = remaining if remaining is not None else 0.0
    grid = Table.grid()
    grid.add_row(
        ProgressBar(total=total, completed=left if emptying else total - left, width=BAR_WIDTH)
    )
    return grid


def _countdown(remaining: float | None) -> str:
    """Whole seconds left, rounded up: a countdown shows 1 until it ends."""
    return f"{math.ceil(remaining - 1e-9)} s" if remaining is not None else ""


def _activity_lines(state: SessionState, step: PlannedStep) -> list[RenderableType]:
    activity = state.activity
    remaining = state.remaining_s
    left = _countdown(remaining)
    count = count_text(state, step.kind) or ""
    if activity is Activity.COUNT_REPS:
        return [
            Text(count, style="bold"),
            Text(_("Press r or Enter after each rep.")),
        ]
    if activity is Activity.MOVE:
        return [
            Text(_("Move into position") + f" · {count} · {left}", style="bold"),
            _bar(state.activity_total_s, remaining),
            Text(_("Press r or Enter when you are in position.")),
        ]
    if activity is Activity.HOLD:
        what = f" · {count}" if step.kind is Kind.REPS else ""
        return [
            Text(_("HOLD {time}").format(time=left) + what, style="bold green"),
            _bar(state.activity_total_s, remaining, emptying=True),
            Text(_("Press Enter to stop the hold early.")),
        ]
    if activity is Activity.GET_READY:
        return [
            Text(_("Get into position · starting in {time}").format(time=left), style="bold"),
            _bar(state.activity_total_s, remaining),
            Text(_("Press r or Enter to start now.")),
        ]
    if activity is Activity.KEEP_MOVING:
        return [
            Text(
                _("Keep going · {time} left").format(time=clock_text(remaining or 0)),
                style="bold green",
            ),
            _bar(state.activity_total_s, remaining, emptying=True),
            Text(_("Press Enter to finish early.")),
        ]
    if activity in _BREATH_LABEL:
        return [
            Text(f"{_(_BREATH_LABEL[activity])} · {left} · {count}", style="bold magenta"),
            _bar(
                state.activity_total_s,
                remaining,
                emptying=activity is Activity.BREATHE_OUT,
            )
            if activity is not Activity.BREATHE_HOLD
            else _bar(1.0, 0.0),
            Text(_("In through the nose, a short easy pause, a long breath out.")),
        ]
    if activity is Activity.REST:
        return [
            Text(_("Rest") + f" · {left}", style="bold blue"),
            _bar(state.activity_total_s, remaining, emptying=True),
            Text(
                _("Next: set {n} of {total}. Press Enter when ready.").format(
                    n=state.set_index + 2, total=step.sets
                )
            ),
        ]
    return [Text("")]


def _hurt_dialog(screen: Screen) -> RenderableType | None:
    """ "This hurts": the pain being typed, then the advice and the three choices."""
    if screen.pain_entry is not None:
        return Group(
            Text(_("Sorry it hurts."), style="bold yellow"),
            Text(
                _("How much does it hurt right now (0-10)?") + f" {screen.pain_entry}_",
                style="bold",
            ),
            Text(_("Type 0 = none to 10 = the worst you can imagine, then Enter.")),
            Text(_("c = back to the exercise")),
        )
    if screen.advice is None:
        return None
    choices = _("s = skip this exercise · e = end the session")
    if not screen.advice.stop:
        choices += " · " + _("c = carry on gently")
    return Group(
        Text(_(screen.advice.message), style="bold red" if screen.advice.stop else "bold yellow"),
        Text(""),
        Text(choices, style="bold"),
    )


def _status(screen: Screen, step: PlannedStep) -> RenderableType:
    dialog = _hurt_dialog(screen)
    if dialog is not None:
        return dialog
    s = screen.state
    where = _("Set {n} of {total}").format(n=s.set_index + 1, total=step.sets)
    if s.side is not None:
        where += " · " + _(_SIDE_NAMES[s.side.value])
    nxt = screen.plan.steps[s.step_index + 1].name if s.step_index + 1 < s.steps_total else None
    later = _("next: {name}").format(name=nxt) if nxt else _("last exercise")
    top = Text(f"{where}    {later}")
    if screen.confirm_quit:
        body: list[RenderableType] = [
            Text(_("Quit the session?"), style="bold yellow"),
            Text(_("y = quit and see the summary · n = carry on")),
        ]
    elif s.paused:
        body = [
            Text(_("PAUSED"), style="bold yellow"),
            Text(_("Press space or p to carry on.")),
        ]
    else:
        body = _activity_lines(s, step)
    cue = Text(f"» {screen.cue}" if screen.cue else "", style="italic")
    return _Fitted(top, *body, cue, optional=_position(screen, step))


class _Fitted:
    """Lines that must all show, and one that gives way when a long line needs two rows.

    The optional line goes second, under the first.
    """

    def __init__(self, *items: RenderableType, optional: RenderableType) -> None:
        self.items = items
        self.optional = optional

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        free = options.update(height=None)
        needed = sum(len(console.render_lines(item, free, pad=False)) for item in self.items)
        first, *rest = self.items
        if options.height is not None and needed >= options.height:
            yield Group(first, *rest)
        else:
            yield Group(first, self.optional, *rest)


def _position(screen: Screen, step: PlannedStep) -> Text:
    """The position the page's figure shows now, in words (the same ``pose``)."""
    exercise = screen.exercises.get(step.exercise_id)
    pose = choose_pose(screen.state, exercise) if exercise is not None else None
    if pose is None:
        return Text("")
    return Text(
        _("Position: {name}").format(name=pose.name),
        style="cyan",
        no_wrap=True,
        overflow="ellipsis",
    )


def render_screen(screen: Screen) -> RenderableType:
    """The whole workout screen for one moment of the session.

    Args:
        screen: the state and content to show.
    """
    s = screen.state
    layout = Layout()
    layout.split_column(
        Layout(_header(screen), name="header", size=1),
        Layout(name="step", ratio=1),
        Layout(
            name="status",
            size=HURT_HEIGHT if screen.advice or screen.pain_entry is not None else STATUS_HEIGHT,
        ),
        Layout(Text(f" {_(KEYS_HELP)}", style="dim", no_wrap=True), name="footer", size=1),
    )
    if s.step_index >= s.steps_total:
        layout["step"].update(Panel(Text(_("All steps done."))))
        layout["status"].update(Panel(Text(screen.cue or "")))
        return layout
    step = screen.plan.steps[s.step_index]
    exercise = screen.exercises.get(step.exercise_id)
    layout["step"].update(
        Panel(
            _instructions(step, exercise, screen.page),
            title=Text(step.name, style="bold"),
            title_align="left",
        )
    )
    layout["status"].update(Panel(_status(screen, step)))
    return layout


_END_TEXT = {
    EndReason.COMPLETED: N_("Session complete. Well done."),
    EndReason.ENDED_EARLY: N_(
        "Session ended early: fewer than half the steps were done, so it "
        "does not count as complete."
    ),
    EndReason.QUIT: N_("Session ended early. Well done for what you did."),
    EndReason.HURT: N_(
        "Session stopped because something hurt. Rest, and if the pain does "
        "not settle, talk to a clinician."
    ),
}


def render_summary(plan: SessionPlan, summary: Summary) -> RenderableType:
    """The end-of-session summary: one row per step and the totals."""
    table = Table(title=_("Session summary"), title_justify="left", expand=False)
    table.add_column("#", justify="right")
    table.add_column(_("Exercise"))
    table.add_column(_("Result"))
    table.add_column(_("Reps"), justify="right")
    table.add_column(_("Held"), justify="right")
    table.add_column(_("Time"), justify="right")
    records = {r.index: r for r in summary.records}
    for i, step in enumerate(plan.steps):
        record = records.get(i)
        if record is None:
            table.add_row(str(i + 1), step.name, _("not done"), "", "", "")
            continue
        result = _("done") if record.status is StepStatus.COMPLETED else _("skipped")
        table.add_row(
            str(i + 1),
            step.name,
            result,
            str(record.reps) if record.reps else "",
            clock_text(record.hold_s) if record.hold_s else "",
            clock_text(record.duration_s),
        )
    totals = Text(
        _(
            "Steps done: {done} of {total} · skipped: {skipped} · reps: {reps} · "
            "active time: {time}"
        ).format(
            done=summary.steps_completed,
            total=summary.steps_total,
            skipped=summary.steps_skipped,
            reps=summary.reps,
            time=clock_text(summary.active_s),
        )
        + (
            " · " + _("paused: {time}").format(time=clock_text(summary.paused_s))
            if summary.paused_s >= 1
            else ""
        )
    )
    ending = _(_END_TEXT[summary.ended_by]) if summary.ended_by in _END_TEXT else ""
    done = done_text(summary.steps_completed, summary.steps_total)
    return Group(table, totals, Text(f"{ending} {done}".strip(), style="bold"))
