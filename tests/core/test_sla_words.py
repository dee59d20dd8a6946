"""An SLA target in words and back: the stored form (``3 working_days``) shown in a language,
and what an operator types in either language read back into the stored form."""

from __future__ import annotations

import pytest

from deskui.core.sla_words import UNITS, read_target, split_target, target_words

ZH = {"minutes": "分钟", "hours": "小时", "business_hours": "工作小时", "working_days": "个工作日"}
EN = {
    "minutes": ("minute", "minutes"),
    "hours": ("hour", "hours"),
    "business_hours": ("business hour", "business hours"),
    "working_days": ("working day", "working days"),
}
WORDS = {u: [ZH[u], *EN[u]] for u in UNITS}


def zh_word(unit: str, _amount: float) -> str:
    return ZH[unit]


def en_word(unit: str, amount: float) -> str:
    one, many = EN[unit]
    return one if amount == 1 else many


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        ("15 minutes", "15 分钟", "15 minutes"),
        ("1 hours", "1 小时", "1 hour"),
        ("24 hours", "24 小时", "24 hours"),
        ("1.5 business_hours", "1.5 工作小时", "1.5 business hours"),
        ("3 working_days", "3 个工作日", "3 working days"),
        ("1 working_days", "1 个工作日", "1 working day"),
    ],
)
def test_a_stored_target_reads_in_either_language(stored: str, zh: str, en: str) -> None:
    assert target_words(stored, zh_word) == zh
    assert target_words(stored, en_word) == en


@pytest.mark.parametrize("stored", ["", "soon", "3 days", "0 hours", "-1 hours", "4 hours x"])
def test_what_is_not_a_stored_target_is_shown_as_it_is(stored: str) -> None:
    assert split_target(stored) is None
    assert target_words(stored, en_word) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("4 小时", "4 hours"),
        ("4小时", "4 hours"),
        ("3 个工作日", "3 working_days"),
        ("15 分钟", "15 minutes"),
        ("2 工作小时", "2 business_hours"),
        ("4 hours", "4 hours"),
        ("1 hour", "1 hours"),
        ("2 working days", "2 working_days"),
        ("2  Working   Days ", "2 working_days"),
        ("1 working day", "1 working_days"),
        ("3 working_days", "3 working_days"),
        ("0.5 business_hours", "0.5 business_hours"),
    ],
)
def test_what_an_operator_types_in_either_language_is_read(typed: str, stored: str) -> None:
    assert read_target(typed, WORDS) == stored


@pytest.mark.parametrize(
    "typed", ["", "4", "hours", "3 days", "0 小时", "-2 hours", "4 hours 5", "四 小时", "4 h"]
)
def test_what_is_no_target_is_not_read(typed: str) -> None:
    assert read_target(typed, WORDS) is None


def test_the_stored_form_reads_back_as_itself() -> None:
    for unit in UNITS:
        stored = f"2 {unit}"
        assert read_target(target_words(stored, zh_word), WORDS) == stored
        assert read_target(target_words(stored, en_word), WORDS) == stored
