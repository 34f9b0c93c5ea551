"""The schema of an export file, as checked on import.

Every row is checked completely before anything is written: field types and
ranges (see ``import_bounds``), references between tables, and each
session's plan and snapshot through the code that loads and runs them (see
``session_check``). A file that fails any check is refused with a message
naming the file and the field; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from backcoach.errors import BackcoachError
from backcoach.i18n import _
from backcoach.services.import_bounds import (
    Amount,
    Count,
    Day,
    Id,
    Json,
    JsonObject,
    Moment,
    Note,
    Pain,
    RowId,
    Seconds,
    Short,
    StepIndex,
    Word,
    problem_message,
)
from backcoach.services.session_check import check_plan, check_snapshot
from backcoach.store import (
    CheckinPhase,
    PainLocation,
    ScreeningOutcome,
    SessionStatus,
    StepSource,
    StepStatus,
)

MAX_PROBLEMS = 5  # problems named in one message
CHECKED_PLANS = "checked_plans"  # validation context: the plans already run in this file


class ImportFileError(BackcoachError):
    """An import file is malformed; nothing was written."""


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScreeningRow(_Row):
    taken_at: Moment
    answers: JsonObject
    red_flags: Annotated[list[Id], Field(max_length=100)]
    outcome: ScreeningOutcome


class SessionRow(_Row):
    id: RowId
    program_id: Id
    length: Short
    plan: JsonObject
    snapshot: JsonObject | None
    status: SessionStatus
    started_at: Moment
    ended_at: Moment | None
    pain_before: Pain | None
    pain_after: Pain | None
    effort: Pain | None

    @field_validator("plan")
    @classmethod
    def _plan_loads(cls, plan: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        # Most sessions share a plan: each distinct one is run once per file.
        checked: set[str] | None = (info.context or {}).get(CHECKED_PLANS)
        key = json.dumps(plan, sort_keys=True)
        if checked is None or key not in checked:
            check_plan(plan)
            if checked is not None:
                checked.add(key)
        return plan

    @field_validator("snapshot")
    @classmethod
    def _snapshot_loads(
        cls, snapshot: dict[str, Any] | None, info: ValidationInfo
    ) -> dict[str, Any] | None:
        plan = info.data.get("plan")  # absent when the plan itself was refused
        if snapshot is not None and plan is not None:
            check_snapshot(plan, snapshot)
        return snapshot

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError(_("ended_at: a session cannot end before it started"))
        return self


class FormNoteRow(_Row):
    """One kind of form fault the camera saw on a step, and how often."""

    code: Word
    message: Note
    count: Count


class StepEventRow(_Row):
    session_id: RowId
    step_index: StepIndex
    exercise_id: Id
    variant: Short
    status: StepStatus
    reps: Count | None
    hold_s: Seconds | None
    duration_s: Seconds | None
    source: StepSource
    pain: Pain | None
    at: Moment
    # Exports from before form notes were kept have no such field.
    faults: Annotated[list[FormNoteRow], Field(max_length=50)] | None = None


class CheckinRow(_Row):
    session_id: RowId | None
    at: Moment
    phase: CheckinPhase
    pain: Pain
    location: PainLocation
    effort: Pain | None
    exercise_id: Id | None


class QuestionnaireRow(_Row):
    name: Id
    taken_at: Moment
    answers: JsonObject
    scores: JsonObject


class HabitRow(_Row):
    day: Day
    at: Moment
    kind: Word
    amount: Amount
    source: Short


class SettingRow(_Row):
    key: Id
    value: Json

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        if self.value is None:
            raise ValueError(_("a setting's value cannot be null"))
        return self


ROW_MODELS: dict[str, type[_Row]] = {
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
        steps_in: dict[int, int] = {}  # session id -> steps in its plan
        for i, session in enumerate(self.sessions):
            if session.id in steps_in:
                raise ValueError(
                    _("sessions[{i}].id: session id {id} appears twice").format(i=i, id=session.id)
                )
            steps = session.plan["steps"]  # a list: the plan passed ``check_plan``
            steps_in[session.id] = len(steps) if isinstance(steps, list) else 0
        seen: set[tuple[int, int]] = set()
        for i, step in enumerate(self.step_events):
            if step.session_id not in steps_in:
                raise ValueError(
                    _("step_events[{i}].session_id: no session with id {id}").format(
                        i=i, id=step.session_id
                    )
                )
            if step.step_index >= steps_in[step.session_id]:
                raise ValueError(
                    _(
                        "step_events[{i}].step_index: session {id} has no step {step} "
                        "(its plan has {steps})"
                    ).format(
                        i=i,
                        id=step.session_id,
                        step=step.step_index,
                        steps=steps_in[step.session_id],
                    )
                )
            if (step.session_id, step.step_index) in seen:
                raise ValueError(
                    _("step_events[{i}]: step {step} of session {id} appears twice").format(
                        i=i, step=step.step_index, id=step.session_id
                    )
                )
            seen.add((step.session_id, step.step_index))
        for i, checkin in enumerate(self.checkins):
            if checkin.session_id is not None and checkin.session_id not in steps_in:
                raise ValueError(
                    _("checkins[{i}].session_id: no session with id {id}").format(
                        i=i, id=checkin.session_id
                    )
                )
        keys = [s.key for s in self.settings]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise ValueError(
                    _("settings[{i}].key: setting '{key}' appears twice").format(i=i, key=key)
                )
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
        return ExportDocument.model_validate_json(text, context={CHECKED_PLANS: set()})
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:MAX_PROBLEMS]:
            where = _where(error["loc"])
            message = problem_message(error)
            problems.append(
                _("field '{where}': {message}").format(where=where, message=message)
                if where
                else message
            )
        more = exc.error_count() - MAX_PROBLEMS
        raise ImportFileError(
            _("{source} is not a valid backcoach export; nothing was imported.").format(
                source=source
            )
            + " "
            + "; ".join(problems)
            + (" " + _("(and {n} more)").format(n=more) if more > 0 else "")
        ) from exc
