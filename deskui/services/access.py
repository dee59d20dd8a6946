"""The services' one gate to the permission rules of :mod:`deskui.core.permissions`.

Every use case that the rules may refuse calls :func:`require` before it changes anything; the
refusal carries the rules' own code, so the console and the command line word it, and the
screens' ``check_action`` (reading the same module) greys out the same things.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from deskui.core.enums import EventKind, Status
from deskui.core.permissions import Action, Person, Refusal, TicketFacts, refusal
from deskui.services.errors import PermissionDenied
from deskui.store.models import Group, Ticket, TicketEvent, User


def _login(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.login if user else None


def solver_id(session: Session, ticket: Ticket) -> int | None:
    """Who gave the ticket's current solution: the actor of its latest solution event."""
    return session.exec(
        select(TicketEvent.actor_id)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == str(EventKind.SOLUTION))
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    ).first()


def ticket_facts(session: Session, ticket: Ticket) -> TicketFacts:
    """What the rules need to know of a ticket: its status, holder's login, tier, (while it
    awaits the requester's answer) who gave the solution, and its group."""
    status = Status(ticket.status)
    solver = (
        _login(session, solver_id(session, ticket))
        if status == Status.AWAITING_CONFIRMATION
        else None
    )
    group = session.get(Group, ticket.group_id) if ticket.group_id is not None else None
    return TicketFacts(
        status,
        _login(session, ticket.assignee_id),
        ticket.tier,
        solver,
        group.code if group is not None else None,
    )


def require(person: Person, action: Action, ticket: TicketFacts | None = None) -> None:
    """Refuse unless the rules let ``person`` take ``action`` (on ``ticket``) now.

    Raises:
        PermissionDenied: with the rules' refusal as its code and the action named; a refusal
            for the role also names the role.
    """
    deny(person, action, refusal(person, action, ticket))


def deny(person: Person, action: Action, why: Refusal | None) -> None:
    """Raise the rules' refusal ``why`` of ``action`` to ``person`` (nothing when it is None).

    Raises:
        PermissionDenied: as :func:`require` says.
    """
    if why is None:
        return
    if why.value == "permission.role":
        raise PermissionDenied(why.value, action=action, role=str(person.role))
    raise PermissionDenied(why.value, action=action)
