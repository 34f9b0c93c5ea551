"""``/desk``: the break timer with an in-page break overlay, and today's desk counters.

While exercise is blocked (``DeskStatus.block``) the page shows the block notice
and no move cards: every break says "stand up and walk".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from backcoach.content import Catalog
from backcoach.services.desk import desk_moves
from backcoach.web.api.desk import RuntimeDep
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep
from backcoach.web.figures import keyframe_figure
from backcoach.web.presenters.desk import desk_view
from backcoach.web.templating import render

router = APIRouter(prefix="/desk", tags=["pages"], include_in_schema=False)


def move_cards(catalog: Catalog, moves: tuple[str, ...]) -> list[dict[str, object]]:
    """The suggested moves with their illustration, for the break overlay."""
    cards: list[dict[str, object]] = []
    for move in moves:
        exercise = catalog.exercises.get(move)
        if exercise is not None:
            cards.append({"exercise": exercise, "figure": keyframe_figure(exercise)})
    return cards


@router.get("")
def desk(
    request: Request,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> Response:
    status = runtime.status(db, user_id=user.id, catalog=catalog)
    view = desk_view(status, catalog, time_scale=settings.time_scale)
    context = {
        "view": view,
        "moves": [] if status.block is not None else move_cards(catalog, desk_moves(catalog)),
        "block": status.block,
        "today": view.today,
    }
    return render(request, "desk/index.html", context)
