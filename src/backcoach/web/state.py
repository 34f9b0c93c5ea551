"""What one web app holds while it runs: one typed ``AppState``, built by ``create_app``.

Everything here is either fixed at start (settings, content, templates) or owned
by a service that guards itself (the desk runtime, the live coaches). What
outlives a request and matters to the person lives in the database, not here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.i18n import N_, current_language
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.live_coach import MAX_FRAMES_PER_S, LiveCoaches

#: What a request that got no turn at the database is told (503, with ``Retry-After``).
BUSY = N_("backcoach is busy, try again in a moment.")
RETRY_AFTER_S = 1


@dataclass
class AppState:
    settings: Settings
    #: The content in each language (one catalog for all when a test gives its own).
    catalogs: Mapping[str, Catalog]
    templates: Jinja2Templates
    desk: DeskRuntime
    live_coaches: LiveCoaches = field(default_factory=LiveCoaches)
    #: Camera frames a connection may send per second (tests replaying fast raise it).
    live_max_frames_per_s: float = MAX_FRAMES_PER_S
    database: sessionmaker[Session] | None = None  # set when the app starts
    #: Requests that may use the database at once: one per pooled connection (set on start).
    database_turns: anyio.Semaphore | None = None

    @property
    def catalog(self) -> Catalog:
        """The content in the language in use (``backcoach.i18n``)."""
        return self.catalogs[current_language()]

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The database session factory (the app must have started)."""
        if self.database is None:
            raise RuntimeError("the web app has not started: no database yet")
        return self.database

    @asynccontextmanager
    async def database_turn(self) -> AsyncIterator[None]:
        """Wait, without a thread, until one of the pool's connections is this request's.

        As many requests use the database at once as the pool has connections,
        so a worker thread never blocks on the pool while the requests holding
        its connections wait for a thread. A request that gets no turn within
        ``db_pool_timeout_s`` fails with ``sqlalchemy.exc.TimeoutError``, as a
        pool checkout would (the web app answers 503, busy).
        """
        turns = self.database_turns
        if turns is None:
            raise RuntimeError("the web app has not started: no database yet")
        try:
            turns.acquire_nowait()  # the usual case: a turn is free, no timer needed
        except anyio.WouldBlock:
            wait_s = self.settings.db_pool_timeout_s
            try:
                with anyio.fail_after(wait_s):
                    await turns.acquire()
            except TimeoutError:
                raise PoolTimeout(f"no database connection free within {wait_s:g} s") from None
        try:
            yield
        finally:
            turns.release()


def app_state(app: Starlette) -> AppState:
    """The state of a backcoach app (``request.app`` or ``websocket.app``)."""
    state: AppState = app.state.backcoach
    return state
