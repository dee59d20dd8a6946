"""Migration 0004 chains a desk's existing history, and PostgreSQL refuses rewriting it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from deskui.services.desk import DeskService
from deskui.services.verify import Problem, verify_record
from deskui.store.db import Database
from deskui.store.migrate import alembic_config, current_revision, sqlite_foreign_keys, upgrade
from tests.services.test_intake import call


def _downgrade(db: Database, revision: str) -> None:
    config = alembic_config(db)
    with db.write_engine.connect() as connection:
        if db.is_sqlite:
            # 0003's downgrade rebuilds the ticket table, which the events refer to
            sqlite_foreign_keys(connection, on=False)
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        if db.is_sqlite:
            sqlite_foreign_keys(connection, on=True)


def test_a_desk_upgraded_from_0002_verifies_clean(desk: DeskService) -> None:
    """A desk with history and rules (rule files copied without events, as before 0004)."""
    op, agent = desk.actor("op"), desk.actor("agent1")
    numbers = [desk.create_ticket(op, call(summary=f"call {i}")).number for i in range(3)]
    desk.claim(agent, numbers[0])
    desk.worklog(agent, numbers[0], "looked at it")
    desk.transfer(desk.actor("lead"), numbers[1], "software")
    _downgrade(desk.db, "0002")
    assert current_revision(desk.db) == "0002"
    with desk.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM setting_event"))
    upgrade(desk.db)
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings
    assert report.tickets == 3
    # a baseline for each rule file, user and group found (each changed without an event later
    # are then named)
    assert report.setting_events == len(desk.rules.raw) + len(desk.users()) + len(
        desk.group_views()
    )
    # and the desk goes on from there
    desk.worklog(agent, numbers[0], "and again")
    assert desk.read(lambda s: verify_record(s)).ok


@pytest.fixture
def pg_desk(desk: DeskService) -> Iterator[DeskService]:
    if desk.db.is_sqlite:
        pytest.skip("PostgreSQL's triggers")
    yield desk


def _refused(db: Database, sql: str, maintenance: bool = False) -> bool:
    """Whether ``sql`` (as the database's owner, a superuser here) is refused."""
    try:
        with db.engine.begin() as conn:
            if maintenance:
                conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
            conn.execute(text(sql))
    except DBAPIError as exc:
        assert "deskui" in str(exc.orig)
        return True
    return False


@pytest.mark.parametrize("table", ["ticket_event", "setting_event"])
def test_history_cannot_be_rewritten_even_by_the_owner(pg_desk: DeskService, table: str) -> None:
    pg_desk.create_ticket(pg_desk.actor("op"), call())
    assert _refused(pg_desk.db, f"UPDATE {table} SET note = 'rewritten'")
    assert _refused(pg_desk.db, f"DELETE FROM {table}")
    assert _refused(pg_desk.db, f"TRUNCATE {table} CASCADE")
    assert pg_desk.read(lambda s: verify_record(s)).ok
    # the deliberate maintenance setting lets the owner through (and verify sees it)
    assert not _refused(pg_desk.db, f"UPDATE {table} SET note = 'rewritten'", maintenance=True)
    assert not pg_desk.read(lambda s: verify_record(s)).ok


def test_a_ticket_changed_without_an_event_is_refused_at_commit(pg_desk: DeskService) -> None:
    number = pg_desk.create_ticket(pg_desk.actor("op"), call()).number
    update = f"UPDATE ticket SET priority = 'P1' WHERE number = '{number}'"
    bump = f"UPDATE ticket SET priority = 'P1', version = version + 1 WHERE number = '{number}'"
    assert _refused(pg_desk.db, update)
    assert _refused(pg_desk.db, bump)
    assert pg_desk.ticket(number).priority != "P1"
    assert not _refused(pg_desk.db, update, maintenance=True)
    (finding,) = pg_desk.read(lambda s: verify_record(s)).findings
    assert finding.problem is Problem.FIELDS and finding.fields == ("priority",)


def test_a_ticket_inserted_without_an_event_is_refused(pg_desk: DeskService) -> None:
    number = pg_desk.create_ticket(pg_desk.actor("op"), call()).number
    columns = pg_desk.read(
        lambda s: [
            r[0]
            for r in s.connection().execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'ticket' ORDER BY ordinal_position"
                )
            )
        ]
    )
    rest = ", ".join(c for c in columns if c not in ("id", "number"))
    copy = (
        f"INSERT INTO ticket (id, number, {rest}) SELECT id + 1000, 'IT20990101001', {rest} "
        f"FROM ticket WHERE number = '{number}'"
    )
    assert _refused(pg_desk.db, copy)


