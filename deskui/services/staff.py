"""Managing the desk's users: who may add, change and disable them, and the accounts bound.

Admins manage users. Two moments have no admin yet, and each may add exactly the first one:

* a new one-machine desk (no users at all): the operating-system account that adds the admin
  is bound to them;
* a shared desk's installation (its superuser or owner, before any admin exists).

On a shared desk each user is also a PostgreSQL login role (``db_role``): adding a user creates
the role and grants it its desk role's group; changing the role changes the group; disabling
the user takes the role's LOGIN away. Those statements run in the same transaction as the
desk's own record, so a refused one leaves neither.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import Role
from deskui.core.logins import normalize_login
from deskui.core.permissions import Action
from deskui.services.access import require
from deskui.services.errors import IdentityRefused, ServiceError, ValidationFailed, problem
from deskui.services.identity import Basis, Identity, active_admins, find_user, has_users
from deskui.services.users import (
    UserView,
    add_user,
    edit_user,
    set_active,
    view_of,
)
from deskui.store import pg_roles


@contextmanager
def _login_roles() -> Iterator[None]:
    """The server's refusals to manage a login role, as the services' errors."""
    try:
        yield
    except pg_roles.InvalidRoleName as exc:
        raise ValidationFailed([problem("db_role", "field.db_role", role=exc.role)]) from exc
    except pg_roles.RoleExists as exc:
        raise ValidationFailed([problem("db_role", "user.role_taken", role=exc.role)]) from exc
    except pg_roles.RoleError as exc:
        # not a login role of this desk, gone, or the connected role may not manage roles
        raise ServiceError("user.role_refused", field="db_role", role=exc.role) from exc


def _guard(session: Session, who: Identity, *, role: str | None) -> None:
    """Refuse unless ``who`` may manage users now (adding one of ``role``).

    Raises:
        IdentityRefused: not an admin, or the installation or a new desk adding anything but
            the first admin.
    """
    if who.basis is Basis.NEW_DESK:
        if has_users(session):
            # another process added the first user since this one looked
            raise IdentityRefused("identity.unbound", account=who.account)
        if role != Role.ADMIN:
            raise ServiceError("user.first_admin", field="role")
        return
    if who.basis is Basis.INSTALLATION:
        if active_admins(session) > 0:
            raise IdentityRefused("identity.installation", account=who.account)
        if role != Role.ADMIN:
            raise ServiceError("user.first_admin", field="role")
        return
    require(who.person(), Action.MANAGE_USERS)


def guard_admin(session: Session, who: Identity) -> None:
    """Refuse unless ``who`` is an admin (the desk's groups and users are theirs to change).

    Raises:
        PermissionDenied: not an admin (or nobody at the desk).
    """
    if who.basis in (Basis.NEW_DESK, Basis.INSTALLATION):
        raise IdentityRefused("identity.nobody", account=who.account)
    require(who.person(), Action.MANAGE_USERS)


def add(
    session: Session,
    who: Identity,
    *,
    sqlite: bool,
    login: str,
    name: str,
    role: str,
    groups: Sequence[str],
    now: datetime,
    os_login: str | None = None,
    db_role: str | None = None,
) -> UserView:
    """Add a user (see the module docstring for who may).

    On one machine the user is bound to ``os_login`` (default: the same login; the first admin:
    the account adding them). On a shared desk their login role is ``db_role`` (default: the
    desk's prefix and the login), created here.
    """
    _guard(session, who, role=role)
    if sqlite:
        if who.basis is Basis.NEW_DESK and os_login is None:
            os_login = who.account
        if os_login is None:
            os_login = normalize_login(login)
        db_role = None
    else:
        os_login = None
        with _login_roles():
            db_role = db_role or pg_roles.db_role_name(normalize_login(login))
    user = add_user(
        session=session,
        login=login,
        name=name,
        role=role,
        groups=groups,
        now=now,
        os_login=os_login,
        db_role=db_role,
        actor=who.actor,
    )
    if not sqlite and user.db_role:
        with _login_roles():
            pg_roles.create_login_role(session, user.db_role, Role(user.role))
    return view_of(session, user)


def edit(
    session: Session,
    who: Identity,
    *,
    sqlite: bool,
    login: str,
    now: datetime,
    name: str | None = None,
    role: str | None = None,
    groups: Sequence[str] | None = None,
    os_login: str | None = None,
) -> UserView:
    """Change a user's name, role, groups or (one machine) OS account; admins only.

    Raises:
        ServiceError: the change would leave the desk without an active admin.
    """
    _guard(session, who, role=None)
    user = find_user(session, login)
    if role is not None and user.role == Role.ADMIN and role != Role.ADMIN and user.active:
        _keep_an_admin(session)
    if os_login is not None and not sqlite:
        raise ServiceError("user.os_login_shared", field="os_login")
    user = edit_user(
        session=session,
        login=login,
        now=now,
        actor=who.actor,
        name=name,
        role=role,
        groups=groups,
        os_login=os_login,
    )
    if not sqlite and role is not None and user.db_role:
        with _login_roles():
            pg_roles.set_group(session, user.db_role, Role(user.role))
    return view_of(session, user)


def set_enabled(
    session: Session, who: Identity, *, sqlite: bool, login: str, enabled: bool, now: datetime
) -> UserView:
    """Disable a user (or enable them again); admins only. Nobody disables themselves, or the
    desk's last active admin."""
    _guard(session, who, role=None)
    user = find_user(session, login)
    if not enabled:
        if who.actor is not None and who.actor.login == user.login:
            raise ServiceError("user.disable_self", field="login")
        if user.role == Role.ADMIN and user.active:
            _keep_an_admin(session)
    user = set_active(session=session, login=login, active=enabled, now=now, actor=who.actor)
    if not sqlite and user.db_role:
        with _login_roles():
            pg_roles.set_login(session, user.db_role, enabled=enabled)
    return view_of(session, user)


def set_password(session: Session, who: Identity, *, login: str, password: str) -> UserView:
    """Set a shared desk user's password: their own, or anyone's for an admin; the installation
    sets an admin's (the first admin's first password). Only the password's SCRAM verifier,
    computed here, reaches the server.

    Raises:
        ServiceError: the user has no login role (a one-machine desk); the password is empty.
    """
    user = find_user(session, login)
    own = who.actor is not None and who.actor.login == user.login
    if who.basis is Basis.INSTALLATION:
        # the installation gives the admins it added their first password, and nobody else one
        if user.role != Role.ADMIN:
            raise IdentityRefused("identity.installation", account=who.account)
    elif not own:
        _guard(session, who, role=None)
    if not user.db_role:
        raise ServiceError("user.no_db_role", field="login", login=user.login)
    if not password:
        raise ServiceError("field.required", field="password")
    with _login_roles():
        if own and who.actor is not None and who.actor.role != Role.ADMIN:
            # every role may change its own password; only admins run the desk's functions
            pg_roles.set_own_password(session, user.db_role, password)
        else:
            pg_roles.set_password(session, user.db_role, password)
    return view_of(session, user)


def _keep_an_admin(session: Session) -> None:
    if active_admins(session) <= 1:
        raise ServiceError("user.last_admin", field="role")
