"""Shared fixtures of the console's tests: a seeded demo desk at a frozen time, and the app on it.

The demo desk is seeded once per test session (and xdist worker) into a template file; each
test gets its own copy, so tests may write freely and never see each other's calls::

    async def test_something(demo_db: str) -> None:
        app = make_test_app(demo_db, user="op", lang="en")
        async with app.run_test(size=(140, 40)) as pilot:
            ...

Snapshot tests elsewhere import these names (fixtures included) from ``tests.ui.conftest``.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea
from textual.worker import WorkerCancelled, WorkerFailed

from deskui.app import DeskApp, make_app
from deskui.config import Settings
from deskui.console.gc_policy import CollectorPolicy
from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.seed import seed_demo
from deskui.store.db import Database
from deskui.widgets.suggestion_panel import SuggestionPanel
from tests.conftest import FROZEN_AT
from tests.conftest import _truncate as truncate_postgres

#: The terminal of every UI test and snapshot.
SIZE = (140, 40)
#: What a line of Chinese text never starts with (避头尾).
CLOSING = "。，、；：）」"


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors that do not blink: screenshots are the same every time."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", False)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let every worker finish and every message be handled.

    A finished read may start another (the queue reads ahead only after a frame), so after the
    first rounds it goes on until a round starts none (at most 20 more). A worker that failed is
    the test's to see, through the screen's error funnel; one cancelled while waited for (an
    exclusive worker replaced by a newer one, the status line's counts) is waited for no more.
    """
    for _ in range(rounds):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(20):
        if not any(worker.is_running for worker in pilot.app.workers):
            break
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # a table sizes its columns to what they hold when the console is next idle: until then it
    # draws them as wide as their headers (Textual's DataTable keeps the flag privately)
    for _ in range(20):
        if not any(
            getattr(table, "_require_update_dimensions", False)
            for table in pilot.app.screen.query(DataTable)
        ):
            break
        await pilot.pause(0.01)
    # the knowledge panels read a moment after the last key (a timer, not yet a worker)
    for _ in range(20):
        if all(panel.up_to_date for panel in pilot.app.screen.query(SuggestionPanel)):
            return
        await pilot.pause(SuggestionPanel.suggest_delay / 3)
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def frozen_clock() -> FrozenClock:
    """The desk's time in every UI test: Monday 2026-11-02 10:00 Asia/Shanghai."""
    return FrozenClock(FROZEN_AT)


def seed_demo_file(path: Path) -> None:
    """The demo desk (``deskui``'s first run) in a SQLite file, seeded at the frozen time and
    fully checkpointed, so the one file is the whole desk."""
    db = Database(f"sqlite:///{path}")
    prepare_database(db, frozen_clock())
    # without the demo's announcements: their banner would be in every screen's snapshot
    # (tests/ui/test_announcements.py seeds them)
    seed_demo(DeskService(db, frozen_clock()), announcements=False)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded demo desk every test copies."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    seed_demo_file(path)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """A private copy of the demo desk: its SQLAlchemy URL (the file is ``desk.db``)."""
    path = tmp_path / "desk.db"
    shutil.copyfile(demo_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def demo_pg(request: pytest.FixtureRequest) -> str:
    """A small demo desk on PostgreSQL (skipped without ``DESKUI_TEST_POSTGRES_URL``)."""
    url: str = request.getfixturevalue("postgres_url")
    db = Database(url)
    truncate_postgres(db)
    prepare_database(db, frozen_clock())
    seed_demo(DeskService(db, frozen_clock()), callers=40, tickets=12, announcements=False)
    db.dispose()
    return url


def make_test_app(
    db_url: str,
    *,
    user: str = "op",
    lang: str = "en",
    clock: FrozenClock | None = None,
    start_mode: str | None = None,
    theme: str = "dark",
    collector: CollectorPolicy | None = None,
) -> DeskApp:
    """The console on ``db_url`` as ``user``, in ``lang``, at a frozen time."""
    settings = Settings(database_url=db_url, user=user, lang=lang, theme=theme)
    return make_app(
        settings, clock=clock or frozen_clock(), start_mode=start_mode, collector=collector
    )


def console_for(
    desk: DeskService,
    user: str,
    lang: str = "en",
    *,
    start_mode: str = "queue",
    live: bool = False,
) -> DeskApp:
    """The console on a desk a test built (its database and its clock), as ``user``.

    The real app from the real factory, so what a screen relies on (status line, forwarding of
    desk changes, the connection banner) is what the console gives it. The change feed is off
    unless asked for: a test announces its own writes, or reads again itself.
    """
    settings = Settings(database_url=desk.db.url, user=user, lang=lang)
    return make_app(settings, desk=desk, start_mode=start_mode, live=live)


def held_back(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> threading.Event:
    """Make ``owner.name`` wait until the returned event is set (at most 10 s), then answer as
    before: a desk that answers only when the test says so."""
    original = getattr(owner, name)
    release = threading.Event()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, waiting)
    return release


def ticket_count(db_url: str) -> int:
    """How many tickets the desk holds (read outside the app)."""
    from sqlmodel import func, select

    from deskui.store.models import Ticket

    db = Database(db_url)
    try:
        with db.read() as session:
            return int(session.exec(select(func.count()).select_from(Ticket)).one())
    finally:
        db.dispose()


def shown_letter_keys(screen: Screen[Any], widget_id: str) -> list[str]:
    """The letter keys a dialog's key line tells the operator to press (``d 丢弃 · Esc …``)."""
    line = str(screen.query_one(f"#{widget_id}", Static).render())
    return [key for part in line.split("·") if len(key := part.split()[0]) == 1 and key.isalpha()]
