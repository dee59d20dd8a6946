"""Who is at the console on a shared (PostgreSQL) desk: the role PostgreSQL logged in.

The installation (the superuser the suite runs as) adds the first admin and nothing else; each
desk user is a login role made by ``deskui user add``; ``--as`` names only yourself. The login
screen is driven against a cluster that really asks for passwords (scram-sha-256).
"""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deskui.cli import main
from deskui.cli.console import login_screen
from deskui.i18n import Catalog
from deskui.services.desk import DeskService, check_schema, prepare_database
from deskui.services.errors import PasswordRequired
from deskui.store.db import Database
from tests.cli.test_cli import CALL
from tests.conftest import _truncate, drop_roles_named, scratch_database

pytestmark = pytest.mark.postgres


def as_role(url: str, role: str, password: str | None = None) -> str:
    """The desk's URL, logging in as ``role`` (with ``password``, or none: ``URL.set`` would
    keep the superuser's)."""
    parsed = make_url(url)._replace(username=role, password=password)
    return parsed.render_as_string(hide_password=False)


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    args: list[str],
    stdin: str = "",
) -> tuple[int, str, str]:
    """``deskui ARGS --db URL``."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main([*args, "--db", url])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def role_prefix(pg_role_prefix: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """This test's prefix for the login roles it makes (roles are cluster-wide and outlive
    the desk's tables); under the session's, which drops them all at the end."""
    prefix = f"{pg_role_prefix}{uuid.uuid4().hex[:4]}_"
    monkeypatch.setenv("DESKUI_PG_ROLE_PREFIX", prefix)
    return prefix


@pytest.fixture
def shared_desk(postgres_url: str, role_prefix: str) -> Iterator[str]:
    """An emptied desk on PostgreSQL; the login roles made on it are dropped afterwards."""
    db = Database(postgres_url)
    _truncate(db)
    prepare_database(db)
    db.dispose()
    yield postgres_url
    drop_roles_named(postgres_url, role_prefix)


def test_the_installation_adds_the_first_admin_and_nothing_else(
    shared_desk: str,
    role_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = shared_desk
    code, out, _ = run(monkeypatch, capsys, owner, ["whoami", "--json"])
    assert json.loads(out)["established_by"] == "installation"
    # the installation cannot act at the desk, or be anyone by --as
    code, _, err = run(monkeypatch, capsys, owner, ["ticket", "create"], json.dumps(CALL))
    assert code == 5, err
    add = ["user", "add", "ada", "--name", "Ada", "--role", "admin", "--json"]
    code, out, err = run(monkeypatch, capsys, owner, add)
    assert code == 0, err
    assert json.loads(out)["db_role"] == f"{role_prefix}ada"
    code, _, err = run(
        monkeypatch, capsys, owner, ["user", "add", "eve", "--name", "E", "--role", "admin"]
    )
    assert code == 5 and "installation" in err
    ada = as_role(owner, f"{role_prefix}ada")
    code, out, _ = run(monkeypatch, capsys, ada, ["whoami", "--json"])
    me = json.loads(out)
    assert (me["login"], me["role"], me["established_by"]) == ("ada", "admin", "database_role")
    assert me["account"] == f"{role_prefix}ada"


def test_each_user_is_their_login_role_and_as_names_only_yourself(
    shared_desk: str,
    role_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = shared_desk
    run(monkeypatch, capsys, owner, ["user", "add", "ada", "--name", "Ada", "--role", "admin"])
    ada = as_role(owner, f"{role_prefix}ada")
    for login, role in (("bo", "agent"), ("cy", "operator")):
        code, _, err = run(
            monkeypatch,
            capsys,
            ada,
            ["user", "add", login, "--name", login, "--role", role, "--group", "hardware"],
        )
        assert code == 0, err
    bo, cy = as_role(owner, f"{role_prefix}bo"), as_role(owner, f"{role_prefix}cy")
    code, out, _ = run(monkeypatch, capsys, bo, ["whoami", "--json"])
    assert json.loads(out)["login"] == "bo"
    # --as is refused on a shared desk unless it names yourself; even an admin's
    for url, other in ((bo, "ada"), (cy, "bo"), (ada, "bo")):
        code, _, err = run(monkeypatch, capsys, url, ["whoami", "--as", other])
        assert code == 5 and "--as" in err, err
    code, out, _ = run(monkeypatch, capsys, bo, ["whoami", "--json", "--as", "BO"])
    assert json.loads(out)["login"] == "bo"
    # the operator logs the call as themself; the agent may not add users
    code, out, err = run(monkeypatch, capsys, cy, ["ticket", "create"], json.dumps(CALL))
    assert code == 0, err
    number = json.loads(out)["number"]
    code, out, _ = run(monkeypatch, capsys, bo, ["ticket", "show", number, "--json"])
    assert json.loads(out)["events"][0]["actor"] == "cy"
    code, _, err = run(
        monkeypatch, capsys, bo, ["user", "add", "m", "--name", "M", "--role", "admin"]
    )
    assert code == 5, err


def test_a_role_that_is_no_desk_user_is_nobody(
    shared_desk: str,
    role_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stranger = f"{role_prefix}stranger"
    engine = create_engine(shared_desk, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        database = make_url(shared_desk).database
        conn.execute(text(f'CREATE ROLE "{stranger}" LOGIN IN ROLE deskui_agent'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{stranger}"'))
    engine.dispose()
    code, _, err = run(monkeypatch, capsys, as_role(shared_desk, stranger), ["whoami"])
    assert code == 5 and stranger in err and "user add" in err


def test_a_disabled_user_can_no_longer_log_in(
    shared_desk: str,
    role_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = shared_desk
    run(monkeypatch, capsys, owner, ["user", "add", "ada", "--name", "Ada", "--role", "admin"])
    ada = as_role(owner, f"{role_prefix}ada")
    run(monkeypatch, capsys, ada, ["user", "add", "bo", "--name", "Bo", "--role", "agent"])
    code, _, err = run(monkeypatch, capsys, ada, ["user", "disable", "bo"])
    assert code == 0, err
    code, _, err = run(monkeypatch, capsys, as_role(owner, f"{role_prefix}bo"), ["whoami"])
    assert code == 6 and "not permitted to log in" in err
    with create_engine(owner).connect() as conn:
        can_login = conn.execute(
            text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"),
            {"r": f"{role_prefix}bo"},
        ).scalar_one()
    assert can_login is False
    code, _, _ = run(monkeypatch, capsys, ada, ["user", "enable", "bo"])
    code, out, _ = run(
        monkeypatch, capsys, as_role(owner, f"{role_prefix}bo"), ["whoami", "--json"]
    )
    assert code == 0 and json.loads(out)["login"] == "bo"


# password login, against a cluster that asks for passwords ---------------------------------------
@pytest.fixture
def scram_desk(scram_url: str, role_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated desk on the password cluster (its superuser URL, password included)."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with scratch_database(scram_url, "deskui_i") as url:
        yield url
    drop_roles_named(scram_url, role_prefix)


async def test_the_login_screen_lets_in_whom_the_server_accepts(
    scram_desk: str,
    role_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = scram_desk
    code, _, err = run(
        monkeypatch, capsys, owner, ["user", "add", "ada", "--name", "Ada", "--role", "admin"]
    )
    assert code == 0, err
    # the installation gives the first admin a password: from standard input (a prompt on a
    # terminal), never an option
    code, _, err = run(monkeypatch, capsys, owner, ["user", "passwd", "ada"], "first one\n")
    assert code == 0, err
    ada_with = as_role(owner, f"{role_prefix}ada", "first one")
    code, _, err = run(
        monkeypatch, capsys, ada_with, ["user", "add", "bo", "--name", "Bo", "--role", "agent"]
    )
    assert code == 0, err
    code, _, err = run(monkeypatch, capsys, owner, ["user", "passwd", "bo"], "not yours\n")
    assert code == 5 and "installation" in err
    # the admin changes their own
    code, _, err = run(monkeypatch, capsys, ada_with, ["user", "passwd", "ada"], "correct horse\n")
    assert code == 0, err
    # without a password: the command line says what is missing (exit 6) …
    ada = as_role(owner, f"{role_prefix}ada")
    code, _, err = run(monkeypatch, capsys, ada, ["whoami"])
    assert code == 6 and "password" in err
    # … and the console asks on its login screen
    db = Database(ada)
    with pytest.raises(PasswordRequired) as asked:
        check_schema(db)
    assert not asked.value.wrong
    app, accepted = login_screen(db, asked.value, Catalog("en"))
    async with app.run_test() as pilot:
        await pilot.press(*"first one", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "refused" in str(app.query_one("#login-message").render())
        await pilot.press(*"correct horse", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_value == "correct horse" and len(accepted) == 1
    who = DeskService(accepted[0]).identify(None)
    assert who.actor is not None and who.actor.login == "ada"
    accepted[0].dispose()
