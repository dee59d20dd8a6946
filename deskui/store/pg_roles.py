"""The desk's PostgreSQL roles: who is connected, and the login roles an admin manages.

Migration 0005 makes four NOLOGIN group roles, one per desk role (:data:`GROUP_ROLES`), with the
least grants each needs, and four SECURITY DEFINER functions owned by the installing owner,
executable by ``deskui_admin`` only. The functions below call them, so a desk admin creates,
regroups, disables and re-passwords desk users without holding CREATEROLE, and can never touch
a role that is not one of this desk's login roles (a superuser, the owner, a role with powers,
another desk's user).

A password never travels: :func:`set_password` computes its SCRAM-SHA-256 verifier in the
client (libpq's ``PQencryptPasswordConn``) and sends only that, as a bound parameter.

Login role names are cluster-wide; a desk may prefix them (:func:`role_prefix`, from
``DESKUI_PG_ROLE_PREFIX``) so that two desks on one cluster never collide.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from deskui.core.enums import Role

#: Desk role → the PostgreSQL group role its users are members of.
GROUP_ROLES: Mapping[Role, str] = {
    Role.OPERATOR: "deskui_operator",
    Role.AGENT: "deskui_agent",
    Role.DUTY_LEAD: "deskui_lead",
    Role.ADMIN: "deskui_admin",
}
#: Group role → desk role.
DESK_ROLES: Mapping[str, Role] = {group: role for role, group in GROUP_ROLES.items()}

#: Where a desk names the prefix of its login roles.
PREFIX_ENV = "DESKUI_PG_ROLE_PREFIX"

#: A login role a desk may manage: lower-case ASCII, starting with a letter, at most 63 bytes
#: (PostgreSQL would silently cut a longer name). The functions check the same.
ROLE_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,62}")
_PREFIX = re.compile(r"[a-z][a-z0-9_.-]{0,30}")

#: SQLSTATEs the functions raise.
NOT_DESK_ROLE = "DK001"
_INVALID_PARAMETER = "22023"
_DUPLICATE_OBJECT = "42710"
_UNDEFINED_OBJECT = "42704"
_INSUFFICIENT_PRIVILEGE = "42501"
#: libpq's codes for a refused login.
INVALID_PASSWORD = "28P01"
INVALID_AUTHORIZATION = "28000"


class RoleError(Exception):
    """A login role could not be managed; ``role`` names it."""

    def __init__(self, message: str, *, role: str = "") -> None:
        super().__init__(message)
        self.role = role


class InvalidRoleName(RoleError, ValueError):
    """The name is not one a desk login role may have (or the group is not a desk's)."""


class RoleExists(RoleError):
    """A role of that name exists already somewhere on the cluster."""


class RoleNotFound(RoleError):
    """No role of that name."""


class NotDeskRole(RoleError):
    """The role is not a login role of this desk (a superuser, the owner, a role with powers,
    a member of other roles, or another desk's): the functions refuse to touch it."""


class RoleChangeDenied(RoleError):
    """The connected role may not manage login roles (not ``deskui_admin``)."""


class SessionIdentity(NamedTuple):
    """Who PostgreSQL says is connected.

    Attributes:
        session_user: the role the connection logged in as.
        privileged: a superuser, or a member of the database's or the desk tables' owner: the
            installation's path (``db upgrade``, the first admin), not a desk user.
        group_roles: the desk group roles the login role is a member of (none for a superuser,
            who is privileged instead).
    """

    session_user: str
    privileged: bool
    group_roles: frozenset[str]

    @property
    def desk_roles(self) -> frozenset[Role]:
        """The desk roles of :attr:`group_roles`."""
        return frozenset(DESK_ROLES[g] for g in self.group_roles if g in DESK_ROLES)


class LoginFailure(StrEnum):
    """Why the server did not let a console in, as far as a login screen cares."""

    NEEDS_PASSWORD = "needs_password"
    """The server asks for a password and none was given: ask for one."""
    WRONG_PASSWORD = "wrong_password"
    """A password was given and refused (or the role does not exist: the server does not say)."""


def role_prefix() -> str:
    """The prefix of this desk's login roles (``DESKUI_PG_ROLE_PREFIX``; empty by default).

    Raises:
        InvalidRoleName: the prefix is not lower-case letters, digits, ``_ . -`` starting with a
            letter, at most 31 characters.
    """
    prefix = os.environ.get(PREFIX_ENV, "")
    if prefix and not _PREFIX.fullmatch(prefix):
        raise InvalidRoleName(f"{PREFIX_ENV}={prefix!r} is not a role name prefix", role=prefix)
    return prefix


def db_role_name(login: str, prefix: str | None = None) -> str:
    """The login role for a desk login: ``prefix`` (default :func:`role_prefix`) + login.

    Raises:
        InvalidRoleName: the result is not a name a desk login role may have (see
            :data:`ROLE_NAME`), or would be a group role or a ``pg_`` name.
    """
    name = (role_prefix() if prefix is None else prefix) + login
    check_role_name(name)
    return name


def check_role_name(name: str) -> None:
    """Refuse a name a desk login role may not have (what the functions refuse too).

    Raises:
        InvalidRoleName: naming it.
    """
    if not ROLE_NAME.fullmatch(name) or name.startswith("pg_") or name in DESK_ROLES:
        raise InvalidRoleName(f"{name!r} is not a role name a desk user may have", role=name)


def group_role(role: Role | str) -> str:
    """The group role of a desk role.

    Raises:
        InvalidRoleName: not a desk role.
    """
    try:
        return GROUP_ROLES[Role(role)]
    except ValueError as exc:
        raise InvalidRoleName(f"{role!r} is not a desk role", role=str(role)) from exc


def _connection(bind: Session | Connection) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def session_identity(bind: Session | Connection) -> SessionIdentity:
    """Who is connected, as PostgreSQL says (``session_user``, not a ``SET ROLE``).

    Args:
        bind: a session or connection on the desk's PostgreSQL database.

    Raises:
        ValueError: not a PostgreSQL connection (on SQLite the person is the OS account).
    """
    connection = _connection(bind)
    if connection.dialect.name != "postgresql":
        raise ValueError("a database role is who is connected on PostgreSQL only")
    row = connection.execute(
        text(
            """
                SELECT r.rolname,
                       r.rolsuper
                       OR pg_has_role(r.oid, d.datdba, 'MEMBER')
                       OR COALESCE(pg_has_role(r.oid, t.relowner, 'MEMBER'), false),
                       ARRAY(
                           SELECT g.rolname FROM pg_roles g
                           WHERE g.rolname = ANY (:groups) AND NOT r.rolsuper
                           AND pg_has_role(r.oid, g.oid, 'MEMBER')
                           ORDER BY g.rolname
                       )
                FROM pg_roles r
                JOIN pg_database d ON d.datname = current_database()
                LEFT JOIN pg_class t ON t.oid = to_regclass('alembic_version')
                WHERE r.rolname = session_user
                """
        ),
        {"groups": list(DESK_ROLES)},
    ).one()
    return SessionIdentity(str(row[0]), bool(row[1]), frozenset(str(g) for g in row[2]))


def _call(bind: Session | Connection, sql: str, role: str, params: dict[str, object]) -> None:
    """Run one of the functions; its refusals become :class:`RoleError`\\ s by SQLSTATE."""
    try:
        _connection(bind).execute(text(sql), {"role": role, **params})
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None)
        kind: type[RoleError] | None = {
            NOT_DESK_ROLE: NotDeskRole,
            _INVALID_PARAMETER: InvalidRoleName,
            _DUPLICATE_OBJECT: RoleExists,
            _UNDEFINED_OBJECT: RoleNotFound,
            _INSUFFICIENT_PRIVILEGE: RoleChangeDenied,
        }.get(code or "")
        if kind is None:
            raise
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise kind(detail, role=role) from exc


