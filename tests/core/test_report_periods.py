"""Report periods: months, ISO weeks and ranges of local days, the period before, the weeks of
the SLA trend, and the nearest-rank percentile."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskui.core.report_periods import (
    MAX_DAYS,
    PeriodError,
    PeriodKind,
    current_month,
    nearest_rank,
    parse_period,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_month_is_its_local_days() -> None:
    p = parse_period("2026-11", SHANGHAI)
    assert (p.kind, p.first, p.last, p.days, p.label) == (
        PeriodKind.MONTH,
        date(2026, 11, 1),
        date(2026, 11, 30),
        30,
        "2026-11",
    )
    # Shanghai midnight is 16:00 UTC the day before
    assert p.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert p.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert parse_period("2026-12", SHANGHAI).last == date(2026, 12, 31)
    assert parse_period("2026-01", SHANGHAI).previous().label == "2025-12"
    assert parse_period("2024-03", SHANGHAI).previous().last == date(2024, 2, 29)


def test_an_iso_week_and_the_one_before() -> None:
    p = parse_period("2026-W48", SHANGHAI)
    assert (p.first, p.last, p.label) == (date(2026, 11, 23), date(2026, 11, 29), "2026-W48")
    assert parse_period("2026-w01", SHANGHAI).previous().label == "2025-W52"
    assert parse_period("2026-W53", SHANGHAI).first == date(2026, 12, 28)


def test_a_range_and_the_days_before_it() -> None:
    p = parse_period(" 2026-11-01..2026-11-10 ", SHANGHAI)
    assert (p.kind, p.days, p.label) == (PeriodKind.RANGE, 10, "2026-11-01..2026-11-10")
    before = p.previous()
    assert (before.first, before.last) == (date(2026, 10, 22), date(2026, 10, 31))
    assert parse_period("2026-11-05..2026-11-05", SHANGHAI).days == 1


def test_a_daylight_saving_zone_keeps_whole_days() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    p = parse_period("2026-03-29..2026-03-29", berlin)  # 23 hours long
    assert (p.end - p.start).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-W54",
        "2026-W00",
        "2026-11-31..2026-12-01",
        "2026-11-10..2026-11-01",
        "2026-11-01",
        "november",
        "",
        "2026-1-01..2026-01-02",
        f"2020-01-01..{date(2020 + MAX_DAYS // 365 + 1, 1, 1)}",
    ],
)
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text, SHANGHAI)
    assert info.value.text == text


def test_the_trend_weeks_cover_the_period_and_at_least_six() -> None:
    month = parse_period("2026-11", SHANGHAI)
    labels = [w.label for w in month.trend_weeks()]
    assert labels == ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    long = parse_period("2026-09-01..2026-11-30", SHANGHAI).trend_weeks()
    assert long[0].label == "2026-W36" and long[-1].label == "2026-W49" and len(long) == 14


def test_current_month_is_local() -> None:
    # 2026-11-30 17:00 UTC is already December 1st in Shanghai
    now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert current_month(now, SHANGHAI).label == "2026-12"


@pytest.mark.parametrize(
    ("count", "percent", "rank"),
    [(1, 50, 1), (1, 90, 1), (4, 50, 2), (4, 90, 4), (5, 50, 3), (10, 90, 9), (11, 90, 10)],
)
def test_nearest_rank(count: int, percent: int, rank: int) -> None:
    assert nearest_rank(count, percent) == rank
