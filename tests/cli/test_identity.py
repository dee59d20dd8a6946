"""Who is at the console on a one-machine (SQLite) desk: the OS account, never a flag.

Other OS accounts are played by replacing :func:`deskui.services.identity.os_account` (the only
place the process's account is read); everything else runs the real command line.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services import identity
from tests.cli.test_cli import CALL


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    account: str,
    args: list[str],
    stdin: str = "",
) -> tuple[int, str, str]:
    """``deskui ARGS`` as the OS account ``account``."""
    monkeypatch.setattr(identity, "os_account", lambda: account)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def desk_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A desk whose admin ``ada`` works from the account ``alice``, with an agent ``bo``
    (account ``bob``) and an operator ``cy`` (account ``carol``)."""
    db = str(tmp_path / "desk.db")
    steps = [
        ("alice", ["user", "add", "ada", "--name", "Ada", "--role", "admin"]),
        ("alice", ["user", "add", "bo", "--name", "Bo", "--role", "agent", "--os-login", "bob"]),
        (
            "alice",
            ["user", "add", "cy", "--name", "Cy", "--role", "operator", "--os-login", "carol"],
        ),
    ]
    for account, args in steps:
        code, _, err = run(monkeypatch, capsys, account, [*args, "--db", db])
        assert code == 0, err
    return db


def whoami(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], account: str, *extra: str
) -> tuple[int, dict[str, object], str]:
    code, out, err = run(monkeypatch, capsys, account, ["whoami", "--json", *extra])
    return code, (json.loads(out) if code == 0 else {}), err


def test_the_first_user_is_the_admin_bound_to_the_account_adding_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.db")
    code, out, _ = run(monkeypatch, capsys, "alice", ["whoami", "--json", "--db", db])
    assert code == 0 and json.loads(out)["established_by"] == "new_desk"
    # the first user must be the admin
    code, _, err = run(
        monkeypatch,
        capsys,
        "alice",
        ["user", "add", "x", "--name", "X", "--role", "agent", "--db", db],
    )
    assert code == 2 and "admin" in err
    code, _, err = run(
        monkeypatch,
        capsys,
        "alice",
        ["user", "add", "ada", "--name", "Ada", "--role", "admin", "--db", db],
    )
    assert code == 0, err
    code, out, _ = run(monkeypatch, capsys, "alice", ["whoami", "--json", "--db", db])
    me = json.loads(out)
    assert (me["login"], me["role"], me["established_by"], me["account"]) == (
        "ada",
        "admin",
        "os_account",
        "alice",
    )
    # from now on, user commands are an admin's: another account is nobody here
    code, _, err = run(
        monkeypatch,
        capsys,
        "mallory",
        ["user", "add", "m", "--name", "M", "--role", "admin", "--db", db],
    )
    assert code == 5 and "mallory" in err


