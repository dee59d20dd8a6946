"""``deskui ticket confirm``: the requester's answer as the desk records it, from a script."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the command line's other tests


def solved(db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """A ticket agent1 solved, awaiting the requester's answer."""
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = str(json.loads(out)["number"])
    for args in (
        ["ticket", "claim", number],
        ["ticket", "status", number, "awaiting_confirmation", "--note", "换了交换机"],
    ):
        code, _, err = run(capsys, monkeypatch, [*args, "--db", db, "--as", "agent1"])
        assert code == 0, err
    return number


def test_confirm_with_stars_aspects_and_channel(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = solved(db, capsys, monkeypatch)
    confirm = ["ticket", "confirm", number, "--db", db, "--satisfaction", "5", "--channel", "im"]
    # the solver is an agent: agents do not record the requester's answer
    code, _, err = run(capsys, monkeypatch, [*confirm, "--as", "agent1"])
    assert code == 5 and "an agent may not confirm" in err
    code, _, err = run(capsys, monkeypatch, [*confirm, "--as", "op", "--aspect", "speed=9"])
    assert code == 2 and "1 to 5" in err
    code, _, err = run(capsys, monkeypatch, [*confirm, "--as", "op", "--aspect", "price=3"])
    assert code == 2 and "speed, professionalism, effect, attitude" in err
    code, out, err = run(
        capsys,
        monkeypatch,
        [
            *confirm,
            "--as",
            "op",
            "--aspect",
            "speed=4",
            "--aspect",
            "effect=5",
            "--remark",
            "很快",
            "--json",
        ],
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "resolved" and data["confirmed_by"] == "张三"
    assert data["confirmation_channel"] == "im" and data["confirmation_recorded_by"] == "op"
    assert data["satisfaction"] == 5 and data["satisfaction_remark"] == "很快"
    assert data["satisfaction_aspects"] == {"speed": 4, "effect": 5}
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    events = [e for e in json.loads(out)["events"] if e["kind"] == "confirmed"]
    assert {(e["actor"], e["field"], e["to"]) for e in events} >= {
        ("op", "confirmed_by", "张三"),
        ("op", "confirmation_channel", "im"),
    }


def test_refuse_reopens_with_the_requesters_reason(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = solved(db, capsys, monkeypatch)
    refuse = ["ticket", "confirm", number, "--db", db, "--as", "op", "--refuse"]
    code, _, err = run(capsys, monkeypatch, [*refuse, "--channel", "phone"])
    assert code == 2 and "reason" in err
    with pytest.raises(SystemExit) as stopped:  # argparse: not one of the channels
        run(capsys, monkeypatch, [*refuse, "--reason", "还是不通", "--channel", "fax"])
    assert stopped.value.code == 2
    code, out, err = run(
        capsys, monkeypatch, [*refuse, "--reason", "还是不通", "--channel", "phone", "--json"]
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "in_progress" and data["assignee"] == "agent1"
    assert data["events"][-1]["kind"] == "refused" and data["events"][-1]["note"] == "还是不通"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "deskui: aspect: speed is given more than once; give each once"),
        ("zh", "deskui: aspect: 「speed」给了不止一次"),
    ],
)
def test_an_aspect_given_twice_is_refused(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    said: str,
) -> None:
    number = solved(db, capsys, monkeypatch)
    confirm = ["ticket", "confirm", number, "--db", db, "--satisfaction", "5", "--channel", "im"]
    twice = ["--aspect", "speed=5", "--aspect", " speed=1", "--as", "op", "--lang", lang]
    code, out, err = run(capsys, monkeypatch, [*confirm, *twice])
    assert (code, out) == (2, ""), err
    assert err.startswith(said), err
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    assert json.loads(out)["status"] == "awaiting_confirmation"
