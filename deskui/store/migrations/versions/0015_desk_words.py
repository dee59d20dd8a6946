"""desk words: the segmenter knows the service desk's own words (data/words.txt)

The segmenter's dictionary lacks some words an IT desk writes every day, or holds them too
rarely (``内网`` at 4, where 7 cuts it whole), so it cut them into single characters, which are
no words: a search for ``内网`` found nothing. ``deskui.core.text_index`` now adds them to the
segmenter; the tickets and articles whose text holds one are cut again here (a ``LIKE`` pass over
the tickets, then only those entries).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 14:30:00.000000
"""

from __future__ import annotations

from alembic import op

from deskui.core.text_index import desk_words
from deskui.store.text_search import reindex_holding

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Cut again the entries that hold a desk word."""
    reindex_holding(op.get_bind(), desk_words())


def downgrade() -> None:
    """Nothing to undo: the entries are right for the segmenter either way."""
