"""A file a command cannot write is bad input said plainly; a copy of the desk is an admin's."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from deskui.cli.exits import INPUT, NOT_ALLOWED
from deskui.cli.files import unwritable
from tests.cli.test_cli import db, run

__all__ = ["db"]  # the fixture, shared with test_cli

#: Each command that writes a file the person names, and the option that names it.
WRITERS = [
    (["db", "backup"], "path"),
    (["export", "--out"], "out"),
    (["report", "--period", "2026-11", "--out"], "out"),
    (["rules", "export", "--out"], "out"),
]


@pytest.mark.parametrize(("words", "field"), WRITERS, ids=lambda w: " ".join(w)[:14])
@pytest.mark.parametrize(
    ("where", "en", "zh"),
    [
        ("/nonexistent/dir/x.db", "its folder does not exist", "所在文件夹不存在"),
        ("/proc/x.db", "its folder takes no new files", "该文件夹不允许新建文件"),
    ],
    ids=["missing", "proc"],
)
def test_a_file_that_cannot_be_written_is_bad_input(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    words: list[str],
    field: str,
    where: str,
    en: str,
    zh: str,
) -> None:
    for lang, said in (("en", en), ("zh", zh)):
        code, out, err = run(capsys, monkeypatch, [*words, where, "--db", db, "--lang", lang])
        assert (code, out) == (INPUT, ""), err
        assert err.startswith(f"deskui: {field}: ") and said in err, err
        assert "Traceback" not in err and "No such file" not in err
    assert not Path(where).exists()


def test_a_folder_without_write_permission_is_said_so(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("this account writes anywhere (root)")
    code, _, err = run(
        capsys, monkeypatch, ["db", "backup", str(locked / "x.db"), "--db", db, "--lang", "en"]
    )
    assert code == INPUT
    assert err == (
        f"deskui: path: cannot write {locked / 'x.db'}: its folder takes no new files"
        " (no permission, or a read-only file system); nothing was written\n"
    )


@pytest.mark.parametrize(("login", "code"), [("op", NOT_ALLOWED), ("agent1", NOT_ALLOWED)])
def test_only_an_admin_backs_up_the_desk(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    login: str,
    code: int,
) -> None:
    target = tmp_path / "copy.db"
    got, out, err = run(
        capsys,
        monkeypatch,
        ["db", "backup", str(target), "--db", db, "--as", login, "--lang", "en"],
    )
    assert (got, out) == (code, ""), err
    assert "may not back up the desk's database" in err
    assert not target.exists()
    assert run(capsys, monkeypatch, ["db", "backup", str(target), "--db", db])[0] == 0
    assert target.exists()


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (errno.EACCES, "file.denied"),
        (errno.EPERM, "file.denied"),
        (errno.EROFS, "file.denied"),
        (errno.ENOENT, "file.no_folder"),
        (errno.ENOSPC, "file.write"),
    ],
)
def test_what_the_system_said_is_worded_by_the_desk(tmp_path: Path, number: int, code: str) -> None:
    error = unwritable("out", tmp_path / "gone" / "x", OSError(number, os.strerror(number)))
    assert (error.field, error.code) == ("out", code)
