"""Shared fixtures: a desk on SQLite and, where a server is named, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.migrate import upgrade

PG_ENV = "DESKUI_TEST_POSTGRES_URL"
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (and worker), dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    name = f"deskui_t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated desk database: a SQLite file, then the PostgreSQL one."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path}/desk.db")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        _truncate(db)
    prepare_database(db)
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
    """Seat :data:`STAFF` at ``desk`` (in one transaction); the desk, for chaining."""
    now = desk.clock.now()

    def staff(session: Session) -> None:
        for login, name, role, groups in STAFF:
            add_user(session=session, login=login, name=name, role=role, groups=groups, now=now)

    desk.write(staff)
    return desk


@pytest.fixture
def desk(database: Database, clock: FrozenClock) -> DeskService:
    """A desk with staff, on each database, at a frozen time."""
    return add_staff(DeskService(database, clock))
