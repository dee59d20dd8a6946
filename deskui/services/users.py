"""The people who work the desk and their groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from deskui.core.enums import Role
from deskui.core.sanitize import sanitize_line
from deskui.services.errors import NotFound, PermissionDenied, ValidationFailed
from deskui.store.models import Group, User, UserGroup


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user at the keyboard or the script's ``--as``."""

    id: int
    login: str
    name: str
    role: Role
    group_ids: frozenset[int]

    @property
    def is_lead(self) -> bool:
        """A duty lead or an admin."""
        return self.role in (Role.DUTY_LEAD, Role.ADMIN)

    def require(self, *roles: Role, doing: str) -> None:
        """Refuse unless the actor has one of ``roles``.

        Raises:
            PermissionDenied: naming the action and the actor's role.
        """
        if self.role not in roles:
            raise PermissionDenied(f"a {self.role} may not {doing}")


def load_actor(session: Session, login: str) -> Actor:
    """The actor with this login.

    Raises:
        NotFound: no active user has it; the message says how to add one.
    """
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None or not user.active:
        raise NotFound(
            f"no user {login!r} at this desk; add one with "
            f"`deskui user add {login} --name NAME --role agent`",
            field="user",
        )
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
        raise NotFound(f"no group {code!r}", field="group")
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
    errors: list[tuple[str, str]] = []
    login = sanitize_line(login)
    name = sanitize_line(name)
    if not login or not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
        errors.append(("login", "use letters, digits, '.', '-' or '_'"))
    if not name:
        errors.append(("name", "is required"))
    if role not in set(Role):
        errors.append(("role", f"must be one of {', '.join(Role)}"))
    if session.exec(select(User).where(User.login == login)).first() is not None:
        errors.append(("login", f"{login!r} is taken"))
    if errors:
        raise ValidationFailed(errors)
    user = User(login=login, name=name, role=role, phone=phone, created_at=now)
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in groups:
        session.add(UserGroup(user_id=user.id, group_id=group_by_code(session, code).id))
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


def require_lead(actor: Actor, doing: str) -> None:
    """Refuse unless the actor is a duty lead or admin."""
    if not actor.is_lead:
        raise PermissionDenied(f"only a duty lead may {doing}")
