"""The schema: migrations match the models; SQLite runs WAL with foreign keys and IMMEDIATE
writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from deskui.config import DatabaseWaits
from deskui.store.db import Database, DatabaseUnavailable
from deskui.store.migrate import current_revision, head_revision, needs_upgrade
from deskui.store.text_search import is_index_table


def test_migrations_produce_exactly_the_models(database: Database) -> None:
    assert current_revision(database) == head_revision(database)
    assert not needs_upgrade(database)
    with database.engine.connect() as conn:
        # the full-text index's tables are the migrations' own (FTS5 virtual tables, tsvector)
        opts = {"include_name": lambda name, kind, _: kind != "table" or not is_index_table(name)}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), SQLModel.metadata)
    assert diff == []


def test_sqlite_pragmas(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/p.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # the busy timeout is the lock wait (10 s unless configured)
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    db.dispose()
    db = Database(f"sqlite:///{tmp_path}/p.db", waits=DatabaseWaits(lock=2.5))
    with db.read() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 2_500
    db.dispose()


#: A safety limit on waits for the other thread: they return as soon as it gets there, and this
#: only turns a hang (a writer that never queues) into a failure.
STUCK = 30.0


def test_sqlite_write_transactions_take_the_lock_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second writer waits at BEGIN, before reading, so read-then-write cannot interleave.

    The order is forced with events, not with sleeps: writer A reads, then holds its transaction
    open until writer B is known to be queued behind it, and only then writes and commits.

    How it fails without the locks:
    * without ``BEGIN IMMEDIATE`` (a deferred BEGIN), A holds no write lock after its read, so
      another program's ``BEGIN IMMEDIATE`` gets in: ``pytest.raises`` reports DID NOT RAISE;
    * without the writer turn (the ``flock`` in ``Database.write``), B is never queued: A's wait
      for it ends at ``STUCK`` with "the second writer did not queue"; and were B let through, it
      would read 0 while A is still open (the order would read ``b read 0``).
    """
    fcntl = pytest.importorskip("fcntl", reason="the writer turn is an flock where there is one")
    path = tmp_path / "l.db"
    db = Database(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE c (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO c VALUES (0)")
    order: list[str] = []
    b_queued = threading.Event()
    b_failed: list[BaseException] = []

    def flock(fd: int, operation: int) -> None:
        # the writer turn as Database.write takes it, telling the test when a writer has to
        # wait: a try without blocking fails only while another writer holds the turn
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            b_queued.set()
            if operation & fcntl.LOCK_NB:
                raise
            fcntl.flock(fd, operation)

    monkeypatch.setattr(
        "deskui.store.writer_turn.fcntl",
        SimpleNamespace(LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB, flock=flock),
    )

    def read_then_write(session: Session, name: str) -> int:
        value = int(session.execute(text("SELECT n FROM c")).scalar_one())
        order.append(f"{name} read {value}")
        return value

    def writer_b() -> None:
        try:
            with db.write() as session:
                value = read_then_write(session, "b")
                session.execute(text("UPDATE c SET n = :v"), {"v": value + 1})
                order.append("b wrote")
        except BaseException as exc:  # reported by the main thread
            b_failed.append(exc)

    b = threading.Thread(target=writer_b)
    with db.write() as session:
        value = read_then_write(session, "a")
        # another program on the same file does not take deskui's writer turn: SQLite itself
        # must refuse it a write transaction while A's is open, even though A has only read
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        b.start()
        assert b_queued.wait(STUCK), "the second writer did not queue behind the first"
        session.execute(text("UPDATE c SET n = :v"), {"v": value + 1})
        order.append("a wrote")
    b.join(STUCK)
    assert not b.is_alive() and not b_failed, b_failed
    assert order == ["a read 0", "a wrote", "b read 1", "b wrote"]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM c").scalar() == 2
    db.dispose()


def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(text("INSERT INTO user_group (user_id, group_id) VALUES (999, 999)"))


def desk_with_backup(tmp_path: Path) -> tuple[Database, Path, Path]:
    """A SQLite desk file holding one row, and a backup of it taken the way an operator would."""
    path = tmp_path / "desk.db"
    db = Database(f"sqlite:///{path}")
    with db.write() as session:
        session.execute(text("CREATE TABLE c (n INTEGER)"))
        session.execute(text("INSERT INTO c VALUES (1)"))
    backup = tmp_path / "backup.db"
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    return db, path, backup


def test_a_sqlite_file_that_goes_away_is_not_recreated_empty(tmp_path: Path) -> None:
    """Deleted under a running console: reads and writes fail; put back: they work again."""
    db, path, backup = desk_with_backup(tmp_path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(DatabaseUnavailable, match="gone"), db.write() as session:
        session.execute(text("INSERT INTO c VALUES (2)"))
    with pytest.raises(DatabaseUnavailable, match="gone"), db.read() as session:
        session.execute(text("SELECT n FROM c"))
    assert not path.exists()  # no empty database where the real one went missing
    shutil.copy(backup, path)
    with db.read() as session:
        assert session.execute(text("SELECT n FROM c")).scalars().all() == [1]
    db.dispose()


def test_a_sqlite_file_replaced_by_a_backup_is_the_one_read_and_written(tmp_path: Path) -> None:
    db, path, backup = desk_with_backup(tmp_path)
    with db.write() as session:
        session.execute(text("INSERT INTO c VALUES (2)"))
    with db.read() as session:  # a pooled connection stays open on the file
        assert session.execute(text("SELECT count(*) FROM c")).scalar() == 2
    with sqlite3.connect(path) as conn:  # the desk is quiet: its log is in the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(backup, path)  # the backup is put back while the console runs
    with db.write() as session:
        session.execute(text("INSERT INTO c VALUES (3)"))
    with db.read() as session:
        assert session.execute(text("SELECT n FROM c ORDER BY n")).scalars().all() == [1, 3]
    db.dispose()
    other = Database(f"sqlite:///{path}")
    with other.read() as session:
        assert session.execute(text("SELECT n FROM c ORDER BY n")).scalars().all() == [1, 3]
    other.dispose()


def test_a_new_sqlite_file_is_created_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    db = Database(f"sqlite:///{path}")
    with db.write() as session:
        session.execute(text("CREATE TABLE c (n INTEGER)"))
    assert path.exists() and db.path == path.absolute()
    db.dispose()
