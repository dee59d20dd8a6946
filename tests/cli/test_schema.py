"""A schema this deskui cannot use is refused plainly (exit 6, no traceback); ``db current``
always answers; a console never migrates a shared PostgreSQL desk; ``db backup``'s refusals."""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deskui.cli import exits, main
from deskui.services.desk import prepare_database
from deskui.services.errors import SchemaBehind, SchemaNewer
from deskui.store.db import Database
from deskui.store.migrate import current_revision, head_revision
from tests.conftest import postgres_admin_url

#: a revision past this deskui's newest: what a newer deskui's migration looks like to this one
FUTURE = "9999"


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def stamp(url: str, revision: str) -> None:
    """Write ``revision`` into the database's ``alembic_version``, as another deskui would."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    db.dispose()


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> str:
    path = str(tmp_path / "desk.db")
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    db.dispose()
    return path


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own (its schema is changed here)."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL tests need DESKUI_TEST_POSTGRES_URL")
    name = f"deskui_s_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def assert_newer_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    code, out, err = run(capsys, monkeypatch, ["db", "current", "--db", db])
    assert code == exits.DATABASE
    assert FUTURE in out and "newer" in out  # it still answers
    assert "newer than this deskui" in err and "upgrade deskui" in err
    assert "Traceback" not in out + err
    code, out, err = run(capsys, monkeypatch, ["db", "current", "--db", db, "--json"])
    assert code == exits.DATABASE
    assert json.loads(out)["revision"] == FUTURE
    assert json.loads(out)["standing"] == "newer"
    code, out, err = run(capsys, monkeypatch, ["ticket", "list", "--db", db])
    assert code == exits.DATABASE and out == ""
    assert "newer than this deskui" in err and "Traceback" not in err
    code, _, err = run(capsys, monkeypatch, ["ticket", "list", "--db", db, "--lang", "zh"])
    assert code == exits.DATABASE and "请升级 deskui" in err
    # nobody migrated it back or forth
    code, _, err = run(capsys, monkeypatch, ["db", "upgrade", "--db", db])
    assert code == exits.DATABASE and "upgrade deskui" in err


def test_a_newer_sqlite_schema_is_refused(
    sqlite_desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp(f"sqlite:///{sqlite_desk}", FUTURE)
    assert_newer_refused(capsys, monkeypatch, sqlite_desk)
    with sqlite3.connect(sqlite_desk) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (FUTURE,)


@pytest.mark.postgres
def test_a_newer_postgres_schema_is_refused(
    fresh_pg: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, monkeypatch, ["db", "upgrade", "--db", fresh_pg])[0] == 0
    stamp(fresh_pg, FUTURE)
    assert_newer_refused(capsys, monkeypatch, fresh_pg)


@pytest.mark.parametrize("revision", ["garbage", "9f8e7d6c5b4a", "", "0000"])
def test_a_revision_no_deskui_writes_is_called_unknown(
    sqlite_desk: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    revision: str,
) -> None:
    stamp(f"sqlite:///{sqlite_desk}", revision)
    code, out, err = run(capsys, monkeypatch, ["db", "current", "--db", sqlite_desk, "--json"])
    assert code == exits.DATABASE
    assert (json.loads(out)["revision"], json.loads(out)["standing"]) == (revision, "unknown")
    assert f"records the schema revision “{revision}”, which is not a deskui schema" in err
    assert "newer" not in err and "Traceback" not in err
    for args in (["ticket", "list"], ["db", "upgrade"]):
        code, out, err = run(capsys, monkeypatch, [*args, "--db", sqlite_desk, "--lang", "zh"])
        assert (code, out) == (exits.DATABASE, "")
        assert f"「{revision}」不是 deskui 的结构版本" in err
    with sqlite3.connect(sqlite_desk) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)


SCHEMA = "SELECT name, sql FROM sqlite_master ORDER BY name"


def test_a_desk_without_its_schema_version_is_left_as_it_is(
    sqlite_desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(sqlite_desk) as conn:
        conn.execute("DROP TABLE alembic_version")
        tables = conn.execute(SCHEMA).fetchall()
    code, out, err = run(capsys, monkeypatch, ["db", "current", "--db", sqlite_desk, "--json"])
    assert code == exits.DATABASE and json.loads(out)["standing"] == "missing"
    for args in (["ticket", "list"], ["db", "upgrade"], ["seed", "--demo"]):
        code, out, err = run(capsys, monkeypatch, [*args, "--db", sqlite_desk, "--lang", "en"])
        assert (code, out) == (exits.DATABASE, ""), err
        assert "the desk's schema version (alembic_version) is missing" in err
        assert "nothing was changed" in err and "already exists" not in err
    with sqlite3.connect(sqlite_desk) as conn:
        assert conn.execute(SCHEMA).fetchall() == tables


def test_db_current_answers_at_every_standing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "new.db")
    code, out, _ = run(capsys, monkeypatch, ["db", "current", "--db", path, "--json"])
    assert code == 0 and json.loads(out)["standing"] == "empty"
    assert run(capsys, monkeypatch, ["db", "upgrade", "--db", path])[0] == 0
    code, out, _ = run(capsys, monkeypatch, ["db", "current", "--db", path, "--json"])
    answer = json.loads(out)
    assert code == 0 and answer["standing"] == "current"
    assert answer["revision"] == answer["head"] == head_revision(Database(f"sqlite:///{path}"))
    stamp(f"sqlite:///{path}", "0001")
    code, out, _ = run(capsys, monkeypatch, ["db", "current", "--db", path])
    assert code == 0 and "0001 (behind" in out


def test_the_console_refuses_a_newer_schema(
    sqlite_desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from deskui.cli.console import run_console

    stamp(f"sqlite:///{sqlite_desk}", FUTURE)
    args = argparse.Namespace(db=sqlite_desk, user="op", lang="en", json=False, command=None)
    assert run_console(args) == exits.DATABASE
    err = capsys.readouterr().err
    assert "newer than this deskui" in err and "Traceback" not in err


@pytest.mark.postgres
def test_a_console_never_migrates_a_shared_desk(
    fresh_pg: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(fresh_pg)
    # a new shared desk: its owner makes the schema, not the first console that starts
    with pytest.raises(SchemaBehind):
        prepare_database(db)
    assert current_revision(db) is None
    code, _, err = run(capsys, monkeypatch, ["ticket", "list", "--db", fresh_pg])
    assert code == exits.DATABASE and "deskui db upgrade" in err
    assert "installation's owner" in err and "Traceback" not in err

    from deskui.cli.console import run_console

    args = argparse.Namespace(db=fresh_pg, user="op", lang="en", json=False, command=None)
    assert run_console(args) == exits.DATABASE
    assert "deskui db upgrade" in capsys.readouterr().err
    assert current_revision(db) is None

    # a behind schema is left as it is too
    assert run(capsys, monkeypatch, ["db", "upgrade", "--db", fresh_pg])[0] == 0
    prepare_database(db)  # current: nothing to refuse
    stamp(fresh_pg, "0001")
    with pytest.raises(SchemaBehind):
        prepare_database(db)
    assert current_revision(db) == "0001"
    stamp(fresh_pg, FUTURE)
    with pytest.raises(SchemaNewer):
        prepare_database(db)
    db.dispose()


def test_backup_refusals(
    sqlite_desk: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = str(tmp_path / "copy.db")
    assert run(capsys, monkeypatch, ["db", "backup", target, "--db", sqlite_desk])[0] == 0
    code, _, err = run(capsys, monkeypatch, ["db", "backup", target, "--db", sqlite_desk])
    assert code == exits.INPUT and "--force" in err
    code, _, _ = run(capsys, monkeypatch, ["db", "backup", target, "--db", sqlite_desk, "--force"])
    assert code == 0
    pg = "postgresql://nobody@127.0.0.1:1/none"
    code, out, err = run(capsys, monkeypatch, ["db", "backup", target, "--db", pg])
    assert code == exits.INPUT and "pg_dump" in err and out == ""
