"""Export and import everything a user has stored.

The JSON export is the complete, lossless record: importing it into an empty
database and exporting again gives the same file, byte for byte. Rows carry
no database ids; sessions are numbered 1, 2, ... in the file and step events
and check-ins refer to those numbers, so an export does not depend on the
database it came from. Times are ISO 8601 in UTC.

An import is checked completely before anything is written (see
``import_schema``: types, ranges, references, and every session's plan and
snapshot through the code that runs them), and written in the caller's
single transaction: a file that fails a check writes nothing, and the error
names the field (and, for broken JSON, the line) that is wrong. An import
adds what is not stored yet and leaves alone what is (see
``import_document``), so importing a file twice changes nothing the second
time; settings in the file replace settings with the same key.

The CSV export is for spreadsheets: a zip with one CSV file per table, JSON
columns written as JSON text.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, astuple, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, select
from sqlalchemy.orm import Session, undefer

from backcoach.i18n import _, ngettext
from backcoach.services.import_schema import (
    ROW_MODELS,
    ExportDocument,
    ImportFileError,
    parse_export,
)
from backcoach.store import (
    CheckIn,
    HabitLog,
    QuestionnaireResponse,
    Screening,
    StepEvent,
    UserSetting,
    WorkoutSession,
    set_setting,
)
from backcoach.store.db import bulk_insert, bulk_insert_returning_ids

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_IMPORT_BYTES",
    "TABLES",
    "ExportDocument",
    "ImportCounts",
    "ImportFileError",
    "ImportResult",
    "Tables",
    "csv_files",
    "decode_export",
    "dump_json",
    "export_tables",
    "import_document",
    "parse_export",
    "too_large_message",
    "write_csv_zip",
]

EXPORT_FORMAT = "backcoach-export"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 50 * 2**20
TABLES = (
    "screenings",
    "sessions",
    "step_events",
    "checkins",
    "questionnaire_responses",
    "habit_logs",
    "settings",
)

Tables = dict[str, list[dict[str, Any]]]


# --- export -------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def export_tables(db: Session, *, user_id: int) -> Tables:
    """Every row of the user, as JSON-ready dicts per table (see the module docstring)."""
    sessions = list(
        db.scalars(
            select(WorkoutSession)
            .options(undefer(WorkoutSession.snapshot))
            .where(WorkoutSession.user_id == user_id)
            .order_by(WorkoutSession.started_at, WorkoutSession.id)
        )
    )
    number = {s.id: i for i, s in enumerate(sessions, start=1)}
    steps = db.scalars(
        select(StepEvent)
        .join(WorkoutSession)
        .where(WorkoutSession.user_id == user_id)
        .order_by(WorkoutSession.started_at, WorkoutSession.id, StepEvent.step_index)
    )
    screenings = db.scalars(
        select(Screening)
        .where(Screening.user_id == user_id)
        .order_by(Screening.taken_at, Screening.id)
    )
    checkins = db.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.at, CheckIn.id)
    )
    responses = db.scalars(
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.user_id == user_id)
        .order_by(QuestionnaireResponse.taken_at, QuestionnaireResponse.id)
    )
    habits = db.scalars(
        select(HabitLog)
        .where(HabitLog.user_id == user_id)
        .order_by(HabitLog.day, HabitLog.at, HabitLog.id)
    )
    settings = db.scalars(
        select(UserSetting).where(UserSetting.user_id == user_id).order_by(UserSetting.key)
    )
    return {
        "screenings": [
            {
                "taken_at": _iso(r.taken_at),
                "answers": r.answers,
                "red_flags": r.red_flags,
                "outcome": r.outcome.value,
            }
            for r in screenings
        ],
        "sessions": [
            {
                "id": number[s.id],
                "program_id": s.program_id,
                "length": s.length,
                "plan": s.plan,
                "snapshot": s.snapshot,
                "status": s.status.value,
                "started_at": _iso(s.started_at),
                "ended_at": _iso(s.ended_at),
                "pain_before": s.pain_before,
                "pain_after": s.pain_after,
                "effort": s.effort,
            }
            for s in sessions
        ],
        "step_events": [
            {
                "session_id": number[e.session_id],
                "step_index": e.step_index,
                "exercise_id": e.exercise_id,
                "variant": e.variant,
                "status": e.status.value,
                "reps": e.reps,
                "hold_s": e.hold_s,
                "duration_s": e.duration_s,
                "source": e.source.value,
                "pain": e.pain,
                "at": _iso(e.at),
                "faults": e.faults,
            }
            for e in steps
        ],
        "checkins": [
            {
                "session_id": None if c.session_id is None else number[c.session_id],
                "at": _iso(c.at),
                "phase": c.phase.value,
                "pain": c.pain,
                "location": c.location.value,
                "effort": c.effort,
                "exercise_id": c.exercise_id,
            }
            for c in checkins
        ],
        "questionnaire_responses": [
            {
                "name": q.name,
                "taken_at": _iso(q.taken_at),
                "answers": q.answers,
                "scores": q.scores,
            }
            for q in responses
        ],
        "habit_logs": [
            {
                "day": _iso(h.day),
                "at": _iso(h.at),
                "kind": h.kind,
                "amount": h.amount,
                "source": h.source,
            }
            for h in habits
        ],
        "settings": [{"key": s.key, "value": s.value} for s in settings],
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def dump_json(tables: Tables) -> str:
    """The export file: one row per line, keys sorted, so it diffs and round-trips cleanly."""
    parts = [
        "{\n",
        f'  "format": {_dumps(EXPORT_FORMAT)},\n',
        f'  "version": {EXPORT_VERSION},\n',
        '  "tables": {',
    ]
    for t, name in enumerate(TABLES):
        rows = tables.get(name, [])
        parts.append(f"{',' if t else ''}\n    {_dumps(name)}: [")
        parts.append(",".join(f"\n      {_dumps(row)}" for row in rows))
        parts.append("\n    ]" if rows else "]")
    parts.append("\n  }\n}\n")
    return "".join(parts)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list | bool):
        return _dumps(value)
    return str(value)


def csv_files(tables: Tables) -> Iterator[tuple[str, str]]:
    """(file name, CSV text) per table; columns in export order."""
    for name in TABLES:
        rows = tables.get(name, [])
        columns = list(rows[0]) if rows else list(ROW_MODELS[name].model_fields)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_cell(row[c]) for c in columns] for row in rows)
        yield f"{name}.csv", out.getvalue()


def write_csv_zip(tables: Tables, path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in csv_files(tables):
            archive.writestr(file_name, text)


# --- import -------------------------------------------------------------------------


def decode_export(data: bytes, *, source: str) -> ExportDocument:
    """Check the bytes of an export file completely.

    Raises:
        ImportFileError: the file is larger than ``MAX_IMPORT_BYTES``, not UTF-8
            text, or not a valid export.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(too_large_message(source))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("{source} is not a text file (UTF-8 JSON expected); nothing was imported.").format(
                source=source
            )
        ) from None
    return parse_export(text, source=source)


