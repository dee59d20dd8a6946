"""The desk's PostgreSQL roles: each group role does its work through the services and is
refused by the database when it tries more directly; admins manage login roles only through the
security-definer functions, which never touch a role that is not this desk's."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlmodel import Session

import deskui.store
from deskui.core.clock import FrozenClock
from deskui.core.enums import Role, Status
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.users import add_user
from deskui.services.verify import verify_record
from deskui.store import pg_roles
from deskui.store.db import Database
from deskui.store.feed import Changed, PostgresFeed
from deskui.store.migrate import alembic_config, current_revision, head_revision, upgrade
from deskui.store.pg_roles import (
    GROUP_ROLES,
    InvalidRoleName,
    NotDeskRole,
    RoleChangeDenied,
    RoleExists,
    create_login_role,
    session_identity,
    set_group,
    set_login,
    set_password,
)
from tests.conftest import _truncate, add_staff, scratch_database
from tests.services.test_intake import call
from tests.store.test_feed import watching

pytestmark = pytest.mark.postgres

INSUFFICIENT_PRIVILEGE = "42501"
#: desk login → desk role, seated in the database by ``add_staff``
SEATED = {"op": Role.OPERATOR, "agent1": Role.AGENT, "lead": Role.DUTY_LEAD, "admin": Role.ADMIN}


def as_role(url: str, role: str) -> str:
    """The desk's URL, logging in as ``role`` (this server trusts local connections)."""
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """One connection, its transaction rolled back at the end."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def login_roles(postgres_url: str, pg_role_prefix: str) -> dict[str, str]:
    """A login role for each seated desk user, made by the installation's owner."""
    roles = {login: f"{pg_role_prefix}{login}" for login in SEATED}
    with connected(postgres_url) as conn:
        for login, role in SEATED.items():
            existing = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": roles[login]}
            ).first()
            if existing is None:
                create_login_role(conn, roles[login], role)
        conn.commit()
    return roles


@pytest.fixture
def owner_desk(postgres_url: str, clock: FrozenClock) -> Iterator[DeskService]:
    """The desk as its owner sees it: emptied, rules and groups in, staff seated."""
    db = Database(postgres_url)
    _truncate(db)
    prepare_database(db)
    desk = add_staff(DeskService(db, clock))
    yield desk
    db.dispose()


@pytest.fixture
def desk_as(
    owner_desk: DeskService, postgres_url: str, login_roles: dict[str, str], clock: FrozenClock
) -> Iterator[dict[str, DeskService]]:
    """A desk service per seated user, each connected as that user's login role."""
    desks = {
        login: DeskService(Database(as_role(postgres_url, role)), clock)
        for login, role in login_roles.items()
    }
    yield desks
    for desk in desks.values():
        desk.db.dispose()


def refused(conn: Connection, sql: str) -> str | None:
    """The SQLSTATE with which the server refuses ``sql`` (None if it ran); rolls back."""
    try:
        conn.execute(text(sql))
    except DBAPIError as exc:
        conn.rollback()
        return getattr(exc.orig, "sqlstate", None)
    conn.rollback()
    return None


# the group roles --------------------------------------------------------------------------------
def test_group_roles_exist_without_login_or_powers(owner_desk: DeskService) -> None:
    with owner_desk.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT rolname, rolcanlogin OR rolsuper OR rolcreaterole OR rolcreatedb "
                "OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = ANY(:g)"
            ),
            {"g": list(GROUP_ROLES.values())},
        ).all()
    assert dict(rows) == dict.fromkeys(GROUP_ROLES.values(), False)


def test_each_login_role_is_seen_as_its_desk_role(
    desk_as: dict[str, DeskService], login_roles: dict[str, str]
) -> None:
    for login, role in SEATED.items():
        identity = desk_as[login].read(session_identity)
        assert identity == (login_roles[login], False, frozenset({GROUP_ROLES[role]}))
        assert identity.desk_roles == {role}


