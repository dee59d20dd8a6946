"""The business calendar as the desk's admin keeps it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

import pytest

from deskui.core.calendar import Coverage
from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind
from deskui.services import calendar as cal
from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ServiceError
from tests.conftest import SHANGHAI
from tests.services.test_intake import call

YEAR_2027 = """
year = 2027
[holidays]
"2027-01-01" = "元旦"
"2027-02-06" = "春节"
"2027-02-07" = "春节"
[workdays]
"2027-02-20" = "春节调休"
"""


def change(desk: DeskService, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    desk.change_calendar(desk.actor("admin"), fn, "test")


def test_a_p4_over_new_year_is_due_after_the_holiday_the_desk_entered(
    desk: DeskService,
) -> None:
    """Thursday 2026-12-31 10:00, P4 (3 working days of 09:00-18:00), 2027-01-01 entered as a
    holiday: due Wednesday 2027-01-06 10:00."""
    change(desk, partial(cal.add_day, day=date(2027, 1, 1), workday=False, name="元旦"))
    change(desk, partial(cal.confirm_year, year=2027))
    assert desk.rules.calendar.coverage(2027) is Coverage.DESK
    received = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    desk.clock = FrozenClock(received)
    view = desk.create_ticket(desk.actor("op"), call(impact=3, urgency=4))
    assert view.priority == "P4"
    due = view.clocks[ClockKind.RESOLUTION].due
    assert due == datetime(2027, 1, 6, 10, 0, tzinfo=SHANGHAI)


def test_a_years_schedule_is_imported_and_replaces_the_desks_entries(
    desk: DeskService,
) -> None:
    change(desk, partial(cal.add_day, day=date(2027, 3, 1), workday=False, name="旧的"))
    change(desk, partial(cal.add_day, day=date(2028, 1, 3), workday=False, name=None))
    change(desk, lambda raw: cal.import_year(raw, YEAR_2027)[0])
    shown = cal.year_of(desk.rules.calendar, 2027).to_json()
    assert shown["coverage"] == "desk" and shown["covered"]
    assert [d["date"] for d in shown["holidays"]] == ["2027-01-01", "2027-02-06", "2027-02-07"]
    assert shown["workdays"] == [{"date": "2027-02-20", "name": "春节调休", "desk": True}]
    # the entries of other years stay
    assert date(2028, 1, 3) in desk.rules.calendar.extra_holidays
    # a second console sees the same calendar
    other = DeskService(desk.db, desk.clock)
    assert other.rules.calendar.extra_workdays == {date(2027, 2, 20)}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("year = 2027\n[holidays]\n'2026-12-31' = 'x'", "calendar.other_year"),
        ("year = 2027\n[holidays]\n'2027-13-01' = 'x'", "calendar.date"),
        ("[holidays]\n'2027-01-01' = 'x'", "calendar.file"),
        (
            "year = 2027\n[holidays]\n'2027-01-01' = 'x'\n[workdays]\n'2027-01-01' = 'y'",
            "calendar.listed",
        ),
        ("year = 2027\nholidays = [", "calendar.file"),
    ],
)
def test_a_bad_file_imports_nothing(desk: DeskService, text: str, code: str) -> None:
    before = desk.read(lambda s: desk.rules.raw["calendar"])
    with pytest.raises(ServiceError) as refused:
        change(desk, lambda raw: cal.import_year(raw, text)[0])
    assert refused.value.code == code
    assert desk.reload_rules()[0].raw["calendar"] == before


def test_entries_are_not_listed_twice_and_only_the_desks_are_removed(desk: DeskService) -> None:
    change(desk, partial(cal.add_day, day=date(2027, 1, 1), workday=False, name="元旦"))
    for workday in (False, True):
        with pytest.raises(ServiceError) as listed:
            change(desk, partial(cal.add_day, day=date(2027, 1, 1), workday=workday, name=None))
        assert listed.value.code == "calendar.listed"
    with pytest.raises(ServiceError) as statutory:
        change(desk, partial(cal.remove_day, day=date(2026, 10, 1)))
    assert statutory.value.code == "calendar.not_listed"
    change(desk, partial(cal.remove_day, day=date(2027, 1, 1)))
    assert date(2027, 1, 1) not in desk.rules.calendar.extra_holidays


def test_only_an_admin_changes_the_calendar(desk: DeskService) -> None:
    for login in ("op", "agent1", "lead"):
        with pytest.raises(PermissionDenied):
            desk.change_calendar(
                desk.actor(login), partial(cal.confirm_year, year=2027), "not mine"
            )
    assert desk.rules.calendar.coverage(2027) is Coverage.PROVISIONAL


def test_a_make_up_workday_falls_on_a_weekend_or_a_holiday(desk: DeskService) -> None:
    """One check, whichever way the day comes: the command line's add-workday, an import, the
    console's calendar editor."""
    from deskui.i18n import Catalog
    from deskui.services import admin

    before = desk.rules.raw["calendar"]
    tuesday = date(2027, 2, 23)
    with pytest.raises(ServiceError) as refused:
        change(desk, partial(cal.add_day, day=tuesday, workday=True, name=None))
    assert (refused.value.code, refused.value.params) == (
        "calendar.workday_not_off",
        {"day": "2027-02-23"},
    )
    assert refused.value.words(Catalog("zh")) == (
        "2027-02-23 本来就是工作日；调休上班日须在周末或节假日，未保存"
    )
    with pytest.raises(ServiceError) as imported:
        change(desk, lambda raw: cal.import_year(raw, YEAR_2027 + '"2027-02-23" = "x"\n')[0])
    assert imported.value.code == "calendar.workday_not_off"
    with pytest.raises(ServiceError) as console:
        admin.add_calendar_day(desk, desk.actor("admin"), "2027-02-23", "", workday=True)
    assert console.value.code == "calendar.workday_not_off"
    assert desk.reload_rules()[0].raw["calendar"] == before
    # a Saturday, a statutory holiday and a provisional one are days off: the desk may work them
    for day in (date(2027, 2, 20), date(2026, 10, 1), date(2027, 1, 1)):
        change(desk, partial(cal.add_day, day=day, workday=True, name=None))
    assert desk.rules.calendar.is_workday(date(2026, 10, 1))


