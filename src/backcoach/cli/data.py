"""Your data: ``backcoach db``, ``history``, ``export``, ``import`` and ``data delete``."""

from __future__ import annotations

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
from backcoach.cli.files import check_output_file, output_path, write_atomically
from backcoach.config import get_settings
from backcoach.content import default_catalog
from backcoach.errors import UsageError
from backcoach.services.data import delete_all_data
from backcoach.services.export import (
    MAX_IMPORT_BYTES,
    Tables,
    dump_json,
    export_tables,
    write_csv_zip,
)
from backcoach.services.fhir_export import local_fhir_json
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

db_app = new_typer(help="The database: create or upgrade it, show its version, back it up.")
data_app = new_typer(help="Your stored data (see also `backcoach export` and `import`).")
app.add_typer(db_app, name="db")
app.add_typer(data_app, name="data")

SPARK = "▁▂▃▄▅▆▇█"


# --- db ---------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the newest schema (safe to run any time)."""
    settings = get_settings()
    revision = upgrade_database(settings)
    console.print(
        f"Database {describe(database_url(settings))} is up to date (revision {revision})."
    )


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the newest one this backcoach knows."""
    settings = get_settings()
    engine = make_engine(settings)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    where = describe(database_url(settings))
    if revision is None:
        console.print(f"Database {where} is empty: run `backcoach db upgrade` (newest: {head}).")
    elif revision == head:
        console.print(f"Database {where} is at revision {revision} (the newest).")
    else:
        console.print(
            f"Database {where} is at revision {revision}; the newest is {head}: "
            "run `backcoach db upgrade`."
        )


@db_app.command("backup")
def db_backup(
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="File or existing folder for the copy (default: backups/ in the data folder).",
        ),
    ] = None,
) -> None:
    """Make a consistent copy of the SQLite database (for PostgreSQL use pg_dump)."""
    target = None if path is None else output_path(path)
    copy = backup_database(get_settings(), target=target, now=datetime.now(UTC))
    console.print(f"Backed up to {copy}")


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
            ("Streak: ", "bold"),
            f"{summary.current_streak} day(s) now, best {summary.best_streak}.  ",
            ("Completed sessions: ", "bold"),
            str(summary.completed_sessions),
        )
    ]
    if not summary.sessions:
        parts.append(Text("No sessions yet. Start one with `backcoach workout`."))
        return Group(*parts)

    sessions = Table(title="Recent sessions", title_justify="left")
    sessions.add_column("Date", no_wrap=True)
    for column in ("Program", "Status", "Steps", "Min", "Pain", "Effort"):
        sessions.add_column(column)
    for line in summary.sessions:
        pain = f"{_or_dash(line.pain_before)}→{_or_dash(line.pain_after)}"
        sessions.add_row(
            line.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            f"{line.program_id} ({line.length})",
            line.result,
            f"{line.steps_done}/{line.steps_total}",
            f"{line.minutes:.0f}",
            pain,
            _or_dash(line.effort),
        )
    parts.append(sessions)
    parts.append(Text("Pain: before→after the session (0-10). Effort: 0-10.", style="dim"))

    weeks = Table(title="Minutes per week", title_justify="left")
    weeks.add_column("Week of")
    weeks.add_column("Sessions", justify="right")
    weeks.add_column("Minutes", justify="right")
    weeks.add_column("")
    most = max((w.minutes for w in summary.minutes_per_week), default=0.0) or 1.0
    for week in summary.minutes_per_week:
        weeks.add_row(
            week.week_start.isoformat(),
            str(week.sessions),
            f"{week.minutes:.0f}",
            "█" * round(week.minutes / most * 30),
        )
    parts.append(weeks)

    if summary.pain_trend:
        trend = summary.pain_trend
        parts.append(
            Text.assemble(
                ("Pain trend ", "bold"),
                f"({trend[0].day} to {trend[-1].day}, 0-10)\n",
                "  before ",
                (sparkline([p.before for p in trend]), "yellow"),
                "\n  after  ",
                (sparkline([p.after for p in trend]), "cyan"),
            )
        )

    for name, points in summary.questionnaires.items():
        keys = sorted({key for point in points for key in point.scores})
        table = Table(title=f"Questionnaire: {name}", title_justify="left")
        table.add_column("Date")
        for key in keys:
            table.add_column(key)
        for point in points:
            table.add_row(
                point.taken_at.astimezone().date().isoformat(),
                *(_score(point.scores.get(key)) for key in keys),
            )
        parts.append(table)
    return Group(*parts)


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def _score(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@app.command()
def history(
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Weeks of minutes to show.")] = 12,
    sessions: Annotated[int, typer.Option(min=1, help="How many recent sessions to list.")] = 20,
) -> None:
    """Your sessions, streaks, minutes per week, pain trend and questionnaire scores."""
    now = datetime.now().astimezone()
    with open_database(get_settings()) as db:
        summary = history_summary(
            db, today=now.date(), tz=now.tzinfo or UTC, recent=sessions, weeks=weeks
        )
    console.print(render_history(summary))


# --- export / import / delete ------------------------------------------------------------


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    FHIR = "fhir"


def _stored_tables(db: Session) -> Tables:
    """The local user's tables (none stored yet: empty)."""
    user = get_user(db)
    return export_tables(db, user_id=user.id) if user is not None else {}


@app.command()
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format", "-f", help="json (complete), csv (a zip) or fhir (a FHIR R4 Bundle)."
        ),
    ] = ExportFormat.JSON,
    output_option: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write (default: JSON and FHIR to stdout, CSV zip in this folder).",
        ),
    ] = None,
) -> None:
    """Export everything you have stored (JSON can be imported again; FHIR is for clinics)."""
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
            if fmt is ExportFormat.FHIR:
                text = local_fhir_json(db, now=datetime.now(UTC), catalog=default_catalog())
            else:
                text = dump_json(_stored_tables(db))
        if output is None:
            sys.stdout.write(text)
            return
        write_atomically(output, text.encode("utf-8"))
    err_console.print(f"Exported to {output}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON file from `backcoach export`.")],
) -> None:
    """Add what a JSON export holds and is not stored yet (on any error, nothing)."""
    if zipfile.is_zipfile(path):
        raise UsageError(
            f"{path} is a CSV export (a zip); only JSON exports can be imported "
            "(`backcoach export --format json`)."
        )
    try:
        with path.open("rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)  # one byte more tells "too big"
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    with open_database(get_settings()) as db:
        user = local_user(db)
        result = import_file(db, user_id=user.id, name=str(path), data=data)
    console.print(result.message(str(path)))


@data_app.command("delete")
def data_delete(
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
) -> None:
    """Delete everything stored for you: sessions, check-ins, screenings, settings."""
    if not yes and not typer.confirm(
        "Delete all your sessions, check-ins, screenings, questionnaires, habit logs and "
        "settings? This cannot be undone (`backcoach export` makes a copy first)",
        default=False,
    ):
        console.print("Nothing was deleted.")
        raise typer.Exit(1)
    settings = get_settings()
    with open_database(settings) as db:
        user = get_user(db)
        deleted = delete_all_data(db, user_id=None if user is None else user.id, settings=settings)
    console.print(deleted.message)
