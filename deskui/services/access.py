"""The services' one gate to the permission rules of :mod:`deskui.core.permissions`.

Every use case that the rules may refuse calls :func:`require` before it changes anything; the
refusal carries the rules' own code, so the console and the command line word it, and the
screens' ``check_action`` (reading the same module) greys out the same things.
"""

from __future__ import annotations

from sqlmodel import Session

from deskui.core.enums import Status
from deskui.core.permissions import Action, Person, TicketFacts, refusal
from deskui.services.errors import PermissionDenied
from deskui.store.models import Ticket, User


def ticket_facts(session: Session, ticket: Ticket) -> TicketFacts:
    """What the rules need to know of a ticket: its status, holder's login and tier."""
    holder = session.get(User, ticket.assignee_id) if ticket.assignee_id is not None else None
    return TicketFacts(Status(ticket.status), holder.login if holder else None, ticket.tier)


def require(person: Person, action: Action, ticket: TicketFacts | None = None) -> None:
    """Refuse unless the rules let ``person`` take ``action`` (on ``ticket``) now.

    Raises:
        PermissionDenied: with the rules' refusal as its code and the action named; a refusal
            for the role also names the role.
    """
    why = refusal(person, action, ticket)
    if why is None:
        return
    if why.value == "permission.role":
        raise PermissionDenied(why.value, action=action, role=str(person.role))
    raise PermissionDenied(why.value, action=action)
