"""Dependencies of the routes, declared once as ``Annotated`` aliases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.errors import NotSignedIn
from backcoach.i18n import _
from backcoach.services.users import current_user
from backcoach.store import User
from backcoach.store.revision import for_one_request
from backcoach.store.sessions import LocalOwner
from backcoach.web.security.signin import SIGN_IN_FIRST, signed_in
from backcoach.web.state import app_state

# Dependencies that only read the app's state are coroutines: a sync one would cost
# each request a trip through the thread pool.


async def _settings(request: Request) -> Settings:
    return app_state(request.app).settings


async def _catalog(request: Request) -> Catalog:
    return app_state(request.app).catalog


async def _db(request: Request) -> AsyncIterator[Session]:
    """A database session per request; the service a route calls commits what it changes.

    The request first waits for its turn at the database (``AppState.database_turn``).
    The session opens no connection until its first query, so it is made here, in the
    event loop; closing it gives the connection back to the pool (rolling back what
    was not committed, on errors too) and may talk to the database: a worker thread
    does that, shielded so a cancelled request still returns its connection.
    """
    state = app_state(request.app)
    async with state.database_turn():
        db = state.sessions()
        for_one_request(db)
        request.state.db = db
        try:
            yield db
        finally:
            if db.in_transaction():
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(db.close)
            else:  # committed, or given back before rendering: closing has nothing to send
                db.close()


def release_database(request: Request) -> None:
    """End the request's database session now: what follows (rendering) reads nothing more.

    Called by ``templating.render`` in a route running in a worker thread, so the
    connection goes back to the pool before the template is rendered. In the
    event loop (an ``async`` route) it is left to ``_db``, which closes it in a
    worker thread. A template that tried to load more data would fail loudly.
    """
    db = getattr(request.state, "db", None)
    if not isinstance(db, Session) or not db.in_transaction():
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a worker thread
        db.close()


# scope="function": the session ends when the route has returned its answer (the page
# rendered, the JSON serialized), before the answer is sent to a perhaps slow client.
DbDep = Annotated[Session, Depends(_db, scope="function")]


def user_of(connection: HTTPConnection, db: Session) -> User:
    """Whose request this is: the signed-in account (clinic mode) or the one local user.

    Blocking (it reads the database): ``UserDep`` runs it in a worker thread; a
    route that does all its work in one worker thread may call it there itself.
    """
    who = signed_in(connection)
    if who is None:
        if app_state(connection.app).settings.clinic:
            raise NotSignedIn(_(SIGN_IN_FIRST))  # the gate lets no such request through
        return current_user(db)
    if who.account is not None:  # the gate read the row a moment ago: no second query
        return db.merge(who.account, load=False)
    user = db.get(User, who.user_id)
    if user is None:
        raise NotSignedIn(_(SIGN_IN_FIRST))
    return user


def owner_of(connection: HTTPConnection) -> int | LocalOwner:
    """Whose sessions this request may change, without reading the database: the
    signed-in account (clinic mode) or the local user, whom the session's lock
    statement finds itself (``store.sessions.lock_session``)."""
    who = signed_in(connection)
    if who is not None:
        return who.user_id
    if app_state(connection.app).settings.clinic:
        raise NotSignedIn(_(SIGN_IN_FIRST))  # the gate lets no such request through
    return LocalOwner.LOCAL


def _user(request: Request, db: DbDep) -> User:
    return user_of(request, db)


SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
UserDep = Annotated[User, Depends(_user)]
