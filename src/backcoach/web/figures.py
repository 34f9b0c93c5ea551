"""The pages' exercise illustrations, drawn once per exercise and key position.

``content.illustration`` draws an SVG from an exercise's keyframes in a few
milliseconds; the library, an exercise page, the desk's break cards and the
session player would redraw the same figures on every request. The catalog an
app serves does not change while it runs, so each drawing is kept here after
its first use and shared by every later request (and every thread: the SVGs
are immutable ``Markup`` strings).

The memo is keyed by the exercise *object*, not its id: apps built with
another catalog (tests, custom content) never see each other's figures, and an
entry keeps its exercise alive, so an identity is never reused while it is a
key. The memo is bounded; a catalog's worth of figures fits many times over.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

from backcoach.content import Exercise
from backcoach.content.illustration import render_keyframe_svg, render_strip_svgs

_MEMO_SIZE = 4096
_ANIMATION_DATA = re.compile(r"<script[^>]*>.*?</script>", re.DOTALL)


class _Same:
    """An exercise as a memo key: equal only to the very same object."""

    __slots__ = ("exercise",)

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise

    def __hash__(self) -> int:
        return id(self.exercise)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.exercise is self.exercise


def keyframe_figure(exercise: Exercise, index: int = 0) -> Markup:
    """``render_keyframe_svg`` of the exercise's key position ``index``, drawn once."""
    return _keyframe(_Same(exercise), index)


def thumbnail(exercise: Exercise) -> Markup:
    """The exercise's last key position, small and still (without the animation data)."""
    return _thumbnail(_Same(exercise))


def strip_figures(exercise: Exercise) -> tuple[Markup, ...]:
    """``render_strip_svgs``: every key position as its own still picture, drawn once."""
    return _strip(_Same(exercise))


@lru_cache(maxsize=_MEMO_SIZE)
def _keyframe(key: _Same, index: int) -> Markup:
    exercise = key.exercise
    return Markup(render_keyframe_svg(exercise, exercise.keyframes[index]))


@lru_cache(maxsize=_MEMO_SIZE)
def _thumbnail(key: _Same) -> Markup:
    last = len(key.exercise.keyframes) - 1
    return Markup(_ANIMATION_DATA.sub("", _keyframe(key, last)))


@lru_cache(maxsize=_MEMO_SIZE)
def _strip(key: _Same) -> tuple[Markup, ...]:
    return tuple(Markup(svg) for svg in render_strip_svgs(key.exercise))