def test_a_holiday_is_not_added_on_a_day_off(desk: DeskService) -> None:
    for day in (date(2027, 2, 21), date(2026, 10, 1)):  # a Sunday, National Day
        with pytest.raises(ServiceError) as refused:
            change(desk, partial(cal.add_day, day=day, workday=False, name=None))
        assert refused.value.code == "calendar.already_off"
    # a provisional holiday is how a year not yet published is entered, then confirmed
    change(desk, partial(cal.add_day, day=date(2027, 1, 1), workday=False, name="元旦"))
    assert desk.rules.calendar.extra_holidays == {date(2027, 1, 1)}


def test_holiday_names_are_in_the_consoles_language(desk: DeskService) -> None:
    """chinesecalendar names 2026's holidays in English, the ``holidays`` package 2027's in
    Chinese: both are worded by the catalog; the desk's own names stay as entered."""
    from deskui.i18n import Catalog

    change(desk, partial(cal.add_day, day=date(2027, 2, 20), workday=True, name="春节调休"))
    en, zh = Catalog("en"), Catalog("zh")

    def names(year: int, t: Catalog) -> dict[str, str]:
        days = cal.year_of(desk.rules.calendar, year).days
        return {d.day.isoformat(): d.name_words(t) for d in days}

    assert names(2026, zh)["2026-01-01"] == "元旦"
    assert names(2026, en)["2026-01-01"] == "New Year's Day"
    assert names(2026, zh)["2026-10-01"] == "国庆节"
    shown = names(2027, en)
    assert shown["2027-01-01"] == "New Year's Day"
    assert shown["2027-02-09"] == "Spring Festival (observed)"
    assert shown["2027-02-20"] == "春节调休"
    assert names(2027, zh)["2027-05-03"] == "劳动节（补假）"
