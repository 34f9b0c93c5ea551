"""Running ``backcoach ...`` in a test, on the test's database (SQLite or PostgreSQL).

A test module uses the ``invoke`` fixture by naming it: ``invoke = cli_setup.invoke``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from backcoach.cli import app
from backcoach.config import get_settings

runner = CliRunner()
Invoke = Callable[..., Result]


def flat(text: str) -> str:
    """The text without line breaks and runs of spaces (Rich wraps long lines)."""
    return " ".join(text.split())


@pytest.fixture
def invoke(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """Run ``backcoach ...`` on the test's database (``engine`` has migrated it)."""
    monkeypatch.setenv("BACKCOACH_DATABASE_URL", db_url)
    get_settings.cache_clear()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    yield run
    get_settings.cache_clear()
