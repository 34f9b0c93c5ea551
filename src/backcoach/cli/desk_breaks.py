"""The loop behind ``backcoach breaks``: a live countdown to the next break, keys, reminders.

The timer is a ``services.desk_runtime.DeskRuntime``, the same one the ``/desk``
page runs, on the same kind of clock (the wall clock sped up by
``Settings.time_scale``). A terminal cannot tell whether its user is at the desk
(no key presses only means they are typing elsewhere), so the user counts as
present until they press ``a`` (away) and again after ``b`` (back).

While exercise is blocked (a red flag in the safety screening) the runtime's
status carries the block: breaks still come, each one "stand up and walk", and
the screen says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from backcoach.cli.desk_posture import PresenceWatcher, state_name
from backcoach.cli.workout_keys import KeySource
from backcoach.coach.breaks import BreakKind, DueBreak
from backcoach.content import Catalog
from backcoach.i18n import _, format_number
from backcoach.services.desk import BreakAction, DeskTimer
from backcoach.services.desk_runtime import (
    WALK,
    DeskRuntime,
    break_to_suggest,
    move_to_suggest,
)
from backcoach.services.safety import Block

REFRESH_S = 0.2  # real seconds between screen updates
Notifier = Callable[[str, str], None]

#: ``--camera N`` of the commands that can watch the desk with a webcam (breaks, companion).
CameraOption = Annotated[
    int | None,
    typer.Option(
        "--camera",
        min=0,
        help=_("Also watch posture and presence with this webcam (nobody in view = away)."),
    ),
]


def desktop_notifier(console: Console, environ: Mapping[str, str] | None = None) -> Notifier:
    """``notify-send`` when it is installed and a desktop session bus exists, else a bell."""
    env = os.environ if environ is None else environ
    program = shutil.which("notify-send")
    if program is not None and env.get("DBUS_SESSION_BUS_ADDRESS"):

        def notify(title: str, body: str) -> None:
            try:
                subprocess.run(
                    [program, "--app-name=backcoach", title, body],
                    check=False, timeout=5, capture_output=True,
                )  # fmt: skip
            except (OSError, subprocess.SubprocessError):
                console.bell()

        return notify
    return lambda _title, _body: console.bell()


def format_clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def break_instructions(due: DueBreak, catalog: Catalog) -> tuple[str, list[str]]:
    """The title and the lines of instructions for a due break."""
    minutes = short_number(due.length_s / 60)
    seconds = short_number(due.length_s)
    if due.kind is BreakKind.REST:
        return (
            _("Rest break: stand up and walk for {minutes} minutes").format(minutes=minutes),
            [
                _(
                    "Get up from your chair and walk around: fetch a glass of water, climb a "
                    "flight of stairs, or step outside for a moment."
                ),
                _("Let your shoulders drop and breathe calmly while you walk."),
            ],
        )
    if due.move == WALK:
        return (
            _("Micro-break ({seconds} s): stand up and walk").format(seconds=seconds),
            [
                _("Get up from your chair and walk a few steps."),
                _("Let your shoulders drop and breathe calmly while you walk."),
            ],
        )
    exercise = catalog.exercises.get(due.move)
    if exercise is None:
        return (
            _("Micro-break ({seconds} s)").format(seconds=seconds),
            [_("Stand up, stretch gently and breathe.")],
        )
    lines = [exercise.start_position, *exercise.steps]
    lines.append(_("Move gently and stop if anything hurts."))
    return (
        _("Micro-break ({seconds} s): {name}").format(seconds=seconds, name=exercise.name),
        lines,
    )


def short_number(value: float) -> str:
    """``5``, ``0.5`` (``0,5`` in German): no decimals a whole number does not need."""
    if value == int(value):
        return format_number(value)
    return format_number(value, digits=2).rstrip("0")


@dataclass
class BreaksScreen:
    timer: DeskTimer
    catalog: Catalog
    away: bool = False
    message: str = ""
    reminders: bool = True
    posture: str = ""  # the camera's line, when the posture monitor runs
    block: Block | None = None  # exercise is blocked: breaks suggest walking only

    def render(self) -> RenderableType:
        counters = self.timer.state.counters
        stats = Table.grid(padding=(0, 2))
        stats.add_row(
            _("Taken [bold]{n}[/]").format(n=counters.taken),
            _("Snoozed [bold]{n}[/]").format(n=counters.snoozed),
            _("Skipped [bold]{n}[/]").format(n=counters.skipped),
            _("Sitting [bold]{minutes} min[/]").format(
                minutes=format_number(counters.sitting_s / 60)
            ),
            _("Walking [bold]{minutes} min[/]").format(minutes=format_number(counters.walking_min)),
        )
        due = break_to_suggest(self.timer.due, self.block)
        if due is not None:
            title, lines = break_instructions(due, self.catalog)
            body = Text()
            for number, line in enumerate(lines, start=1):
                body.append(f"{number}. {line}\n")
            main: RenderableType = Panel(
                body,
                title="[bold]" + _("Time for a break") + f"[/] - {title}",
                border_style="green",
            )
            keys = _("[bold]t[/] done  [bold]z[/] snooze  [bold]s[/] skip  [bold]q[/] quit")
        elif self.away:
            main = Panel(_("You are away: the break clock is paused."), border_style="blue")
            keys = _("[bold]b[/] back at the desk  [bold]q[/] quit")
        else:
            kind, seconds = self.timer.next_break()
            next_in = (
                _("Rest break in {time}") if kind is BreakKind.REST else _("Micro-break in {time}")
            )
            main = Panel(
                Text(next_in.format(time=format_clock(seconds)), style="bold"),
                title=_("Next break"),
                border_style="cyan",
            )
            keys = _("[bold]a[/] away from the desk  [bold]q[/] quit")
        parts: list[RenderableType] = [main, stats, Text.from_markup(keys)]
        if self.block is not None:
            parts.append(
                Panel(
                    Text(_(self.block.cli_message)),
                    title=_("No exercise moves for now: breaks mean walking only"),
                    border_style="red",
                )
            )
        if self.posture:
            parts.append(Text(self.posture, style="cyan"))
        if not self.reminders:
            parts.append(Text(_("Break reminders are off in Settings; the timer still runs.")))
        if self.message:
            parts.append(Text(self.message, style="yellow"))
        return Panel(Group(*parts), title=_("backcoach breaks"), border_style="white")


def run_breaks(
    db: Session,
    runtime: DeskRuntime,
    catalog: Catalog,
    *,
    user_id: int,
    out: Console,
    keys: KeySource,
    notify: Notifier,
    screen: bool = True,
    watcher: PresenceWatcher | None = None,
) -> DeskTimer:
    """Run until ``q`` (or Ctrl-C); returns the timer with the day's counters.

    Keys: ``t`` take, ``z`` snooze, ``s`` skip the due break; ``a`` away,
    ``b`` back; ``q`` quit. With a ``watcher`` (the posture monitor on a camera),
    nobody in view also counts as away, and posture alerts are shown. Reminders
    sound only while they are on in Settings and outside the quiet hours.
    """
    status = runtime.status(db, user_id=user_id, catalog=catalog)
    assert runtime.timer is not None
    view = BreaksScreen(runtime.timer, catalog, reminders=status.reminders, block=status.block)
    with Live(
        view.render(),
        console=out,
        screen=screen,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as live:
        try:
            while True:
                pressed = keys.read(REFRESH_S)
                if "q" in pressed:
                    break
                for ch in pressed:
                    _key(db, view, runtime, ch, user_id=user_id, catalog=catalog)
                present = watcher is None or watcher.present()
                status = runtime.tick(db, user_id=user_id, catalog=catalog, present=present)
                view.reminders, view.block = status.reminders, status.block
                if watcher is not None:
                    view.posture = watcher.status()
                    alert, watcher.alert = watcher.alert, None
                    suggested = None if alert is None else alert.suggestion
                    suggestion = move_to_suggest(suggested, status.block)
                    if alert is not None and suggestion is not None:
                        move = catalog.exercises.get(suggestion)
                        name = move.name if move is not None else _("stand up and walk")
                        view.message = _("You have been {state} for a while. Try: {move}.").format(
                            state=state_name(alert.state), move=name
                        )
                        if status.reminders:
                            notify(_("Check your posture"), view.message)
                if status.fired is not None and status.reminders:
                    title, lines = break_instructions(status.fired, catalog)
                    notify(_("Time for a break"), f"{title}. {lines[0]}")
                live.update(view.render(), refresh=True)
        except KeyboardInterrupt:
            pass
        finally:
            runtime.flush(db)
    return view.timer


def _key(
    db: Session, view: BreaksScreen, runtime: DeskRuntime, ch: str, *, user_id: int,
    catalog: Catalog,
) -> None:  # fmt: skip
    timer = view.timer
    actions = {"t": BreakAction.TAKE, "z": BreakAction.SNOOZE, "s": BreakAction.SKIP}
    if ch in actions and timer.due is not None:
        done = runtime.act(db, actions[ch], user_id=user_id, catalog=catalog)[0]
        if done:
            view.message = {
                "t": _("Well done. Break counted."),
                "z": _("Snoozed for {minutes} minutes.").format(
                    minutes=short_number(timer.config.snooze_s / 60)
                ),
                "s": _("Break skipped."),
            }[ch]
        else:
            view.message = _(
                "No skips left today ({used} used). Take the break or snooze it."
            ).format(used=timer.config.max_skips_per_day)
    elif ch == "a" and not runtime.away:
        view.away = runtime.set_away(db, True, user_id=user_id, catalog=catalog).away
        view.message = _("Enjoy the time away. Press b when you are back.")
    elif ch == "b" and runtime.away:
        view.away = runtime.set_away(db, False, user_id=user_id, catalog=catalog).away
        view.message = _("Welcome back.")
