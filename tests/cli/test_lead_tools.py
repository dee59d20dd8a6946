"""A ticket's whole life from the command line: the lead's override (and clearing it), assigning
to a named agent, a new estimate, and the desk's close after the requester's confirmation."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def ticket(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database: str,
    *args: str,
    who: str | None = None,
) -> tuple[int, dict[str, object], str]:
    as_ = ["--as", who] if who else []
    code, out, err = run(capsys, monkeypatch, ["ticket", *args, "--db", database, "--json", *as_])
    return code, (json.loads(out) if code == 0 else {}), err


def test_a_ticket_from_the_call_to_its_close(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    assert json.loads(out)["priority"] == "P1"  # I2 × U1

    # the lead (boss, the admin: this OS account) overrides, then clears it
    code, view, err = ticket(
        capsys,
        monkeypatch,
        db,
        "override",
        number,
        "--priority",
        "P3",
        "--reason",
        "只影响一台测试机",
    )
    assert code == 0, err
    assert (view["priority"], view["override_reason"]) == ("P3", "只影响一台测试机")
    code, view, err = ticket(
        capsys, monkeypatch, db, "override", number, "--clear", "--reason", "确认影响整层"
    )
    assert code == 0, err
    assert (view["priority"], view["override_reason"]) == ("P1", None)
    # an operator may not; and a reason is required
    code, _, err = ticket(
        capsys, monkeypatch, db, "override", number, "--priority", "P4", "--reason", "x", who="op"
    )
    assert code == 5, err
    with pytest.raises(SystemExit) as usage:
        run(capsys, monkeypatch, ["ticket", "override", number, "--priority", "P4", "--db", db])
    assert usage.value.code == 2 and "--reason" in capsys.readouterr().err

    code, view, err = ticket(capsys, monkeypatch, db, "assign", number, "--to", "agent1")
    assert code == 0 and view["assignee"] == "agent1", err
    code, _, err = ticket(capsys, monkeypatch, db, "assign", number, "--to", "op")
    assert code != 0, "an operator works no ticket"

    code, _, err = ticket(
        capsys, monkeypatch, db, "estimate", number, "--until", "tomorrow", "--reason", "等备件"
    )
    assert code == 2 and "until" in err
    code, view, err = ticket(
        capsys,
        monkeypatch,
        db,
        "estimate",
        number,
        "--until",
        "2030-01-02T18:00:00+08:00",
        "--reason",
        "等备件",
        who="agent1",
    )
    assert code == 0, err
    assert view["expected_by"].startswith("2030-01-02T18:00")

    # not resolved yet: the desk cannot close it
    code, _, err = ticket(capsys, monkeypatch, db, "close", number, who="op")
    assert code == 5 and number in err  # a refusal, as the README's table says
    code, _, err = ticket(capsys, monkeypatch, db, "claim", number, who="agent1")
    assert code == 0, err
    code, _, err = ticket(
        capsys,
        monkeypatch,
        db,
        "status",
        number,
        "awaiting_confirmation",
        "--note",
        "更换交换机电源",
        who="agent1",
    )
    assert code == 0, err
    code, view, err = ticket(
        capsys,
        monkeypatch,
        db,
        "confirm",
        number,
        "--satisfaction",
        "5",
        "--channel",
        "phone",
        who="op",
    )
    assert code == 0 and view["status"] == "resolved", err
    code, view, err = ticket(
        capsys, monkeypatch, db, "close", number, "--note", "记录完整", who="op"
    )
    assert code == 0 and view["status"] == "closed", err
    # the record holds all of it
    code, out, err = run(capsys, monkeypatch, ["audit", "verify", "--db", db])
    assert code == 0, out + err
