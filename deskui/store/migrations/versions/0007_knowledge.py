"""knowledge: articles, their linked tickets, and the full-text index of articles and tickets

- ``article`` (one row per version of an article) and ``article_ticket`` (tickets linked to an
  article's lineage, and whether its solution solved them);
- the index (:mod:`deskui.store.text_search`): on SQLite the FTS5 tables ``article_text`` and
  ``ticket_text``; on PostgreSQL tables of the same names with a GIN-indexed ``tsvector``;
- existing tickets are indexed by migration 0012, which gives the ticket index its facets;
- ``article_event``: the knowledge base's hash-chained record (append-only on PostgreSQL, as the
  other event tables);
- on PostgreSQL, the desk's group roles may read and write them (the services decide who may do
  what; every role drafts articles and links tickets).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import text

import deskui.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
GROUPS = ("deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin")
#: Table → privileges every desk role holds (the services decide who may do what).
GRANTS = (
    ("article", "SELECT, INSERT, UPDATE"),
    ("article_ticket", "SELECT, INSERT, UPDATE"),
    ("article_text", "SELECT, INSERT, UPDATE"),
    ("ticket_text", "SELECT, INSERT, UPDATE"),
    ("article_event", "SELECT, INSERT"),
)
SEQUENCES = ("article", "article_event")


def upgrade() -> None:
    """Create the tables and the index, index the tickets, grant the desk roles."""
    bind = op.get_bind()
    utc = deskui.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lineage_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", _TEXT(length=200), nullable=False),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("solution", sa.Text(), nullable=False),
        sa.Column("category", _TEXT(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("support_group.id"), nullable=True),
        sa.Column("tags", _TEXT(length=400), nullable=False),
        sa.Column("state", _TEXT(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.Column("published_at", utc, nullable=True),
    )
    op.create_index("ix_article_state", "article", ["state", "category"])
    op.create_index("ix_article_lineage", "article", ["lineage_id", "version"])
    op.create_table(
        "article_ticket",
        sa.Column("lineage_id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), primary_key=True),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("linked_at", utc, nullable=False),
    )
    op.create_index("ix_article_ticket_ticket", "article_ticket", ["ticket_id"])
    op.create_table(
        "article_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", _TEXT(length=32), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proxy_id", sa.Integer(), sa.ForeignKey("desk_user.id"), nullable=True),
        sa.Column("prev_hash", _TEXT(length=64), nullable=True),
        sa.Column("hash", _TEXT(length=64), nullable=True),
    )
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE article_text (article_id integer PRIMARY KEY "
            "REFERENCES article (id) ON DELETE CASCADE, doc tsvector NOT NULL)"
        )
        op.execute(
            "CREATE TABLE ticket_text (ticket_id integer PRIMARY KEY "
            "REFERENCES ticket (id) ON DELETE CASCADE, doc tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_text_doc ON article_text USING gin (doc)")
        op.execute("CREATE INDEX ix_ticket_text_doc ON ticket_text USING gin (doc)")
        # the knowledge base's record is append-only, as the other event tables (migration 0004)
        op.execute(
            "CREATE TRIGGER article_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON article_event FOR EACH STATEMENT EXECUTE FUNCTION deskui_refuse_history_change()"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE article_text USING fts5(title, tags, body)")
        op.execute("CREATE VIRTUAL TABLE ticket_text USING fts5(summary, who, body)")
    if bind.dialect.name == "postgresql":
        _grant(bind)


def _grant(bind: sa.engine.Connection) -> None:
    present = set(
        bind.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:g)"), {"g": list(GROUPS)}
        )
        .scalars()
        .all()
    )
    roles = ", ".join(g for g in GROUPS if g in present)
    if not roles:
        return
    for table, privileges in GRANTS:
        op.execute(f"GRANT {privileges} ON {table} TO {roles}")
    for table in SEQUENCES:
        sequence = bind.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}
        ).scalar_one()
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {roles}")


def downgrade() -> None:
    """Drop the index and the tables (setting events stay: the record is append-only)."""
    op.execute("DROP TABLE IF EXISTS ticket_text")
    op.execute("DROP TABLE IF EXISTS article_text")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_event_append_only ON article_event")
    op.drop_table("article_event")
    op.drop_table("article_ticket")
    op.drop_table("article")
