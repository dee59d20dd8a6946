"""The command line for scripts: JSON in, JSON out, clear errors, nothing written on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskui.cli import main
from deskui.cli.exits import INPUT

CALL = {
    "requester": {
        "name": "张三",
        "phone": "+86 138-0013-8000",
        "department": "财务部",
        "employee_id": "E20001",
        "email": "zs@example.com",
        "vip": False,
    },
    "type": "incident",
    "category": "network",
    "channel": "im",
    "impact": 2,
    "urgency": 1,
    "summary": "五楼无法上网",
    "description": "整层断网，交换机灯不亮",
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A desk whose first user, the admin ``boss``, is this OS account; ``--as op`` is then the
    admin acting for the operator (recorded with both names)."""
    path = str(tmp_path / "cli.db")
    assert main(["user", "add", "boss", "--name", "主管", "--role", "admin", "--db", path]) == 0
    assert (
        main(
            [
                "user",
                "add",
                "op",
                "--name",
                "王芳",
                "--role",
                "operator",
                "--group",
                "desk",
                "--db",
                path,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "user",
                "add",
                "agent1",
                "--name",
                "张伟",
                "--role",
                "agent",
                "--group",
                "network",
                "--db",
                path,
            ]
        )
        == 0
    )
    return path


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_create_show_claim_worklog_status(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    received = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=5)).isoformat()
    code, out, err = run(
        capsys,
        monkeypatch,
        ["ticket", "create", "--db", db, "--as", "op"],
        json.dumps({**CALL, "received_at": received}),
    )
    assert code == 0, err
    created = json.loads(out)
    number = created["number"]
    assert (
        number.startswith("IT") and created["priority"] == "P1" and created["status"] == "to_assign"
    )
    assert created["impact"] == 2 and created["urgency"] == 1 and created["assignee"] is None
    assert created["group"] == "network"
    for clock in ("response", "update", "resolution"):
        sla = created["sla"][clock]
        assert set(sla) >= {"due", "remaining_seconds", "state"}
        assert datetime.fromisoformat(sla["due"]).utcoffset() == timedelta(hours=8)
    assert datetime.fromisoformat(created["received_at"]) == datetime.fromisoformat(received)
    assert 9 * 60 <= created["sla"]["response"]["remaining_seconds"] <= 10 * 60

    code, out, _ = run(
        capsys, monkeypatch, ["ticket", "claim", number, "--db", db, "--as", "agent1", "--json"]
    )
    assert code == 0 and json.loads(out)["assignee"] == "agent1"
    assert json.loads(out)["sla"]["response"]["state"] == "met"
    code, out, err = run(capsys, monkeypatch, ["ticket", "claim", number, "--db", db, "--as", "op"])
    assert code == 5 and "an operator may not claim" in err
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "claim", number, "--db", db, "--as", "op", "--lang", "zh"]
    )
    assert code == 5 and err == "deskui: 服务台接线员无权接单\n"
    code, out, _ = run(
        capsys,
        monkeypatch,
        [
            "ticket",
            "worklog",
            number,
            "--text",
            "重启交换机",
            "--db",
            db,
            "--as",
            "agent1",
            "--json",
        ],
    )
    assert code == 0 and json.loads(out)["version"] == 3
    code, out, _ = run(
        capsys,
        monkeypatch,
        [
            "ticket",
            "status",
            number,
            "pending",
            "--note",
            "等备件",
            "--db",
            db,
            "--as",
            "agent1",
            "--json",
        ],
    )
    shown = json.loads(out)
    assert code == 0 and shown["status"] == "pending"
    assert shown["sla"]["resolution"]["state"] == "paused"
    assert shown["sla"]["resolution"]["paused_reason"] == "等备件"
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    events = json.loads(out)["events"]
    assert [e["kind"] for e in events][-2:] == ["status", "pending"] or "pending" in [
        e["kind"] for e in events
    ]

    code, out, _ = run(
        capsys, monkeypatch, ["ticket", "list", "--db", db, "--json", "--status", "pending"]
    )
    assert [t["number"] for t in json.loads(out)] == [number]
    code, out, _ = run(
        capsys, monkeypatch, ["ticket", "list", "--db", db, "--json", "--assignee", "-"]
    )
    assert json.loads(out) == []
    code, out, _ = run(capsys, monkeypatch, ["ticket", "list", "--db", db, "--priority", "P1"])
    assert number in out


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("not json", "input"),
        ("[1]", "input"),
        (json.dumps({**CALL, "impact": 4}), "impact"),
        (json.dumps({**CALL, "impact": "2"}), "impact"),
        (json.dumps({**CALL, "urgency": 0}), "urgency"),
        (json.dumps({**CALL, "type": "bug"}), "type"),
        (json.dumps({**CALL, "channel": "fax"}), "channel"),
        (json.dumps({**CALL, "colour": 1}), "colour"),
        (json.dumps({**CALL, "summary": ""}), "summary"),
        (json.dumps({k: v for k, v in CALL.items() if k != "summary"}), "summary"),
        (json.dumps({**CALL, "received_at": "2026-09-30T10:00:00"}), "received_at"),
        (json.dumps({**CALL, "received_at": "yesterday"}), "received_at"),
        (
            json.dumps({**CALL, "requester": {**CALL["requester"], "phone": "phone?"}}),
            "requester.phone",
        ),
        (json.dumps({**CALL, "requester": {**CALL["requester"], "vip": "yes"}}), "requester.vip"),
        (json.dumps({**CALL, "requester": {"name": "x", "age": 3}}), "requester.age"),
        (json.dumps({**CALL, "description": "x" * 30_000}), "description"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    payload: str,
    field: str,
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], payload
    )
    assert code == 2
    assert out == ""
    assert err.startswith(f"deskui: {field}")
    code, out, _ = run(
        capsys, monkeypatch, ["ticket", "list", "--db", db, "--json", "--status", "to_assign"]
    )
    assert json.loads(out) == []


