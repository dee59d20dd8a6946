"""Text longer than its column is refused by name, on each database, before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlmodel import select

from deskui.cli.exits import INPUT
from deskui.services.desk import DeskService
from deskui.store.models import Requester, User
from tests.cli.test_cli import CALL, run


@pytest.mark.parametrize(
    ("field", "limit"), [("department", 120), ("company", 120), ("employee_id", 32)]
)
def test_a_requester_field_longer_than_its_column_is_bad_input(
    desk: DeskService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url_as: Callable[[DeskService, str], str],
    field: str,
    limit: int,
) -> None:
    body = json.loads(json.dumps(CALL))
    body["requester"][field] = "名" * 300
    create = ["ticket", "create", "--db", url_as(desk, "op"), "--as", "op", "--lang", "en"]
    code, out, err = run(capsys, monkeypatch, create, json.dumps(body))
    assert (code, out) == (INPUT, ""), err
    assert err == f"deskui: requester.{field}: is 300 characters long; at most {limit}\n"
    assert desk.read(lambda s: s.exec(select(Requester)).all()) == []


@pytest.mark.parametrize("command", ["add", "edit"])
def test_a_user_name_longer_than_its_column_is_bad_input(
    desk: DeskService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url_as: Callable[[DeskService, str], str],
    command: str,
) -> None:
    url = url_as(desk, "admin")
    args = ["user", command, "bob" if command == "add" else "agent1", "--name", "名" * 500]
    args += ["--role", "agent"] if command == "add" else []
    code, out, err = run(capsys, monkeypatch, [*args, "--db", url, "--as", "admin", "--lang", "en"])
    assert (code, out) == (INPUT, ""), err
    assert err == "deskui: name: is 500 characters long; at most 80\n"
    names = desk.read(lambda s: sorted(u.name for u in s.exec(select(User)).all()))
    assert all(len(name) < 80 for name in names)
    assert "bob" not in desk.read(lambda s: [u.login for u in s.exec(select(User)).all()])
