"""Stored rows as text, on SQLite or PostgreSQL, to show that a request changed nothing.

``all_rows`` is the whole database (like SQLite's ``iterdump``); ``rows_of`` only
what belongs to one account: its ``users`` row, every row pointing at it (any
column with a foreign key to ``users``, or named ``patient_id``), and every row
pointing at one of those rows (its sessions' step events and check-ins, its
program templates' versions and assignments).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Table, or_, select

from backcoach.config import Settings
from backcoach.store import Base, make_engine

TABLES: list[Table] = list(Base.metadata.sorted_tables)


@contextmanager
def _connection(settings: Settings) -> Iterator[Connection]:
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _text(table: Table, row: object) -> str:
    return f"{table.name}: {row!r}"


def _ordered(table: Table) -> list[Column[object]]:
    return list(table.primary_key.columns) or list(table.columns)


def all_rows(settings: Settings) -> list[str]:
    """Every row of every table, table by table in key order."""
    with _connection(settings) as conn:
        return [
            _text(table, row)
            for table in TABLES
            for row in conn.execute(select(table).order_by(*_ordered(table)))
        ]


def _points_to(table: Table, target: str) -> list[Column[object]]:
    return [
        column
        for column in table.columns
        if any(fk.column.table.name == target for fk in column.foreign_keys)
    ]


def rows_of(settings: Settings, user_id: int, *, skip: Collection[str] = ()) -> list[str]:
    """Every row that belongs to the account ``user_id`` (see the module docstring).

    Tables are read parents first, so a row is found through any chain of keys:
    A's session, then its step events; C1's program template, then its versions.
    Tables named in ``skip`` are left out.
    """
    found: list[str] = []
    ids: dict[str, list[Any]] = {}  # table -> ids of the rows found in it
    with _connection(settings) as conn:
        for table in TABLES:
            conditions: list[ColumnElement[bool]] = []
            if table.name == "users":
                conditions.append(table.c.id == user_id)
            user_columns = _points_to(table, "users")
            user_columns += [c for c in table.columns if c.name == "patient_id"]
            conditions += [column == user_id for column in user_columns]
            for parent, parent_ids in ids.items():
                if parent != "users" and parent_ids:
                    conditions += [c.in_(parent_ids) for c in _points_to(table, parent)]
            if not conditions:
                continue
            rows = list(conn.execute(select(table).where(or_(*conditions))))
            if "id" in table.c:
                ids[table.name] = [row.id for row in rows]
            if table.name not in skip:
                found += sorted(_text(table, row) for row in rows)
    return found
