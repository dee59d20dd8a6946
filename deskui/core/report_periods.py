"""A report's period: a month (``2026-11``), an ISO week (``2026-W48``) or a range of days
(``2026-11-01..2026-11-30``), in the desk's time zone, and the period before it.

A period is a half-open span of whole local days, ``[first day 00:00, day after the last 00:00)``,
so the instants at its edges belong to exactly one period, and a day of 23 or 25 hours (a daylight
saving change in a zone that has one) is still one day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The longest range a report covers (a few years): beyond it a typo is more likely than intent.
MAX_DAYS = 3 * 366
#: The SLA trend shows at least this many weeks, ending with the period's last week.
TREND_WEEKS = 6


class PeriodKind(StrEnum):
    """How the period was named."""

    MONTH = "month"
    WEEK = "week"
    RANGE = "range"


class PeriodError(ValueError):
    """A period that cannot be read; ``text`` is what was given."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a period: {text!r} (2026-11, 2026-W48, 2026-11-01..2026-11-30)")
        self.text = text


@dataclass(frozen=True)
class Period:
    """Whole local days ``first``…``last`` (inclusive) in the time zone ``tz``.

    Attributes:
        kind: month, week or range.
        first: the first day.
        last: the last day (inclusive).
        tz: the desk's time zone.
    """

    kind: PeriodKind
    first: date
    last: date
    tz: ZoneInfo

    @property
    def label(self) -> str:
        """The period as it would be typed: ``2026-11``, ``2026-W48``, or ``A..B``."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == PeriodKind.WEEK:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def days(self) -> int:
        """How many days it covers."""
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """Its first instant (local midnight of the first day), in UTC."""
        return local_midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The instant just after it (local midnight after the last day), in UTC."""
        return local_midnight(self.last + timedelta(days=1), self.tz)

    def previous(self) -> Period:
        """The period before: the month, the week, or as many days just before."""
        if self.kind == PeriodKind.MONTH:
            last = self.first - timedelta(days=1)
            return Period(self.kind, last.replace(day=1), last, self.tz)
        step = timedelta(days=self.days)
        return Period(self.kind, self.first - step, self.last - step, self.tz)

    def trend_weeks(self) -> tuple[Period, ...]:
        """The ISO weeks the SLA trend plots: every week the period touches, and earlier ones
        until there are :data:`TREND_WEEKS`."""
        monday = self.last - timedelta(days=self.last.weekday())
        weeks: list[Period] = []
        while monday + timedelta(days=6) >= self.first or len(weeks) < TREND_WEEKS:
            weeks.append(Period(PeriodKind.WEEK, monday, monday + timedelta(days=6), self.tz))
            monday -= timedelta(days=7)
        return tuple(reversed(weeks))


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day begins, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _day(text: str, whole: str) -> date:
    if not _DAY.match(text):
        raise PeriodError(whole)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(whole) from exc


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """Read a period as the command line and the console take it.

    Args:
        text: ``YYYY-MM``, ``YYYY-Www`` (ISO week) or ``YYYY-MM-DD..YYYY-MM-DD`` (inclusive).
        tz: the desk's time zone, in which the days are counted.

    Raises:
        PeriodError: anything else, a day or week that does not exist, a range that ends before
            it starts or spans more than :data:`MAX_DAYS` days.
    """
    given = text.strip()
    if match := _MONTH.match(given):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(text)
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return Period(PeriodKind.MONTH, first, following - timedelta(days=1), tz)
    if match := _WEEK.match(given):
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise PeriodError(text) from exc
        return Period(PeriodKind.WEEK, monday, monday + timedelta(days=6), tz)
    first_text, dots, last_text = given.partition("..")
    if not dots:
        raise PeriodError(text)
    first, last = _day(first_text.strip(), text), _day(last_text.strip(), text)
    if last < first or (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(text)
    return Period(PeriodKind.RANGE, first, last, tz)


def current_month(now: datetime, tz: ZoneInfo) -> Period:
    """The month ``now`` falls in, locally (the console's first choice)."""
    return parse_period(f"{now.astimezone(tz):%Y-%m}", tz)


def nearest_rank(count: int, percent: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``count`` sorted values, by the
    nearest-rank method (the smallest value with at least ``percent`` % of values at or below
    it): ``ceil(percent × count / 100)``, at least 1."""
    return max(1, (percent * count + 99) // 100)
