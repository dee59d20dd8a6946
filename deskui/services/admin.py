"""The administration screen's use cases: read the desk's people and rules, change them.

What is typed is read here (a matrix row, a target, a working day); a rule file is then checked
as part of the whole rule set by :mod:`deskui.services.rule_check` when it is saved — the one
check ``rules import`` and the calendar commands go through too (a matrix cell outside P1–P4, a
resolution target shorter than the response target, a working day that ends before it starts, a
route to a group that does not exist). People are checked here (a group without members, a
lead who is not a member). Everything is saved through the audited services every other way in
uses: the rule files through
:meth:`~deskui.services.desk.DeskService.save_rule_files` and
:meth:`~deskui.services.desk.DeskService.change_calendar`, the people through
:mod:`deskui.services.staff` and :mod:`deskui.services.groups`. A change of a user or a group
together with what goes with it (the group they lead; a group's members and lead) is one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from deskui.core.calendar import Coverage
from deskui.core.enums import IMPACTS, ClockKind, Priority
from deskui.core.priority import PriorityMatrix
from deskui.core.rule_preview import PriorityFacts
from deskui.core.sla_words import UNITS, read_target
from deskui.i18n import LANGUAGES, Catalog
from deskui.services import calendar as desk_calendar
from deskui.services import groups as desk_groups
from deskui.services import rule_check, skills, staff
from deskui.services.desk import DeskService
from deskui.services.errors import Problem, ValidationFailed, problem, word_target
from deskui.services.groups import GroupView
from deskui.services.identity import Basis, Identity
from deskui.services.users import Actor, UserView, group_by_code
from deskui.services.users import view_of as users_view_of
from deskui.store.models import Group, Ticket, User


@dataclass(frozen=True)
class AdminData:
    """Everything the administration screen shows, read at once.

    Attributes:
        users: every user, active or not.
        groups: every group with its lead and members.
        rules: the rule files as stored (matrix, sla, calendar, routing …).
        open_tickets: what the matrix preview needs of each open ticket.
        year: the calendar year shown.
        calendar: that year's special days and how the year is known.
        warn_year: the year the status line warns about (not entered yet), if any.
        skills: the skill matrix.
    """

    users: tuple[UserView, ...]
    groups: tuple[GroupView, ...]
    rules: Mapping[str, Mapping[str, Any]]
    open_tickets: tuple[PriorityFacts, ...]
    year: int
    calendar: desk_calendar.CalendarYear
    warn_year: int | None
    skills: Mapping[str, Mapping[str, int]]
    """Each user's skills (category → level), by login."""

    def led_group(self, login: str) -> str | None:
        """The code of the group ``login`` leads, if any."""
        return next((g.code for g in self.groups if g.lead == login), None)


def console_identity(actor: Actor, *, sqlite: bool) -> Identity:
    """The person at a console, as the user and group services take them (the console has
    already established who it is)."""
    return Identity(actor, Basis.OS_ACCOUNT if sqlite else Basis.DATABASE_ROLE, actor.login)


def _open_facts(session: Session) -> tuple[PriorityFacts, ...]:
    rows = session.execute(
        sa_select(
            col(Ticket.impact),
            col(Ticket.urgency),
            col(Ticket.vip),
            col(Ticket.priority),
            col(Ticket.override_reason),
        ).where(col(Ticket.is_open))
    )
    return tuple(
        PriorityFacts(int(i), int(u), bool(v), Priority(p), o is not None) for i, u, v, p, o in rows
    )


def read_admin(desk: DeskService, year: int) -> AdminData:
    """Read the users, groups, rules and open tickets for the screen (call from a worker)."""
    rules, _changed = desk.reload_rules()
    users = desk.users()
    groups = desk.group_views()
    facts = desk.read(_open_facts)
    today = desk.clock.now().astimezone(rules.tz).date()
    return AdminData(
        tuple(users),
        tuple(groups),
        rules.raw,
        facts,
        year,
        desk_calendar.year_of(rules.calendar, year),
        rules.calendar.year_to_enter(today),
        skills.matrix(desk),
    )


# the priority matrix ------------------------------------------------------------------------
def parse_matrix(rows: Mapping[int, str]) -> PriorityMatrix:
    """The matrix typed as one line per impact (``P1 P1 P2 P3``).

    Raises:
        ValidationFailed: a row without four cells, or a cell that is not P1–P4.
    """
    table = {f"I{i}": rows.get(i, "").upper().replace(",", " ").split() for i in IMPACTS}
    problems = rule_check.matrix_problems(table)
    if problems:
        raise ValidationFailed(problems)
    return PriorityMatrix.from_config(table)


#: A yes or a no as people type it (a form's field, a spreadsheet's VIP column).
YES = frozenset({"yes", "y", "true", "1", "是", "vip", "√", "✓"})
NO = frozenset({"no", "n", "false", "0", "否", ""})


def yes_no(text: str, field_name: str) -> bool:
    """A yes or a no, typed in either language.

    Raises:
        ValidationFailed: neither.
    """
    answer = text.strip().casefold()
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise ValidationFailed([problem(field_name, "admin.yes_no", value=text.strip())])


