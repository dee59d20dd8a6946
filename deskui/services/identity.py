"""Who is at the console: established from an authority, never taken from a flag.

* A shared desk (PostgreSQL): the person is the role the console logged in as
  (``session_user``), which PostgreSQL authenticated (scram-sha-256, a client certificate, LDAP…
  whatever the server's ``pg_hba.conf`` says). Each desk user maps to one login role
  (``desk_user.db_role``). ``--as`` is refused unless it names that same user. A superuser or the
  database's owner is the installation: it migrates the schema and adds the first admin, and
  acts as nobody at the desk.
* One machine (SQLite): the person is the operating-system account running deskui, bound to a
  desk user (``desk_user.os_login``). ``--as X`` is accepted for X's own account, or from an admin
  acting for X — then both are recorded (the actor and ``proxy_id``). A new desk's first user
  needs no identity: it is the admin, bound to the account that adds it.
* The demo desk (``deskui seed --demo``, the first run of the embedded default): ``--as`` picks
  any demo user, nobody named means the demo operator, and the status line says "demo desk".

What the one-machine mode protects is honest users sharing a machine from acting as each other
by mistake or by a flag; whoever can write the database file can write anything in it, which
``deskui audit verify`` then detects. The README says so.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from deskui.core.enums import Role
from deskui.core.logins import normalize_login
from deskui.services.audit import append_setting_event
from deskui.services.errors import IdentityRefused, NotFound
from deskui.services.users import Actor, load_actor
from deskui.store import pg_roles
from deskui.store.models import DeskSetting, User

#: The ``desk_setting`` key that marks a demo desk.
DEMO_KEY = "demo"


class Basis(StrEnum):
    """How the person at the console was established."""

    DEMO = "demo"
    """A demo desk: ``--as`` picked a demo user, or nobody named means the demo operator."""
    OS_ACCOUNT = "os_account"
    """One machine: the operating-system account bound to the desk user."""
    ADMIN_FOR = "admin_for"
    """One machine: an admin (bound to the account) acting for another user; both recorded."""
    DATABASE_ROLE = "database_role"
    """A shared desk: the PostgreSQL role the session logged in as."""
    INSTALLATION = "installation"
    """A shared desk's superuser or owner: migrates and adds the first admin, nothing else."""
    NEW_DESK = "new_desk"
    """One machine, no users yet: the account that adds the first admin becomes that admin."""


@dataclass(frozen=True)
class Identity:
    """Who is at the console and how that was established.

    Attributes:
        actor: the desk user acting (None for the installation or a desk without users).
        basis: how it was established.
        account: the operating-system account (one machine) or the database role (shared desk).
        demo: the desk is a demo desk.
    """

    actor: Actor | None
    basis: Basis
    account: str
    demo: bool = False

    def person(self) -> Actor:
        """The desk user acting.

        Raises:
            IdentityRefused: nobody at the desk is (the installation, or a desk without users).
        """
        if self.actor is None:
            raise IdentityRefused("identity.nobody", account=self.account)
        return self.actor

    def to_json(self) -> dict[str, object]:
        """What ``deskui whoami --json`` prints."""
        actor = self.actor
        return {
            "login": actor.login if actor else None,
            "name": actor.name if actor else None,
            "role": str(actor.role) if actor else None,
            "groups": sorted(actor.group_codes) if actor else [],
            "established_by": str(self.basis),
            "account": self.account,
            "acting_admin": actor.proxy_login if actor else None,
            "demo": self.demo,
        }


