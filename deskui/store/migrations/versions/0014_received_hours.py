"""received hours: for each hour tickets were received in, the least and the greatest id

A search with a received range asks the text index only for the ids of the range's tickets
(``deskui.services.ticket_filters.received_block``). Reading those ids from the received index
costs a step per ticket (130 ms for half a year at a million tickets); ``received_hour`` holds,
per UTC hour (seconds since the epoch // 3600), the least and greatest id of the tickets received
in it, so a year's block is read from 8,760 small rows at most. A trigger keeps it on every
insert and on a change of ``received_at`` (a span only ever widens: the block is a superset of
the range's ids, never short of one), whichever path writes the ticket (intake, import, seeding,
bulk loads).

On PostgreSQL the trigger's function is SECURITY DEFINER and the desk roles may only read the
table: nobody hides a ticket from a range search by narrowing a span.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GROUPS = ("deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin")

_SQLITE_HOUR = "CAST(strftime('%s', NEW.received_at) AS INTEGER) / 3600"
_SQLITE_UPSERT = (
    "INSERT INTO received_hour (hour, first_id, last_id) "
    f"VALUES ({_SQLITE_HOUR}, NEW.id, NEW.id) "
    "ON CONFLICT (hour) DO UPDATE SET first_id = min(first_id, excluded.first_id), "
    "last_id = max(last_id, excluded.last_id)"
)

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.deskui_received_hour() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp
AS $$
BEGIN
    INSERT INTO received_hour AS r (hour, first_id, last_id)
    VALUES (floor(extract(epoch FROM NEW.received_at) / 3600)::integer, NEW.id, NEW.id)
    ON CONFLICT (hour) DO UPDATE
        SET first_id = least(r.first_id, excluded.first_id),
            last_id = greatest(r.last_id, excluded.last_id)
        WHERE r.first_id > excluded.first_id OR r.last_id < excluded.last_id;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    """Create the table, fill it from the tickets, and keep it by trigger."""
    op.create_table(
        "received_hour",
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        hour = "floor(extract(epoch FROM received_at) / 3600)::integer"
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        op.execute(_POSTGRES_FUNCTION.format(schema=schema))
        op.execute(
            "CREATE TRIGGER ticket_received_hour AFTER INSERT OR UPDATE OF received_at "
            f"ON ticket FOR EACH ROW EXECUTE FUNCTION {schema}.deskui_received_hour()"
        )
        op.execute(f"GRANT SELECT ON received_hour TO {', '.join(GROUPS)}")
    else:
        hour = "CAST(strftime('%s', received_at) AS INTEGER) / 3600"
        for event in ("INSERT", "UPDATE OF received_at"):
            name = "ticket_received_hour" + ("" if event == "INSERT" else "_moved")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON ticket BEGIN {_SQLITE_UPSERT}; END")
    op.execute(
        "INSERT INTO received_hour (hour, first_id, last_id) "
        f"SELECT {hour}, min(id), max(id) FROM ticket GROUP BY 1"
    )


def downgrade() -> None:
    """Drop the triggers and the table."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_received_hour ON ticket")
        op.execute("DROP FUNCTION IF EXISTS deskui_received_hour()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ticket_received_hour")
        op.execute("DROP TRIGGER IF EXISTS ticket_received_hour_moved")
    op.drop_table("received_hour")
