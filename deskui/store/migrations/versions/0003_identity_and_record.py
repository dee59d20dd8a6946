"""identity and record: OS and database logins of users, confirmation details, event chains

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Add the columns; existing rows keep NULL (their chains are computed by 0004)."""
    with op.batch_alter_table("desk_user") as batch:
        batch.add_column(sa.Column("os_login", _TEXT(length=64), nullable=True))
        batch.add_column(sa.Column("db_role", _TEXT(length=63), nullable=True))
        batch.create_unique_constraint("uq_desk_user_os_login", ["os_login"])
        batch.create_unique_constraint("uq_desk_user_db_role", ["db_role"])
    with op.batch_alter_table("ticket") as batch:
        for aspect in ("speed", "professionalism", "effect", "attitude"):
            batch.add_column(sa.Column(f"satisfaction_{aspect}", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("confirmation_channel", _TEXT(length=16), nullable=True))
        batch.add_column(sa.Column("confirmation_recorded_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_ticket_confirmation_recorded_by",
            "desk_user",
            ["confirmation_recorded_by_id"],
            ["id"],
        )
    with op.batch_alter_table("ticket_event") as batch:
        batch.add_column(sa.Column("proxy_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hash", _TEXT(length=64), nullable=True))
        batch.create_foreign_key("fk_ticket_event_proxy", "desk_user", ["proxy_id"], ["id"])
    with op.batch_alter_table("setting_event") as batch:
        batch.add_column(sa.Column("proxy_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hash", _TEXT(length=64), nullable=True))
        batch.create_foreign_key("fk_setting_event_proxy", "desk_user", ["proxy_id"], ["id"])


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("setting_event") as batch:
        batch.drop_constraint("fk_setting_event_proxy", type_="foreignkey")
        batch.drop_column("hash")
        batch.drop_column("proxy_id")
    with op.batch_alter_table("ticket_event") as batch:
        batch.drop_constraint("fk_ticket_event_proxy", type_="foreignkey")
        batch.drop_column("hash")
        batch.drop_column("version")
        batch.drop_column("proxy_id")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("fk_ticket_confirmation_recorded_by", type_="foreignkey")
        batch.drop_column("confirmation_recorded_by_id")
        batch.drop_column("confirmation_channel")
        for aspect in ("attitude", "effect", "professionalism", "speed"):
            batch.drop_column(f"satisfaction_{aspect}")
    with op.batch_alter_table("desk_user") as batch:
        batch.drop_constraint("uq_desk_user_db_role", type_="unique")
        batch.drop_constraint("uq_desk_user_os_login", type_="unique")
        batch.drop_column("db_role")
        batch.drop_column("os_login")