def test_the_owner_is_privileged_and_in_no_group(owner_desk: DeskService) -> None:
    identity = owner_desk.read(session_identity)
    assert identity.session_user == "postgres"
    assert identity.privileged and identity.group_roles == frozenset()


# each role does its work through the services ------------------------------------------------
def test_an_operator_logs_a_call_from_a_new_caller(desk_as: dict[str, DeskService]) -> None:
    desk = desk_as["op"]
    prepare_database(desk.db)  # what a console does at start: reads, writes nothing
    ticket = desk.create_ticket(desk.actor("op"), call())
    assert ticket.number.startswith("IT") and ticket.events


def test_an_agent_claims_and_logs_work(
    owner_desk: DeskService, desk_as: dict[str, DeskService]
) -> None:
    number = desk_as["op"].create_ticket(desk_as["op"].actor("op"), call()).number
    agent = desk_as["agent1"]
    me = agent.actor("agent1")
    assert agent.claim(me, number).status == Status.IN_PROGRESS
    worked = agent.worklog(me, number, "重启交换机", progress=True)
    assert worked.events[-1].note == "重启交换机"
    # and an agent logs a back-filled IM report, adding its caller to the directory
    im = call(channel="im", requester=RequesterInput(name="李四", phone="139-0013-9000"))
    assert agent.create_ticket(me, im).number


def test_a_lead_takes_over_and_an_admin_saves_rules(
    owner_desk: DeskService, desk_as: dict[str, DeskService]
) -> None:
    number = owner_desk.create_ticket(owner_desk.actor("op"), call()).number
    desk_as["agent1"].claim(desk_as["agent1"].actor("agent1"), number)
    lead = desk_as["lead"]
    assert lead.claim(lead.actor("lead"), number, takeover=True).assignee == "lead"
    admin = desk_as["admin"]
    matrix = dict(admin.rules.raw["matrix"])
    matrix["vip_raise"] = False
    admin.save_rules(admin.actor("admin"), "matrix", matrix, "VIP 不再提级")
    assert admin.reload_rules()[0].vip_raise is False


def test_an_admin_adds_a_desk_user_with_a_login_role(
    owner_desk: DeskService,
    desk_as: dict[str, DeskService],
    pg_role_prefix: str,
    postgres_url: str,
) -> None:
    admin = desk_as["admin"]
    role = f"{pg_role_prefix}wangwu"

    def add(session: Session) -> None:
        add_user(
            session=session,
            login="wangwu",
            name="王五",
            role="agent",
            groups=["hardware"],
            now=owner_desk.clock.now(),
        )
        create_login_role(session, role, Role.AGENT)
        set_password(session, role, "王五的密码")

    admin.write(add)
    with connected(as_role(postgres_url, role)) as conn:
        assert session_identity(conn).group_roles == {"deskui_agent"}
    with pytest.raises(RoleExists):
        admin.write(lambda session: create_login_role(session, role, Role.AGENT))


# what the database refuses ----------------------------------------------------------------------
NOBODY = [
    "UPDATE ticket_event SET note = 'rewritten'",
    "DELETE FROM ticket_event",
    "UPDATE setting_event SET note = 'rewritten'",
    "DELETE FROM setting_event",
    "DELETE FROM ticket",
    "DELETE FROM requester",
    "TRUNCATE ticket_event",
    "DELETE FROM desk_user",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE TABLE evil (id int)",
    "CREATE TEMPORARY TABLE evil (id int)",
    "DROP TABLE ticket_event",
    "ALTER TABLE ticket_event DISABLE TRIGGER ALL",
    "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "SELECT deskui_desk_login_role('postgres')",
]
#: Refused to everyone but the admin.
ADMIN_ONLY = [
    "UPDATE desk_setting SET value = '{}'",
    "INSERT INTO setting_event (key, at, new_value) VALUES ('matrix', now(), '{}')",
    "UPDATE desk_user SET role = 'admin'",
    "INSERT INTO desk_user (login, name, role, active, created_at) "
    "VALUES ('mallory', 'M', 'admin', true, now())",
    "INSERT INTO user_group (user_id, group_id) VALUES (1, 1)",
    "UPDATE support_group SET tier = 1",
    "SELECT deskui_create_login_role('mallory', 'deskui_admin')",
    "SELECT deskui_set_group_role('postgres', 'deskui_admin')",
    "SELECT deskui_set_login('postgres', false)",
    "SELECT deskui_set_password('postgres', 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5')",
]


