"""``/camera-check``: the screen to see before the first camera session.

It shows the mirrored camera with the skeleton the browser finds, which joint
groups are in view, and where to put the laptop for each exercise the camera
checks. Exercises are grouped by the content itself: on the floor or standing
(the start keyframe's trunk: within 45 degrees of upright is standing, so
kneeling on all fours, lying and planks are floor work) and the camera view
the exercise asks for (side or front). The camera runs entirely in the
browser; nothing is sent to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from backcoach.content import Exercise, View
from backcoach.i18n import N_, _
from backcoach.vision.analyzers import available
from backcoach.web.deps import CatalogDep
from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def camera_practice(exercise: Exercise) -> bool:
    """The exercise page offers "Practice with camera" (the camera can check it)."""
    return exercise.camera.supported and exercise.id in available()


#: A start position whose trunk is within this many degrees of upright is standing (or sitting).
UPRIGHT_WITHIN_DEG = 45.0


def stands(exercise: Exercise) -> bool:
    """Whether the exercise starts upright (standing or sitting), from its first keyframe."""
    trunk = exercise.keyframes[0].segments.trunk if exercise.keyframes else 90.0
    off_upright = abs((trunk - 90.0 + 180.0) % 360.0 - 180.0)
    return off_upright <= UPRIGHT_WITHIN_DEG


@dataclass(frozen=True)
class Placement:
    """Where to put the laptop for a group of exercises, and which they are."""

    key: str  # "floor-side", "standing-front", ...
    title: str
    how: str
    names: list[str]


#: Each group's title and how to place the laptop (msgids, translated in ``placements``).
_PLACEMENTS: dict[tuple[bool, View], tuple[str, str]] = {
    (False, View.SIDE): (
        N_("Floor exercises: side view"),
        N_(
            "Put the laptop on the floor or a low stool, 2 to 3 metres away, level with the mat. "
            "Lie or kneel side-on to it so your head, hips, knees and feet are all in the picture."
        ),
    ),
    (False, View.FRONT): (
        N_("Floor exercises: front view"),
        N_(
            "Put the laptop on the floor or a low stool, 2 to 3 metres away, level with the mat. "
            "Lie along the mat facing it, so your head, shoulders, hips and feet are all in the "
            "picture."
        ),
    ),
    (True, View.SIDE): (
        N_("Standing exercises: side view"),
        N_(
            "Put the laptop at about waist height, 2 to 3 metres away, and stand side-on to it. "
            "Step back until your whole body, from head to feet, fits in the picture."
        ),
    ),
    (True, View.FRONT): (
        N_("Standing exercises: front view"),
        N_(
            "Put the laptop at about waist height, 2 to 3 metres away, and face it. Step back "
            "until your whole body, arms raised, fits in the picture."
        ),
    ),
}


def placements(exercises: list[Exercise]) -> list[Placement]:
    """The camera placements the exercises need (floor first, side view first), each named,
    in the language in use."""
    out = []
    for (upright, view), (title, how) in _PLACEMENTS.items():
        names = sorted(e.name for e in exercises if stands(e) == upright and e.camera.view is view)
        if names:
            key = f"{'standing' if upright else 'floor'}-{view.value}"
            out.append(Placement(key, _(title), _(how), names))
    return out


def _safe_next(next_url: str) -> str:
    # Only a path on this site: never redirect to another host.
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/"


@router.get("/camera-check")
def camera_check(
    request: Request, catalog: CatalogDep, next: Annotated[str, Query(max_length=200)] = "/"
) -> Response:
    checked = [e for e in catalog.exercises.values() if camera_practice(e)]
    context = {"next_url": _safe_next(next), "placements": placements(checked)}
    return render(request, "camera/check.html", context)
