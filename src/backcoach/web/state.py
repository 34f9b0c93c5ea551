"""What one web app holds while it runs: one typed ``AppState``, built by ``create_app``.

Everything here is either fixed at start (settings, content, templates) or owned
by a service that guards itself (the desk runtime, the live coaches). What
outlives a request and matters to the person lives in the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.live_coach import MAX_FRAMES_PER_S, LiveCoaches


@dataclass
class AppState:
    settings: Settings
    catalog: Catalog
    templates: Jinja2Templates
    desk: DeskRuntime
    live_coaches: LiveCoaches = field(default_factory=LiveCoaches)
    #: Camera frames a connection may send per second (tests replaying fast raise it).
    live_max_frames_per_s: float = MAX_FRAMES_PER_S
    database: sessionmaker[Session] | None = None  # set when the app starts

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The database session factory (the app must have started)."""
        if self.database is None:
            raise RuntimeError("the web app has not started: no database yet")
        return self.database


def app_state(app: Starlette) -> AppState:
    """The state of a backcoach app (``request.app`` or ``websocket.app``)."""
    state: AppState = app.state.backcoach
    return state
