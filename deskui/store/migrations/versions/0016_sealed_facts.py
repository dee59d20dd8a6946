"""sealed report facts, chained event inserts, a counter that only rises

- ``ticket_event.facts_hash``: a change's last event carries the hash of the ticket's report
  facts as the change wrote them (``deskui.core.chain.report_facts_hash``), hashed into the chain
  only when set (``LATER_EVENT_FIELDS``), so every event sealed before keeps its hash. ``deskui
  audit verify`` compares each ticket's stored facts with the last hash its chain carries.
- On PostgreSQL, unless in maintenance (``deskui_in_maintenance``, migration 0004):
  - an inserted ticket event must carry its hash and follow the ticket's last event (its
    ``prev_hash`` is that event's hash, None for a ticket's first; its id is greater), so a bare
    event typed into psql is refused instead of taking effect;
  - a ticket's report facts may be written only in a transaction that appends an event to the
    ticket's chain (checked at commit, as ``ticket_change_has_event`` checks the ticket): the
    ledger's path, never a bare ``UPDATE ticket_report_fact``;
  - a desk day's number counter (``ticket_sequence``) is never lowered nor deleted: a counter
    behind the numbers issued would make every later intake collide with a ticket that exists.

A downgrade drops the triggers and the column, and re-chains each ticket whose events carry a
facts hash without it (deliberately, in maintenance), so the desk verifies at 0015; the chains'
heads, and so the record digest, change from there on.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 16:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from deskui.core.chain import ticket_event_hash

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _guard(name: str, passes: str, refuses_when: str, refusal: str) -> str:
    """A trigger function that lets the owner's maintenance through (returning ``passes``) and
    otherwise raises ``refusal`` when ``refuses_when`` holds, or returns ``passes``."""
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN {passes};
    END IF;
    IF {refuses_when} THEN
        RAISE EXCEPTION {refusal};
    END IF;
    RETURN {passes};
END
$$
"""


#: Whether an event follows its ticket's last one: linked to its hash, with a greater id (or,
#: for a ticket's first, linked to nothing). VOLATILE: a multi-row INSERT sees its earlier rows.
_FOLLOWS = """
CREATE FUNCTION deskui_follows(e ticket_event) RETURNS boolean LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(
        (SELECT e.prev_hash IS NOT DISTINCT FROM last.hash AND e.id > last.id
         FROM ticket_event last WHERE last.ticket_id = e.ticket_id ORDER BY last.id DESC LIMIT 1),
        e.prev_hash IS NULL)
$$
"""

_EVENT_FOLLOWS_CHAIN = _guard(
    "deskui_event_follows_chain",
    "NEW",
    "NEW.hash IS NULL OR NOT deskui_follows(NEW)",
    "'deskui: event of ticket % refused: it does not follow the ticket''s chain', NEW.ticket_id "
    "USING ERRCODE = 'integrity_constraint_violation', "
    "HINT = 'events are written by deskui, hashed and linked to the last one'",
)

_FACTS_NEED_EVENT = _guard(
    "deskui_facts_need_event",
    "NULL",
    "NOT EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = NEW.ticket_id "
    "AND e.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text)",
    "'deskui: report facts of ticket % written without a change of the ticket', NEW.ticket_id "
    "USING ERRCODE = 'insufficient_privilege'",
)

_COUNTER_RISES = _guard(
    "deskui_counter_rises",
    "CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END",
    "TG_OP = 'DELETE' OR NEW.day <> OLD.day OR NEW.last < OLD.last",
    "'deskui: % of the number counter of % refused: it only rises', TG_OP, OLD.day "
    "USING ERRCODE = 'insufficient_privilege', "
    "HINT = 'maintenance only: SET deskui.maintenance = ''on'''",
)


def upgrade() -> None:
    """Add the column; on PostgreSQL, the three guards."""
    with op.batch_alter_table("ticket_event") as batch:
        batch.add_column(sa.Column("facts_hash", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FOLLOWS)
    op.execute(_EVENT_FOLLOWS_CHAIN)
    op.execute(
        "CREATE TRIGGER ticket_event_follows_chain BEFORE INSERT ON ticket_event "
        "FOR EACH ROW EXECUTE FUNCTION deskui_event_follows_chain()"
    )
    op.execute(_FACTS_NEED_EVENT)
    op.execute(
        "CREATE CONSTRAINT TRIGGER report_fact_has_event AFTER INSERT OR UPDATE "
        "ON ticket_report_fact DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION deskui_facts_need_event()"
    )
    op.execute(_COUNTER_RISES)
    op.execute(
        "CREATE TRIGGER ticket_sequence_rises BEFORE UPDATE OR DELETE ON ticket_sequence "
        "FOR EACH ROW EXECUTE FUNCTION deskui_counter_rises()"
    )


#: What an event was hashed over before 0015: every column up to ``minutes``.
_UNSEALED_COLUMNS = (
    "id, ticket_id, at, actor_id, proxy_id, kind, field, old_value, new_value, note, version, "
    "state_hash, minutes, prev_hash, hash"
)


def _unseal(bind: sa.Connection) -> None:
    """Re-chain every ticket whose events carry a facts hash, as if they carried none."""
    tickets = [
        int(r[0])
        for r in bind.execute(
            sa.text("SELECT DISTINCT ticket_id FROM ticket_event WHERE facts_hash IS NOT NULL")
        )
    ]
    for ticket_id in tickets:
        rows = bind.execute(
            sa.text(
                f"SELECT {_UNSEALED_COLUMNS} FROM ticket_event WHERE ticket_id = :t ORDER BY id"
            ),
            {"t": ticket_id},
        ).all()
        prev: str | None = None
        updates: list[dict[str, Any]] = []
        for row in rows:
            digest = ticket_event_hash(tuple(row[:13]), prev)
            if (row[13], row[14]) != (prev, digest):
                updates.append({"id": row[0], "prev": prev, "hash": digest})
            prev = digest
        if updates:
            bind.execute(
                sa.text("UPDATE ticket_event SET prev_hash = :prev, hash = :hash WHERE id = :id"),
                updates,
            )


def downgrade() -> None:
    """Drop the guards and the column, re-chaining the events sealed with facts."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # a deliberate rewrite of history, as the owner
        op.execute("SET LOCAL deskui.maintenance = 'on'")
        op.execute("DROP TRIGGER IF EXISTS ticket_sequence_rises ON ticket_sequence")
        op.execute("DROP FUNCTION IF EXISTS deskui_counter_rises()")
        op.execute("DROP TRIGGER IF EXISTS report_fact_has_event ON ticket_report_fact")
        op.execute("DROP FUNCTION IF EXISTS deskui_facts_need_event()")
        op.execute("DROP TRIGGER IF EXISTS ticket_event_follows_chain ON ticket_event")
        op.execute("DROP FUNCTION IF EXISTS deskui_event_follows_chain()")
        op.execute("DROP FUNCTION IF EXISTS deskui_follows(ticket_event)")
    _unseal(bind)
    with op.batch_alter_table("ticket_event") as batch:
        batch.drop_column("facts_hash")
