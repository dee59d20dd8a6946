"""The desk's business calendar as its admin keeps it: holidays, make-up workdays, known years.

Every change here produces the whole new ``calendar`` rule file, which
:meth:`deskui.services.desk.DeskService.save_rules` validates, saves and audits like any rule
change (admins only); the consoles pick it up with the rules. The statutory data
(:mod:`deskui.core.calendar`) is never edited: the desk's entries sit on top of it and win.

A year's official schedule (published by the State Council each November) is either entered a
day at a time and then confirmed, or imported from a small TOML file::

    year = 2027
    [holidays]
    "2027-01-01" = "元旦"
    [workdays]
    "2027-02-20" = "春节调休"

An import replaces the desk's entries of that year with the file's and marks the year known.

A make-up workday (调休) falls on a day that would otherwise be off — a weekend by the working
hours, or a holiday (statutory, or provisional as the law fixes it) — wherever it comes from
(``calendar add-workday``, ``calendar import``, the console): the rule set's check
(:mod:`deskui.services.rule_check`) refuses one on a working day. A holiday is not added on a day
that is off already by the weekend or the statutory data (``calendar.already_off``); a
provisional holiday may be added, since that is how a year's schedule is entered before it is
confirmed (a confirmed year has no provisional days).
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from deskui.core.calendar import (
    HOLIDAY_NAMES,
    OBSERVED_MARK,
    BusinessCalendar,
    CalendarCoverageWarning,
    Coverage,
)
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.errors import ServiceError

#: The longest name of a calendar entry.
MAX_NAME = 40


@dataclass(frozen=True)
class CalendarDay:
    """A day that is not decided by the weekday rule alone."""

    day: date
    workday: bool
    name: str
    desk: bool
    """The desk's own entry (otherwise the statutory or provisional data's)."""

    def name_words(self, t: Catalog) -> str:
        """The day's name in the catalog's language: a statutory holiday's worded by the
        catalog (chinesecalendar names them in English, the ``holidays`` package in Chinese); the
        desk's own name as it was entered."""
        if self.desk or not self.name:
            return self.name
        worded: list[str] = []
        for part in self.name.split("; "):  # two holidays on one day
            base = part.removesuffix(OBSERVED_MARK)
            key = f"calendar.holiday.{HOLIDAY_NAMES.get(base)}"
            if base not in HOLIDAY_NAMES or not t.has(key):
                return self.name
            name = t(key)
            worded.append(t("calendar.holiday.observed", name=name) if base != part else name)
        return (
            t("calendar.holiday.both", first=worded[0], second=worded[1])
            if len(worded) == 2
            else "; ".join(worded)
        )


@dataclass(frozen=True)
class CalendarYear:
    """``deskui calendar show YEAR``: how the year is known, and its special days."""

    year: int
    coverage: Coverage
    days: tuple[CalendarDay, ...]

    def to_json(self) -> dict[str, Any]:
        """The year for ``--json``."""
        return {
            "year": self.year,
            "coverage": str(self.coverage),
            "covered": self.coverage is not Coverage.PROVISIONAL,
            "holidays": [
                {"date": d.day.isoformat(), "name": d.name, "desk": d.desk}
                for d in self.days
                if not d.workday
            ],
            "workdays": [
                {"date": d.day.isoformat(), "name": d.name, "desk": d.desk}
                for d in self.days
                if d.workday
            ],
        }


def year_of(calendar: BusinessCalendar, year: int) -> CalendarYear:
    """The year as the calendar knows it."""
    own = calendar.extra_holidays | calendar.extra_workdays
    days = tuple(
        CalendarDay(day, worked, name, day in own) for day, worked, name in calendar.days_of(year)
    )
    return CalendarYear(year, calendar.coverage(year), days)


