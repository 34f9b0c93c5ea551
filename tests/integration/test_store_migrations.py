"""Upgrades are all or nothing, and a SQLite database is copied first.

The failure is injected into the real migration r0002 after its first DDL
statement (``drop_index``): its ``create_index`` is sent to a table that does
not exist, so the database itself raises the error half-way through.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import alembic.op
import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.config import Settings
from backcoach.store import (
    StoreError,
    User,
    WorkoutSession,
    add_session,
    current_revision,
    head_revision,
    make_engine,
    session_factory,
    upgrade_engine,
)
from backcoach.store.migrate import alembic_config
from tests.integration.old_schema import T0, add_rows_at_0001

OLD_INDEX, NEW_INDEX = "ix_sessions_user_status", "ix_sessions_user_status_started"
runner = CliRunner()


def fail_after_first_ddl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make r0002 fail in its second statement, after ``drop_index`` has run."""
    real: Callable[..., Any] = alembic.op.create_index

    def create_index_on_a_missing_table(name: str, _table: str, columns: Any, **kw: Any) -> Any:
        return real(name, "no_such_table", columns, **kw)

    monkeypatch.setattr(alembic.op, "create_index", create_index_on_a_missing_table)


def database_at_0001_with_data(settings: Settings) -> Engine:
    engine = make_engine(settings)
    assert upgrade_engine(engine, "0001") == "0001"
    add_rows_at_0001(engine)
    return engine


def snapshot(engine: Engine) -> dict[str, Any]:
    """Schema (tables, columns, indexes), the alembic version and every row."""
    inspector = inspect(engine)
    tables = sorted(inspector.get_table_names())
    with engine.connect() as connection:
        rows = {
            table: sorted(
                tuple(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            )
            for table in tables
        }
    return {
        "tables": tables,
        "columns": {t: [c["name"] for c in inspector.get_columns(t)] for t in tables},
        "indexes": {
            t: sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(t))
            for t in tables
        },
        "rows": rows,
    }


def sqlite_dump(path: Path) -> list[str]:
    """Every statement that recreates the SQLite file (schema and data), exactly."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def index_names(engine: Engine) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes("sessions") if i["name"]}


def test_a_migration_that_fails_half_way_changes_nothing(
    db_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = database_at_0001_with_data(db_settings)
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    before = snapshot(engine)
    assert OLD_INDEX in index_names(engine)
    dump_before = sqlite_dump(Path(database)) if database else []
    fail_after_first_ddl(monkeypatch)
    try:
        with pytest.raises(StoreError) as caught:
            upgrade_engine(engine, backups=tmp_path / "backups")
        message = str(caught.value)
        assert f"to revision {head_revision()} failed" in message
        assert "no_such_table" in message  # the database's own reason
        assert "Nothing was changed: the database is still revision 0001" in message
        assert current_revision(engine) == "0001"
        assert snapshot(engine) == before
        assert OLD_INDEX in index_names(engine)
        if database:
            assert sqlite_dump(Path(database)) == dump_before
            [backup] = (tmp_path / "backups").iterdir()
            assert f"A copy made just before the upgrade is at {backup}." in message
            assert stat.S_IMODE(backup.stat().st_mode) == 0o600
            assert sqlite_dump(backup) == dump_before
        else:  # PostgreSQL: no file copy (that is pg_dump's job)
            assert "copy" not in message
            assert not (tmp_path / "backups").exists()

        monkeypatch.undo()
        assert upgrade_engine(engine, backups=tmp_path / "backups") == head_revision()
        assert NEW_INDEX in index_names(engine) and OLD_INDEX not in index_names(engine)
        with session_factory(engine)() as db:
            assert [s.program_id for s in db.scalars(select(WorkoutSession))] == ["home-back"]
    finally:
        engine.dispose()


def test_db_upgrade_reports_the_failure_plainly_and_works_afterwards(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_at_0001_with_data(settings).dispose()
    fail_after_first_ddl(monkeypatch)
    failed = runner.invoke(app, ["db", "upgrade"])
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
    said = " ".join(failed.stderr.split())
    assert said.startswith("Error: Upgrading the database")
    assert "Nothing was changed: the database is still revision 0001, with all its data." in said
    [backup] = (settings.data_dir / "backups").iterdir()
    assert str(backup) in "".join(failed.stderr.split())
    assert backup.name.endswith("-before-upgrade-from-0001.db")

    monkeypatch.undo()
    done = runner.invoke(app, ["db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert f"up to date (revision {head_revision()})" in " ".join(done.output.split())
    assert len(list((settings.data_dir / "backups").iterdir())) == 2  # a new copy, same state


def test_plain_alembic_runs_the_upgrade_in_one_transaction_too(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``alembic upgrade`` without backcoach's connection (env.py opens its own)."""
    engine = database_at_0001_with_data(settings)
    dump_before = sqlite_dump(settings.data_dir / "backcoach.db")
    fail_after_first_ddl(monkeypatch)
    with pytest.raises(Exception, match="no_such_table"):
        command.upgrade(alembic_config(), "head")
    assert sqlite_dump(settings.data_dir / "backcoach.db") == dump_before
    monkeypatch.undo()
    command.upgrade(alembic_config(), "head")
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_successful_upgrade_of_a_database_with_data_is_copied_first(
    settings: Settings,
) -> None:
    engine = database_at_0001_with_data(settings)
    dump_at_0001 = sqlite_dump(settings.data_dir / "backcoach.db")
    backups = settings.data_dir / "backups"
    assert upgrade_engine(engine, backups=backups) == head_revision()
    [backup] = backups.iterdir()
    assert sqlite_dump(backup) == dump_at_0001
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    assert upgrade_engine(engine, backups=backups) == head_revision()  # nothing pending
    assert len(list(backups.iterdir())) == 1
    engine.dispose()


def test_a_new_database_is_not_copied(settings: Settings) -> None:
    engine = make_engine(settings)
    assert upgrade_engine(engine, backups=settings.data_dir / "backups") == head_revision()
    assert not (settings.data_dir / "backups").exists()
    engine.dispose()


def test_a_database_from_a_newer_backcoach_is_refused_untouched(settings: Settings) -> None:
    engine = make_engine(settings)
    upgrade_engine(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    dump_before = sqlite_dump(settings.data_dir / "backcoach.db")
    with pytest.raises(StoreError, match="newer backcoach"):
        upgrade_engine(engine, backups=settings.data_dir / "backups")
    assert sqlite_dump(settings.data_dir / "backcoach.db") == dump_before
    assert not (settings.data_dir / "backups").exists()
    engine.dispose()


def test_0004_gives_existing_users_revision_0_and_writes_bump_it(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    try:
        assert upgrade_engine(engine, "0003") == "0003"
        user_id = add_rows_at_0001(engine)
        assert upgrade_engine(engine, "0004") == "0004"
        with session_factory(engine)() as db:
            assert db.scalar(select(User.revision).where(User.id == user_id)) == 0
        upgrade_engine(engine)  # the tables as the models write them now
        with session_factory(engine)() as db:
            add_session(db, user_id=user_id, program_id="p", length="short",
                        plan={"steps": []}, started_at=T0)  # fmt: skip
            db.commit()
            assert db.scalar(select(User.revision).where(User.id == user_id)) == 1
    finally:
        engine.dispose()
