"""Every wait on the database has a bound, from the settings: the SQLite writer turn and busy
timeout, PostgreSQL's session limits, and the driver errors that say a wait ran out."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from deskui.config import DatabaseWaits, SettingInvalid, Settings
from deskui.store.db import Database, DatabaseBusy

fcntl = pytest.importorskip("fcntl", reason="the writer turn is an flock where there is one")


def test_waits_come_from_the_environment_with_documented_defaults() -> None:
    assert DatabaseWaits.from_env({}) == DatabaseWaits(
        lock=10.0,
        statement=30.0,
        idle_in_transaction=30.0,
        connect=5,
        keepalive_idle=10,
        keepalive_interval=5,
        keepalive_count=3,
    )
    waits = DatabaseWaits.from_env(
        {"DESKUI_DB_LOCK_WAIT": "1.5", "DESKUI_DB_KEEPALIVES_COUNT": " 4 "}
    )
    assert (waits.lock, waits.keepalive_count, waits.statement) == (1.5, 4, 30.0)


@pytest.mark.parametrize(
    ("variable", "value", "whole"),
    [
        ("DESKUI_DB_LOCK_WAIT", "soon", False),
        ("DESKUI_DB_LOCK_WAIT", "0", False),
        ("DESKUI_DB_STATEMENT_TIMEOUT", "-1", False),
        ("DESKUI_DB_IDLE_IN_TRANSACTION_TIMEOUT", "nan", False),
        ("DESKUI_DB_IDLE_IN_TRANSACTION_TIMEOUT", "inf", False),
        ("DESKUI_DB_CONNECT_TIMEOUT", "2.5", True),
        ("DESKUI_DB_KEEPALIVES_IDLE", "0", True),
    ],
)
def test_a_wait_that_cannot_be_one_is_refused(variable: str, value: str, whole: bool) -> None:
    with pytest.raises(SettingInvalid) as info:
        DatabaseWaits.from_env({variable: value})
    assert (info.value.name, info.value.whole) == (variable, whole)


def test_settings_carry_the_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKUI_DB_LOCK_WAIT", "3")
    assert Settings.from_env(db=":memory:").waits.lock == 3.0


def test_a_held_writer_turn_is_given_up_after_the_lock_wait(tmp_path: Path) -> None:
    """Another writer holds the turn (as a stopped console does): the wait ends with
    DatabaseBusy and nothing written; once it lets go, the write goes through."""
    db = Database(f"sqlite:///{tmp_path}/desk.db", waits=DatabaseWaits(lock=0.2))
    with db.write() as session:
        session.execute(text("CREATE TABLE c (n INTEGER)"))
    assert db.lock_path is not None
    holder = os.open(db.lock_path, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        for _ in range(3):
            with pytest.raises(DatabaseBusy) as info, db.write() as session:
                session.execute(text("INSERT INTO c VALUES (1)"))
            assert (info.value.database, info.value.seconds) == ("desk.db", 0.2)
        # the writers that gave up left one blocked helper between them, not one each
        helpers = [t for t in threading.enumerate() if t.name == "deskui-writer-turn"]
        assert len(helpers) == 1
    finally:
        os.close(holder)
    # the abandoned helper lets go of the turn it gets: another console's writer has it next
    other = Database(db.url, waits=DatabaseWaits(lock=60.0))
    with other.write() as session:
        session.execute(text("INSERT INTO c VALUES (2)"))
    with db.write() as session:
        session.execute(text("INSERT INTO c VALUES (3)"))
    with db.read() as session:
        assert session.execute(text("SELECT n FROM c")).scalars().all() == [2, 3]
    other.dispose()
    db.dispose()


def test_a_writer_outside_deskui_makes_sqlite_busy_within_the_lock_wait(tmp_path: Path) -> None:
    """A program that does not take deskui's turn holds SQLite's write lock: the busy timeout
    (the lock wait) ends the wait, and the error is recognized as one that ran out."""
    path = tmp_path / "desk.db"
    db = Database(f"sqlite:///{path}", waits=DatabaseWaits(lock=0.2))
    with db.write() as session:
        session.execute(text("CREATE TABLE c (n INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as info, db.write() as session:
            session.execute(text("INSERT INTO c VALUES (1)"))
        assert db.wait_ran_out(info.value.orig) == 0.2
    finally:
        other.close()
    assert db.wait_ran_out(sqlite3.OperationalError("no such table: x")) is None
    db.dispose()


@pytest.mark.postgres
def test_postgres_sessions_carry_every_limit(postgres_url: str) -> None:
    waits = DatabaseWaits(
        lock=1.5,
        statement=7.0,
        idle_in_transaction=9.0,
        connect=3,
        keepalive_idle=11,
        keepalive_interval=4,
        keepalive_count=2,
    )
    url = f"{postgres_url}?options=-c%20application_name%3Ddesk-test%20-c%20jit%3Don"
    db = Database(url, waits=waits)
    for session_of in (db.read, db.write):
        with session_of() as session:
            shown = {
                name: session.execute(text(f"SHOW {name}")).scalar()
                for name in (
                    "lock_timeout",
                    "statement_timeout",
                    "idle_in_transaction_session_timeout",
                    "work_mem",
                    "jit",
                    "application_name",  # options in the URL are kept
                )
            }
            assert shown == {
                "lock_timeout": "1500ms",
                "statement_timeout": "7s",
                "idle_in_transaction_session_timeout": "9s",
                "work_mem": "64MB",
                "jit": "on",  # the URL's own options win over the desk's
                "application_name": "desk-test",
            }
            driver = session.connection().connection.dbapi_connection
            assert isinstance(driver, psycopg.Connection)
            params = driver.info.get_parameters()
            assert {k: params[k] for k in ("connect_timeout", "keepalives", "keepalives_idle")} == {
                "connect_timeout": "3",
                "keepalives": "1",
                "keepalives_idle": "11",
            }
            assert (params["keepalives_interval"], params["keepalives_count"]) == ("4", "2")
    db.dispose()
    plain = Database(postgres_url)
    with plain.read() as session:
        assert session.execute(text("SHOW jit")).scalar() == "off"
        assert session.execute(text("SHOW work_mem")).scalar() == "64MB"
    plain.dispose()


@pytest.mark.postgres
def test_postgres_lock_and_statement_limits_are_recognized(postgres_url: str) -> None:
    db = Database(postgres_url, waits=DatabaseWaits(lock=0.2, statement=0.3))
    holder = Database(postgres_url)
    with holder.write() as held:
        held.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        with pytest.raises(OperationalError) as info, db.write() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        assert db.wait_ran_out(info.value.orig) == 0.2
    with pytest.raises(OperationalError) as info, db.read() as session:
        session.execute(text("SELECT pg_sleep(30)"))
    assert db.wait_ran_out(info.value.orig) == 0.3
    holder.dispose()
    db.dispose()
