"""The desk's local time, as people type and read it.

A time typed without an offset (``2026-12-02T10:00``, ``2026-12-02 10:00``) is the desk's local
time, as the console's time fields take it; one with an offset (``+08:00``, ``Z``) is that
instant. Times are shown to a person in the desk's zone, to the minute.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

#: A day and a minute at least (``2026-12-02T10:00``, ``2026-12-02 10:00``): what people type;
#: ISO's compact and week forms are not taken for a time.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

#: How a time reads for a person: the desk's local day and minute.
LOCAL_MINUTE = "%Y-%m-%d %H:%M"


def read_local_time(text: str, tz: ZoneInfo) -> datetime | None:
    """The instant ``text`` names, a time without offset taken in ``tz``; None when it is not
    ISO 8601 time of a day and at least the minute."""
    text = text.strip()
    if not _TIME.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def local_minute(moment: datetime, tz: ZoneInfo) -> str:
    """``moment`` in the desk's zone, to the minute (``2026-12-02 10:00``)."""
    return moment.astimezone(tz).strftime(LOCAL_MINUTE)
