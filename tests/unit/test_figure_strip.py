"""The exercise page's strip: one still picture per key position, named by the page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from backcoach.content import default_catalog
from backcoach.content.illustration import figure_layout, render_keyframe_svg, render_strip_svgs

NS = "{http://www.w3.org/2000/svg}"
EXERCISE_IDS = sorted(default_catalog().exercises)


def lines(root: ET.Element) -> dict[str, tuple[float, ...]]:
    """Every segment line of a one-panel SVG, by its class, as (x1, y1, x2, y2)."""
    return {
        line.attrib["class"].split()[1]: tuple(
            float(line.attrib[a]) for a in ("x1", "y1", "x2", "y2")
        )
        for line in root.iter(f"{NS}line")
        if "seg" in line.attrib["class"].split()
    }


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_strip_draws_each_key_position_still_and_unlabelled(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    pictures = [ET.fromstring(svg) for svg in render_strip_svgs(exercise)]
    assert len(pictures) == len(exercise.keyframes)
    for index, root in enumerate(pictures):
        assert root.attrib["aria-hidden"] == "true"  # the page's caption names it
        assert "role" not in root.attrib and "width" not in root.attrib
        assert not list(root.iter(f"{NS}text")) and not list(root.iter(f"{NS}script"))
        (panel,) = root.findall(f"{NS}g")
        assert panel.attrib["data-index"] == str(index)
        assert panel.attrib["data-name"] == exercise.keyframes[index].name
    assert len({root.attrib["viewBox"] for root in pictures}) == 1  # one shared layout
    stage = ET.fromstring(render_keyframe_svg(exercise, exercise.keyframes[0]))
    ids = [e.attrib["id"] for r in [stage, *pictures] for e in r.iter() if "id" in e.attrib]
    assert len(ids) == len(set(ids))  # the stage and the strip share one page


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_strip_pictures_are_the_animated_figure_without_the_label_room(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    labelled = figure_layout(exercise)
    for keyframe, svg in zip(exercise.keyframes, render_strip_svgs(exercise), strict=True):
        root = ET.fromstring(svg)
        *_, width, height = (float(v) for v in root.attrib["viewBox"].split())
        assert width <= labelled.width + 0.01 and height < labelled.height
        # the same figure at the same scale, only moved
        still = lines(root)
        moving = lines(ET.fromstring(render_keyframe_svg(exercise, keyframe)))
        assert still.keys() == moving.keys()
        (dx, dy, *_), (mx, my, *_) = still["seg-trunk"], moving["seg-trunk"]
        for name, (x1, y1, x2, y2) in still.items():
            ox1, oy1, ox2, oy2 = moving[name]
            shifted = (ox1 - mx + dx, oy1 - my + dy, ox2 - mx + dx, oy2 - my + dy)
            assert (x1, y1, x2, y2) == pytest.approx(shifted, abs=0.02), name