@pytest.mark.parametrize("login", list(SEATED))
def test_no_desk_role_rewrites_history_or_changes_the_schema(
    owner_desk: DeskService, login_roles: dict[str, str], postgres_url: str, login: str
) -> None:
    owner_desk.create_ticket(owner_desk.actor("op"), call())  # rows to refuse changing
    with connected(as_role(postgres_url, login_roles[login])) as conn:
        refusals = {sql: refused(conn, sql) for sql in NOBODY}
    assert refusals == dict.fromkeys(NOBODY, INSUFFICIENT_PRIVILEGE)


def committed(conn: Connection, sql: str, **params: object) -> str | None:
    """The SQLSTATE with which the server refuses ``sql`` or its commit (None if both ran)."""
    try:
        conn.execute(text(sql), params)
        conn.commit()
    except DBAPIError as exc:
        conn.rollback()
        return getattr(exc.orig, "sqlstate", None)
    return None


@pytest.mark.parametrize("login", list(SEATED))
def test_no_desk_role_forges_facts_inserts_bare_events_or_lowers_the_counter(
    owner_desk: DeskService, login_roles: dict[str, str], postgres_url: str, login: str
) -> None:
    """Report facts are written only with a change of their ticket; an event only as the next
    link of its ticket's chain; the day's counter only upwards — whatever the role, and even
    with the maintenance setting, which is the owner's alone."""
    number = owner_desk.create_ticket(owner_desk.actor("op"), call()).number
    ticket = "(SELECT id FROM ticket WHERE number = :n)"
    with connected(as_role(postgres_url, login_roles[login])) as conn:
        for maintenance in (False, True):
            if maintenance:
                conn.execute(text("SET deskui.maintenance = 'on'"))
            forge = f"UPDATE ticket_report_fact SET response = 'met' WHERE ticket_id = {ticket}"
            assert committed(conn, forge, n=number) == INSUFFICIENT_PRIVILEGE
            bare = (
                "INSERT INTO ticket_event (ticket_id, at, kind, version) "
                f"SELECT id, received_at, 'progress', version FROM ticket WHERE id = {ticket}"
            )
            assert committed(conn, bare, n=number) == "23000"
            lowered = "UPDATE ticket_sequence SET last = 0"
            assert committed(conn, lowered) == INSUFFICIENT_PRIVILEGE
    assert owner_desk.read(lambda s: verify_record(s)).ok
    # the ledger's own path goes on working for the same role
    desk = DeskService(Database(as_role(postgres_url, login_roles[login])), owner_desk.clock)
    try:
        me = desk.actor(login)
        if login == "op":
            assert desk.create_ticket(me, call()).number
        else:
            desk.claim(me, number)
            desk.worklog(me, number, "看过了")
    finally:
        desk.db.dispose()
    assert owner_desk.read(lambda s: verify_record(s)).ok


@pytest.mark.parametrize("login", ["op", "agent1", "lead"])
def test_only_an_admin_writes_users_groups_and_rules(
    owner_desk: DeskService, login_roles: dict[str, str], postgres_url: str, login: str
) -> None:
    with connected(as_role(postgres_url, login_roles[login])) as conn:
        refusals = {sql: refused(conn, sql) for sql in ADMIN_ONLY}
    assert refusals == dict.fromkeys(ADMIN_ONLY, INSUFFICIENT_PRIVILEGE)
    with (
        connected(as_role(postgres_url, login_roles[login])) as conn,
        pytest.raises(RoleChangeDenied),
    ):
        set_password(conn, login_roles["agent1"], "new password")


