"""What a change feed tells its listener (:class:`Changed`, :class:`Lost`, :class:`Restored`),
the set of every table a change may name (:data:`ALL_TABLES`), and the reconnection waits
(:class:`Backoff`): the vocabulary every backend and every listener shares.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import SQLModel

from deskui.store import models as _models  # noqa: F401  (registers every table in the metadata)

#: Every table of the desk: what a change is reported as when the backend cannot say which.
ALL_TABLES: frozenset[str] = frozenset(SQLModel.metadata.tables)


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
