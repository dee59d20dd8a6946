"""The change feed of a SQLite file (:class:`SqliteFeed`): every console on one host.

It reads ``PRAGMA data_version`` on a dedicated connection, when inotify on the database's
directory (:class:`_DirectoryWatch`, Linux) says a file of the database was written, or by
polling elsewhere; it also notices the file going missing or being replaced.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import sqlite3
import struct
import sys
import time
from collections.abc import Iterable

from deskui.store.feed.base import ChangeFeed, _Waker
from deskui.store.feed.events import ALL_TABLES, Backoff, Changed

#: Follow-up polls after a write was seen: 1, 2, 4 … 64 ms later.
_FOLLOW_FIRST, _FOLLOW_LAST = 0.001, 0.064
#: Seconds between a SQLite feed's checks that its file is still the one opened: with inotify
#: (which reports a replaced or deleted file itself, so this is only a safety net) and without.
WATCHED_CHECK_EVERY, POLLED_CHECK_EVERY = 5.0, 1.0


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
