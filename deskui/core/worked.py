"""The minutes a worklog entry says were spent: whole minutes, at least one, at most a day.

One entry is one stretch of work written down the same day, so more than 1440 minutes (24 hours)
is a slip of the keyboard, not work done. The console and the command line read what was typed
with :func:`read_minutes`; the services check the number with :func:`check_minutes`.
"""

from __future__ import annotations

#: The fewest and the most minutes one worklog entry may carry.
MIN_MINUTES, MAX_MINUTES = 1, 1440


class MinutesError(ValueError):
    """Not whole minutes from :data:`MIN_MINUTES` to :data:`MAX_MINUTES`.

    Attributes:
        value: what was given, as typed.
    """

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def check_minutes(minutes: int | None) -> int | None:
    """``minutes`` if it is None (not said) or within the bounds.

    Raises:
        MinutesError: out of bounds.
    """
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise MinutesError(str(minutes))
    return minutes


def read_minutes(text: str) -> int | None:
    """What was typed in a minutes field: None for nothing, else whole minutes (``45``,
    ``０４５`` in full-width digits).

    Raises:
        MinutesError: anything else (``1.5``, ``-3``, ``0``, ``2h``, ``1441``).
    """
    typed = text.strip()
    if not typed:
        return None
    if not typed.isdecimal() or len(typed) > 5:
        raise MinutesError(typed)
    return check_minutes(int(typed))


def total_minutes(entries: list[int | None]) -> int:
    """The minutes of worklog entries summed (entries without minutes count none)."""
    return sum(m for m in entries if m is not None)
