"""The change feed: every console learns, within a moment, that the desk changed somewhere.

One interface, three backends, chosen by :func:`open_feed` from the database URL:

* **SQLite file** (:class:`SqliteFeed`), every console on one host. A dedicated connection
  reads ``PRAGMA data_version`` (a few microseconds, no table is read); the number moves
  whenever *another connection* commits. The feed's connection never writes, so that includes
  this console's own writes made through the engine's pool: a console sees its own changes
  without help, and :meth:`ChangeFeed.notify_local` only makes them show at once. When to read
  it: on Linux, when inotify says a file of the database was written (so an idle desk costs
  nothing to watch and a commit is seen within a millisecond), with a safety read every few
  seconds; elsewhere, every 40 ms. SQLite cannot tell which tables moved, so a change is reported as
  :data:`ALL_TABLES`. The feed also checks that the file is still there (a database on a
  removed disk or a share that went away): a missing file is a lost connection; the same file
  back again is a restored one.
* **PostgreSQL** (:class:`PostgresFeed`), consoles on many hosts. A dedicated connection runs
  ``LISTEN deskui``; writers call :func:`announce` (or let :func:`watch_writes` do it) inside
  the transaction that makes the change, so ``pg_notify`` is delivered on commit, and only on
  commit. The payload names the tables. The console's own notifications come back to it too,
  so ``notify_local`` does nothing here. TCP keepalives and a ``SELECT 1`` after a quiet spell
  find a connection that died without a word.
* **SQLite in memory** (:class:`LocalFeed`), tests and throwaway desks: no other connection can
  exist, so only ``notify_local`` produces changes.

A feed runs in a thread of its own (:meth:`ChangeFeed.run` blocks until :meth:`ChangeFeed.stop`)
and tells a listener three things: :class:`Changed` (tables), :class:`Lost` (reason, reported
once per outage) and :class:`Restored`. It reconnects by itself with exponential back-off; after
a reconnection it reports :class:`Restored` and then a change of :data:`ALL_TABLES`, because
whatever happened during the outage was not seen.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import random
import select
import socket
import sqlite3
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from deskui.store import models as _models  # noqa: F401  (registers every table in the metadata)

log = logging.getLogger(__name__)

#: The PostgreSQL channel every console listens on.
CHANNEL = "deskui"
#: Every table of the desk: what a change is reported as when the backend cannot say which.
ALL_TABLES: frozenset[str] = frozenset(SQLModel.metadata.tables)
_INFO_KEY = "deskui.announced"


@dataclass(frozen=True)
class Changed:
    """Rows of these tables changed (committed) somewhere."""

    tables: frozenset[str]


@dataclass(frozen=True)
class Lost:
    """The database cannot be reached; the feed keeps trying."""

    reason: str


@dataclass(frozen=True)
class Restored:
    """The database answers again (a :class:`Changed` of every table follows)."""


FeedEvent = Changed | Lost | Restored
Listener = Callable[[FeedEvent], None]


class Backoff:
    """Waits between reconnection attempts: doubling from ``initial`` up to ``cap``, with jitter.

    Jitter keeps a desk of consoles from reconnecting in lockstep after a server restart.
    """

    def __init__(self, initial: float = 0.25, cap: float = 5.0, jitter: float = 0.2) -> None:
        self.initial, self.cap, self.jitter = initial, cap, jitter
        self._next = initial

    def next(self) -> float:
        """The next wait in seconds (each call doubles the following one)."""
        delay = self._next
        self._next = min(self.cap, self._next * 2)
        return delay * (1 + random.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        """Start again from the shortest wait (after a successful connection)."""
        self._next = self.initial


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class ChangeFeed:
    """What every backend shares: the listener, stopping, and the lost/restored bookkeeping.

    Subclasses implement :meth:`_serve`, which connects, watches and returns (or raises) when the
    connection is gone; :meth:`run` reconnects around it.
    """

    #: Shown in logs and benchmark output.
    kind = "feed"

    def __init__(self, *, backoff: Backoff | None = None) -> None:
        self.backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._listener: Listener | None = None
        self._up: bool | None = None  # None: never connected yet
        self._lost_reported = False

    # public -----------------------------------------------------------------------------------
    def run(self, listener: Listener) -> None:
        """Watch for changes until :meth:`stop`; blocks, so call it in a thread of its own."""
        self._listener = listener
        while not self._stop.is_set():
            try:
                self._serve()
            except Exception as exc:  # noqa: BLE001 - any failure means: reconnect
                self._went_down(_first_line(exc))
            else:
                if not self._stop.is_set():
                    self._went_down("connection closed")
            if self._stop.wait(self.backoff.next()):
                break
        self._close()

    def stop(self) -> None:
        """Ask :meth:`run` to return soon (safe from any thread)."""
        self._stop.set()
        self._wake()

    @property
    def stopped(self) -> bool:
        """:meth:`stop` was called."""
        return self._stop.is_set()

    @property
    def connected(self) -> bool:
        """The feed is watching a live connection right now."""
        return bool(self._up)

    def notify_local(self, tables: Iterable[str] = ALL_TABLES) -> None:
        """This console committed a change: make it show now rather than at the next poll.

        Safe from any thread. What it does depends on the backend (see the module docstring).
        """

    # for subclasses ---------------------------------------------------------------------------
    def _serve(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Interrupt a wait in :meth:`_serve` (stop, or a local change)."""

    def _close(self) -> None:
        """Release the connection."""

    def _came_up(self) -> None:
        """A connection is established: report a restoration if one was lost."""
        self.backoff.reset()
        was = self._up
        self._up = True
        if was is not None and self._lost_reported:
            self._lost_reported = False
            self._emit(Restored())
            self._emit(Changed(ALL_TABLES))

    def _went_down(self, reason: str) -> None:
        self._close()
        self._up = False
        if not self._lost_reported and not self._stop.is_set():
            self._lost_reported = True
            log.warning("change feed lost the database: %s", reason)
            self._emit(Lost(reason))

    def _emit(self, item: FeedEvent) -> None:
        if self._listener is None or self._stop.is_set():
            return
        try:
            self._listener(item)
        except Exception:  # a failing listener must not kill the feed
            log.exception("change feed listener failed on %r", item)


