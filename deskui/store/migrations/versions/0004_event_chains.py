"""event chains: hashes of the existing history; PostgreSQL refuses rewriting it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Being written: chains existing events and installs PostgreSQL's immutability triggers."""


def downgrade() -> None:
    """Nothing to undo yet."""
