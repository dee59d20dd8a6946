"""event chains: hashes of the existing history; PostgreSQL refuses rewriting it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:00:00.000000

Every existing event is chained (:mod:`deskui.core.chain`), so that a desk upgraded from an
older deskui verifies clean from here on:

- a ticket's events are numbered with the versions their changes produced (the events of one
  change share its instant; the last change carries the ticket's version), and its last event
  carries the hash of the ticket's fields as they stand;
- a rule file whose stored value no setting event accounts for (copied from data/ before
  settings were audited) gets one setting event recording it, then the settings chain is
  computed over all of them.

On PostgreSQL, triggers then refuse UPDATE, DELETE and TRUNCATE on ``ticket_event`` and
``setting_event`` — for every role, the owner included — unless the tables' owner (or a
superuser) has deliberately set ``deskui.maintenance`` to ``on`` in the session; and a
deferred constraint trigger refuses, at commit, a ticket row whose version has no event written
in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

from deskui.core.chain import (
    STATE_FIELDS,
    canonical_time,
    setting_event_hash,
    ticket_event_hash,
    ticket_state_hash,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_CHUNK = 2000
BASELINE_NOTE = "recorded when the audit chain began: the value held before settings were audited"

# Any role may SET a custom setting, so maintenance counts only for the table's owner (or a
# role it is granted to, a superuser included): a desk role that sets it is refused all the same.
_IN_MAINTENANCE = """
CREATE FUNCTION deskui_in_maintenance(rel oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('deskui.maintenance', true), '') = 'on'
       AND pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = rel), 'MEMBER')
