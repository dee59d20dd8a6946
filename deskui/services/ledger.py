"""Shared steps of every ticket change: lock the row, append the event, refresh the clocks and
the version, and seal the events into the ticket's chain.

Every ticket event is written through :func:`record`, and every change ends with
:func:`commit_change`. A change's events are held back until then, and sealed there —
given their ids, the version the change produced, the hash of the ticket's fields as the change
left them (on the change's last event), their predecessor's hash and their own
(:mod:`deskui.core.chain`) — and inserted with the ticket's row lock held, so each event is
written once and never updated. A change without an event, a ticket changed after its last
:func:`commit_change`, or events never sealed stop the transaction (:class:`UnsealedChange`):
the record would not account for the ticket.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlmodel import Session, col, select

from deskui.core.chain import AUDITED_FIELDS, ticket_event_hash, ticket_state_hash
from deskui.core.enums import EventKind, Status
from deskui.services.audit import allocate_ids
from deskui.services.errors import NotFound, StaleEdit
from deskui.services.report_facts import store_report_facts
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.views import refresh_due_cache, ticket_clocks
from deskui.store.models import Ticket, TicketEvent
from deskui.store.text_search import reindex_ticket


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


_PENDING = "deskui.ledger.pending"
_SEALED = "deskui.ledger.sealed"
_HOOKED = "deskui.ledger.hooked"


class UnsealedChange(RuntimeError):
    """A ticket changed in a way its chain does not record: a change with no event, events
    recorded without :func:`commit_change`, or fields changed after it. A programming error;
    nothing is written."""


def _hook(session: Session) -> None:
    if not session.info.get(_HOOKED):
        sa_event.listen(session, "before_commit", _check_sealed)
        sa_event.listen(session, "after_rollback", _forget)
        session.info[_HOOKED] = True


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_SEALED, None)


def _check_sealed(session: Session) -> None:
    """Before the commit: every recorded event was sealed, and every sealed ticket still stands
    as its last event's state hash says."""
    pending: dict[int, list[TicketEvent]] = session.info.pop(_PENDING, {})
    sealed: dict[int, tuple[Ticket, str]] = session.info.pop(_SEALED, {})
    for ticket_id, events in pending.items():
        if events:
            raise UnsealedChange(f"ticket {ticket_id}: events recorded without commit_change")
    for ticket, state in sealed.values():
        if state_hash(ticket) != state:
            raise UnsealedChange(
                f"ticket {ticket.number}: fields changed after commit_change, with no event"
            )


def state_hash(ticket: Ticket) -> str:
    """The hash of the ticket's audited fields as they are now."""
    return ticket_state_hash({name: getattr(ticket, name) for name, _ in AUDITED_FIELDS})


def event_values(e: TicketEvent) -> tuple[object, ...]:
    """What a ticket event's hash covers besides its predecessor's hash."""
    return (
        e.id,
        e.ticket_id,
        e.at,
        e.actor_id,
        e.proxy_id,
        e.kind,
        e.field,
        e.old_value,
        e.new_value,
        e.note,
        e.version,
        e.state_hash,
        e.minutes,
        e.facts_hash,
    )


def _pending(session: Session, ticket: Ticket) -> list[TicketEvent]:
    assert ticket.id is not None
    _hook(session)
    pending: dict[int, list[TicketEvent]] = session.info.setdefault(_PENDING, {})
    return pending.setdefault(ticket.id, [])


def _seal(
    session: Session, ticket: Ticket, events: list[TicketEvent], facts: str | None = None
) -> None:
    """Write a change's events, each chained to the ticket's previous one; the last carries the
    ticket's state and ``facts``, the hash of the report facts the change wrote (none for a
    reading, which writes none).

    The ticket's row is held (by :func:`lock_ticket`, or it is new and seen by nobody else) and
    taken again here, so no two transactions append to one chain at once.
    """
    if not events:
        raise UnsealedChange(f"ticket {ticket.number}: a change with no event")
    session.exec(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update()).first()
    prev = session.exec(
        select(TicketEvent.hash)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    ).first()
    state = state_hash(ticket)
    ids = allocate_ids(session, "ticket_event", len(events))
    for e, event_id in zip(events, ids, strict=True):
        # only a change's last event carries the state: a chain that ends without one lost the
        # end of its last change
        last = e is events[-1]
        e.id, e.version, e.prev_hash = event_id, ticket.version, prev
        e.state_hash = state if last else None
        e.facts_hash = facts if last else None
        e.hash = prev = ticket_event_hash(event_values(e), prev)
    session.add_all(events)
    session.flush()
    assert ticket.id is not None
    session.info.setdefault(_SEALED, {})[ticket.id] = (ticket, state)


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
    minutes: int | None = None,
) -> TicketEvent:
    """Append one event to the ticket's audit trail (same transaction as the change).

    The event names the admin acting for the actor, if any; it is written, sealed into the
    ticket's chain with the version the change produces, by :func:`commit_change`. ``minutes``:
    the time a worklog entry says was spent.
    """
    assert ticket.id is not None
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor_id=actor.id if actor else None,
        proxy_id=actor.proxy_id if actor else None,
        kind=str(kind),
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        note=note,
        minutes=minutes,
    )
    _pending(session, ticket).append(event)
    return event


def record_reading(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    kind: EventKind,
    now: datetime,
    *,
    field: str | None = None,
    new: object = None,
) -> None:
    """Record that someone read what the record guards (a requester's whole phone number), or
    saw what it shows (a lead acknowledging the board's alerts).

    Nothing of the ticket changes: the event is sealed into its chain at the version the
    ticket stands at (with its state as it is), and the version is not bumped, so a change
    another console is typing against this ticket is not made stale by someone reading it.
    The ticket must be locked (:func:`lock_ticket`).
    """
    record(session, ticket, actor, kind, now, field=field, new=new)
    events = _pending(session, ticket)
    _seal(session, ticket, list(events))
    events.clear()


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
    """Bump the version, stamp the change, refresh the clock caches from the full history, and
    seal the change's events into the ticket's chain.

    Call it last: the events carry the hash of the ticket's fields as they stand now, and a
    field changed after it (with no event) stops the commit (:class:`UnsealedChange`).
    """
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    session.flush()
    stored = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id))
    ).all()
    recorded = _pending(session, ticket)
    history = [*stored, *recorded]
    clocks = ticket_clocks(ticket, history, rules, now)
    refresh_due_cache(ticket, clocks)
    session.add(ticket)
    session.flush()
    facts = store_report_facts(session, ticket, history, clocks)
    _seal(session, ticket, recorded, facts)
    recorded.clear()
    # the full-text index follows every change in the same transaction (summary, solution …)
    assert ticket.id is not None
    reindex_ticket(session.connection(), ticket.id)
