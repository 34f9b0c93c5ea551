"""Your data: ``backcoach db``, ``history``, ``export``, ``import`` and ``data delete``."""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from backcoach.cli.app import app, console, err_console, new_typer
from backcoach.cli.files import check_output_file, os_reason, output_path, write_atomically
from backcoach.config import get_settings
from backcoach.content import default_catalog
from backcoach.errors import UsageError
from backcoach.i18n import _, current_language, format_date, format_number, format_time
from backcoach.services.calendar_export import DEFAULT_WEEKS, MAX_WEEKS, plan_calendar
from backcoach.services.data import delete_all_data
from backcoach.services.desk import DeskStatistics, desk_statistics
from backcoach.services.export import (
    MAX_IMPORT_BYTES,
    Tables,
    dump_json,
    export_tables,
    write_csv_zip,
)
from backcoach.services.fhir_export import FHIR_LANGUAGE, local_fhir_json
from backcoach.services.history import HistorySummary, history_summary
from backcoach.services.transfer import import_file
from backcoach.store import (
    backup_database,
    current_revision,
    get_user,
    head_revision,
    local_user,
    make_engine,
    open_database,
    upgrade_database,
)
from backcoach.store.db import database_url, describe

db_app = new_typer(help=_("The database: create or upgrade it, show its version, back it up."))
data_app = new_typer(help=_("Your stored data (see also `backcoach export` and `import`)."))
app.add_typer(db_app, name="db")
app.add_typer(data_app, name="data")

SPARK = "▁▂▃▄▅▆▇█"
POSTURE_STATES = ("upright", "slouched", "forward-head")


# --- db ---------------------------------------------------------------------------


@db_app.command(
    "upgrade",
    help=_("Create the database or bring it to the newest schema (safe to run any time)."),
)
def db_upgrade() -> None:
    settings = get_settings()
    revision = upgrade_database(settings)
    console.print(
        _("Database {where} is up to date (revision {revision}).").format(
            where=describe(database_url(settings)), revision=revision
        )
    )


@db_app.command(
    "current",
    help=_("Show the database's schema revision and the newest one this backcoach knows."),
)
def db_current() -> None:
    settings = get_settings()
    engine = make_engine(settings)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    where = describe(database_url(settings))
    if revision is None:
        message = _("Database {where} is empty: run `backcoach db upgrade` (newest: {head}).")
    elif revision == head:
        message = _("Database {where} is at revision {revision} (the newest).")
    else:
        message = _(
            "Database {where} is at revision {revision}; the newest is {head}: "
            "run `backcoach db upgrade`."
        )
    console.print(message.format(where=where, revision=revision, head=head))


@db_app.command(
    "backup", help=_("Make a consistent copy of the SQLite database (for PostgreSQL use pg_dump).")
)
def db_backup(
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help=_("File or existing folder for the copy (default: backups/ in the data folder)."),
        ),
    ] = None,
) -> None:
    target = None if path is None else output_path(path)
    copy = backup_database(get_settings(), target=target, now=datetime.now(UTC))
    console.print(_("Backed up to {path}").format(path=copy))


# --- history ---------------------------------------------------------------------------


def sparkline(values: Sequence[int | None], top: int = 10) -> str:
    """One character per value on a 0..``top`` scale; a gap where a value is missing."""
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        else:
            level = round(max(0, min(value, top)) / top * (len(SPARK) - 1))
            out.append(SPARK[level])
    return "".join(out)


