"""Tests for the business calendar behind working-day SLA targets."""

from __future__ import annotations

import random
import warnings
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from deskui.core.calendar import (
    STATUTORY_LAST_YEAR,
    WARNING_DAYS,
    BusinessCalendar,
    CalendarCoverageWarning,
    Coverage,
    WorkingHours,
)

SH = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0
LUNCH = WorkingHours(lunch=(time(12, 0), time(13, 0)))


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar()


@pytest.fixture
def lunch_cal() -> BusinessCalendar:
    return BusinessCalendar(hours=LUNCH)


# -- statutory data the rules rely on ------------------------------------------------------


def test_package_data_national_day_2026() -> None:
    for offset in range(7):
        day = date(2026, 10, 1) + timedelta(days=offset)
        assert chinese_calendar.get_holiday_detail(day) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 10)) == (False, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 9, 20)) == (False, "National Day")


def test_package_data_spring_festival_2026() -> None:
    for offset in range(9):
        day = date(2026, 2, 15) + timedelta(days=offset)
        assert chinese_calendar.get_holiday_detail(day) == (True, "Spring Festival")
    for day in (date(2026, 2, 14), date(2026, 2, 28)):
        assert chinese_calendar.get_holiday_detail(day) == (False, "Spring Festival")
        assert day.weekday() == 5


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 20), True),  # Sunday, National Day make-up workday
        (date(2026, 9, 25), False),  # Friday, Mid-autumn Festival
        (date(2026, 9, 30), True),
        *[(date(2026, 10, d), False) for d in range(1, 8)],  # National Day
        (date(2026, 10, 8), True),
        (date(2026, 10, 9), True),
        (date(2026, 10, 10), True),  # Saturday, make-up workday
        (date(2026, 10, 11), False),
        (date(2026, 2, 13), True),
        (date(2026, 2, 14), True),  # Saturday, Spring Festival make-up workday
        *[(date(2026, 2, d), False) for d in range(15, 24)],  # Spring Festival 02-15..02-23
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, Spring Festival make-up workday
        (date(2026, 3, 1), False),
        (date(2026, 3, 14), False),  # ordinary Saturday
        (date(2026, 3, 16), True),  # ordinary Monday
    ],
)
def test_is_workday_statutory(cal: BusinessCalendar, day: date, expected: bool) -> None:
    assert cal.is_workday(day) is expected


def test_statutory_can_be_switched_off() -> None:
    cal = BusinessCalendar(use_statutory=False)
    assert cal.is_workday(date(2026, 10, 1))  # Thursday: just a weekday now
    assert not cal.is_workday(date(2026, 10, 10))  # Saturday: just a weekend now


def test_custom_weekdays_keep_ordinary_saturdays_but_not_statutory_holidays() -> None:
    cal = BusinessCalendar(hours=WorkingHours(weekdays=frozenset(range(6))))
    assert cal.is_workday(date(2026, 3, 14))  # ordinary Saturday
    assert not cal.is_workday(date(2026, 3, 15))  # Sunday
    assert not cal.is_workday(date(2026, 10, 3))  # Saturday inside National Day


# -- the working-day rule -----------------------------------------------------------------


def test_rule_case_national_day(cal: BusinessCalendar) -> None:
    # Received Wednesday 2026-09-30 10:00; 10-01..07 off; 10-08, 10-09 and the make-up
    # Saturday 10-10 are worked: 8h + 9h + 9h + 1h = 27h = 3 working days.
    due = cal.add_working_days(sh(2026, 9, 30, 10), 3)
    assert due == sh(2026, 10, 10, 10)
    assert due.weekday() == 5
    assert due.tzinfo == SH
    assert cal.business_seconds(sh(2026, 9, 30, 10), due) == 27 * HOUR


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (sh(2026, 3, 9, 10), 3, sh(2026, 3, 12, 10)),  # Monday -> Thursday
        (sh(2026, 3, 9, 10), 1, sh(2026, 3, 10, 10)),
        (sh(2026, 3, 9, 9), 1, sh(2026, 3, 9, 18)),  # a full day ends at 18:00, not next 09:00
        (sh(2026, 3, 9, 10), 0.5, sh(2026, 3, 9, 14, 30)),
        (sh(2026, 3, 12, 10), 3, sh(2026, 3, 17, 10)),  # Thursday -> Tuesday over a weekend
        (sh(2026, 3, 9, 10), 5, sh(2026, 3, 16, 10)),
        # Friday before Spring Festival: 02-13 8h, make-up Saturday 02-14 9h, then 02-24.
        (sh(2026, 2, 13, 10), 2, sh(2026, 2, 24, 10)),
        # Last day before the holiday to the make-up Saturday 02-28 after it.
        (sh(2026, 2, 24, 9), 4, sh(2026, 2, 27, 18)),
        (sh(2026, 2, 24, 9), 5, sh(2026, 2, 28, 18)),
    ],
)
def test_add_working_days(
    cal: BusinessCalendar, start: datetime, days: float, due: datetime
) -> None:
    assert cal.add_working_days(start, days) == due