def too_large_message(source: str) -> str:
    return _(
        "{source} is larger than {mb} MB, the most an import may be; nothing was imported."
    ).format(source=source, mb=MAX_IMPORT_BYTES // 2**20)


@dataclass(frozen=True)
class ImportCounts:
    """Rows per table."""

    screenings: int = 0
    sessions: int = 0
    step_events: int = 0
    checkins: int = 0
    questionnaire_responses: int = 0
    habit_logs: int = 0
    settings: int = 0

    @property
    def total(self) -> int:
        return sum(astuple(self))

    def describe(self) -> str:
        """The counts in words, e.g. "2 sessions (14 steps) and 1 check-in"."""
        parts = []
        for name, count in asdict(self).items():
            if count and name in _WORDS:
                parts.append(_WORDS[name](count))
                if name == "sessions" and self.step_events:
                    steps = ngettext("{n} step", "{n} steps", self.step_events)
                    parts[-1] += " (" + steps.format(n=self.step_events) + ")"
        if len(parts) < 2:
            return "".join(parts) or _("nothing")
        return _("{items} and {last}").format(items=", ".join(parts[:-1]), last=parts[-1])


_WORDS: dict[str, Callable[[int], str]] = {
    "screenings": lambda n: ngettext("{n} screening", "{n} screenings", n).format(n=n),
    "sessions": lambda n: ngettext("{n} session", "{n} sessions", n).format(n=n),
    "checkins": lambda n: ngettext("{n} check-in", "{n} check-ins", n).format(n=n),
    "questionnaire_responses": lambda n: ngettext(
        "{n} questionnaire response", "{n} questionnaire responses", n
    ).format(n=n),
    "habit_logs": lambda n: ngettext("{n} habit log", "{n} habit logs", n).format(n=n),
    "settings": lambda n: ngettext("{n} setting", "{n} settings", n).format(n=n),
}


@dataclass(frozen=True)
class ImportResult:
    """What an import added, and what it left alone because it was already stored."""

    added: ImportCounts
    already_stored: ImportCounts

    @property
    def nothing_new(self) -> bool:
        return self.added.total == 0

    def message(self, source: str) -> str:
        """The answer for people, naming ``source`` (the file)."""
        if self.nothing_new and self.already_stored.total == 0:
            return _("{source} holds no data; nothing was changed.").format(source=source)
        if self.nothing_new:
            return _(
                "Nothing new to import: everything in {source} is already stored. "
                "Nothing was changed."
            ).format(source=source)
        text = _("Imported {counts} from {source}.").format(
            counts=self.added.describe(), source=source
        )
        if self.already_stored.total:
            text += " " + _("Already stored, so left as they were: {counts}.").format(
                counts=self.already_stored.describe()
            )
        return text


def _key(*values: Any) -> tuple[Any, ...]:
    """A natural key; times in UTC, so the same instant matches in any offset."""
    return tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in values)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON: ``true`` is not ``1``, but ``0`` is ``-0.0`` (SQLite stores a
    JSON document that is a bare number with numeric affinity: ``45.0`` reads back ``45``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _stored_keys(db: Session, statement: Executable) -> set[tuple[Any, ...]]:
    return {_key(*row) for row in db.execute(statement)}


def import_document(db: Session, *, user_id: int, document: ExportDocument) -> ImportResult:
    """Add the document's rows that are not stored yet (flushes; the caller commits).

    A row is already stored when a row of ``user_id`` has the same natural
    key: a session its start time and program (its steps come and go with
    it), a screening its time, a check-in its time and phase, a
    questionnaire response its name and time, a habit log its day, time and
    kind, a setting its key and value. So a file imported twice adds nothing
    the second time. Rows repeated inside one file are all added.
    """
    t = document.tables
    stored_sessions = {
        _key(at, program): sid
        for sid, at, program in db.execute(
            select(WorkoutSession.id, WorkoutSession.started_at, WorkoutSession.program_id)
            .where(WorkoutSession.user_id == user_id)
        )
    }  # fmt: skip
    session_ids: dict[int, int] = {}  # id in the file -> id in the database
    new_sessions = []
    for row in t.sessions:
        stored_id = stored_sessions.get(_key(row.started_at, row.program_id))
        if stored_id is None:
            new_sessions.append(row)
        else:
            session_ids[row.id] = stored_id
    new_ids = bulk_insert_returning_ids(
        db,
        WorkoutSession,
        [{**row.model_dump(exclude={"id"}), "user_id": user_id} for row in new_sessions],
    )
    session_ids |= {row.id: new for row, new in zip(new_sessions, new_ids, strict=True)}
    added = {row.id for row in new_sessions}
    steps = [s for s in t.step_events if s.session_id in added]
    bulk_insert(
        db,
        StepEvent,
        [{**s.model_dump(), "session_id": session_ids[s.session_id]} for s in steps],
    )

    mine = {"user_id": user_id}
    stored = _stored_keys(db, select(Screening.taken_at).where(Screening.user_id == user_id))
    screenings = [r for r in t.screenings if _key(r.taken_at) not in stored]
    bulk_insert(db, Screening, [{**r.model_dump(), **mine} for r in screenings])

    stored = _stored_keys(db, select(CheckIn.at, CheckIn.phase).where(CheckIn.user_id == user_id))
    checkins = [r for r in t.checkins if _key(r.at, r.phase) not in stored]
    bulk_insert(
        db,
        CheckIn,
        [
            {
                **c.model_dump(),
                **mine,
                "session_id": None if c.session_id is None else session_ids[c.session_id],
            }
            for c in checkins
        ],
    )

    stored = _stored_keys(
        db,
        select(QuestionnaireResponse.name, QuestionnaireResponse.taken_at)
        .where(QuestionnaireResponse.user_id == user_id),
    )  # fmt: skip
    responses = [r for r in t.questionnaire_responses if _key(r.name, r.taken_at) not in stored]
    bulk_insert(db, QuestionnaireResponse, [{**r.model_dump(), **mine} for r in responses])

    stored = _stored_keys(
        db, select(HabitLog.day, HabitLog.at, HabitLog.kind).where(HabitLog.user_id == user_id)
    )
    habits = [r for r in t.habit_logs if _key(r.day, r.at, r.kind) not in stored]
    bulk_insert(db, HabitLog, [{**r.model_dump(), **mine} for r in habits])

    values = {
        s.key: s.value
        for s in db.scalars(select(UserSetting).where(UserSetting.user_id == user_id))
    }
    settings = [s for s in t.settings if s.key not in values or not _same(values[s.key], s.value)]
    for setting in settings:
        set_setting(db, user_id=user_id, key=setting.key, value=setting.value)
    db.flush()

    new = ImportCounts(
        screenings=len(screenings),
        sessions=len(new_sessions),
        step_events=len(steps),
        checkins=len(checkins),
        questionnaire_responses=len(responses),
        habit_logs=len(habits),
        settings=len(settings),
    )
    in_file = ImportCounts(**{name: len(getattr(t, name)) for name in TABLES})
    return ImportResult(
        added=new,
        already_stored=ImportCounts(
            **{name: getattr(in_file, name) - getattr(new, name) for name in TABLES}
        ),
    )
