"""ticket facets: the ticket index holds each ticket's facets, so a search within a view and
filters is narrowed by the index itself

Each ticket's document gains words no text yields (``deskui.core.text_index.facet``): open or
not, status, priority, group, assignee, type, category, channel, and the number reversed (its
tail is then a prefix). On SQLite the FTS5 table is made again with a fourth column,
``facets``, and a tokenizer that keeps ``=`` and ``_`` inside a word (the words of the other
columns are letters, digits or Chinese: cut the same as before); its words are copied as they
are. On PostgreSQL the facets are lexemes of the same ``doc``. Tickets not yet in the index
(a desk that had tickets before migration 0007) are indexed whole. Rewrites every ticket's
entry: about a minute a million tickets.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from deskui.store.text_search import backfill_tickets, refresh_facets

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TOKENIZER = "tokenize = \"unicode61 tokenchars '=_'\""


def _remake(columns: str, options: str) -> None:
    """The SQLite FTS5 table again with ``columns``, its words copied."""
    kept = "summary, who, body"
    op.execute(f"CREATE VIRTUAL TABLE ticket_text_next USING fts5({columns}{options})")
    op.execute(
        f"INSERT INTO ticket_text_next (rowid, {kept}) SELECT rowid, {kept} FROM ticket_text"
    )
    op.execute("DROP TABLE ticket_text")
    op.execute("ALTER TABLE ticket_text_next RENAME TO ticket_text")


def upgrade() -> None:
    """Facets in every ticket's entry; tickets missing from the index indexed."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        _remake("summary, who, body, facets", ", " + _TOKENIZER)
    backfill_tickets(bind, missing_only=True)
    refresh_facets(bind)


def downgrade() -> None:
    """The index without facets."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(
            text(
                "UPDATE ticket_text SET doc = ts_delete(doc, ARRAY(SELECT u.lexeme "
                "FROM unnest(doc) u WHERE left(u.lexeme, 1) = '='))"
            )
        )
    else:
        _remake("summary, who, body", "")