def test_as_is_only_yourself_unless_an_admin_acts_for_someone(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", desk_file]
    code, me, _ = whoami(monkeypatch, capsys, "bob", *db)
    assert (code, me["login"], me["established_by"]) == (0, "bo", "os_account")
    # naming yourself is fine, in any case or width
    code, me, _ = whoami(monkeypatch, capsys, "bob", *db, "--as", "ＢＯ")
    assert (code, me["login"]) == (0, "bo")
    # an agent cannot be the lead, or anyone else, by typing it
    for account, other in (("bob", "ada"), ("bob", "cy"), ("carol", "bo")):
        code, _, err = run(monkeypatch, capsys, account, ["whoami", *db, "--as", other])
        assert code == 5 and account in err, err
    code, _, err = run(monkeypatch, capsys, "bob", ["whoami", *db, "--as", "ada", "--lang", "zh"])
    assert code == 5 and "只接受你本人" in err
    # an account bound to nobody is nobody, with or without --as
    for extra in ([], ["--as", "bo"]):
        code, _, err = run(monkeypatch, capsys, "mallory", ["whoami", *db, *extra])
        assert code == 5 and "user edit" in err
    # the admin acts for the agent: the agent's rights, and both names on record
    code, me, _ = whoami(monkeypatch, capsys, "alice", *db, "--as", "bo")
    assert (me["login"], me["role"], me["established_by"], me["acting_admin"]) == (
        "bo",
        "agent",
        "admin_for",
        "ada",
    )
    code, out, err = run(
        monkeypatch, capsys, "alice", ["ticket", "create", *db, "--as", "cy"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    code, out, _ = run(monkeypatch, capsys, "carol", ["ticket", "show", number, "--json", *db])
    first = json.loads(out)["events"][0]
    assert (first["actor"], first["acting_admin"]) == ("cy", "ada")


def test_user_commands_are_for_admins(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", desk_file]
    for account in ("bob", "carol"):
        code, _, err = run(
            monkeypatch,
            capsys,
            account,
            ["user", "add", "m", "--name", "M", "--role", "admin", *db],
        )
        assert code == 5, err
        code, _, err = run(
            monkeypatch, capsys, account, ["user", "edit", "bo", "--role", "admin", *db]
        )
        assert code == 5, err
    code, out, _ = run(monkeypatch, capsys, "bob", ["user", "list", "--json", *db])
    users = {u["login"]: u for u in json.loads(out)}
    assert users["bo"]["role"] == "agent" and "m" not in users


def test_logins_are_normalised_and_look_alikes_refused(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", desk_file]
    add = ["user", "add", "--name", "N", "--role", "agent", *db]
    for login in ("ADA", "Ａｄａ", "аda", "bо", "b0", "c y"):
        code, _, err = run(monkeypatch, capsys, "alice", [*add[:2], login, *add[2:]])
        assert code == 2, (login, err)
    code, _, err = run(monkeypatch, capsys, "alice", [*add[:2], "аda", *add[2:], "--lang", "zh"])
    assert "ada" in err and "混淆" in err
    code, out, err = run(
        monkeypatch,
        capsys,
        "alice",
        [*add[:2], "Dora.Li", *add[2:], "--os-login", "dora", "--json"],
    )
    assert code == 0, err
    assert json.loads(out)["login"] == "dora.li"


def test_a_disabled_user_can_no_longer_act_and_the_last_admin_stays(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", desk_file]
    code, _, err = run(monkeypatch, capsys, "alice", ["user", "disable", "bo", *db])
    assert code == 0, err
    code, _, err = run(monkeypatch, capsys, "bob", ["ticket", "create", *db], json.dumps(CALL))
    assert code == 5 and "bo" in err
    # nobody disables themselves or demotes the last admin
    code, _, err = run(monkeypatch, capsys, "alice", ["user", "disable", "ada", *db])
    assert code == 2, err
    code, _, err = run(
        monkeypatch, capsys, "alice", ["user", "edit", "ada", "--role", "agent", *db]
    )
    assert code == 2 and "admin" in err
    # history keeps the user: enabled again, they act again
    code, _, _ = run(monkeypatch, capsys, "alice", ["user", "enable", "bo", *db])
    code, me, _ = whoami(monkeypatch, capsys, "bob", *db)
    assert (code, me["login"]) == (0, "bo")


def test_user_changes_are_recorded_with_who_made_them(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = ["--db", desk_file]
    run(
        monkeypatch,
        capsys,
        "alice",
        ["user", "edit", "bo", "--name", "Bo Li", "--group", "network", *db],
    )
    with sqlite3.connect(desk_file) as conn:
        rows = conn.execute(
            "SELECT e.note, u.login, e.old_value, e.new_value FROM setting_event e "
            "LEFT JOIN desk_user u ON u.id = e.actor_id WHERE e.key = 'users' ORDER BY e.id"
        ).fetchall()
    assert [(note, who) for note, who, _, _ in rows] == [
        ("add", None),  # the first admin, added by the account with nobody at the desk yet
        ("add", "ada"),
        ("add", "ada"),
        ("edit", "ada"),
    ]
    before, after = json.loads(rows[-1][2]), json.loads(rows[-1][3])
    assert (before["name"], after["name"], after["groups"]) == ("Bo", "Bo Li", ["network"])


def test_the_demo_desk_lets_as_pick_any_demo_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "demo.db")]
    code, _, err = run(monkeypatch, capsys, "anyone", ["seed", "--demo", "--tickets", "3", *db])
    assert code == 0, err
    code, me, _ = whoami(monkeypatch, capsys, "anyone", *db, "--as", "lead")
    assert (me["login"], me["established_by"], me["demo"]) == ("lead", "demo", True)
    code, me, _ = whoami(monkeypatch, capsys, "anyone", *db)
    assert (me["login"], me["demo"]) == ("op", True)
    code, out, _ = run(monkeypatch, capsys, "anyone", ["whoami", *db, "--lang", "zh"])
    assert "演示服务台" in out


def test_the_calendar_is_kept_by_the_admin_from_the_command_line(
    desk_file: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", desk_file]
    code, out, _ = run(monkeypatch, capsys, "bob", ["calendar", "show", "2027", "--json", *db])
    assert code == 0 and json.loads(out)["coverage"] == "provisional"
    schedule = tmp_path / "2027.toml"
    schedule.write_text('year = 2027\n[holidays]\n"2027-01-01" = "元旦"\n', encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "bob", ["calendar", "import", str(schedule), *db])
    assert code == 5, err
    code, out, err = run(
        monkeypatch, capsys, "alice", ["calendar", "import", str(schedule), *db, "--lang", "zh"]
    )
    assert code == 0 and "已由本服务台录入全年安排" in out and "元旦" in out, err
    code, _, err = run(monkeypatch, capsys, "alice", ["calendar", "add-holiday", "2027-1-1", *db])
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = run(
        monkeypatch,
        capsys,
        "alice",
        ["calendar", "add-workday", "2027-02-20", "--name", "调休", *db],
    )
    assert code == 0 and "2027-02-20" in out
    code, out, _ = run(monkeypatch, capsys, "bob", ["calendar", "show", "2027", "--json", *db])
    shown = json.loads(out)
    assert shown["covered"] and shown["workdays"][0]["name"] == "调休"


def test_changed_rules_reach_an_existing_desk_by_import(
    desk_file: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Editing data/matrix.toml changes nothing on an existing desk; `rules import` does, for
    an admin, after showing the difference, validated as a whole and audited."""
    import tomllib

    import tomli_w

    db = ["--db", desk_file]
    exported = tmp_path / "rules.toml"
    code, _, err = run(monkeypatch, capsys, "bob", ["rules", "export", "--out", str(exported), *db])
    assert code == 0, err
    document = tomllib.loads(exported.read_text(encoding="utf-8"))
    document["matrix"]["matrix"]["I3"] = ["P1", "P1", "P1", "P1"]
    changed = tmp_path / "changed.toml"
    changed.write_text(tomli_w.dumps(document), encoding="utf-8")
    # no terminal to ask, no --yes: the diff is shown and nothing is saved
    code, out, err = run(monkeypatch, capsys, "alice", ["rules", "import", str(changed), *db])
    assert code == 2 and '-    "P2",' in out and "--yes" in err
    # not an admin
    code, _, err = run(monkeypatch, capsys, "bob", ["rules", "import", str(changed), "--yes", *db])
    assert code == 5, err
    # a warning at 700 % of the target: the whole document is refused
    document["sla"]["warning_ratio"] = 7
    bad = tmp_path / "bad.toml"
    bad.write_text(tomli_w.dumps(document), encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "alice", ["rules", "import", str(bad), "--yes", *db])
    assert code == 2 and "nothing was saved" in err
    call = {**CALL, "impact": 3, "urgency": 4}
    code, out, _ = run(monkeypatch, capsys, "carol", ["ticket", "create", *db], json.dumps(call))
    assert json.loads(out)["priority"] == "P4"
    code, out, err = run(
        monkeypatch, capsys, "alice", ["rules", "import", str(changed), "--yes", *db]
    )
    assert code == 0 and "matrix" in out, err
    code, out, _ = run(monkeypatch, capsys, "carol", ["ticket", "create", *db], json.dumps(call))
    assert json.loads(out)["priority"] == "P1"
    code, out, _ = run(
        monkeypatch, capsys, "alice", ["rules", "import", str(changed), "--yes", *db]
    )
    assert code == 0 and "already" in out
    code, out, _ = run(monkeypatch, capsys, "alice", ["audit", "verify", *db])
    assert code == 0, out


def test_groups_are_kept_by_the_admin_and_on_the_record(
    desk_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = ["--db", desk_file]
    add = [
        "group",
        "add",
        "printers",
        "--name-zh",
        "打印组",
        "--name-en",
        "Printers",
        "--tier",
        "2",
    ]
    code, _, err = run(monkeypatch, capsys, "bob", [*add, *db])
    assert code == 5, err
    code, out, err = run(monkeypatch, capsys, "alice", [*add, *db, "--json"])
    assert code == 0 and json.loads(out)["tier"] == 2, err
    code, _, err = run(monkeypatch, capsys, "alice", [*add, *db])
    assert code == 2 and "printers" in err
    # the lead must be a member
    code, _, err = run(
        monkeypatch, capsys, "alice", ["group", "edit", "printers", "--lead", "bo", *db]
    )
    assert code == 2 and "member" in err
    run(monkeypatch, capsys, "alice", ["user", "edit", "bo", "--group", "printers", *db])
    code, out, err = run(
        monkeypatch,
        capsys,
        "alice",
        ["group", "edit", "printers", "--lead", "bo", "--tier", "3", *db, "--json"],
    )
    assert code == 0, err
    assert (json.loads(out)["lead"], json.loads(out)["members"]) == ("bo", ["bo"])
    code, out, _ = run(monkeypatch, capsys, "carol", ["group", "list", "--json", *db])
    listed = {g["code"]: g for g in json.loads(out)}
    assert listed["printers"]["tier"] == 3 and "hardware" in listed
    code, out, _ = run(monkeypatch, capsys, "alice", ["audit", "verify", *db])
    assert code == 0, out
    # a tier changed by hand is named
    with sqlite3.connect(desk_file) as conn:
        conn.execute("UPDATE support_group SET tier = 1 WHERE code = 'printers'")
    code, out, _ = run(monkeypatch, capsys, "alice", ["audit", "verify", "--json", *db])
    found = json.loads(out)["findings"]
    assert code == 7 and [(f["problem"], f["key"]) for f in found] == [("group", "printers")]
