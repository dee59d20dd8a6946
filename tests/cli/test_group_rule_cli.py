"""A ticket nobody holds is re-triaged and given a new estimate by its own group, the desk or a
lead: an agent of another group is refused (exit 5), and nothing is changed."""

from __future__ import annotations

import json

import pytest

from deskui.cli.exits import NOT_ALLOWED
from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with test_cli

ESTIMATE = ["--until", "2026-12-30T18:00+08:00", "--reason", "等备件"]


@pytest.mark.parametrize(
    ("words", "action"),
    [
        (["triage", "--impact", "3", "--urgency", "3", "--note", "不急"], "re-triage"),
        (["estimate", *ESTIMATE], "record a new estimate"),
    ],
    ids=["triage", "estimate"],
)
def test_an_agent_of_another_group_leaves_an_unheld_ticket_alone(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    words: list[str],
    action: str,
) -> None:
    add = ["user", "add", "vendor", "--name", "开发商", "--role", "agent", "--group", "vendor"]
    assert run(capsys, monkeypatch, [*add, "--db", db])[0] == 0
    body = json.loads(json.dumps(CALL)) | {"impact": 1, "urgency": 1}  # a network P1
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(body)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    verb, *rest = words
    change = ["ticket", verb, number, *rest, "--db", db]
    code, out, err = run(capsys, monkeypatch, [*change, "--as", "vendor", "--lang", "en"])
    assert (code, out) == (NOT_ALLOWED, ""), err
    assert err == (
        "deskui: nobody holds this ticket and it is another group's: only a member of its group,"
        f" the service desk or a duty lead may {action}\n"
    )
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    shown = json.loads(out)
    assert shown["priority"] == "P1"
    assert not [e for e in shown["events"] if e["actor"] == "vendor"]
    # the network group's own agent may; so may the desk (an operator re-triages)
    code, _, err = run(capsys, monkeypatch, [*change, "--as", "agent1"])
    assert code == 0, err
    if verb == "triage":
        again = ["ticket", "triage", number, "--impact", "2", "--urgency", "3", "--db", db]
        code, _, err = run(capsys, monkeypatch, [*again, "--as", "op"])
        assert code == 0, err
