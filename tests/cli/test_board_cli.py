"""The emergency board's acknowledgement from the command line: `deskui ticket acknowledge`,
who may, its exit codes, the event on the record, and the record still verifying."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run
from tests.cli.test_lead_tools import ticket

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def test_a_lead_acknowledges_a_p1_once_and_the_record_verifies(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]  # a P1 (I2 × U1): an alert on the board

    # neither an operator nor an agent acknowledges: a refusal of the rules
    for who in ("op", "agent1"):
        code, _, err = ticket(capsys, monkeypatch, db, "acknowledge", number, who=who)
        assert code == 5, err
    # only a breach of a clock that stands: none does yet (input refused)
    code, _, err = ticket(capsys, monkeypatch, db, "acknowledge", number, "--alert", "response")
    assert code == 2, err
    assert f"{number} has no alert to acknowledge" in err
    with pytest.raises(SystemExit) as unknown:
        ticket(capsys, monkeypatch, db, "acknowledge", number, "--alert", "coffee")
    assert unknown.value.code == 2

    # the lead (boss, the admin: this OS account) acknowledges
    code, view, err = ticket(capsys, monkeypatch, db, "acknowledge", number)
    assert code == 0, err
    assert view["number"] == number
    # a second time: someone got there first (a conflict), nothing written
    code, _, err = ticket(capsys, monkeypatch, db, "acknowledge", number)
    assert code == 4, err
    assert "主管 acknowledged its alerts at" in err
    code, _, err = ticket(capsys, monkeypatch, db, "acknowledge", "IT20990101001")
    assert code == 3, err

    code, view, err = ticket(capsys, monkeypatch, db, "show", number)
    assert code == 0, err
    events = view["events"]
    assert isinstance(events, list)
    acks = [e for e in events if e["kind"] == "alert_acknowledged"]
    assert [(e["actor"], e["acting_admin"], e["field"], e["to"]) for e in acks] == [
        ("boss", None, "alerts", "p1")
    ]

    code, out, err = run(capsys, monkeypatch, ["audit", "verify", "--db", db, "--json"])
    assert code == 0, err
    assert json.loads(out)["ok"] is True