def test_add_working_days_with_lunch(lunch_cal: BusinessCalendar) -> None:
    assert lunch_cal.hours.seconds_per_day == 8 * 3600
    assert lunch_cal.add_working_days(sh(2026, 3, 9, 10), 3) == sh(2026, 3, 12, 10)
    assert lunch_cal.add_working_days(sh(2026, 9, 30, 10), 3) == sh(2026, 10, 10, 10)


# -- rolling, lunch, and counting ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "next_start", "plus_one_hour"),
    [
        (sh(2026, 3, 10, 7), sh(2026, 3, 10, 9), sh(2026, 3, 10, 10)),  # before 09:00
        (sh(2026, 3, 10, 19), sh(2026, 3, 11, 9), sh(2026, 3, 11, 10)),  # after 18:00
        (sh(2026, 3, 10, 18), sh(2026, 3, 11, 9), sh(2026, 3, 11, 10)),  # exactly at 18:00
        (sh(2026, 3, 14, 10), sh(2026, 3, 16, 9), sh(2026, 3, 16, 10)),  # Saturday
        (sh(2026, 3, 13, 20), sh(2026, 3, 16, 9), sh(2026, 3, 16, 10)),  # Friday evening
        (sh(2026, 10, 1, 10), sh(2026, 10, 8, 9), sh(2026, 10, 8, 10)),  # National Day
        (sh(2026, 2, 15, 10), sh(2026, 2, 24, 9), sh(2026, 2, 24, 10)),  # Spring Festival
        (sh(2026, 3, 10, 11), sh(2026, 3, 10, 11), sh(2026, 3, 10, 12)),  # inside hours
    ],
)
def test_start_outside_hours_rolls_to_next_working_start(
    cal: BusinessCalendar, start: datetime, next_start: datetime, plus_one_hour: datetime
) -> None:
    assert cal.next_working_time(start) == next_start
    assert cal.add_business_seconds(start, HOUR) == plus_one_hour


@pytest.mark.parametrize(
    "start", [sh(2026, 3, 10, 7), sh(2026, 3, 14, 10), sh(2026, 10, 1, 10), sh(2026, 3, 10, 11)]
)
def test_zero_seconds_returns_start_unchanged(cal: BusinessCalendar, start: datetime) -> None:
    assert cal.add_business_seconds(start, 0) == start
    assert cal.add_working_days(start, 0) == start


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        (sh(2026, 3, 10, 11), 2 * HOUR, sh(2026, 3, 10, 14)),  # skips 12:00-13:00
        (sh(2026, 3, 10, 9), 3 * HOUR, sh(2026, 3, 10, 12)),  # lands exactly at lunch
        (sh(2026, 3, 10, 12, 30), HOUR, sh(2026, 3, 10, 14)),  # starts inside lunch
        (sh(2026, 3, 10, 17), 2 * HOUR, sh(2026, 3, 11, 10)),
    ],
)
def test_lunch_break_is_skipped(
    lunch_cal: BusinessCalendar, start: datetime, seconds: float, due: datetime
) -> None:
    assert lunch_cal.add_business_seconds(start, seconds) == due
    assert lunch_cal.business_seconds(start, due) == seconds


