"""Personal data on a ticket (脱敏, SPEC §2): reading a requester's whole phone number.

The ticket's holder sees it; anyone else at the desk sees it masked and may reveal it, which
is recorded in the ticket's audit trail — who revealed whose number, and when — in the same
transaction as the reading. The number itself is never written into the record.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind
from deskui.core.permissions import Action, sees_phone
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import lock_ticket, record_reading
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.store.models import Requester, Ticket


def reveal_phone(
    *, session: Session, number: str, actor: Actor, rules: DeskRules, now: datetime
) -> Ticket:
    """Reveal the requester's phone of ``number`` to ``actor``: an audited reading (event
    ``phone_revealed`` naming the requester), unless the actor holds the ticket (they see it
    anyway, and nothing is recorded).

    Raises:
        NotFound: no such ticket.
        ServiceError: ``reveal.no_phone`` — the requester left no phone number.
        PermissionDenied: not someone at the desk.
    """
    del rules  # a reading changes no clock
    require(actor, Action.REVEAL_PHONE)
    ticket = lock_ticket(session, number)
    facts = ticket_facts(session, ticket)
    require(actor, Action.REVEAL_PHONE, facts)
    requester = session.get(Requester, ticket.requester_id)
    if requester is None or not (requester.phone or "").strip():
        raise ServiceError("reveal.no_phone", field="phone", number=ticket.number)
    if not sees_phone(actor, facts):
        record_reading(
            session,
            ticket,
            actor,
            EventKind.PHONE_REVEALED,
            now,
            field="requester",
            new=requester.name,
        )
    return ticket
