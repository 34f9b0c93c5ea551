"""``/api/v1/desk``: the break timer of the desk page, break actions and today's desk counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.i18n import _
from backcoach.services.desk import BreakAction, DeskDay, desk_days, local_day
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.posture_profiles import baseline_from_frames, save_profile
from backcoach.vision.landmarks import LandmarkFrame, frame_from_json
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep
from backcoach.web.presenters.desk import DeskView, PostureView, desk_view, posture_view
from backcoach.web.state import app_state

router = APIRouter(prefix="/desk", tags=["desk"])

NOTHING_DUE: dict[int | str, dict[str, Any]] = {
    409: {"description": "No break is due, or no skips are left today"}
}


async def desk_runtime(request: Request) -> DeskRuntime:
    """The server's desk companion (built with the app, on the app's clock)."""
    return app_state(request.app).desk


RuntimeDep = Annotated[DeskRuntime, Depends(desk_runtime)]


class WalkIn(BaseModel):
    minutes: float = Field(gt=0, le=600, description="Minutes walked")


class DeskDayOut(BaseModel):
    day: date
    breaks_taken: int
    breaks_snoozed: int
    breaks_skipped: int
    sitting_min: float
    walking_min: float
    posture_alerts: int
    posture_min: dict[str, float]

    @classmethod
    def of(cls, day: DeskDay) -> DeskDayOut:
        return cls(
            day=day.day,
            breaks_taken=day.breaks_taken,
            breaks_snoozed=day.breaks_snoozed,
            breaks_skipped=day.breaks_skipped,
            sitting_min=round(day.sitting_min, 2),
            walking_min=round(day.walking_min, 2),
            posture_alerts=day.posture_alerts,
            posture_min={k: round(v, 2) for k, v in day.posture_min.items()},
        )


@router.get("/state")
def get_state(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """The break timer as it stands (does not move it on)."""
    status = desk.status(db, user_id=user.id, catalog=catalog)
    return desk_view(status, catalog, time_scale=settings.time_scale)


@router.post("/tick")
def tick(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """Move the break timer on to now (the page calls this about once a second)."""
    status = desk.tick(db, user_id=user.id, catalog=catalog)
    return desk_view(status, catalog, time_scale=settings.time_scale)


def _act(
    desk: DeskRuntime,
    action: BreakAction,
    db: Session,
    user_id: int,
    catalog: Catalog,
    settings: Settings,
) -> DeskView:
    done, status = desk.act(db, action, user_id=user_id, catalog=catalog)
    if not done:
        reason = (
            _("No skips are left today: take the break or snooze it.")
            if status.due is not None
            else _("No break is due right now.")
        )
        raise HTTPException(409, reason)
    return desk_view(status, catalog, time_scale=settings.time_scale)


@router.post("/take", responses=NOTHING_DUE)
def take(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """The due break was done: counted (a rest break also counts as walking)."""
    return _act(desk, BreakAction.TAKE, db, user.id, catalog, settings)


@router.post("/snooze", responses=NOTHING_DUE)
def snooze(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """Put the due break off for a few minutes (counted as snoozed)."""
    return _act(desk, BreakAction.SNOOZE, db, user.id, catalog, settings)


@router.post("/skip", responses=NOTHING_DUE)
def skip(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """Drop the due break (a few skips a day are allowed)."""
    return _act(desk, BreakAction.SKIP, db, user.id, catalog, settings)


@router.post("/away")
def away(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """The user left the desk: the break clock stops; a long absence counts as a break."""
    status = desk.set_away(db, True, user_id=user.id, catalog=catalog)
    return desk_view(status, catalog, time_scale=settings.time_scale)


@router.post("/back")
def back(
    db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep, settings: SettingsDep
) -> DeskView:
    """The user is back at the desk."""
    status = desk.set_away(db, False, user_id=user.id, catalog=catalog)
    return desk_view(status, catalog, time_scale=settings.time_scale)


@router.post("/walk")
def walk(body: WalkIn, db: DbDep, user: UserDep, desk: RuntimeDep) -> DeskDayOut:
    """Log minutes of walking by hand; returns today's counters."""
    return DeskDayOut.of(desk.log_walk(db, user_id=user.id, minutes=body.minutes))