def whole(text: str, field_name: str) -> int:
    """A whole number as typed.

    Raises:
        ValidationFailed: not one.
    """
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationFailed(
            [problem(field_name, "field.whole_number", value=text.strip())]
        ) from None


def matrix_of(values: Mapping[str, str]) -> tuple[PriorityMatrix, bool]:
    """The matrix and the VIP raise as the form holds them (``I1`` … ``I3``, ``vip``).

    Raises:
        ValidationFailed: a bad row or cell, or a VIP answer that is neither yes nor no.
    """
    matrix = parse_matrix({i: values.get(f"I{i}", "") for i in IMPACTS})
    return matrix, yes_no(values.get("vip", ""), "vip")


def save_matrix(
    desk: DeskService, actor: Actor, matrix: PriorityMatrix, *, vip_raise: bool
) -> None:
    """Save the priority matrix and the VIP raise (admins; on the audit trail)."""
    current = dict(desk.rules.raw["matrix"])
    value = {**current, "vip_raise": vip_raise, "matrix": matrix.to_config()}
    desk.save_rule_files(actor, {"matrix": value}, note="admin: matrix")


# SLA targets --------------------------------------------------------------------------------
def target_text(stored: str, t: Catalog) -> str:
    """A stored SLA target in the words of ``t``'s language (``3 个工作日``, ``1 hour``)."""
    return word_target(stored, t)


def _unit_words() -> dict[str, list[str]]:
    """Every word, in each language, singular and plural, that names each unit."""
    catalogs = [Catalog(lang) for lang in LANGUAGES]
    return {
        unit: [t(f"admin.unit.{unit}", count=n) for t in catalogs for n in (1, 2)] for unit in UNITS
    }


def parse_target(text: str, field_name: str, problems: list[Problem]) -> str | None:
    """An SLA target as typed (``4 小时``, ``2 working days``, ``15 minutes``) in its stored
    form; adds a problem and returns None when it is not a target."""
    stored = read_target(text, _unit_words())
    if stored is None:
        problems.append(problem(field_name, "admin.sla_target", value=text.strip()))
    return stored


def save_sla_targets(
    desk: DeskService, actor: Actor, priority: Priority, targets: Mapping[ClockKind, str]
) -> None:
    """Save one priority's three targets (checked with the rest of the rules on saving).

    Raises:
        ValidationFailed: a target that is not ``AMOUNT UNIT``, or a resolution target shorter
            than the response target.
    """
    problems: list[Problem] = []
    stored = {kind: parse_target(targets[kind], str(kind), problems) for kind in ClockKind}
    if problems:
        raise ValidationFailed(problems)
    sla = dict(desk.rules.raw["sla"])
    all_targets = {str(k): dict(v) for k, v in dict(sla.get("targets", {})).items()}
    all_targets[str(priority)] = {str(k): str(stored[k]) for k in ClockKind}
    desk.save_rule_files(
        actor, {"sla": {**sla, "targets": all_targets}}, note=f"admin: sla {priority}"
    )


def save_warning(desk: DeskService, actor: Actor, percent: str) -> None:
    """Save the share of a target at which a clock warns, as a whole percentage (1–99).

    Raises:
        ValidationFailed: not a whole number from 1 to 99.
    """
    text = percent.strip().rstrip("%").strip()
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise ValidationFailed([problem("warning", "admin.warning", value=percent.strip())])
    sla = dict(desk.rules.raw["sla"])
    desk.save_rule_files(
        actor, {"sla": {**sla, "warning_ratio": int(text) / 100}}, note="admin: sla warning"
    )


# the business calendar ----------------------------------------------------------------------
@dataclass(frozen=True)
class WorkingHours:
    """The working day as typed: ``09:00``, ``18:00``, a lunch ``12:00-13:00`` or empty, and
    weekdays ``1 2 3 4 5`` (Monday is 1)."""

    start: str
    end: str
    lunch: str
    weekdays: str


def _hours_value(hours: WorkingHours) -> dict[str, Any]:
    """The ``[hours]`` table of the typed working day (checked with the rest of the rules on
    saving: :func:`deskui.services.rule_check.hours_problems`)."""
    lunch_text = hours.lunch.strip()
    days = hours.weekdays.replace(",", " ").split()
    value: dict[str, Any] = {
        "start": hours.start.strip(),
        "end": hours.end.strip(),
        # typed days that are no numbers stay as typed, for the check to name them
        "weekdays": sorted({int(d) for d in days}) if all(d.isdigit() for d in days) else days,
    }
    if lunch_text:
        value["lunch"] = [part.strip() for part in lunch_text.split("-")]
    return value


def save_hours(desk: DeskService, actor: Actor, hours: WorkingHours) -> None:
    """Save the working day (validated first; see :class:`WorkingHours`)."""
    value = _hours_value(hours)

    def change(raw: dict[str, Any]) -> dict[str, Any]:
        return {**raw, "hours": value}

    desk.change_calendar(actor, change, note="admin: working hours")


