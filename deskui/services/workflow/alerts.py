"""The emergency board's acknowledgement: a lead saw a ticket's alerts, for every console.

The acknowledgement is an event in the ticket's record (:data:`EventKind.ALERT_ACKNOWLEDGED`),
sealed into its chain, so it is audited and every board reads it. It changes no field of the
ticket and stops no clock (it is not contact with the requester), so it is sealed at the version
the ticket stands at, as a reading is (:func:`~deskui.services.ledger.record_reading`): an agent
typing a change to the ticket while a lead acknowledges its alerts is not made stale by it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from deskui.core.alerts import Alert, covering, format_keys
from deskui.core.enums import ClockState, EventKind, Priority
from deskui.core.permissions import Action
from deskui.services.access import require, ticket_facts
from deskui.services.board import acknowledgements, priority_since
from deskui.services.errors import AlreadyAcknowledged, ServiceError
from deskui.services.ledger import lock_ticket, record_reading
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.views import ticket_clocks
from deskui.store.models import Ticket, TicketEvent, User


def acknowledge_alerts(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    alerts: Collection[str] | None = None,
) -> Ticket:
    """Acknowledge the ticket's standing alerts nobody has acknowledged yet.

    Args:
        alerts: only these (``p1``, or a clock's kind: what the lead saw flash); None for all.

    Raises:
        PermissionDenied: not a lead, or the ticket is no longer open.
        ServiceError: ``alert.none``: no such alert stands on the ticket.
        AlreadyAcknowledged: someone acknowledged them all already (named, with the time).
    """
    require(actor, Action.ACKNOWLEDGE_ALERT)
    ticket = lock_ticket(session, number)
    require(actor, Action.ACKNOWLEDGE_ALERT, ticket_facts(session, ticket))
    history = list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        ).all()
    )
    clocks = ticket_clocks(ticket, history, rules, now)
    standing: dict[Alert, datetime] = {}
    if ticket.priority == Priority.P1:
        standing[Alert(ticket.number)] = priority_since(history, Priority.P1) or ticket.received_at
    for kind, clock in clocks.items():
        if clock.state == ClockState.BREACHED:
            standing[Alert(ticket.number, kind)] = clock.due
    if alerts is not None:
        standing = {a: since for a, since in standing.items() if a.key in alerts}
    if not standing:
        raise ServiceError("alert.none", number=ticket.number)
    ids = {e.actor_id for e in history if e.kind == EventKind.ALERT_ACKNOWLEDGED and e.actor_id}
    people = {
        int(u.id): (u.login, u.name)
        for u in session.exec(select(User).where(col(User.id).in_(ids))).all()
        if u.id is not None
    }
    acks = acknowledgements(history, people)
    found = {a: covering(acks, a, since) for a, since in standing.items()}
    pending = [a for a, ack in found.items() if ack is None]
    if not pending:
        latest = max((ack for ack in found.values() if ack is not None), key=lambda a: a.at)
        raise AlreadyAcknowledged(
            number=ticket.number,
            by=latest.name or latest.login or "-",
            at=latest.at.astimezone(rules.tz).strftime("%H:%M"),
        )
    record_reading(
        session,
        ticket,
        actor,
        EventKind.ALERT_ACKNOWLEDGED,
        now,
        field="alerts",
        new=format_keys(pending),
    )
    return ticket
