"""Browse the exercise library: ``backcoach exercises`` and ``backcoach show ID``.

While exercise is blocked (a red flag in the safety screening,
``services.safety.exercise_block``) both show the block notice first and no
doses, like the exercise pages; ``exercises --json`` stays the full reference data.
"""

from __future__ import annotations

import difflib
import json
from typing import Annotated

import typer
from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from backcoach.cli.app import app, console
from backcoach.config import get_settings
from backcoach.content import Amount, Catalog, Dosage, Exercise, Stage, View, default_catalog
from backcoach.errors import UsageError
from backcoach.i18n import N_, _, current_language, format_number
from backcoach.services.safety import Block, exercise_block
from backcoach.store import get_user, open_database

#: The camera's view, in the exercise list and on ``show``.
_VIEW_NAMES = {View.SIDE: N_("side"), View.FRONT: N_("front")}
_CHECKED_FROM = {View.SIDE: N_("checked from the side"), View.FRONT: N_("checked from the front")}


def _number(value: float) -> str:
    """``8``, ``2.5`` (``2,5`` in German): as many decimals as the value has, at most two."""
    if value == int(value):
        return format_number(value)
    return format_number(value, digits=2).rstrip("0")


def _amount(amount: Amount, unit: str = "") -> str:
    """``8 reps (safe range 5-12)``: the default with its safe range."""
    value = f"{_number(amount.default)} {unit}".rstrip()
    if amount.min == amount.max:
        return value
    return _("{value} (safe range {low}-{high})").format(
        value=value, low=_number(amount.min), high=_number(amount.max)
    )


def dose_summary(dosage: Dosage) -> str:
    """A one-line dose, e.g. ``2 x 8 reps, hold 4 s, per side``."""
    sets = int(dosage.sets.default)
    parts: list[str] = []
    if dosage.reps is not None:
        parts.append(_("{sets} x {reps} reps").format(sets=sets, reps=_number(dosage.reps.default)))
    if dosage.duration_s is not None:
        parts.append(f"{sets} x {_number(dosage.duration_s.default)} s")
    if dosage.hold_s is not None:
        hold = _("hold {seconds} s").format(seconds=_number(dosage.hold_s.default))
        parts.append(hold if parts else f"{sets} x {hold}")
    if dosage.per_side:
        parts.append(_("per side"))
    return ", ".join(parts)


def _parse_stage(value: str) -> Stage:
    try:
        return Stage(value.strip().lower())
    except ValueError:
        valid = [stage.value for stage in Stage]
        close = difflib.get_close_matches(value.lower(), valid, n=1, cutoff=0.5)
        hint = " " + _("Did you mean {stage}?").format(stage=close[0]) if close else ""
        raise UsageError(
            _("unknown stage '{value}'; choose one of: {stages}.").format(
                value=value, stages=", ".join(valid)
            )
            + hint
        ) from None


def _find_exercise(catalog: Catalog, exercise_id: str) -> Exercise:
    if exercise_id in catalog.exercises:
        return catalog.exercise(exercise_id)
    close = difflib.get_close_matches(exercise_id.lower(), list(catalog.exercises), n=3, cutoff=0.5)
    hint = (
        _("Did you mean: {ids}?").format(ids=", ".join(close))
        if close
        else _("Run `backcoach exercises` to list them.")
    )
    raise UsageError(_("unknown exercise '{id}'.").format(id=exercise_id) + f" {hint}")


def local_exercise_block() -> Block | None:
    """Whether exercise is blocked for the local user (a read: no user yet, no block)."""
    with open_database(get_settings()) as db:
        user = get_user(db)
        return None if user is None else exercise_block(db, user_id=user.id)


def _block_notice(block: Block) -> Panel:
    return Panel(Text(_(block.cli_message)), title=_(block.title), border_style="red")


