"""``deskui audit verify``: exit 0 for a record that holds, 7 naming each break, in both
languages, as text or JSON; ``--expect`` compares with a digest kept elsewhere."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.cli.exits import AUDIT_BROKEN


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["audit", "verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def desk(tmp_path: Path) -> str:
    path = str(tmp_path / "audit.db")
    assert main(["seed", "--demo", "--tickets", "30", "--db", path]) == 0
    return path


def test_a_seeded_desk_verifies(desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = verify(capsys, "--db", desk, "--lang", "en")
    assert code == 0
    assert "verified 30 tickets" in out and "every chain holds" in out
    digest = out.split("record digest: ")[1][:64]
    code, out, _ = verify(capsys, "--db", desk, "--lang", "zh", "--expect", digest)
    assert code == 0 and "已核验 30 张工单" in out


def test_tampering_exits_7_naming_ticket_and_event(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(desk) as conn:
        number, event = conn.execute(
            "SELECT t.number, max(e.id) FROM ticket t JOIN ticket_event e ON e.ticket_id = t.id "
            "GROUP BY t.id ORDER BY t.id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE ticket_event SET note = 'never said' WHERE id = ?", (event,))
    code, out, _ = verify(capsys, "--db", desk, "--lang", "en")
    assert code == AUDIT_BROKEN == 7
    assert f"ticket {number}: event {event} rewritten" in out
    assert "1 problem found" in out
    code, out, _ = verify(capsys, "--db", desk, "--lang", "zh", "--json")
    assert code == AUDIT_BROKEN
    report = json.loads(out)
    assert report["ok"] is False
    assert report["findings"] == [
        {
            "chain": "ticket",
            "problem": "rewritten",
            "ticket": number,
            "event": event,
            "key": None,
            "announcement": None,
            "fields": [],
            "text": f"事件 {event} 被改写：其内容与其哈希不符",
        }
    ]


def test_a_digest_kept_elsewhere_no_longer_matching(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = verify(capsys, "--db", desk, "--json", "--expect", "0" * 64)
    assert code == AUDIT_BROKEN
    assert [f["problem"] for f in json.loads(out)["findings"]] == ["digest"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "must be a digest of 64 hexadecimal digits, not abc"),
        ("zh", "须为 64 位十六进制摘要"),
    ],
)
def test_a_malformed_digest_is_bad_input(
    desk: str, capsys: pytest.CaptureFixture[str], lang: str, words: str
) -> None:
    code, out, err = verify(capsys, "--db", desk, "--lang", lang, "--expect", "abc")
    assert code == 2 and not out
    assert words in err and "expect" in err


def test_forged_report_facts_and_a_lowered_counter(
    desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report turned to 100 % met by hand and the day's counter set back are both named; the
    next intake is refused for what it is, not as a race to try again."""
    from tests.cli.test_cli import CALL, run

    with sqlite3.connect(desk) as conn:
        conn.execute(
            "UPDATE ticket_report_fact SET response = 'met', resolution = 'met', "
            "response_late = 0, resolution_late = 0"
        )
        conn.execute("UPDATE ticket_sequence SET last = 0")
    code, out, _ = verify(capsys, "--db", desk, "--lang", "en")
    assert code == AUDIT_BROKEN
    assert "its stored report facts are not those its last change" in out
    assert "behind the number" in out
    args = ["ticket", "create", "--db", desk, "--as", "op", "--lang", "en"]
    code, _, err = run(capsys, monkeypatch, args, json.dumps(CALL))
    assert code == AUDIT_BROKEN, err
    assert "trying again will not help" in err and "please try again" not in err
