"""The business calendar that working-day SLA targets are measured on.

Most SLA clocks run on wall-clock time, 24x7. Targets expressed in *working days* instead run
only inside working hours on working days, where:

* working hours are a daily window (default Mon-Fri 09:00-18:00), optionally minus a lunch break;
* which days are working days is decided, in order of precedence, by local configuration
  (extra holidays and extra workdays), then by the Chinese statutory calendar from the
  ``chinese_calendar`` package (public holidays and 调休 make-up workdays), then by the
  weekday rule of the working hours;
* N working days are N times one working day's business time, counted from the moment of
  receipt: received Monday 10:00, three working days are due Thursday 10:00.

``chinese_calendar`` ships the State Council's schedules for a fixed range of years (to
:data:`STATUTORY_LAST_YEAR`); each November the next year's is published, and reaches the desk
either with a newer package or entered by its admin (``deskui calendar …``). How a year is known
is its :class:`Coverage`:

* ``statutory``: ``chinese_calendar`` has the official schedule, holidays and 调休 workdays;
* ``desk``: the desk entered or imported the year's official schedule (its local holidays and
  workdays) and marked the year known;
* ``provisional``: neither has: the statutory holidays as the law fixes them (New Year, the
  Spring Festival by the lunar calendar, …) come from the ``holidays`` package, but no 调休
  make-up workday is known, so the year is still to be entered. Such a year is recorded in
  :attr:`BusinessCalendar.uncovered_years` with one :class:`CalendarCoverageWarning`, and
  :meth:`BusinessCalendar.year_to_enter` tells the status line from :data:`WARNING_DAYS` before it
  starts.

The desk's own entries always win over both packages.

Every instant handed in must be timezone-aware; results are returned in the calendar's zone.
Durations are measured in real elapsed seconds, so a daylight-saving shift inside working hours
(not a concern for Asia/Shanghai) lengthens or shortens that day rather than moving its bounds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import holidays as holiday_data

__all__ = [
    "DEFAULT_HOURS",
    "HOLIDAY_NAMES",
    "OBSERVED_MARK",
    "STATUTORY_LAST_YEAR",
    "WARNING_DAYS",
    "Coverage",
    "MAX_IDLE_DAYS",
    "BusinessCalendar",
    "CalendarCoverageWarning",
    "WorkingHours",
]

#: How many consecutive non-working days a search may cross before the calendar is declared to
#: have no working days at all (ten years: longer than any real closure).
MAX_IDLE_DAYS = 3660

_ONE_DAY = timedelta(days=1)
_HOURS_KEYS = frozenset({"start", "end", "lunch", "weekdays"})
_LOCAL_KEYS = frozenset({"holidays", "workdays", "statutory", "names", "known_years"})
#: The last year whose official schedule the ``chinese_calendar`` package ships.
STATUTORY_LAST_YEAR = max(day.year for day in chinese_calendar.holidays)
#: The first year it ships.
STATUTORY_FIRST_YEAR = min(day.year for day in chinese_calendar.holidays)
#: How many days before a year without a known schedule starts the desk is warned.
WARNING_DAYS = 60


class Coverage(StrEnum):
    """How the calendar knows a year's holidays and make-up workdays."""

    STATUTORY = "statutory"
    """The ``chinese_calendar`` package has the official schedule."""
    DESK = "desk"
    """The desk entered or imported the official schedule and marked the year known."""
    PROVISIONAL = "provisional"
    """Only the statutory holidays as the law fixes them; no make-up workday is known."""