#: Follow-up polls after a write was seen: 1, 2, 4 … 64 ms later.
_FOLLOW_FIRST, _FOLLOW_LAST = 0.001, 0.064
#: Seconds between a SQLite feed's checks that its file is still the one opened: with inotify
#: (which reports a replaced or deleted file itself, so this is only a safety net) and without.
WATCHED_CHECK_EVERY, POLLED_CHECK_EVERY = 5.0, 1.0


class _Waker:
    """A socket pair to interrupt a ``select`` from another thread (stop, a local change)."""

    def __init__(self) -> None:
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)
        self._w.setblocking(False)

    def fileno(self) -> int:
        """For ``select``."""
        return self._r.fileno()

    def poke(self) -> None:
        """Wake the waiting thread (safe from any thread)."""
        with contextlib.suppress(OSError):
            self._w.send(b"\0")

    def drain(self) -> None:
        """Forget the pokes received."""
        with contextlib.suppress(OSError):
            while self._r.recv(4096):
                pass


class _DirectoryWatch:
    """inotify on the database's directory (Linux): a write by any process on this host wakes
    the feed at once, and an idle desk costs nothing to watch.

    The directory is watched rather than the files, so the watch survives SQLite deleting and
    re-creating its ``-wal`` file. Readers touch the ``-shm`` file only through memory maps, which
    inotify does not report: the feed's own polls never wake it.
    """

    _MASK = 0x2 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800  # modify, moves, create, delete(self)
    _OVERFLOW = 0x4000

    def __init__(self, path: str) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        directory = os.path.dirname(os.path.abspath(path))
        if libc.inotify_add_watch(fd, os.fsencode(directory), self._MASK) < 0:
            errno = ctypes.get_errno()
            os.close(fd)
            raise OSError(errno, f"cannot watch {directory}")
        self.fd = fd
        base = os.path.basename(path)
        self.names = {base, f"{base}-wal", f"{base}-journal"}

    @classmethod
    def open(cls, path: str) -> _DirectoryWatch | None:
        """A watch, or None where inotify is not available (the feed then polls)."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            return cls(path)
        except (OSError, AttributeError, TypeError):
            return None

    def drain(self) -> bool:
        """Read the pending events; whether any concerns the database's files."""
        relevant = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return relevant
            offset = 0
            while offset + 16 <= len(data):
                _wd, mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + length].split(b"\0", 1)[0]
                offset += 16 + length
                if mask & (self._OVERFLOW | 0x400 | 0x800) or os.fsdecode(name) in self.names:
                    relevant = True

    def close(self) -> None:
        """Stop watching."""
        with contextlib.suppress(OSError):
            os.close(self.fd)


