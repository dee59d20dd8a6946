"""The command line against hostile input and output: numbers out of range, JSON that cannot be
read, a reader that goes away, and stored text that would drive the terminal."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.cli.exits import INPUT, PIPE_CLOSED
from deskui.services.desk import DeskService
from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with test_cli

HOSTILE = "A\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07\rover\x08B"
CONTROLS = ("\x1b", "\x07", "\r", "\x08")


def _create(db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number: str = json.loads(out)["number"]
    return number


@pytest.mark.parametrize("requester_id", [2**31, 2**63, 2**64, 10**30, 0, -1, -(2**63) - 1])
def test_a_requester_id_out_of_range_is_bad_input(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    requester_id: int,
) -> None:
    body = {k: v for k, v in CALL.items() if k != "requester"} | {"requester_id": requester_id}
    code, out, err = run(
        capsys,
        monkeypatch,
        ["ticket", "create", "--db", db, "--as", "op", "--lang", "en"],
        json.dumps(body),
    )
    assert (code, out) == (INPUT, "")
    assert err.startswith("deskui: requester_id: must be a whole number from 1 to "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("requester_id", [2**31 - 1, 2**31, 2**63])
def test_ids_at_the_edge_on_each_database(
    desk: DeskService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    requester_id: int,
    url_as: Callable[[DeskService, str], str],
) -> None:
    # the largest id reaches the desk as nobody; one past it never reaches the database
    body = {k: v for k, v in CALL.items() if k != "requester"} | {"requester_id": requester_id}
    create = ["ticket", "create", "--db", url_as(desk, "op"), "--as", "op", "--lang", "en"]
    code, out, err = run(capsys, monkeypatch, create, json.dumps(body))
    assert out == "" and "Traceback" not in err
    if requester_id < 2**31:
        assert code == 3, err
    else:
        assert code == INPUT and err.startswith(
            "deskui: requester_id: must be a whole number from 1 to 2147483647, not "
        ), err


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("[" * 100_000, ("nested too deeply",)),
        ('{"a": ' * 100_000, ("nested too deeply",)),
        ('{"impact": ' + "1" * 5_000 + "}", ("not JSON (",)),
        ('{"a": 1,,}', ("not JSON", "line 1")),
    ],
    ids=["arrays", "objects", "long number", "syntax"],
)
def test_json_that_cannot_be_read_is_refused_without_a_traceback(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    payload: str,
    words: tuple[str, ...],
) -> None:
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op", "--lang", "en"], payload
    )
    assert (code, out) == (INPUT, "")
    assert err.startswith("deskui: input: not JSON"), err
    assert all(w in err for w in words), err
    assert "Traceback" not in err and err.count("\n") == 1


def test_nesting_is_worded_in_chinese_too(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        capsys,
        monkeypatch,
        ["ticket", "create", "--db", db, "--as", "op", "--lang", "zh"],
        "[" * 100_000,
    )
    assert code == INPUT and err == "deskui: input: 不是可读取的 JSON（嵌套过深）\n"


def test_input_that_is_not_utf8_is_not_json(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"summary": "\xff"}')))
    capsys.readouterr()
    code = main(["ticket", "create", "--db", db, "--as", "op", "--lang", "en"])
    out, err = capsys.readouterr()
    assert (code, out) == (INPUT, "")
    assert err.startswith("deskui: input: not JSON ("), err


@pytest.mark.parametrize("limit", ["0", "-1", "10001", "2", "many", str(2**63)])
@pytest.mark.parametrize(("lang", "words"), [("en", "from 1 to 10000"), ("zh", "1 到 10000")])
def test_limit_is_a_whole_number_from_1_to_10000(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    lang: str,
    words: str,
) -> None:
    _create(db, capsys, monkeypatch)
    _create(db, capsys, monkeypatch)
    _create(db, capsys, monkeypatch)
    args = ["ticket", "list", "--db", db, "--json", "--lang", lang, f"--limit={limit}"]
    if limit == "2":
        code, out, _ = run(capsys, monkeypatch, args)
        assert code == 0 and len(json.loads(out)) == 2
        return
    with pytest.raises(SystemExit) as exited:
        run(capsys, monkeypatch, args)
    out, err = capsys.readouterr()
    assert exited.value.code == INPUT and out == ""
    assert "--limit" in err and "Traceback" not in err
    if limit == "many":
        assert "many" in err
    else:
        assert words in err and limit in err


def test_limit_given_as_a_separate_negative_word(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, monkeypatch, ["ticket", "list", "--db", db, "--limit", "-1", "--lang", "en"])
    assert exited.value.code == INPUT
    assert "must be a whole number from 1 to 10000, not -1" in capsys.readouterr().err


class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_output_stops_quietly_in_process(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["user", "list", "--db", db]) == PIPE_CLOSED


def _many_users(db: str, count: int) -> None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT * FROM desk_user WHERE login = 'agent1'").fetchone()
        names = [d[0] for d in conn.execute("SELECT * FROM desk_user").description]
        template = dict(zip(names, row, strict=True))
        template.pop("id", None)
        template["os_login"] = template["db_role"] = None
        columns = ", ".join(template)
        marks = ", ".join("?" for _ in template)
        conn.executemany(
            f"INSERT INTO desk_user ({columns}) VALUES ({marks})",  # noqa: S608 (test data)
            [
                tuple({**template, "login": f"u{i:05}", "name": "名字" * 20}.values())
                for i in range(count)
            ],
        )


@pytest.mark.parametrize("args", [["user", "list"], ["ticket", "list", "--limit", "1"]])
def test_a_reader_that_closes_early_gets_no_traceback(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
) -> None:
    # `deskui … | head -1`: the reader takes one line, or none, and closes its end
    _create(db, capsys, monkeypatch)
    _many_users(db, 2_000)
    for take in (1, 0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "deskui", *args, "--db", db],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        if take:
            assert proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
        assert "Traceback" not in err and "Exception ignored" not in err, err
        assert err == ""
        # a short output may have been written whole before the reader left
        assert code in (0, PIPE_CLOSED)
        if args[0] == "user":
            assert code == PIPE_CLOSED


def _poison(db: str, number: str) -> None:
    """Stored text as an old database, an import or another tool may have left it."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ticket SET summary = ? WHERE number = ?", (HOSTILE, number))
        conn.execute("UPDATE requester SET name = ?", (HOSTILE,))
        conn.execute("UPDATE desk_user SET name = ? WHERE login = 'agent1'", (HOSTILE,))