def render_history(summary: HistorySummary) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble(
            (_("Streak: "), "bold"),
            _("{days} day(s) now, best {best}.").format(
                days=summary.current_streak, best=summary.best_streak
            )
            + "  ",
            (_("Completed sessions: "), "bold"),
            str(summary.completed_sessions),
        )
    ]
    if not summary.sessions:
        parts.append(Text(_("No sessions yet. Start one with `backcoach workout`.")))
        return Group(*parts)

    sessions = Table(title=_("Recent sessions"), title_justify="left")
    sessions.add_column(_("Date"), no_wrap=True)
    for column in (_("Program"), _("Status"), _("Steps"), _("Min"), _("Pain"), _("Effort")):
        sessions.add_column(column)
    for line in summary.sessions:
        pain = f"{_or_dash(line.pain_before)}→{_or_dash(line.pain_after)}"
        sessions.add_row(
            _day_and_time(line.started_at.astimezone()),
            f"{line.program_id} ({line.length})",
            _(line.result),
            f"{line.steps_done}/{line.steps_total}",
            format_number(line.minutes),
            pain,
            _or_dash(line.effort),
        )
    parts.append(sessions)
    parts.append(Text(_("Pain: before→after the session (0-10). Effort: 0-10."), style="dim"))

    weeks = Table(title=_("Minutes per week"), title_justify="left")
    weeks.add_column(_("Week of"))
    weeks.add_column(_("Sessions"), justify="right")
    weeks.add_column(_("Minutes"), justify="right")
    weeks.add_column("")
    most = max((w.minutes for w in summary.minutes_per_week), default=0.0) or 1.0
    for week in summary.minutes_per_week:
        weeks.add_row(
            format_date(week.week_start, "yMd"),
            str(week.sessions),
            format_number(week.minutes),
            "█" * round(week.minutes / most * 30),
        )
    parts.append(weeks)

    if summary.pain_trend:
        trend = summary.pain_trend
        before, after = _("before"), _("after")
        parts.append(
            Text.assemble(
                (_("Pain trend") + " ", "bold"),
                _("({first} to {last}, 0-10)").format(
                    first=format_date(trend[0].day, "yMd"), last=format_date(trend[-1].day, "yMd")
                )
                + "\n",
                f"  {before:<7}",
                (sparkline([p.before for p in trend]), "yellow"),
                f"\n  {after:<7}",
                (sparkline([p.after for p in trend]), "cyan"),
            )
        )

    for name, points in summary.questionnaires.items():
        keys = sorted({key for point in points for key in point.scores})
        table = Table(title=_("Questionnaire: {name}").format(name=name), title_justify="left")
        table.add_column(_("Date"))
        for key in keys:
            table.add_column(key)
        for point in points:
            table.add_row(
                format_date(point.taken_at.astimezone().date(), "yMd"),
                *(_score(point.scores.get(key)) for key in keys),
            )
        parts.append(table)
    return Group(*parts)


def _desk_minutes(value: float) -> str:
    return format_number(value, 0) if value else "-"


