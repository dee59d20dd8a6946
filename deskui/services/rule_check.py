"""The one check of a rule set, whichever way it comes in.

The console's editors (:mod:`deskui.services.admin`), ``deskui rules import``, the calendar
commands and anything else that stores rules go through
:func:`deskui.services.rules.save_rule_settings`, which runs :func:`rule_problems` on the rule
set as it would be after the change: a matrix cell outside P1–P4, an SLA target that is not
``AMOUNT UNIT``, a resolution target shorter than the response target, a warning share outside
1–99 %, a working day that ends before it starts, routing to a group that does not exist. Every
problem is worded by the catalog (the editors' own codes), and nothing is saved while one is left.

Only the rule files being changed are checked (the SLA targets also when the working day
changes, since a working day's length is part of them): a file already stored is what the desk
runs on, and a change of the matrix is not refused for what some other file holds.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from deskui.core.calendar import BusinessCalendar
from deskui.core.enums import IMPACTS, URGENCIES, Category, ClockKind, Priority, TicketType
from deskui.core.sla import SlaTarget
from deskui.services import calendar as desk_calendar
from deskui.services.errors import Problem, ValidationFailed, problem

#: The units an SLA target is written in (``15 minutes``, ``3 working_days``).
SLA_UNITS = ("minutes", "hours", "business_hours", "working_days")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
#: The working day's length when the calendar's own hours are at fault.
_DEFAULT_DAY_SECONDS = 9 * 3600


def check_rule_set(
    files: Mapping[str, Mapping[str, Any]], *, changed: Collection[str], groups: Collection[str]
) -> None:
    """Refuse the rule set ``files`` (every rule file, as it would be stored) if a changed file
    holds anything the desk cannot work with.

    Args:
        files: the rule files by name (desk, matrix, sla, calendar, routing).
        changed: the names of the files being changed.
        groups: the codes of the desk's groups.

    Raises:
        ValidationFailed: every problem found.
    """
    problems = rule_problems(files, changed=changed, groups=groups)
    if problems:
        raise ValidationFailed(problems)


def rule_problems(
    files: Mapping[str, Mapping[str, Any]], *, changed: Collection[str], groups: Collection[str]
) -> list[Problem]:
    """What :func:`check_rule_set` refuses, in the files' order (none: the set is fine)."""
    problems: list[Problem] = []
    hours = _mapping(files.get("calendar", {}).get("hours", {}))
    hour_problems = hours_problems(hours)
    if "matrix" in changed:
        problems += matrix_problems(_mapping(files["matrix"].get("matrix", {})), "matrix.matrix.")
        vip = files["matrix"].get("vip_raise", True)
        if not isinstance(vip, bool):
            problems.append(problem("matrix.vip_raise", "admin.yes_no", value=str(vip)))
    if "sla" in changed or "calendar" in changed:
        day = _DEFAULT_DAY_SECONDS if hour_problems else _day_seconds(hours)
        problems += sla_problems(_mapping(files["sla"]), day)
    if "calendar" in changed:
        problems += hour_problems
        if not hour_problems:
            problems += workday_problems(files["calendar"])
    if "routing" in changed:
        problems += routing_problems(_mapping(files["routing"]), groups)
    return problems


def matrix_problems(rows: Mapping[str, Any], prefix: str = "") -> list[Problem]:
    """The ``[matrix]`` table's faults: a row of impact without a priority per urgency, a cell
    that is not P1–P4 (each named ``I1`` … after ``prefix``)."""
    problems: list[Problem] = []
    for impact in IMPACTS:
        row = rows.get(f"I{impact}")
        if not isinstance(row, list) or len(row) != len(URGENCIES):
            problems.append(problem(f"{prefix}I{impact}", "admin.matrix_row", impact=impact))
            continue
        problems += [
            problem(f"{prefix}I{impact}", "admin.priority", value=str(cell))
            for cell in row
            if cell not in set(Priority)
        ]
    return problems


def parse_target(text: str, *, working_day_seconds: int) -> SlaTarget | None:
    """An SLA target written ``AMOUNT UNIT`` (a unit of :data:`SLA_UNITS`); None if it is not."""
    parts = text.split()
    if len(parts) == 2 and parts[1] in SLA_UNITS:
        try:
            return SlaTarget.parse(" ".join(parts), working_day_seconds=working_day_seconds)
        except ValueError:
            return None
    return None


