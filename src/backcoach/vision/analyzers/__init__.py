"""Analyzer registry: one module per exercise, found automatically.

Adding an exercise is one module in this package whose class carries
``exercise_id`` and the ``@register`` decorator::

    @register
    class SquatAnalyzer:
        exercise_id: ClassVar[str] = "squat"
        def update(self, frame: LandmarkFrame) -> Feedback: ...
        def result(self) -> AnalysisResult: ...

Single-signal exercises subclass ``motion.MotionAnalyzer``, which does the
smoothing, counting, hold timing and fault persistence for them.

``get_analyzer("squat", **params)`` builds a fresh analyzer (one per video or
live session); ``available()`` lists the ids. Modules are imported on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, TypeVar

from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.vision.analyzers.base import (
    AnalysisLog,
    AnalysisResult,
    Analyzer,
    Fault,
    Feedback,
    Hold,
    RepEvent,
)

__all__ = [
    "AnalysisLog",
    "AnalysisResult",
    "Analyzer",
    "Fault",
    "Feedback",
    "Hold",
    "RepEvent",
    "available",
    "get_analyzer",
    "register",
]

_REGISTRY: dict[str, Callable[..., Analyzer]] = {}
_LOADED: list[bool] = []

#: Modules of this package that hold shared machinery, not an exercise.
_SUPPORT_MODULES = frozenset({"base", "motion"})

#: Modules outside this package that register analyzers too.
_EXTRA_MODULES = ("backcoach.vision.generic",)

T = TypeVar("T", bound=type)


def register(cls: T) -> T:
    """Class decorator: make an analyzer class available under its ``exercise_id``."""
    exercise_id = getattr(cls, "exercise_id", None)
    if not isinstance(exercise_id, str) or not exercise_id:
        raise TypeError(f"{cls.__name__} needs a class attribute exercise_id: str")
    existing = _REGISTRY.get(exercise_id)
    if existing is not None and existing is not cls:
        raise ValueError(f"two analyzers claim exercise id {exercise_id!r}")
    _REGISTRY[exercise_id] = cls
    return cls


def _load_all() -> None:
    if _LOADED:
        return
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name not in _SUPPORT_MODULES:
            importlib.import_module(f"{__name__}.{module.name}")
    for name in _EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    _LOADED.append(True)


def available() -> list[str]:
    """Sorted ids of the exercises that have an analyzer."""
    _load_all()
    return sorted(_REGISTRY)


def get_analyzer(exercise_id: str, **params: Any) -> Analyzer:
    """A new analyzer for one exercise.

    Raises:
        UsageError: for an unknown exercise id or parameters the analyzer does not take.
    """
    _load_all()
    factory = _REGISTRY.get(exercise_id)
    if factory is None:
        raise UsageError(
            _("No camera analyzer for exercise {id}. Available: {ids}.").format(
                id=repr(exercise_id), ids=", ".join(sorted(_REGISTRY))
            )
        )
    try:
        return factory(**params)
    except TypeError as exc:
        raise UsageError(f"Bad parameters for the {exercise_id!r} analyzer: {exc}") from exc
