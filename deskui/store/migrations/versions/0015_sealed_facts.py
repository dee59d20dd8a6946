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

A downgrade drops the triggers and the column; events sealed with a facts hash then no longer
verify (their hash covers it), as with every later column of the chain.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_EVENT_FOLLOWS_CHAIN = """
CREATE FUNCTION deskui_event_follows_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_id integer;
    last_hash text;
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN NEW;
    END IF;
    SELECT id, hash INTO last_id, last_hash FROM ticket_event
    WHERE ticket_id = NEW.ticket_id ORDER BY id DESC LIMIT 1;
    IF NEW.hash IS NULL
       OR (FOUND AND (NEW.prev_hash IS DISTINCT FROM last_hash OR NEW.id <= last_id))
       OR (NOT FOUND AND NEW.prev_hash IS NOT NULL) THEN
        RAISE EXCEPTION 'deskui: event of ticket % refused: it does not follow the ticket''s chain',
            NEW.ticket_id
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'events are written by deskui, hashed and linked to the last one';
    END IF;
    RETURN NEW;
END
$$
"""

_FACTS_NEED_EVENT = """
CREATE FUNCTION deskui_facts_need_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM ticket_event e
        WHERE e.ticket_id = NEW.ticket_id
          AND e.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text
    ) THEN
        RAISE EXCEPTION
            'deskui: report facts of ticket % written without a change of the ticket',
            NEW.ticket_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$
"""

_COUNTER_RISES = """
CREATE FUNCTION deskui_counter_rises() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF deskui_in_maintenance(TG_RELID) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' OR NEW.day <> OLD.day OR NEW.last < OLD.last THEN
        RAISE EXCEPTION 'deskui: % of the number counter of % refused: it only rises',
            TG_OP, OLD.day
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'maintenance only: SET deskui.maintenance = ''on''';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    """Add the column; on PostgreSQL, the three guards."""
    with op.batch_alter_table("ticket_event") as batch:
        batch.add_column(sa.Column("facts_hash", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
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


def downgrade() -> None:
    """Drop the guards and the column."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_sequence_rises ON ticket_sequence")
        op.execute("DROP FUNCTION IF EXISTS deskui_counter_rises()")
        op.execute("DROP TRIGGER IF EXISTS report_fact_has_event ON ticket_report_fact")
        op.execute("DROP FUNCTION IF EXISTS deskui_facts_need_event()")
        op.execute("DROP TRIGGER IF EXISTS ticket_event_follows_chain ON ticket_event")
        op.execute("DROP FUNCTION IF EXISTS deskui_event_follows_chain()")
    with op.batch_alter_table("ticket_event") as batch:
        batch.drop_column("facts_hash")
