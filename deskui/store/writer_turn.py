"""The writers' turn on a SQLite file: an OS file lock taken before ``BEGIN IMMEDIATE``, waited for
without polling and for no longer than the lock wait.

Why a file lock at all: SQLite's busy handler makes a waiting writer sleep in growing steps (up to
100 ms), so under contention the writers that have waited longest sleep longest and lose to
newcomers (p99 437 ms, worst 3.6 s with 4 writers); the kernel wakes a waiter blocked in ``flock``
as soon as the lock is free, and the writers take turns (p99 137 ms). Tries without blocking,
with sleeps between, lose that again: a writer that has just committed takes the lock straight
back while the others sleep (p99 560–670 ms against 98–117 ms, measured with
``benchmarks.intake``).

``flock`` itself has no time limit, and a signal cannot cut it short outside the main thread (the
console writes from worker threads; Python retries the call after the signal). So the blocking
``flock`` runs in a helper thread on its own descriptor, and the writer waits for it with a
timeout. A writer that gives up leaves the helper blocked; the process's next writer waits on the
same helper instead of starting another (one helper per database at most), and a helper that
gets the lock when nobody waits for it any more lets go of it at once.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler alone serializes writers
    HAVE_FLOCK = False
else:
    HAVE_FLOCK = True


def _open(path: Path) -> int:
    # made 0600 like the database beside it (an existing file keeps its mode)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


class _Waiter:
    """One blocking ``flock`` on its own descriptor, in a daemon thread, that can be waited for
    with a timeout and abandoned."""

    def __init__(self, path: Path) -> None:
        self.fd = _open(path)
        self.error: OSError | None = None
        self._mutex = threading.Lock()
        self._done = threading.Event()
        self._wanted = True
        self._let_go = False
        threading.Thread(target=self._take, name="deskui-writer-turn", daemon=True).start()

    def _take(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as exc:
            self.error = exc
        with self._mutex:
            if self._wanted and self.error is None:
                self._done.set()
                return
            self._let_go = True
            self._done.set()
        os.close(self.fd)  # nobody waits for it now: closing gives the lock to the next writer

    def want_again(self) -> bool:
        """Be waited for again; False when it already let go (a new waiter is needed)."""
        with self._mutex:
            if self._let_go:
                return False
            self._wanted = True
            return True

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the lock; True when it is held (by :attr:`fd`).

        Raises:
            OSError: ``flock`` itself failed.
        """
        self._done.wait(max(0.0, seconds))
        with self._mutex:
            if self._done.is_set() and not self._let_go:
                return True
            self._wanted = False
        if self.error is not None:
            raise self.error
        return False


class WriterTurn:
    """The writers' turn of one SQLite file, for one process.

    Args:
        path: the lock file (beside the database).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._in_process = threading.Lock()
        self._waiter: _Waiter | None = None

    def take(self, seconds: float) -> int | None:
        """Take the turn, waiting at most ``seconds``: the descriptor that holds it (closing it
        gives the turn back), or None when the wait ran out.

        Raises:
            OSError: the lock file cannot be opened or locked.
        """
        deadline = time.monotonic() + seconds
        # this process's own writers queue on a thread lock first, so one helper is enough
        if not self._in_process.acquire(timeout=max(0.0, seconds)):
            return None
        try:
            return self._take(deadline - time.monotonic())
        finally:
            self._in_process.release()

    def _take(self, seconds: float) -> int | None:
        fd = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            os.close(fd)
        except BaseException:
            os.close(fd)
            raise
        waiter = self._waiter
        if waiter is None or not waiter.want_again():
            waiter = self._waiter = _Waiter(self.path)
        if not waiter.wait(seconds):
            return None
        self._waiter = None
        return waiter.fd