def test_who_acts_is_the_os_account_or_whom_its_admin_names(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, ["ticket", "create", "--db", db], json.dumps(CALL))
    assert code == 0, err
    # nobody named: the OS account's own user logged it
    assert json.loads(out)["events"][0]["actor"] == "boss"
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "ghost"], json.dumps(CALL)
    )
    assert code == 3 and "deskui user add ghost" in err
    monkeypatch.setenv("DESKUI_USER", "op")
    code, out, _ = run(capsys, monkeypatch, ["ticket", "create", "--db", db], json.dumps(CALL))
    assert code == 0 and json.loads(out)["number"]


def test_missing_ticket_and_unreachable_database(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, ["ticket", "show", "IT20260101001", "--db", db])
    assert code == 3 and "no ticket" in err
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "list", "--db", "postgresql://nobody@127.0.0.1:1/none"]
    )
    assert code == 6 and "unavailable" in err


def test_console_script_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "deskui", "db", "upgrade", "--db", str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "at revision" in proc.stdout


def test_seed_demo_fills_every_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "demo.db")
    code, out, _ = run(capsys, monkeypatch, ["seed", "--demo", "--db", path, "--json"])
    assert code == 0 and json.loads(out)["callers"] == 300
    statuses = set()
    for status in (
        "to_assign",
        "in_progress",
        "pending",
        "awaiting_confirmation",
        "resolved",
        "closed",
        "rejected",
    ):
        code, out, _ = run(
            capsys,
            monkeypatch,
            ["ticket", "list", "--db", path, "--json", "--status", status, "--limit", "1"],
        )
        if json.loads(out):
            statuses.add(status)
    assert len(statuses) == 7
    # a seeded desk, or one with users, is left alone and says so
    for lang, said in (
        ("en", "deskui: this desk already holds data (9 users, 120 tickets); nothing was added"),
        ("zh", "deskui: 该服务台已有数据（9 名用户、120 张工单），未添加任何内容"),
    ):
        code, out, err = run(
            capsys, monkeypatch, ["seed", "--demo", "--db", path, "--json", "--lang", lang]
        )
        assert (code, out) == (INPUT, "") and err.startswith(said), err


def test_seed_demo_on_a_desk_with_users_adds_nothing(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, ["seed", "--demo", "--db", db, "--lang", "en"])
    assert (code, out) == (INPUT, "")
    assert err == (
        "deskui: this desk already holds data (3 users, 0 tickets); nothing was added:"
        " the demo fills an empty desk only\n"
    )
    code, out, _ = run(capsys, monkeypatch, ["user", "list", "--db", db, "--json"])
    assert len(json.loads(out)) == 3


def test_shared_options_work_before_and_after_the_subcommand(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, ["--db", db, "--json", "user", "list"])
    assert code == 0 and {u["login"] for u in json.loads(out)} == {"boss", "op", "agent1"}
    code, out, _ = run(capsys, monkeypatch, ["--db", db, "user", "list", "--json"])
    assert code == 0 and len(json.loads(out)) == 3
