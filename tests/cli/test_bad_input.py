"""``deskui ticket create`` says what it did not take from the JSON as given."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with test_cli


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("张三", "claimed VIP", "the directory says not VIP", "for a lead")),
        ("zh", ("张三", "「VIP」", "「非 VIP」", "组长")),
    ],
)
def test_a_contradicted_vip_claim_is_said_and_recorded(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    words: tuple[str, ...],
) -> None:
    create = ["ticket", "create", "--db", db, "--as", "op", "--lang", lang]
    code, out, err = run(capsys, monkeypatch, create, json.dumps(CALL))
    assert code == 0, err
    assert "notices" not in json.loads(out)  # a new caller takes the flag given
    claim = json.loads(json.dumps(CALL))
    claim["requester"]["vip"] = True
    code, out, err = run(capsys, monkeypatch, create, json.dumps(claim))
    assert code == 0, err
    created = json.loads(out)
    assert created["vip"] is False and created["requester"]["vip"] is False
    [notice] = created["notices"]
    assert notice["code"] == "vip_claim"
    for word in words:
        assert word in notice["message"]
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "show", created["number"], "--db", db, "--json"]
    )
    assert code == 0, err
    events = [(e["kind"], e["field"]) for e in json.loads(out)["events"]]
    assert ("vip_claim", "vip") in events
