"""The change feed: a commit in one process reaches a console in another; outages are reported."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from deskui.store.db import Database
from deskui.store.feed import (
    ALL_TABLES,
    Backoff,
    Changed,
    ChangeFeed,
    FeedEvent,
    LocalFeed,
    Lost,
    PostgresFeed,
    Restored,
    SqliteFeed,
    announce,
    libpq_url,
    open_feed,
    watch_writes,
)
from deskui.store.migrate import upgrade
from deskui.store.models import DeskSetting

WAIT = 15.0  # generous: a loaded CI machine may be slow, the test only fails on a real miss


class Watched:
    """A feed running in its own thread, its events collected in order."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.feed = feed
        self.events: queue.Queue[FeedEvent] = queue.Queue()
        self.thread = threading.Thread(target=feed.run, args=(self.events.put,), daemon=True)

    def expect(self, kind: type, timeout: float = WAIT) -> FeedEvent:
        """The next event of ``kind``, skipping others; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no {kind.__name__} from the {self.feed.kind} feed")
            try:
                item = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if isinstance(item, kind):
                return item

    def next(self, timeout: float = WAIT) -> FeedEvent:
        """The very next event, whatever it is."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the {self.feed.kind} feed said nothing")

    def quiet(self, seconds: float) -> list[FeedEvent]:
        """Everything reported during ``seconds``."""
        time.sleep(seconds)
        found = []
        while not self.events.empty():
            found.append(self.events.get_nowait())
        return found


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.01)


@contextmanager
def watching(feed: ChangeFeed, *, connected: bool = True) -> Iterator[Watched]:
    watched = Watched(feed)
    watched.thread.start()
    try:
        if connected:
            wait_until(lambda: feed.connected, "the feed is connected")
        yield watched
    finally:
        feed.stop()
        watched.thread.join(WAIT)
        assert not watched.thread.is_alive(), "the feed did not stop"


def write_setting(db: Database, key: str, *, notify: bool = False) -> None:
    """A committed change, as any console's write would make it."""
    with db.write() as session:
        if notify:
            watch_writes(session)
        session.add(DeskSetting(key=key, value="{}", updated_at=datetime.now(UTC)))


WRITER = """
import sys
from datetime import UTC, datetime
from deskui.store.db import Database
from deskui.store.feed import announce
from deskui.store.models import DeskSetting
db = Database(sys.argv[1])
with db.write() as session:
    session.add(DeskSetting(key=sys.argv[2], value="{}", updated_at=datetime.now(UTC)))
    announce(session, ["desk_setting"])
db.dispose()
"""


def write_in_another_process(url: str, key: str) -> None:
    subprocess.run([sys.executable, "-c", WRITER, url, key], check=True, timeout=60)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/desk.db")
    upgrade(db)
    yield db
    db.dispose()


# SQLite -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("watch_files", [True, False], ids=["inotify", "polling"])
def test_sqlite_change_in_another_process_reaches_the_feed(
    sqlite_db: Database, watch_files: bool
) -> None:
    path = sqlite_db.engine.url.database or ""
    if watch_files:
        # nothing but the file watch can notice within the test's wait
        feed = SqliteFeed(path, interval=600, check_every=600)
    else:
        feed = SqliteFeed(path, watch_files=False)
    with watching(feed) as watched:
        if watch_files and sys.platform.startswith("linux"):
            assert feed.watching_files
        assert watched.quiet(0.2) == []
        write_in_another_process(sqlite_db.url, "other")
        changed = watched.expect(Changed)
    assert changed == Changed(ALL_TABLES)
    assert "ticket" in changed.tables


def test_sqlite_feed_sees_this_consoles_own_writes(sqlite_db: Database) -> None:
    feed = SqliteFeed(sqlite_db.engine.url.database or "", interval=30.0, watch_files=False)
    with watching(feed) as watched:
        write_setting(sqlite_db, "mine")
        # a long poll interval: only the local notice can make it show promptly
        feed.notify_local({"desk_setting"})
        assert isinstance(watched.next(timeout=5.0), Changed)
        assert watched.quiet(0.1) == []


@pytest.mark.parametrize("watch_files", [True, False], ids=["inotify", "polling"])
def test_sqlite_feed_reports_nothing_while_nothing_changes(
    sqlite_db: Database, watch_files: bool
) -> None:
    feed = open_feed(sqlite_db.url, interval=0.005, check_every=0.01, watch_files=watch_files)
    with watching(feed) as watched:
        with sqlite_db.read() as session:  # readers do not move data_version
            session.connection().execute(text("SELECT count(*) FROM ticket"))
        assert watched.quiet(0.3) == []


