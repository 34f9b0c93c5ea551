"""The exercise illustrations: well-formed SVG whose figures are the keyframes' geometry."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.content import default_catalog
from backcoach.content.figure import HEAD_RADIUS, SEGMENT_LENGTHS, joint_positions
from backcoach.content.illustration import (
    BODY_HEIGHT,
    figure_layout,
    figure_points,
    keyframe_points,
    render_exercise_svg,
    render_keyframe_svg,
)
from backcoach.content.models import Exercise, Keyframe, Segments, View

NS = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.02  # SVG units; coordinates are written with two decimals

EXERCISE_IDS = sorted(default_catalog().exercises)
SEGMENT_NAMES = list(Segments.model_fields)


# ---------------------------------------------------------------- factories


def make_segments(**angles: float) -> Segments:
    standing: dict[str, float] = dict.fromkeys(SEGMENT_NAMES, -90.0)
    standing.update(trunk=90.0, head=90.0)
    standing.update(angles)
    return Segments(**standing)


def make_exercise(
    keyframes: list[Keyframe], view: str = "side", name: str = "Test move"
) -> Exercise:
    return Exercise.model_validate(
        {
            "id": "test-move",
            "name": name,
            "stage": "workout",
            "kind": "reps",
            "core": False,
            "purpose": "p",
            "muscles": ["m"],
            "start_position": "s",
            "steps": ["one", "two"],
            "breathing": "b",
            "mistakes": ["m"],
            "safety": ["s"],
            "avoid_if": ["a"],
            "dosage": {
                "sets": {"default": 1, "min": 1, "max": 2},
                "reps": {"default": 5, "min": 1, "max": 10},
            },
            "easier": {"name": "e", "how": "h"},
            "harder": {"name": "h", "how": "h"},
            "camera": {"supported": False, "view": view},
            "keyframes": [k.model_dump() for k in keyframes],
            "voice": {"setup": "Stand tall with your feet apart.", "cue": "Move slowly."},
        }
    )


def two_frames(view: str = "side") -> Exercise:
    return make_exercise(
        [
            Keyframe(name="stand", segments=make_segments()),
            Keyframe(name="knee up", segments=make_segments(thigh_r=0, shin_r=-90), hold_s=2),
        ],
        view=view,
    )


# ---------------------------------------------------------------- SVG reading


@dataclass
class Panel:
    index: int
    name: str
    offset_x: float
    element: ET.Element

    def joints(self) -> dict[str, tuple[float, float]]:
        """Panel-local point of every joint a segment line starts or ends at."""
        found: dict[str, tuple[float, float]] = {}
        for line in self.element.iter(f"{NS}line"):
            if "seg" not in line.get("class", "").split():
                continue
            for end, x, y in (("data-from", "x1", "y1"), ("data-to", "x2", "y2")):
                point = (float(line.attrib[x]), float(line.attrib[y]))
                joint = line.attrib[end]
                if joint in found:
                    assert math.dist(found[joint], point) < TOLERANCE, joint
                found[joint] = point
        return found

    def segment(self, name: str) -> ET.Element:
        lines = [
            line
            for line in self.element.iter(f"{NS}line")
            if f"seg-{name}" in line.get("class", "").split()
        ]
        assert len(lines) == 1, name
        return lines[0]

    def head(self) -> ET.Element:
        circles = [c for c in self.element.iter(f"{NS}circle") if c.get("class") == "head"]
        assert len(circles) == 1
        return circles[0]

    def floor_y(self) -> float:
        floors = [line for line in self.element.iter(f"{NS}line") if line.get("class") == "floor"]
        assert len(floors) == 1
        return float(floors[0].attrib["y1"])


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return x, y, w, h


def panels(root: ET.Element) -> list[Panel]:
    found = []
    for group in root.iter(f"{NS}g"):
        if group.get("class") != "bc-keyframe":
            continue
        match = re.fullmatch(r"translate\(([-\d.]+) 0\)", group.attrib["transform"])
        assert match, group.attrib["transform"]
        found.append(
            Panel(
                index=int(group.attrib["data-index"]),
                name=group.attrib["data-name"],
                offset_x=float(match.group(1)),
                element=group,
            )
        )
    return found


def animation_data(root: ET.Element) -> Any:
    scripts = [s for s in root.iter(f"{NS}script") if s.get("type") == "application/json"]
    assert len(scripts) == 1
    return json.loads(scripts[0].text or "")


def drawn_extent(panel: Panel) -> tuple[float, float, float, float]:
    """min x, min y, max x, max y of everything drawn in a panel, strokes included."""
    xs: list[float] = []
    ys: list[float] = []
    for line in panel.element.iter(f"{NS}line"):
        half = float(line.get("stroke-width", "0")) / 2
        for x, y in (("x1", "y1"), ("x2", "y2")):
            xs += [float(line.attrib[x]) - half, float(line.attrib[x]) + half]
            ys += [float(line.attrib[y]) - half, float(line.attrib[y]) + half]
    for circle in panel.element.iter(f"{NS}circle"):
        cx, cy, r = (float(circle.attrib[k]) for k in ("cx", "cy", "r"))
        xs += [cx - r, cx + r]
        ys += [cy - r, cy + r]
    for polygon in panel.element.iter(f"{NS}polygon"):
        half = float(polygon.get("stroke-width", "0")) / 2
        for pair in polygon.attrib["points"].split():
            x, y = (float(v) for v in pair.split(","))
            xs += [x - half, x + half]
            ys += [y - half, y + half]
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------- checks


def check_geometry(exercise: Exercise, svg: str) -> None:
    """Every panel draws its keyframe's joint_positions, scaled and moved, nothing else."""
    root = parse(svg)
    _, _, width, height = view_box(root)
    layout = figure_layout(exercise)
    view = exercise.camera.view
    found = panels(root)
    assert [p.name for p in found] == [k.name for k in exercise.keyframes]
    hip_xs = set()
    for panel in found:
        keyframe = exercise.keyframes[panel.index]
        expected = joint_positions(keyframe.segments, view, height=1.0)
        drawn = panel.joints()
        assert set(expected) <= set(drawn)
        hip_x, hip_y = drawn["hip"]
        hip_xs.add(round(hip_x, 1))
        # Relative to the hip, each joint is the keyframe's joint at BODY_HEIGHT scale (y down).
        for joint, (x, y) in expected.items():
            want = (
                hip_x + (x - expected["hip"][0]) * BODY_HEIGHT,
                hip_y - (y - expected["hip"][1]) * BODY_HEIGHT,
            )
            assert math.dist(drawn[joint], want) < 2 * TOLERANCE, (panel.name, joint)
        # The figure rests on the floor: its lowest joint (or the head) touches the floor line.
        lowest = max(
            max(py for _, py in drawn.values()),
            float(panel.head().attrib["cy"]) + HEAD_RADIUS * BODY_HEIGHT,
        )
        assert lowest == pytest.approx(layout.floor_y, abs=TOLERANCE)
        assert layout.floor_y < panel.floor_y() <= layout.floor_y + 5
        # The head circle sits on the head joint.
        head = panel.head()
        assert (
            math.dist((float(head.attrib["cx"]), float(head.attrib["cy"])), drawn["head"])
            < TOLERANCE
        )
        # keyframe_points is the same transform, public for the web player.
        for joint, point in keyframe_points(exercise, keyframe).items():
            if joint in drawn:
                assert math.dist(point, drawn[joint]) < TOLERANCE, joint
        # Everything drawn lies inside the panel, and the panel inside the viewBox.
        x0, y0, x1, y1 = drawn_extent(panel)
        assert x0 >= 0 and x1 <= layout.width, (panel.name, x0, x1)
        assert y0 >= 0 and y1 <= layout.height, (panel.name, y0, y1)
        assert panel.offset_x >= 0 and panel.offset_x + layout.width <= width + TOLERANCE
        assert layout.height <= height + TOLERANCE
    # The hip stays in place from keyframe to keyframe, so frames animate without jumping.
    assert len(hip_xs) == 1


