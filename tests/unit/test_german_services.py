"""The services' messages in German: refused imports, out-of-range values, program checks,
the desk habits, the camera's hold words, the live protocol and the store's errors.

Each path is taken twice, in German (no English marker words left, ``english_leftovers``)
and in English (the message as before). Ids, field paths and file paths in a message are
not words to translate: they are cut out before the German text is checked.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backcoach.config import Settings
from backcoach.content import Catalog, Length, default_catalog
from backcoach.errors import BackcoachError, MissingExtraError
from backcoach.i18n import use_language
from backcoach.services.camera_hold import Position, pause_reason
from backcoach.services.data import DataDeleted
from backcoach.services.export import ImportCounts, ImportFileError, ImportResult, decode_export
from backcoach.services.habits import HABITS
from backcoach.services.live_protocol import ProtocolError, parse_message
from backcoach.services.program_definition import (
    ProgramError,
    RemoveStep,
    SetDetails,
    apply_edits,
    check_definition,
    diff,
    from_program,
)
from backcoach.store import StoreError, backup_database, check_sqlite_file
from tests.support.german import english_leftovers

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
QUOTED = re.compile(r"„[^“]*“|'[^']*'|`[^`]*`")


def words_of(message: str, *literal: str) -> str:
    """``message`` without its quoted ids and field paths and without ``literal`` (paths)."""
    for part in literal:
        message = message.replace(part, " ")
    return QUOTED.sub(" ", message)


def export_with(**tables: list[dict[str, Any]]) -> bytes:
    return json.dumps({"format": "backcoach-export", "version": 1, "tables": tables}).encode()


WALK = {"day": "2026-03-02", "at": "2026-03-02T10:00:00+00:00", "kind": "walk", "amount": 20,
        "source": "web"}  # fmt: skip


def refusal(data: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        decode_export(data, source="export.json")
    return str(caught.value)


# --- import files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "english"),
    [
        pytest.param(
            b"\xff\xfe not text",
            "export.json is not a text file (UTF-8 JSON expected); nothing was imported.",
            id="not-text",
        ),
        pytest.param(
            export_with(habit_logs=[{**WALK, "day": "1990-01-01"}]),
            "export.json is not a valid backcoach export; nothing was imported. field "
            "'tables.habit_logs[0].day': the date must be between the years 2000 and 2100",
            id="date-out-of-range",
        ),
        pytest.param(
            export_with(habit_logs=[{**WALK, "amount": 20_000}]),
            "export.json is not a valid backcoach export; nothing was imported. field "
            "'tables.habit_logs[0].amount': Input should be less than or equal to 10000",
            id="too-large",
        ),
        pytest.param(
            export_with(habit_logs=[{**WALK, "kind": "x" * 40}]),
            "export.json is not a valid backcoach export; nothing was imported. field "
            "'tables.habit_logs[0].kind': String should have at most 32 characters",
            id="too-long",
        ),
        pytest.param(
            export_with(habit_logs=[{k: v for k, v in WALK.items() if k != "at"}]),
            "export.json is not a valid backcoach export; nothing was imported. field "
            "'tables.habit_logs[0].at': Field required",
            id="missing",
        ),
    ],
)
def test_a_refused_import_file_says_why_in_german_and_as_before_in_english(
    data: bytes, english: str
) -> None:
    assert refusal(data) == english
    with use_language("de"):
        german = refusal(data)
    assert "es wurde nichts importiert" in german
    assert english_leftovers(words_of(german)) == []


def test_many_problems_in_an_import_file_are_counted_in_german() -> None:
    data = export_with(habit_logs=[{**WALK, "amount": -1}] * 8)
    assert refusal(data).endswith("(and 3 more)")
    with use_language("de"):
        german = refusal(data)
    assert german.endswith("(und 3 weitere)")
    assert "Der Wert muss mindestens 0 sein" in german
    assert english_leftovers(words_of(german)) == []


def test_a_choice_pydantic_checks_is_named_in_german() -> None:
    data = export_with(checkins=[{"session_id": None, "at": "2026-03-02T10:00:00+00:00",
                                  "phase": "sometime", "pain": 3, "location": "low-back",
                                  "effort": None, "exercise_id": None}])  # fmt: skip
    assert "Input should be 'before', 'during' or 'after'" in refusal(data)
    with use_language("de"):
        german = refusal(data)
    assert "'before', 'during' oder 'after'" in german
    assert english_leftovers(words_of(german)) == []


def test_an_import_result_counts_in_german_with_plurals() -> None:
    result = ImportResult(
        added=ImportCounts(sessions=2, step_events=14, checkins=1),
        already_stored=ImportCounts(settings=1),
    )
    assert result.message("a.json") == (
        "Imported 2 sessions (14 steps) and 1 check-in from a.json. "
        "Already stored, so left as they were: 1 setting."
    )
    with use_language("de"):
        german = result.message("a.json")
    assert german == (
        "2 Einheiten (14 Schritte) und 1 Schmerzangabe aus a.json importiert. "
        "Schon gespeichert und daher unverändert gelassen: 1 Einstellung."
    )
    with use_language("de"):
        empty = ImportResult(added=ImportCounts(), already_stored=ImportCounts()).message("b")
    assert empty == "b enthält keine Daten; es wurde nichts geändert."


# --- programs (the clinician's editor) ---------------------------------------------------


@pytest.fixture(scope="module")
def german_catalog() -> Catalog:
    return default_catalog("de")


def test_a_dose_outside_its_safe_range_is_refused_in_german(german_catalog: Catalog) -> None:
    raw = from_program(german_catalog.program("back-basics"), german_catalog, sessions_per_week=3)
    raw["lengths"]["short"][8]["dose"]["reps"] = 20  # the glute bridge allows 5 to 12
    with use_language("de"), pytest.raises(ProgramError) as caught:
        check_definition(raw, german_catalog)
    german = str(caught.value)
    assert german.startswith("Das Programm wurde nicht gespeichert.")
    assert "Kurze Einheit, Schritt 9" in german
    assert "Wiederholungen 20 liegt außerhalb des sicheren Bereichs dieser Übung (5 bis 12)" in (
        german
    )
    assert english_leftovers(words_of(german)) == []


def test_a_step_that_is_not_there_and_the_diff_read_in_german(german_catalog: Catalog) -> None:
    raw = from_program(german_catalog.program("back-basics"), german_catalog, sessions_per_week=3)
    definition = check_definition(raw, german_catalog)
    steps = len(definition.steps(Length.SHORT))
    with use_language("de"), pytest.raises(ProgramError) as caught:
        apply_edits(definition, [RemoveStep(op="remove", length=Length.SHORT, step=40)],
                    german_catalog)  # fmt: skip
    assert str(caught.value) == f"Kurze Einheit hat keinen Schritt 40 (sie hat {steps} Schritte)."
    changed = apply_edits(
        definition,
        [
            RemoveStep(op="remove", length=Length.SHORT, step=1),
            SetDetails(op="details", name="Rücken für Anna", sessions_per_week=4),
        ],
        german_catalog,
    )
    with use_language("de"):
        texts = [change.text for change in diff(definition, changed, german_catalog)]
    assert "Einheiten pro Woche von 3 auf 4." in texts
    assert any(text.startswith("Kurze Einheit: ") and "entfernt" in text for text in texts)
    assert english_leftovers(" ".join(texts)) == []
    english = [change.text for change in diff(definition, changed, german_catalog)]
    assert "Sessions per week from 3 to 4." in english


# --- habits, the camera's hold, the live protocol ---------------------------------------------


def test_the_habits_of_today_read_in_the_language_in_use() -> None:
    walk = HABITS["walk"]
    assert (walk.label, walk.hint) == ("Go for a walk", "20-30 minutes at an easy pace")
    with use_language("de"):
        shown = [text for habit in HABITS.values() for text in (habit.label, habit.hint)]
    assert shown == [
        "Spazieren gehen",
        "20 bis 30 Minuten in gemütlichem Tempo",
        "Bewegungspausen machen",
        "alle 45 Minuten aufstehen und sich bewegen",
    ]


@pytest.mark.parametrize("exercise", ["glute-bridge", "curl-up", "superman", "bird-dog", "plank"])
@pytest.mark.parametrize("where", [Position.OUT, Position.COUNTED])
@pytest.mark.parametrize("held", [True, False])
def test_why_the_camera_paused_a_hold_reads_in_german(
    exercise: str, where: Position, held: bool
) -> None:
    with use_language("de"):
        german = pause_reason(exercise, where, held=held, remaining_s=2.4)
    assert english_leftovers(german) == []
    assert german != pause_reason(exercise, where, held=held, remaining_s=2.4)


def test_the_hold_words_are_english_as_before() -> None:
    reason = pause_reason("glute-bridge", Position.OUT, held=True, remaining_s=1.6)
    assert reason == "Hips came down with 2 s left: lift again to finish the hold."
    with use_language("de"):
        german = pause_reason("glute-bridge", Position.OUT, held=True, remaining_s=1.6)
    assert german == "Die Hüfte ist abgesunken, noch 2 s: heben Sie wieder an, um das Halten " \
        "zu beenden."  # fmt: skip


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (b"{}", "Send JSON text messages, not binary data."),
        ("[" * 70, "The message has too many nested lists or objects; a frame is 33 points."),
        ("[]", "A message must be a JSON object with a 'type'."),
        ('{"type": "frame", "t_s": 1}', "A frame needs 'landmarks' (33 points, or null)."),
    ],
)
def test_a_refused_live_message_says_why_in_german(text: str | bytes, english: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message(text)
    assert str(caught.value) == english
    with use_language("de"), pytest.raises(ProtocolError) as caught:
        parse_message(text)
    assert english_leftovers(words_of(str(caught.value))) == []
    assert str(caught.value) != english


# --- the store and deleting data ------------------------------------------------------------


def test_a_backup_of_no_database_is_refused_in_german(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(BackcoachError) as caught:
        backup_database(settings, target=None, now=NOW)
    assert "so there is nothing to back up" in str(caught.value)
    with use_language("de"), pytest.raises(BackcoachError) as caught:
        backup_database(settings, target=None, now=NOW)
    german = str(caught.value)
    assert german.endswith("also gibt es nichts zu sichern.")
    assert english_leftovers(words_of(german, str(tmp_path))) == []


def test_a_database_path_that_is_a_folder_is_refused_in_german(tmp_path: Path) -> None:
    with use_language("de"), pytest.raises(StoreError) as caught:
        check_sqlite_file(tmp_path)
    german = str(caught.value)
    assert german.startswith(f"Der Datenbankpfad {tmp_path} ist keine Datei.")
    assert english_leftovers(words_of(german, str(tmp_path))) == []
    with pytest.raises(StoreError) as caught:
        check_sqlite_file(tmp_path)
    assert "is not a file. It has been left untouched." in str(caught.value)


@pytest.mark.parametrize(("backups", "purged"), [(0, True), (1, False), (3, True)])
def test_deleting_all_data_is_confirmed_in_german(backups: int, purged: bool) -> None:
    deleted = DataDeleted(backups_dir=Path("/daten/backups"), backups=backups, purged=purged)
    assert deleted.message.startswith("All your data was deleted.")
    with use_language("de"):
        german = deleted.message
    assert german.startswith("Alle Ihre Daten wurden gelöscht.")
    assert english_leftovers(german) == []


def test_a_missing_extra_names_the_install_command_in_german() -> None:
    with use_language("de"):
        german = str(MissingExtraError("vision", "mediapipe"))
    assert "pip install 'backcoach[vision]'" in german
    assert english_leftovers(words_of(german)) == []
