"""worklog minutes: the minutes a worklog entry says were spent, and each ticket's sum among its
report facts

A worklog entry may carry the whole minutes spent (``ticket_event.minutes``, 1–1440; None on
every other event and on entries written before). The column is hashed into the ticket's chain
only when set (``deskui.core.chain.LATER_EVENT_FIELDS``), so every event written before keeps
its hash and the chains still verify. ``ticket_report_fact.worked_minutes`` holds the ticket's
sum, kept by each change, so that a report adds the minutes of a group's tickets without reading
their events; every existing ticket starts at 0, which is what its events say.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns (the grants on both tables cover new columns)."""
    with op.batch_alter_table("ticket_event") as batch:
        batch.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("ticket_report_fact") as batch:
        batch.add_column(
            sa.Column("worked_minutes", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("ticket_report_fact") as batch:
        batch.drop_column("worked_minutes")
    with op.batch_alter_table("ticket_event") as batch:
        batch.drop_column("minutes")