def create_login_role(bind: Session | Connection, role: str, group: Role | str) -> None:
    """Create the login role ``role`` (LOGIN, no powers, no password yet) as a member of the
    group role of ``group``, allowed to connect to this desk's database.

    Runs in the caller's transaction (with the desk user's row, so both or neither exist).

    Raises:
        InvalidRoleName: a name a desk user may not have, or not a desk role.
        RoleExists: the name is taken on the cluster (another desk's user: use a prefix).
        RoleChangeDenied: the connected role is not ``deskui_admin`` (nor the owner).
    """
    check_role_name(role)
    _call(
        bind,
        "SELECT deskui_create_login_role(:role, :group)",
        role,
        {"group": group_role(group)},
    )


def set_group(bind: Session | Connection, role: str, group: Role | str) -> None:
    """Make ``role`` a member of ``group``'s group role, and of no other desk group role.

    Raises:
        NotDeskRole: not a login role of this desk.
        RoleNotFound: no such role.
        RoleChangeDenied: the connected role is not ``deskui_admin`` (nor the owner).
    """
    _call(bind, "SELECT deskui_set_group_role(:role, :group)", role, {"group": group_role(group)})


def set_login(bind: Session | Connection, role: str, enabled: bool) -> None:
    """Let ``role`` log in, or not (``deskui user disable``). Sessions already open stay open
    until they end; the desk refuses a disabled user's actions itself.

    Raises:
        NotDeskRole: not a login role of this desk.
        RoleNotFound: no such role.
        RoleChangeDenied: the connected role is not ``deskui_admin`` (nor the owner).
    """
    _call(bind, "SELECT deskui_set_login(:role, :enabled)", role, {"enabled": bool(enabled)})