$$
"""

_REFUSE_HISTORY_CHANGE = """
CREATE FUNCTION deskui_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'deskui: % on % refused: the audit record is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'maintenance only: SET deskui.maintenance = ''on''';
END
$$
"""

_TICKET_NEEDS_EVENT = """
CREATE FUNCTION deskui_ticket_needs_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current_version integer;
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN NULL;
    END IF;
    -- the row as it stands at commit: a ticket inserted at version 0 and bumped to 1 by the
    -- same transaction is judged by version 1
    SELECT version INTO current_version FROM ticket WHERE id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM ticket_event e
        WHERE e.ticket_id = NEW.id AND e.version = current_version
          AND e.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text
    ) THEN
        RAISE EXCEPTION
            'deskui: ticket % at version % has no event of that version in this transaction',
            NEW.number, current_version
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$
"""

_EVENT_TABLES = ("ticket_event", "setting_event")


def _ticket_chains(bind: sa.engine.Connection) -> None:
    state_columns = ", ".join(name for name, _ in STATE_FIELDS)
    last = 0
    while True:
        tickets = (
            bind.execute(
                sa.text(
                    f"SELECT {state_columns} FROM ticket WHERE id > :last ORDER BY id LIMIT :n"
                ),
                {"last": last, "n": _CHUNK},
            )
            .mappings()
            .all()
        )
        if not tickets:
            return
        last = tickets[-1]["id"]
        events = bind.execute(
            sa.text(
                "SELECT id, ticket_id, at, actor_id, proxy_id, kind, field, old_value, "
                "new_value, note FROM ticket_event WHERE ticket_id >= :low AND ticket_id <= :high "
                "ORDER BY ticket_id, id"
            ),
            {"low": tickets[0]["id"], "high": last},
        ).all()
        by_ticket: dict[int, list[Sequence[Any]]] = {}
        for row in events:
            by_ticket.setdefault(row[1], []).append(row)
        updates: list[dict[str, Any]] = []
        for ticket in tickets:
            updates.extend(_chain_ticket(ticket, by_ticket.get(ticket["id"], [])))
        if updates:
            bind.execute(
                sa.text(
                    "UPDATE ticket_event SET version = :version, state_hash = :state, "
                    "prev_hash = :prev, hash = :hash WHERE id = :id"
                ),
                updates,
            )


def _chain_ticket(ticket: Any, events: list[Sequence[Any]]) -> list[dict[str, Any]]:
    """The versions and hashes of one ticket's existing events.

    The events of one change were written at one instant: each run of equal instants is one
    version, counted back from the ticket's version (never below 1).
    """
    if not events:
        return []
    runs: list[int] = []
    for i, row in enumerate(events):
        if i == 0 or canonical_time(row[2]) != canonical_time(events[i - 1][2]):
            runs.append(i)
    version_of: list[int] = []
    total = len(runs)
    for r, start in enumerate(runs):
        end = runs[r + 1] if r + 1 < total else len(events)
        version_of.extend([max(1, int(ticket["version"]) - (total - 1 - r))] * (end - start))
    final = ticket_state_hash(ticket)
    prev: str | None = None
    out = []
    for i, row in enumerate(events):
        state = final if i == len(events) - 1 else None
        values = (*row[:10], version_of[i], state)
        digest = ticket_event_hash(values, prev)
        out.append(
            {"id": row[0], "version": version_of[i], "state": state, "prev": prev, "hash": digest}
        )
        prev = digest
    return out


def _settings_chain(bind: sa.engine.Connection) -> None:
    rows = bind.execute(sa.text("SELECT key, new_value FROM setting_event ORDER BY id")).all()
    last_value = {key: value for key, value in rows}
    for key, value, updated_at, updated_by in bind.execute(
        sa.text("SELECT key, value, updated_at, updated_by_id FROM desk_setting ORDER BY key")
    ).all():
        if key in last_value and last_value[key] == value:
            continue
        bind.execute(
            sa.text(
                "INSERT INTO setting_event (key, at, actor_id, old_value, new_value, note) "
                "VALUES (:key, :at, :actor, :old, :new, :note)"
            ),
            {
                "key": key,
                "at": updated_at,
                "actor": updated_by,
                "old": last_value.get(key),
                "new": value,
                "note": BASELINE_NOTE,
            },
        )
    _user_baselines(bind)
    _group_baselines(bind)
    prev: str | None = None
    updates = []
    for row in bind.execute(
        sa.text(
            "SELECT id, key, at, actor_id, proxy_id, old_value, new_value, note "
            "FROM setting_event ORDER BY id"
        )
    ).all():
        digest = setting_event_hash(tuple(row), prev)
        updates.append({"id": row[0], "prev": prev, "hash": digest})
        prev = digest
    if updates:
        bind.execute(
            sa.text("UPDATE setting_event SET prev_hash = :prev, hash = :hash WHERE id = :id"),
            updates,
        )


def _user_baselines(bind: sa.engine.Connection) -> None:
    """Record each user as found, on the settings chain under ``users`` (as deskui records an
    addition: login, name, role, groups, active, accounts), so that a later change to the
    table without an event is found by ``audit verify``."""
    recorded = {
        json.loads(value).get("login")
        for (value,) in bind.execute(
            sa.text("SELECT new_value FROM setting_event WHERE key = 'users'")
        ).all()
    }
    groups: dict[int, list[str]] = {}
    for user_id, code in bind.execute(
        sa.text(
            "SELECT m.user_id, g.code FROM user_group m JOIN support_group g ON g.id = m.group_id "
            "ORDER BY g.code"
        )
    ).all():
        groups.setdefault(int(user_id), []).append(str(code))
    for user_id, login, name, role, active, os_login, db_role, created_at in bind.execute(
        sa.text(
            "SELECT id, login, name, role, active, os_login, db_role, created_at "
            "FROM desk_user ORDER BY id"
        )
    ).all():
        if login in recorded:
            continue
        record = {
            "login": login,
            "name": name,
            "role": role,
            "groups": groups.get(int(user_id), []),
            "active": bool(active),
            "os_login": os_login,
            "db_role": db_role,
        }
        bind.execute(
            sa.text(
                "INSERT INTO setting_event (key, at, actor_id, old_value, new_value, note) "
                "VALUES ('users', :at, NULL, NULL, :new, :note)"
            ),
            {
                "at": created_at,
                "new": json.dumps(record, ensure_ascii=False),
                "note": BASELINE_NOTE,
            },
        )


def _group_baselines(bind: sa.engine.Connection) -> None:
    """Record each group as found, on the settings chain under ``group`` (code, names, tier,
    lead), as deskui records a group's addition."""
    recorded = {
        json.loads(value).get("code")
        for (value,) in bind.execute(
            sa.text("SELECT new_value FROM setting_event WHERE key = 'group'")
        ).all()
    }
    for code, name_zh, name_en, tier, lead in bind.execute(
        sa.text(
            "SELECT g.code, g.name_zh, g.name_en, g.tier, u.login FROM support_group g "
            "LEFT JOIN desk_user u ON u.id = g.lead_id ORDER BY g.id"
        )
    ).all():
        if code in recorded:
            continue
        record = {"code": code, "name_zh": name_zh, "name_en": name_en, "tier": tier, "lead": lead}
        bind.execute(
            sa.text(
                "INSERT INTO setting_event (key, at, actor_id, old_value, new_value, note) "
                "VALUES ('group', CURRENT_TIMESTAMP, NULL, NULL, :new, :note)"
            ),
            {"new": json.dumps(record, ensure_ascii=False), "note": BASELINE_NOTE},
        )


def upgrade() -> None:
    """Add the chain columns, chain the existing history, and (PostgreSQL) guard it."""
    with op.batch_alter_table("ticket_event") as batch:
        batch.add_column(sa.Column("state_hash", _TEXT(length=64), nullable=True))
        batch.add_column(sa.Column("prev_hash", _TEXT(length=64), nullable=True))
    with op.batch_alter_table("setting_event") as batch:
        batch.add_column(sa.Column("prev_hash", _TEXT(length=64), nullable=True))
    bind = op.get_bind()
    _ticket_chains(bind)
    _settings_chain(bind)
    if bind.dialect.name != "postgresql":
        return
    op.execute(_IN_MAINTENANCE)
    op.execute(_REFUSE_HISTORY_CHANGE)
    for table in _EVENT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION deskui_refuse_history_change()"
        )
    op.execute(_TICKET_NEEDS_EVENT)
    op.execute(
        "CREATE CONSTRAINT TRIGGER ticket_change_has_event AFTER INSERT OR UPDATE ON ticket "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION deskui_ticket_needs_event()"
    )


def downgrade() -> None:
    """Drop the guards and the chain columns; the hashes and versions of 0003 are cleared."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_change_has_event ON ticket")
        op.execute("DROP FUNCTION IF EXISTS deskui_ticket_needs_event()")
        for table in _EVENT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS deskui_refuse_history_change()")
        op.execute("DROP FUNCTION IF EXISTS deskui_in_maintenance(oid)")
    op.execute(
        sa.text("DELETE FROM setting_event WHERE note = :note").bindparams(note=BASELINE_NOTE)
    )
    op.execute("UPDATE ticket_event SET hash = NULL, version = NULL")
    op.execute("UPDATE setting_event SET hash = NULL")
    with op.batch_alter_table("setting_event") as batch:
        batch.drop_column("prev_hash")
    with op.batch_alter_table("ticket_event") as batch:
        batch.drop_column("prev_hash")
        batch.drop_column("state_hash")
