"""SVG illustrations of the exercises, drawn from their keyframes.

Every keyframe becomes one stick figure (a *panel*). ``render_exercise_svg``
puts the panels of an exercise side by side, labelled with the keyframe names;
``render_keyframe_svg`` draws a single panel. All panels of an exercise share
one layout (scale, hip position, floor line), so they are the frames of an
animation: a player can take one panel and move its elements to the joint
coordinates of the next keyframe, which the SVG carries as JSON.

``render_strip_svgs`` draws every keyframe as its own still picture, without a
label or animation data, for a page that lays the pictures out itself and
names them in HTML captions. Text inside an SVG shrinks with the drawing: a
strip of several panels squeezed into a phone's width leaves its labels a few
pixels high, while an HTML caption keeps the page's text size and wraps.

Structure (``P`` is ``bc-<exercise id>``)::

    <svg class="bc-figure" data-exercise="ID" data-view="side|front"
         viewBox="0 0 W H" role="img" aria-label="...">
      <title id="P-title"/> <desc id="P-desc"/>
      <g class="bc-keyframe" id="P-kf-0" data-index="0" data-name="start"
         data-hold-s="0" transform="translate(DX 0)">
        <g class="ground"> <rect class="mat"/> <line class="floor"/> </g>
        <g class="body">
          <line class="seg seg-thigh_l far" data-from="hip_l" data-to="knee_l" .../>
          <polygon class="torso" data-points="shoulder_l shoulder_r hip_r hip_l"/>
          <line class="seg seg-trunk" data-from="hip" data-to="neck" .../>
          <line class="seg seg-head" data-from="neck" data-to="head" .../>
          <circle class="head" data-at="head"/>
          <line class="nose" data-from="nose" data-to="nose_tip"/>  (front view)
          <circle class="eye" data-at="eye"/>  (front view: eye_l, eye_r)
          <line class="seg seg-shin_r near" .../>  (near limbs drawn last)
        </g>
        <text class="label">1 · start</text>
      </g>
      ...
      <script type="application/json" class="bc-keyframes">{...}</script>
    </svg>

Coordinates inside a panel are panel-local SVG units (y down); every panel's
``transform`` only shifts it sideways. The JSON block holds the layout, the
segment lengths and, per keyframe, its name, hold, segment angles and the
panel-local point of every joint named in ``data-from``/``data-to``/``data-at``.

Segments are named as in ``Segments`` plus ``foot_l``/``foot_r``; joints as in
``figure.JOINTS`` plus ``heel_*``, ``toe_*``, ``eye`` (side) or ``eye_l``,
``eye_r``, ``nose``, ``nose_tip`` (front), all placed by ``figure_points``.

In a side view the figure faces right, so the person's right side is nearer to
the viewer: right limbs are drawn darker and on top, left limbs lighter behind.
A flat figure cannot turn its head, so in a front view a head leaning off the
trunk line is drawn with its face turned that way (neck turns).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from backcoach.content.figure import HEAD_RADIUS, SEGMENT_LENGTHS, Point, joint_positions
from backcoach.content.models import Exercise, Keyframe, Segments, View
from backcoach.i18n import _, ngettext

__all__ = [
    "BODY_HEIGHT",
    "SEGMENT_JOINTS",
    "FigureLayout",
    "figure_layout",
    "figure_points",
    "keyframe_points",
    "render_exercise_svg",
    "render_keyframe_svg",
    "render_strip_svgs",
]

SVG_NS: Final = "http://www.w3.org/2000/svg"
BODY_HEIGHT: Final = 100.0  # SVG units per body height
FOOT_LENGTH: Final = 0.08  # fraction of body height, ankle to toe
FRONT_FOOT_LENGTH: Final = 0.045
HEEL_LENGTH: Final = 0.015  # behind the ankle, for a foot standing flat
PLANTED_HEIGHT: Final = HEAD_RADIUS  # an ankle this low stands on the floor (a lying body's depth)
MAX_SOLE_TILT: Final = 50.0  # degrees a standing foot's ankle bends from a right angle to the shin
FACE_TURN_FROM: Final = 5.0  # degrees of head lean in a front view before the face turns
FACE_TURN_SPAN: Final = 7.0  # ... and the extra lean that turns it fully
LIMB_WIDTH: Final = 5.0
TRUNK_WIDTH: Final = 8.0
NEAR_SIDE: Final = "r"  # facing right, the person shows their right side

MARGIN: Final = 6.0
MIN_PANEL_WIDTH: Final = 70.0
MAT_DEPTH: Final = 3.0
LABEL_SIZE: Final = 7.0
LABEL_GAP: Final = 11.0

NEAR_COLOUR: Final = "#1f3a5f"
BODY_COLOUR: Final = "#3d6394"
FAR_COLOUR: Final = "#a3b9d4"
HEAD_COLOUR: Final = BODY_COLOUR
EYE_COLOUR: Final = "#ffffff"
FLOOR_COLOUR: Final = "#9aa7b4"
MAT_COLOUR: Final = "#e3ebf4"
LABEL_COLOUR: Final = "#33404d"

# The line of every segment: (from joint, to joint). Heels and toes are added
# here (figure.py places no feet): a foot standing on the floor runs from the
# heel to the toe along it, any other foot from the ankle (its "heel") out.
SEGMENT_JOINTS: Final[dict[str, tuple[str, str]]] = {
    "trunk": ("hip", "neck"),
    "head": ("neck", "head"),
    "upper_arm_l": ("shoulder_l", "elbow_l"),
    "forearm_l": ("elbow_l", "wrist_l"),
    "upper_arm_r": ("shoulder_r", "elbow_r"),
    "forearm_r": ("elbow_r", "wrist_r"),
    "thigh_l": ("hip_l", "knee_l"),
    "shin_l": ("knee_l", "ankle_l"),
    "foot_l": ("heel_l", "toe_l"),
    "thigh_r": ("hip_r", "knee_r"),
    "shin_r": ("knee_r", "ankle_r"),
    "foot_r": ("heel_r", "toe_r"),
}
_LIMBS: Final = ("thigh", "shin", "foot", "upper_arm", "forearm")
_TORSO: Final = ("shoulder_l", "shoulder_r", "hip_r", "hip_l")


def _step(origin: Point, angle_deg: float, length: float) -> Point:
    rad = math.radians(angle_deg)
    return (origin[0] + length * math.cos(rad), origin[1] + length * math.sin(rad))


def _turn(start_deg: float, end_deg: float) -> float:
    """The signed turn from one direction to another, in degrees (-180, 180]."""
    turn = (end_deg - start_deg) % 360
    return turn - 360 if turn > 180 else turn


def _foot(ankle: Point, shin_deg: float, outward: float, length: float) -> tuple[Point, Point]:
    """Heel and toe of the foot at the end of a shin.

    ``outward`` is +1 when the resting foot points counter-clockwise from the
    shin. A foot near the floor whose sole can face it stands flat on the
    floor. Any other foot keeps a right angle to the shin, turned as little as
    an ankle allows (90 degrees pointed, 30 flexed) to keep the toe above the
    floor.
    """
    neutral = shin_deg + outward * 90
    if ankle[1] <= PLANTED_HEIGHT:
        for flat in (0.0, 180.0):
            if abs(_turn(neutral, flat)) <= MAX_SOLE_TILT:
                way = math.cos(math.radians(flat))
                return (ankle[0] - way * HEEL_LENGTH, 0.0), (ankle[0] + way * length, 0.0)
    for turn in sorted(range(-90, 31), key=abs):
        toe = _step(ankle, neutral + outward * turn, length)
        if toe[1] >= -1e-9:
            return ankle, toe
    # No ankle angle keeps this toe off the floor: lay the foot flat instead.
    return ankle, _step(ankle, 0 if math.cos(math.radians(neutral)) >= 0 else 180, length)


def _face_turn(segments: Segments) -> float:
    """How far a front-view face is turned towards the person's left, from -1 to 1.

    A flat figure cannot turn its head, so a head leaning off the trunk line by
    more than a few degrees is drawn turned that way (neck turns lean it about
    ten degrees); smaller leans, as in a side bend, keep the face ahead.
    """
    lean = -_turn(segments.trunk, segments.head)  # clockwise = towards the person's left
    amount = min(1.0, max(0.0, (abs(lean) - FACE_TURN_FROM) / FACE_TURN_SPAN))
    return math.copysign(amount, lean)


def figure_points(segments: Segments, view: View) -> dict[str, Point]:
    """Joints of ``joint_positions`` (body height 1, y up) plus heels, toes and eyes."""
    points = joint_positions(segments, view, height=1.0)
    if view is View.SIDE:
        feet = ((segments.shin_l, 1.0), (segments.shin_r, 1.0))
        length = FOOT_LENGTH
    else:
        feet = ((segments.shin_l, 1.0), (segments.shin_r, -1.0))
        length = FRONT_FOOT_LENGTH
    for side, (shin, outward) in zip("lr", feet, strict=True):
        heel, toe = _foot(points[f"ankle_{side}"], shin, outward, length)
        points[f"heel_{side}"], points[f"toe_{side}"] = heel, toe
    if view is View.SIDE:
        # The face looks the way the figure faces: clockwise from the head direction.
        eye = _step(points["head"], segments.head - 90, HEAD_RADIUS * 0.45)
        points["eye"] = _step(eye, segments.head, HEAD_RADIUS * 0.2)
    else:
        turn = _face_turn(segments)
        left = segments.head - 90  # the person's left, across the face
        face = _step(points["head"], left, HEAD_RADIUS * 0.5 * turn)
        eyes = _step(face, segments.head, HEAD_RADIUS * 0.15)
        spread = HEAD_RADIUS * 0.38 * (1 - 0.35 * abs(turn))
        points["eye_l"] = _step(eyes, left, spread)
        points["eye_r"] = _step(eyes, left + 180, spread)
        points["nose"] = _step(face, segments.head + 180, HEAD_RADIUS * 0.05)
        tip = _step(points["nose"], segments.head + 180, HEAD_RADIUS * 0.3)
        points["nose_tip"] = _step(tip, left, HEAD_RADIUS * 0.3 * turn)
    return points


def _extent(points: Mapping[str, Point]) -> tuple[float, float, float]:
    """min x, max x and top y of a figure in body heights, strokes and head included."""
    pad = TRUNK_WIDTH / 2 / BODY_HEIGHT
    head_x, head_y = points["head"]
    xs = [x for x, _ in points.values()]
    ys = [y for _x, y in points.values()]
    return (
        min(*xs, head_x - HEAD_RADIUS) - pad,
        max(*xs, head_x + HEAD_RADIUS) + pad,
        max(*ys, head_y + HEAD_RADIUS) + pad,
    )


@dataclass(frozen=True)
class FigureLayout:
    """Where the figures of one exercise sit in their (equal) panels.

    A figure point ``(x, y)`` in body heights (y up, floor at 0, hip at x = 0)
    is drawn at ``(origin_x + x * scale, floor_y - y * scale)``.
    """

    view: View
    width: float
    height: float
    origin_x: float
    floor_y: float
    scale: float = BODY_HEIGHT

    def to_svg(self, point: Point) -> Point:
        return (self.origin_x + point[0] * self.scale, self.floor_y - point[1] * self.scale)

    @property
    def floor_line_y(self) -> float:
        """The drawn floor: limbs resting on the floor (y = 0) touch it with their rounded ends."""
        return self.floor_y + LIMB_WIDTH / 2

    @property
    def label_y(self) -> float:
        return self.floor_line_y + MAT_DEPTH + LABEL_GAP


def _label(index: int, keyframe: Keyframe) -> str:
    return f"{index + 1} · {keyframe.name}"


def _layout(view: View, keyframes: Sequence[Keyframe], *, labelled: bool = True) -> FigureLayout:
    """The panel that fits every figure of ``keyframes`` (and, when ``labelled``, its label)."""
    extents = [_extent(figure_points(k.segments, view)) for k in keyframes]
    left = min(e[0] for e in extents)
    right = max(e[1] for e in extents)
    top = max(e[2] for e in extents)
    width = max((right - left) * BODY_HEIGHT + 2 * MARGIN, MIN_PANEL_WIDTH)
    floor_y = MARGIN + top * BODY_HEIGHT
    height = floor_y + LIMB_WIDTH / 2 + MAT_DEPTH + MARGIN / 2
    if labelled:
        label_chars = max(len(_label(i, k)) for i, k in enumerate(keyframes))
        width = max(width, label_chars * LABEL_SIZE * 0.6 + 2 * MARGIN)
        height += LABEL_GAP + LABEL_SIZE * 0.5
    origin_x = width / 2 - (left + right) / 2 * BODY_HEIGHT
    return FigureLayout(view=view, width=width, height=height, origin_x=origin_x, floor_y=floor_y)


def figure_layout(exercise: Exercise) -> FigureLayout:
    """The shared panel layout of every keyframe of ``exercise``."""
    return _layout(exercise.camera.view, exercise.keyframes)


def _points_in(layout: FigureLayout, keyframe: Keyframe) -> dict[str, Point]:
    return {
        name: layout.to_svg(point)
        for name, point in figure_points(keyframe.segments, layout.view).items()
    }


def keyframe_points(exercise: Exercise, keyframe: Keyframe) -> dict[str, Point]:
    """Panel-local SVG coordinates of every joint (plus toes and eyes) of ``keyframe``."""
    return _points_in(_layout(exercise.camera.view, _with(exercise, keyframe)), keyframe)


def _with(exercise: Exercise, keyframe: Keyframe) -> list[Keyframe]:
    frames = list(exercise.keyframes)
    return frames if keyframe in frames else [*frames, keyframe]


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _side_of(segment: str) -> str | None:
    return segment[-1] if segment.endswith(("_l", "_r")) else None


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    # Trailing underscores let attribute names such as class_ pass as keywords.
    return ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    )


def _draw_segment(body: ET.Element, name: str, points: Mapping[str, Point], depth: str) -> None:
    start, end = SEGMENT_JOINTS[name]
    (x1, y1), (x2, y2) = points[start], points[end]
    if depth == "far":
        colour = FAR_COLOUR
    else:
        colour = BODY_COLOUR if name in ("trunk", "head") else NEAR_COLOUR
    width = TRUNK_WIDTH * 0.7 if name == "head" else LIMB_WIDTH
    if name == "trunk":
        width = TRUNK_WIDTH
    classes = f"seg seg-{name}" + (f" {depth}" if depth else "")
    element = ET.SubElement(body, "line", {"class": classes, "data-from": start, "data-to": end})
    element.attrib.update(
        {
            "x1": _num(x1),
            "y1": _num(y1),
            "x2": _num(x2),
            "y2": _num(y2),
            "stroke": colour,
            "stroke-width": _num(width),
            "stroke-linecap": "round",
        }
    )


def _limb_layers(view: View) -> tuple[list[str], list[str]]:
    """Limbs drawn behind the torso and limbs drawn in front of it.

    Side view: the far side behind, the near side in front. Front view: legs
    behind, arms in front (hands on the belly cross the body).
    """
    if view is View.SIDE:
        far = "l" if NEAR_SIDE == "r" else "r"
        return [f"{limb}_{far}" for limb in _LIMBS], [f"{limb}_{NEAR_SIDE}" for limb in _LIMBS]
    legs = [f"{limb}_{side}" for side in "lr" for limb in ("thigh", "shin", "foot")]
    arms = [f"{limb}_{side}" for side in "lr" for limb in ("upper_arm", "forearm")]
    return legs, arms


def _draw_panel(
    parent: ET.Element,
    layout: FigureLayout,
    keyframe: Keyframe,
    index: int,
    prefix: str,
    offset_x: float,
    *,
    labelled: bool = True,
) -> None:
    points = _points_in(layout, keyframe)
    panel = _sub(
        parent,
        "g",
        class_="bc-keyframe",
        id=f"{prefix}-kf-{index}",
        data_index=str(index),
        data_name=keyframe.name,
        data_hold_s=_num(keyframe.hold_s),
        transform=f"translate({_num(offset_x)} 0)",
    )
    ground = _sub(panel, "g", class_="ground")
    floor = layout.floor_line_y
    _sub(
        ground,
        "rect",
        class_="mat",
        x=_num(MARGIN / 2),
        y=_num(floor),
        width=_num(layout.width - MARGIN),
        height=_num(MAT_DEPTH),
        rx=_num(MAT_DEPTH / 2),
        fill=MAT_COLOUR,
    )
    _sub(
        ground,
        "line",
        class_="floor",
        x1=_num(MARGIN / 2),
        y1=_num(floor),
        x2=_num(layout.width - MARGIN / 2),
        y2=_num(floor),
        stroke=FLOOR_COLOUR,
        stroke_width="1.2",
        stroke_linecap="round",
    )

    body = _sub(panel, "g", class_="body", stroke_linejoin="round")
    side_view = layout.view is View.SIDE
    behind, in_front = _limb_layers(layout.view)
    for name in behind:
        _draw_segment(body, name, points, "far" if side_view else "")
    torso = " ".join(f"{_num(points[j][0])},{_num(points[j][1])}" for j in _TORSO)
    _sub(
        body,
        "polygon",
        class_="torso",
        data_points=" ".join(_TORSO),
        points=torso,
        fill=BODY_COLOUR,
        stroke=BODY_COLOUR,
        stroke_width=_num(TRUNK_WIDTH),
    )
    _draw_segment(body, "trunk", points, "")
    _draw_segment(body, "head", points, "")
    head_x, head_y = points["head"]
    _sub(
        body,
        "circle",
        class_="head",
        data_at="head",
        cx=_num(head_x),
        cy=_num(head_y),
        r=_num(HEAD_RADIUS * layout.scale),
        fill=HEAD_COLOUR,
    )
    if not side_view:
        # A short nose shows which way a front-view face is turned.
        _sub(
            body,
            "line",
            class_="nose",
            data_from="nose",
            data_to="nose_tip",
            x1=_num(points["nose"][0]),
            y1=_num(points["nose"][1]),
            x2=_num(points["nose_tip"][0]),
            y2=_num(points["nose_tip"][1]),
            stroke=EYE_COLOUR,
            stroke_width=_num(HEAD_RADIUS * layout.scale * 0.2),
            stroke_linecap="round",
        )
    for eye in ("eye",) if side_view else ("eye_l", "eye_r"):
        _sub(
            body,
            "circle",
            class_="eye",
            data_at=eye,
            cx=_num(points[eye][0]),
            cy=_num(points[eye][1]),
            r=_num(HEAD_RADIUS * layout.scale * 0.14),
            fill=EYE_COLOUR,
        )
    for name in in_front:
        _draw_segment(body, name, points, "near" if side_view else "")

    if not labelled:
        return
    label = _sub(
        panel,
        "text",
        class_="label",
        x=_num(layout.width / 2),
        y=_num(layout.label_y),
        text_anchor="middle",
        font_family="system-ui, -apple-system, 'Segoe UI', sans-serif",
        font_size=_num(LABEL_SIZE),
        fill=LABEL_COLOUR,
    )
    label.text = _label(index, keyframe)


def _animation_data(exercise: Exercise, layout: FigureLayout, frames: Sequence[Keyframe]) -> str:
    data = {
        "exercise": exercise.id,
        "view": layout.view.value,
        "panel": {"width": round(layout.width, 2), "height": round(layout.height, 2)},
        "scale": layout.scale,
        "origin_x": round(layout.origin_x, 2),
        "floor_y": round(layout.floor_y, 2),
        "segment_lengths": {k: round(v * layout.scale, 2) for k, v in SEGMENT_LENGTHS.items()},
        "segments": {name: list(ends) for name, ends in SEGMENT_JOINTS.items()},
        "keyframes": [
            {
                "name": k.name,
                "hold_s": k.hold_s,
                "segments": k.segments.model_dump(),
                "joints": {
                    name: [round(x, 2), round(y, 2)]
                    for name, (x, y) in _points_in(layout, k).items()
                },
            }
            for k in frames
        ],
    }
    return json.dumps(data, separators=(",", ":"))


def _root(exercise: Exercise, layout: FigureLayout, slots: int, prefix: str) -> ET.Element:
    return ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "class": "bc-figure",
            "id": prefix,
            "viewBox": f"0 0 {_num(layout.width * slots)} {_num(layout.height)}",
            "preserveAspectRatio": "xMidYMid meet",
            "data-exercise": exercise.id,
            "data-view": layout.view.value,
            "data-panel-width": _num(layout.width),
        },
    )


def _svg(
    exercise: Exercise,
    layout: FigureLayout,
    panels: Sequence[tuple[int, Keyframe]],
    frames: Sequence[Keyframe],
    prefix: str,
) -> str:
    names = ", ".join(k.name for _index, k in panels)
    if len(panels) == 1:
        what = _("key position")
    else:
        what = ngettext("{n} key position", "{n} key positions", len(panels)).format(n=len(panels))
    summary = f"{exercise.name}: {what} ({names})"
    root = _root(exercise, layout, len(panels), prefix)
    root.attrib.update({"role": "img", "aria-label": summary, "aria-describedby": f"{prefix}-desc"})
    _sub(root, "title", id=f"{prefix}-title").text = summary
    steps = "; ".join(
        f"{i + 1}. {k.name}"
        + (", " + _("held {seconds} s").format(seconds=_num(k.hold_s)) if k.hold_s else "")
        for i, k in panels
    )
    seen_from = (
        _("Stick figure seen from the side: {steps}.")
        if layout.view is View.SIDE
        else _("Stick figure seen from the front: {steps}.")
    )
    _sub(root, "desc", id=f"{prefix}-desc").text = seen_from.format(steps=steps)
    for slot, (index, keyframe) in enumerate(panels):
        _draw_panel(root, layout, keyframe, index, prefix, slot * layout.width)
    script = _sub(root, "script", type="application/json", class_="bc-keyframes")
    script.text = _animation_data(exercise, layout, frames)
    return ET.tostring(root, encoding="unicode")


def render_exercise_svg(exercise: Exercise) -> str:
    """Every key position of ``exercise`` side by side, as one SVG document."""
    layout = figure_layout(exercise)
    panels = list(enumerate(exercise.keyframes))
    return _svg(exercise, layout, panels, exercise.keyframes, f"bc-{exercise.id}")


def render_strip_svgs(exercise: Exercise) -> list[str]:
    """Every key position of ``exercise`` as its own still picture, for HTML captions.

    The pictures share one layout (the same scale and floor), carry no label
    and no animation data, and are hidden from screen readers: the page names
    each one in a caption (``1 · <keyframe name>``) next to it.
    """
    layout = _layout(exercise.camera.view, exercise.keyframes, labelled=False)
    pictures = []
    for index, keyframe in enumerate(exercise.keyframes):
        prefix = f"bc-{exercise.id}-strip-{index}"
        root = _root(exercise, layout, 1, prefix)
        root.set("aria-hidden", "true")
        _draw_panel(root, layout, keyframe, index, prefix, 0, labelled=False)
        pictures.append(ET.tostring(root, encoding="unicode"))
    return pictures


def render_keyframe_svg(exercise: Exercise, keyframe: Keyframe) -> str:
    """One key position of ``exercise`` in the panel layout shared by all its keyframes."""
    frames = _with(exercise, keyframe)
    layout = _layout(exercise.camera.view, frames)
    index = frames.index(keyframe)
    return _svg(exercise, layout, [(index, keyframe)], frames, f"bc-{exercise.id}-{index}")
