"""The half-typed call survives: draft file, restore offer, and a console killed with -9."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from deskui.screens.intake import IntakeScreen
from deskui.screens.intake.draft_prompt import RestoreDraftScreen
from deskui.screens.intake.drafts import DraftStore, IntakeDraft, draft_path
from deskui.store.db import Database
from deskui.store.models import Requester
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.status_line import StatusLine
from tests.ui.conftest import SIZE, make_test_app, settle, shown_letter_keys

REPO = Path(__file__).resolve().parents[2]


def store_for(db_url: str, login: str = "op") -> DraftStore:
    return DraftStore(draft_path(login, db_url))


# the file ------------------------------------------------------------------------------------
def test_a_draft_round_trips_and_is_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "d" / "intake.json")
    draft = IntakeDraft(
        lookup="zs",
        summary="打印机卡纸",
        impact=2,
        category="hardware",
        requester={"id": 7, "name": "张三"},
    )
    assert store.save(draft, 1, "2026-11-02T02:00:00+00:00")
    loaded = store.load()
    assert loaded == draft and loaded is not None and loaded.saved_at is not None
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in store.path.parent.iterdir()] == ["intake.json"]  # no temp left


def test_an_older_state_never_overwrites_a_newer_one(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "intake.json")
    assert store.save(IntakeDraft(summary="second"), 2, "t")
    assert not store.save(IntakeDraft(summary="first"), 1, "t")
    assert store.load() == IntakeDraft(summary="second")
    store.clear(3)
    assert store.load() is None
    assert not store.save(IntakeDraft(summary="late write of an old state"), 3, "t")
    assert store.load() is None


def test_unreadable_or_foreign_files_are_no_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "intake.json")
    assert store.load() is None
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() is None
    store.path.write_text(json.dumps({"format": 99, "summary": "x"}), encoding="utf-8")
    assert store.load() is None
    store.path.write_text(
        json.dumps({"format": 1, "summary": 5, "impact": "2", "type": "x", "tried": "reboot"}),
        encoding="utf-8",
    )
    assert store.load() == IntakeDraft(type="x", tried="reboot")


def test_each_user_and_database_has_its_own_draft(tmp_path: Path) -> None:
    paths = {
        draft_path("op", "sqlite:///a.db", tmp_path),
        draft_path("op2", "sqlite:///a.db", tmp_path),
        draft_path("op", "sqlite:///b.db", tmp_path),
        draft_path("op", "postgresql+psycopg://u:pw@h/desk", tmp_path),
    }
    assert len(paths) == 4
    assert all("pw" not in p.name for p in paths)


# in the console ------------------------------------------------------------------------------
async def test_typing_is_saved_after_the_delay_and_a_save_clears_it(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the delay is the screen's; here it passes at the next turn of the event loop
    monkeypatch.setattr(IntakeScreen, "DRAFT_DELAY", 0.0)
    store = store_for(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"8003")
        await settle(pilot)
        await pilot.press("enter")
        app.screen.query_one("#summary").focus()
        await pilot.press(*"Fan")
        await settle(pilot)
        draft = store.load()
        assert draft is not None and draft.summary == "Fan" and draft.requester is not None
        app.screen.query_one("#category").focus()
        await pilot.press("1")
        app.screen.query_one("#description").focus()
        await pilot.press(*"Noisy")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.clipboard.startswith("IT")
        await settle(pilot)
        assert store.load() is None
        assert not store.path.exists()


async def test_a_draft_is_offered_and_restored(demo_db: str) -> None:
    store_for(demo_db).save(
        IntakeDraft(
            new_caller=True,
            caller_name="钱七",
            caller_phone="13912345678",
            summary="VPN 连不上",
            description="提示 809",
            category="network",
            urgency=2,
        ),
        1,
        "2026-11-02T01:55:00+00:00",
    )
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        shown = str(app.screen.query_one("#draft-summary").render())
        assert "钱七" in shown and "VPN 连不上" in shown and "09:55" in shown
        # the form under the offer has its status line already
        under = app.screen_stack[-2]
        assert under.query(StatusLine) and "王芳" in str(under.query_one(StatusLine).render())
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        draft = screen.collect()
        assert (draft.caller_name, draft.summary, draft.description) == (
            "钱七",
            "VPN 连不上",
            "提示 809",
        )
        assert draft.category == "network" and draft.urgency == 2 and draft.new_caller


async def test_a_draft_can_be_discarded_or_left_for_later(demo_db: str) -> None:
    store = store_for(demo_db)
    store.save(IntakeDraft(summary="old call"), 1, "2026-11-02T01:55:00+00:00")
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        await pilot.press("escape")  # later: the form stays empty, the draft stays on disk
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.screen.collect().is_blank
        assert store.load() is not None
        await pilot.press("f3", "f2")  # the empty form opens again: offered again
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        assert shown_letter_keys(app.screen, "draft-keys") == ["d"]  # the key that discards
        await pilot.press("D")  # a capital is another key: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.screen.collect().is_blank
    assert store.load() is None


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_draft_prompts_show_the_letter_keys_that_work(demo_db: str, lang: str) -> None:
    store_for(demo_db).save(IntakeDraft(summary="old call"), 1, "2026-11-02T01:55:00+00:00")
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, RestoreDraftScreen) and not prompt.pending
        assert shown_letter_keys(prompt, "draft-keys") == ["d"]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3", "f2")  # the call is still in the form: asked about it
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, RestoreDraftScreen) and prompt.pending
        assert shown_letter_keys(prompt, "draft-keys") == ["n"]
        await pilot.press("n")  # the key shown takes the new call
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.screen.collect().is_blank


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_draft_prompts_footer_lists_its_own_keys(demo_db: str, lang: str) -> None:
    store_for(demo_db).save(IntakeDraft(summary="old call"), 1, "2026-11-02T01:55:00+00:00")
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3", "f2")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, RestoreDraftScreen) and prompt.pending
        footer = str(prompt.query_one(KeyFooter).render())
        t = prompt.ctx.t
        assert t("intake.key.draft_new") in footer and t("intake.key.draft_later") in footer
        # not the form's keys under it
        assert t("intake.key.save") not in footer and "^s" not in footer


async def test_quitting_writes_the_last_keystrokes(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#summary").focus()
        await pilot.press(*"Dock")
        await pilot.press("ctrl+q")
    draft = store_for(demo_db).load()
    assert draft is not None and draft.summary == "Dock"


def caller_name(db_url: str, extension: str) -> str:
    db = Database(db_url)
    try:
        with db.read() as session:
            row = session.exec(select(Requester).where(Requester.extension == extension)).one()
            return row.name
    finally:
        db.dispose()


# a real process, killed ----------------------------------------------------------------------
class Terminal:
    """The console in a pseudo-terminal, its output drained so it never blocks."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.master = master
        self.output = bytearray()
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=REPO,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def type(self, text: str, pause: float = 0.05) -> None:
        for char in text:
            os.write(self.master, char.encode("utf-8"))
            time.sleep(pause)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the console exited: {self.output[-2000:]!r}")
            time.sleep(0.05)
        raise AssertionError(f"timed out; last output: {bytes(self.output[-2000:])!r}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


async def test_a_draft_survives_kill_9(demo_db: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "DESKUI_HOME": os.environ["DESKUI_HOME"],
        "COLUMNS": "140",
        "LINES": "40",
    }
    argv = [sys.executable, "-m", "deskui", "--db", demo_db, "--as", "op", "--lang", "en"]
    store = store_for(demo_db)
    name = caller_name(demo_db, "8003")
    terminal = Terminal(argv, env, SIZE)
    try:
        terminal.wait_for(lambda: b"Caller" in terminal.output and b"Open" in terminal.output)
        # each step waits for what the operator would see (the draft follows the screen)
        terminal.type("8003")
        terminal.wait_for(lambda: name.encode() in terminal.output)
        terminal.type("\r")
        terminal.wait_for(lambda: (d := store.load()) is not None and d.requester is not None)
        terminal.type("\t1")  # from the type bar to the category: hardware
        terminal.wait_for(lambda: (d := store.load()) is not None and d.category == "hardware")
        terminal.type("\t\t\t\tFan noise")  # channel, impact, urgency, summary
        terminal.wait_for(lambda: (d := store.load()) is not None and d.summary == "Fan noise")
        assert store.load() is not None
    finally:
        terminal.kill()
    assert terminal.process.returncode == -signal.SIGKILL

    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        draft = screen.collect()
        assert draft.summary == "Fan noise" and draft.category == "hardware"
        assert screen.panel.requester is not None and screen.panel.requester.extension == "8003"
        # F2 from another area finds the restored call where it was
        await pilot.press("f3", "f2")
        await settle(pilot)
        assert screen.collect().summary == "Fan noise"