@cache
def _provisional_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of ``year`` as the law fixes them (the ``holidays`` package, in
    Chinese), for a year whose official schedule is not known."""
    china = holiday_data.country_holidays("CN", years=year, language="zh_CN")
    return dict(china.items())


#: The statutory data's names of the holidays (chinesecalendar's, in English; the ``holidays``
#: package's, in Chinese) → one name each, for the catalog to word in the console's language.
HOLIDAY_NAMES: Mapping[str, str] = {
    **{holiday.value: holiday.name for holiday in chinese_calendar.Holiday},
    "元旦": "new_years_day",
    "农历除夕": "spring_festival_eve",
    "春节": "spring_festival",
    "清明节": "tomb_sweeping_day",
    "劳动节": "labour_day",
    "端午节": "dragon_boat_festival",
    "中秋节": "mid_autumn_festival",
    "国庆节": "national_day",
}
#: How the ``holidays`` package marks a day off given in lieu of a holiday (补假).
OBSERVED_MARK = "（补假）"


class CalendarCoverageWarning(UserWarning):
    """A date fell in a year the statutory holiday data does not cover.

    The calendar falls back to weekends plus local entries for that year, which misses public
    holidays and make-up workdays until the package is updated or they are configured locally.
    """


def _hours_problem(
    start: time,
    end: time,
    lunch: tuple[time, time] | None,
    weekdays: frozenset[int],
    prefix: str,
) -> str | None:
    """Return why these working hours are invalid, naming fields with ``prefix``, or None."""
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is not None:
            # The calendar's zone decides what the wall-clock times mean; a second zone here
            # would silently disagree with it.
            return f"{prefix}{name} must be a wall-clock time without a timezone"
    if end <= start:
        return f"{prefix}end ({end:%H:%M}) must be later than {prefix}start ({start:%H:%M})"
    if lunch is not None:
        lunch_start, lunch_end = lunch
        if lunch_start.tzinfo is not None or lunch_end.tzinfo is not None:
            return f"{prefix}lunch must be wall-clock times without a timezone"
        if lunch_end <= lunch_start:
            return f"{prefix}lunch must end after it starts ({lunch_start:%H:%M}-{lunch_end:%H:%M})"
        if lunch_start < start or lunch_end > end:
            return (
                f"{prefix}lunch ({lunch_start:%H:%M}-{lunch_end:%H:%M}) must lie within working "
                f"hours ({start:%H:%M}-{end:%H:%M})"
            )
        if lunch_start == start and lunch_end == end:
            return f"{prefix}lunch must leave some working time in the day"
    bad = sorted((d for d in weekdays if isinstance(d, bool) or d not in range(7)), key=repr)
    if bad:
        return f"{prefix}weekdays contains invalid day numbers: {bad}"
    return None


def _span(a: time, b: time) -> timedelta:
    anchor = date(2000, 1, 1)
    return datetime.combine(anchor, b) - datetime.combine(anchor, a)


@dataclass(frozen=True)
class WorkingHours:
    """The daily working window of the business calendar.

    Attributes:
        start: Wall-clock time the working day starts.
        end: Wall-clock time the working day ends; must be later than ``start``.
        lunch: Optional ``(start, end)`` break inside working hours, not counted as business time.
        weekdays: Days of the week that are normally worked, Monday=0 ... Sunday=6.
    """

    start: time = time(9, 0)
    end: time = time(18, 0)
    lunch: tuple[time, time] | None = None
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        # Accept any iterable of day numbers but keep the instance hashable.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if self.lunch is not None:
            object.__setattr__(self, "lunch", tuple(self.lunch))
            if len(self.lunch) != 2:
                raise ValueError("lunch must be a (start, end) pair")
        problem = _hours_problem(self.start, self.end, self.lunch, self.weekdays, "")
        if problem is not None:
            raise ValueError(problem)

    @property
    def seconds_per_day(self) -> int:
        """Business seconds in one full working day (lunch excluded)."""
        total = _span(self.start, self.end)
        if self.lunch is not None:
            total -= _span(*self.lunch)
        return int(total.total_seconds())

    def segments(self) -> list[tuple[time, time]]:
        """Return the day's working segments as wall-clock ``(start, end)`` pairs, in order."""
        if self.lunch is None:
            return [(self.start, self.end)]
        pieces = [(self.start, self.lunch[0]), (self.lunch[1], self.end)]
        return [(a, b) for a, b in pieces if a < b]


