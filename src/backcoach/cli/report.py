"""``backcoach report``: your progress report for a period, as a PDF file.

The output is checked before any work and written the way ``backcoach export``
writes (``cli.data``): readable by you only, in one step, so an interrupted run
leaves no half-written file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from backcoach.cli.app import app, err_console
from backcoach.cli.files import new_output_file, write_atomically
from backcoach.config import get_settings
from backcoach.content import default_catalog
from backcoach.documents.report import day_text, progress_report, report_period
from backcoach.errors import UsageError
from backcoach.i18n import _, current_language
from backcoach.store import get_user, open_database


@app.command(
    help=_("Your progress report as a PDF: sessions, pain, questionnaires, dose changes, desk.")
)
def report(
    output_option: Annotated[
        str,
        typer.Option("--output", "-o", metavar=_("FILE"), help=_("The PDF file to write.")),
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--from", metavar=_("DATE"), help=_("First day, YYYY-MM-DD (default: 4 weeks ago).")
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar=_("DATE"), help=_("Last day, YYYY-MM-DD (default: today).")),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace the file if it exists."))
    ] = False,
) -> None:
    now = datetime.now().astimezone()
    first, last = report_period(start, end, today=now.date())
    output = new_output_file(output_option, force=force)
    writing = _("Writing your report for {first} to {last}...").format(
        first=day_text(first), last=day_text(last)
    )
    with err_console.status(writing):
        with open_database(get_settings()) as db:
            user = get_user(db)
            if user is None:
                raise UsageError(
                    _(
                        "Nothing is stored yet: do a session first (`backcoach workout`); "
                        "nothing was written."
                    )
                )
            assert now.tzinfo is not None
            pdf = progress_report(
                db,
                user_id=user.id,
                start=first,
                end=last,
                tz=now.tzinfo,
                catalog=default_catalog(current_language()),
            )
        write_atomically(output, pdf)
    err_console.print(_("Wrote your progress report to {path}").format(path=output))
