"""Export and import everything a user has stored.

The JSON export is the complete, lossless record: importing it into an empty
database and exporting again gives the same file, byte for byte. Rows carry
no database ids; sessions are numbered 1, 2, ... in the file and step events
and check-ins refer to those numbers, so an export does not depend on the
database it came from. Times are ISO 8601 in UTC.

An import is checked completely before anything is written, and written in
the caller's single transaction: a malformed file writes nothing, and the
error names the field (and, for broken JSON, the line) that is wrong. An
import adds to what is already stored; settings in the file replace settings
with the same key.

The CSV export is for spreadsheets: a zip with one CSV file per table, JSON
columns written as JSON text.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from backcoach.errors import BackcoachError
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    HabitLog,
    PainLocation,
    QuestionnaireResponse,
    Screening,
    ScreeningOutcome,
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    UserSetting,
    WorkoutSession,
    set_setting,
)
from backcoach.store.db import bulk_insert, bulk_insert_returning_ids

EXPORT_FORMAT = "backcoach-export"
EXPORT_VERSION = 1
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


class ImportFileError(BackcoachError):
    """An import file is malformed; nothing was written."""


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
        columns = list(rows[0]) if rows else list(_ROW_MODELS[name].model_fields)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_cell(row[c]) for c in columns] for row in rows)
        yield f"{name}.csv", out.getvalue()


def write_csv_zip(tables: Tables, path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in csv_files(tables):
            archive.writestr(file_name, text)


# --- import: the file's schema -------------------------------------------------------

Pain = Annotated[int, Field(ge=0, le=10)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=16)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScreeningRow(_Row):
    taken_at: AwareDatetime
    answers: dict[str, JsonValue]
    red_flags: list[str]
    outcome: ScreeningOutcome


class SessionRow(_Row):
    id: int = Field(ge=1)
    program_id: Id
    length: Short
    plan: dict[str, JsonValue]
    snapshot: dict[str, JsonValue] | None
    status: SessionStatus
    started_at: AwareDatetime
    ended_at: AwareDatetime | None
    pain_before: Pain | None
    pain_after: Pain | None
    effort: Pain | None


class StepEventRow(_Row):
    session_id: int
    step_index: int = Field(ge=0)
    exercise_id: Id
    variant: Short
    status: StepStatus
    reps: int | None = Field(ge=0)
    hold_s: float | None = Field(ge=0)
    duration_s: float | None = Field(ge=0)
    source: StepSource
    pain: Pain | None
    at: AwareDatetime


class CheckinRow(_Row):
    session_id: int | None
    at: AwareDatetime
    phase: CheckinPhase
    pain: Pain
    location: PainLocation
    effort: Pain | None
    exercise_id: Id | None


class QuestionnaireRow(_Row):
    name: Id
    taken_at: AwareDatetime
    answers: dict[str, JsonValue]
    scores: dict[str, JsonValue]


class HabitRow(_Row):
    day: date
    at: AwareDatetime
    kind: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    amount: float
    source: Short


class SettingRow(_Row):
    key: Id
    value: JsonValue

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        if self.value is None:
            raise ValueError("a setting's value cannot be null")
        return self


_ROW_MODELS: dict[str, type[_Row]] = {
    "screenings": ScreeningRow,
    "sessions": SessionRow,
    "step_events": StepEventRow,
    "checkins": CheckinRow,
    "questionnaire_responses": QuestionnaireRow,
    "habit_logs": HabitRow,
    "settings": SettingRow,
}


class ExportTables(_Row):
    screenings: list[ScreeningRow] = []
    sessions: list[SessionRow] = []
    step_events: list[StepEventRow] = []
    checkins: list[CheckinRow] = []
    questionnaire_responses: list[QuestionnaireRow] = []
    habit_logs: list[HabitRow] = []
    settings: list[SettingRow] = []

    @model_validator(mode="after")
    def _references(self) -> Self:
        ids: set[int] = set()
        for i, session in enumerate(self.sessions):
            if session.id in ids:
                raise ValueError(f"sessions[{i}].id: session id {session.id} appears twice")
            ids.add(session.id)
        steps: set[tuple[int, int]] = set()
        for i, step in enumerate(self.step_events):
            if step.session_id not in ids:
                raise ValueError(
                    f"step_events[{i}].session_id: no session with id {step.session_id}"
                )
            if (step.session_id, step.step_index) in steps:
                raise ValueError(
                    f"step_events[{i}]: step {step.step_index} of session "
                    f"{step.session_id} appears twice"
                )
            steps.add((step.session_id, step.step_index))
        for i, checkin in enumerate(self.checkins):
            if checkin.session_id is not None and checkin.session_id not in ids:
                raise ValueError(
                    f"checkins[{i}].session_id: no session with id {checkin.session_id}"
                )
        keys = [s.key for s in self.settings]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise ValueError(f"settings[{i}].key: setting '{key}' appears twice")
        return self


class ExportDocument(_Row):
    format: Literal["backcoach-export"]
    version: Literal[1]
    tables: ExportTables


def _where(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_export(text: str, *, source: str) -> ExportDocument:
    """Check an export file completely.

    Raises:
        ImportFileError: naming ``source`` and the line or field that is wrong.
    """
    try:
        return ExportDocument.model_validate_json(text)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:5]:
            where = _where(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"field '{where}': {message}" if where else message)
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise ImportFileError(
            f"{source} is not a valid backcoach export; nothing was imported. "
            + "; ".join(problems)
            + more
        ) from exc


# --- import: writing --------------------------------------------------------------


@dataclass(frozen=True)
class ImportCounts:
    screenings: int
    sessions: int
    step_events: int
    checkins: int
    questionnaire_responses: int
    habit_logs: int
    settings: int


def import_document(db: Session, *, user_id: int, document: ExportDocument) -> ImportCounts:
    """Add the document's rows to ``user_id`` (flushes; the caller commits or rolls back)."""
    t = document.tables
    new_ids = bulk_insert_returning_ids(
        db,
        WorkoutSession,
        [{**row.model_dump(exclude={"id"}), "user_id": user_id} for row in t.sessions],
    )
    session_ids = {row.id: new for row, new in zip(t.sessions, new_ids, strict=True)}

    def rows(items: Iterable[_Row], **extra: Any) -> list[dict[str, Any]]:
        return [{**item.model_dump(), **extra} for item in items]

    bulk_insert(db, Screening, rows(t.screenings, user_id=user_id))
    bulk_insert(
        db,
        StepEvent,
        [{**s.model_dump(), "session_id": session_ids[s.session_id]} for s in t.step_events],
    )
    bulk_insert(
        db,
        CheckIn,
        [
            {
                **c.model_dump(),
                "user_id": user_id,
                "session_id": None if c.session_id is None else session_ids[c.session_id],
            }
            for c in t.checkins
        ],
    )
    bulk_insert(db, QuestionnaireResponse, rows(t.questionnaire_responses, user_id=user_id))
    bulk_insert(db, HabitLog, rows(t.habit_logs, user_id=user_id))
    for setting in t.settings:
        set_setting(db, user_id=user_id, key=setting.key, value=setting.value)
    db.flush()
    return ImportCounts(
        screenings=len(t.screenings),
        sessions=len(t.sessions),
        step_events=len(t.step_events),
        checkins=len(t.checkins),
        questionnaire_responses=len(t.questionnaire_responses),
        habit_logs=len(t.habit_logs),
        settings=len(t.settings),
    )
