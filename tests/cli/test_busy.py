"""The command line behind a console stopped mid-save: exit 6, the desk is busy, nothing saved."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from deskui.cli.exits import DATABASE, exit_code
from deskui.services.desk import DeskService
from deskui.services.errors import DeskBusy
from tests.cli.test_cli import CALL, run
from tests.services.stalled import finishes, needs_sigstop, stalled_writer


def test_busy_is_the_database_exit_code() -> None:
    assert exit_code(DeskBusy(database="desk.db", seconds=10.0)) == DATABASE == 6


@pytest.mark.slow
@needs_sigstop
def test_ticket_create_behind_a_stopped_console_exits_6_and_saves_nothing(
    desk: DeskService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url_as: Callable[[DeskService, str], str],
) -> None:
    monkeypatch.setenv("DESKUI_DB_LOCK_WAIT", "1")
    url = url_as(desk, "op")
    create = ["ticket", "create", "--as", "op", "--db", url]
    # the command line numbers by the real clock, and so does this stalled writer: the same
    # day's counter
    with stalled_writer(desk.db.url, at=None) as stalled:
        for lang, words in (("en", ("busy", "nothing was saved")), ("zh", ("正忙", "未保存"))):
            args = [*create, "--lang", lang]
            outcome = finishes(lambda args=args: run(capsys, monkeypatch, args, json.dumps(CALL)))
            assert not isinstance(outcome, BaseException), outcome
            code, out, err = outcome
            assert (code, out) == (6, ""), err
            assert all(w in err for w in words), err
        assert stalled.release()[0] == "committed"
    code, out, err = run(capsys, monkeypatch, [*create, "--json"], json.dumps(CALL))
    assert code == 0, err
    listed = run(capsys, monkeypatch, ["ticket", "list", "--db", url, "--json"])
    summaries = sorted(t["summary"] for t in json.loads(listed[1]))
    assert summaries == sorted([CALL["summary"], "stalled console"])


def test_a_wait_that_is_not_a_number_of_seconds_is_bad_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKUI_DB_LOCK_WAIT", "soon")
    code, _, err = run(capsys, monkeypatch, ["ticket", "list", "--db", ":memory:", "--lang", "en"])
    assert code == 2
    assert "DESKUI_DB_LOCK_WAIT: must be a number of seconds above zero, not soon" in err
    monkeypatch.setenv("DESKUI_DB_LOCK_WAIT", "5")
    monkeypatch.setenv("DESKUI_DB_KEEPALIVES_COUNT", "2.5")
    code, _, err = run(capsys, monkeypatch, ["ticket", "list", "--db", ":memory:", "--lang", "zh"])
    assert code == 2 and "DESKUI_DB_KEEPALIVES_COUNT: 须为大于零的整数，而不是 2.5" in err
