"""Injectable time: everything that asks 'what time is it' asks a Clock, so tests freeze it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to, for tests and snapshots.

    Args:
        instant: the fixed instant (must be timezone-aware).
    """

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen instant."""
        return self.instant

    def advance(self, **kwargs: float) -> None:
        """Move forward by a timedelta's keyword arguments (``minutes=5``)."""
        self.instant += timedelta(**kwargs)


def utcnow() -> datetime:
    """The machine's current instant in UTC."""
    return datetime.now(UTC)
