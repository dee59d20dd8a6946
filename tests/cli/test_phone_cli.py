"""A requester's phone on the command line, on SQLite and PostgreSQL, by the console's rule: the
ticket's holder reads it whole, anyone else masked; ``ticket show --reveal-phone`` reads it whole
on the record (one ``phone_revealed`` event, as the detail's ``v``), and is refused to nobody at
the desk. Lists and the directory search show it masked to everyone, as the queue and the
caller lookup do."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from deskui.cli.exits import INPUT, NOT_ALLOWED
from deskui.core.enums import EventKind
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from tests.cli.test_cli import run
from tests.services.test_intake import call

WHOLE = "138-0013-8000"
MASKED = "138****8000"


@dataclass
class CommandLine:
    """``deskui`` run at the test's desk, as one of its people or as nobody at the desk."""

    desk: DeskService
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    url_as: Callable[[DeskService, str], str]

    def run(self, login: str | None, *args: str) -> tuple[int, str, str]:
        """``deskui ARGS`` as ``login`` (None: from the desk's own URL, naming nobody)."""
        who = ["--db", self.url_as(self.desk, login), "--as", login] if login else []
        return run(self.capsys, self.monkeypatch, [*args, *(who or ["--db", self.desk.db.url])])

    def json(self, login: str, *args: str) -> Any:
        """What ``deskui ARGS --json`` printed, as ``login``; the command must succeed."""
        code, out, err = self.run(login, *args, "--json")
        assert code == 0, err
        return json.loads(out)

    def phone(self, login: str, number: str, *options: str) -> tuple[str | None, bool]:
        """``ticket show --json``'s requester phone and ``phone_masked``, as ``login``."""
        requester = self.json(login, "ticket", "show", number, *options)["requester"]
        return requester["phone"], requester["phone_masked"]

    def text(self, login: str | None, *args: str) -> str:
        """What ``deskui ARGS`` printed, as ``login``; the command must succeed."""
        code, out, err = self.run(login, *args)
        assert code == 0, err
        return out


@pytest.fixture
def cli(
    desk: DeskService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url_as: Callable[[DeskService, str], str],
) -> CommandLine:
    """The command line at the test's desk."""
    return CommandLine(desk, capsys, monkeypatch, url_as)


def reveals(desk: DeskService, number: str) -> list[str | None]:
    """Who revealed the requester's phone of ``number``, oldest first."""
    return [e.actor for e in desk.ticket(number).events if e.kind == EventKind.PHONE_REVEALED]


def held_ticket(desk: DeskService) -> str:
    """A call from 张三 that agent1 holds."""
    number = desk.create_ticket(desk.actor("op"), call()).number
    desk.claim(desk.actor("agent1"), number)
    assert desk.ticket(number).requester.phone == WHOLE
    return number


def test_the_holder_reads_the_phone_whole_and_anyone_else_masked(
    desk: DeskService, cli: CommandLine
) -> None:
    number = held_ticket(desk)
    for login in ("op", "agent2", "lead", "admin"):
        assert cli.phone(login, number) == (MASKED, True), login
        out = cli.text(login, "ticket", "show", number)
        assert f"张三 {MASKED}" in out and WHOLE not in out, (login, out)
    assert cli.phone("agent1", number) == (WHOLE, False)
    assert f"张三 {WHOLE}" in cli.text("agent1", "ticket", "show", number)
    # reading is not revealing: nothing on the record
    assert reveals(desk, number) == []


def test_reveal_phone_is_one_reading_on_the_record(desk: DeskService, cli: CommandLine) -> None:
    number = held_ticket(desk)
    version = desk.ticket(number).version
    shown = cli.json("op", "ticket", "show", number, "--reveal-phone")
    assert (shown["requester"]["phone"], shown["requester"]["phone_masked"]) == (WHOLE, False)
    assert reveals(desk, number) == ["op"]
    assert [e["kind"] for e in shown["events"]].count("phone_revealed") == 1
    # a reading changes nothing of the ticket
    assert shown["version"] == version
    assert f"张三 {WHOLE}" in cli.text("lead", "ticket", "show", number, "--reveal-phone")
    assert reveals(desk, number) == ["op", "lead"]
    # the holder reads it anyway: nothing is recorded
    assert cli.phone("agent1", number, "--reveal-phone") == (WHOLE, False)
    assert reveals(desk, number) == ["op", "lead"]
    # the next plain reading is masked again: a reveal is one reading, not a grant
    assert cli.phone("op", number) == (MASKED, True)


def test_a_reveal_is_refused_to_nobody_at_the_desk(desk: DeskService, cli: CommandLine) -> None:
    number = held_ticket(desk)
    if desk.db.is_sqlite:
        # this OS account is bound to nobody at the desk any more
        desk.edit_user(desk.identify(None), "admin", os_login="elsewhere")
    # on PostgreSQL the suite's own login is the installation: nobody at the desk
    code, out, err = cli.run(None, "ticket", "show", number, "--reveal-phone", "--json")
    assert (code, out) == (NOT_ALLOWED, ""), err
    assert err.startswith("deskui: ") and "Traceback" not in err
    assert reveals(desk, number) == []
    # reading the ticket needs nobody: it is shown as to anyone who does not hold it
    out = cli.text(None, "ticket", "show", number)
    assert f"张三 {MASKED}" in out and WHOLE not in out, out


def test_nothing_to_reveal_is_bad_input(desk: DeskService, cli: CommandLine) -> None:
    no_phone = RequesterInput(name="李四", extension="8021")
    number = desk.create_ticket(desk.actor("op"), call(requester=no_phone)).number
    assert cli.phone("op", number) == (None, False)
    code, out, err = cli.run("op", "ticket", "show", number, "--reveal-phone", "--lang", "en")
    assert (code, out) == (INPUT, ""), err
    assert reveals(desk, number) == []


def test_changes_lists_and_the_directory_follow_the_console(
    desk: DeskService, cli: CommandLine
) -> None:
    number = desk.create_ticket(desk.actor("op"), call()).number
    # a change prints the ticket as its detail shows it to whoever made it: claimed, it is theirs
    claimed = cli.json("agent1", "ticket", "claim", number)
    assert claimed["requester"]["phone"] == WHOLE
    noted = cli.json("op", "ticket", "worklog", number, "--text", "又来电")
    assert noted["requester"]["phone"] == MASKED
    # a list masks every phone, the holder's own tickets' too, as the queue does
    listed = cli.json("agent1", "ticket", "list")
    assert [(t["requester"]["phone"], t["requester"]["phone_masked"]) for t in listed] == [
        (MASKED, True)
    ]
    out = cli.text("agent1", "ticket", "list")
    assert f"张三 {MASKED}" in out and WHOLE not in out, out
    # the directory search is the intake's caller lookup: masked for everyone, admins too
    for login in ("op", "admin"):
        found = cli.json(login, "directory", "search", "zhangsan")
        assert [(r["name"], r["phone"], r["phone_masked"]) for r in found] == [
            ("张三", MASKED, True)
        ]
        assert set(found[0]) >= {"id", "department", "extension", "employee_id", "vip", "site"}
        out = cli.text(login, "directory", "search", "zhangsan")
        assert out.startswith(f"张三  {MASKED}") and WHOLE not in out, out
    assert reveals(desk, number) == []
