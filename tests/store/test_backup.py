"""``deskui db backup``: a consistent single-file copy of a SQLite desk while it is written."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.store.backup import backup_sqlite
from deskui.store.db import Database
from tests.conftest import FROZEN_AT, add_staff

#: a safety limit on waits for the writer thread: only turns a hang into a failure
STUCK = 60.0


def call(summary: str) -> IntakeRequest:
    return IntakeRequest(
        type="incident",
        category="hardware",
        channel="phone",
        impact=3,
        urgency=3,
        summary=summary,
        description=summary,
        requester=RequesterInput(name="张三", phone="138-0013-8000", department="财务部"),
    )


def numbers_in(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT number FROM ticket")}


def test_backup_while_another_console_writes(tmp_path: Path) -> None:
    source = tmp_path / "desk.db"
    setup = Database(f"sqlite:///{source}")
    prepare_database(setup)
    add_staff(DeskService(setup, FrozenClock(FROZEN_AT)))
    setup.dispose()

    committed: list[str] = []
    enough, stop = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def other_console() -> None:
        # its own engine, as another console's process would have
        db = Database(f"sqlite:///{source}")
        desk = DeskService(db, FrozenClock(FROZEN_AT))
        actor = desk.actor("op")
        try:
            while not stop.is_set():
                committed.append(desk.create_ticket(actor, call(f"call {len(committed)}")).number)
                if len(committed) >= 20:
                    enough.set()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            enough.set()
        finally:
            db.dispose()

    writer = threading.Thread(target=other_console)
    writer.start()
    try:
        assert enough.wait(STUCK)
        before = list(committed)  # every ticket committed before the backup starts
        target = backup_sqlite(source, tmp_path / "copy.db")
        more = len(committed)
    finally:
        stop.set()
        writer.join(STUCK)
    assert not failures, failures
    assert more >= len(before)

    assert set(before) <= numbers_in(target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # a complete single file: not in WAL mode, nothing beside it
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not (tmp_path / "copy.db-wal").exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")) == []


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "desk.db"
    db = Database(f"sqlite:///{source}")
    prepare_database(db)
    db.dispose()
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    with pytest.raises(FileExistsError):
        backup_sqlite(source, target)
    assert target.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".partial"] == []
    backup_sqlite(source, target, force=True)
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_never_creates_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError):
        backup_sqlite(tmp_path / "nowhere.db", tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
