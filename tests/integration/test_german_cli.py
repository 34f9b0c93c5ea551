"""The ``backcoach`` command in German: the real executable, as a person runs it.

Each test runs ``.venv/bin/backcoach`` in a subprocess with its own data folder
and language variables, so the language is chosen the way it is in a terminal
(at start-up, before any command is declared). What a person types is left
out before looking for English words: option names (``--help``), command names
(``history``) and the values an option takes (``--phase before``).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.main import get_command

from backcoach.cli import app
from backcoach.cli.checkin import Phase
from backcoach.cli.desk_breaks import break_instructions
from backcoach.cli.workout_view import Screen, render_screen, render_summary
from backcoach.coach.breaks import BreakKind, DueBreak
from backcoach.coach.engine import SessionEngine, Start
from backcoach.coach.plan import plan_from_program
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.i18n import use_language
from backcoach.services.sessions import abandon_session, start_session
from backcoach.store import (
    add_questionnaire_response,
    local_user,
    make_engine,
    session_factory,
    upgrade_engine,
)
from tests.support.german import english_leftovers

BACKCOACH = Path(sys.executable).with_name("backcoach")
OPTION = re.compile(r"--[a-z-]+")


def _typed_words() -> re.Pattern[str]:
    """The command names (``history``, ``db backup``) and ``--phase``'s values, as words."""
    root = get_command(app)
    commands: dict[str, Any] = getattr(root, "commands", {})
    names = {
        *commands,
        *(sub for group in commands.values() for sub in getattr(group, "commands", {})),
    }
    names |= {phase.value for phase in Phase}
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(names)) + r")(?![\w-])")


TYPED = _typed_words()

