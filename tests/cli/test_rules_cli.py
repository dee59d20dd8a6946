"""``deskui rules import`` and ``deskui calendar`` refuse what the console's editors refuse, in
the catalog's words, and save nothing (exit 2)."""

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
            "response target 1 hour; nothing was saved",
        ),
        (
            'network = "network"',
            'network = "nosuchgroup"',
            "routing.categories.network: the category Network is routed to the group "
            "nosuchgroup, which does not exist; nothing was saved",
        ),
    ):
        assert old in text
        bad.write_text(text.replace(old, new), encoding="utf-8")
        args = ["rules", "import", str(bad), "--yes", "--db", db, "--lang", "en"]
        code, out, err = run(capsys, monkeypatch, args)
        assert code == 2 and said in err, err
        assert "saved," not in out
    code, _, err = run(capsys, monkeypatch, [*args[:-1], "zh"])
    assert code == 2 and "问题类型“网络问题”分派到的支持组 nosuchgroup 不存在，未保存" in err
    assert run(capsys, monkeypatch, ["rules", "show", "--db", db])[1] == shown_before


def test_a_make_up_workday_on_a_working_day_and_a_holiday_on_a_day_off_are_refused(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = ["calendar", "--db", db]
    code, _, err = run(
        capsys,
        monkeypatch,
        [*calendar[:1], "add-workday", "2027-02-23", *calendar[1:], "--lang", "en"],
    )
    assert (
        code == 2
        and "2027-02-23 is a working day already: a make-up workday falls on a weekend or a "
        "holiday; nothing was saved"
        in err
    )
    code, _, err = run(
        capsys,
        monkeypatch,
        [*calendar[:1], "add-workday", "2027-02-23", *calendar[1:], "--lang", "zh"],
    )
    assert code == 2 and "2027-02-23 本来就是工作日；调休上班日须在周末或节假日，未保存" in err
    code, _, err = run(
        capsys,
        monkeypatch,
        [*calendar[:1], "add-holiday", "2027-02-21", *calendar[1:], "--lang", "en"],
    )
    assert code == 2 and "2027-02-21 is a day off already" in err
    code, out, _ = run(capsys, monkeypatch, ["calendar", "show", "2027", "--json", "--db", db])
    assert '"desk": true' not in out, "nothing was saved"
    code, _, err = run(capsys, monkeypatch, ["calendar", "add-workday", "2027-02-20", "--db", db])
    assert code == 0, err


def test_calendar_show_names_holidays_in_one_language(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for lang, first_2026, first_2027 in (
        ("zh", "2026-01-01  休息    元旦", "2027-01-01  休息    元旦"),
        ("en", "2026-01-01  day off  New Year's Day", "2027-01-01  day off  New Year's Day"),
    ):
        for year, line in (("2026", first_2026), ("2027", first_2027)):
            code, out, err = run(
                capsys, monkeypatch, ["calendar", "show", year, "--db", db, "--lang", lang]
            )
            assert code == 0 and out.splitlines()[1].strip() == line, out
            days = "\n".join(out.splitlines()[1:])
            if lang == "zh":
                assert "Day" not in days and "Festival" not in days, days
            else:
                assert not any("\u4e00" <= c <= "\u9fff" for c in days), days