DEFAULT_HOURS = WorkingHours()


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"tz: unknown time zone {tz!r}") from exc


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive instant has no single meaning; guessing a zone would shift deadlines by hours.
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment.isoformat()}")
    return moment


def _only_dates(values: Iterable[date], name: str) -> frozenset[date]:
    result: set[date] = set()
    for value in values:
        # A datetime is a date subclass but never compares equal to one, so it would never match.
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{name} must contain dates, got {value!r}")
        result.add(value)
    return frozenset(result)


class BusinessCalendar:
    """Working days and working hours in one time zone, for working-day SLA arithmetic.

    Attributes:
        tz: The zone working hours are expressed in; results are returned in it.
        hours: The daily working window.
        extra_holidays: Local non-working days; they win over everything else.
        extra_workdays: Local working days; they win over statutory data and the weekday rule.
        use_statutory: Whether Chinese statutory holidays and make-up workdays apply.
        uncovered_years: Years asked about that the statutory data does not cover.
    """

    def __init__(
        self,
        *,
        tz: str | ZoneInfo = "Asia/Shanghai",
        hours: WorkingHours = DEFAULT_HOURS,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        use_statutory: bool = True,
        known_years: Iterable[int] = (),
        names: Mapping[date, str] | None = None,
    ) -> None:
        """Build a calendar.

        Args:
            tz: IANA zone name or ``ZoneInfo`` the working hours are expressed in.
            hours: The daily working window and normally worked weekdays.
            extra_holidays: Local dates that are never working days.
            extra_workdays: Local dates that are always working days.
            use_statutory: Apply Chinese statutory holidays and make-up workdays.
            known_years: Years whose official schedule the desk entered in full (its extra
                holidays and workdays are the whole of it).
            names: What the desk calls its extra holidays and workdays (元旦, 春节调休 …).

        Raises:
            ValueError: If ``tz`` is unknown or a date is both an extra holiday and workday.
            TypeError: If the extra dates are not ``date`` objects.
        """
        self.tz: ZoneInfo = _zone(tz)
        self.hours: WorkingHours = hours
        self.extra_holidays: frozenset[date] = _only_dates(extra_holidays, "extra_holidays")
        self.extra_workdays: frozenset[date] = _only_dates(extra_workdays, "extra_workdays")
        both = self.extra_holidays & self.extra_workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates listed both as extra holidays and extra workdays: {listed}")
        self.use_statutory: bool = use_statutory
        self.known_years: frozenset[int] = frozenset(known_years)
        self.names: Mapping[date, str] = dict(names or {})
        self.uncovered_years: set[int] = set()
        self._workday_cache: dict[date, bool] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self.tz.key!r}, hours={self.hours!r}, "
            f"extra_holidays={len(self.extra_holidays)}, "
            f"extra_workdays={len(self.extra_workdays)}, use_statutory={self.use_statutory})"
        )

    @classmethod
    def from_config(cls, data: Mapping[str, Any], *, tz: str) -> BusinessCalendar:
        """Build a calendar from the parsed ``[hours]`` and ``[local]`` configuration tables.

        Times are ``"HH:MM"`` strings (or ``time`` values, as TOML local times parse to),
        ``hours.weekdays`` uses ISO numbering (Monday=1 ... Sunday=7), and dates are
        ``"YYYY-MM-DD"`` strings (or TOML local dates). Missing keys take the defaults of
        :class:`WorkingHours`; keys outside ``[hours]`` and ``[local]`` are ignored, so the whole
        application configuration may be passed.

        Args:
            data: The parsed configuration mapping.
            tz: IANA zone name the working hours are expressed in.

        Returns:
            The configured calendar.

        Raises:
            ValueError: If a value is malformed or inconsistent; the message names the key.
        """
        hours_table = _table(data, "hours", _HOURS_KEYS)
        local_table = _table(data, "local", _LOCAL_KEYS)

        start = _parse_time(hours_table.get("start", DEFAULT_HOURS.start), "hours.start")
        end = _parse_time(hours_table.get("end", DEFAULT_HOURS.end), "hours.end")
        lunch = _parse_lunch(hours_table.get("lunch"))
        weekdays = _parse_weekdays(hours_table.get("weekdays"))
        problem = _hours_problem(start, end, lunch, weekdays, "hours.")
        if problem is not None:
            raise ValueError(problem)
        hours = WorkingHours(start=start, end=end, lunch=lunch, weekdays=weekdays)

        holidays = _parse_dates(local_table.get("holidays", ()), "local.holidays")
        workdays = _parse_dates(local_table.get("workdays", ()), "local.workdays")
        both = holidays & workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"local.holidays and local.workdays both list {listed}")
        statutory = local_table.get("statutory", True)
        if not isinstance(statutory, bool):
            raise ValueError(f"local.statutory must be true or false, got {statutory!r}")

        return cls(
            tz=tz,
            hours=hours,
            extra_holidays=holidays,
            extra_workdays=workdays,
            use_statutory=statutory,
            known_years=_parse_years(local_table.get("known_years", ())),
            names=_parse_names(local_table.get("names", {})),
        )

    # -- which days are worked ---------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Tell whether ``day`` is a working day.

        Local extra holidays and workdays win over statutory data, which wins over the weekday
        rule. A day in a year the statutory data does not cover is decided without it, and the
        year is recorded in :attr:`uncovered_years` with a :class:`CalendarCoverageWarning`.

        Args:
            day: The calendar date; an aware datetime is first converted to the calendar's zone.

        Returns:
            True if working hours apply on that day.
        """
        if isinstance(day, datetime):
            day = (day.astimezone(self.tz) if day.tzinfo is not None else day).date()
        cached = self._workday_cache.get(day)
        if cached is None:
            cached = self._decide(day)
            self._workday_cache[day] = cached
        return cached

    def _decide(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.use_statutory:
            statutory = self._statutory(day)
            if statutory is not None:
                return statutory
        return day.weekday() in self.hours.weekdays

    def _statutory(self, day: date) -> bool | None:
        """Return the statutory verdict for ``day``, or None when the statutory data is silent."""
        try:
            detail: tuple[bool, str | None] = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            if day.year in self.known_years:
                # the desk's entries are the year's schedule: nothing provisional on top
                return None
            self._note_uncovered(day.year)
            return False if day in _provisional_holidays(day.year) else None
        is_holiday, name = detail
        # Only named days are statutory decisions; an ordinary weekend or weekday is left to the
        # configured weekday rule, so a desk that works Saturdays keeps working them.
        if name is None:
            return None
        return not is_holiday

    def _note_uncovered(self, year: int) -> None:
        if year in self.uncovered_years:
            return
        self.uncovered_years.add(year)
        warnings.warn(
            f"the official holiday schedule of {year} is not known; using its statutory "
            "holidays as the law fixes them, no make-up workdays, and the desk's own entries",
            CalendarCoverageWarning,
            stacklevel=5,
        )

    # -- how each year is known ----------------------------------------------------------------

    def coverage(self, year: int) -> Coverage:
        """How the calendar knows ``year``'s holidays and make-up workdays."""
        if STATUTORY_FIRST_YEAR <= year <= STATUTORY_LAST_YEAR:
            return Coverage.STATUTORY
        if year in self.known_years:
            return Coverage.DESK
        return Coverage.PROVISIONAL

    def year_to_enter(self, today: date) -> int | None:
        """The year whose official schedule the desk must still enter: this year when it is not
        known, or next year from :data:`WARNING_DAYS` days before it starts; None when both are
        known (or statutory days are not used at all)."""
        if not self.use_statutory:
            return None
        if self.coverage(today.year) is Coverage.PROVISIONAL:
            return today.year
        ahead = today.year + 1
        soon = (date(ahead, 1, 1) - today).days <= WARNING_DAYS
        return ahead if soon and self.coverage(ahead) is Coverage.PROVISIONAL else None

    def days_of(self, year: int) -> list[tuple[date, bool, str]]:
        """The year's days off and make-up workdays, in order: ``(day, is_workday, name)`` for
        every day that is not decided by the weekday rule alone."""
        listed: list[tuple[date, bool, str]] = []
        day = date(year, 1, 1)
        while day.year == year:
            worked = self.is_workday(day)
            plain = day.weekday() in self.hours.weekdays
            if worked != plain or day in self.extra_holidays or day in self.extra_workdays:
                listed.append((day, worked, self._name_of(day)))
            day += _ONE_DAY
        return listed

    def _name_of(self, day: date) -> str:
        if day in self.names:
            return self.names[day]
        if day in self.extra_holidays or day in self.extra_workdays:
            return ""
        try:
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return _provisional_holidays(day.year).get(day, "")
        return str(name or "")

    def working_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Return the working intervals of ``day``, lunch excluded.

        Args:
            day: The calendar date in the calendar's zone.

        Returns:
            ``(start, end)`` pairs of aware datetimes in :attr:`tz`, in order; empty on a
            non-working day.
        """
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, a, tzinfo=self.tz), datetime.combine(day, b, tzinfo=self.tz))
            for a, b in self.hours.segments()
        ]

    def _utc_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        # Arithmetic between datetimes sharing a ZoneInfo is naive wall-clock arithmetic; UTC
        # makes every difference a real elapsed duration.
        result = []
        for a, b in self.working_intervals(day):
            a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
            if b_utc > a_utc:
                result.append((a_utc, b_utc))
        return result

    def _spans_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield the working spans (UTC) at or after ``moment``, the first one clipped to it."""
        day = moment.astimezone(self.tz).date()
        idle = 0
        while True:
            spans = self._utc_intervals(day)
            if spans:
                idle = 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ValueError(
                        f"no working day within {MAX_IDLE_DAYS} days of {day - idle * _ONE_DAY}: "
                        "the calendar has no working days"
                    )
            for a, b in spans:
                if b > moment:
                    yield max(a, moment), b
            day += _ONE_DAY

    # -- business-time arithmetic ------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Tell whether the instant ``moment`` lies inside working hours (end excluded).

        Args:
            moment: An aware datetime in any zone.

        Returns:
            True if business time is elapsing at that instant.
        """
        utc = _aware(moment, "moment").astimezone(UTC)
        day = utc.astimezone(self.tz).date()
        return any(a <= utc < b for a, b in self._utc_intervals(day))

    def next_working_time(self, moment: datetime) -> datetime:
        """Return the first instant at or after ``moment`` that lies inside working hours.

        Args:
            moment: An aware datetime in any zone.

        Returns:
            ``moment`` itself if it is inside working hours, else the start of the next working
            interval; an aware datetime in :attr:`tz`.

        Raises:
            ValueError: If ``moment`` is naive or the calendar has no working days.
        """
        utc = _aware(moment, "moment").astimezone(UTC)
        lo, _ = next(self._spans_from(utc))
        return lo.astimezone(self.tz)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Count the business seconds between two instants.

        Args:
            start: Aware datetime in any zone.
            end: Aware datetime in any zone.

        Returns:
            Seconds of working time in ``[start, end)``; 0 if ``end`` is not after ``start``.

        Raises:
            ValueError: If either instant is naive.
        """
        lo = _aware(start, "start").astimezone(UTC)
        hi = _aware(end, "end").astimezone(UTC)
        if hi <= lo:
            return 0.0
        total = timedelta(0)
        day = lo.astimezone(self.tz).date()
        last = hi.astimezone(self.tz).date()
        while day <= last:
            for a, b in self._utc_intervals(day):
                overlap = min(b, hi) - max(a, lo)
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total.total_seconds()

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """Return the instant at which ``seconds`` of business time have elapsed after ``start``.

        A start outside working hours first rolls to the next working start. A target that uses
        up an interval exactly lands on that interval's end (18:00 rather than 09:00 the next
        working day).

        Args:
            start: Aware datetime in any zone.
            seconds: Business seconds to add; 0 returns ``start`` unchanged, even outside hours.

        Returns:
            The due instant, an aware datetime in :attr:`tz`.

        Raises:
            ValueError: If ``start`` is naive, ``seconds`` is negative or not finite, or the
                calendar has no working days.
        """
        moment = _aware(start, "start")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite non-negative number, got {seconds!r}")
        if seconds == 0:
            return moment.astimezone(self.tz)
        remaining = timedelta(seconds=seconds)
        for lo, hi in self._spans_from(moment.astimezone(UTC)):
            available = hi - lo
            if remaining <= available:
                return (lo + remaining).astimezone(self.tz)
            remaining -= available
        raise AssertionError("unreachable: _spans_from never ends")  # pragma: no cover

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """Return the due instant ``days`` working days after ``start``.

        One working day is :attr:`WorkingHours.seconds_per_day` of business time, counted from
        ``start``: received Monday 10:00, three working days are due Thursday 10:00.

        Args:
            start: Aware datetime in any zone.
            days: Working days to add; fractions are allowed.

        Returns:
            The due instant, an aware datetime in :attr:`tz`.

        Raises:
            ValueError: As :meth:`add_business_seconds`.
        """
        return self.add_business_seconds(start, days * self.hours.seconds_per_day)


