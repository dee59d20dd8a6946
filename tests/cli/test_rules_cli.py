"""``deskui rules import`` refuses what the console's editors refuse, with the catalog's words,
and saves nothing (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def test_an_import_with_a_short_resolution_or_an_unknown_group_saves_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = tmp_path / "rules.toml"
    code, _, err = run(capsys, monkeypatch, ["rules", "export", "--out", str(exported), "--db", db])
    assert code == 0, err
    text = exported.read_text(encoding="utf-8")
    shown_before = run(capsys, monkeypatch, ["rules", "show", "--db", db])[1]
    bad = tmp_path / "bad.toml"
    for old, new, said in (
        (
            'resolution = "3 working_days"',
            'resolution = "30 minutes"',
            "sla.targets.P4.resolution: the resolution target 30 minutes is shorter than the "
            "response target 1 hours; nothing was saved",
        ),
        (
            'network = "network"',
            'network = "nosuchgroup"',
            "routing.categories.network: network is routed to the group nosuchgroup, which "
            "does not exist; nothing was saved",
        ),
    ):
        assert old in text
        bad.write_text(text.replace(old, new), encoding="utf-8")
        args = ["rules", "import", str(bad), "--yes", "--db", db, "--lang", "en"]
        code, out, err = run(capsys, monkeypatch, args)
        assert code == 2 and said in err, err
        assert "saved," not in out
    code, _, err = run(capsys, monkeypatch, [*args[:-1], "zh"])
    assert code == 2 and "network 分派到的支持组 nosuchgroup 不存在，未保存" in err
    assert run(capsys, monkeypatch, ["rules", "show", "--db", db])[1] == shown_before