@app.command(help=_("List the exercises in the library."))
def exercises(
    stage: Annotated[
        str | None,
        typer.Option(help=_("Only this stage: warm-up, workout or cool-down.")),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Print every field as a JSON list."))
    ] = False,
) -> None:
    wanted = _parse_stage(stage) if stage is not None else None
    catalog = default_catalog(current_language())
    chosen = [e for e in catalog.exercises.values() if wanted is None or e.stage is wanted]
    order = list(Stage)
    chosen.sort(key=lambda e: (not e.core, order.index(e.stage)))
    if as_json:
        # Plain stdout, not Rich: Rich would wrap long lines and break the JSON.
        typer.echo(json.dumps([e.model_dump(mode="json") for e in chosen], indent=2))
        return
    block = local_exercise_block()
    if block is not None:
        console.print(_block_notice(block))
    table = Table(
        title=_("backcoach exercises"), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column(_("name"))
    table.add_column(_("stage"), no_wrap=True)
    if block is None:
        table.add_column(_("dose"))
    table.add_column(_("camera"), no_wrap=True)
    table.add_column(_("source"), no_wrap=True)
    for exercise in chosen:
        camera = _(_VIEW_NAMES[exercise.camera.view]) if exercise.camera.supported else _("no")
        dose = [dose_summary(exercise.dosage)] if block is None else []
        table.add_row(
            exercise.id,
            escape(exercise.name),
            exercise.stage.value,
            *dose,
            camera,
            _("core") if exercise.core else _("extra"),
        )
    console.print(table)
    console.print(_("Details: [bold]backcoach show ID[/]"), highlight=False)


def _list(items: list[str], *, numbered: bool = False) -> Table:
    """Items with a hanging indent, so wrapped lines stay aligned."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for i, item in enumerate(items, 1):
        grid.add_row(f"{i}." if numbered else "-", Text(item))
    return grid


def _dose_lines(dosage: Dosage) -> list[str]:
    lines = [_("sets: {amount}").format(amount=_amount(dosage.sets))]
    if dosage.reps is not None:
        lines.append(_("repetitions: {amount}").format(amount=_amount(dosage.reps, _("reps"))))
    if dosage.hold_s is not None:
        lines.append(_("hold: {amount}").format(amount=_amount(dosage.hold_s, "s")))
    if dosage.duration_s is not None:
        lines.append(_("duration: {amount}").format(amount=_amount(dosage.duration_s, "s")))
    if dosage.per_side:
        lines.append(_("on each side"))
    if dosage.rest_s:
        lines.append(_("rest between sets: {seconds} s").format(seconds=dosage.rest_s))
    return lines


def _section(title: str, body: RenderableType) -> Group:
    return Group(Text(title, style="bold"), Padding(body, (0, 0, 1, 2)))


@app.command(help=_("Show how to do one exercise: steps, dose, breathing, safety and variants."))
def show(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help=_("An exercise id."))],
) -> None:
    exercise = _find_exercise(default_catalog(current_language()), exercise_id)
    block = local_exercise_block()
    origin = _("core program") if exercise.core else _("extra, not from the core program")
    camera = (
        _(_CHECKED_FROM[exercise.camera.view])
        if exercise.camera.supported
        else _("not checked by the camera")
    )
    if exercise.camera.notes:
        camera += f". {exercise.camera.notes}"
    parts: list[RenderableType] = [] if block is None else [_block_notice(block)]
    parts += [
        Text(f"{exercise.name} ({exercise.id})", style="bold"),
        Padding(Text(f"{exercise.stage.value}, {origin}", style="dim"), (0, 0, 1, 0)),
        Padding(Text(exercise.purpose), (0, 0, 1, 0)),
        _section(_("Muscles"), Text(", ".join(exercise.muscles))),
        _section(_("Start position"), Text(exercise.start_position)),
        _section(
            _("The voice says at the start"),
            _list([exercise.voice.setup, exercise.voice.cue]),
        ),
        _section(_("Steps"), _list(exercise.steps, numbered=True)),
        _section(_("Breathing"), Text(exercise.breathing)),
        _section(
            _("Dose"),
            _list(_dose_lines(exercise.dosage))
            if block is None
            else Text(_("None for now: no exercise until a new screening is clear.")),
        ),
        _section(_("Common mistakes"), _list(exercise.mistakes)),
        _section(_("Safety"), _list(exercise.safety)),
        _section(_("Do not do it if"), _list(exercise.avoid_if)),
        _section(_("Easier: {name}").format(name=exercise.easier.name), Text(exercise.easier.how)),
        _section(_("Harder: {name}").format(name=exercise.harder.name), Text(exercise.harder.how)),
        _section(_("Camera"), Text(camera)),
    ]
    if exercise.notes:
        parts.append(_section(_("Notes"), Text(exercise.notes)))
    console.print(Group(*parts))
