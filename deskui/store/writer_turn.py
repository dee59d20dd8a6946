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

A writer may also stop waiting before the time runs out, when its change is cancelled
(:class:`~deskui.store.cancel.CancelToken`): the cancel wakes it, and it gives up as on a timeout.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from deskui.store.cancel import CancelToken

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
        self._woken = threading.Event()
        """Set when the lock came (with ``_done``) or the writer's change was cancelled."""
        self._wanted = True
        self._let_go = False
        threading.Thread(target=self._take, name="deskui-writer-turn", daemon=True).start()

    def _take(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as exc:
            self.error = exc
        with self._mutex:
            self._woken.set()
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

    def wait(self, seconds: float, token: CancelToken | None = None) -> bool:
        """Wait up to ``seconds`` for the lock, or until ``token`` is cancelled; True when it
        is held (by :attr:`fd`).

        Raises:
            OSError: ``flock`` itself failed.
        """
        deadline = time.monotonic() + seconds
        with _waking(token, self._woken.set):
            while not self._done.is_set() and not (token is not None and token.cancelled):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._woken.wait(left)
                with self._mutex:
                    if not self._done.is_set():
                        self._woken.clear()  # another writer's cancel: not this one's
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
        self._queue = threading.Condition()
        """This process's own writers queue here first, so one helper is enough."""
        self._queued = False
        """A writer of this process is waiting for the turn (the others wait behind it)."""
        self._waiter: _Waiter | None = None

    def take(self, seconds: float, token: CancelToken | None = None) -> int | None:
        """Take the turn, waiting at most ``seconds`` (and no longer than until ``token`` is
        cancelled): the descriptor that holds it (closing it gives the turn back), or None when
        the wait ran out or was cancelled.

        Raises:
            OSError: the lock file cannot be opened or locked.
        """
        deadline = time.monotonic() + seconds
        if not self._join_queue(deadline, token):
            return None
        try:
            return self._take(deadline - time.monotonic(), token)
        finally:
            with self._queue:
                self._queued = False
                self._queue.notify()

    def _join_queue(self, deadline: float, token: CancelToken | None) -> bool:
        """Wait to be this process's writer at the head of the queue; False when the time ran
        out or the change was cancelled first."""
        with _waking(token, self._wake_queue), self._queue:
            while self._queued:
                left = deadline - time.monotonic()
                if left <= 0 or (token is not None and token.cancelled):
                    return False
                self._queue.wait(left)
            self._queued = True
            return True

    def _wake_queue(self) -> None:
        with self._queue:
            self._queue.notify_all()

    def _take(self, seconds: float, token: CancelToken | None) -> int | None:
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
        if not waiter.wait(seconds, token):
            return None
        self._waiter = None
        return waiter.fd


def _waking(token: CancelToken | None, wake: Callable[[], None]) -> AbstractContextManager[None]:
    """``token.waking(wake)``, or nothing to do for a change that cannot be cancelled."""
    return nullcontext() if token is None else token.waking(wake)
