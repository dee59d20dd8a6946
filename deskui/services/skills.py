"""The skill matrix (agent × category, level 1–5) and whom to give a ticket to.

Admins keep the matrix (``deskui user skills``, the administration's user form); each change of a
user's skills is one entry of the settings' audit trail (key :data:`SKILLS_KEY`) with the whole
of their skills before and after, so ``deskui audit verify`` names skills changed by hand.

:func:`suggest_assignee` is what a dispatcher or a lead asks when a ticket is to be assigned:
among the active handlers of the ticket's group who are skilled in its category, the one with
the least open work (then the higher level, then the login), with every candidate and why —
their level and how many open tickets they hold. The console's assign dialog and
``deskui ticket suggest`` both call it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from deskui.core.enums import Category
from deskui.core.logins import normalize_login
from deskui.core.permissions import HANDLERS
from deskui.services import staff
from deskui.services.desk import DeskService
from deskui.services.errors import NotFound, Problem, ValidationFailed, problem
from deskui.services.identity import Identity
from deskui.services.users import Actor, record_change
from deskui.store.models import AgentSkill, Group, SettingEvent, Ticket, User, UserGroup

#: The settings-trail key of skill changes.
SKILLS_KEY = "skills"
LEVELS = range(1, 6)


def skills_of(session: Session, user_id: int) -> dict[str, int]:
    """One user's skills: category → level."""
    rows = session.exec(select(AgentSkill).where(AgentSkill.user_id == user_id))
    return {row.category: row.level for row in sorted(rows, key=lambda r: r.category)}


def skill_matrix(session: Session) -> dict[str, dict[str, int]]:
    """Every user's skills, by login (users without any are left out)."""
    rows = session.exec(
        select(User.login, AgentSkill.category, AgentSkill.level)
        .join(AgentSkill, col(AgentSkill.user_id) == col(User.id))
        .order_by(col(User.login), col(AgentSkill.category))
    )
    matrix: dict[str, dict[str, int]] = {}
    for login, category, level in rows:
        matrix.setdefault(login, {})[category] = level
    return matrix


def parse_skills(text: str) -> dict[str, int]:
    """Skills typed as ``hardware=3 network=2`` (the administration's field).

    Raises:
        ValidationFailed: a part that is not CATEGORY=LEVEL, an unknown category, a level
            outside 1–5.
    """
    problems: list[Problem] = []
    skills: dict[str, int] = {}
    for part in text.replace(",", " ").split():
        category, _, level = part.partition("=")
        _check(category.strip().casefold(), level.strip(), problems, skills)
    if problems:
        raise ValidationFailed(problems)
    return skills


def _check(category: str, level: str, problems: list[Problem], into: dict[str, int]) -> None:
    if category not in set(Category):
        problems.append(
            problem("skills", "skill.category", value=category, choices=", ".join(Category))
        )
    elif not level.isdigit() or int(level) not in LEVELS:
        problems.append(problem("skills", "field.whole_range", value=level, low=1, high=5))
    else:
        into[category] = int(level)


def parse_assignments(assignments: Sequence[str]) -> dict[str, int]:
    """``--set CATEGORY=LEVEL`` values (see :func:`parse_skills`)."""
    return parse_skills(" ".join(assignments))


def set_skills(
    *,
    session: Session,
    login: str,
    skills: Mapping[str, int] | None = None,
    changes: Mapping[str, int] | None = None,
    clear: Sequence[str] = (),
    now: datetime,
    actor: Actor | None,
) -> dict[str, int]:
    """Replace a user's skills (``skills``), or change some (``changes``) and drop others
    (``clear``); recorded with the before and after. Callers check the person is an admin.

    Raises:
        NotFound: no such user.
        ValidationFailed: an unknown category to clear.
    """
    user = session.exec(select(User).where(User.login == normalize_login(login))).first()
    if user is None or user.id is None:
        raise NotFound("user.unknown", field="login", login=normalize_login(login))
    unknown = [c for c in clear if c not in set(Category)]
    if unknown:
        raise ValidationFailed(
            [
                problem("clear", "skill.category", value=c, choices=", ".join(Category))
                for c in unknown
            ]
        )
    before = skills_of(session, user.id)
    after = dict(skills) if skills is not None else dict(before)
    after.update(changes or {})
    for category in clear:
        after.pop(category, None)
    if after == before:
        return before
    for row in session.exec(select(AgentSkill).where(AgentSkill.user_id == user.id)):
        if row.category not in after:
            session.delete(row)
        elif row.level != after[row.category]:
            row.level = after[row.category]
            session.add(row)
    for category, level in after.items():
        if category not in before:
            session.add(AgentSkill(user_id=user.id, category=category, level=level))
    session.flush()
    record_change(
        session,
        key=SKILLS_KEY,
        before={"login": user.login, "skills": before},
        after={"login": user.login, "skills": dict(sorted(after.items()))},
        actor=actor,
        now=now,
        note="skills",
    )
    return dict(sorted(after.items()))


