"""``deskui ticket worklog NUMBER --text ... --minutes N``: the minutes kept and summed, and
anything but whole minutes 1–1440 refused in the reader's language (exit 2) with nothing
written; ``deskui audit verify`` still passes."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]


def test_worklog_minutes_from_the_command_line(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    base = ["ticket", "worklog", number, "--db", db, "--as", "op", "--json"]
    code, out, err = run(capsys, monkeypatch, [*base, "--text", "回拨", "--minutes", "15"])
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, [*base, "--text", "再次回拨", "--minutes", "30"])
    assert code == 0, err
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    shown = json.loads(out)
    assert shown["worked_minutes"] == 45
    assert [e["minutes"] for e in shown["events"] if e["kind"] == "worklog"] == [15, 30]
    version = shown["version"]
    with pytest.raises(SystemExit) as usage:
        run(capsys, monkeypatch, [*base, "--text", "x", "--minutes", "1441"])
    assert usage.value.code == 2
    assert "must be a whole number from 1 to 1440, not 1441" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        run(capsys, monkeypatch, [*base, "--text", "x", "--minutes", "半小时", "--lang", "zh"])
    assert usage.value.code == 2
    assert "须为整数，而不是 半小时" in capsys.readouterr().err
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    assert json.loads(out)["version"] == version
    code, out, err = run(capsys, monkeypatch, ["audit", "verify", "--db", db])
    assert code == 0, out + err
