"""When the caller needs it by, as operators say it: ``今天 17:00``, ``明天下午``, ``周五上午``,
``下周一 9点半``, ``tomorrow 3pm``, ``fri noon``, ``3天后``, ``in 2 hours``, or a date
(``2026-12-04 15:00``, ``2026/12/4``, ``12月4日``, ``12-04``).

It is a deadline: a day without a time means the close of that working day (18:00), a part of the
day means its end (``上午`` → 12:00, ``下午`` → 18:00). A weekday is the next one to come, today
included while that time is still ahead; ``下周五`` / ``next fri`` is the Friday of next week
(weeks start on Monday). Times are wall-clock times in the desk's zone: the caller gets naive
local times back and the desk attaches its zone.

Pure: no clock of its own (``now`` is given), no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

#: A day named without a time: the close of its working day.
END_OF_DAY = time(18, 0)

#: The end of each part of the day (a deadline said as a part of the day).
PARTS: dict[str, time] = {
    "凌晨": time(6, 0),
    "早上": time(9, 0),
    "早晨": time(9, 0),
    "上午": time(12, 0),
    "中午": time(13, 0),
    "下午": time(18, 0),
    "傍晚": time(18, 0),
    "晚上": time(21, 0),
    "今晚": time(21, 0),
    "morning": time(12, 0),
    "noon": time(12, 0),
    "afternoon": time(18, 0),
    "evening": time(21, 0),
    "tonight": time(21, 0),
    "eod": time(18, 0),
}
#: Parts of the day after noon: an hour said with them is an afternoon hour (下午3点 = 15:00).
AFTERNOON_PARTS = frozenset({"下午", "傍晚", "晚上", "今晚", "afternoon", "evening", "tonight"})

_DAY_WORDS: dict[str, int] = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "yesterday": -1,
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "tmr": 1,
}
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS_EN = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_DIGITS |= {"八": 8, "九": 9, "十": 10}

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t](\d{1,2}):(\d{2}))?$", re.IGNORECASE)
_CN_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_SHORT_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})(?=$| )")
_RELATIVE = re.compile(
    r"^(?:in\s+)?(\d{1,3})\s*(?:个)?\s*"
    r"(小时|hours?|hrs?|h|天|days?|d|分钟|minutes?|mins?)\s*(?:后|以后|之后|later)?$"
)
_WEEKDAY_ZH = re.compile(r"(下下|下|本|这)?(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAY_EN = re.compile(r"\b(next|this)?\s*(" + "|".join(_WEEKDAYS_EN) + r")\b")
_CLOCK = re.compile(r"(\d{1,2})[:：](\d{2})\s*(am|pm)?")
_HOUR_EN = re.compile(r"\b(\d{1,2})\s*(am|pm)\b")
_HOUR_ZH = re.compile(
    r"([0-9]{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点點时](半|[0-9]{1,2}分?|一刻|三刻)?"
)


@dataclass(frozen=True)
class Understood:
    """What the text was read as.

    Attributes:
        at: the local wall-clock time (naive; the desk's zone applies).
        said_time: the text named a time or a part of the day (else the close of the day).
    """

    at: datetime
    said_time: bool


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS for c in text):
        return None
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]] if len(text) == 2 else None
    if len(text) == 1:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    return None


def _hour(value: int, meridiem: str | None) -> int | None:
    if meridiem in ("pm", "afternoon") and value < 12:
        value += 12
    elif meridiem == "am" and value == 12:
        value = 0
    return value if 0 <= value <= 23 else None


def _time_of(text: str, part: str | None) -> time | None | bool:
    """The clock time said in ``text`` (None when none; False when one is said but invalid)."""
    meridiem = "pm" if part in AFTERNOON_PARTS else None
    if found := _CLOCK.search(text):
        hour = _hour(int(found.group(1)), found.group(3) or meridiem)
        minute = int(found.group(2))
        if hour is None or minute > 59:
            return False
        return time(hour, minute)
    if found := _HOUR_EN.search(text):
        hour = _hour(int(found.group(1)), found.group(2))
        return False if hour is None else time(hour, 0)
    if found := _HOUR_ZH.search(text):
        value = _cn_number(found.group(1))
        hour = _hour(value, meridiem) if value is not None else None
        if hour is None:
            return False
        extra = found.group(2) or ""
        spoken = {"半": 30, "一刻": 15, "三刻": 45}.get(extra)
        minute = spoken if spoken is not None else int(extra.rstrip("分")) if extra else 0
        if minute > 59:
            return False
        return time(hour, minute)
    return None


def _part_of(text: str) -> str | None:
    for part in sorted(PARTS, key=len, reverse=True):
        if part in text:
            return part
    return None


def _day_of(text: str, today: date) -> date | None | bool:
    """The day said in ``text`` (None when none is; False when a date is said but invalid)."""
    try:
        if found := _CN_DATE.search(text):
            year = int(found.group(1)) if found.group(1) else today.year
            day = date(year, int(found.group(2)), int(found.group(3)))
            return day if found.group(1) or day >= today else date(year + 1, day.month, day.day)
        if found := _SHORT_DATE.match(text):
            day = date(today.year, int(found.group(1)), int(found.group(2)))
            return day if day >= today else date(today.year + 1, day.month, day.day)
    except ValueError:
        return False
    if "day after tomorrow" in text:
        return today + timedelta(days=2)
    for word in sorted(_DAY_WORDS, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
            return today + timedelta(days=_DAY_WORDS[word])
    weekday: int | None = None
    weeks_ahead: int | None = None
    if found := _WEEKDAY_ZH.search(text):
        weekday = _WEEKDAYS_ZH[found.group(2)]
        weeks_ahead = {"下": 1, "下下": 2}.get(found.group(1) or "")
    elif found := _WEEKDAY_EN.search(text):
        weekday = _WEEKDAYS_EN[found.group(2)]
        weeks_ahead = 1 if found.group(1) == "next" else None
    if weekday is None:
        return None
    if weeks_ahead:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def understand(text: str, now: datetime) -> Understood | None:
    """Read ``text`` as a deadline relative to ``now`` (local wall-clock time, naive).

    Returns:
        What it was read as; None when it is not a time the desk can read (or names an hour or a
        date that does not exist).
    """
    said = " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())
    if not said:
        return None
    now = now.replace(tzinfo=None, second=0, microsecond=0)
    if found := _ISO.match(said):
        try:
            day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
            if found.group(4) is None:
                return Understood(datetime.combine(day, END_OF_DAY), said_time=False)
            at = time(int(found.group(4)), int(found.group(5)))
        except ValueError:
            return None
        return Understood(datetime.combine(day, at), said_time=True)
    if found := _RELATIVE.match(said):
        amount, unit = int(found.group(1)), found.group(2)
        if unit in ("天", "d") or unit.startswith("day"):
            return Understood(
                datetime.combine(now.date() + timedelta(days=amount), END_OF_DAY), False
            )
        minutes = amount if unit in ("分钟",) or unit.startswith("min") else amount * 60
        return Understood(now + timedelta(minutes=minutes), said_time=True)
    part = _part_of(said)
    named = _day_of(said, now.date())
    clock = _time_of(said, part)
    if named is False or clock is False:
        return None
    if named is None and clock is None and part is None:
        return None
    at = clock if isinstance(clock, time) else PARTS[part] if part else END_OF_DAY
    on = named if isinstance(named, date) else now.date()
    moment = datetime.combine(on, at)
    if (
        moment < now
        and isinstance(named, date)
        and named == now.date()
        and (_WEEKDAY_ZH.search(said) or _WEEKDAY_EN.search(said))
        and not re.search(r"本|这|this", said)
    ):
        # "周一上午" said on a Monday afternoon: next Monday
        moment += timedelta(weeks=1)
    return Understood(moment, said_time=clock is not None or part is not None)


@dataclass(frozen=True)
class Deadline:
    """An expected-by text as the desk takes it.

    Attributes:
        at: the local wall-clock time it reads as (None when it reads as none).
        problem: why it cannot be a deadline: ``date`` (not a time the desk can read) or
            ``past`` (that time has gone); None when it can.
    """

    at: datetime | None
    problem: str | None = None


def read_deadline(text: str, now: datetime) -> Deadline | None:
    """Read ``text`` as a deadline from ``now`` (local wall-clock time): the one reading both
    the form's live hint and the save apply.

    Returns:
        None when nothing is typed; else what it reads as, with its problem if any.
    """
    if not text.strip():
        return None
    understood = understand(text, now)
    if understood is None:
        return Deadline(None, "date")
    if understood.at < now.replace(tzinfo=None):
        return Deadline(understood.at, "past")
    return Deadline(understood.at)