def test_working_intervals(cal: BusinessCalendar, lunch_cal: BusinessCalendar) -> None:
    assert cal.working_intervals(date(2026, 3, 10)) == [(sh(2026, 3, 10, 9), sh(2026, 3, 10, 18))]
    assert lunch_cal.working_intervals(date(2026, 3, 10)) == [
        (sh(2026, 3, 10, 9), sh(2026, 3, 10, 12)),
        (sh(2026, 3, 10, 13), sh(2026, 3, 10, 18)),
    ]
    assert cal.working_intervals(date(2026, 10, 1)) == []
    assert cal.working_intervals(date(2026, 10, 10))[0][0].tzinfo == SH


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (sh(2026, 3, 10, 9), True),
        (sh(2026, 3, 10, 12, 30), False),  # lunch
        (sh(2026, 3, 10, 18), False),  # end is exclusive
        (sh(2026, 3, 14, 10), False),
        (sh(2026, 10, 10, 10), True),
    ],
)
def test_is_working_time(lunch_cal: BusinessCalendar, moment: datetime, expected: bool) -> None:
    assert lunch_cal.is_working_time(moment) is expected


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (sh(2026, 3, 13, 17), sh(2026, 3, 16, 10), 2),  # across a weekend
        (sh(2026, 3, 14, 0), sh(2026, 3, 16, 0), 0),  # a weekend only
        (sh(2026, 9, 30, 17), sh(2026, 10, 8, 10), 2),  # across National Day
        (sh(2026, 9, 24, 17), sh(2026, 9, 28, 10), 2),  # across Mid-autumn (Fri 09-25)
        (sh(2026, 2, 13, 17), sh(2026, 2, 24, 10), 11),  # across Spring Festival, make-up 02-14
        (sh(2026, 3, 9, 0), sh(2026, 3, 16, 0), 45),  # an ordinary week
        (sh(2026, 3, 10, 7), sh(2026, 3, 10, 8), 0),  # before hours
        (sh(2026, 3, 10, 12), sh(2026, 3, 10, 11), 0),  # end before start
        (sh(2026, 3, 10, 12), sh(2026, 3, 10, 12), 0),
    ],
)
def test_business_seconds(
    cal: BusinessCalendar, start: datetime, end: datetime, hours: int
) -> None:
    assert cal.business_seconds(start, end) == hours * HOUR


def _fixed_instants(seed: int, count: int) -> list[tuple[datetime, float]]:
    rng = random.Random(seed)
    origin = sh(2025, 12, 20)
    cases = []
    for _ in range(count):
        # Kept inside the years the statutory data covers.
        start = origin + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        seconds = rng.choice([0.5, 60.0, 3599.0, HOUR, 9 * HOUR, 27 * HOUR])
        seconds = seconds * rng.randint(1, 12) + rng.randrange(0, 60)
        cases.append((start, seconds))
    return cases


@pytest.mark.parametrize("hours", [WorkingHours(), LUNCH], ids=["plain", "lunch"])
@pytest.mark.parametrize(("start", "seconds"), _fixed_instants(20260930, 25))
def test_add_and_count_are_inverse(hours: WorkingHours, start: datetime, seconds: float) -> None:
    cal = BusinessCalendar(hours=hours)
    due = cal.add_business_seconds(start, seconds)
    assert due > start
    assert cal.business_seconds(start, due) == pytest.approx(seconds, abs=1e-6)
    # Going back the other way: from a working instant, the count reproduces the end instant.
    begin = cal.next_working_time(start)
    assert cal.add_business_seconds(begin, cal.business_seconds(begin, due)) == due


def test_long_span_is_day_by_day(cal: BusinessCalendar) -> None:
    start = sh(2005, 1, 4, 10)
    due = cal.add_working_days(start, 5000)
    assert date(2024, 1, 1) < due.date() < date(2026, 1, 1)
    assert cal.business_seconds(start, due) == 5000 * cal.hours.seconds_per_day
    # Each date is decided once, however often it is asked about.
    assert len(cal._workday_cache) == (due.date() - start.date()).days + 1


# -- time zones ----------------------------------------------------------------------------