def _desk_table(title: str, first: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first, no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def render_desk(stats: DeskStatistics) -> RenderableType:
    """The desk figures per day and per week: breaks, sitting and walking, posture minutes
    (two tables each, so that they fit 80 columns)."""
    days = [(format_date(d.day, "MMMEd"), d) for d in stats.days]
    weeks = [(format_date(w.start, "yMd"), w.figures) for w in stats.weeks]
    periods = ((_("per day"), _("Day"), days), (_("per week"), _("Week of"), weeks))
    parts: list[RenderableType] = []
    for period, first, rows in periods:
        breaks = _desk_table(
            _("Desk breaks, {period}").format(period=period),
            first,
            (_("Breaks taken"), _("Snoozed"), _("Skipped"), _("Sitting"), _("Walking")),
        )
        posture = _desk_table(
            _("Posture, {period}").format(period=period),
            first,
            (_("Alerts"), _("Upright"), _("Slouched"), _("Head forward")),
        )
        for label, f in rows:
            breaks.add_row(
                label, str(f.breaks_taken), str(f.breaks_snoozed), str(f.breaks_skipped),
                _desk_minutes(f.sitting_min), _desk_minutes(f.walking_min),
            )  # fmt: skip
            posture.add_row(
                label,
                str(f.posture_alerts),
                *(_desk_minutes(f.posture_min.get(state, 0.0)) for state in POSTURE_STATES),
            )
        parts += [breaks, posture]
    parts.append(
        Text(
            _(
                "Sitting, walking and posture (upright, slouched, head forward) in minutes; "
                "alerts: posture alerts."
            ),
            style="dim",
        )
    )
    return Group(*parts)


def _day_and_time(moment: datetime) -> str:
    return f"{format_date(moment.date(), 'yMd')} {format_time(moment)}"


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def _score(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format_number(value, digits=2).rstrip("0").rstrip(".,")
    return str(value)


@app.command(
    help=_(
        "Your sessions, streaks, minutes per week, pain trend, questionnaire scores and "
        "desk figures (breaks, sitting, walking, posture) per day and week."
    )
)
def history(
    weeks: Annotated[int, typer.Option(min=1, max=520, help=_("Weeks of minutes to show."))] = 12,
    sessions: Annotated[int, typer.Option(min=1, help=_("How many recent sessions to list."))] = 20,
    desk_weeks: Annotated[
        int, typer.Option(min=1, max=520, help=_("Weeks of desk figures to show."))
    ] = 8,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Print the desk figures per day and week as JSON."))
    ] = False,
) -> None:
    now = datetime.now().astimezone()
    with open_database(get_settings()) as db:
        # a user made here for a first look is not stored: the command does not commit
        desk = desk_statistics(db, user_id=local_user(db).id, today=now.date(), weeks=desk_weeks)
        if as_json:
            sys.stdout.write(json.dumps({"desk": desk.to_json()}, indent=2) + "\n")
            return
        summary = history_summary(
            db, today=now.date(), tz=now.tzinfo or UTC, recent=sessions, weeks=weeks
        )
    console.print(render_history(summary))
    console.print(render_desk(desk))


# --- export / import / delete ------------------------------------------------------------


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    FHIR = "fhir"
    ICS = "ics"


def _stored_tables(db: Session) -> Tables:
    """The local user's tables (none stored yet: empty)."""
    user = get_user(db)
    return export_tables(db, user_id=user.id) if user is not None else {}


@app.command(
    help=_(
        "Export everything you have stored (JSON can be imported again; FHIR is for clinics), "
        "or the plan's session days as a calendar file (ics)."
    )
)
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help=_(
                "json (complete), csv (a zip), fhir (a FHIR R4 Bundle) or ics (the plan's "
                "session days for a calendar)."
            ),
        ),
    ] = ExportFormat.JSON,
    output_option: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar=_("FILE"),
            help=_(
                "File to write (default: JSON, FHIR and ics to stdout, CSV zip in this folder)."
            ),
        ),
    ] = None,
    weeks: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_WEEKS, help=_("With ics: weeks of session days from today on.")
        ),
    ] = DEFAULT_WEEKS,
) -> None:
    output = None if output_option is None else output_path(output_option)
    if output is not None:
        check_output_file(output)
    if fmt is ExportFormat.CSV:
        with open_database(get_settings()) as db:
            tables = _stored_tables(db)
        if output is None:
            output = Path(f"backcoach-export-{datetime.now():%Y%m%d-%H%M%S}.zip")
        with tempfile.TemporaryDirectory() as folder:
            staged = Path(folder) / "export.zip"
            write_csv_zip(tables, staged)
            write_atomically(output, staged.read_bytes())
    else:
        with open_database(get_settings()) as db:
            if fmt is ExportFormat.ICS:
                text = plan_calendar(
                    db, user_id=local_user(db).id, catalog=default_catalog(current_language()),
                    now=datetime.now(UTC), weeks=weeks,
                ).decode("utf-8")  # fmt: skip
            elif fmt is ExportFormat.FHIR:
                text = local_fhir_json(
                    db, now=datetime.now(UTC), catalog=default_catalog(FHIR_LANGUAGE)
                )
            else:
                text = dump_json(_stored_tables(db))
        if output is None:
            sys.stdout.write(text)
            return
        write_atomically(output, text.encode("utf-8"))
    err_console.print(_("Exported to {path}").format(path=output))


@app.command(
    "import", help=_("Add what a JSON export holds and is not stored yet (on any error, nothing).")
)
def import_(
    path: Annotated[Path, typer.Argument(help=_("A JSON file from `backcoach export`."))],
) -> None:
    if zipfile.is_zipfile(path):
        raise UsageError(
            _(
                "{path} is a CSV export (a zip); only JSON exports can be imported "
                "(`backcoach export --format json`)."
            ).format(path=path)
        )
    try:
        with path.open("rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)  # one byte more tells "too big"
    except OSError as exc:
        raise UsageError(
            _("Cannot read {path}: {reason}").format(path=path, reason=os_reason(exc))
        ) from exc
    with open_database(get_settings()) as db:
        user = local_user(db)
        result = import_file(db, user_id=user.id, name=str(path), data=data)
    console.print(result.message(str(path)))


@data_app.command(
    "delete", help=_("Delete everything stored for you: sessions, check-ins, screenings, settings.")
)
def data_delete(
    yes: Annotated[bool, typer.Option("--yes", help=_("Delete without asking."))] = False,
) -> None:
    if not yes and not typer.confirm(
        _(
            "Delete all your sessions, check-ins, screenings, questionnaires, habit logs and "
            "settings? This cannot be undone (`backcoach export` makes a copy first)"
        ),
        default=False,
    ):
        console.print(_("Nothing was deleted."))
        raise typer.Exit(1)
    settings = get_settings()
    with open_database(settings) as db:
        user = get_user(db)
        deleted = delete_all_data(db, user_id=None if user is None else user.id, settings=settings)
    console.print(deleted.message)
