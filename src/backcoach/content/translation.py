"""Translations of the content: the user-visible texts of another language, merged over English.

Layout inside the content folder, one folder per language (``de/`` for German)::

    de/exercises/<id>.yaml   the texts of one exercise (same id as the English file)
    de/programs.yaml         program id -> name and description
    de/tips.yaml             tip id -> topic, title and text

A translation carries only text. Ids, doses, keyframe geometry, camera support
and everything else come from the English files, so a translation cannot
change what the coach does. Checked when loaded: every English id has a
translation and no unknown id does; every text field of the English item is
there, lists of the same length (only aliases may differ in number, as people
search by other words in another language); no unknown field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from backcoach.content.models import Exercise, Program, Text, Tip
from backcoach.content.yamlfile import read_yaml
from backcoach.errors import ContentError

M = TypeVar("M", bound=BaseModel)

SUPPORTED_LANGUAGES = ("en", "de")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantText(_Strict):
    name: Text
    how: Text


class CameraText(_Strict):
    notes: Text


class VoiceText(_Strict):
    setup: Text
    cue: Text


class ExerciseText(_Strict):
    """Every text of an exercise a person reads or hears; ``keyframes`` are the figure captions."""

    id: str
    name: Text
    aliases: list[Text] = []
    purpose: Text
    muscles: list[Text]
    start_position: Text
    steps: list[Text]
    breathing: Text
    mistakes: list[Text]
    safety: list[Text]
    avoid_if: list[Text]
    easier: VariantText
    harder: VariantText
    camera: CameraText | None = None
    keyframes: list[Text]
    notes: Text | None = None
    voice: VoiceText


class ProgramText(_Strict):
    name: Text
    description: Text


class TipText(_Strict):
    topic: Text
    title: Text
    text: Text


# Lists that must have as many items as in English: a step, a caution or a caption each.
_SAME_LENGTH = ("muscles", "steps", "mistakes", "safety", "avoid_if", "keyframes")


def check_language(lang: str) -> None:
    """Refuse a language the content is not written in, naming the ones it is."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(
            f"the content is not available in '{lang}': "
            f"choose one of {', '.join(SUPPORTED_LANGUAGES)}"
        )


def _parse(model: type[M], raw: Any, path: Path, what: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc']) or '(root)'}': "
            + ("missing (the English text has it)" if err["type"] == "missing" else err["msg"])
            for err in exc.errors()
        )
        raise ContentError(f"{path}: {what}: {problems}") from exc


def _check_matches(english: Exercise, text: ExerciseText, path: Path) -> None:
    where = f"{path}: exercise '{english.id}'"
    for field in _SAME_LENGTH:
        theirs = len(getattr(english, field))
        ours = len(getattr(text, field))
        if ours != theirs:
            raise ContentError(
                f"{where}: field '{field}': {ours} items, but the English file has {theirs}"
            )
    for field, english_text, translated in (
        ("notes", english.notes, text.notes),
        ("camera.notes", english.camera.notes, text.camera and text.camera.notes),
    ):
        if english_text and not translated:
            raise ContentError(f"{where}: field '{field}': missing (the English text has it)")
        if translated and not english_text:
            raise ContentError(
                f"{where}: field '{field}': the English file has no such text to translate"
            )


def _merge_exercise(english: Exercise, text: ExerciseText, path: Path) -> Exercise:
    _check_matches(english, text, path)
    data = english.model_dump()
    data.update(text.model_dump(exclude={"id", "camera", "keyframes", "notes"}))
    data["notes"] = text.notes or ""
    data["camera"]["notes"] = text.camera.notes if text.camera else ""
    for frame, caption in zip(data["keyframes"], text.keyframes, strict=True):
        frame["name"] = caption
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc'])}': {err['msg']}" for err in exc.errors()
        )
        raise ContentError(f"{path}: exercise '{english.id}': {problems}") from exc


def translate_exercises(english: Mapping[str, Exercise], folder: Path) -> dict[str, Exercise]:
    """The exercises with the texts of ``folder/exercises/<id>.yaml`` merged in."""
    files = {path.stem: path for path in sorted((folder / "exercises").glob("*.yaml"))}
    for stem, path in files.items():
        if stem not in english:
            raise ContentError(f"{path}: no English exercise has the id '{stem}'")
    merged: dict[str, Exercise] = {}
    for exercise_id, exercise in english.items():
        if exercise_id not in files:
            raise ContentError(
                f"{folder / 'exercises' / (exercise_id + '.yaml')}: missing: "
                f"exercise '{exercise_id}' has no translation"
            )
        path = files[exercise_id]
        text = _parse(ExerciseText, read_yaml(path), path, f"exercise '{exercise_id}'")
        if text.id != exercise_id:
            raise ContentError(
                f"{path}: exercise '{text.id}': field 'id' must match the file name '{exercise_id}'"
            )
        merged[exercise_id] = _merge_exercise(exercise, text, path)
    return merged


def _texts(model: type[M], path: Path, ids: list[str], what: str) -> dict[str, M]:
    """``path``'s mapping of id to texts, checked to hold exactly ``ids``."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: expected a mapping of {what} id to its texts")
    for key in raw:
        if key not in ids:
            raise ContentError(f"{path}: no English {what} has the id '{key}'")
    for key in ids:
        if key not in raw:
            raise ContentError(f"{path}: missing: {what} '{key}' has no translation")
    return {key: _parse(model, raw[key], path, f"{what} '{key}'") for key in ids}


def translate_programs(english: Mapping[str, Program], folder: Path) -> dict[str, Program]:
    """The programs with the names and descriptions of ``folder/programs.yaml``."""
    texts = _texts(ProgramText, folder / "programs.yaml", list(english), "program")
    return {
        key: program.model_copy(update=texts[key].model_dump()) for key, program in english.items()
    }


def translate_tips(english: tuple[Tip, ...], folder: Path) -> tuple[Tip, ...]:
    """The tips with the topics, titles and texts of ``folder/tips.yaml``."""
    texts = _texts(TipText, folder / "tips.yaml", [tip.id for tip in english], "tip")
    return tuple(tip.model_copy(update=texts[tip.id].model_dump()) for tip in english)
