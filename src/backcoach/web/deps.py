"""Dependencies of the routes, declared once as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.store import User, local_user


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _db(request: Request) -> Iterator[Session]:
    """A database session per request; routes and services commit what they change."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as db:
        yield db


DbDep = Annotated[Session, Depends(_db)]


def _user(db: DbDep) -> User:
    """The one local user (multi-user sign-in does not exist yet)."""
    user = local_user(db)
    # local_user creates the user inside a savepoint, so ``db.new`` is already empty;
    # commit always, or a request that writes nothing else would lose a new user.
    db.commit()
    return user


SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
UserDep = Annotated[User, Depends(_user)]
