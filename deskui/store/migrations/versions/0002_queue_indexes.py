"""queue indexes: the per-assignee and per-group views in due order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 15:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Indexes that serve "mine", "unassigned" and "my groups" in the queue's order."""
    op.create_index(
        "ix_ticket_assignee_due", "ticket", ["assignee_id", "is_open", "next_due", "id"]
    )
    op.create_index("ix_ticket_group_due", "ticket", ["group_id", "is_open", "next_due", "id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_ticket_group_due", table_name="ticket")
    op.drop_index("ix_ticket_assignee_due", table_name="ticket")