#: The environment's language variables, replaced in each run by the test's own.
LANGUAGE_VARIABLES = ("BACKCOACH_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def run(
    data_dir: Path, *args: str, language: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``backcoach ARGS`` in German (or with ``language``'s variables), on ``data_dir``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BACKCOACH_") and name not in LANGUAGE_VARIABLES
    }
    env |= {"BACKCOACH_DATA_DIR": str(data_dir), "COLUMNS": "100", "TERMINAL_WIDTH": "100"}
    env |= {"BACKCOACH_LANG": "de"} if language is None else language
    return subprocess.run(
        [str(BACKCOACH), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def leftovers(text: str) -> list[str]:
    """English words in ``text``, what a person types left out."""
    return english_leftovers(TYPED.sub(" ", OPTION.sub(" ", text)))


def german_output(data_dir: Path, *args: str, exit_code: int = 0) -> str:
    """All ``backcoach ARGS`` writes, checked to end with ``exit_code`` and have no English."""
    result = run(data_dir, *args)
    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output
    assert "Traceback" not in output
    assert leftovers(output) == [], output
    return " ".join(output.split())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_the_main_help_is_german(data_dir: Path) -> None:
    text = german_output(data_dir, "--help")
    assert "Aufruf: backcoach" in text
    assert "Optionen" in text and "Befehle" in text
    assert "Zeigt diese Hilfe und beendet." in text
    assert "Listet die Übungen der Bibliothek auf." in text


@pytest.mark.parametrize(
    "command",
    [
        ["history"],
        ["export"],
        ["show"],
        ["db", "backup"],
        ["users", "create"],
        ["report"],
        ["breaks"],
        ["analyze"],
        ["serve"],
    ],
    ids=" ".join,
)
def test_each_commands_help_is_german(data_dir: Path, command: list[str]) -> None:
    text = german_output(data_dir, *command, "--help")
    assert f"Aufruf: backcoach {' '.join(command)}" in text


def test_the_checkin_help_says_its_defaults_in_german(data_dir: Path) -> None:
    text = german_output(data_dir, "checkin", "--help")
    assert "Vor oder nach einer Einheit" in text
    assert "[Standard: before]" in text


def test_the_exercise_list_has_the_german_names(data_dir: Path) -> None:
    text = german_output(data_dir, "exercises")
    assert "backcoach-Übungen" in text
    assert "Kniebeuge" in text  # the squat, from the German content
    assert "Einzelheiten: backcoach show ID" in text


def test_one_exercise_is_shown_in_german(data_dir: Path) -> None:
    text = german_output(data_dir, "show", "squat")
    assert "Kniebeuge" in text
    for heading in ("Ausgangsposition", "Schritte", "Atmung", "Dosis"):
        assert heading in text
    assert "sicherer Bereich" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.json"], "missing.json kann nicht gelesen werden: Datei oder Ordner"),
        (["show", "squats"], "unbekannte Übung „squats“. Meinten Sie: squat?"),
        (["history", "--weeks", "0"], "Ungültiger Wert für '--weeks': Der Wert muss mindestens 1"),
        (["checkin", "--phase", "later"], "'later' ist keiner von 'before', 'after'."),
        (["report"], "Es fehlt die Option '--output' / '-o'."),
        (["nothing"], "Unbekannter Befehl 'nothing'."),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_errors_are_german(data_dir: Path, args: list[str], message: str) -> None:
    result = run(data_dir, *args)
    assert result.returncode in (1, 2), result.stdout + result.stderr
    text = " ".join(result.stderr.replace("│", " ").split())
    assert message in text
    assert "Fehler" in text
    assert leftovers(result.stderr) == [], result.stderr


def _a_stored_history(data_dir: Path) -> None:
    """A session left unfinished and a questionnaire, a day ago."""
    engine = make_engine(Settings(data_dir=data_dir))
    upgrade_engine(engine)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    plan = plan_from_program(default_catalog(), "back-basics", Length.SHORT)
    with session_factory(engine)() as db:
        user = local_user(db, now=yesterday)
        active = start_session(db, user_id=user.id, plan=plan, now=yesterday, pain_before=3)
        abandon_session(db, session_id=active.id, now=yesterday + timedelta(minutes=5))
        add_questionnaire_response(
            db,
            user_id=user.id,
            name="psfs",
            taken_at=yesterday,
            answers={"activities": [{"name": "Schuhe binden", "score": 6}]},
            scores={"mean": 6.5},
        )
        db.commit()
    engine.dispose()


def test_history_is_german(data_dir: Path) -> None:
    assert "Noch keine Einheiten" in german_output(data_dir, "history")
    _a_stored_history(data_dir)
    text = german_output(data_dir, "history")
    for words in ("Serie:", "Letzte Einheiten", "Minuten pro Woche", "Fragebogen: psfs"):
        assert words in text
    assert "6,5" in text  # the score with a decimal comma
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    assert yesterday.strftime("%d.%m.%Y") in text  # the session's day, as Germans write it


def test_german_checkin_export(data_dir: Path, tmp_path: Path) -> None:
    saved = german_output(data_dir, "checkin", "--pain", "2", "--where", "neck")
    assert "Gespeichert: Schmerz 2/10 (neck)." in saved
    target = tmp_path / "export.json"
    assert f"Exportiert nach {target}" in german_output(data_dir, "export", "-o", str(target))
    assert target.is_file()
    zipped = tmp_path / "export.zip"
    german_output(data_dir, "export", "--format", "csv", "-o", str(zipped))
    assert zipped.is_file()
    refused = german_output(data_dir, "export", "-o", str(tmp_path / "nowhere" / "x.json"),
                            exit_code=2)  # fmt: skip
    assert "es wurde nichts geschrieben" in refused


def test_the_posix_locale_chooses_german_too(data_dir: Path) -> None:
    result = run(data_dir, "--help", language={"LANG": "de_DE.UTF-8"})
    assert result.returncode == 0, result.stderr
    assert "Aufruf: backcoach" in result.stdout
    assert leftovers(result.stdout) == [], result.stdout


def test_an_unknown_language_is_a_plain_error(data_dir: Path) -> None:
    result = run(data_dir, "--help", language={"BACKCOACH_LANG": "fr"})
    assert result.returncode == 2
    assert "BACKCOACH_LANG='fr'" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_english_is_unchanged(data_dir: Path) -> None:
    english = {"BACKCOACH_LANG": "en"}
    help_text = run(data_dir, "--help", language=english).stdout
    assert "Usage: backcoach" in help_text
    assert "Show this message and exit." in help_text
    assert "Options" in help_text and "Commands" in help_text
    error = run(data_dir, "history", "--weeks", "0", language=english).stderr
    assert "Invalid value for '--weeks': Input should be greater than or equal to 1" in error
    missing = run(data_dir, "import", "missing.json", language=english).stderr
    assert "Error: Cannot read missing.json: No such file or directory" in missing


def test_the_terminal_workout_and_breaks_screens_are_german() -> None:
    with use_language("de"):
        catalog = default_catalog("de")
        plan = plan_from_program(catalog, "back-basics", Length.SHORT)
        engine = SessionEngine(plan)
        engine.apply(Start(0.0))
        screens = [
            render_screen(
                Screen(
                    title="Rücken", plan=plan, state=engine.state, exercises=dict(catalog.exercises)
                )
            ),
            render_screen(
                Screen(
                    title="Rücken",
                    plan=plan,
                    state=engine.state,
                    exercises=dict(catalog.exercises),
                    confirm_quit=True,
                )
            ),
            render_summary(plan, engine.summary()),
        ]
        console = Console(width=80, height=24, record=True, file=io.StringIO())
        for screen in screens:
            console.print(screen)
        due = DueBreak(kind=BreakKind.MICRO, move="shoulder-circles", length_s=60.0)
        title, lines = break_instructions(due, catalog)
    text = console.export_text()
    assert "Schritt 1/" in text and "Zusammenfassung der Einheit" in text
    assert "Die Einheit beenden?" in text
    assert "h tut weh" in text  # the keys line fits 80 columns
    assert leftovers(text) == [], text
    assert title.startswith("Kurzpause (60 s)")
    assert leftovers(" ".join([title, *lines])) == []
