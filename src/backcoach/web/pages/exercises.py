"""``/exercises``: the library (filter by stage, live search) and one exercise in full.

While exercise is blocked (a red flag in the safety screening, see
``services.safety.exercise_block``) both pages show the block notice; the detail
page keeps the description but shows no dose and no camera practice.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from backcoach.content import Exercise, Stage
from backcoach.content.illustration import render_keyframe_svg, render_strip_svgs
from backcoach.services.library import find_exercises
from backcoach.services.safety import exercise_block
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.pages.camera import camera_practice
from backcoach.web.state import app_state
from backcoach.web.templating import render

router = APIRouter(prefix="/exercises", tags=["pages"], include_in_schema=False)


_ANIMATION_DATA = re.compile(r"<script[^>]*>.*?</script>", re.DOTALL)


def thumbnail(exercise: Exercise) -> Markup:
    """The exercise's last key position, small and still (without the animation data)."""
    svg = render_keyframe_svg(exercise, exercise.keyframes[-1])
    return Markup(_ANIMATION_DATA.sub("", svg))


def _thumbnail(request: Request, exercise: Exercise) -> Markup:
    """``thumbnail`` drawn once per app (content does not change while it runs)."""
    cache = app_state(request.app).thumbnails
    if exercise.id not in cache:
        cache[exercise.id] = thumbnail(exercise)
    return cache[exercise.id]


@router.get("")
def library(
    request: Request,
    catalog: CatalogDep,
    db: DbDep,
    user: UserDep,
    stage: Annotated[str, Query()] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    # An unknown stage from a hand-typed URL shows everything instead of an error page.
    chosen = Stage(stage) if stage in {s.value for s in Stage} else None
    found = find_exercises(catalog, stage=chosen, query=q)
    context = {
        "exercises": found,
        "thumbnails": {e.id: _thumbnail(request, e) for e in found},
        "stages": list(Stage),
        "stage": chosen,
        "q": q,
        "block": exercise_block(db, user_id=user.id),
    }
    return render(request, "exercises/index.html", context, partial="exercises/_list.html")


@router.get("/{exercise_id}")
def detail(
    request: Request, exercise_id: str, catalog: CatalogDep, db: DbDep, user: UserDep
) -> Response:
    try:
        exercise = catalog.exercise(exercise_id)
    except KeyError:
        raise HTTPException(404, f"There is no exercise called '{exercise_id}'.") from None
    block = exercise_block(db, user_id=user.id)
    context = {
        "exercise": exercise,
        "figure": Markup(render_keyframe_svg(exercise, exercise.keyframes[0])),
        "strip": [Markup(svg) for svg in render_strip_svgs(exercise)],
        "camera_practice": block is None and camera_practice(exercise),
        "block": block,
    }
    return render(request, "exercises/detail.html", context)