def _local(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the rule file's ``[local]`` table, each list and table its own."""
    local = dict(raw.get("local", {}))
    local["holidays"] = [str(d) for d in local.get("holidays", [])]
    local["workdays"] = [str(d) for d in local.get("workdays", [])]
    local["names"] = {str(k): str(v) for k, v in dict(local.get("names", {})).items()}
    local["known_years"] = sorted(int(y) for y in local.get("known_years", []))
    return local


def _with_local(raw: Mapping[str, Any], local: Mapping[str, Any]) -> dict[str, Any]:
    return {**raw, "local": dict(local)}


def parse_day(text: str) -> date:
    """A date typed as ``YYYY-MM-DD``.

    Raises:
        ServiceError: anything else, naming it.
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError("calendar.date", field="date", value=sanitize_line(text)) from None


def _name(name: str | None) -> str:
    clean = sanitize_line(name or "").strip()
    if len(clean) > MAX_NAME:
        raise ServiceError("text.too_long", field="name", length=len(clean), limit=MAX_NAME)
    return clean


def worked_anyway(
    raw: Mapping[str, Any], days: Iterable[date], *, provisional: bool = True
) -> list[date]:
    """Those of ``days`` that are working days without the desk's own entries: by the working
    hours' weekdays and the statutory data (and, with ``provisional``, the provisional holidays of
    a year not yet known)."""
    wanted = sorted(set(days))
    if not wanted:
        return []
    local = {**_local(raw), "holidays": [], "workdays": [], "names": {}}
    if not provisional:
        local["known_years"] = sorted({*local["known_years"], *(d.year for d in wanted)})
    with warnings.catch_warnings():
        # a year not known is the status line's warning, not this check's
        warnings.simplefilter("ignore", CalendarCoverageWarning)
        base = BusinessCalendar.from_config(_with_local(raw, local), tz="UTC")
        return [day for day in wanted if base.is_workday(day)]


def add_day(
    raw: Mapping[str, Any], day: date, *, workday: bool, name: str | None
) -> dict[str, Any]:
    """The calendar file with ``day`` added as a holiday (or a make-up ``workday``).

    Raises:
        ServiceError: the day is already listed, as either; or a holiday on a day that is off
            already (a weekend, a statutory holiday). A make-up workday on a working day is
            refused when the file is saved (:mod:`deskui.services.rule_check`).
    """
    local = _local(raw)
    key = day.isoformat()
    for listed, kind in ((local["holidays"], "holidays"), (local["workdays"], "workdays")):
        if key in listed:
            raise ServiceError("calendar.listed", field="date", day=key, kind=kind)
    if not workday and not worked_anyway(raw, [day], provisional=False):
        raise ServiceError("calendar.already_off", field="date", day=key)
    local["workdays" if workday else "holidays"].append(key)
    local["workdays" if workday else "holidays"].sort()
    clean = _name(name)
    if clean:
        local["names"][key] = clean
    return _with_local(raw, local)


def remove_day(raw: Mapping[str, Any], day: date) -> dict[str, Any]:
    """The calendar file without the desk's entry for ``day``.

    Raises:
        ServiceError: the desk has no entry for it (statutory days are not the desk's to remove:
            a holiday the desk works is added as a workday).
    """
    local = _local(raw)
    key = day.isoformat()
    if key not in local["holidays"] and key not in local["workdays"]:
        raise ServiceError("calendar.not_listed", field="date", day=key)
    local["holidays"] = [d for d in local["holidays"] if d != key]
    local["workdays"] = [d for d in local["workdays"] if d != key]
    local["names"].pop(key, None)
    return _with_local(raw, local)


def confirm_year(raw: Mapping[str, Any], year: int) -> dict[str, Any]:
    """The calendar file with ``year`` marked known: the desk's entries are its whole schedule."""
    local = _local(raw)
    local["known_years"] = sorted({*local["known_years"], year})
    return _with_local(raw, local)


def import_year(raw: Mapping[str, Any], text: str) -> tuple[dict[str, Any], int]:
    """The calendar file with one year's official schedule from ``text`` (see the module
    docstring): the desk's entries of that year replaced, the year marked known.

    Raises:
        ServiceError: the file is not TOML, has no year, or lists a day of another year, twice,
            or with a bad date.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceError("calendar.file", field="file", reason=str(exc)) from exc
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2200:
        raise ServiceError("calendar.file", field="year", reason=f"year = {year!r}")
    local = _local(raw)
    keep = [d for d in local["holidays"] if not d.startswith(f"{year}-")]
    keep_work = [d for d in local["workdays"] if not d.startswith(f"{year}-")]
    names = {k: v for k, v in local["names"].items() if not k.startswith(f"{year}-")}
    seen: set[date] = set()
    for table, into in (("holidays", keep), ("workdays", keep_work)):
        entries = data.get(table, {})
        if not isinstance(entries, Mapping):
            raise ServiceError("calendar.file", field=table, reason=f"[{table}] is not a table")
        for key, name in entries.items():
            day = parse_day(str(key))
            if day.year != year:
                raise ServiceError("calendar.other_year", field=table, day=str(day), year=year)
            if day in seen:
                raise ServiceError("calendar.listed", field=table, day=str(day), kind=table)
            seen.add(day)
            into.append(day.isoformat())
            clean = _name(str(name))
            if clean:
                names[day.isoformat()] = clean
    local["holidays"], local["workdays"], local["names"] = sorted(keep), sorted(keep_work), names
    local["known_years"] = sorted({*local["known_years"], year})
    return _with_local(raw, local), year