def scram_verifier(bind: Session | Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password``, computed here, in the client (a random salt
    each time): what the server stores instead of the password."""
    driver = _connection(bind).connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("a SCRAM verifier is computed on a psycopg connection")
    verifier = driver.pgconn.encrypt_password(
        password.encode("utf-8"), role.encode("utf-8"), b"scram-sha-256"
    )
    return verifier.decode("ascii")


def set_password(bind: Session | Connection, role: str, password: str) -> None:
    """Set ``role``'s password: only its SCRAM verifier is sent (a bound parameter), so the
    password appears in no SQL text, server log or statistics.

    Raises:
        ValueError: an empty password.
        NotDeskRole: not a login role of this desk.
        RoleNotFound: no such role.
        RoleChangeDenied: the connected role is not ``deskui_admin`` (nor the owner).
    """
    if not password:
        raise ValueError("an empty password")
    verifier = scram_verifier(bind, role, password)
    _call(bind, "SELECT deskui_set_password(:role, :verifier)", role, {"verifier": verifier})


#: What a SCRAM verifier is made of (quoted into ``ALTER ROLE``, which takes no parameters).
_VERIFIER = re.compile(r"SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")


def set_own_password(bind: Session | Connection, role: str, password: str) -> None:
    """Set the connected role's own password (any role may): its SCRAM verifier only.

    Raises:
        ValueError: an empty password, or ``role`` is not the connected role.
    """
    if not password:
        raise ValueError("an empty password")
    connection = _connection(bind)
    if connection.execute(text("SELECT session_user")).scalar_one() != role:
        raise ValueError(f"{role!r} is not the connected role")
    verifier = scram_verifier(bind, role, password)
    if not _VERIFIER.fullmatch(verifier):  # base64 and '$:': nothing that could end a literal
        raise ValueError("not a SCRAM-SHA-256 verifier")
    connection.exec_driver_sql(f"ALTER ROLE CURRENT_USER PASSWORD '{verifier}'")


def login_failure(error: BaseException) -> LoginFailure | None:
    """Whether a failed connection wants a password (ask for one) or refused the one given
    (ask again); None for anything else (a server down, a database missing …).

    Read from the SQLSTATE where the driver gives one (28P01 invalid password; 28000 after a
    password was sent) and from libpq's own flag for "fe_sendauth: no password supplied"
    (``PQconnectionNeedsPassword``). psycopg gives no SQLSTATE for a connection refused during
    authentication (libpq keeps it to itself), so there the server's report of a failed password
    authentication is recognised from its words: an English-speaking server's
    "password authentication failed for user" (LDAP's, RADIUS's and PAM's read the same). A
    server set to another ``lc_messages`` gives None there, and the login screen shows the
    server's own words instead. 28000 also covers a role that may not log in (NOLOGIN): where
    a driver does give the code, a disabled user with a password reads as a wrong password.

    Args:
        error: what connecting raised: psycopg's error, or SQLAlchemy's wrapping of it.
    """
    cause: BaseException | None = error
    if isinstance(error, DBAPIError):
        cause = error.orig
    if not isinstance(cause, psycopg.Error):
        return None
    code = cause.sqlstate
    pgconn = cause.pgconn
    if pgconn is not None and pgconn.needs_password:
        return LoginFailure.NEEDS_PASSWORD
    if code == INVALID_PASSWORD:
        return LoginFailure.WRONG_PASSWORD
    used_password = pgconn is not None and pgconn.used_password
    if code == INVALID_AUTHORIZATION and used_password:
        return LoginFailure.WRONG_PASSWORD
    if code is None and isinstance(cause, psycopg.OperationalError):
        message = str(cause)
        if "fe_sendauth: no password supplied" in message:
            return LoginFailure.NEEDS_PASSWORD
        # "password authentication failed for user", and LDAP's, RADIUS's, PAM's the same way
        if used_password and "authentication failed for user" in message:
            return LoginFailure.WRONG_PASSWORD
    return None