def test_an_agent_reads_what_the_console_reads(
    owner_desk: DeskService, login_roles: dict[str, str], postgres_url: str
) -> None:
    with connected(as_role(postgres_url, login_roles["agent1"])) as conn:
        for table in (
            "support_group",
            "desk_user",
            "user_group",
            "requester",
            "ticket",
            "ticket_event",
            "ticket_sequence",
            "desk_setting",
            "setting_event",
            "alembic_version",
        ):
            assert refused(conn, f"SELECT * FROM {table}") is None, table


# the functions touch this desk's login roles only -------------------------------------------------
@pytest.fixture
def admin_conn(
    owner_desk: DeskService, login_roles: dict[str, str], postgres_url: str
) -> Iterator[Connection]:
    with connected(as_role(postgres_url, login_roles["admin"])) as conn:
        yield conn


def test_an_admin_cannot_reset_a_superusers_or_the_owners_password(
    admin_conn: Connection,
) -> None:
    for role in ("postgres", "pg_monitor", "deskui_admin", "deskui_agent"):
        with pytest.raises(NotDeskRole):
            set_password(admin_conn, role, "pwned")
        admin_conn.rollback()
        with pytest.raises(NotDeskRole):
            set_group(admin_conn, role, Role.AGENT)
        admin_conn.rollback()
        with pytest.raises(NotDeskRole):
            set_login(admin_conn, role, False)
        admin_conn.rollback()


def test_an_admin_cannot_touch_roles_outside_the_desk(
    admin_conn: Connection, postgres_url: str, pg_role_prefix: str
) -> None:
    plain, other_desk, powered = (f"{pg_role_prefix}{n}" for n in ("plain", "other", "powered"))
    with connected(postgres_url) as owner:
        for role in (plain, other_desk, powered):
            owner.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            owner.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        # another desk's agent on this cluster: in a group, but no CONNECT on this database
        owner.execute(text(f'GRANT deskui_agent TO "{other_desk}"'))
        # this desk's agent who was also given more than the desk gives
        create_login_role(owner, f"{powered}x", Role.AGENT)
        owner.execute(text(f'GRANT pg_read_all_data TO "{powered}x"'))
        owner.commit()
    for role in (plain, other_desk, f"{powered}x"):
        with pytest.raises(NotDeskRole):
            set_password(admin_conn, role, "pwned")
        admin_conn.rollback()


def test_an_admin_manages_a_desk_login_role(
    admin_conn: Connection, postgres_url: str, pg_role_prefix: str
) -> None:
    role = f"{pg_role_prefix}zhaoliu"
    create_login_role(admin_conn, role, Role.OPERATOR)
    admin_conn.commit()
    with connected(as_role(postgres_url, role)) as conn:
        assert session_identity(conn).desk_roles == {Role.OPERATOR}
    set_group(admin_conn, role, Role.DUTY_LEAD)
    set_password(admin_conn, role, "长城 long password")
    set_login(admin_conn, role, False)
    admin_conn.commit()
    with pytest.raises(DBAPIError) as info, connected(as_role(postgres_url, role)) as conn:
        conn.execute(text("SELECT 1"))
    assert "not permitted to log in" in str(info.value)
    set_login(admin_conn, role, True)
    admin_conn.commit()
    with connected(as_role(postgres_url, role)) as conn:
        assert session_identity(conn).group_roles == {"deskui_lead"}