def test_utc_input_is_converted_to_calendar_zone(cal: BusinessCalendar) -> None:
    received = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    assert received == sh(2026, 9, 30, 10)
    due = cal.add_working_days(received, 3)
    assert due == sh(2026, 10, 10, 10)
    assert due.tzinfo == SH
    assert due.astimezone(UTC) == datetime(2026, 10, 10, 2, 0, tzinfo=UTC)
    assert cal.business_seconds(received, datetime(2026, 9, 30, 10, 0, tzinfo=UTC)) == 8 * HOUR
    assert cal.is_working_time(datetime(2026, 9, 30, 1, 0, tzinfo=UTC))  # 09:00 Shanghai
    assert not cal.is_working_time(datetime(2026, 9, 30, 10, 0, tzinfo=UTC))  # 18:00 Shanghai


def test_utc_evening_is_next_day_in_shanghai(cal: BusinessCalendar) -> None:
    # 2026-09-30 17:00Z is 2026-10-01 01:00 in Shanghai: already National Day.
    assert cal.next_working_time(datetime(2026, 9, 30, 17, tzinfo=UTC)) == sh(2026, 10, 8, 9)


def test_seconds_zero_keeps_instant_but_returns_calendar_zone(cal: BusinessCalendar) -> None:
    received = datetime(2026, 9, 30, 20, 0, tzinfo=UTC)
    result = cal.add_business_seconds(received, 0)
    assert result == received
    assert result.tzinfo == SH


def test_daylight_saving_day_counts_elapsed_time() -> None:
    # Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00: 01:00-05:00 is 3 real hours.
    hours = WorkingHours(start=time(1, 0), end=time(5, 0), weekdays=frozenset(range(7)))
    cal = BusinessCalendar(tz="Europe/Berlin", hours=hours, use_statutory=False)
    berlin = ZoneInfo("Europe/Berlin")
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=berlin)
    assert cal.business_seconds(day_start, day_start + timedelta(days=1)) == 3 * HOUR
    assert cal.add_business_seconds(datetime(2026, 3, 29, 1, tzinfo=berlin), 2 * HOUR) == (
        datetime(2026, 3, 29, 4, tzinfo=berlin)
    )


