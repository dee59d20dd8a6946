"""``deskui export`` and ``deskui import`` from the command line: exit codes and what they say."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from deskui.cli.exits import AUDIT_BROKEN, INPUT, NOT_ALLOWED
from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with test_cli


def test_export_import_and_verify(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    archive = tmp_path / "desk.jsonl"
    code, out, err = run(
        capsys, monkeypatch, ["export", "--out", str(archive), "--db", db, "--lang", "en"]
    )
    assert code == 0, err
    assert out.startswith(f"exported to {archive}: 1 tickets, ")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    code, _, err = run(
        capsys, monkeypatch, ["export", "--out", str(archive), "--db", db, "--lang", "en"]
    )
    assert (code, err) == (INPUT, f"deskui: out: {archive} exists; add `--force` to replace it\n")
    # an operator exports nothing
    code, _, err = run(
        capsys, monkeypatch, ["export", "--out", str(tmp_path / "x"), "--db", db, "--as", "op"]
    )
    assert code == NOT_ALLOWED and not (tmp_path / "x").exists()

    target = str(tmp_path / "restored.db")
    code, out, err = run(capsys, monkeypatch, ["import", str(archive), "--db", target, "--json"])
    assert code == 0, err
    restored = json.loads(out)
    assert restored["tables"]["ticket"] == 1
    code, out, err = run(capsys, monkeypatch, ["audit", "verify", "--db", target, "--json"])
    assert code == 0 and json.loads(out)["digest"] == restored["digest"]
    # the restored desk is in use now: a second import is refused
    code, _, err = run(
        capsys, monkeypatch, ["import", str(archive), "--db", target, "--lang", "en"]
    )
    assert code == INPUT and "empty desk only" in err


def test_an_altered_archive_exits_7(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL))
    archive = tmp_path / "desk.jsonl"
    assert run(capsys, monkeypatch, ["export", "--out", str(archive), "--db", db])[0] == 0
    lines = archive.read_text(encoding="utf-8").splitlines()
    lines = [
        line.replace('"summary": "五楼无法上网"', '"summary": "五楼网络正常"') for line in lines
    ]
    body = "".join(line + "\n" for line in lines[1:-1])
    trailer = json.loads(lines[-1]) | {"sha256": hashlib.sha256(body.encode()).hexdigest()}
    archive.write_text("\n".join([*lines[:-1], json.dumps(trailer)]) + "\n", encoding="utf-8")
    target = str(tmp_path / "restored.db")
    code, out, err = run(
        capsys, monkeypatch, ["import", str(archive), "--db", target, "--lang", "en"]
    )
    assert code == AUDIT_BROKEN
    assert "nothing was changed" in err and "Traceback" not in err
    assert out  # the findings, as audit verify prints them
    code, out, _ = run(capsys, monkeypatch, ["ticket", "list", "--db", target, "--json"])
    assert json.loads(out) == []
