"""Shared fixtures: a desk on SQLite and, where a server is named, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from deskui.core.clock import FrozenClock
from deskui.core.enums import Role
from deskui.services.desk import DeskService, prepare_database
from deskui.services.identity import os_account
from deskui.services.users import add_user
from deskui.store import pg_roles
from deskui.store.db import Database
from deskui.store.migrate import upgrade
from deskui.store.models import User

PG_ENV = "DESKUI_TEST_POSTGRES_URL"
#: A PostgreSQL cluster that asks for passwords (scram-sha-256), as ``.ci/run`` starts one.
SCRAM_ENV = "DESKUI_TEST_SCRAM_URL"
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Monday 2026-11-02 10:00 at the desk: a plain working day.
FROZEN_AT = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the developer's own database, user, language and wait settings out of every test."""
    monkeypatch.setenv("DESKUI_HOME", str(tmp_path_factory.mktemp("home")))
    for name in ("DESKUI_DATABASE_URL", "DESKUI_USER", "DESKUI_LANG", "DESKUI_TZ"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("DESKUI_DB_")]:
        monkeypatch.delenv(name)


def postgres_admin_url() -> str | None:
    """The PostgreSQL server the suite may use, if any."""
    raw = os.environ.get(PG_ENV)
    if not raw:
        return None
    return (
        raw.replace("postgresql://", "postgresql+psycopg://", 1) if "+psycopg" not in raw else raw
    )


@contextmanager
def scratch_database(admin_url: str, prefix: str = "deskui_t") -> Iterator[str]:
    """A new, migrated desk database on ``admin_url``'s server: its URL (as the same login),
    dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    db.dispose()
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (and worker), dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    with scratch_database(admin) as url:
        yield url


def _truncate(db: Database) -> None:
    """Empty every table of a PostgreSQL desk (in maintenance: the event tables refuse it)."""
    with db.engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        # the event tables refuse TRUNCATE unless the session is deliberately in maintenance
        conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


#: The databases every desk test runs on.
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def empty_database(request: pytest.FixtureRequest, folder: Path) -> Database:
    """An empty, migrated desk database of the kind ``request.param`` names: a SQLite file in
    ``folder``, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{folder}/desk.db")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        _truncate(db)
    prepare_database(db)
    return db


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated desk database: a SQLite file, then the PostgreSQL one."""
    db = empty_database(request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    """The desk's frozen clock."""
    return FrozenClock(FROZEN_AT)


STAFF = [
    ("op", "王芳", "operator", ["desk"]),
    ("agent1", "张伟", "agent", ["hardware"]),
    ("agent2", "李娜", "agent", ["hardware", "software"]),
    ("lead", "赵敏", "duty_lead", ["desk", "hardware"]),
    ("admin", "管理员", "admin", ["desk"]),
]


def add_staff(desk: DeskService) -> DeskService:
    """Seat :data:`STAFF` at ``desk`` (in one transaction); the desk, for chaining.

    The admin works from this process's OS account, so the command line's ``--as op`` is that
    admin acting for ``op`` on a SQLite desk.
    """
    now = desk.clock.now()
    account = os_account()

    def staff(session: Session) -> None:
        for login, name, role, groups in STAFF:
            add_user(
                session=session,
                login=login,
                name=name,
                role=role,
                groups=groups,
                now=now,
                os_login=account if role == "admin" else None,
            )

    desk.write(staff)
    return desk


@pytest.fixture
def desk(database: Database, clock: FrozenClock) -> DeskService:
    """A desk with staff, on each database, at a frozen time."""
    return add_staff(DeskService(database, clock))


def _psycopg_url(raw: str) -> str:
    return (
        raw.replace("postgresql://", "postgresql+psycopg://", 1) if "+psycopg" not in raw else raw
    )


@pytest.fixture(scope="session")
def scram_url() -> str:
    """A superuser URL, password included, of a cluster that authenticates with scram-sha-256.

    The machine's own server trusts every local connection, so password login is tested
    against a cluster of its own: ``.ci/run`` starts one and names it in the variable.
    """
    raw = os.environ.get(SCRAM_ENV)
    if not raw:
        pytest.skip(
            f"password login tests need {SCRAM_ENV}: a cluster with scram-sha-256 "
            "authentication (.ci/run starts one with initdb and pg_ctl)"
        )
    return _psycopg_url(raw)


def drop_roles_named(admin_url: str, prefix: str) -> None:
    """Drop every role on the cluster whose name starts with ``prefix`` (roles are
    cluster-wide: a test's login roles outlive its database unless dropped), with what they
    were granted on databases that still exist."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    pattern = prefix.replace("_", "\\_") + "%"
    try:
        with engine.connect() as conn:
            roles = conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": pattern}
            ).scalars()
            for role in list(roles):
                granted = conn.execute(
                    text(
                        "SELECT d.datname FROM pg_database d, aclexplode(d.datacl) a "
                        "WHERE a.grantee = to_regrole(quote_ident(:role))"
                    ),
                    {"role": role},
                ).scalars()
                for database in list(granted):
                    conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM "{role}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_role_prefix() -> Iterator[str]:
    """A prefix for the login roles this test session (and worker) creates; every role named
    with it is dropped at the end, on each server the suite was given."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    yield prefix
    for url in (postgres_admin_url(), os.environ.get(SCRAM_ENV)):
        if url:
            drop_roles_named(_psycopg_url(url), prefix)


@pytest.fixture
def url_as(pg_role_prefix: str) -> Callable[[DeskService, str], str]:
    """The database URL from which the command line acts as ``login`` at a desk.

    On SQLite it is the desk's own URL: its admin works from this OS account (:func:`add_staff`)
    and acts for ``login`` with ``--as``. On PostgreSQL it is the URL of ``login``'s own login
    role, made for them here (this server trusts local connections): there, ``--as`` names only
    yourself.
    """

    def url(desk: DeskService, login: str) -> str:
        if desk.db.is_sqlite:
            return desk.db.url
        role = f"{pg_role_prefix}{login}"

        def bind(session: Session) -> None:
            user = session.exec(select(User).where(User.login == login)).one()
            made = session.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).first()
            if made is None:
                pg_roles.create_login_role(session, role, Role(user.role))
            user.db_role = role
            session.add(user)

        desk.write(bind)
        parsed = make_url(desk.db.url)._replace(username=role, password=None)
        return parsed.render_as_string(hide_password=False)

    return url