@pytest.mark.parametrize(
    "name", ["pg_evil", "deskui_admin", 'a"; DROP TABLE ticket; --', "Upper", "9to5", "x" * 64]
)
def test_the_function_refuses_bad_role_names(admin_conn: Connection, name: str) -> None:
    with pytest.raises(InvalidRoleName):
        pg_roles.check_role_name(name)
    code = refused(
        admin_conn,
        "SELECT deskui_create_login_role('" + name.replace("'", "''") + "', 'deskui_agent')",
    )
    assert code == "22023"


def test_a_password_is_set_from_a_verifier_only(
    admin_conn: Connection, login_roles: dict[str, str]
) -> None:
    sql = f"SELECT deskui_set_password('{login_roles['op']}', 'plain secret')"
    assert refused(admin_conn, sql) == "22023"


def test_the_change_feed_reaches_a_console_connected_as_an_agent(
    desk_as: dict[str, DeskService],
) -> None:
    agent_url = desk_as["agent1"].db.url
    with watching(PostgresFeed(agent_url)) as watched:
        desk_as["op"].create_ticket(desk_as["op"].actor("op"), call())
        seen = watched.expect(Changed)
    assert isinstance(seen, Changed) and "ticket" in seen.tables


def test_the_migration_can_run_again(owner_desk: DeskService) -> None:
    """Roles are cluster-wide: a desk migrated where they exist already (another desk made
    them) gets its grants all the same."""
    db = owner_desk.db
    config = alembic_config(db)
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert current_revision(db) == "0004"
    upgrade(db)
    assert current_revision(db) == head_revision(db)


def _migration() -> ModuleType:
    path = Path(deskui.store.__file__).parent / "migrations" / "versions" / "0005_desk_roles.py"
    spec = importlib.util.spec_from_file_location("desk_roles_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_desks_creating_the_group_roles_at_once_both_succeed(
    postgres_url: str, pg_role_prefix: str
) -> None:
    """Two desk databases on one cluster migrated at the same moment: both see no group role,
    both create it; the second waits for the first and then takes the role it made. (The
    migration's own block, run for group roles named for this test.)"""
    block = _migration()._CREATE_GROUPS
    for group in GROUP_ROLES.values():
        block = block.replace(f"'{group}'", f"'{pg_role_prefix}{group}'")
    assert block.count(pg_role_prefix) == len(GROUP_ROLES)
    first, second = create_engine(postgres_url), create_engine(postgres_url)
    errors: list[BaseException] = []

    def migrate_second() -> None:
        try:
            with second.begin() as conn:
                conn.execute(text(block))
        except BaseException as exc:  # the test reports it below
            errors.append(exc)

    try:
        with first.begin() as conn:
            conn.execute(text(block))
            racing = threading.Thread(target=migrate_second)
            racing.start()
            racing.join(0.5)
            assert racing.is_alive(), "the second desk should wait for the first's commit"
        racing.join(30)
        assert not racing.is_alive() and errors == []
        with first.connect() as conn:
            made = conn.execute(
                text("SELECT count(*) FROM pg_roles WHERE rolname LIKE :p AND NOT rolcanlogin"),
                {"p": pg_role_prefix.replace("_", "\\_") + "deskui%"},
            ).scalar_one()
        assert made == len(GROUP_ROLES)
    finally:
        first.dispose()
        second.dispose()


# password login, against a cluster that asks for passwords ---------------------------------------
@pytest.fixture(scope="module")
def scram_desk(scram_url: str) -> Iterator[str]:
    """A migrated desk database on the password cluster."""
    with scratch_database(scram_url, "deskui_s") as url:
        yield url


def login(url: str, role: str, password: str | None) -> psycopg.Connection[tuple[object, ...]]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        dbname=parsed.database,
        user=role,
        password=password or "",
        connect_timeout=5,
    )