class FrameIn(BaseModel):
    t_s: float = Field(ge=0, le=10**7, description="Camera time of the frame, seconds")
    landmarks: list[list[float]] | None = Field(
        description="33 BlazePose landmarks [x, y, z, visibility], or null when nobody is seen"
    )
    aspect: float = Field(default=1.0, gt=0, le=10, description="Image width / height")


class UprightIn(BaseModel):
    """The last seconds of the camera preview, saved as a desk profile's upright posture."""

    profile: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,31}$",
        description="Desk profile name, e.g. laptop or monitor",
    )
    frames: list[FrameIn] = Field(
        min_length=1, max_length=100, description="The frames (3 s or more) that show the upright"
    )


class PostureIn(BaseModel):
    frames: list[FrameIn] = Field(max_length=100, description="Frames in time order")
    restart: bool = Field(default=False, description="The camera was (re)started: calibrate")
    save_upright: UprightIn | None = Field(
        default=None,
        description="Save these frames as the user's upright posture for a desk profile "
        "(used by `backcoach posture --profile NAME`)",
    )


def _invalid(
    index: int, field: str, message: str, *, within: tuple[str, ...] = ("body", "frames")
) -> RequestValidationError:
    """A 422 in FastAPI's own format (one entry per field), like any invalid body."""
    where = (*within, index, field)
    return RequestValidationError([{"type": "value_error", "loc": where, "msg": message}])


def _frames(raw_frames: list[FrameIn], within: tuple[str, ...]) -> list[LandmarkFrame]:
    frames: list[LandmarkFrame] = []
    for index, raw in enumerate(raw_frames):
        try:
            frames.append(frame_from_json(raw.model_dump()))
        except ValueError as exc:
            raise _invalid(index, "landmarks", str(exc), within=within) from None
        if index and frames[-1].t_s < frames[-2].t_s:
            raise _invalid(index, "t_s", "frames must be in time order", within=within)
    return frames


@router.post("/posture")
def posture(
    body: PostureIn, db: DbDep, user: UserDep, catalog: CatalogDep, desk: RuntimeDep
) -> PostureView:
    """Landmarks from the page's camera (never pictures) for the posture monitor.

    Nobody in view pauses the break clock like "I'm away"; sustained slouching or a
    forward head gives an alert with a desk-break move, stored with today's counters.
    With ``save_upright``, the preview's last seconds are saved as the upright posture of
    a desk profile (422 when a face was in view for less than 3 s of them).
    """
    frames = _frames(body.frames, ("body", "frames"))
    if body.save_upright is not None:
        within = ("body", "save_upright", "frames")
        baseline = baseline_from_frames(_frames(body.save_upright.frames, within))
        if baseline is None:
            message = _("Nobody was in view long enough: sit in view and save again.")
            raise _invalid(0, "landmarks", message, within=within)
        name = body.save_upright.profile
        save_profile(db, user_id=user.id, name=name, baseline=baseline, now=datetime.now(UTC))
    status = desk.watch(db, frames, user_id=user.id, restart=body.restart)
    return posture_view(status, catalog)


@router.post("/posture/stop", status_code=204)
def posture_stop(db: DbDep, user: UserDep, desk: RuntimeDep) -> None:
    """The page's camera was switched off: store the posture minutes seen."""
    desk.stop_watching(db, user_id=user.id)


@router.get("/days")
def days(
    db: DbDep,
    user: UserDep,
    desk: RuntimeDep,
    count: Annotated[int, Query(ge=1, le=366, description="How many days, ending today")] = 7,
) -> list[DeskDayOut]:
    """Desk counters per day (oldest first), today included."""
    today = local_day(desk.clock.now())
    since = today - timedelta(days=count - 1)
    found = desk_days(db, user_id=user.id, since=since, until=today + timedelta(days=1))
    return [DeskDayOut.of(d) for d in found]