def test_sqlite_file_gone_is_lost_and_back_is_restored(sqlite_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    feed = SqliteFeed(path, check_every=0.05, backoff=Backoff(initial=0.05, cap=0.1))
    with watching(feed) as watched:
        sqlite_db.dispose()
        path.rename(tmp_path / "away.db")
        lost = watched.expect(Lost)
        assert isinstance(lost, Lost) and lost.reason
        assert watched.quiet(0.4) == [], "an outage is reported once, not at every retry"
        assert not feed.connected
        (tmp_path / "away.db").rename(path)
        assert isinstance(watched.next(), Restored)
        assert watched.next() == Changed(ALL_TABLES), "what happened meanwhile was not seen"
        write_in_another_process(sqlite_db.url, "after")
        assert isinstance(watched.expect(Changed), Changed)


def test_sqlite_feed_started_without_its_file_reports_lost_then_restored(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    feed = SqliteFeed(path, backoff=Backoff(initial=0.05, cap=0.1))
    with watching(feed, connected=False) as watched:
        assert isinstance(watched.next(), Lost)
        assert not path.exists(), "the feed must not create an empty database"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        db.dispose()
        assert isinstance(watched.expect(Restored), Restored)


def test_local_feed_reports_what_it_is_told() -> None:
    feed = open_feed("sqlite://")
    assert isinstance(feed, LocalFeed)
    with watching(feed) as watched:
        feed.notify_local({"ticket"})
        assert watched.next() == Changed(frozenset({"ticket"}))


def test_open_feed_picks_the_backend(tmp_path: Path) -> None:
    assert isinstance(open_feed(f"sqlite:///{tmp_path}/x.db"), SqliteFeed)
    pg = open_feed("postgresql+psycopg://desk:secret@db.example:5433/desk")
    assert isinstance(pg, PostgresFeed)
    assert pg.conninfo == "postgresql://desk:secret@db.example:5433/desk"
    assert libpq_url("postgresql://u@h/d") == "postgresql://u@h/d"
    with pytest.raises(ValueError, match="no change feed"):
        open_feed("mysql://u@h/d")


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(initial=0.5, cap=3.0, jitter=0.0)
    assert [backoff.next() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next() == 0.5


def test_announce_does_nothing_on_sqlite(sqlite_db: Database) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(
        sqlite_db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    with sqlite_db.write() as session:
        announce(session, ["ticket"])
    assert not any("pg_notify" in s for s in statements)


# PostgreSQL -------------------------------------------------------------------------------------
@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    db = Database(postgres_url)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM desk_setting WHERE key LIKE 'feed-%'"))
    yield db
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM desk_setting WHERE key LIKE 'feed-%'"))
    db.dispose()


@pytest.mark.postgres
def test_postgres_change_in_another_process_reaches_the_feed(pg_db: Database) -> None:
    with watching(open_feed(pg_db.url)) as watched:
        write_in_another_process(pg_db.url, "feed-other")
        assert watched.expect(Changed) == Changed(frozenset({"desk_setting"}))


@pytest.mark.postgres
def test_postgres_watch_writes_announces_flushed_tables_on_commit_only(pg_db: Database) -> None:
    with watching(open_feed(pg_db.url)) as watched:
        with pytest.raises(RuntimeError), pg_db.write() as session:
            watch_writes(session)
            session.add(
                DeskSetting(key="feed-rolled-back", value="{}", updated_at=datetime.now(UTC))
            )
            session.flush()
            raise RuntimeError("the change is abandoned")
        assert watched.quiet(0.3) == [], "a rolled-back change must announce nothing"
        write_setting(pg_db, "feed-kept", notify=True)
        assert watched.expect(Changed) == Changed(frozenset({"desk_setting"}))


@pytest.mark.postgres
def test_postgres_burst_is_coalesced(pg_db: Database) -> None:
    feed = PostgresFeed(pg_db.url, min_gap=0.5)
    with watching(feed) as watched:
        for n in range(20):
            write_setting(pg_db, f"feed-burst-{n}", notify=True)
        seen = [watched.expect(Changed)] + watched.quiet(1.5)
    assert 1 <= len(seen) <= 4, seen
    assert all(item == Changed(frozenset({"desk_setting"})) for item in seen)


@pytest.mark.postgres
def test_postgres_terminated_backend_is_lost_then_restored(pg_db: Database) -> None:
    feed = PostgresFeed(pg_db.url, backoff=Backoff(initial=0.05, cap=0.2))
    with watching(feed) as watched:
        pid = feed.backend_pid
        assert pid is not None
        with pg_db.engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        lost = watched.next()
        assert isinstance(lost, Lost), lost
        assert isinstance(watched.next(), Restored)
        assert watched.next() == Changed(ALL_TABLES)
        assert feed.backend_pid not in (None, pid)
        write_in_another_process(pg_db.url, "feed-after")
        assert watched.expect(Changed) == Changed(frozenset({"desk_setting"}))


def test_postgres_unreachable_server_is_lost_and_retried() -> None:
    # a port nobody listens on: the console starts, says the database is lost, keeps trying
    feed = PostgresFeed(
        "postgresql://postgres@127.0.0.1:9/none",
        connect_timeout=1,
        backoff=Backoff(initial=0.05, cap=0.1),
    )
    with watching(feed, connected=False) as watched:
        assert isinstance(watched.next(), Lost)
        assert watched.quiet(0.5) == []


def test_feed_stops_promptly_while_waiting(sqlite_db: Database) -> None:
    feed = open_feed(sqlite_db.url, interval=60.0)
    with watching(feed):
        pass  # watching() asserts the thread ended after stop()
    assert feed.stopped and os.path.exists(sqlite_db.engine.url.database or "")