@pytest.mark.parametrize("call", ["add", "count", "next"])
def test_naive_datetimes_are_rejected(cal: BusinessCalendar, call: str) -> None:
    naive = datetime(2026, 3, 10, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        if call == "add":
            cal.add_business_seconds(naive, HOUR)
        elif call == "count":
            cal.business_seconds(naive, sh(2026, 3, 11))
        else:
            cal.next_working_time(naive)


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_bad_seconds_are_rejected(cal: BusinessCalendar, seconds: float) -> None:
    with pytest.raises(ValueError, match="seconds"):
        cal.add_business_seconds(sh(2026, 3, 10, 10), seconds)


def test_calendar_without_workdays_hits_loop_guard() -> None:
    cal = BusinessCalendar(hours=WorkingHours(weekdays=frozenset()), use_statutory=False)
    assert cal.business_seconds(sh(2026, 1, 1), sh(2026, 12, 31)) == 0
    with pytest.raises(ValueError, match="no working days"):
        cal.add_business_seconds(sh(2026, 3, 10, 10), HOUR)


# -- years without statutory data ----------------------------------------------------------


def test_uncovered_year_falls_back_and_warns() -> None:
    cal = BusinessCalendar(
        extra_holidays=[date(2027, 1, 1)],
        extra_workdays=[date(2027, 2, 6)],
    )
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    with pytest.warns(CalendarCoverageWarning, match="2027"):
        assert cal.is_workday(date(2027, 1, 4))  # Monday
    assert cal.uncovered_years == {2027}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any further warning for 2027 would fail here
        assert not cal.is_workday(date(2027, 1, 1))  # Friday, local holiday
        assert cal.is_workday(date(2027, 2, 6))  # Saturday, local workday
        assert not cal.is_workday(date(2027, 2, 7))  # Sunday
        # no official schedule: the Spring Festival as the law fixes it, no make-up workdays
        assert not cal.is_workday(date(2027, 2, 10))  # Wednesday, provisional holiday
        assert cal.is_workday(date(2027, 3, 10))  # an ordinary Wednesday
        # Thu 2026-12-31 10:00: 8h that day, 01-01 is a local holiday, 9h on Mon 01-04.
        assert cal.add_working_days(sh(2026, 12, 31, 10), 2) == sh(2027, 1, 5, 10)
    assert cal.uncovered_years == {2027}


def test_coverage_warning_once_per_year_per_instance() -> None:
    cal = BusinessCalendar()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for month in range(1, 13):
            cal.is_workday(date(2027, month, 3))
        cal.is_workday(date(2003, 5, 6))
        cal.is_workday(date(2003, 5, 7))
        cal.is_workday(date(2026, 5, 6))  # covered
    years = [str(w.message) for w in caught if issubclass(w.category, CalendarCoverageWarning)]
    assert len(years) == 2
    assert "2027" in years[0] and "2003" in years[1]
    assert cal.uncovered_years == {2027, 2003}
    with pytest.warns(CalendarCoverageWarning):
        BusinessCalendar().is_workday(date(2027, 3, 3))  # a new instance warns again


def test_no_coverage_warning_without_statutory_data() -> None:
    cal = BusinessCalendar(use_statutory=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cal.is_workday(date(2027, 1, 4))
    assert cal.uncovered_years == set()


# -- local overrides -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holidays", "workdays", "day", "expected"),
    [
        ([date(2026, 3, 11)], [], date(2026, 3, 11), False),  # ordinary Wednesday off
        ([], [date(2026, 3, 14)], date(2026, 3, 14), True),  # ordinary Saturday worked
        ([], [date(2026, 10, 2)], date(2026, 10, 2), True),  # beats a statutory holiday
        ([date(2026, 10, 10)], [], date(2026, 10, 10), False),  # beats a make-up workday
        ([date(2026, 3, 11)], [], date(2026, 3, 12), True),  # neighbours untouched
    ],
)
def test_local_overrides(
    holidays: list[date], workdays: list[date], day: date, expected: bool
) -> None:
    cal = BusinessCalendar(extra_holidays=holidays, extra_workdays=workdays)
    assert cal.is_workday(day) is expected


def test_local_overrides_move_due_dates() -> None:
    cal = BusinessCalendar(extra_holidays=[date(2026, 3, 10)], extra_workdays=[date(2026, 3, 14)])
    # Mon 03-09 10:00 + 3 days: 8h Mon, Tue off, 9h Wed, 9h Thu, 1h Fri.
    assert cal.add_working_days(sh(2026, 3, 9, 10), 3) == sh(2026, 3, 13, 10)
    # Fri 03-13 10:00 + 2 days: 8h Fri, 9h on the local Saturday, 1h Monday.
    assert cal.add_working_days(sh(2026, 3, 13, 10), 2) == sh(2026, 3, 16, 10)


def test_local_date_in_both_lists_is_rejected() -> None:
    with pytest.raises(ValueError, match="2026-03-11"):
        BusinessCalendar(extra_holidays=[date(2026, 3, 11)], extra_workdays=[date(2026, 3, 11)])


def test_local_datetimes_are_rejected() -> None:
    with pytest.raises(TypeError, match="extra_holidays"):
        BusinessCalendar(extra_holidays=[datetime(2026, 3, 11, 0, 0)])


# -- working hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "seconds"),
    [
        (WorkingHours(), 9 * 3600),
        (LUNCH, 8 * 3600),
        (WorkingHours(start=time(8, 30), end=time(17, 30), lunch=(time(12), time(13, 30))), 27000),
    ],
)
def test_seconds_per_day(hours: WorkingHours, seconds: int) -> None:
    assert hours.seconds_per_day == seconds


