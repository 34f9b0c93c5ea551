"""Health data on disk: private files, no values in error text, deleted means gone.

Each test checks the real file modes, the real SQLite files (database,
``-wal``, ``-shm``) and the real output of the command or page.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.config import Settings
from backcoach.services.data import delete_all_data
from backcoach.store import (
    CheckIn,
    add_questionnaire_response,
    backup_database,
    local_user,
    make_engine,
    session_factory,
    upgrade_database,
)
from backcoach.store import db as db_module
from tests.e2e.live_server import running_server

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
SECRET = "ZEBRA-LOWER-BACK-7319"
runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def flat(text: str) -> str:
    """The text without any whitespace (Rich wraps long lines, even inside paths)."""
    return "".join(text.split())


@contextmanager
def open_umask(value: int = 0o022) -> Iterator[None]:
    """Run with a permissive umask, as a shell usually has: modes must not depend on it."""
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def sqlite_files(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]


def store_secret(engine: Engine) -> None:
    with session_factory(engine)() as db:
        user = local_user(db, now=T0)
        for n in range(50):  # enough rows to fill several pages
            add_questionnaire_response(db, user_id=user.id, name="notes", taken_at=T0,
                                       answers={"note": f"{SECRET} {n}"}, scores={})  # fmt: skip
        db.commit()


@pytest.fixture
def without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections as on most SQLite builds, which keep deleted bytes on disk.

    Debian compiles SQLite with SECURE_DELETE (deleted content is zeroed), most
    others do not; without this the delete tests could not tell whether
    backcoach itself removes the bytes.
    """
    pragmas = db_module._sqlite_pragmas

    def pragmas_without_secure_delete(dbapi_connection: Any, record: Any) -> None:
        pragmas(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    monkeypatch.setattr(db_module, "_sqlite_pragmas", pragmas_without_secure_delete)


def bytes_on_disk(database: Path) -> dict[str, bool]:
    """For the database and its side files: does the secret appear in the raw bytes?"""
    return {
        path.name: SECRET.encode() in path.read_bytes()
        for path in sqlite_files(database)
        if path.exists()
    }


# --- modes ---------------------------------------------------------------------------------


def test_a_new_install_is_private_whatever_the_umask(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    database = settings.data_dir / "backcoach.db"
    with open_umask():
        upgrade_database(settings)
        engine = make_engine(settings)
        store_secret(engine)  # the pool keeps a connection open: -wal and -shm exist
        assert all(path.exists() for path in sqlite_files(database))
        default_copy = backup_database(settings, target=None, now=T0)
        chosen_copy = backup_database(settings, target=tmp_path / "mine.db", now=T0)
        engine.dispose()
    assert mode(settings.data_dir) == 0o700
    assert {p.name: mode(p) for p in sqlite_files(database)} == {
        "backcoach.db": 0o600,
        "backcoach.db-wal": 0o600,
        "backcoach.db-shm": 0o600,
    }
    assert default_copy.parent == settings.data_dir / "backups"
    assert mode(default_copy.parent) == 0o700
    assert mode(default_copy) == 0o600
    assert mode(chosen_copy) == 0o600
    assert not list(tmp_path.rglob("*.partial"))


def test_an_existing_install_is_tightened_on_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "backcoach.db"
    with open_umask():
        data.mkdir()
        (data / "backups").mkdir()
        (data / "backups" / "backcoach-20250101-000000.db").write_bytes(b"an old copy")
        # An older backcoach still has the database open: its -wal and -shm are 0644.
        older = sqlite3.connect(database)
        older.execute("PRAGMA journal_mode=WAL")
        older.execute("CREATE TABLE t (x TEXT)")
        older.execute("INSERT INTO t VALUES ('x')")
        older.commit()
    try:
        assert {mode(p) for p in sqlite_files(database)} == {0o644}
        assert mode(data) == 0o755
        upgrade_database(Settings(data_dir=data))  # what `backcoach serve` does on start
        assert mode(data) == 0o700
        assert {p.name: mode(p) for p in sqlite_files(database)} == {
            "backcoach.db": 0o600,
            "backcoach.db-wal": 0o600,
            "backcoach.db-shm": 0o600,
        }
        assert mode(data / "backups") == 0o700
        assert mode(data / "backups" / "backcoach-20250101-000000.db") == 0o600
    finally:
        older.close()


def test_a_postgresql_install_still_tightens_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_umask():
        (data / "backups").mkdir(parents=True)
        (data / "backups" / "copy.db").write_bytes(b"old")
    settings = Settings(data_dir=data, database_url="postgresql+psycopg://u@127.0.0.1:1/x")
    make_engine(settings).dispose()  # no connection is made
    assert (mode(data), mode(data / "backups"), mode(data / "backups" / "copy.db")) == (
        0o700,
        0o700,
        0o600,
    )


def test_the_console_script_sets_a_private_umask(tmp_path: Path) -> None:
    probe = (
        "import os, sys\n"
        "from backcoach.cli import main\n"
        "sys.argv = ['backcoach', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(oct(os.umask(0)))\n"
    )
    with open_umask():
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
    assert done.stdout.split()[-1] == "0o77"


# --- values never in error text ---------------------------------------------------------------


def test_a_failing_statement_shows_neither_its_values_in_the_error_nor_in_the_log(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with session_factory(engine)() as db:
        user = local_user(db, now=T0)
        db.commit()
        row = {"user_id": user.id, "at": T0, "phase": "during", "pain": 7, "exercise_id": SECRET}
        with pytest.raises(IntegrityError) as caught:
            db.execute(insert(CheckIn), row)  # no location: a NOT NULL violation
    error = str(caught.value)
    assert "INSERT INTO checkins" in caplog.text  # the statement was logged ...
    assert "INSERT INTO checkins" in error and "location" in error  # ... and explained ...
    assert SECRET not in caplog.text  # ... without the values
    assert SECRET not in error
    assert SECRET not in str(caught.value.orig)


# --- deleting means gone ----------------------------------------------------------------------


@pytest.mark.usefixtures("without_secure_delete")
def test_data_delete_leaves_no_trace_in_the_database_or_its_journal(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = settings.data_dir / "backcoach.db"
    upgrade_database(settings)
    server = make_engine(settings)  # like a running `backcoach serve`: keeps the WAL alive
    store_secret(server)
    with server.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 0
    assert any(bytes_on_disk(database).values())  # the check below can see the secret
    backup_database(settings, target=None, now=T0)
    monkeypatch.setenv("BACKCOACH_DATA_DIR", str(settings.data_dir))
    result = runner.invoke(app, ["data", "delete", "--yes"])
    assert result.exit_code == 0, result.output
    assert bytes_on_disk(database) == dict.fromkeys(bytes_on_disk(database), False)
    wal = database.with_name("backcoach.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    out = flat(result.stdout)
    assert "Allyourdatawasdeleted." in out
    assert flat(f"Backups in {settings.data_dir / 'backups'} are kept (there is 1)") in out
    with server.connect() as connection:  # the other process still works
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
    server.dispose()


@pytest.mark.usefixtures("without_secure_delete")
def test_deleting_from_the_settings_page_leaves_no_trace_and_names_the_backups(
    settings: Settings,
) -> None:
    database = settings.data_dir / "backcoach.db"
    with running_server(settings) as live, httpx.Client(base_url=live.url) as client:
        page = client.get("/settings")
        assert page.status_code == 200
        engine = make_engine(settings)
        store_secret(engine)
        engine.dispose()
        assert any(bytes_on_disk(database).values())
        form = re.search(r'<form[^>]*action="/settings/delete".*?</form>', page.text, re.S)
        assert form is not None
        hidden = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))
        )
        response = client.post("/settings/delete", data={**hidden, "confirm": "yes"})
        assert response.status_code == 200, response.text
        message = re.search(r'id="settings-message">([^<]*)<', response.text)
        assert message is not None
        assert message.group(1).startswith("All your data was deleted.")
        assert f"Backups in {settings.data_dir / 'backups'} are kept (there are none)" in (
            message.group(1)
        )
        # The server still has its connections open; the secret is gone all the same.
        assert not any(bytes_on_disk(database).values())
        assert SECRET not in client.get("/api/v1/export").text


def test_purging_needs_no_user(engine: Engine, settings: Settings) -> None:
    """`data delete` on a database without a user still purges what earlier deletes left."""
    with session_factory(engine)() as db:
        deleted = delete_all_data(db, user_id=None, settings=settings)
    assert deleted.backups == 0
    assert deleted.purged
    assert "there are none" in deleted.message