def recorded_skills(session: Session) -> dict[str, dict[str, int]]:
    """Each user's skills as the audit trail last recorded them (for ``audit verify``)."""
    recorded: dict[str, dict[str, int]] = {}
    events = session.exec(
        select(SettingEvent.new_value)
        .where(SettingEvent.key == SKILLS_KEY)
        .order_by(col(SettingEvent.id))
    )
    for value in events:
        record = json.loads(value)
        recorded[str(record["login"])] = {str(k): int(v) for k, v in record["skills"].items()}
    return {login: skills for login, skills in recorded.items() if skills}


@dataclass(frozen=True)
class Candidate:
    """Someone who could take the ticket, and why.

    Attributes:
        login: their login.
        name: their name.
        level: their level in the ticket's category (1–5).
        open_count: how many open tickets they hold now.
    """

    login: str
    name: str
    level: int
    open_count: int

    def to_json(self) -> dict[str, Any]:
        """The candidate for ``--json``."""
        return {
            "login": self.login,
            "name": self.name,
            "level": self.level,
            "open": self.open_count,
        }


@dataclass(frozen=True)
class Suggestion:
    """Whom to give a ticket of ``category`` in ``group`` to.

    Attributes:
        category: the ticket's category.
        group: the group's code (None: any group).
        candidates: every skilled, active handler of the group, best first.
    """

    category: str
    group: str | None
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        """The suggested assignee: the skilled one with the least open work."""
        return self.candidates[0] if self.candidates else None

    def to_json(self) -> dict[str, Any]:
        """The suggestion for ``--json``."""
        best = self.best
        return {
            "category": self.category,
            "group": self.group,
            "suggested": best.to_json() if best else None,
            "candidates": [c.to_json() for c in self.candidates],
        }


def suggest_assignee(session: Session, *, category: str, group: str | None) -> Suggestion:
    """The skilled agent of ``group`` with the least open work for a ticket of ``category``.

    Candidates are active agents, duty leads and admins who belong to the group (any group when
    ``group`` is None) and have a level in the category; best first by open tickets held
    (fewest), then level (highest), then login.
    """
    query = (
        select(User.login, User.name, AgentSkill.level, User.id)
        .join(AgentSkill, col(AgentSkill.user_id) == col(User.id))
        .where(AgentSkill.category == category, col(User.active))
        .where(col(User.role).in_([str(r) for r in HANDLERS]))
    )
    if group is not None:
        query = (
            query.join(UserGroup, col(UserGroup.user_id) == col(User.id))
            .join(Group, col(Group.id) == col(UserGroup.group_id))
            .where(Group.code == group)
        )
    rows = list(session.exec(query))
    ids = [user_id for *_rest, user_id in rows]
    counts: dict[int, int] = {}
    if ids:
        held = session.exec(
            select(Ticket.assignee_id, func.count())
            .where(col(Ticket.is_open), col(Ticket.assignee_id).in_(ids))
            .group_by(col(Ticket.assignee_id))
        )
        counts = {int(a): int(n) for a, n in held if a is not None}
    candidates = sorted(
        (
            Candidate(login, name, level, counts.get(uid or 0, 0))
            for login, name, level, uid in rows
        ),
        key=lambda c: (c.open_count, -c.level, c.login),
    )
    return Suggestion(category, group, tuple(candidates))


def suggest_for_ticket(session: Session, number: str) -> Suggestion:
    """:func:`suggest_assignee` for a ticket's category and group.

    Raises:
        NotFound: no such ticket.
    """
    ticket = session.exec(select(Ticket).where(Ticket.number == number.strip())).first()
    if ticket is None:
        raise NotFound("ticket.unknown", field="number", number=number.strip())
    group = session.get(Group, ticket.group_id) if ticket.group_id is not None else None
    return suggest_assignee(session, category=ticket.category, group=group.code if group else None)


# the desk's front door for these use cases ---------------------------------------------------
def suggest(desk: DeskService, number: str) -> Suggestion:
    """Whom to give ticket ``number`` to (its category and group), and why (a read)."""
    return desk.read(lambda s: suggest_for_ticket(s, number))


def suggest_for(desk: DeskService, *, category: str, group: str | None) -> Suggestion:
    """Whom to give a ticket of ``category`` in ``group`` to (a read; the intake's dispatch)."""
    return desk.read(lambda s: suggest_assignee(s, category=category, group=group))


def matrix(desk: DeskService) -> dict[str, dict[str, int]]:
    """Every user's skills, by login (a read)."""
    return desk.read(skill_matrix)


def change_skills(
    desk: DeskService,
    who: Identity,
    login: str,
    *,
    skills: Mapping[str, int] | None = None,
    changes: Mapping[str, int] | None = None,
    clear: Sequence[str] = (),
) -> dict[str, int]:
    """An admin replaces or changes a user's skills (see :func:`set_skills`); audited."""
    now = desk.clock.now()

    def run(session: Session) -> dict[str, int]:
        staff.guard_admin(session, who)
        return set_skills(
            session=session,
            login=login,
            skills=skills,
            changes=changes,
            clear=clear,
            now=now,
            actor=who.actor,
        )

    return desk.write(run)
