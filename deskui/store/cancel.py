"""Stopping a change that waits on the desk: a token the console cancels, the write path obeys.

A change that waits for the write lock (another console holds it) can be stopped by the person
who sent it. The sender runs the change inside :func:`cancellable` with a :class:`CancelToken`;
:meth:`deskui.store.db.Database.write` finds the token and lets it wake every wait of the
change: the writers' turn on a SQLite file, the statement waiting for a lock on PostgreSQL (the
driver's ``cancel``). A cancelled change ends with :class:`WriteCancelled` and its transaction
rolled back: nothing is written.

A change past its point of no return — its statements done, its commit started — cannot be
stopped any more: :meth:`CancelToken.cancel` then says so (False), and the change ends saved.
The token is found through a context variable, so no service has to pass it along.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class WriteCancelled(RuntimeError):
    """The change was cancelled while it waited; nothing was written."""


class CancelToken:
    """One change's request to stop, shared by the thread that waits and the one that asks."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self.cancelled = False
        """Stopping was asked for before the point of no return: nothing will be written."""
        self.committing = False
        """The change went past its point of no return: it will be saved."""
        self._wakers: list[Callable[[], None]] = []

    def cancel(self) -> bool:
        """Ask the change to stop; True when it will end with nothing written, False when it
        is already committing (it will be saved)."""
        with self._mutex:
            if self.committing:
                return False
            self.cancelled = True
            wakers = list(self._wakers)
        for wake in wakers:
            wake()
        return True

    @contextmanager
    def waking(self, wake: Callable[[], None]) -> Iterator[None]:
        """While inside, a cancel calls ``wake`` (at once when it was cancelled already), from
        the cancelling thread."""
        with self._mutex:
            now = self.cancelled
            if not now:
                self._wakers.append(wake)
        if now:
            wake()
        try:
            yield
        finally:
            with self._mutex:
                if wake in self._wakers:
                    self._wakers.remove(wake)

    def check(self) -> None:
        """Raises:
        WriteCancelled: the change was cancelled."""
        if self.cancelled:
            raise WriteCancelled("the change was cancelled; nothing was written")

    def commit_starts(self) -> None:
        """The point of no return: from now on a cancel is refused (and wakes nothing).

        Raises:
            WriteCancelled: the change was cancelled before (it must be rolled back).
        """
        with self._mutex:
            self.check()
            self.committing = True
            self._wakers.clear()


_current: ContextVar[CancelToken | None] = ContextVar("deskui_cancel_token", default=None)


@contextmanager
def cancellable(token: CancelToken | None) -> Iterator[None]:
    """Run the changes inside (in this thread) under ``token`` (None: they cannot be
    cancelled)."""
    if token is None:
        yield
        return
    reset = _current.set(token)
    try:
        yield
    finally:
        _current.reset(reset)


def current_token() -> CancelToken | None:
    """The token of the change running in this thread, if it can be cancelled."""
    return _current.get()