def os_account() -> str:
    """The operating-system account running this process (from the process's user id, not from
    ``$USER``, which anyone can set)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        # Windows has no pwd; an account missing from the password database has a name there
        return getpass.getuser()


def is_demo_desk(session: Session) -> bool:
    """The desk was filled by ``deskui seed --demo``."""
    return session.get(DeskSetting, DEMO_KEY) is not None


def mark_demo_desk(session: Session, now: datetime) -> None:
    """Mark the desk as a demo desk (``seed --demo`` on an empty desk), on the settings' record:
    a desk turned into a demo desk later (where ``--as`` picks anyone) shows in its history."""
    value = json.dumps({"demo": True})
    session.add(DeskSetting(key=DEMO_KEY, value=value, updated_at=now))
    append_setting_event(
        session, key=DEMO_KEY, old=None, new=value, actor_id=None, now=now, note="seed --demo"
    )


def has_users(session: Session) -> bool:
    """Anyone has been added to the desk."""
    return session.exec(select(User.id).limit(1)).first() is not None


def active_admins(session: Session) -> int:
    """How many active admins the desk has."""
    count = session.exec(
        select(func.count()).where(col(User.role) == str(Role.ADMIN), col(User.active))
    ).one()
    return int(count)


def _bound_user(session: Session, column: str, value: str) -> Actor | None:
    user = session.exec(select(User).where(getattr(User, column) == value)).first()
    if user is None:
        return None
    if not user.active:
        raise IdentityRefused("identity.disabled", login=user.login)
    return load_actor(session, user.login)


def _for_asked(session: Session, asked: str) -> Actor:
    return load_actor(session, normalize_login(asked))


def establish(
    session: Session,
    *,
    sqlite: bool,
    asked: str | None,
    account: str,
    demo_login: str | None = None,
) -> Identity:
    """Who is at the console, by the rules of the module docstring.

    Args:
        session: a read session on the desk.
        sqlite: a one-machine desk (otherwise the shared PostgreSQL desk).
        asked: ``--as`` / ``DESKUI_USER``, if given.
        account: the operating-system account (ignored on PostgreSQL, which says who it is).
        demo_login: who a demo desk seats when nobody is named (the console's demo operator).

    Raises:
        IdentityRefused: ``--as`` names someone else and the person may not act for them; the
            account or role is not a desk user; the user is disabled.
        NotFound: ``--as`` names nobody at the desk.
    """
    if not sqlite:
        return _shared_desk(session, asked)
    demo = is_demo_desk(session)
    if demo:
        mine = _bound_user(session, "os_login", account)
        if asked:
            return Identity(_for_asked(session, asked), Basis.DEMO, account, demo=True)
        if mine is not None:
            return Identity(mine, Basis.OS_ACCOUNT, account, demo=True)
        if demo_login is not None:
            return Identity(load_actor(session, demo_login), Basis.DEMO, account, demo=True)
        raise IdentityRefused("identity.demo_who", account=account)
    if not has_users(session):
        return Identity(None, Basis.NEW_DESK, account)
    mine = _bound_user(session, "os_login", account)
    if mine is None:
        raise IdentityRefused("identity.unbound", account=account)
    if asked and normalize_login(asked) != mine.login:
        if mine.role != Role.ADMIN:
            raise IdentityRefused("identity.not_you", login=normalize_login(asked), account=account)
        other = _for_asked(session, asked)
        acting = replace(other, proxy_id=mine.id, proxy_login=mine.login)
        return Identity(acting, Basis.ADMIN_FOR, account)
    return Identity(mine, Basis.OS_ACCOUNT, account)


def _shared_desk(session: Session, asked: str | None) -> Identity:
    connected = pg_roles.session_identity(session)
    role, installation = connected.session_user, connected.privileged
    mine = _bound_user(session, "db_role", role)
    if mine is None:
        if installation:
            if asked:
                raise IdentityRefused(
                    "identity.installation_as", login=normalize_login(asked), account=role
                )
            return Identity(None, Basis.INSTALLATION, role)
        raise IdentityRefused("identity.unknown_role", account=role)
    if asked and normalize_login(asked) != mine.login:
        raise IdentityRefused("identity.shared_as", login=normalize_login(asked), account=role)
    return Identity(mine, Basis.DATABASE_ROLE, role)


def find_user(session: Session, login: str) -> User:
    """The user with this login (normalised), active or not.

    Raises:
        NotFound: no such user.
    """
    user = session.exec(select(User).where(User.login == normalize_login(login))).first()
    if user is None:
        raise NotFound("user.unknown", field="login", login=normalize_login(login))
    return user
