"""announcements: reviewed before they go out, with their chained history

Two tables: ``announcement`` (the content, its state, who approved and published it) and
``announcement_event`` (append-only, each event chained to the announcement's previous one, as
ticket events are). On PostgreSQL the events refuse UPDATE, DELETE and TRUNCATE like the other
event tables, and every desk group role may read both and write what drafting, reviewing and
publishing need (the rules of who may do which are the services').

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import text

import deskui.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = deskui.store.types.UTCDateTime
GROUPS = ("deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin")
#: Table → what every desk role may write there besides reading it.
WRITE = (("announcement", "INSERT, UPDATE"), ("announcement_event", "INSERT"))


def _user(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=True)


def upgrade() -> None:
    """Create the tables; on PostgreSQL, protect the events and grant the desk roles."""
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", _TEXT(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("support_group.id"), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.Column("starts_at", _TIME(timezone=True), nullable=True),
        sa.Column("ends_at", _TIME(timezone=True), nullable=True),
        sa.Column("expires_at", _TIME(timezone=True), nullable=False),
        sa.Column("state", _TEXT(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=False),
        sa.Column("created_at", _TIME(timezone=True), nullable=False),
        sa.Column("updated_at", _TIME(timezone=True), nullable=False),
        sa.Column("approved_hash", _TEXT(length=64), nullable=True),
        _user("approved_by_id"),
        sa.Column("approved_at", _TIME(timezone=True), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("published_at", _TIME(timezone=True), nullable=True),
        _user("published_by_id"),
        sa.Column("late_seconds", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", _TIME(timezone=True), nullable=True),
        _user("withdrawn_by_id"),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_announcement_state", "announcement", ["state", "expires_at"])
    op.create_table(
        "announcement_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=False
        ),
        sa.Column("at", _TIME(timezone=True), nullable=False),
        _user("actor_id"),
        _user("proxy_id"),
        sa.Column("kind", _TEXT(length=16), nullable=False),
        sa.Column("state", _TEXT(length=16), nullable=False),
        sa.Column("content_hash", _TEXT(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("prev_hash", _TEXT(length=64), nullable=True),
        sa.Column("hash", _TEXT(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_announcement_event_announcement", "announcement_event", ["announcement_id", "id"]
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER announcement_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON announcement_event FOR EACH STATEMENT EXECUTE FUNCTION deskui_refuse_history_change()"
    )
    present = set(
        bind.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:g)"), {"g": list(GROUPS)}
        ).scalars()
    )
    roles = ", ".join(g for g in GROUPS if g in present)
    if not roles:
        return
    for table, privileges in WRITE:
        op.execute(f"GRANT SELECT, {privileges} ON {table} TO {roles}")
        sequence = bind.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
        ).scalar_one()
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {roles}")


def downgrade() -> None:
    """Drop the tables (their grants and the trigger go with them)."""
    op.drop_index("ix_announcement_event_announcement", table_name="announcement_event")
    op.drop_table("announcement_event")
    op.drop_index("ix_announcement_state", table_name="announcement")
    op.drop_table("announcement")
