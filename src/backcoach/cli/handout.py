"""``backcoach handout``: a printable handout of one exercise or a whole program, as a PDF.

The output is checked before any work and written the way ``backcoach export``
writes (``cli.data``): readable by you only, in one step. While exercise is
blocked (a red flag in the safety screening) there is no handout: it carries
the doses, which the app does not offer until a new screening is clear.
"""

from __future__ import annotations

from typing import Annotated

import typer

from backcoach.cli.app import app, err_console
from backcoach.cli.content import local_exercise_block
from backcoach.cli.files import new_output_file, write_atomically
from backcoach.content import Catalog, Exercise, default_catalog
from backcoach.documents.handout import exercise_handout, program_handout
from backcoach.errors import UsageError
from backcoach.i18n import _, current_language


def _exercise(catalog: Catalog, exercise_id: str) -> Exercise:
    if exercise_id not in catalog.exercises:
        raise UsageError(
            _("There is no exercise called '{id}'; choose one of: {ids}.").format(
                id=exercise_id, ids=", ".join(catalog.exercises)
            )
        )
    return catalog.exercise(exercise_id)


def _handout_pdf(*, program: str | None, length: str, exercise: str | None) -> bytes:
    catalog = default_catalog(current_language())
    if program is not None and exercise is None:
        return program_handout(catalog, program, length)
    if exercise is not None and program is None:
        return exercise_handout(_exercise(catalog, exercise))
    raise UsageError(_("Give either --program ID or --exercise ID (one of them)."))


@app.command(
    help=_("A handout to print: pictures, steps, dose, breathing, cautions, a week of tick boxes.")
)
def handout(
    output_option: Annotated[
        str, typer.Option("--output", "-o", metavar=_("FILE"), help=_("The PDF file to write."))
    ],
    program: Annotated[
        str | None,
        typer.Option(metavar="ID", help=_("A program's handout: every exercise, in order.")),
    ] = None,
    length: Annotated[
        str, typer.Option(metavar=_("LENGTH"), help=_("The program's length: short or full."))
    ] = "short",
    exercise: Annotated[
        str | None, typer.Option(metavar="ID", help=_("One exercise's handout."))
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace the file if it exists."))
    ] = False,
) -> None:
    output = new_output_file(output_option, force=force)
    block = local_exercise_block()
    if block is not None:
        raise UsageError(f"{_(block.title)}. {_(block.cli_message)}")
    write_atomically(output, _handout_pdf(program=program, length=length, exercise=exercise))
    err_console.print(_("Handout written to {path}").format(path=output))
