"""Dependencies of the routes, declared once as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.services.users import current_user
from backcoach.store import User
from backcoach.web.state import app_state


def _settings(request: Request) -> Settings:
    return app_state(request.app).settings


def _catalog(request: Request) -> Catalog:
    return app_state(request.app).catalog


def _db(request: Request) -> Iterator[Session]:
    """A database session per request; the service a route calls commits what it changes."""
    factory = app_state(request.app).sessions
    with factory() as db:
        yield db


DbDep = Annotated[Session, Depends(_db)]


def _user(db: DbDep) -> User:
    """The one local user (multi-user sign-in does not exist yet)."""
    return current_user(db)


SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
UserDep = Annotated[User, Depends(_user)]
