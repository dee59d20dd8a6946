"""Times as people type them: without an offset, the desk's local time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from deskui.core.local_time import local_minute, read_local_time

DESK = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-12-02T10:00", datetime(2026, 12, 2, 2, 0, tzinfo=UTC)),
        ("2026-12-02 10:00:30", datetime(2026, 12, 2, 2, 0, 30, tzinfo=UTC)),
        ("2026-12-02T10:00+08:00", datetime(2026, 12, 2, 2, 0, tzinfo=UTC)),
        ("2026-12-02T10:00Z", datetime(2026, 12, 2, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_time_reads_in_the_desks_zone(text: str, utc: datetime) -> None:
    assert read_local_time(text, DESK) == utc


@pytest.mark.parametrize("text", ["tomorrow", "2026-12-02", "20261202T1000", "2026-12-02T25:00"])
def test_what_is_no_time_is_none(text: str) -> None:
    assert read_local_time(text, DESK) is None


def test_shown_in_the_desks_zone() -> None:
    assert local_minute(datetime(2026, 12, 1, 18, 6, tzinfo=UTC), DESK) == "2026-12-02 02:06"