class SqliteFeed(ChangeFeed):
    """Watches a SQLite file through ``PRAGMA data_version`` on a dedicated connection.

    On Linux the directory is watched with inotify and ``data_version`` is read when the file is
    written (at once, and not at all while nothing happens), with a safety poll every
    ``check_every``. Elsewhere it polls every ``interval``.

    Args:
        path: the database file.
        interval: seconds between polls where the files cannot be watched.
        check_every: seconds between checks that the file is still the one opened (with
            inotify also a look at ``data_version``, in case a notification was missed); by
            default :data:`WATCHED_CHECK_EVERY` with inotify, :data:`POLLED_CHECK_EVERY`
            without. Each check wakes the process: an idle console should wake rarely.
        watch_files: use inotify where available (off: always poll).
        backoff: reconnection waits.
    """

    kind = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        interval: float = 0.04,
        check_every: float | None = None,
        watch_files: bool = True,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(backoff=backoff)
        self.path = os.fspath(path)
        self.interval = interval
        self.check_every = check_every
        self.watch_files = watch_files
        self._conn: sqlite3.Connection | None = None
        self._watch: _DirectoryWatch | None = None
        self._identity: tuple[int, int] | None = None
        self._waker = _Waker()

    @property
    def watching_files(self) -> bool:
        """Changes are noticed through inotify (not by polling)."""
        return self._watch is not None

    def notify_local(self, tables: Iterable[str] = ALL_TABLES) -> None:
        """Poll now: the commit already moved ``data_version`` for the feed's own connection."""
        self._waker.poke()

    def _wake(self) -> None:
        self._waker.poke()

    def _identity_now(self) -> tuple[int, int]:
        info = os.stat(self.path)  # raises FileNotFoundError when the file went away
        return info.st_dev, info.st_ino

    def _open(self) -> tuple[sqlite3.Connection, int]:
        # mode=rw: never create an empty database where the real one went missing
        conn = sqlite3.connect(
            f"file:{self.path}?mode=rw", uri=True, isolation_level=None, timeout=1.0
        )
        try:
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            self._identity = self._identity_now()
        except BaseException:
            conn.close()
            raise
        return conn, version

    def _serve(self) -> None:
        # watch first, then read the version: a commit in between is seen either way
        self._watch = _DirectoryWatch.open(self.path) if self.watch_files else None
        self._conn, seen = self._open()
        self._came_up()
        every = self.check_every
        if every is None:
            every = WATCHED_CHECK_EVERY if self._watch is not None else POLLED_CHECK_EVERY
        next_check = time.monotonic() + every
        follow: float | None = None  # the next follow-up poll after a write was seen
        while not self._stop.is_set():
            now = time.monotonic()
            if self._watch is None:
                timeout = self.interval
                fds = [self._waker.fileno()]
            else:
                timeout = max(0.0, next_check - now)
                if follow is not None:
                    timeout = min(timeout, follow)
                fds = [self._waker.fileno(), self._watch.fd]
            readable, _, _ = select.select(fds, [], [], timeout)
            if self._stop.is_set():
                return
            woken = self._waker.fileno() in readable
            if woken:
                self._waker.drain()
            touched = False
            if self._watch is not None and self._watch.fd in readable:
                touched = self._watch.drain()
                if not (touched or woken or follow is not None):
                    continue  # another file of the directory
            if touched:
                # a commit's pages reach the WAL file a moment before the commit is published
                # (in shared memory, which inotify does not see): look again shortly after
                follow = _FOLLOW_FIRST
            elif follow is not None and not readable:
                follow = follow * 2 if follow < _FOLLOW_LAST else None
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            if version != seen:
                seen = version
                # SQLite cannot say which tables moved: report every table
                self._emit(Changed(ALL_TABLES))
            now = time.monotonic()
            if touched or now >= next_check:
                next_check = now + every
                if self._identity_now() != self._identity:
                    # the file was replaced (restored from a backup): everything may differ
                    self._close()
                    self._watch = _DirectoryWatch.open(self.path) if self.watch_files else None
                    self._conn, seen = self._open()
                    self._emit(Changed(ALL_TABLES))

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None


