"""Expected-by times as operators say them, read against a fixed moment."""

from __future__ import annotations

from datetime import datetime

import pytest

from deskui.core.when import Deadline, read_deadline, understand

# Monday 2026-11-30, 10:20 at the desk
NOW = datetime(2026, 11, 30, 10, 20)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("今天 17:00", datetime(2026, 11, 30, 17, 0)),
        ("今天17点", datetime(2026, 11, 30, 17, 0)),
        ("今天下午", datetime(2026, 11, 30, 18, 0)),
        ("明天下午", datetime(2026, 12, 1, 18, 0)),
        ("明天上午", datetime(2026, 12, 1, 12, 0)),
        ("明天下午3点", datetime(2026, 12, 1, 15, 0)),
        ("明天下午三点半", datetime(2026, 12, 1, 15, 30)),
        ("后天", datetime(2026, 12, 2, 18, 0)),
        ("大后天 9:30", datetime(2026, 12, 3, 9, 30)),
        ("周五上午", datetime(2026, 12, 4, 12, 0)),
        ("星期五", datetime(2026, 12, 4, 18, 0)),
        ("礼拜三 两点", datetime(2026, 12, 2, 2, 0)),
        ("下周一 9点半", datetime(2026, 12, 7, 9, 30)),
        ("周一上午", datetime(2026, 11, 30, 12, 0)),
        ("周一早上", datetime(2026, 12, 7, 9, 0)),
        ("本周一晚上", datetime(2026, 11, 30, 21, 0)),
        ("12月4日", datetime(2026, 12, 4, 18, 0)),
        ("12月4号 下午2点", datetime(2026, 12, 4, 14, 0)),
        ("1月5日", datetime(2027, 1, 5, 18, 0)),
        ("3天后", datetime(2026, 12, 3, 18, 0)),
        ("2小时后", datetime(2026, 11, 30, 12, 20)),
        ("tomorrow 3pm", datetime(2026, 12, 1, 15, 0)),
        ("Tomorrow 3:30 PM", datetime(2026, 12, 1, 15, 30)),
        ("day after tomorrow", datetime(2026, 12, 2, 18, 0)),
        ("fri noon", datetime(2026, 12, 4, 12, 0)),
        ("next friday", datetime(2026, 12, 11, 18, 0)),
        ("today eod", datetime(2026, 11, 30, 18, 0)),
        ("in 2 hours", datetime(2026, 11, 30, 12, 20)),
        ("in 3 days", datetime(2026, 12, 3, 18, 0)),
        ("17:00", datetime(2026, 11, 30, 17, 0)),
        ("2026-12-04 15:00", datetime(2026, 12, 4, 15, 0)),
        ("2026-12-04T15:00", datetime(2026, 12, 4, 15, 0)),
        ("2026/12/4", datetime(2026, 12, 4, 18, 0)),
        ("2026-12-04", datetime(2026, 12, 4, 18, 0)),
        ("１２月４日", datetime(2026, 12, 4, 18, 0)),
        ("12-04", datetime(2026, 12, 4, 18, 0)),
    ],
)
def test_what_operators_say_is_read_as_a_deadline(said: str, expected: datetime) -> None:
    understood = understand(said, NOW)
    assert understood is not None, said
    assert understood.at == expected


@pytest.mark.parametrize(
    "said", ["", "   ", "soon", "尽快", "2026-02-30", "25:00", "明天 25点", "13月2日", "下午99:00"]
)
def test_what_is_not_a_time_is_not_guessed(said: str) -> None:
    assert understand(said, NOW) is None


def test_a_day_alone_is_the_close_of_its_working_day() -> None:
    day = understand("明天", NOW)
    assert day is not None and day.at.hour == 18 and not day.said_time
    timed = understand("明天 10:00", NOW)
    assert timed is not None and timed.said_time


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("", None),
        ("明天", Deadline(datetime(2026, 12, 1, 18, 0))),
        ("今天 17:00", Deadline(datetime(2026, 11, 30, 17, 0))),
        ("今天 9:00", Deadline(datetime(2026, 11, 30, 9, 0), "past")),
        ("today 9am", Deadline(datetime(2026, 11, 30, 9, 0), "past")),
        ("昨天", Deadline(datetime(2026, 11, 29, 18, 0), "past")),
        ("前天下午", Deadline(datetime(2026, 11, 28, 18, 0), "past")),
        ("yesterday", Deadline(datetime(2026, 11, 29, 18, 0), "past")),
        ("2026-11-01", Deadline(datetime(2026, 11, 1, 18, 0), "past")),
        ("尽快", Deadline(None, "date")),
        ("whenever", Deadline(None, "date")),
    ],
)
def test_a_deadline_that_has_passed_or_cannot_be_read_says_why(
    said: str, expected: Deadline | None
) -> None:
    assert read_deadline(said, NOW) == expected