def test_an_event_off_the_chain_is_refused_even_to_the_owner(pg_desk: DeskService) -> None:
    """A bare event (no hash, no link), or one linked to anything but the ticket's last event,
    is refused; the deliberate maintenance setting lets the owner through."""
    number = pg_desk.create_ticket(pg_desk.actor("op"), call()).number
    ticket = f"(SELECT id FROM ticket WHERE number = '{number}')"
    bare = (
        "INSERT INTO ticket_event (id, ticket_id, at, kind, version{extra}) "
        "SELECT (SELECT max(id) + 1 FROM ticket_event), id, received_at, 'progress', version"
        "{values} FROM ticket WHERE id = " + ticket
    )
    assert _refused(pg_desk.db, bare.format(extra="", values=""))
    first = f"(SELECT min(hash) FROM ticket_event WHERE ticket_id = {ticket} AND prev_hash IS NULL)"
    linked_back = bare.format(extra=", prev_hash, hash", values=f", {first}, repeat('0', 64)")
    assert _refused(pg_desk.db, linked_back)
    assert not _refused(pg_desk.db, bare.format(extra="", values=""), maintenance=True)
    (finding,) = pg_desk.read(lambda s: verify_record(s)).findings
    assert finding.problem is Problem.INSERTED


def test_a_desk_day_counter_only_rises(pg_desk: DeskService) -> None:
    pg_desk.create_ticket(pg_desk.actor("op"), call())
    assert _refused(pg_desk.db, "UPDATE ticket_sequence SET last = 0")
    assert _refused(pg_desk.db, "DELETE FROM ticket_sequence")
    assert not _refused(pg_desk.db, "UPDATE ticket_sequence SET last = last + 1")
    assert not _refused(pg_desk.db, "UPDATE ticket_sequence SET last = 0", maintenance=True)
    (finding,) = pg_desk.read(lambda s: verify_record(s)).findings
    assert finding.problem is Problem.COUNTER


def test_every_ticket_column_is_in_the_state_hash_or_a_declared_cache() -> None:
    """A new ticket column must be decided on: audited (in the state hash) or a cache."""
    from sqlalchemy import inspect

    from deskui.core.chain import AUDITED_FIELDS, CACHE_FIELDS
    from deskui.store.models import Ticket

    columns = set(inspect(Ticket).columns.keys())
    assert columns == {name for name, _ in AUDITED_FIELDS} | CACHE_FIELDS


def test_maintenance_is_the_owners_alone(pg_desk: DeskService) -> None:
    """A desk role allowed to update tickets that sets the maintenance setting itself is still
    refused a change without an event."""
    number = pg_desk.create_ticket(pg_desk.actor("op"), call()).number
    role = f"deskui_t_{uuid.uuid4().hex[:8]}"
    owner = pg_desk.db.engine
    with owner.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT SELECT, UPDATE ON ticket, ticket_event TO "{role}"'))
    agent = Database(make_url(pg_desk.db.url).set(username=role).render_as_string(False))
    try:
        update = f"UPDATE ticket SET priority = 'P1' WHERE number = '{number}'"
        assert _refused(agent, update, maintenance=True)
        assert _refused(agent, "UPDATE ticket_event SET note = 'x'", maintenance=True)
    finally:
        agent.dispose()
        with owner.begin() as conn:
            conn.execute(text(f'REVOKE ALL ON ticket, ticket_event FROM "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