class _HoursArgs(TypedDict, total=False):
    start: time
    end: time
    lunch: tuple[time, time] | None
    weekdays: frozenset[int]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": time(18), "end": time(9)}, "end"),
        ({"start": time(9), "end": time(9)}, "end"),
        ({"lunch": (time(8), time(9, 30))}, "lunch"),
        ({"lunch": (time(17), time(19))}, "lunch"),
        ({"lunch": (time(13), time(12))}, "lunch"),
        ({"lunch": (time(9), time(18))}, "lunch"),
        ({"weekdays": frozenset({7})}, "weekdays"),
    ],
)
def test_working_hours_validation(kwargs: _HoursArgs, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        WorkingHours(**kwargs)


def test_working_hours_is_hashable_with_any_weekday_iterable() -> None:
    hours = WorkingHours(weekdays={0, 1, 2})  # type: ignore[arg-type]  # a set on purpose
    assert hours.weekdays == frozenset({0, 1, 2})
    assert hash(hours) == hash(WorkingHours(weekdays=frozenset({2, 1, 0})))


# -- configuration -------------------------------------------------------------------------


def test_from_config_full() -> None:
    cal = BusinessCalendar.from_config(
        {
            "hours": {
                "start": "08:30",
                "end": "17:30",
                "lunch": ["12:00", "13:00"],
                "weekdays": [1, 2, 3, 4, 5, 6],
            },
            "local": {
                "holidays": ["2027-01-01"],
                "workdays": ["2027-02-07"],
                "statutory": True,
            },
            "database": {"url": "ignored"},
        },
        tz="Asia/Shanghai",
    )
    assert cal.tz == SH
    assert cal.hours == WorkingHours(
        start=time(8, 30),
        end=time(17, 30),
        lunch=(time(12), time(13)),
        weekdays=frozenset({0, 1, 2, 3, 4, 5}),
    )
    assert cal.hours.seconds_per_day == 8 * 3600
    assert cal.extra_holidays == {date(2027, 1, 1)}
    assert cal.extra_workdays == {date(2027, 2, 7)}
    assert cal.use_statutory
    assert cal.is_workday(date(2026, 3, 14))  # Saturday, per weekdays
    # Locally decided dates never consult the statutory data, so they raise no warning.
    assert cal.is_workday(date(2027, 2, 7))  # Sunday, local workday
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.uncovered_years == set()
    with pytest.warns(CalendarCoverageWarning):
        assert cal.is_workday(date(2027, 3, 13))  # Saturday, per weekdays
    assert not cal.is_workday(date(2027, 2, 6))  # Saturday, the Spring Festival (provisional)
    assert cal.uncovered_years == {2027}


def test_from_config_defaults() -> None:
    cal = BusinessCalendar.from_config({}, tz="Asia/Shanghai")
    assert cal.hours == WorkingHours()
    assert cal.extra_holidays == frozenset()
    assert cal.extra_workdays == frozenset()
    assert cal.use_statutory
    assert cal.add_working_days(sh(2026, 9, 30, 10), 3) == sh(2026, 10, 10, 10)


def test_from_config_accepts_toml_native_values() -> None:
    # TOML local times and dates parse to time/date objects rather than strings.
    cal = BusinessCalendar.from_config(
        {
            "hours": {"start": time(9), "end": time(17), "lunch": [time(12), time(12, 30)]},
            "local": {"holidays": [date(2026, 3, 11)], "statutory": False},
        },
        tz="UTC",
    )
    assert cal.hours.seconds_per_day == 7 * 3600 + 1800
    assert cal.tz == ZoneInfo("UTC")
    assert not cal.is_workday(date(2026, 3, 11))
    assert cal.is_workday(date(2026, 10, 1))  # statutory off


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"hours": {"start": "18:00", "end": "09:00"}}, r"hours\.end"),
        ({"hours": {"end": "08:00"}}, r"hours\.end"),
        ({"hours": {"lunch": ["08:00", "10:00"]}}, r"hours\.lunch"),
        ({"hours": {"lunch": ["17:30", "18:30"]}}, r"hours\.lunch"),
        ({"hours": {"lunch": ["13:00", "12:00"]}}, r"hours\.lunch"),
        ({"hours": {"lunch": ["12:00"]}}, r"hours\.lunch"),
        ({"hours": {"lunch": "12:00-13:00"}}, r"hours\.lunch"),
        ({"hours": {"lunch": ["12:00", "1pm"]}}, r"hours\.lunch\[1\]"),
        ({"hours": {"start": "9am"}}, r"hours\.start"),
        ({"hours": {"start": 9}}, r"hours\.start"),
        ({"hours": {"end": "25:00"}}, r"hours\.end"),
        ({"hours": {"weekdays": [0, 1, 2]}}, r"hours\.weekdays"),
        ({"hours": {"weekdays": [1, 8]}}, r"hours\.weekdays"),
        ({"hours": {"weekdays": []}}, r"hours\.weekdays"),
        ({"hours": {"weekdays": [True]}}, r"hours\.weekdays"),
        ({"hours": {"lunch_break": ["12:00", "13:00"]}}, r"hours\.lunch_break"),
        ({"hours": "09:00-18:00"}, r"\[hours\]"),
        ({"local": {"holidays": ["2027-13-01"]}}, r"local\.holidays\[0\]"),
        ({"local": {"holidays": ["2027-01-01", "tomorrow"]}}, r"local\.holidays\[1\]"),
        ({"local": {"workdays": ["2027/02/06"]}}, r"local\.workdays\[0\]"),
        ({"local": {"workdays": "2027-02-06"}}, r"local\.workdays"),
        ({"local": {"holidays": [20270101]}}, r"local\.holidays\[0\]"),
        ({"local": {"statutory": "yes"}}, r"local\.statutory"),
        (
            {"local": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}},
            r"local\.holidays and local\.workdays",
        ),
        ({"local": {"holiday": ["2027-01-01"]}}, r"local\.holiday"),
    ],
)
def test_from_config_errors_name_the_key(data: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BusinessCalendar.from_config(data, tz="Asia/Shanghai")


def test_from_config_unknown_zone() -> None:
    with pytest.raises(ValueError, match="tz"):
        BusinessCalendar.from_config({}, tz="Asia/Atlantis")


def test_a_year_is_known_statutorily_by_the_desk_or_only_provisionally() -> None:
    cal = BusinessCalendar()
    assert cal.coverage(2026) is Coverage.STATUTORY
    assert cal.coverage(STATUTORY_LAST_YEAR + 1) is Coverage.PROVISIONAL
    assert cal.coverage(2003) is Coverage.PROVISIONAL  # before the package's first year
    known = BusinessCalendar(known_years=[2027], extra_holidays=[date(2027, 1, 1)])
    assert known.coverage(2027) is Coverage.DESK
    # a desk-known year is exactly its entries: no provisional holiday on top
    assert known.is_workday(date(2027, 2, 10)) and not known.is_workday(date(2027, 1, 1))
    assert known.uncovered_years == set()


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 11, 1), None),  # 61 days before 2027: not yet
        (date(2026, 11, 2), 2027),  # 60 days before
        (date(2026, 11, 30), 2027),
        (date(2027, 3, 1), 2027),  # the year has begun and is still unknown
    ],
)
def test_the_year_to_enter_is_asked_for_from_60_days_before(today: date, year: int | None) -> None:
    assert WARNING_DAYS == 60
    assert BusinessCalendar().year_to_enter(today) == year
    assert BusinessCalendar(known_years=[2027]).year_to_enter(today) is None
    assert BusinessCalendar(use_statutory=False).year_to_enter(today) is None


def test_a_p4_over_new_year_with_2027_01_01_entered_as_a_holiday() -> None:
    """Thursday 2026-12-31 10:00 + 3 working days of 09:00-18:00 with 2027-01-01 off:
    Thu 8h, Mon 9h, Tue 9h, Wed 1h: due Wednesday 2027-01-06 10:00."""
    cal = BusinessCalendar(known_years=[2027], extra_holidays=[date(2027, 1, 1)])
    assert cal.add_working_days(sh(2026, 12, 31, 10), 3) == sh(2027, 1, 6, 10)


def test_the_days_of_a_year_are_listed_with_their_names() -> None:
    cal = BusinessCalendar(
        known_years=[2027],
        extra_holidays=[date(2027, 1, 1)],
        extra_workdays=[date(2027, 2, 20)],
        names={date(2027, 1, 1): "元旦", date(2027, 2, 20): "春节调休"},
    )
    days = cal.days_of(2027)
    assert days == [(date(2027, 1, 1), False, "元旦"), (date(2027, 2, 20), True, "春节调休")]
    statutory = dict((d, (w, n)) for d, w, n in BusinessCalendar().days_of(2026))
    assert statutory[date(2026, 1, 1)][0] is False and statutory[date(2026, 1, 1)][1]
