"""lifecycle: outages — a ticket can be the parent of others

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """``ticket.parent_id``: the outage a call belongs to (many calls, one problem), with the
    index that counts and finds a parent's open children. The column is part of the ``ticket``
    table every desk role already reads and writes (migration 0005's grants cover it)."""
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_ticket_parent", "ticket", ["parent_id"], ["id"])
    op.create_index("ix_ticket_parent", "ticket", ["parent_id", "is_open"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_ticket_parent", table_name="ticket")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("fk_ticket_parent", type_="foreignkey")
        batch.drop_column("parent_id")
