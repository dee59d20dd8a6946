"""A personal SQLite desk is its owner's alone: files 0600, folders 0700."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from deskui.services.desk import prepare_database
from deskui.store.db import Database

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), which alone would make files 0644 and folders 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_desk_is_made_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "home" / "deskui" / "desk.db"
    db = Database(f"sqlite:///{path}")
    try:
        prepare_database(db)
        with db.write() as session:  # a write: the -wal and -shm files and the writers' lock
            session.connection().execute(text("SELECT 1"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.writelock")]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(tmp_path / "home") == 0o700
        assert mode(tmp_path / "home" / "deskui") == 0o700
    finally:
        db.dispose()


def test_an_existing_desk_keeps_its_modes(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(0o755)
    path = folder / "desk.db"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    Path(f"{path}.writelock").touch(0o644)
    db = Database(f"sqlite:///{path}")
    try:
        prepare_database(db)
        with db.write() as session:
            session.connection().execute(text("SELECT 1"))
    finally:
        db.dispose()
    assert mode(folder) == 0o755
    assert mode(path) == 0o644
    assert mode(Path(f"{path}.writelock")) == 0o644