def sla_problems(sla: Mapping[str, Any], working_day_seconds: int) -> list[Problem]:
    """The SLA file's faults: a target that is missing or not ``AMOUNT UNIT``, a resolution
    target shorter than the response target, a warning share outside 1–99 %."""
    problems: list[Problem] = []
    ratio = sla.get("warning_ratio", 0.75)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0.01 <= ratio <= 0.99:
        shown = f"{ratio * 100:g}%" if isinstance(ratio, int | float) else str(ratio)
        problems.append(problem("sla.warning_ratio", "admin.warning", value=shown))
    targets = _mapping(sla.get("targets", {}))
    for priority in Priority:
        row = _mapping(targets.get(str(priority), {}))
        texts = {kind: str(row.get(kind.value, "")).strip() for kind in ClockKind}
        parsed: dict[ClockKind, SlaTarget | None] = {}
        for kind, text in texts.items():
            parsed[kind] = parse_target(text, working_day_seconds=working_day_seconds)
            if parsed[kind] is None:
                problems.append(
                    problem(f"sla.targets.{priority}.{kind}", "admin.sla_target", value=text)
                )
        response, resolution = parsed[ClockKind.RESPONSE], parsed[ClockKind.RESOLUTION]
        if response and resolution and resolution.seconds < response.seconds:
            problems.append(
                problem(
                    f"sla.targets.{priority}.resolution",
                    "admin.sla_order",
                    resolution=texts[ClockKind.RESOLUTION],
                    response=texts[ClockKind.RESPONSE],
                )
            )
    return problems


def hours_problems(hours: Mapping[str, Any]) -> list[Problem]:
    """The working day's faults (``[hours]`` of the calendar): a time that is not HH:MM, an end
    not after the start, a lunch break outside the working day, weekdays other than 1–7."""
    problems: list[Problem] = []
    start, end = str(hours.get("start", "")), str(hours.get("end", ""))
    for name, value in (("start", start), ("end", end)):
        if not _TIME.fullmatch(value):
            problems.append(problem(f"calendar.hours.{name}", "admin.time", value=value))
    lunch = hours.get("lunch")
    lunch_ok = lunch is None or (
        isinstance(lunch, list)
        and len(lunch) == 2
        and all(isinstance(p, str) and _TIME.fullmatch(p) for p in lunch)
    )
    lunch_text = "-".join(map(str, lunch)) if isinstance(lunch, list) else str(lunch)
    if not lunch_ok:
        problems.append(problem("calendar.hours.lunch", "admin.lunch", value=lunch_text))
    days = hours.get("weekdays", [1, 2, 3, 4, 5])
    if (
        not isinstance(days, list)
        or not days
        or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days)
    ):
        shown = " ".join(map(str, days)) if isinstance(days, list) else str(days)
        problems.append(problem("calendar.hours.weekdays", "admin.weekdays", value=shown))
    if not problems and end <= start:
        problems.append(problem("calendar.hours.end", "admin.hours_order", start=start, end=end))
    if not problems and isinstance(lunch, list) and not start < lunch[0] < lunch[1] < end:
        problems.append(problem("calendar.hours.lunch", "admin.lunch", value=lunch_text))
    return problems


def workday_problems(calendar: Mapping[str, Any]) -> list[Problem]:
    """The desk's make-up workdays that fall on a day worked anyway: a 调休 is a weekend day or
    a holiday that is worked."""
    try:
        days = [date.fromisoformat(str(d)) for d in calendar.get("local", {}).get("workdays", [])]
    except ValueError:
        return []  # the calendar's parser names a bad date
    return [
        problem("calendar.local.workdays", "calendar.workday_not_off", day=day.isoformat())
        for day in desk_calendar.worked_anyway(calendar, days)
    ]


def routing_problems(routing: Mapping[str, Any], groups: Collection[str]) -> list[Problem]:
    """The routing file's faults: a category or ticket type that is none, a route to a group
    that does not exist (an escalation tier may name none: ``""`` keeps the ticket's group)."""
    problems: list[Problem] = []
    tables = (("categories", "category", set(Category)), ("types", "type", set(TicketType)))
    for table, name, known in tables:
        for route, group in _mapping(routing.get(table, {})).items():
            where = f"routing.{table}.{route}"
            if route not in known:
                choices = ", ".join(sorted(known))
                problems.append(problem(where, "field.choice", choices=choices))
            elif group not in groups:
                said = problem(where, f"rules.route_{name}", **{name: route, "group": group})
                problems.append(said)
    for tier, group in _mapping(routing.get("escalation", {})).items():
        if group != "" and group not in groups:
            where = f"routing.escalation.{tier}"
            problems.append(problem(where, "rules.route_tier", tier=tier, group=group))
    return problems


def _day_seconds(hours: Mapping[str, Any]) -> int:
    """A working day's length in seconds, as the calendar counts it."""
    try:
        calendar = BusinessCalendar.from_config({"hours": hours}, tz="UTC")
    except ValueError:
        return _DEFAULT_DAY_SECONDS
    return calendar.hours.seconds_per_day


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
