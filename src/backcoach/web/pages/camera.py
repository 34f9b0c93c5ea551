"""``/camera-check``: the screen to see before the first camera session.

It shows the mirrored camera with the skeleton the browser finds, which joint
groups are in view, and where to put the laptop: side-on at floor level for
floor work, facing you for standing exercises. It runs entirely in the
browser; nothing is sent to the server.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from backcoach.content import Exercise, View
from backcoach.vision.analyzers import available
from backcoach.web.deps import CatalogDep
from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def camera_practice(exercise: Exercise) -> bool:
    """The exercise page offers "Practice with camera" (the camera can check it)."""
    return exercise.camera.supported and exercise.id in available()


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
    floor = sorted(e.name for e in checked if e.camera.view is View.SIDE)
    standing = sorted(e.name for e in checked if e.camera.view is not View.SIDE)
    context = {"next_url": _safe_next(next), "floor": floor, "standing": standing}
    return render(request, "camera/check.html", context)
