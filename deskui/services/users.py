"""The people who work the desk and their groups.

Who may do what is not decided here: see :mod:`deskui.core.permissions` and
:func:`deskui.services.access.require`; who is at the console, :mod:`deskui.services.identity`.

Users are never deleted (the history keeps their names): they are disabled. Every addition and
change is recorded in the settings' audit trail (key :data:`USERS_KEY`), with who made it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from deskui.core.enums import Role
from deskui.core.logins import confusable_with, is_valid_login, normalize_login
from deskui.core.sanitize import sanitize_line
from deskui.services.audit import append_setting_event
from deskui.services.errors import NotFound, Problem, ValidationFailed, problem
from deskui.store.models import Group, User, UserGroup, column_length

#: The settings-trail key of user additions and changes.
USERS_KEY = "users"


@dataclass(frozen=True)
class Actor:
    """Who is acting: the desk user at the console (see :mod:`deskui.services.identity`)."""

    id: int
    login: str
    name: str
    role: Role
    group_ids: frozenset[int]
    proxy_id: int | None = None
    """The admin acting for this user (``--as`` on a one-machine desk), recorded beside them."""
    proxy_login: str | None = None
    """That admin's login."""
    group_codes: frozenset[str] = field(default_factory=frozenset)
    """The codes of the user's groups."""

    @property
    def is_lead(self) -> bool:
        """A duty lead or an admin."""
        return self.role in (Role.DUTY_LEAD, Role.ADMIN)


@dataclass(frozen=True)
class UserView:
    """A desk user as ``deskui user list`` and the administration show them."""

    login: str
    name: str
    role: Role
    groups: tuple[str, ...]
    active: bool
    os_login: str | None
    db_role: str | None

    def to_json(self) -> dict[str, Any]:
        """The user for ``--json``."""
        return {
            "login": self.login,
            "name": self.name,
            "role": str(self.role),
            "groups": list(self.groups),
            "active": self.active,
            "os_login": self.os_login,
            "db_role": self.db_role,
        }


def _group_codes(session: Session, user_id: int) -> list[str]:
    rows = session.exec(
        select(Group.code)
        .join(UserGroup, col(UserGroup.group_id) == col(Group.id))
        .where(UserGroup.user_id == user_id)
        .order_by(col(Group.code))
    )
    return list(rows)


def load_actor(session: Session, login: str) -> Actor:
    """The active user with this login (normalised).

    Raises:
        NotFound: no active user has it; the message says how to add one.
    """
    login = normalize_login(login)
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None or not user.active:
        raise NotFound("user.unknown", field="user", login=login)
    assert user.id is not None
    groups = session.exec(select(UserGroup.group_id).where(UserGroup.user_id == user.id)).all()
    codes = _group_codes(session, user.id)
    return Actor(
        user.id,
        user.login,
        user.name,
        Role(user.role),
        frozenset(groups),
        group_codes=frozenset(codes),
    )


def view_of(session: Session, user: User) -> UserView:
    """The user as shown."""
    assert user.id is not None
    return UserView(
        user.login,
        user.name,
        Role(user.role),
        tuple(_group_codes(session, user.id)),
        user.active,
        user.os_login,
        user.db_role,
    )


def list_users(session: Session) -> list[UserView]:
    """Every user, active or not, by login."""
    return [view_of(session, u) for u in session.exec(select(User).order_by(col(User.login)))]


def group_by_code(session: Session, code: str) -> Group:
    """The group with this code.

    Raises:
        NotFound: naming the code.
    """
    group = session.exec(select(Group).where(Group.code == code)).first()
    if group is None:
        raise NotFound("group.unknown", field="group", group=code)
    return group


def check_login(session: Session, raw: str, problems: list[Problem], *, field_name: str) -> str:
    """``raw`` as a new login: normalised, well formed, free, and no look-alike of another's.

    Adds to ``problems`` what is wrong; returns the normalised login.
    """
    login = normalize_login(sanitize_line(raw))
    existing = list(session.exec(select(User.login)))
    twin = confusable_with(login, existing)
    if login in existing:
        problems.append(problem(field_name, "user.taken", login=login))
    elif twin is not None:
        # said before the spelling: a look-alike of a real login is the refusal that matters
        problems.append(problem(field_name, "user.confusable", login=login, existing=twin))
    elif not is_valid_login(login):
        problems.append(problem(field_name, "field.login"))
    return login


def _check_account(
    session: Session, column: str, value: str | None, problems: list[Problem], user_id: int | None
) -> str | None:
    """An OS account or database role to bind: well formed and bound to nobody else."""
    if value is None:
        return None
    value = sanitize_line(value).strip()
    if not value or len(value) > 63:
        problems.append(problem(column, "field.account"))
        return value
    other = session.exec(select(User).where(getattr(User, column) == value)).first()
    if other is not None and other.id != user_id:
        problems.append(problem(column, "user.account_taken", account=value, login=other.login))
    return value


