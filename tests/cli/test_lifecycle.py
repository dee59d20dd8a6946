"""Finding tickets past their open life from the command line: the list's date range and kind
filters, and a refused close's exit code."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def create(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str, **changes: object
) -> str:
    code, out, err = run(
        capsys,
        monkeypatch,
        ["ticket", "create", "--db", db, "--as", "op"],
        json.dumps({**CALL, **changes}),
    )
    assert code == 0, err
    return str(json.loads(out)["number"])


def listed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str, *args: str
) -> tuple[int, list[str], str]:
    code, out, err = run(capsys, monkeypatch, ["ticket", "list", "--db", db, "--json", *args])
    return code, ([t["number"] for t in json.loads(out)] if code == 0 else []), err


def test_list_filters_by_received_day_and_kind(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    early = create(capsys, monkeypatch, db, received_at="2026-11-01T23:30:00+08:00")
    late = create(
        capsys,
        monkeypatch,
        db,
        received_at="2026-11-02T00:10:00+08:00",
        category="hardware",
        channel="phone",
        type="service_request",
    )
    # days are the desk's (Asia/Shanghai): 23:30 on the 1st is not the 2nd, though UTC says so
    assert listed(capsys, monkeypatch, db, "--from", "2026-11-02")[1] == [late]
    assert listed(capsys, monkeypatch, db, "--to", "2026-11-01")[1] == [early]
    code, numbers, err = listed(
        capsys, monkeypatch, db, "--from", "2026-11-01", "--to", "2026-11-02"
    )
    assert code == 0 and sorted(numbers) == sorted([early, late]), err
    # a time with its offset is an instant
    assert listed(capsys, monkeypatch, db, "--from", "2026-11-01T16:00:00Z")[1] == [late]
    assert listed(capsys, monkeypatch, db, "--category", "hardware")[1] == [late]
    assert listed(capsys, monkeypatch, db, "--channel", "im")[1] == [early]
    assert listed(capsys, monkeypatch, db, "--type", "service_request")[1] == [late]
    code, numbers, _ = listed(
        capsys, monkeypatch, db, "--category", "network", "--category", "hardware"
    )
    assert sorted(numbers) == sorted([early, late])


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--from", "yesterday"], "from"),
        (["--to", "2026-13-01"], "to"),
        (["--from", "2026-11-03", "--to", "2026-11-02"], "to"),
        (["--category", "printer"], "category"),
        (["--channel", "fax"], "channel"),
        (["--type", "question"], "type"),
    ],
)
def test_a_bad_filter_is_bad_input(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    field: str,
) -> None:
    code, _, err = listed(capsys, monkeypatch, db, *args)
    assert code == 2 and field in err, err


def test_a_refused_close_exits_5(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = create(capsys, monkeypatch, db)
    code, _, err = run(capsys, monkeypatch, ["ticket", "close", number, "--db", db, "--as", "op"])
    assert code == 5 and number in err, err
    # the reviewer's view: resolved tickets and closed ones are found by status
    code, numbers, err = listed(capsys, monkeypatch, db, "--status", "closed")
    assert code == 0 and numbers == [], err


def test_link_and_unlink_a_call_to_its_outage(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = create(capsys, monkeypatch, db)
    call = create(capsys, monkeypatch, db, summary="五楼也断网")

    def link(*args: str) -> tuple[int, dict[str, object], str]:
        code, out, err = run(
            capsys, monkeypatch, ["ticket", "link", *args, "--db", db, "--json", "--as", "op"]
        )
        return code, (json.loads(out) if code == 0 else {}), err

    code, view, err = link(call, "--parent", parent, "--note", "同一故障")
    assert code == 0 and view["parent"] == parent, err
    code, out, err = run(capsys, monkeypatch, ["ticket", "show", parent, "--db", db, "--json"])
    assert json.loads(out)["children"] == [call]
    code, _, err = link(call, "--parent", parent)
    assert code == 2 and parent in err  # already in that outage
    code, _, err = link(call, "--parent", "IT20990101001")
    assert code == 3
    code, view, err = link(call, "--unlink")
    assert code == 0 and view["parent"] is None, err
    code, _, err = link(call, "--unlink")
    assert code == 2 and call in err
    with pytest.raises(SystemExit) as usage:
        run(capsys, monkeypatch, ["ticket", "link", call, "--db", db])
    assert usage.value.code == 2