def check_lengths(svg: str) -> None:
    for panel in panels(parse(svg)):
        for name, (start, end) in {
            "trunk": ("hip", "neck"),
            "head": ("neck", "head"),
            "upper_arm_l": ("shoulder_l", "elbow_l"),
            "forearm_r": ("elbow_r", "wrist_r"),
            "thigh_l": ("hip_l", "knee_l"),
            "shin_r": ("knee_r", "ankle_r"),
        }.items():
            line = panel.segment(name)
            assert (line.attrib["data-from"], line.attrib["data-to"]) == (start, end)
            length = math.dist(
                (float(line.attrib["x1"]), float(line.attrib["y1"])),
                (float(line.attrib["x2"]), float(line.attrib["y2"])),
            )
            kind = name.removesuffix("_l").removesuffix("_r")
            assert length == pytest.approx(SEGMENT_LENGTHS[kind] * BODY_HEIGHT, abs=0.05), name


# ---------------------------------------------------------------- the shipped catalog


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_exercise_renders_one_figure_per_keyframe(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    svg = render_exercise_svg(exercise)
    root = parse(svg)
    assert root.attrib["role"] == "img"
    assert exercise.name in root.attrib["aria-label"]
    title = root.find(f"{NS}title")
    assert title is not None and exercise.name in (title.text or "")
    assert "width" not in root.attrib and "height" not in root.attrib  # scales to its container
    found = panels(root)
    assert len(found) == len(exercise.keyframes) >= 2
    labels = [t.text or "" for t in root.iter(f"{NS}text")]
    for keyframe, label in zip(exercise.keyframes, labels, strict=True):
        assert keyframe.name in label
    ids = [e.attrib["id"] for e in root.iter() if "id" in e.attrib]
    assert len(ids) == len(set(ids))
    check_geometry(exercise, svg)
    check_lengths(svg)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_keyframe_svgs_are_the_frames_of_the_exercise_svg(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    whole = panels(parse(render_exercise_svg(exercise)))
    for i, keyframe in enumerate(exercise.keyframes):
        root = parse(render_keyframe_svg(exercise, keyframe))
        (single,) = panels(root)
        assert single.index == i and single.offset_x == 0
        assert view_box(root)[2] == pytest.approx(figure_layout(exercise).width, abs=TOLERANCE)
        assert single.joints() == whole[i].joints()


def _turn(a: float, b: float) -> float:
    """The signed turn from direction a to direction b, in (-180, 180]."""
    turn = (b - a) % 360
    return turn - 360 if turn > 180 else turn


def test_side_view_knees_and_elbows_bend_the_natural_way() -> None:
    """Facing right, a knee folds the shin clockwise from the thigh and an elbow
    folds the forearm counter-clockwise: a keyframe that does the opposite draws
    a broken joint (or a mirrored figure). Front views hide the bending direction."""
    side_view = [e for e in default_catalog().exercises.values() if e.camera.view is View.SIDE]
    assert side_view
    for exercise in side_view:
        for keyframe in exercise.keyframes:
            s = keyframe.segments
            where = (exercise.id, keyframe.name)
            for thigh, shin in ((s.thigh_l, s.shin_l), (s.thigh_r, s.shin_r)):
                assert _turn(thigh, shin) <= 10, (*where, "knee", thigh, shin)
            for upper, fore in ((s.upper_arm_l, s.forearm_l), (s.upper_arm_r, s.forearm_r)):
                assert _turn(upper, fore) >= -10, (*where, "elbow", upper, fore)


# ---------------------------------------------------------------- made-up figures


def test_animation_data_matches_the_drawing() -> None:
    exercise = two_frames()
    root = parse(render_exercise_svg(exercise))
    data = animation_data(root)
    assert data["exercise"] == "test-move" and data["view"] == "side"
    assert [k["name"] for k in data["keyframes"]] == ["stand", "knee up"]
    assert data["keyframes"][1]["hold_s"] == 2
    assert data["keyframes"][1]["segments"]["thigh_r"] == 0
    for panel, frame in zip(panels(root), data["keyframes"], strict=True):
        for joint, point in panel.joints().items():
            assert math.dist(point, frame["joints"][joint]) < TOLERANCE, joint


def test_near_side_limbs_are_darker_in_side_view_only() -> None:
    side = panels(parse(render_exercise_svg(two_frames("side"))))[0]
    near = side.segment("thigh_r")
    far = side.segment("thigh_l")
    assert "near" in near.attrib["class"] and "far" in far.attrib["class"]

    def lightness(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert lightness(near.attrib["stroke"]) < lightness(far.attrib["stroke"])
    front = panels(parse(render_exercise_svg(two_frames("front"))))[0]
    assert front.segment("thigh_r").attrib["stroke"] == front.segment("thigh_l").attrib["stroke"]


def test_front_view_spreads_left_limbs_to_the_viewers_right() -> None:
    front = panels(parse(render_exercise_svg(two_frames("front"))))[0]
    joints = front.joints()
    assert joints["shoulder_l"][0] > joints["shoulder_r"][0]
    assert joints["hip_l"][0] > joints["hip_r"][0]


def test_text_is_escaped() -> None:
    exercise = make_exercise(
        [
            Keyframe(name='up & "over" <here>', segments=make_segments()),
            Keyframe(name="down", segments=make_segments(trunk=80)),
        ],
        name="Cats & <dogs>",
    )
    root = parse(render_exercise_svg(exercise))
    assert "Cats & <dogs>" in root.attrib["aria-label"]
    assert panels(root)[0].name == 'up & "over" <here>'
    assert animation_data(root)["keyframes"][0]["name"] == 'up & "over" <here>'


def test_rendering_is_deterministic() -> None:
    assert render_exercise_svg(two_frames()) == render_exercise_svg(two_frames())


def test_a_keyframe_outside_the_exercise_still_fits() -> None:
    exercise = two_frames()
    lying = Keyframe(
        name="lying",
        segments=make_segments(trunk=180, head=180, thigh_l=0, shin_l=0, thigh_r=0, shin_r=0),
    )
    root = parse(render_keyframe_svg(exercise, lying))
    (panel,) = panels(root)
    _, _, width, height = view_box(root)
    x0, y0, x1, y1 = drawn_extent(panel)
    assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height


angles = st.floats(min_value=-720, max_value=720, allow_nan=False, allow_infinity=False)
random_segments = st.builds(Segments, **dict.fromkeys(SEGMENT_NAMES, angles))


@settings(max_examples=60, deadline=None)
@given(
    first=random_segments,
    second=random_segments,
    view=st.sampled_from(["side", "front"]),
    hold=st.floats(min_value=0, max_value=30),
)
def test_any_pose_renders_well_formed_and_inside_the_view_box(
    first: Segments, second: Segments, view: str, hold: float
) -> None:
    exercise = make_exercise(
        [Keyframe(name="a", segments=first), Keyframe(name="b", segments=second, hold_s=hold)],
        view=view,
    )
    svg = render_exercise_svg(exercise)
    check_geometry(exercise, svg)
    check_lengths(svg)
    single = parse(render_keyframe_svg(exercise, exercise.keyframes[1]))
    (panel,) = panels(single)
    _, _, width, height = view_box(single)
    x0, y0, x1, y1 = drawn_extent(panel)
    assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height


def test_far_limbs_are_drawn_behind_the_body_and_near_limbs_in_front() -> None:
    panel = panels(parse(render_exercise_svg(two_frames("side"))))[0]
    order = [
        cls.split()[1]
        for cls in (e.get("class", "") for e in panel.element.iter(f"{NS}line"))
        if cls.startswith("seg ")
    ]
    trunk = order.index("seg-trunk")
    assert all(order.index(f"seg-{limb}_l") < trunk for limb in ("thigh", "shin", "forearm"))
    assert all(order.index(f"seg-{limb}_r") > trunk for limb in ("thigh", "shin", "forearm"))


def test_a_standing_foot_lies_flat_on_the_floor_and_a_lifted_one_hangs() -> None:
    exercise = two_frames("side")
    layout = figure_layout(exercise)
    lifted = keyframe_points(exercise, exercise.keyframes[1])
    for joint in ("heel_l", "toe_l"):  # the standing foot
        assert lifted[joint][1] == pytest.approx(layout.floor_y)
    assert lifted["toe_l"][0] > lifted["heel_l"][0]  # toes point the way the figure faces
    # The raised foot hangs from its ankle at a right angle to the vertical shin.
    assert lifted["heel_r"] == lifted["ankle_r"]
    assert lifted["toe_r"][1] == pytest.approx(lifted["ankle_r"][1], abs=TOLERANCE)
    assert lifted["toe_r"][0] > lifted["ankle_r"][0]


def test_a_lying_leg_points_its_toes_up() -> None:
    lying = make_segments(trunk=180, head=180, thigh_l=0, shin_l=0, thigh_r=0, shin_r=0)
    exercise = make_exercise(
        [Keyframe(name="lying", segments=lying), Keyframe(name="still", segments=lying)]
    )
    points = keyframe_points(exercise, exercise.keyframes[0])
    assert points["toe_r"][1] < points["ankle_r"][1] - 5  # SVG y points down


def test_a_front_view_head_leaning_off_the_trunk_is_drawn_turned() -> None:
    ahead = make_segments()
    left = make_segments(head=80)  # leaning towards the person's left: the viewer's right
    exercise = make_exercise(
        [Keyframe(name="ahead", segments=ahead), Keyframe(name="left", segments=left)],
        view="front",
    )
    straight = keyframe_points(exercise, exercise.keyframes[0])
    turned = keyframe_points(exercise, exercise.keyframes[1])
    assert straight["nose_tip"][0] == pytest.approx(straight["nose"][0], abs=TOLERANCE)
    assert turned["nose_tip"][0] > turned["nose"][0] + 1
    eyes = (turned["eye_l"][0] + turned["eye_r"][0]) / 2
    assert eyes > turned["head"][0] + 1
    root = parse(render_exercise_svg(exercise))
    noses = [line for line in root.iter(f"{NS}line") if line.get("class") == "nose"]
    assert len(noses) == 2


# ---------------------------------------------------------------- each figure reads as its exercise

Figure = dict[str, tuple[float, float]]  # figure_points: body heights, y up, floor at 0
ON_FLOOR = 0.07  # a joint this low rests on the floor (a lying body's depth)


def figures(exercise_id: str) -> list[Figure]:
    exercise = default_catalog().exercise(exercise_id)
    return [figure_points(k.segments, exercise.camera.view) for k in exercise.keyframes]


def _y(figure: Figure, *joints: str) -> float:
    return max(figure[j][1] for j in joints)


def _lying(figure: Figure) -> bool:
    return _y(figure, "hip", "neck", "head") < 0.2


def _standing(figure: Figure) -> bool:
    low = min(figure["ankle_l"][1], figure["ankle_r"][1])
    return low < 0.01 and figure["head"][1] > 0.85 and figure["hip"][1] > 0.4


def test_standing_moves_stand_upright_on_their_feet() -> None:
    for exercise_id in (
        "deep-breathing",
        "neck-nods",
        "neck-turns",
        "shoulder-circles",
        "arm-circles",
        "overhead-side-bend",
        "high-knee-march",
        "jog-to-walk",
    ):
        for index, figure in enumerate(figures(exercise_id)):
            assert _standing(figure), (exercise_id, index)


def test_glute_bridge_lies_on_the_back_with_feet_flat_and_lifts_the_hips() -> None:
    lying, lifted, lowered = figures("glute-bridge")
    for figure in (lying, lifted, lowered):
        assert _y(figure, "neck", "head") < ON_FLOOR  # shoulders and head stay down
        assert _y(figure, "heel_l", "toe_l", "heel_r", "toe_r") == pytest.approx(0)
        assert figure["knee_l"][1] > figure["hip"][1] + 0.05  # knees bent up
    assert lifted["hip"][1] > lying["hip"][1] + 0.08
    assert lying["head"][0] < lying["hip"][0] < lying["ankle_l"][0]  # on the back, head first


def test_bird_dog_is_on_all_fours_and_reaches_arm_and_leg_out_level() -> None:
    fours, *reaches = figures("bird-dog")
    assert _y(fours, "wrist_l", "wrist_r", "knee_l", "knee_r") < 0.01
    for figure in reaches:
        arm = "l" if figure["wrist_l"][1] > 0.2 else "r"
        leg = "r" if arm == "l" else "l"
        assert figure[f"ankle_{leg}"][1] > 0.2
        for far, near in ((f"wrist_{arm}", "neck"), (f"ankle_{leg}", "hip")):
            assert abs(figure[far][1] - figure[near][1]) < 0.08, far  # level with the body
        assert figure[f"wrist_{arm}"][0] > figure["neck"][0] + 0.2  # arm reaches ahead
        assert figure[f"ankle_{leg}"][0] < figure["hip"][0] - 0.3  # leg reaches back


def test_superman_lies_face_down_then_lifts_arms_chest_and_legs() -> None:
    down, lifted, again = figures("superman")
    for figure in (down, again):
        assert _lying(figure) and _y(figure, "wrist_l", "ankle_l") < ON_FLOOR
    assert lifted["hip"][1] == pytest.approx(0, abs=0.02)  # resting on the belly
    for joint in ("wrist_l", "wrist_r", "ankle_l", "ankle_r", "head"):
        assert lifted[joint][1] > 0.07, joint
    # Face down: the eye is on the floor side of the head.
    assert down["eye"][1] < down["head"][1]


def test_pike_to_arch_goes_from_an_inverted_v_to_an_arched_back() -> None:
    v, arch = figures("pike-to-arch")
    assert v["hip"][1] == max(y for _, y in v.values())  # hips are the peak
    assert v["head"][1] < v["hip"][1] - 0.2  # head down between the arms
    assert arch["head"][1] > arch["neck"][1] > arch["hip"][1] + 0.2  # chest and head up
    assert arch["hip"][1] < 0.15
    for figure in (v, arch):
        assert _y(figure, "wrist_l", "wrist_r") < 0.02


def test_floor_moves_lie_down_and_standing_bends_stay_on_their_feet() -> None:
    assert all(_lying(f) for f in figures("relaxation"))
    lying, curled = figures("curl-up")
    assert _lying(lying) and curled["head"][1] > lying["head"][1] + 0.03
    assert curled["hip"][1] == pytest.approx(lying["hip"][1], abs=0.01)  # hips stay down
    for exercise_id in ("plank", "push-up"):
        for figure in figures(exercise_id):
            assert figure["head"][1] > figure["hip"][1] > 0.05  # body held off the floor
    stand, squat = figures("squat")
    assert _standing(stand) and squat["hip"][1] < stand["hip"][1] - 0.12
    stand, bent = figures("standing-forward-bend")
    assert _standing(stand) and bent["head"][1] < bent["hip"][1]