class PostgresFeed(ChangeFeed):
    """``LISTEN`` on a dedicated psycopg connection.

    Args:
        url: SQLAlchemy or libpq URL of the desk's database.
        channel: the notification channel.
        health_every: seconds of silence after which a ``SELECT 1`` checks the connection.
        min_gap: a burst of notifications is delivered as one change at most this often.
        connect_timeout: seconds to wait for the server when (re)connecting.
        backoff: reconnection waits.
    """

    kind = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        health_every: float = 15.0,
        min_gap: float = 0.02,
        connect_timeout: int = 5,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(backoff=backoff)
        self.conninfo = libpq_url(url)
        self.channel = channel
        self.health_every = health_every
        self.min_gap = min_gap
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._pending: set[str] = set()
        self._waker = _Waker()

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (tests terminate it)."""
        conn = self._conn
        return int(conn.info.backend_pid) if conn is not None and not conn.closed else None

    def _wake(self) -> None:
        self._waker.poke()

    def _on_notify(self, notify: Any) -> None:
        payload = str(notify.payload or "")
        names = {name for name in payload.split(",") if name}
        self._pending.update(names or ALL_TABLES)

    def _serve(self) -> None:
        import psycopg
        from psycopg import pq, sql

        conn = psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=self.connect_timeout,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=3,
            keepalives_count=3,
            application_name="deskui-feed",
        )
        self._conn = conn
        conn.add_notify_handler(self._on_notify)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self._came_up()
        pgconn = conn.pgconn
        last_heard = time.monotonic()
        last_sent = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            timeout = max(0.0, last_heard + self.health_every - now)
            if self._pending:
                timeout = min(timeout, max(0.0, last_sent + self.min_gap - now))
            waker = self._waker.fileno()
            readable, _, _ = select.select([pgconn.socket, waker], [], [], timeout)
            if self._stop.is_set():
                return
            if waker in readable:
                self._waker.drain()
            now = time.monotonic()
            if pgconn.socket in readable:
                pgconn.consume_input()  # raises OperationalError when the server went away
                while (n := pgconn.notifies()) is not None:
                    if pgconn.notify_handler:
                        pgconn.notify_handler(n)
                if pgconn.status != pq.ConnStatus.OK:
                    raise psycopg.OperationalError("the server closed the connection")
                last_heard = now
            elif not readable and now >= last_heard + self.health_every:
                conn.execute("SELECT 1")  # notifications arriving meanwhile reach _on_notify
                last_heard = time.monotonic()
            if self._pending and now >= last_sent + self.min_gap:
                tables, self._pending = frozenset(self._pending), set()
                last_sent = now
                self._emit(Changed(tables))

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


class LocalFeed(ChangeFeed):
    """An in-memory SQLite desk: only this console can change it, so it reports what it is told."""

    kind = "local"

    def __init__(self) -> None:
        super().__init__()
        self._poke = threading.Event()
        self._lock = threading.Lock()
        self._local: set[str] = set()

    def notify_local(self, tables: Iterable[str] = ALL_TABLES) -> None:
        """Report these tables as changed."""
        with self._lock:
            self._local.update(tables)
        self._poke.set()

    def _wake(self) -> None:
        self._poke.set()

    def _serve(self) -> None:
        self._came_up()
        while not self._stop.is_set():
            self._poke.wait()
            self._poke.clear()
            with self._lock:
                tables, self._local = frozenset(self._local), set()
            if tables and not self._stop.is_set():
                self._emit(Changed(tables))


def libpq_url(url: str) -> str:
    """A URL libpq understands (``postgresql+psycopg://`` → ``postgresql://``)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def open_feed(url: str, **options: Any) -> ChangeFeed:
    """The feed that suits a database URL (``Database.url``).

    Args:
        url: SQLAlchemy URL of the desk's database.
        options: passed to the backend (``interval=`` for SQLite, ``health_every=`` …).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return LocalFeed()
        return SqliteFeed(parsed.database, **options)
    if backend == "postgresql":
        return PostgresFeed(url, **options)
    raise ValueError(f"no change feed for {backend} databases")


# the writer's side ------------------------------------------------------------------------------
def announce(session: Session, tables: Iterable[str]) -> None:
    """Tell every listening console that these tables change in this transaction.

    On PostgreSQL it runs ``SELECT pg_notify('deskui', 'ticket,ticket_event')`` on the session's
    connection: the notification leaves with the commit, never without it (a rolled-back change
    announces nothing). Identical payloads of one transaction reach listeners once. On SQLite it
    does nothing: the feed sees every commit through ``PRAGMA data_version``.

    Args:
        session: the write session, inside its transaction.
        tables: names of the tables written.
    """
    names = sorted(set(tables))
    if not names or session.get_bind().dialect.name != "postgresql":
        return
    # remember what this transaction already announced, so repeated flushes send one notice
    transaction = session.get_transaction()
    owner, announced = session.info.get(_INFO_KEY, (None, set()))
    if owner is not transaction:
        announced = set()
        session.info[_INFO_KEY] = (transaction, announced)
    if announced.issuperset(names):
        return
    announced.update(names)
    session.connection().execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": ",".join(names)},
    )


def watch_writes(session: Session) -> Session:
    """Announce every table this session's flushes write, inside the same transaction.

    Attach it once to a write session (``Database.write``) and no write path can forget to
    announce. Writes made with raw SQL bypass the flush and need :func:`announce`.

    Returns:
        The same session.
    """
    if session.get_bind().dialect.name == "postgresql":
        event.listen(session, "after_flush", _announce_flushed)
    return session


def _announce_flushed(session: Session, _context: Any) -> None:
    # after_flush still sees the flushed objects in new/dirty/deleted
    touched = {
        table.name
        for obj in (*session.new, *session.dirty, *session.deleted)
        if (table := getattr(type(obj), "__table__", None)) is not None
    }
    if touched:
        announce(session, touched)
