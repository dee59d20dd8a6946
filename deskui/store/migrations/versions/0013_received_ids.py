"""received ids: the received-time index carries the ticket's id

``ix_ticket_received`` becomes ``(received_at, id)``, so the ids of the tickets received in a
range are read from the index alone (on PostgreSQL an index-only scan; SQLite's index holds the
rowid anyway). A search with a received range asks the text index only for the ids between the
range's first and last (``deskui.services.ticket_filters``): a desk numbers its tickets as they
come in, so a month's tickets are a month's block of ids, and a common word's matches outside it
are never read.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rebuild the index with the id."""
    op.drop_index("ix_ticket_received", table_name="ticket")
    op.create_index("ix_ticket_received", "ticket", ["received_at", "id"])


def downgrade() -> None:
    """Back to the time alone."""
    op.drop_index("ix_ticket_received", table_name="ticket")
    op.create_index("ix_ticket_received", "ticket", ["received_at"])
