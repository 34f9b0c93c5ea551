"""Keyframes whose figure must show what their names and steps say, checked from the geometry."""

from __future__ import annotations

import math

from backcoach.content import default_catalog
from backcoach.content.figure import Point
from backcoach.content.illustration import figure_points

ON_FLOOR = 0.01  # body heights


def figures(exercise_id: str) -> list[dict[str, Point]]:
    exercise = default_catalog().exercise(exercise_id)
    return [figure_points(k.segments, exercise.camera.view) for k in exercise.keyframes]


def off_line(point: Point, start: Point, end: Point) -> float:
    """How far ``point`` lies from the straight line through ``start`` and ``end``."""
    (x1, y1), (x2, y2), (x, y) = start, end, point
    return abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / math.dist(start, end)


def midpoint(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def test_side_plank_keeps_the_legs_stacked_and_props_on_the_forearm() -> None:
    for figure in figures("side-plank"):
        # the top (left) foot rests on the bottom one; the hips, a pelvis apart, tilt with the
        # trunk, so lying propped up the top foot sits a little further along
        assert 0 < figure["ankle_l"][1] - figure["ankle_r"][1] < 0.04
        assert math.dist(figure["ankle_l"], figure["ankle_r"]) < 0.09
        # the lower (right) forearm lies on the floor, its elbow under the lower shoulder
        assert max(figure["elbow_r"][1], figure["wrist_r"][1]) < ON_FLOOR
        assert abs(figure["elbow_r"][0] - figure["shoulder_r"][0]) < 0.03
        assert figure["shoulder_r"][1] < figure["shoulder_l"][1]  # lying on the right side


def test_side_plank_lifts_the_body_into_one_straight_line() -> None:
    lying, lifted = figures("side-plank")
    assert math.dist(lifted["ankle_l"], lifted["ankle_r"]) < 0.05  # feet stacked
    feet = midpoint(lifted["ankle_l"], lifted["ankle_r"])
    knees = midpoint(lifted["knee_l"], lifted["knee_r"])
    for joint, point in [(j, lifted[j]) for j in ("neck", "hip", "ankle_l", "ankle_r")] + [
        ("knees", knees)
    ]:
        assert off_line(point, lifted["head"], feet) < 0.025, joint
    assert min(lifted["ankle_l"][1], lifted["ankle_r"][1]) < ON_FLOOR  # on the feet
    assert lifted["hip"][1] > 0.1  # hips off the floor
    assert min(lying["hip_l"][1], lying["hip_r"][1]) < ON_FLOOR  # lying: the hip on the floor
    assert lying["neck"][1] > lying["hip"][1] + 0.15  # ... and the chest propped up


def test_deep_breathing_keeps_the_hands_on_the_belly() -> None:
    frames = figures("deep-breathing")
    for index, figure in enumerate(frames):
        # the belly: a third of the way from the hip centre up to the neck
        hip, neck = figure["hip"], figure["neck"]
        belly = (hip[0] + (neck[0] - hip[0]) / 3, hip[1] + (neck[1] - hip[1]) / 3)
        for wrist in ("wrist_l", "wrist_r"):
            assert math.dist(figure[wrist], belly) < 0.06, (index, wrist)
        # elbows out to the sides, wider than the hands
        assert figure["elbow_l"][0] > figure["wrist_l"][0] + 0.08
        assert figure["elbow_r"][0] < figure["wrist_r"][0] - 0.08
    start, breath_in, breath_out = (math.dist(f["wrist_l"], f["wrist_r"]) for f in frames)
    assert breath_in > start + 0.03  # the belly widens under the hands on the breath in
    assert breath_out == start
