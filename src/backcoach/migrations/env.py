"""Alembic environment: runs migrations on the connection backcoach hands over.

``backcoach.store.migrate`` passes an open connection in
``config.attributes["connection"]``, already inside the one transaction that
covers the whole upgrade; without one (plain ``alembic`` use) the configured
backcoach database is used, in the same kind of transaction. Alembic sees the
transaction as external and opens none of its own, so every migration and the
version change commit together or not at all.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from backcoach.config import get_settings
from backcoach.store.db import make_engine, migration_transaction
from backcoach.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(get_settings())
    try:
        with migration_transaction(engine) as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("backcoach migrations run online only: use `backcoach db upgrade`.")
run_migrations_online()
