"""Ticket numbers: the desk's local date at the day's edges, widening at 1000."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from deskui.core.numbering import desk_day, format_number, parse_number

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_format_pads_to_three_and_widens_at_1000() -> None:
    day = date(2023, 10, 1)
    assert format_number(day, 1) == "IT20231001001"
    assert format_number(day, 999) == "IT20231001999"
    assert format_number(day, 1000) == "IT202310011000"
    assert format_number(day, 12345) == "IT2023100112345"
    with pytest.raises(ValueError):
        format_number(day, 0)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # 15:59:59 UTC is 23:59:59 in Shanghai: still the 1st
        (datetime(2023, 10, 1, 15, 59, 59, tzinfo=UTC), date(2023, 10, 1)),
        # 16:00 UTC is midnight in Shanghai: already the 2nd, while UTC is still on the 1st
        (datetime(2023, 10, 1, 16, 0, 0, tzinfo=UTC), date(2023, 10, 2)),
        (datetime(2023, 10, 2, 0, 0, tzinfo=SHANGHAI), date(2023, 10, 2)),
        (datetime(2023, 10, 1, 23, 59, 59, 999999, tzinfo=SHANGHAI), date(2023, 10, 1)),
        # New Year's edge
        (datetime(2023, 12, 31, 16, 0, tzinfo=UTC), date(2024, 1, 1)),
        # an offset from elsewhere is converted, not trusted
        (datetime(2023, 10, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5))), date(2023, 10, 2)),
    ],
)
def test_desk_day_is_local_not_utc(instant: datetime, expected: date) -> None:
    assert desk_day(instant, SHANGHAI) == expected


def test_desk_day_follows_the_configured_zone() -> None:
    instant = datetime(2023, 10, 1, 23, 30, tzinfo=UTC)
    assert desk_day(instant, ZoneInfo("Europe/London")) == date(2023, 10, 2)
    assert desk_day(instant, ZoneInfo("America/New_York")) == date(2023, 10, 1)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        desk_day(datetime(2023, 10, 1, 12), SHANGHAI)


def test_parse_roundtrip_and_rejects() -> None:
    assert parse_number("IT20231001001") == (date(2023, 10, 1), 1)
    assert parse_number("it202310011000") == (date(2023, 10, 1), 1000)
    for bad in (
        "IT2023100101",
        "XX20231001001",
        "IT20231301001",
        "IT20231001000",
        "IT202310010001",
    ):
        with pytest.raises(ValueError):
            parse_number(bad)
