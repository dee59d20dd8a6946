"""A desk shared by several accounts of one machine: ``DESKUI_DB_GROUP`` makes a new SQLite
desk its group's (files 0660, folders 2770), and is refused clearly when it cannot."""

from __future__ import annotations

import grp
import os
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from deskui.cli import main
from deskui.cli.exits import INPUT
from deskui.config import SHARED_GROUP_ENV, DeskGroupRefused
from deskui.services.desk import prepare_database
from deskui.store.db import Database
from tests.store.test_file_modes import open_umask

__all__ = ["open_umask"]  # the fixture, shared with test_file_modes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX groups")


def _own_group() -> str:
    return grp.getgrgid(os.getegid()).gr_name


def _desk(path: Path) -> dict[str, tuple[int, int]]:
    """Make (or open) the desk at ``path`` and write to it; each of its files' mode and group,
    read while it is open (closing removes the -wal and -shm files)."""
    db = Database(f"sqlite:///{path}")
    try:
        prepare_database(db)
        with db.write() as session:  # a write: the -wal and -shm files and the writers' lock
            session.connection().execute(text("SELECT 1"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.writelock")]
        return {f.name: (stat.S_IMODE(f.stat().st_mode), f.stat().st_gid) for f in files}
    finally:
        db.dispose()


def test_a_new_desk_belongs_to_the_group(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARED_GROUP_ENV, _own_group())
    path = tmp_path / "srv" / "desk" / "desk.db"
    files = _desk(path)
    assert len(files) == 4
    assert set(files.values()) == {(0o660, os.getegid())}
    for folder in (tmp_path / "srv", tmp_path / "srv" / "desk"):
        info = folder.stat()
        assert stat.S_IMODE(info.st_mode) == 0o2770  # 0770, and new files take the group
        assert info.st_gid == os.getegid()


def test_an_unknown_group_is_refused_and_nothing_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARED_GROUP_ENV, "no-such-group-deskui")
    with pytest.raises(DeskGroupRefused) as caught:
        Database(f"sqlite:///{tmp_path}/new/desk.db")
    assert caught.value.reason == "unknown"
    assert not (tmp_path / "new").exists()


def test_a_group_this_account_is_not_in_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = {os.getegid(), *os.getgroups()}
    other = next((g.gr_name for g in grp.getgrall() if g.gr_gid not in mine), None)
    if other is None:
        pytest.skip("this account is in every group of the system")
    monkeypatch.setenv(SHARED_GROUP_ENV, other)
    with pytest.raises(DeskGroupRefused) as caught:
        Database(f"sqlite:///{tmp_path}/new/desk.db")
    assert caught.value.reason == "not_member"
    assert not (tmp_path / "new").exists()


def test_an_existing_folder_that_is_not_the_groups_is_refused(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir(0o755)
    monkeypatch.setenv(SHARED_GROUP_ENV, _own_group())
    with pytest.raises(DeskGroupRefused) as caught:
        Database(f"sqlite:///{folder}/desk.db")
    assert (caught.value.reason, caught.value.folder) == ("folder", str(folder))
    assert list(folder.iterdir()) == []
    # made the group's, with the setgid bit, it is accepted
    os.chmod(folder, 0o2770)
    _desk(folder / "desk.db")
    assert stat.S_IMODE((folder / "desk.db").stat().st_mode) == 0o660


def test_an_existing_desk_keeps_its_modes(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "own" / "desk.db"
    _desk(path)
    monkeypatch.setenv(SHARED_GROUP_ENV, "no-such-group-deskui")  # not consulted: not new
    _desk(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "there is no group no-such-group-deskui"), ("zh", "没有名为 no-such-group-deskui")],
)
def test_the_command_line_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    words: str,
) -> None:
    monkeypatch.setenv(SHARED_GROUP_ENV, "no-such-group-deskui")
    code = main(["user", "list", "--db", str(tmp_path / "d" / "desk.db"), "--lang", lang])
    err = capsys.readouterr().err
    assert code == INPUT
    assert words in err and "Traceback" not in err
    assert err.startswith("deskui: DESKUI_DB_GROUP: ")
