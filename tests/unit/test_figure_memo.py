"""The pages' illustrations are drawn once per exercise and key position, and drawn right."""

from __future__ import annotations

import re

import pytest

from backcoach.content import default_catalog, load_catalog
from backcoach.content.illustration import render_keyframe_svg, render_strip_svgs
from backcoach.web import figures

EXERCISE_IDS = sorted(default_catalog().exercises)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_kept_figure_is_the_fresh_drawing(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    for index, keyframe in enumerate(exercise.keyframes):
        assert figures.keyframe_figure(exercise, index) == render_keyframe_svg(exercise, keyframe)
    assert figures.strip_figures(exercise) == tuple(render_strip_svgs(exercise))
    last = render_keyframe_svg(exercise, exercise.keyframes[-1])
    still = re.sub(r"<script[^>]*>.*?</script>", "", last, flags=re.DOTALL)
    assert figures.thumbnail(exercise) == still
    assert "<script" not in figures.thumbnail(exercise)


def test_a_figure_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A catalog of its own: its exercises are new objects, so nothing is kept for them yet.
    exercise = load_catalog().exercise("bird-dog")
    drawn: list[str] = []

    def counting_keyframe(*args: object) -> str:
        drawn.append("keyframe")
        return render_keyframe_svg(*args)  # type: ignore[arg-type]

    def counting_strip(*args: object) -> list[str]:
        drawn.append("strip")
        return render_strip_svgs(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(figures, "render_keyframe_svg", counting_keyframe)
    monkeypatch.setattr(figures, "render_strip_svgs", counting_strip)

    first = figures.keyframe_figure(exercise)
    assert figures.keyframe_figure(exercise) is first
    assert figures.keyframe_figure(exercise, 0) is first
    strip = figures.strip_figures(exercise)
    assert figures.strip_figures(exercise) is strip
    thumb = figures.thumbnail(exercise)
    assert figures.thumbnail(exercise) is thumb
    # first keyframe, the strip, and the last keyframe (for the thumbnail): each once
    assert drawn == ["keyframe", "strip", "keyframe"]


def test_another_catalog_gets_its_own_figures() -> None:
    """Kept by exercise object, not id: an app with other content never shows ours."""
    shipped = default_catalog().exercise("bird-dog")
    other = shipped.model_copy(update={"name": "Bird dog (clinic version)"})
    assert figures.keyframe_figure(other) != figures.keyframe_figure(shipped)
    assert "Bird dog (clinic version)" in figures.keyframe_figure(other)
