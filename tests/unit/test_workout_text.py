"""The terminal workout's text at 80x24: wrapped at word boundaries, paged, never cut."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console, RenderableType

from backcoach.cli import workout
from backcoach.cli.workout import run_session
from backcoach.cli.workout_view import Screen, render_screen
from backcoach.coach.engine import SessionEngine, Start
from backcoach.coach.plan import SessionPlan, default_step
from backcoach.content import Exercise, Length, default_catalog
from tests.unit.test_engine_terminal import (
    EngineDriver,
    ScriptedKeys,
    Stop,
    quiet_console,
    stop_when_the_script_ends,
)

CATALOG = default_catalog()
EXERCISES = dict(CATALOG.exercises)


def screen_lines(screen: Screen, width: int = 80, height: int = 24) -> list[str]:
    console = Console(
        width=width, height=height, record=True, file=io.StringIO(), color_system=None
    )
    console.print(render_screen(screen))
    return console.export_text().rstrip("\n").split("\n")


def panel_text(lines: list[str], last: str = "╰") -> str:
    """The step panel's text (between its borders), one space between words."""
    inside: list[str] = []
    for line in lines[2:]:
        if line.startswith(last):
            break
        inside.append(line.strip("│ "))
    return " ".join(" ".join(inside).split())


def pages_of(exercise: Exercise, *, width: int = 80, height: int = 24) -> list[list[str]]:
    """Every page of the step panel at the start of the exercise."""
    plan = SessionPlan("test", Length.SHORT, (default_step(exercise),))
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    screens = [
        screen_lines(Screen("T", plan, engine.state, EXERCISES, page=p), width, height)
        for p in range(6)
    ]
    total = re.search(r"m: more \(1 of (\d+)\)", "\n".join(screens[0]))
    return screens[: int(total.group(1)) if total else 1]


def whole(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
@pytest.mark.parametrize(("width", "height"), [(80, 24), (100, 30)])
def test_every_instruction_shows_whole_on_some_page(
    exercise_id: str, width: int, height: int
) -> None:
    exercise = EXERCISES[exercise_id]
    pages = pages_of(exercise, width=width, height=height)
    assert all(len(page) == height for page in pages)
    assert all(len(line) <= width for page in pages for line in page)
    texts = [panel_text(page) for page in pages]
    wanted = [
        f"Get into position: {exercise.voice.setup}",
        f"Key point: {exercise.voice.cue}",
        f"Take care: {' '.join(exercise.safety)}",
        f"Start: {exercise.start_position}",
        *[f"{i}. {line}" for i, line in enumerate(exercise.steps, start=1)],
        f"Breathing: {exercise.breathing}",
    ]
    # each one whole on one page: a word cut at a line end or a line cut off would not match
    missing = [w for w in wanted if not any(whole(w) in text for text in texts)]
    assert not missing, missing
    # how to get into position, the key point and the safety notes are on the first page
    assert all(whole(w) in texts[0] for w in wanted[:3])
    if len(pages) > 1:
        assert f"m: more (1 of {len(pages)})" in texts[0]


def test_the_status_line_gives_way_to_a_long_cue() -> None:
    plan = SessionPlan("test", Length.SHORT, (default_step(EXERCISES["bird-dog"]),))
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    short = screen_lines(Screen("T", plan, engine.state, EXERCISES, cue="Left side first."))
    assert any("Position: " in line for line in short)
    long_cue = " ".join(["Come onto your hands and knees, hands below your shoulders."] * 2)
    lines = screen_lines(Screen("T", plan, engine.state, EXERCISES, cue=long_cue))
    assert len(lines) == 24
    status = " ".join(" ".join(line.strip("│ ") for line in lines[-8:-1]).split())
    assert whole(f"» {long_cue}") in status  # all of it, the position left out
    assert "Position: " not in status


def test_the_terminal_shows_the_voice_script_and_m_turns_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = SessionPlan(
        "test",
        Length.SHORT,
        (default_step(EXERCISES["neck-nods"]), default_step(EXERCISES["glute-bridge"])),
    )
    keys = ScriptedKeys(["", "m", "", "s", ""], then="")
    stop_when_the_script_ends(keys)
    screens: list[Screen] = []

    def recording(screen: Screen) -> RenderableType:
        screens.append(screen)
        return render_screen(screen)

    monkeypatch.setattr(workout, "render_screen", recording)
    with pytest.raises(Stop):
        run_session(EngineDriver(plan, keys), CATALOG, out=quiet_console(), title="T", keys=keys)
    # the latest line is the script's: the key cue, after the name and the set-up line
    assert screens[0].cue == EXERCISES["neck-nods"].voice.cue
    # "m" shows the next page; the next step starts on its first page again
    assert [(s.state.step_index, s.page) for s in screens] == [
        (0, 0),
        (0, 0),
        (0, 1),
        (0, 1),
        (1, 0),
        (1, 0),
    ]
    assert screens[-1].cue == EXERCISES["glute-bridge"].voice.cue
