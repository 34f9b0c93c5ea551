"""The German content: complete, in German, the same exercises and doses, and broken files named."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backcoach.coach.pose import keyframe_side, mirrored_name
from backcoach.content import SUPPORTED_LANGUAGES, Catalog, Exercise, default_catalog, load_catalog
from backcoach.content.loader import DEFAULT_CONTENT_DIR
from backcoach.errors import ContentError

ENGLISH = default_catalog()
GERMAN = default_catalog("de")
ALL_IDS = sorted(ENGLISH.exercises)

# Words that give away an English sentence; none may appear in a German text.
ENGLISH_MARKERS = (
    " the ",
    " your ",
    " you ",
    " and ",
    " with ",
    " of ",
    " to ",
    " is ",
    " breathe ",
    " keep ",
    " stop ",
    " hold ",
    " from ",
)

# Every field a person reads or hears; nothing else may differ between the languages.
TEXT_FIELDS: dict[str, Any] = {
    "name": True,
    "aliases": True,
    "purpose": True,
    "muscles": True,
    "start_position": True,
    "steps": True,
    "breathing": True,
    "mistakes": True,
    "safety": True,
    "avoid_if": True,
    "easier": True,
    "harder": True,
    "notes": True,
    "voice": True,
    "camera": {"notes"},
    "keyframes": {"__all__": {"name"}},
}


def _texts(exercise: Exercise) -> dict[str, str]:
    """Every user-visible text of ``exercise`` by its field path (aliases apart)."""
    found = {
        "name": exercise.name,
        "purpose": exercise.purpose,
        "start_position": exercise.start_position,
        "breathing": exercise.breathing,
        "easier.name": exercise.easier.name,
        "easier.how": exercise.easier.how,
        "harder.name": exercise.harder.name,
        "harder.how": exercise.harder.how,
        "voice.setup": exercise.voice.setup,
        "voice.cue": exercise.voice.cue,
    }
    if exercise.notes:
        found["notes"] = exercise.notes
    if exercise.camera.notes:
        found["camera.notes"] = exercise.camera.notes
    for field in ("muscles", "steps", "mistakes", "safety", "avoid_if"):
        for i, line in enumerate(getattr(exercise, field)):
            found[f"{field}.{i}"] = line
    for i, keyframe in enumerate(exercise.keyframes):
        found[f"keyframes.{i}.name"] = keyframe.name
    return found


def _english_words(text: str) -> list[str]:
    padded = " " + re.sub(r"[^\w]+", " ", text.lower()) + " "
    return [marker.strip() for marker in ENGLISH_MARKERS if marker in padded]


# --- the shipped German content -------------------------------------------------------


def test_the_german_catalog_has_every_item_in_the_english_order() -> None:
    assert list(GERMAN.exercises) == list(ENGLISH.exercises)
    assert list(GERMAN.programs) == list(ENGLISH.programs)
    assert [t.id for t in GERMAN.tips] == [t.id for t in ENGLISH.tips]


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_every_text_of_an_exercise_is_german(exercise_id: str) -> None:
    german = _texts(GERMAN.exercise(exercise_id))
    english = _texts(ENGLISH.exercise(exercise_id))
    assert german.keys() == english.keys()
    for field, text in german.items():
        assert text != english[field], f"{exercise_id} {field} is the English text"
        assert _english_words(text) == [], f"{exercise_id} {field}: {text!r}"
    for alias in GERMAN.exercise(exercise_id).aliases:
        assert _english_words(alias) == [], f"{exercise_id} alias {alias!r}"


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_everything_but_the_text_is_the_english_files(exercise_id: str) -> None:
    german = GERMAN.exercise(exercise_id).model_dump(exclude=TEXT_FIELDS)
    assert german == ENGLISH.exercise(exercise_id).model_dump(exclude=TEXT_FIELDS)
    assert german["dosage"]  # the doses are compared, not excluded


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_figures_in_a_text_are_the_english_ones(exercise_id: str) -> None:
    english = _texts(ENGLISH.exercise(exercise_id))
    for field, text in _texts(GERMAN.exercise(exercise_id)).items():
        assert re.findall(r"\d+", text) == re.findall(r"\d+", english[field]), field


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_keyframe_captions_name_the_english_side(exercise_id: str) -> None:
    pairs = zip(
        GERMAN.exercise(exercise_id).keyframes,
        ENGLISH.exercise(exercise_id).keyframes,
        strict=True,
    )
    for german, english in pairs:
        assert keyframe_side(german.name) == keyframe_side(english.name), german.name
        assert keyframe_side(mirrored_name(german.name)) == keyframe_side(
            mirrored_name(english.name)
        ), german.name


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_german_safety_says_when_to_stop_and_never_to_push_through(exercise_id: str) -> None:
    exercise = GERMAN.exercise(exercise_id)
    text = " ".join(_texts(exercise).values()).lower()
    for pushing in ("trotz schmerz", "durch den schmerz", "schmerz aushalten", "zähne zusammen"):
        assert pushing not in text
    assert any(
        "hören sie auf" in line.lower() or "beenden sie" in line.lower() for line in exercise.safety
    ), "safety says when to stop"


def test_programs_and_tips_are_german_with_the_english_steps() -> None:
    for program_id, german in GERMAN.programs.items():
        english = ENGLISH.program(program_id)
        assert german.lengths == english.lengths
        for text, original in (
            (german.name, english.name),
            (german.description, english.description),
        ):
            assert text != original
            assert _english_words(text) == [], text
    for german_tip, english_tip in zip(GERMAN.tips, ENGLISH.tips, strict=True):
        for text, original in (
            (german_tip.title, english_tip.title),
            (german_tip.text, english_tip.text),
            (german_tip.topic, english_tip.topic),
        ):
            assert text != original
            assert _english_words(text) == [], text
            assert re.findall(r"\d+", text) == re.findall(r"\d+", original)


def test_the_catalog_is_loaded_once_per_language() -> None:
    assert default_catalog("de") is GERMAN
    assert default_catalog() is ENGLISH
    assert default_catalog("en") is ENGLISH
    assert SUPPORTED_LANGUAGES == ("en", "de")


@pytest.mark.parametrize("load", [lambda: load_catalog(lang="fr"), lambda: default_catalog("EN")])
def test_an_unknown_language_is_refused_naming_the_known_ones(load: Callable[[], Catalog]) -> None:
    with pytest.raises(ValueError, match="choose one of en, de"):
        load()


# --- broken translations are named ----------------------------------------------------


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _fails(directory: Path, *expected: str) -> str:
    with pytest.raises(ContentError) as caught:
        load_catalog(directory, lang="de")
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    return message


def test_the_copied_content_loads(content_dir: Path) -> None:
    assert load_catalog(content_dir, lang="de") == GERMAN


def test_a_missing_field_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "bird-dog.yaml"
    _edit(path, lambda data: data.pop("breathing"))
    _fails(content_dir, str(path), "exercise 'bird-dog'", "field 'breathing'", "missing")


def test_a_missing_note_the_english_file_has_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "glute-bridge.yaml"
    _edit(path, lambda data: data.pop("camera"))
    _fails(content_dir, str(path), "field 'camera.notes'", "missing")


def test_a_wrong_number_of_steps_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "squat.yaml"
    _edit(path, lambda data: data["steps"].pop())
    _fails(content_dir, str(path), "field 'steps'", "4 items", "English file has 5")


def test_a_wrong_number_of_captions_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "plank.yaml"
    _edit(path, lambda data: data["keyframes"].append("noch eine Haltung"))
    _fails(content_dir, str(path), "field 'keyframes'", "3 items")


def test_aliases_may_differ_in_number(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "plank.yaml"
    _edit(path, lambda data: data["aliases"].pop())
    assert len(load_catalog(content_dir, lang="de").exercise("plank").aliases) == 2


def test_an_extra_field_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "curl-up.yaml"
    _edit(path, lambda data: data.update(dosage={"sets": {"default": 9, "min": 1, "max": 9}}))
    _fails(content_dir, str(path), "field 'dosage'", "Extra inputs are not permitted")


def test_an_unknown_exercise_id_is_named(content_dir: Path) -> None:
    source = content_dir / "de" / "exercises" / "plank.yaml"
    path = source.with_name("handstand.yaml")
    shutil.copy(source, path)
    _fails(content_dir, str(path), "no English exercise has the id 'handstand'")


def test_a_missing_exercise_is_named(content_dir: Path) -> None:
    (content_dir / "de" / "exercises" / "superman.yaml").unlink()
    _fails(content_dir, "superman.yaml", "exercise 'superman' has no translation")


def test_an_id_that_does_not_match_the_file_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "squat.yaml"
    _edit(path, lambda data: data.update(id="push-up"))
    _fails(content_dir, str(path), "field 'id' must match the file name 'squat'")


def test_a_text_the_voice_cannot_read_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "exercises" / "squat.yaml"
    _edit(path, lambda data: data["voice"].update(cue="Setzen Sie sich (langsam) nach hinten."))
    _fails(content_dir, str(path), "field 'voice.cue'", "without brackets")


def test_an_unknown_or_missing_tip_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "tips.yaml"
    _edit(path, lambda data: data.update(juggling=data.pop("phone-neck")))
    _fails(content_dir, str(path), "no English tip has the id 'juggling'")
    _edit(path, lambda data: data.pop("juggling"))
    _fails(content_dir, str(path), "tip 'phone-neck' has no translation")


def test_a_program_without_its_description_is_named(content_dir: Path) -> None:
    path = content_dir / "de" / "programs.yaml"
    _edit(path, lambda data: data["desk-break"].pop("description"))
    _fails(content_dir, str(path), "program 'desk-break'", "field 'description'", "missing")


def test_a_missing_language_folder_is_named(content_dir: Path) -> None:
    shutil.rmtree(content_dir / "de")
    _fails(content_dir, "exercise 'arm-circles' has no translation")
