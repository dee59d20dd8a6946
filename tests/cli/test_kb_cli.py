"""``deskui kb …`` and ``deskui ticket search``: JSON in and out, refusals and their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskui.cli import main
from tests.cli.test_cli import CALL, run
from tests.cli.test_cli import db as db  # noqa: F401  # the fixture: a desk with boss, op, agent1

ARTICLE = {
    "title": "VPN 频繁断线",
    "symptom": "在家连接公司 VPN 几分钟就断开",
    "cause": "客户端版本过旧",
    "solution": "升级 VPN 客户端到最新版本",
    "category": "network",
    "tags": ["VPN", "远程办公"],
}


def kb(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: str,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    return run(capsys, monkeypatch, ["kb", *args, "--db", db], stdin)


def test_add_review_publish_search(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = kb(capsys, monkeypatch, db, "add", "--as", "agent1", stdin=json.dumps(ARTICLE))
    assert code == 0, err
    assert "VPN 频繁断线" in out and "#1" in out
    code, out, _ = kb(capsys, monkeypatch, db, "submit", "1", "--as", "agent1", "--json")
    assert (code, json.loads(out)["state"]) == (0, "in_review")
    # the author never reviews; an operator is neither a duty lead nor the group's lead
    for who in ("agent1", "op"):
        code, _, err = kb(capsys, monkeypatch, db, "review", "1", "--approve", "--as", who)
        assert code == 5 and "review" in err
    code, _, err = kb(capsys, monkeypatch, db, "review", "1", "--return", "--as", "boss")
    assert code == 2 and "comment" in err
    code, out, _ = kb(
        capsys,
        monkeypatch,
        db,
        "review",
        "1",
        "--return",
        "--comment",
        "补充原因",
        "--json",
        "--as",
        "boss",
    )
    assert json.loads(out)["state"] == "draft" and json.loads(out)["review_comment"] == "补充原因"
    kb(capsys, monkeypatch, db, "submit", "1", "--as", "agent1")
    code, out, _ = kb(capsys, monkeypatch, db, "publish", "1", "--as", "agent1")
    assert code == 5
    kb(capsys, monkeypatch, db, "review", "1", "--approve", "--as", "boss")
    code, out, _ = kb(capsys, monkeypatch, db, "publish", "1", "--as", "agent1", "--json")
    assert (code, json.loads(out)["state"]) == (0, "published")
    code, out, _ = kb(capsys, monkeypatch, db, "search", "vpn 断线", "--json")
    hits = json.loads(out)
    assert [h["id"] for h in hits] == [1] and "断开" in hits[0]["snippet"]
    code, out, _ = kb(capsys, monkeypatch, db, "search", "断开", "--lang", "zh")
    assert "几分钟就【断开】" in out and "已发布" in out
    code, out, _ = kb(capsys, monkeypatch, db, "list", "--state", "published", "--json")
    assert [a["id"] for a in json.loads(out)] == [1]
    code, out, _ = kb(capsys, monkeypatch, db, "show", "1", "--lang", "zh")
    assert "现象: 在家连接公司 VPN 几分钟就断开" in out
    code, out, _ = kb(capsys, monkeypatch, db, "retire", "1", "--as", "boss", "--json")
    assert json.loads(out)["state"] == "retired"
    code, out, _ = kb(capsys, monkeypatch, db, "search", "vpn", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, monkeypatch, ["audit", "verify", "--db", db, "--json"])
    assert code == 0 and json.loads(out)["article_events"] == 7


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ("not json", "input"),
        ("[]", "input"),
        (json.dumps({**ARTICLE, "color": "red"}), "color"),
        (json.dumps({**ARTICLE, "category": "printers"}), "category"),
        (json.dumps({**ARTICLE, "title": ""}), "title"),
    ],
)
def test_add_refuses_bad_input(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str,
    field: str,
) -> None:
    code, out, err = kb(capsys, monkeypatch, db, "add", "--as", "op", stdin=stdin)
    assert (code, out) == (2, "")
    assert f"{field}:" in err and "Traceback" not in err
    code, out, _ = kb(capsys, monkeypatch, db, "list", "--json")
    assert json.loads(out) == []


def test_unknown_article(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = kb(capsys, monkeypatch, db, "show", "42")
    assert code == 3 and "42" in err


def test_ticket_search(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    for text in ("上网", "zhangsan", "138 0013 8000", number.lower(), "交换机"):
        code, out, _ = run(capsys, monkeypatch, ["ticket", "search", text, "--db", db, "--json"])
        assert [h["number"] for h in json.loads(out)] == [number], text
    code, out, _ = run(
        capsys,
        monkeypatch,
        ["ticket", "search", "上网", "--status", "resolved", "--db", db, "--json"],
    )
    assert json.loads(out) == []
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "search", "上网", "--status", "done", "--db", db]
    )
    assert code == 2 and "status" in err
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "search", "上网", "--limit", "0", "--db", db]
    )
    assert code == 2 and "limit" in err
    assert main(["ticket", "search", "上网", "--db", db]) == 0


@pytest.mark.parametrize("args", [["kb", "search", "网"], ["ticket", "search", "%"]])
def test_a_search_with_no_word_says_so(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    code, out, err = run(capsys, monkeypatch, [*args, "--db", db])
    assert code == 2 and out == ""
    assert "no word to search for" in err, err
