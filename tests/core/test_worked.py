"""Worklog minutes: whole minutes from 1 to 1440, read as typed or checked as given."""

from __future__ import annotations

import pytest

from deskui.core.worked import (
    MAX_MINUTES,
    MIN_MINUTES,
    MinutesError,
    check_minutes,
    read_minutes,
    total_minutes,
)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("", None), ("   ", None), ("45", 45), (" 1 ", 1), ("1440", 1440), ("０４５", 45)],
)
def test_minutes_as_typed(typed: str, minutes: int | None) -> None:
    assert read_minutes(typed) == minutes


@pytest.mark.parametrize("typed", ["0", "1441", "-3", "1.5", "2h", "四十五", "99999999", "1e3"])
def test_anything_else_is_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(MinutesError) as info:
        read_minutes(typed)
    assert info.value.value == typed.strip()


def test_the_bounds_of_a_given_number() -> None:
    assert (MIN_MINUTES, MAX_MINUTES) == (1, 1440)
    assert check_minutes(None) is None
    assert check_minutes(MIN_MINUTES) == 1 and check_minutes(MAX_MINUTES) == 1440
    for wrong in (0, -1, 1441, True):
        with pytest.raises(MinutesError):
            check_minutes(wrong)


def test_entries_without_minutes_count_none() -> None:
    assert total_minutes([30, None, 45, None]) == 75
    assert total_minutes([]) == 0
