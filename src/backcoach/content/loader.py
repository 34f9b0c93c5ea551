"""Load and validate the YAML content files.

Layout of a content folder::

    exercises/<id>.yaml   one exercise per file
    programs.yaml         a list of programs
    tips.yaml             a list of habit and lifestyle tips
    de/                   the German texts of all three (see ``translation.py``)

Every problem is reported as a ``ContentError`` naming the file, the item id
and the field, so a broken file is fixed in one look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from backcoach.content.models import Exercise, Program, Tip
from backcoach.content.translation import (
    SUPPORTED_LANGUAGES,
    check_language,
    translate_exercises,
    translate_programs,
    translate_tips,
)
from backcoach.content.yamlfile import read_yaml
from backcoach.errors import ContentError

DEFAULT_CONTENT_DIR = Path(__file__).parent / "data"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Catalog:
    """All validated content, keyed by id, in file order."""

    exercises: Mapping[str, Exercise]
    programs: Mapping[str, Program]
    tips: tuple[Tip, ...]

    def exercise(self, exercise_id: str) -> Exercise:
        return self.exercises[exercise_id]

    def program(self, program_id: str) -> Program:
        return self.programs[program_id]


def _validate(model: type[M], raw: Any, path: Path, position: str) -> M:
    item_id = raw.get("id", position) if isinstance(raw, dict) else position
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc']) or '(root)'}': {err['msg']}"
            for err in exc.errors()
        )
        raise ContentError(f"{path}: {model.__name__.lower()} '{item_id}': {problems}") from exc


def _validate_list(model: type[M], path: Path) -> list[M]:
    raw = read_yaml(path)
    if not isinstance(raw, list):
        raise ContentError(f"{path}: expected a list of {model.__name__.lower()}s at the top level")
    return [_validate(model, item, path, f"#{i + 1}") for i, item in enumerate(raw)]


def _unique(items: Iterable[tuple[str, Path]], what: str) -> None:
    seen: dict[str, Path] = {}
    for item_id, path in items:
        if item_id in seen:
            raise ContentError(f"{path}: duplicate {what} id '{item_id}' (also in {seen[item_id]})")
        seen[item_id] = path


def load_catalog(directory: Path = DEFAULT_CONTENT_DIR, lang: str = "en") -> Catalog:
    """Load every content file in ``directory`` and check the cross-references.

    For a ``lang`` other than English, the texts of ``directory/<lang>/`` are
    merged over the English ones (see ``translation.py``); a language not in
    ``SUPPORTED_LANGUAGES`` is a ``ValueError``.
    """
    check_language(lang)
    exercise_files = sorted((directory / "exercises").glob("*.yaml"))
    if not exercise_files:
        raise ContentError(f"{directory / 'exercises'}: no exercise files found")
    exercises: list[tuple[Exercise, Path]] = []
    for path in exercise_files:
        exercise = _validate(Exercise, read_yaml(path), path, path.stem)
        if exercise.id != path.stem:
            raise ContentError(
                f"{path}: exercise '{exercise.id}': "
                f"field 'id' must match the file name '{path.stem}'"
            )
        exercises.append((exercise, path))
    _unique(((e.id, p) for e, p in exercises), "exercise")

    programs_path = directory / "programs.yaml"
    programs = _validate_list(Program, programs_path)
    _unique(((p.id, programs_path) for p in programs), "program")
    known = {e.id for e, _ in exercises}
    for program in programs:
        for length, steps in program.lengths.items():
            for i, step in enumerate(steps):
                if step.exercise not in known:
                    raise ContentError(
                        f"{programs_path}: program '{program.id}': field "
                        f"'lengths.{length}.{i}.exercise': unknown exercise id '{step.exercise}'"
                    )

    tips_path = directory / "tips.yaml"
    tips = _validate_list(Tip, tips_path)
    _unique(((t.id, tips_path) for t in tips), "tip")

    english = Catalog(
        exercises={e.id: e for e, _ in exercises},
        programs={p.id: p for p in programs},
        tips=tuple(tips),
    )
    if lang == "en":
        return english
    folder = directory / lang
    return Catalog(
        exercises=translate_exercises(english.exercises, folder),
        programs=translate_programs(english.programs, folder),
        tips=translate_tips(english.tips, folder),
    )


def default_catalog(lang: str = "en") -> Catalog:
    """The content shipped with backcoach in ``lang``, loaded once per language."""
    return _shipped_catalog(lang)


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def _shipped_catalog(lang: str) -> Catalog:
    return load_catalog(lang=lang)
