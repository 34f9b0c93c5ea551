"""``/exercises``: the library (filter by stage, live search) and one exercise in full.

In clinic mode the library also lists the exercises the user's clinician wrote,
under "From your clinician", each with its own page (``pages.clinic_exercises``).

While exercise is blocked (a red flag in the safety screening, see
``services.safety.exercise_block``) both pages show the block notice; the detail
page keeps the description but shows no dose and no camera practice, and there
is no printable handout (it carries the dose).

``/exercises/{id}/handout.pdf`` is the exercise's handout to print
(``documents.handout``): a built-in exercise or a clinician's one the user may see.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import PlainTextResponse, Response

from backcoach.content import Stage
from backcoach.documents.handout import exercise_handout, library_exercise
from backcoach.i18n import _
from backcoach.services.library import find_exercises
from backcoach.services.safety import exercise_block
from backcoach.web.deps import CatalogDep, DbDep, UserDep, release_database
from backcoach.web.figures import keyframe_figure, strip_figures, thumbnail
from backcoach.web.pages.camera import camera_practice
from backcoach.web.pages.clinic_exercises import clinic_detail, library_section
from backcoach.web.templating import render

router = APIRouter(prefix="/exercises", tags=["pages"], include_in_schema=False)


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
    clinic, clinic_thumbnails, clinic_pictures = library_section(
        db, user_id=user.id, stage=chosen, query=q
    )
    context = {
        "exercises": found,
        "thumbnails": {e.id: thumbnail(e) for e in found},
        "stages": list(Stage),
        "stage": chosen,
        "q": q,
        "block": exercise_block(db, user_id=user.id),
        "clinic_exercises": clinic,
        "clinic_thumbnails": clinic_thumbnails,
        "clinic_pictures": clinic_pictures,
    }
    return render(request, "exercises/index.html", context, partial="exercises/_list.html")


@router.get("/{exercise_id}")
def detail(
    request: Request, exercise_id: str, catalog: CatalogDep, db: DbDep, user: UserDep
) -> Response:
    try:
        exercise = catalog.exercise(exercise_id)
    except KeyError:  # a clinician's own exercise, if this user may see it (404 otherwise)
        return clinic_detail(request, db, user, exercise_id)
    block = exercise_block(db, user_id=user.id)
    context = {
        "exercise": exercise,
        "figure": keyframe_figure(exercise),
        "strip": strip_figures(exercise),
        "camera_practice": block is None and camera_practice(exercise),
        "block": block,
    }
    return render(request, "exercises/detail.html", context)


@router.get("/{exercise_id}/handout.pdf")
def handout(
    request: Request, exercise_id: str, catalog: CatalogDep, db: DbDep, user: UserDep
) -> Response:
    """The exercise's printable handout (PDF), shown in the browser."""
    block = exercise_block(db, user_id=user.id)
    if block is not None:
        return PlainTextResponse(f"{_(block.title)}. {block.web_message}", status_code=409)
    try:
        exercise = library_exercise(db, catalog, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        message = _("There is no exercise called '{name}'.").format(name=exercise_id)
        return PlainTextResponse(message, status_code=404)
    release_database(request)  # laying out the PDF reads nothing more
    return Response(
        exercise_handout(exercise),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{exercise_id}-handout.pdf"'},
    )