def test_text_output_sanitizes_stored_text(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(db, capsys, monkeypatch)
    _poison(db, number)
    for args in (
        ["ticket", "show", number],
        ["ticket", "list"],
        ["user", "list"],
    ):
        code, out, err = run(capsys, monkeypatch, [*args, "--db", db])
        assert code == 0, err
        assert not any(c in out for c in CONTROLS), (args, out)
        assert "Ared" in out and "overB" in out, (args, out)


def test_json_output_escapes_stored_controls_and_keeps_them(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _create(db, capsys, monkeypatch)
    _poison(db, number)
    code, out, _ = run(capsys, monkeypatch, ["ticket", "show", number, "--db", db, "--json"])
    assert code == 0 and not any(c in out for c in CONTROLS)
    shown = json.loads(out)
    assert shown["summary"] == HOSTILE
    code, out, _ = run(capsys, monkeypatch, ["ticket", "list", "--db", db, "--json"])
    assert code == 0 and not any(c in out for c in CONTROLS)
    assert json.loads(out)[0]["summary"] == HOSTILE
    code, out, _ = run(capsys, monkeypatch, ["user", "list", "--db", db, "--json"])
    assert code == 0 and not any(c in out for c in CONTROLS)
    assert {u["name"] for u in json.loads(out)} >= {HOSTILE}


def test_a_refusal_quoting_what_was_sent_reaches_the_terminal_clean(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps({**CALL, "received_at": HOSTILE})
    code, _, err = run(capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], body)
    assert code == INPUT and err.startswith("deskui: received_at")
    assert not any(c in err[:-1] for c in (*CONTROLS, "\n")), err
