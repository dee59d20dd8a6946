"""The interface every change feed backend implements (:class:`ChangeFeed`): the listener,
stopping, reconnection with back-off, and the lost/restored bookkeeping; and :class:`_Waker`,
which the backends that wait in ``select`` are interrupted with.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterable

from deskui.store.feed.events import (
    ALL_TABLES,
    Backoff,
    Changed,
    FeedEvent,
    Listener,
    Lost,
    Restored,
)

# one log for the whole feed, under the package's name
log = logging.getLogger("deskui.store.feed")


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
