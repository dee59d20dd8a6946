"""Ticket numbers of SPEC §2: ``IT`` + the desk's local date + a daily sequence of ≥ 3 digits."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

PREFIX = "IT"
_NUMBER = re.compile(r"^IT(\d{8})(\d{3,})$")


def desk_day(instant: datetime, tz: ZoneInfo) -> date:
    """The desk's local date of an instant (not the UTC date).

    Raises:
        ValueError: a naive datetime, whose moment cannot be known.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a ticket's time must carry its UTC offset")
    return instant.astimezone(tz).date()


def format_number(day: date, sequence: int) -> str:
    """``IT20231001001``; the 1000th ticket of a day is ``IT202310011000``.

    Raises:
        ValueError: a sequence below 1.
    """
    if sequence < 1:
        raise ValueError("the daily sequence starts at 1")
    return f"{PREFIX}{day:%Y%m%d}{sequence:03d}"


def day_key(day: date) -> str:
    """The key under which a day's sequence is counted."""
    return f"{day:%Y%m%d}"


def parse_number(number: str) -> tuple[date, int]:
    """Split a ticket number into its day and sequence.

    Raises:
        ValueError: not a ticket number.
    """
    match = _NUMBER.match(number.strip().upper())
    if match is None:
        raise ValueError(f"not a ticket number: {number!r}")
    digits, seq = match.groups()
    day = datetime.strptime(digits, "%Y%m%d").date()
    sequence = int(seq)
    if sequence < 1 or (len(seq) > 3 and seq.startswith("0")):
        raise ValueError(f"not a ticket number: {number!r}")
    return day, sequence
