"""Time arguments of the command line read one way (without an offset, the desk's local time),
a new estimate never lies in the past, and ``ticket list --status`` takes several statuses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests
DESK = ZoneInfo("Asia/Shanghai")


def _create(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, d: str) -> str:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", d, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number: str = json.loads(out)["number"]
    return number


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "has already passed"), ("zh", "已经过去")], ids=["en", "zh"]
)
def test_an_estimate_in_the_past_is_refused(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    words: str,
) -> None:
    number = _create(capsys, monkeypatch, db)
    for until in ("2020-11-01T10:00+08:00", "2020-11-01T10:00"):
        code, out, err = run(
            capsys,
            monkeypatch,
            ["ticket", "estimate", number, "--until", until, "--reason", "x"]
            + ["--db", db, "--lang", lang],
        )
        assert (code, out) == (2, ""), err
        assert words in err and "2020-11-01 10:00" in err, err
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    assert json.loads(out)["expected_by"] is None


def test_a_time_without_an_offset_is_the_desks_local_time(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(capsys, monkeypatch, db)
    args = ["ticket", "estimate", number, "--reason", "等备件", "--db", db, "--json"]
    code, out, err = run(capsys, monkeypatch, [*args, "--until", "2030-01-02T10:00"])
    assert code == 0, err
    assert json.loads(out)["expected_by"] == "2030-01-02T10:00:00+08:00"
    code, out, err = run(capsys, monkeypatch, [*args, "--until", "2030-01-03T02:00Z"])
    assert code == 0, err
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    estimates = [e for e in json.loads(out)["events"] if e["kind"] == "estimate"]
    # both ends of the change in the desk's zone
    assert (estimates[-1]["from"], estimates[-1]["to"]) == (
        "2030-01-02T10:00:00+08:00",
        "2030-01-03T10:00:00+08:00",
    )
    # --from/--to read the same way: a time without offset is local
    now = datetime.now(DESK)
    since = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    later = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for bound, found in (("--from", [number]), ("--to", [])):
        code, out, err = run(
            capsys, monkeypatch, ["ticket", "list", bound, since, "--db", db, "--json"]
        )
        assert code == 0, err
        assert [t["number"] for t in json.loads(out)] == found
    code, out, err = run(capsys, monkeypatch, ["ticket", "list", "--from", later, "--db", db])
    assert (code, out) == (0, ""), err


def test_the_list_takes_several_statuses_and_all(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(capsys, monkeypatch, db)

    def listed(*status: str) -> list[str]:
        code, out, err = run(capsys, monkeypatch, ["ticket", "list", *status, "--db", db, "--json"])
        assert code == 0, err
        return [t["number"] for t in json.loads(out)]

    status = json.loads(
        run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])[1]
    )["status"]
    assert listed("--status", "resolved,closed") == []
    assert listed("--status", f"resolved,{status}") == [number]
    assert listed("--status", "closed", "--status", status) == [number]
    assert listed("--status", "all") == [number]
    code, _, err = run(capsys, monkeypatch, ["ticket", "list", "--status", "open,x", "--db", db])
    assert code == 2 and "open" in err


def test_the_text_of_a_list_is_in_the_readers_language(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(capsys, monkeypatch, db)
    code, out, err = run(capsys, monkeypatch, ["ticket", "list", "--lang", "zh", "--db", db])
    assert code == 0, err
    assert out.startswith(number) and "网络组" in out and "响应: " in out, out
    for english in ("to_assign", "in_progress", "response", "running", "network", "m\n"):
        assert english not in out, (english, out)
    code, out, err = run(capsys, monkeypatch, ["ticket", "list", "--lang", "en", "--db", db])
    assert "Response: " in out and "Network" in out, out


def test_assign_stays_in_the_group_and_names_the_skill(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(capsys, monkeypatch, db)  # network
    add = ["user", "add", "hw", "--name", "王硬", "--role", "agent", "--group", "hardware"]
    assert run(capsys, monkeypatch, [*add, "--db", db])[0] == 0
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "assign", number, "--to", "hw", "--db", db]
    )
    assert (code, out) == (2, "") and "not in the ticket's group" in err, err
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "assign", number, "--to", "agent1", "--db", db]
    )
    assert code == 0, err
    assert out.splitlines()[-1] == "agent1 has no recorded skill in Network", out
    code, out, err = run(
        capsys,
        monkeypatch,
        ["ticket", "assign", number, "--to", "agent1", "--db", db, "--json", "--lang", "zh"],
    )
    assert code == 0 and json.loads(out)["skill"] == {"level": None, "suggested": None}, err
