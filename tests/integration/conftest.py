"""A real PostgreSQL for the store tests, and a ``db_url`` fixture for both databases.

The server is started by the tests themselves (see ``postgres.py``) and torn
down at the end; each test gets its own fresh database. Under CI a missing
PostgreSQL fails the run (the top conftest turns skips into failures).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.store.db import make_engine, session_factory
from backcoach.store.migrate import upgrade_engine
from tests.integration.postgres import PostgresServer, PostgresUnavailable, running_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        if "not installed" in str(exc):
            pytest.skip(str(exc))
        pytest.fail(str(exc))


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = postgres_server.new_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def db_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url)


@pytest.fixture
def engine(db_settings: Settings) -> Iterator[Engine]:
    """An engine on an upgraded (migrated) empty database."""
    engine = make_engine(db_settings)
    upgrade_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A store session on ``engine``; the test owns its transactions."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def real_time_client(db_settings: Settings) -> Iterator[httpx.Client]:
    """A client of a real server at real time (a 3 s move outlasts a few requests), screened."""
    from tests.e2e.live_server import running_server
    from tests.integration.test_api import screen_clear

    settings = db_settings.model_copy(update={"time_scale": 1.0})
    with running_server(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        screen_clear(client)
        yield client
