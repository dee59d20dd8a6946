"""The skill matrix and the suggestion on the command line: ``deskui user skills`` (admins) and
``deskui ticket suggest``."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def test_skills_then_a_suggestion(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    skills = ["user", "skills", "agent1", "--db", db, "--json"]
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=4", "--set", "data=2"])
    assert code == 0, err
    assert json.loads(out) == {"login": "agent1", "skills": {"data": 2, "network": 4}}
    code, out, err = run(capsys, monkeypatch, [*skills, "--clear", "data"])
    assert json.loads(out)["skills"] == {"network": 4}
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=7"])
    assert code == 2 and "network=7" not in out and "7" in err
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "printers=1"])
    assert code == 2 and "printers" in err
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=1", "--as", "op"])
    assert code == 5, err
    code, out, err = run(capsys, monkeypatch, ["user", "skills", "agent1", "--db", db])
    assert out == "agent1: network=4\n"

    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    code, out, err = run(capsys, monkeypatch, ["ticket", "suggest", number, "--db", db, "--json"])
    assert code == 0, err
    assert json.loads(out) == {
        "category": "network",
        "group": "network",
        "suggested": {"login": "agent1", "name": "张伟", "level": 4, "open": 0},
        "candidates": [{"login": "agent1", "name": "张伟", "level": 4, "open": 0}],
    }
    code, out, err = run(capsys, monkeypatch, ["ticket", "suggest", number, "--db", db])
    assert "* agent1" in out and "level 4" in out and "open 0" in out
    code, out, err = run(capsys, monkeypatch, ["ticket", "suggest", "IT20990101001", "--db", db])
    assert code != 0 and "IT20990101001" in err
