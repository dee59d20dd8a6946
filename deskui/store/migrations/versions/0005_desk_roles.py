"""desk roles: PostgreSQL group roles with the least grants each needs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Being written: creates deskui_operator, deskui_agent, deskui_lead, deskui_admin."""


def downgrade() -> None:
    """Nothing to undo yet."""
