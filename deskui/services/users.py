"""The people who work the desk and their groups.

Who may do what is not decided here: see :mod:`deskui.core.permissions` and
:func:`deskui.services.access.require`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from deskui.core.enums import Role
from deskui.core.sanitize import sanitize_line
from deskui.services.errors import NotFound, Problem, ValidationFailed, problem
from deskui.store.models import Group, User, UserGroup


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user at the keyboard or the script's ``--as``."""

    id: int
    login: str
    name: str
    role: Role
    group_ids: frozenset[int]
    proxy_id: int | None = None
    """The admin acting for this user (``--as`` on a one-machine desk), recorded beside them."""
    proxy_login: str | None = None
    """That admin's login."""

    @property
    def is_lead(self) -> bool:
        """A duty lead or an admin."""
        return self.role in (Role.DUTY_LEAD, Role.ADMIN)


def load_actor(session: Session, login: str) -> Actor:
    """The actor with this login.

    Raises:
        NotFound: no active user has it; the message says how to add one.
    """
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None or not user.active:
        raise NotFound("user.unknown", field="user", login=login)
    assert user.id is not None
    groups = session.exec(select(UserGroup.group_id).where(UserGroup.user_id == user.id)).all()
    return Actor(user.id, user.login, user.name, Role(user.role), frozenset(groups))


def group_by_code(session: Session, code: str) -> Group:
    """The group with this code.

    Raises:
        NotFound: naming the code.
    """
    group = session.exec(select(Group).where(Group.code == code)).first()
    if group is None:
        raise NotFound("group.unknown", field="group", group=code)
    return group


def add_user(
    *,
    session: Session,
    login: str,
    name: str,
    role: str,
    groups: list[str],
    now: datetime,
    phone: str | None = None,
) -> User:
    """Add a desk user with their group memberships.

    Raises:
        ValidationFailed: bad login, name or role, or the login is taken.
        NotFound: an unknown group code.
    """
    problems: list[Problem] = []
    login = sanitize_line(login)
    name = sanitize_line(name)
    if not login or not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
        problems.append(problem("login", "field.login"))
    if not name:
        problems.append(problem("name", "field.required"))
    if role not in set(Role):
        problems.append(problem("role", "field.choice", choices=", ".join(Role)))
    if session.exec(select(User).where(User.login == login)).first() is not None:
        problems.append(problem("login", "user.taken", login=login))
    if problems:
        raise ValidationFailed(problems)
    user = User(login=login, name=name, role=role, phone=phone, created_at=now)
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in groups:
        group = group_by_code(session, code)
        assert group.id is not None  # a stored group has its id
        session.add(UserGroup(user_id=user.id, group_id=group.id))
    return user


def ensure_groups(session: Session, groups: list[dict[str, Any]]) -> None:
    """Create the configured groups that do not exist yet."""
    existing = set(session.exec(select(Group.code)).all())
    for spec in groups:
        if spec["code"] not in existing:
            session.add(
                Group(
                    code=spec["code"],
                    name_zh=spec["name_zh"],
                    name_en=spec["name_en"],
                    tier=int(spec.get("tier", 2)),
                )
            )
