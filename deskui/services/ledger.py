"""Shared steps of every ticket change: lock the row, append the event, refresh the clocks and
the version."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from deskui.core.enums import EventKind, Status
from deskui.services.errors import NotFound, StaleEdit
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.views import refresh_due_cache, ticket_clocks
from deskui.store.models import Ticket, TicketEvent


def lock_ticket(session: Session, number: str, expected_version: int | None = None) -> Ticket:
    """Load a ticket for changing, holding its row lock until the transaction ends.

    On SQLite the write transaction already holds the database's write lock (BEGIN IMMEDIATE);
    on PostgreSQL ``FOR UPDATE`` makes every other writer of this row wait.

    Raises:
        NotFound: no such number.
        StaleEdit: the ticket is no longer at ``expected_version``.
    """
    ticket = session.exec(
        select(Ticket).where(Ticket.number == number.strip().upper()).with_for_update()
    ).first()
    if ticket is None:
        raise NotFound("ticket.unknown", field="number", number=number)
    if expected_version is not None and ticket.version != expected_version:
        raise StaleEdit(ticket.version, number=ticket.number)
    return ticket


def record(
    session: Session,
    ticket: Ticket,
    actor: Actor | None,
    kind: EventKind,
    now: datetime,
    *,
    field: str | None = None,
    old: object = None,
    new: object = None,
    note: str | None = None,
) -> TicketEvent:
    """Append one event to the ticket's audit trail (same transaction as the change)."""
    assert ticket.id is not None
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor_id=actor.id if actor else None,
        kind=str(kind),
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        note=note,
    )
    session.add(event)
    return event


def set_status(
    session: Session,
    ticket: Ticket,
    actor: Actor | None,
    target: Status,
    now: datetime,
    note: str | None = None,
) -> None:
    """Move the ticket and record the status event (the clocks read these)."""
    old = ticket.status
    ticket.status = str(target)
    ticket.is_open = target.is_open
    record(
        session,
        ticket,
        actor,
        EventKind.STATUS,
        now,
        field="status",
        old=old,
        new=target,
        note=note,
    )


def commit_change(session: Session, ticket: Ticket, rules: DeskRules, now: datetime) -> None:
    """Bump the version, stamp the change and refresh the clock caches from the full history."""
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    session.flush()
    events = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id))
    ).all()
    refresh_due_cache(ticket, ticket_clocks(ticket, events, rules, now))
    session.add(ticket)
    session.flush()
