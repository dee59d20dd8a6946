"""The schema: migrations match the models; SQLite runs WAL with foreign keys and IMMEDIATE writes."""

from __future__ import annotations

import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from deskui.store.db import Database
from deskui.store.migrate import current_revision, head_revision, needs_upgrade


def test_migrations_produce_exactly_the_models(database: Database) -> None:
    assert current_revision(database) == head_revision(database)
    assert not needs_upgrade(database)
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_sqlite_pragmas(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/p.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    db.dispose()


def test_sqlite_write_transactions_take_the_lock_first(tmp_path: object) -> None:
    """A second writer waits at BEGIN, before reading, so read-then-write cannot interleave."""
    db = Database(f"sqlite:///{tmp_path}/l.db")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE c (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO c VALUES (0)")
    order: list[str] = []

    def writer(name: str, hold: float) -> None:
        with db.write() as session:
            value = session.execute(text("SELECT n FROM c")).scalar_one()
            order.append(f"{name} read {value}")
            time.sleep(hold)
            session.execute(text("UPDATE c SET n = :v"), {"v": value + 1})
            order.append(f"{name} wrote")

    first = threading.Thread(target=writer, args=("a", 0.3))
    first.start()
    time.sleep(0.1)
    writer("b", 0)
    first.join()
    assert order == ["a read 0", "a wrote", "b read 1", "b wrote"]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM c").scalar() == 2
    db.dispose()


def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(text("INSERT INTO user_group (user_id, group_id) VALUES (999, 999)"))