def add_calendar_day(
    desk: DeskService, actor: Actor, day_text: str, name: str, *, workday: bool
) -> date:
    """Add a holiday (or a make-up ``workday``) to the desk's calendar; returns the day.

    Raises:
        ServiceError: not a date, or the day is listed already.
    """
    day = desk_calendar.parse_day(day_text)
    note = "admin: add workday" if workday else "admin: add holiday"
    desk.change_calendar(
        actor, lambda raw: desk_calendar.add_day(raw, day, workday=workday, name=name), note
    )
    return day


def remove_calendar_day(desk: DeskService, actor: Actor, day: date) -> None:
    """Remove the desk's own entry for ``day``."""
    desk.change_calendar(
        actor, lambda raw: desk_calendar.remove_day(raw, day), note="admin: remove day"
    )


def confirm_calendar_year(desk: DeskService, actor: Actor, year: int) -> None:
    """Mark ``year`` known: the desk's entries are its whole official schedule."""
    desk.change_calendar(
        actor, lambda raw: desk_calendar.confirm_year(raw, year), note=f"admin: confirm {year}"
    )


def year_is_covered(data: AdminData) -> bool:
    """The shown year's holidays are known (official data or the desk's confirmation)."""
    return data.calendar.coverage is not Coverage.PROVISIONAL


# routing ------------------------------------------------------------------------------------
def save_route(desk: DeskService, actor: Actor, category: str, group: str) -> None:
    """Route ``category`` to ``group`` (an existing group's code).

    Raises:
        ValidationFailed: no such category or group.
    """
    code = group.strip().casefold()
    routing = dict(desk.rules.raw["routing"])
    categories = {**dict(routing.get("categories", {})), category: code}
    desk.save_rule_files(
        actor, {"routing": {**routing, "categories": categories}}, note=f"admin: route {category}"
    )


# people -------------------------------------------------------------------------------------
def codes(text: str) -> list[str]:
    """Codes or logins typed as a list (``hardware, network`` or ``hardware network``)."""
    return [part.strip().casefold() for part in text.replace(",", " ").split() if part.strip()]


def _lead_group(
    session: Session, who: Identity, login: str, led: str | None, now: datetime
) -> None:
    """Make ``login`` the lead of group ``led`` (and of no other); ``led`` None or empty: none."""
    current = session.exec(
        select(Group).join(User, col(User.id) == col(Group.lead_id)).where(User.login == login)
    ).all()
    wanted = (led or "").strip().casefold() or None
    for group in current:
        if group.code != wanted:
            desk_groups.edit_group(
                session=session, code=group.code, now=now, actor=who.actor, lead="-"
            )
    if wanted is not None and wanted not in {g.code for g in current}:
        desk_groups.edit_group(session=session, code=wanted, now=now, actor=who.actor, lead=login)


def edit_user(
    desk: DeskService,
    who: Identity,
    login: str,
    *,
    name: str,
    role: str,
    groups: Sequence[str],
    leads: str | None,
    skill_text: str | None = None,
) -> UserView:
    """Change a user's name, role and groups, the group they lead and their skills
    (``hardware=3 network=2``), in one transaction."""
    wanted = skills.parse_skills(skill_text) if skill_text is not None else None

    def run(session: Session) -> UserView:
        view = staff.edit(
            session,
            who,
            sqlite=desk.db.is_sqlite,
            login=login,
            now=desk.clock.now(),
            name=name,
            role=role,
            groups=list(groups),
        )
        _lead_group(session, who, view.login, leads, desk.clock.now())
        if wanted is not None:
            skills.set_skills(
                session=session,
                login=view.login,
                skills=wanted,
                now=desk.clock.now(),
                actor=who.actor,
            )
        return view

    return desk.write(run)


def edit_group(
    desk: DeskService,
    who: Identity,
    code: str,
    *,
    name_zh: str,
    name_en: str,
    tier: int,
    lead: str,
    members: Sequence[str],
) -> GroupView:
    """Change a group's names, tier, members and lead, in one transaction.

    Raises:
        ValidationFailed: no members, a lead who is not among them, a bad name or tier.
        NotFound: a member or lead who is no user.
    """

    def run(session: Session) -> GroupView:
        staff.guard_admin(session, who)
        wanted = list(dict.fromkeys(members))
        if not wanted:
            raise ValidationFailed([problem("members", "admin.no_members", group=code)])
        known = set(session.exec(select(User.login)).all())
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise ValidationFailed(
                [problem("members", "admin.unknown_user", login=login) for login in unknown]
            )
        group_by_code(session, code)
        now = desk.clock.now()
        for user in session.exec(select(User).order_by(col(User.login))).all():
            groups = set(users_view_of(session, user).groups)
            has = code in groups
            if (user.login in wanted) != has:
                groups ^= {code}
                staff.edit(
                    session,
                    who,
                    sqlite=desk.db.is_sqlite,
                    login=user.login,
                    now=now,
                    groups=sorted(groups),
                )
        return desk_groups.edit_group(
            session=session,
            code=code,
            now=now,
            actor=who.actor,
            name_zh=name_zh,
            name_en=name_en,
            tier=tier,
            lead=lead.strip() or "-",
        )

    return desk.write(run)