def test_a_password_set_by_an_admin_lets_its_user_in(
    scram_desk: str, pg_role_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    admin, alice = f"{pg_role_prefix}sadmin", f"{pg_role_prefix}alice"
    with connected(scram_desk) as owner:
        create_login_role(owner, admin, Role.ADMIN)
        set_password(owner, admin, "admin pass")
        owner.commit()
    admin_url = make_url(scram_desk).set(username=admin, password="admin pass")
    engine = create_engine(admin_url)
    sent: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append((args[2], args[3])))
    password = "correct horse 电池 staple"
    try:
        with engine.begin() as conn:
            assert session_identity(conn).desk_roles == {Role.ADMIN}
            create_login_role(conn, alice, Role.AGENT)
            set_password(conn, alice, password)
    finally:
        engine.dispose()
    # the password itself never left this process: only its verifier, as a parameter
    assert all(password not in statement and password not in repr(p) for statement, p in sent)
    verifiers = [p["verifier"] for _, p in sent if isinstance(p, dict) and "verifier" in p]
    assert len(verifiers) == 1 and verifiers[0].startswith("SCRAM-SHA-256$4096:")
    with connected(scram_desk) as owner:
        stored = owner.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": alice}
        ).scalar_one()
    assert stored == verifiers[0]

    with login(scram_desk, alice, password) as conn:
        assert conn.execute("SELECT session_user").fetchone() == (alice,)
    with pytest.raises(psycopg.OperationalError) as wrong:
        login(scram_desk, alice, "wrong horse")
    assert pg_roles.login_failure(wrong.value) is pg_roles.LoginFailure.WRONG_PASSWORD
    with pytest.raises(psycopg.OperationalError) as missing:
        login(scram_desk, alice, None)
    assert pg_roles.login_failure(missing.value) is pg_roles.LoginFailure.NEEDS_PASSWORD
    # a disabled user with the right password is refused, but not as a wrong password
    with connected(scram_desk) as owner:
        set_login(owner, alice, False)
        owner.commit()
    with pytest.raises(psycopg.OperationalError) as disabled:
        login(scram_desk, alice, password)
    assert pg_roles.login_failure(disabled.value) is None


def test_a_wrong_password_through_sqlalchemy_is_recognised(scram_desk: str) -> None:
    url = make_url(scram_desk).set(password="not the password")
    with pytest.raises(DBAPIError) as info, connected(url.render_as_string(False)) as conn:
        conn.execute(text("SELECT 1"))
    assert pg_roles.login_failure(info.value) is pg_roles.LoginFailure.WRONG_PASSWORD


def test_other_failures_are_not_password_problems() -> None:
    assert pg_roles.login_failure(ValueError("no")) is None
    assert pg_roles.login_failure(ProgrammingError("SELECT", {}, ValueError())) is None


def test_the_desk_roles_work_the_knowledge_base(desk_as: dict[str, DeskService]) -> None:
    """Each role connected as itself drafts, reviews, publishes, links and searches: the grants
    of migration 0007 (articles, their chain, the index) are what the use cases need."""
    from deskui.services.knowledge import ArticleDraft, KnowledgeBase
    from tests.services.test_intake import call

    agent, lead, op = desk_as["agent1"], desk_as["lead"], desk_as["op"]
    number = op.create_ticket(op.actor("op"), call(summary="打印机卡纸")).number
    draft = ArticleDraft("打印机卡纸", "打印到一半卡纸", "搓纸轮老化", "更换搓纸轮", "hardware")
    article = KnowledgeBase.of(agent).add(agent.actor("agent1"), draft, link=number)
    KnowledgeBase.of(agent).submit(agent.actor("agent1"), article.id)
    KnowledgeBase.of(lead).review(lead.actor("lead"), article.id, approve=True, comment=None)
    KnowledgeBase.of(lead).publish(lead.actor("lead"), article.id)
    KnowledgeBase.of(op).link(op.actor("op"), article.id, number, solved=True)
    assert [h.id for h in KnowledgeBase.of(op).search("卡纸")] == [article.id]
    assert [h.number for h in KnowledgeBase.of(agent).search_tickets("卡纸")] == [number]
