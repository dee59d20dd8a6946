"""skills: the skill matrix, agent × category with a level; the callers' site

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:00:00.000000

One row per agent and category they are skilled in (level 1–5). On a shared desk every role reads
it (the suggestion of whom to assign is anyone's to see) and only admins change it, as they
change users. A caller gets a site (from the HR export of the directory), and an admin, who
imports that export, may update callers.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GROUPS = ("deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin")
ADMIN = "deskui_admin"


def _q(name: str) -> str:
    return op.get_bind().dialect.identifier_preparer.quote(name)


def upgrade() -> None:
    """Create the table; on PostgreSQL grant it like the users' tables."""
    op.create_table(
        "agent_skill",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("desk_user.id"), primary_key=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), primary_key=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_agent_skill_level"),
    )
    op.create_index("ix_agent_skill_category", "agent_skill", ["category"])
    with op.batch_alter_table("requester") as batch:
        batch.add_column(
            sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(text("SELECT current_schema()")).scalar_one()
    table = f"{_q(schema)}.{_q('agent_skill')}"
    op.execute(f"GRANT SELECT ON {table} TO {', '.join(GROUPS)}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {ADMIN}")
    op.execute(f"GRANT UPDATE ON {_q(schema)}.{_q('requester')} TO {ADMIN}")


def downgrade() -> None:
    """Drop it (its grants go with it), and the site."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("REVOKE UPDATE ON requester FROM deskui_admin")
    with op.batch_alter_table("requester") as batch:
        batch.drop_column("site")
    op.drop_index("ix_agent_skill_category", table_name="agent_skill")
    op.drop_table("agent_skill")
