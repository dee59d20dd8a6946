"""report facts: each ticket's SLA outcomes, paused time, reopenings and first-contact
resolution, and the indexes the reports read by (received, confirmed; a group's and an agent's
received)

The clocks are recomputed from each ticket's events, which SQL cannot do over a month of tickets;
every change now stores the facts a report aggregates (``ticket_report_fact``, kept by
``deskui.services.ledger.commit_change``). Existing tickets get theirs here, computed by the same
core rules from their events and the desk's stored rule files.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:00:00.000000
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from deskui.config import load_rule_files
from deskui.core.calendar import BusinessCalendar
from deskui.core.enums import EventKind, Priority
from deskui.core.report_facts import report_facts, stored_clock_event
from deskui.core.sla import ClockEvent, SlaPolicy, compute_clocks
from deskui.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GROUPS = ("deskui_operator", "deskui_agent", "deskui_lead", "deskui_admin")
_BATCH = 2000


def upgrade() -> None:
    """Create the table and the indexes, grant it on PostgreSQL, and fill it."""
    op.create_table(
        "ticket_report_fact",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("response", sa.String(length=8), nullable=False),
        sa.Column("response_late", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.String(length=8), nullable=False),
        sa.Column("resolution_late", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("first_contact", sa.Boolean(), nullable=False),
        sa.Column("to_confirmation", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_ticket_received", "ticket", ["received_at"])
    op.create_index("ix_ticket_confirmed", "ticket", ["confirmed_at"])
    op.create_index("ix_ticket_group_received", "ticket", ["group_id", "received_at"])
    op.create_index("ix_ticket_assignee_received", "ticket", ["assignee_id", "received_at"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # every role changes tickets, and each change rewrites the ticket's facts
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON ticket_report_fact TO {', '.join(GROUPS)}")
    _backfill(bind)


def _rules(bind: sa.Connection) -> tuple[SlaPolicy, BusinessCalendar]:
    """The SLA targets and calendar as the desk stores them (data/ for any not stored)."""
    stored = {
        key: json.loads(value)
        for key, value in bind.execute(sa.text("SELECT key, value FROM desk_setting"))
    }
    files = {**load_rule_files(), **stored}
    tz = os.environ.get("DESKUI_TZ") or str(files["desk"].get("timezone", "Asia/Shanghai"))
    calendar = BusinessCalendar.from_config(files["calendar"], tz=tz)
    policy = SlaPolicy.from_config(files["sla"], working_day_seconds=calendar.hours.seconds_per_day)
    return policy, calendar


def _backfill(bind: sa.Connection) -> None:
    """Every existing ticket's facts, from its events, as at the migration."""
    if bind.execute(sa.text("SELECT COUNT(*) FROM ticket")).scalar_one() == 0:
        return
    policy, calendar = _rules(bind)
    now = datetime.now(UTC)
    stamp = UTCDateTime()
    dialect = bind.dialect

    def instant(value: Any) -> datetime:
        result = stamp.process_result_value(value, dialect)
        assert result is not None
        return result

    facts = sa.table(
        "ticket_report_fact",
        *(
            sa.column(name)
            for name in (
                "ticket_id",
                "response",
                "response_late",
                "resolution",
                "resolution_late",
                "paused",
                "reopened",
                "first_contact",
                "to_confirmation",
            )
        ),
    )
    last = 0
    while True:
        tickets = bind.execute(
            sa.text(
                "SELECT id, priority, received_at, confirmed_at FROM ticket"
                " WHERE id > :last ORDER BY id LIMIT :batch"
            ).columns(received_at=UTCDateTime(), confirmed_at=UTCDateTime()),
            {"last": last, "batch": _BATCH},
        ).all()
        if not tickets:
            return
        last = tickets[-1].id
        history: dict[int, list[ClockEvent]] = defaultdict(list)
        first_contact: set[int] = set()
        for e in bind.execute(
            sa.text(
                "SELECT ticket_id, at, kind, field, new_value, note FROM ticket_event"
                " WHERE ticket_id BETWEEN :low AND :high ORDER BY ticket_id, id"
            ).columns(at=UTCDateTime()),
            {"low": tickets[0].id, "high": last},
        ):
            history[e.ticket_id].append(
                stored_clock_event(instant(e.at), e.kind, e.field, e.new_value, e.note)
            )
            if e.kind == EventKind.FIRST_CONTACT:
                first_contact.add(e.ticket_id)
        rows = []
        for t in tickets:
            events = history.get(t.id, [])
            clocks = compute_clocks(
                priority=Priority(t.priority),
                received_at=t.received_at,
                events=events,
                now=now,
                policy=policy,
                calendar=calendar,
            )
            fact = report_facts(
                received_at=t.received_at,
                confirmed_at=t.confirmed_at,
                clocks=clocks,
                events=events,
                first_contact=t.id in first_contact,
            )
            rows.append(
                {
                    "ticket_id": t.id,
                    "response": str(fact.response),
                    "response_late": fact.response_late,
                    "resolution": str(fact.resolution),
                    "resolution_late": fact.resolution_late,
                    "paused": fact.paused,
                    "reopened": fact.reopened,
                    "first_contact": fact.first_contact,
                    "to_confirmation": fact.to_confirmation,
                }
            )
        bind.execute(facts.insert(), rows)


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_ticket_assignee_received", table_name="ticket")
    op.drop_index("ix_ticket_group_received", table_name="ticket")
    op.drop_index("ix_ticket_confirmed", table_name="ticket")
    op.drop_index("ix_ticket_received", table_name="ticket")
    op.drop_table("ticket_report_fact")