# -- configuration parsing -------------------------------------------------------------------


def _table(data: Mapping[str, Any], key: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, Mapping):
        raise ValueError(f"[{key}] must be a table, got {type(table).__name__}")
    unknown = sorted(str(k) for k in table if k not in allowed)
    if unknown:
        # A misspelt key would otherwise fall back to a default without anyone noticing.
        names = ", ".join(f"{key}.{k}" for k in unknown)
        raise ValueError(f"unknown calendar setting(s): {names}")
    return table


def _parse_time(value: Any, key: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f'{key} must be a time like "09:00", got {value!r}')


def _parse_lunch(value: Any) -> tuple[time, time] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f'hours.lunch must be a pair like ["12:00", "13:00"], got {value!r}')
    return _parse_time(value[0], "hours.lunch[0]"), _parse_time(value[1], "hours.lunch[1]")


def _parse_weekdays(value: Any) -> frozenset[int]:
    if value is None:
        return DEFAULT_HOURS.weekdays
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise ValueError(f"hours.weekdays must be a non-empty list of 1-7, got {value!r}")
    days: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 7:
            raise ValueError(
                f"hours.weekdays entries must be ISO weekdays 1 (Monday) to 7 (Sunday), "
                f"got {item!r}"
            )
        days.add(item - 1)
    return frozenset(days)


def _parse_dates(value: Any, key: str) -> frozenset[date]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{key} must be a list of dates, got {value!r}")
    result: set[date] = set()
    for index, item in enumerate(value):
        if isinstance(item, date) and not isinstance(item, datetime):
            result.add(item)
            continue
        parsed: date | None = None
        if isinstance(item, str):
            try:
                parsed = date.fromisoformat(item.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise ValueError(f'{key}[{index}] must be a date like "2027-01-01", got {item!r}')
        result.add(parsed)
    return frozenset(result)


def _parse_years(value: Any) -> frozenset[int]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"local.known_years must be a list of years, got {value!r}")
    years: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 2000 <= item <= 2200:
            raise ValueError(f"local.known_years entries must be years like 2027, got {item!r}")
        years.add(item)
    return frozenset(years)


def _parse_names(value: Any) -> dict[date, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"local.names must be a table of dates and names, got {value!r}")
    names: dict[date, str] = {}
    for key, name in value.items():
        day = next(iter(_parse_dates([key], "local.names")))
        if not isinstance(name, str):
            raise ValueError(f"local.names.{key} must be a name, got {name!r}")
        names[day] = name
    return names