def _set_groups(session: Session, user_id: int, codes: Sequence[str]) -> None:
    """Make the user's memberships exactly these groups."""
    wanted = {code: group_by_code(session, code) for code in dict.fromkeys(codes)}
    for link in session.exec(select(UserGroup).where(UserGroup.user_id == user_id)):
        session.delete(link)
    session.flush()
    for group in wanted.values():
        assert group.id is not None  # a stored group has its id
        session.add(UserGroup(user_id=user_id, group_id=group.id))


def record_change(
    session: Session,
    *,
    key: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    actor: Actor | None,
    now: datetime,
    note: str,
) -> None:
    """One entry of the settings' audit trail for a record's addition or change (a user, a
    group): its JSON before and after, who made it and the admin acting for them."""
    append_setting_event(
        session,
        key=key,
        old=json.dumps(dict(before), ensure_ascii=False) if before is not None else None,
        new=json.dumps(dict(after), ensure_ascii=False),
        actor_id=actor.id if actor else None,
        proxy_id=actor.proxy_id if actor else None,
        now=now,
        note=note,
    )


def _record(
    session: Session,
    *,
    before: UserView | None,
    after: UserView,
    actor: Actor | None,
    now: datetime,
    note: str,
) -> None:
    """One entry of the settings' audit trail for a user's addition or change."""
    record_change(
        session,
        key=USERS_KEY,
        before=before.to_json() if before else None,
        after=after.to_json(),
        actor=actor,
        now=now,
        note=note,
    )


def _checked_name(raw: str, problems: list[Problem]) -> str:
    """A user's name as stored: one clean line, not empty, no longer than its column."""
    name = sanitize_line(raw).strip()
    limit = column_length(User, "name")
    if not name:
        problems.append(problem("name", "field.required"))
    elif len(name) > limit:
        problems.append(problem("name", "text.too_long", length=len(name), limit=limit))
    return name


def add_user(
    *,
    session: Session,
    login: str,
    name: str,
    role: str,
    groups: Sequence[str],
    now: datetime,
    phone: str | None = None,
    os_login: str | None = None,
    db_role: str | None = None,
    actor: Actor | None = None,
) -> User:
    """Add a desk user with their group memberships; recorded with who added them.

    Raises:
        ValidationFailed: bad login, name or role; the login is taken or looks like one that is;
            the OS account or database role is bound to someone else.
        NotFound: an unknown group code.
    """
    problems: list[Problem] = []
    login = check_login(session, login, problems, field_name="login")
    name = _checked_name(name, problems)
    if role not in set(Role):
        problems.append(problem("role", "field.choice", choices=", ".join(Role)))
    os_login = _check_account(session, "os_login", os_login, problems, None)
    db_role = _check_account(session, "db_role", db_role, problems, None)
    if problems:
        raise ValidationFailed(problems)
    user = User(
        login=login,
        name=name,
        role=role,
        phone=phone,
        created_at=now,
        os_login=os_login,
        db_role=db_role,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    _set_groups(session, user.id, groups)
    session.flush()
    _record(session, before=None, after=view_of(session, user), actor=actor, now=now, note="add")
    return user


def edit_user(
    *,
    session: Session,
    login: str,
    now: datetime,
    actor: Actor | None,
    name: str | None = None,
    role: str | None = None,
    groups: Sequence[str] | None = None,
    os_login: str | None = None,
) -> User:
    """Change a user's name, role, groups or OS account; recorded with the before and after.

    Raises:
        NotFound: no such user, or an unknown group code.
        ValidationFailed: an empty name, an unknown role, an account bound to someone else.
    """
    user = session.exec(select(User).where(User.login == normalize_login(login))).first()
    if user is None:
        raise NotFound("user.unknown", field="login", login=normalize_login(login))
    assert user.id is not None
    before = view_of(session, user)
    problems: list[Problem] = []
    if name is not None:
        name = _checked_name(name, problems)
    if role is not None and role not in set(Role):
        problems.append(problem("role", "field.choice", choices=", ".join(Role)))
    os_login = _check_account(session, "os_login", os_login, problems, user.id)
    if problems:
        raise ValidationFailed(problems)
    if name is not None:
        user.name = name
    if role is not None:
        user.role = role
    if os_login is not None:
        user.os_login = os_login
    session.add(user)
    if groups is not None:
        _set_groups(session, user.id, groups)
    session.flush()
    after = view_of(session, user)
    _record(session, before=before, after=after, actor=actor, now=now, note="edit")
    return user


def set_active(
    *, session: Session, login: str, active: bool, now: datetime, actor: Actor | None
) -> User:
    """Disable (or enable again) a user; recorded. A disabled user can no longer act.

    Raises:
        NotFound: no such user.
    """
    user = session.exec(select(User).where(User.login == normalize_login(login))).first()
    if user is None:
        raise NotFound("user.unknown", field="login", login=normalize_login(login))
    before = view_of(session, user)
    user.active = active
    session.add(user)
    session.flush()
    note = "enable" if active else "disable"
    _record(session, before=before, after=view_of(session, user), actor=actor, now=now, note=note)
    return user
