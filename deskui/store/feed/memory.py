"""The change feed of an in-memory SQLite desk (:class:`LocalFeed`), for tests and throwaway
desks: no other connection can exist, so it reports only what this console tells it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from deskui.store.feed.base import ChangeFeed
from deskui.store.feed.events import ALL_TABLES, Changed


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
